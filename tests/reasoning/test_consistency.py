"""Rules whose conclusion is false: reported as Inconsistency results naming the clashing
triples, never raised."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.reasoning import Inconsistency, reason

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reasoning"
EX = "http://example.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def ex(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


@pytest.fixture(scope="module")
def found() -> dict[str, list[Inconsistency]]:
    triples = [q.triple for q in ox.parse(path=str(FIXTURES / "inconsistencies.ttl"),
                                          format=ox.RdfFormat.TURTLE)]
    result = reason(triples)
    assert not result.consistent
    by_rule: dict[str, list[Inconsistency]] = {}
    for inc in result.inconsistencies:
        by_rule.setdefault(inc.rule, []).append(inc)
    return by_rule


# rule -> a triple the report must name (the data that clashes)
EXPECTED = {
    "cax-dw": ox.Triple(ex("felix"), RDF_TYPE, ex("Dog")),
    "cax-adc": ox.Triple(ex("thing1"), RDF_TYPE, ex("Blue")),
    "cls-nothing2": ox.Triple(ex("ghost"), RDF_TYPE,
                              ox.NamedNode("http://www.w3.org/2002/07/owl#Nothing")),
    "cls-com": ox.Triple(ex("tom"), RDF_TYPE, ex("NonCat")),
    "cls-maxc1": ox.Triple(ex("kim"), ex("child"), ex("kid")),
    "cls-maxqc1": ox.Triple(ex("lou"), ex("owns"), ex("fido")),
    "cls-maxqc2": ox.Triple(ex("max"), ex("friend"), ex("ned")),
    "prp-irp": ox.Triple(ex("narc"), ex("sees"), ex("narc")),
    "prp-asyp": ox.Triple(ex("b1"), ex("parentOf"), ex("a1")),
    "prp-pdw": ox.Triple(ex("c1"), ex("hates"), ex("d1")),
    "prp-adp": ox.Triple(ex("e1"), ex("pc"), ex("f1")),
    "prp-npa1": ox.Triple(ex("g1"), ex("trusts"), ex("h1")),
    "prp-npa2": ox.Triple(ex("g2"), ex("score"),
                          ox.Literal("7", datatype=ox.NamedNode(
                              "http://www.w3.org/2001/XMLSchema#integer"))),
    "eq-diff1": ox.Triple(ex("i1"), ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                          ex("i2")),
    "eq-diff2": ox.Triple(ex("j2"), ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                          ex("j3")),
    "eq-diff3": ox.Triple(ex("k1"), ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
                          ex("k2")),
    "dt-not-type": ox.Triple(ex("parcel"), ex("weight"), ox.Literal(
        "heavy", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_each_false_rule_is_reported_with_its_triples(
    found: dict[str, list[Inconsistency]], rule: str
) -> None:
    assert rule in found, f"{rule} not reported; found {sorted(found)}"
    named = [t for inc in found[rule] for t in inc.triples]
    assert EXPECTED[rule] in named, f"{rule}: {found[rule]}"
    text = str(found[rule][0])
    assert text.startswith(f"{rule}: ") and EX in text


def test_data_triple_comes_first_so_a_reader_can_locate_it(
    found: dict[str, list[Inconsistency]],
) -> None:
    felix = next(inc for inc in found["cax-dw"] if any(t.subject == ex("felix")
                                                        for t in inc.triples))
    assert felix.triples[0].subject == ex("felix")


def test_a_string_where_the_range_says_integer_is_a_datatype_clash(
    found: dict[str, list[Inconsistency]],
) -> None:
    town = [inc for inc in found["cax-dw"]
            if ox.Triple(ex("town"), ex("population"), ox.Literal("many")) in inc.triples]
    assert town, found["cax-dw"]
    assert town[0].triples[0] == ox.Triple(ex("town"), ex("population"), ox.Literal("many"))


def test_nothing_else_is_reported(found: dict[str, list[Inconsistency]]) -> None:
    assert set(found) == set(EXPECTED) | {"cax-dw"}
    assert len(found["cax-dw"]) == 2  # felix, and the "many" population


def test_consistent_graph_reports_nothing() -> None:
    triples = [q.triple for q in ox.parse(path=str(FIXTURES / "classes.ttl"),
                                          format=ox.RdfFormat.TURTLE)]
    assert reason(triples).inconsistencies == []
