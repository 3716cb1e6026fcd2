"""The day-set engine beyond what the bundled ontology uses today: transitive and equivalent
properties, equivalent classes, a three-link property chain, and a SPARQL rule it has no
interval algebra for (evaluated per epoch). Each epoch's view must equal the reasoner's
answer for that day. Plus the building blocks: day sets, partial dates, the segment tree."""

from __future__ import annotations

import itertools
import shutil
from datetime import date

import pyoxigraph as ox
import pytest

from milgraph import paths, reasoning, temporal
from milgraph.build import build_snapshot
from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from milgraph.rules import load_rules
from milgraph.store import open_snapshot
from milgraph.temporal.build import split
from milgraph.temporal.dates import (
    NEG_INF,
    POS_INF,
    DateValueError,
    IntervalSet,
    day,
    end_of,
    start_of,
)
from milgraph.temporal.segments import canonical, leaf_ranges, path

EX = "http://example.org/engine#"
AXIOMS = f"""
@prefix ex: <{EX}> .
@prefix mil: <https://w3id.org/milgraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Record rdfs:subClassOf mil:TimeBoundRelation .
ex:partOf a owl:ObjectProperty , owl:TransitiveProperty .
ex:within a owl:ObjectProperty ; owl:equivalentProperty ex:partOf .
ex:C owl:equivalentClass ex:D .
ex:q owl:propertyChainAxiom ( ex:a ex:b ex:c ) .
"""
DATA = f"""
@prefix ex: <{EX}> .
@prefix mil: <https://w3id.org/milgraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:r1 a ex:Record , ex:C ; mil:startDate "2000-01-01"^^xsd:date ; mil:endDate "2010-01-01"^^xsd:date .
ex:r2 a ex:Record ; mil:startDate "2005-06-01"^^xsd:date .
ex:r3 a ex:Record ; mil:startDate "1990-01-01"^^xsd:date ; mil:endDate "2008-01-01"^^xsd:date .
ex:r1 ex:partOf ex:r2 .
ex:r2 ex:within ex:r3 .
ex:x ex:a ex:r1 . ex:r1 ex:b ex:r2 . ex:r2 ex:c ex:y .
ex:org a mil:Alliance .
ex:A a mil:Nation . ex:B a mil:Nation . ex:C2 a mil:Nation .
ex:m1 a mil:Membership ; mil:member ex:A ; mil:organization ex:org ;
      mil:startDate "2001-01-01"^^xsd:date ; mil:endDate "2007-01-01"^^xsd:date .
ex:m2 a mil:Membership ; mil:member ex:B ; mil:organization ex:org ;
      mil:startDate "2003-03-03"^^xsd:date .
ex:m3 a mil:Membership ; mil:member ex:C2 ; mil:organization ex:org ;
      mil:startDate "2006-01-01"^^xsd:date ; mil:endDate "2006-07-01"^^xsd:date .
"""
# A rule the engine has no algebra for: it is evaluated by its SPARQL, once per epoch.
CUSTOM_RULE = f"""# rule: sharedOrganization
# summary: Two actors are members of one organisation on the same day (test rule).
PREFIX mil: <https://w3id.org/milgraph/ontology#>
CONSTRUCT {{ ?a <{EX}sharesWith> ?b }}
WHERE {{
  ?a mil:memberOf ?o . ?b mil:memberOf ?o .
  FILTER(?a != ?b)
}}
"""
# ... and one that compares ?asOf itself.
ASOF_RULE = f"""# rule: recentMember
# summary: A membership that started less than two years before asOf (test rule).
PREFIX mil: <https://w3id.org/milgraph/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
CONSTRUCT {{ ?actor <{EX}recentlyJoined> ?org }}
WHERE {{
  ?m mil:member ?actor ; mil:organization ?org ; mil:startDate ?start .
  FILTER(BOUND(?asOf) && ?start <= ?asOf && ?start >= "2005-01-01"^^xsd:date)
}}
"""


