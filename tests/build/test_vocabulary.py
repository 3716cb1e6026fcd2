"""The closed vocabulary and well-formed literals, as validate and build report them: real
files in a temporary directory, checked against the bundled ontology."""

from __future__ import annotations

from pathlib import Path

import pytest

from milgraph.build import build_snapshot, validate_inputs
from milgraph.build.inputs import collect_sources, rules_dir_for, shapes_for
from milgraph.build.pipeline import Pipeline
from milgraph.build.vocabulary import distance, nearest
from milgraph.errors import ValidationFailed
from milgraph.namespaces import MIL_IRI

HEAD = """@prefix mil: <https://w3id.org/milgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix nation: <https://w3id.org/milgraph/id/nation/> .
@prefix ex: <https://w3id.org/milgraph/id/exercise/> .

nation:IND a mil:Nation ; rdfs:label "India"@en ; mil:isoCode "IND" ;
    dcterms:source <https://www.un.org/en/about-us/member-states> .
nation:USA a mil:Nation ; rdfs:label "United States"@en ; mil:isoCode "USA" ;
    dcterms:source <https://www.un.org/en/about-us/member-states> .
"""


def write(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "data" / "records.ttl"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(HEAD + body)
    return f


def errors(tmp_path: Path, body: str) -> list:
    f = write(tmp_path, body)
    return [p for p in validate_inputs([f], cache_root=tmp_path / "home") if p.is_violation]


EXERCISE = """
ex:malabar-2019 a {cls} ;
    rdfs:label "Malabar 2019"@en ;
    mil:startDate {date} ;
    mil:participant nation:USA ;
    {prop} nation:IND ;
    dcterms:source <https://www.navy.mil/> .
"""


def exercise(cls="mil:MilitaryExercise", date='"2019-09-26"^^xsd:date',
             prop="mil:participant") -> str:
    return EXERCISE.format(cls=cls, date=date, prop=prop)


def test_misspelt_property_is_an_error_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    (problem,) = errors(tmp_path, exercise(prop="mil:particpant"))
    assert problem.location.path.endswith("data/records.ttl")
    assert problem.location.line == 17  # the line of "mil:particpant nation:IND"
    assert problem.message == "mil:particpant is not a property the ontology declares"
    assert problem.hint.startswith("did you mean mil:participant?")


def test_misspelt_class_is_an_error_with_the_nearest_class(tmp_path: Path) -> None:
    (problem,) = errors(tmp_path, exercise(cls="mil:MilitaryExcercise"))
    assert problem.message == "mil:MilitaryExcercise is not a class the ontology declares"
    assert problem.location.line == 13
    assert problem.hint.startswith("did you mean mil:MilitaryExercise?")


def test_undeclared_concept_is_an_error(tmp_path: Path) -> None:
    body = exercise().replace(" .\n", " ;\n    mil:domain mil:DomainSeaa .\n", 1)
    found = [p for p in errors(tmp_path, body) if p.rule == "closed vocabulary"]
    assert [p.message for p in found] == ["mil:DomainSeaa is not a term the ontology declares"]
    assert found[0].hint.startswith("did you mean mil:DomainSea?")


def test_a_name_far_from_every_term_gets_no_guess(tmp_path: Path) -> None:
    (problem,) = errors(tmp_path, exercise(prop="mil:zzzqqqxxxwww"))
    assert "did you mean" not in problem.hint
    assert "declare mil:zzzqqqxxxwww in ontology/milgraph.ttl" in problem.hint


def test_impossible_date_names_line_datatype_and_a_valid_example(tmp_path: Path) -> None:
    (problem, *others) = errors(tmp_path, exercise(date='"2019-09-31"^^xsd:date'))
    assert problem.rule == "well-formed literal"
    assert problem.location.line == 15
    assert problem.message == (
        '"2019-09-31"^^xsd:date is not a valid xsd:date (September 2019 has 30 days)')
    assert 'e.g. "2024-03-07"^^xsd:date' in problem.hint
    # the reasoner's dt-not-type restates it without a line: not shown twice
    assert not any("dt-not-type" in (p.rule or "") for p in others)


@pytest.mark.parametrize(("literal", "example"), [
    ('"12a"^^xsd:integer', "42"),
    ('"2019-13"^^xsd:gYearMonth', '"2024-03"^^xsd:gYearMonth'),
    ('"yes"^^xsd:boolean', "true or false"),
])
def test_other_ill_formed_literals(tmp_path: Path, literal: str, example: str) -> None:
    body = exercise().replace(" .\n", f" ;\n    rdfs:comment {literal} .\n", 1)
    found = [p for p in errors(tmp_path, body) if p.rule == "well-formed literal"]
    assert len(found) == 1
    assert found[0].location.line == 19
    assert example in found[0].hint


def test_reference_to_an_undescribed_nation_suggests_the_nearest_one(tmp_path: Path) -> None:
    body = exercise().replace("mil:participant nation:USA", "mil:participant nation:UAS")
    (problem,) = errors(tmp_path, body)
    assert "no record describes" in problem.message  # the shape's own message, as before
    assert problem.hint.startswith("did you mean nation:USA?")


def test_build_stops_on_an_undeclared_term_and_keeps_nothing_new(tmp_path: Path) -> None:
    f = write(tmp_path, exercise(prop="mil:particpant"))
    with pytest.raises(ValidationFailed) as caught:
        build_snapshot(data=[f], out=tmp_path / "snapshots")
    assert "did you mean mil:participant?" in str(caught.value.problems[0])
    assert not (tmp_path / "snapshots" / "CURRENT").exists()


def test_the_bundled_data_uses_only_declared_terms_and_valid_literals() -> None:
    p = Pipeline(collect_sources(), rules_dir_for(None), shapes_for(None))
    assert p.load() == []
    assert [str(x) for x in p.vocabulary()] == []


def test_edit_distance() -> None:
    assert distance("particpant", "participant", 3) == 1
    assert distance("fni", "fin", 3) == 1  # a transposition counts once
    assert distance("abcdef", "zzzzzz", 2) == 3  # cut off above the bound
    declared = [MIL_IRI + "participant", MIL_IRI + "partOfSeries", MIL_IRI + "party"]
    assert nearest(MIL_IRI + "particpant", declared) == MIL_IRI + "participant"
    assert nearest(MIL_IRI + "xyz", declared) is None
