"""What each kind of alliance obligation derives: defence or offence make nations allied;
consultation, non-aggression and neutrality give their own relations. ATOP states
obligations per member (asymmetric pacts), curated alliances on the alliance."""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.reasoning import ReasoningResult, reason
from milgraph.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
MIL = "https://w3id.org/milgraph/ontology#"
ID = "https://w3id.org/milgraph/id/"

DATA = """
@prefix mil: <https://w3id.org/milgraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/milgraph/id/> .
<nation/AAA> a mil:Nation . <nation/BBB> a mil:Nation . <nation/CCC> a mil:Nation .
<nation/DDD> a mil:Nation .

# an asymmetric guarantee (ATOP style): AAA defends, BBB and CCC only consult
<alliance/guarantee> a mil:Alliance ; mil:obligation mil:ObligationDefence , mil:ObligationConsultation .
<m/g/AAA> mil:member <nation/AAA> ; mil:organization <alliance/guarantee> ;
    mil:obligation mil:ObligationDefence ; mil:startDate "1950-01-01"^^xsd:date .
<m/g/BBB> mil:member <nation/BBB> ; mil:organization <alliance/guarantee> ;
    mil:obligation mil:ObligationConsultation ; mil:startDate "1950-01-01"^^xsd:date .
<m/g/CCC> mil:member <nation/CCC> ; mil:organization <alliance/guarantee> ;
    mil:obligation mil:ObligationConsultation ; mil:startDate "1950-01-01"^^xsd:date .

# a non-aggression pact whose AAA record ended (the current view ignores ended records)
<alliance/nonagg> a mil:Alliance ; mil:obligation mil:ObligationNonAggression .
<m/n/AAA> mil:member <nation/AAA> ; mil:organization <alliance/nonagg> ;
    mil:obligation mil:ObligationNonAggression ; mil:startDate "1960-01-01"^^xsd:date ;
    mil:endDate "1970-01-01"^^xsd:date .
<m/n/DDD> mil:member <nation/DDD> ; mil:organization <alliance/nonagg> ;
    mil:obligation mil:ObligationNonAggression ; mil:startDate "1960-01-01"^^xsd:date .

# a curated alliance: obligations on the alliance, none on the records
<org/curated> a mil:Alliance ; mil:obligation mil:ObligationNeutrality .
<m/c/BBB> mil:member <nation/BBB> ; mil:organization <org/curated> ; mil:startDate "1980-01-01"^^xsd:date .
<m/c/DDD> mil:member <nation/DDD> ; mil:organization <org/curated> ; mil:startDate "1980-01-01"^^xsd:date .
"""


@functools.cache
def reasoned(as_of: str | None = None) -> ReasoningResult:
    triples = [q.triple for q in ox.parse(path=str(ROOT / "ontology" / "milgraph.ttl"),
                                         format=ox.RdfFormat.TURTLE)]
    triples += [q.triple for q in ox.parse(DATA, format=ox.RdfFormat.TURTLE)]
    return reason(triples, rules=load_rules(ROOT / "ontology" / "rules"), as_of=as_of)


def pairs(result: ReasoningResult, predicate: str) -> set[tuple[str, str]]:
    return {(t.subject.value[-3:], t.object.value[-3:]) for t in result.inferred
            if t.predicate == ox.NamedNode(MIL + predicate)}


def both_ways(*pairs_: tuple[str, str]) -> set[tuple[str, str]]:
    return {p for a, b in pairs_ for p in ((a, b), (b, a))}


def test_defence_by_one_member_makes_the_pair_allied_not_the_other_pairs() -> None:
    assert pairs(reasoned(), "alliedWith") == both_ways(("AAA", "BBB"), ("AAA", "CCC"))


def test_consultation_binds_every_pair_where_one_side_consults() -> None:
    assert pairs(reasoned(), "consultationPartnerOf") == both_ways(
        ("AAA", "BBB"), ("AAA", "CCC"), ("BBB", "CCC"))


@pytest.mark.parametrize(("as_of", "expected"), [
    (None, set()),                                   # AAA's record has ended
    ("1965-06-01", both_ways(("AAA", "DDD"))),
    ("1970-01-01", set()),                           # end dates are exclusive
])
def test_non_aggression_now_and_as_of(as_of: str | None, expected: set) -> None:
    assert pairs(reasoned(as_of), "nonAggressionPartnerOf") == expected


def test_a_curated_alliance_obligation_applies_to_its_members() -> None:
    assert pairs(reasoned(), "neutralityPartnerOf") == both_ways(("BBB", "DDD"))
    assert ("BBB", "DDD") not in pairs(reasoned(), "alliedWith")


def test_the_derivation_names_the_membership_that_binds() -> None:
    result = reasoned()
    t = ox.Triple(ox.NamedNode(ID + "nation/BBB"), ox.NamedNode(MIL + "alliedWith"),
                  ox.NamedNode(ID + "nation/AAA"))
    d = result.derivation(t)
    assert d is not None and d.rule == "alliedWith"
    assert ox.Triple(ox.NamedNode(ID + "m/g/AAA"), ox.NamedNode(MIL + "obligation"),
                     ox.NamedNode(MIL + "ObligationDefence")) in d.premises