@pytest.fixture(scope="module")
def engine_world(tmp_path_factory) -> tuple:
    root = tmp_path_factory.mktemp("engine")
    ontology = root / "ontology"
    (ontology / "rules").mkdir(parents=True)
    shutil.copy(paths.ONTOLOGY_DIR / "milgraph.ttl", ontology / "milgraph.ttl")
    (ontology / "engine-axioms.ttl").write_text(AXIOMS)
    for rule in paths.RULES_DIR.glob("*.rq"):
        shutil.copy(rule, ontology / "rules" / rule.name)
    (ontology / "rules" / "shared-organization.rq").write_text(CUSTOM_RULE)
    (ontology / "rules" / "recent-member.rq").write_text(ASOF_RULE)
    data = root / "data"
    data.mkdir()
    (data / "engine.ttl").write_text(DATA)
    report = build_snapshot(ontology, [data], root / "snapshots", validate=False)
    return open_snapshot(root / "snapshots", report.key), ontology / "rules"


def _graph(snapshot, iri: str) -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in snapshot.quads(None, None, None, ox.NamedNode(iri))
    ]


def test_rules_without_algebra_are_evaluated_per_epoch(engine_world) -> None:
    snapshot, _ = engine_world
    rules = snapshot.manifest["temporal"]["rules"]
    assert rules["interval_algebra"] == [
        "alliedWith", "consultationPartnerOf", "memberOf", "neutralityPartnerOf",
        "nonAggressionPartnerOf", "partyTo"]
    assert sorted(rules["evaluated_per_epoch"]) == ["recentMember", "sharedOrganization"]
    problems = snapshot.manifest["temporal"]["problems"]
    assert any(p.startswith("rule sharedOrganization has no interval algebra") for p in problems)


def test_every_epoch_equals_the_reasoner(engine_world) -> None:
    snapshot, rules_dir = engine_world
    static_asserted, seeds, _ = split(
        _graph(snapshot, ASSERTED_GRAPH), _graph(snapshot, INFERRED_GRAPH)
    )
    rules = load_rules(rules_dir)
    bounds = temporal.boundaries(snapshot)
    days = [bounds[0] - 1, *bounds] + [(a + b) // 2 for a, b in itertools.pairwise(bounds)]
    checked = set()
    for d in days:
        when = date.fromordinal(d)
        valid = static_asserted + [t for t, s in seeds.items() if d in s]
        expected = set(valid) | set(reasoning.reason(valid, rules=rules, as_of=when).inferred)
        got = set()
        for g in temporal.graphs_as_of(snapshot, when):
            got.update(_graph(snapshot, g))
        assert got == expected, (when, sorted(map(str, got ^ expected))[:8])
        checked.update(t.predicate.value for t in got if t.predicate.value.startswith(EX))
    assert {EX + "partOf", EX + "within", EX + "q", EX + "sharesWith", EX + "recentlyJoined"} <= (
        checked
    )


def test_derived_day_sets(engine_world) -> None:
    snapshot, _ = engine_world
    ex = lambda n: ox.NamedNode(EX + n)  # noqa: E731

    def spans(s, p, o) -> list[dict]:
        return temporal.days(snapshot, ox.Triple(ex(s), ex(p), ex(o))).describe()

    # transitive through an equivalent property: all three records at once
    assert spans("r1", "partOf", "r3") == [{"from": "2005-06-01", "until": "2008-01-01"}]
    # three-link chain through r1 and r2
    assert spans("x", "q", "y") == [{"from": "2005-06-01", "until": "2010-01-01"}]
    # equivalent class follows its record
    typed = ox.Triple(ex("r1"), ox.NamedNode(temporal_type()), ex("D"))
    assert temporal.days(snapshot, typed).describe() == [
        {"from": "2000-01-01", "until": "2010-01-01"}
    ]
    # the swept rule: B shares with A in 2003-03-03..2007-01-01 and with C2 in the first half of 2006
    assert spans("B", "sharesWith", "A") == [{"from": "2003-03-03", "until": "2007-01-01"}]
    assert spans("B", "sharesWith", "C2") == [{"from": "2006-01-01", "until": "2006-07-01"}]


def temporal_type() -> str:
    return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


# --------------------------------------------------------------------------- building blocks


def test_day_sets() -> None:
    a = IntervalSet([(1, 5), (5, 8), (10, 12)])
    assert a.spans == ((1, 8), (10, 12))  # touching spans merge
    b = IntervalSet.of(4, 11)
    assert (a & b).spans == ((4, 8), (10, 11))
    assert (a | b).spans == ((1, 12),)
    assert (a - b).spans == ((1, 4), (11, 12))
    assert a.complement().spans == ((NEG_INF, 1), (8, 10), (12, POS_INF))
    assert 7 in a and 8 not in a
    assert IntervalSet.of().is_always and not IntervalSet()


def lit(value: str, kind: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + kind))


