"""The SHACL participant rule and research-dataset records whose source names no participant.

MME v7 has 91 rows whose participant columns hold only the missing marker -9. They are
imported as exercises with ``mil:participantsUnknown true``; the rule accepts that marker (or
names kept as ``mil:unresolvedParticipant``) on records citing a ``mil:ResearchDataset``, and
nowhere else: a curated exercise must still name a participant.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import SH, Graph, URIRef

ROOT = Path(__file__).resolve().parents[2]
MILSH = "https://w3id.org/milgraph/shapes#"

PROLOGUE = """
@prefix mil: <https://w3id.org/milgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/milgraph/id/> .
id:dataset\\/mme-v7 a mil:ResearchDataset ; rdfs:label "MME v7"@en ;
    dcterms:bibliographicCitation "D'Orazio and Galambos (2021)" ;
    dcterms:source <https://doi.org/10.7910/DVN/KHFODX> .
id:nation\\/NOR a mil:Nation ; rdfs:label "Norway"@en ; mil:isoCode "NOR" ;
    dcterms:source <https://www.iso.org/iso-3166-country-codes.html> .
"""


@pytest.fixture(scope="module")
def shapes() -> tuple[Graph, Graph]:
    ont = Graph().parse(ROOT / "ontology" / "milgraph.ttl").parse(ROOT / "ontology" /
                                                                   "concepts.ttl")
    return ont, Graph().parse(ROOT / "ontology" / "shapes.ttl")


def violations(shapes: tuple[Graph, Graph], body: str) -> list[tuple[str, str]]:
    ont, shacl = shapes
    data = Graph().parse(data=PROLOGUE + body, format="turtle")
    _, report, _ = validate(data, shacl_graph=shacl, ont_graph=ont, inference="rdfs",
                            advanced=True)
    out = []
    for r in report.objects(None, SH.result):
        if report.value(r, SH.resultSeverity) != SH.Violation:
            continue
        shape = report.value(r, SH.sourceShape)
        focus = str(report.value(r, SH.focusNode)).rsplit("/", 1)[-1]
        out.append((str(shape).removeprefix(MILSH) if isinstance(shape, URIRef) else "_", focus))
    return sorted(out)


def exercise(source: str, extra: str) -> str:
    return f"""id:exercise\\/x a mil:MilitaryExercise ; rdfs:label "X"@en ;
        mil:startDate "1985-03-04"^^xsd:date ; dcterms:source {source} ; {extra} ."""


MME = "id:dataset\\/mme-v7"
WEB = "<https://example.org/report>"


def test_imported_record_with_participants_unknown_conforms(shapes) -> None:
    assert violations(shapes, exercise(MME, "mil:participantsUnknown true")) == []


def test_imported_record_with_only_unresolved_names_conforms(shapes) -> None:
    assert violations(shapes, exercise(MME, 'mil:unresolvedParticipant "Baltic States"')) == []


def test_imported_record_naming_nobody_without_the_marker_is_a_violation(shapes) -> None:
    assert violations(shapes, exercise(MME, "mil:location \"Izmir, Turkey\"")) == [
        ("ExerciseParticipant", "x")]


def test_curated_record_cannot_use_the_marker(shapes) -> None:
    found = violations(shapes, exercise(WEB, "mil:participantsUnknown true"))
    assert found == [("ExerciseParticipant", "x"), ("ParticipantsUnknownShape", "x")]


def test_marker_and_participants_contradict_each_other(shapes) -> None:
    found = violations(shapes, exercise(
        MME, "mil:participantsUnknown true ; mil:participant id:nation\\/NOR"))
    assert found == [("ParticipantsUnknownMeansNone", "x")]


def test_marker_is_true_only(shapes) -> None:
    found = violations(shapes, exercise(
        MME, "mil:participantsUnknown false ; mil:participant id:nation\\/NOR"))
    assert ("ParticipantsUnknownValue", "x") in found