def test_partial_date_rule() -> None:
    assert start_of(lit("1960", "gYear")) == day(date(1960, 1, 1))
    assert end_of(lit("1960", "gYear")) == day(date(1961, 1, 1))
    assert start_of(lit("1965-03", "gYearMonth")) == day(date(1965, 3, 1))
    assert end_of(lit("1965-12", "gYearMonth")) == day(date(1966, 1, 1))
    assert end_of(lit("1990-10-03", "date")) == day(date(1990, 10, 3))  # exclusive as given
    assert start_of(lit("2001-02-03T10:00:00Z", "dateTime")) == day(date(2001, 2, 3))
    with pytest.raises(DateValueError):
        start_of(lit("1990-01-01", "string"))
    with pytest.raises(DateValueError):
        start_of(lit("1990-13", "gYearMonth"))
    assert IntervalSet.of(
        start_of(lit("1990", "gYear")), end_of(lit("1990", "gYear"))
    ).overlaps_year(1990)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16, 33])
def test_segment_tree_decomposition_and_paths(n: int) -> None:
    for a in range(n):
        for b in range(a + 1, n + 1):
            nodes = canonical(a, b, n)
            covered = sorted(i for lo, hi in nodes for i in range(lo, hi))
            assert covered == list(range(a, b))  # disjoint and exact
            for leaf in range(n):
                on_path = [node for node in nodes if node in path(leaf, n)]
                assert len(on_path) == (1 if a <= leaf < b else 0)
    assert len(path(0, n)) <= n.bit_length() + 1


def test_leaf_ranges_follow_bounds() -> None:
    bounds = [10, 20, 30]
    assert leaf_ranges(IntervalSet.of(20, 30), bounds) == [(2, 3)]
    assert leaf_ranges(IntervalSet.of(NEG_INF, 10), bounds) == [(0, 1)]
    assert leaf_ranges(IntervalSet.of(30), bounds) == [(3, 4)]


def test_explanations_of_every_rule_kind_here_are_correct(engine_world) -> None:
    """prp-trp, prp-eqp, cax-eqc, a 3-link prp-spo2 and rules evaluated per epoch, explained
    in the current view and as of a day, each step checked against its rule."""
    from milgraph.analysis import explain
    from tests.analysis.test_explain import Checker

    snapshot, _ = engine_world
    seen: set[str] = set()
    for when in (None, "2006-03-01"):
        checker = Checker(snapshot, when)
        if when is None:
            triples = _graph(snapshot, INFERRED_GRAPH)
        else:
            d = day(date.fromisoformat(when))
            triples = [t for t, s in temporal.store_of(snapshot).match() if d in s]
        for t in triples:
            result = explain(snapshot, t.subject, t.predicate, t.object, as_of=when)
            assert result is not None, t
            checker.check(result.root)
        seen |= checker.rules_seen
    assert {"prp-trp", "prp-spo2", "sharedOrganization", "recentMember"} <= seen
    assert seen & {"prp-eqp1", "prp-eqp2"} and seen & {"cax-eqc1", "cax-eqc2"}


def test_every_bundled_temporal_rule_has_its_interval_algebra() -> None:
    """Editing a rule of ontology/rules/ that the views depend on needs its algebra updated
    in milgraph/temporal/closure.py (ALGEBRAS: the function and the rule's fingerprint);
    otherwise the build falls back to evaluating the rule once per epoch (minutes)."""
    from milgraph.rules import load_rules
    from milgraph.temporal.closure import ALGEBRAS, rule_fingerprint

    for shape in load_rules(paths.RULES_DIR):
        if shape.name == "exercisedWith":
            continue  # reads mil:participant only: never time-dependent
        assert shape.name in ALGEBRAS, f"rule {shape.name}: no interval algebra"
        fingerprint = rule_fingerprint(shape.text)
        assert ALGEBRAS[shape.name][0] == fingerprint, (
            f"rule {shape.name} changed (fingerprint {fingerprint}): check that its algebra in "
            "milgraph/temporal/closure.py still mirrors it, then update the fingerprint"
        )
