"""Explanations on the real bundled data: a sample of inferred triples (current view and as of
a day) verified step by step against the rules, and the sources reaching the imported and
curated files."""

from __future__ import annotations

import random
from datetime import date

import pyoxigraph as ox

from milgraph import temporal
from milgraph.analysis import explain
from milgraph.namespaces import INFERRED_GRAPH
from milgraph.temporal.dates import day
from tests.analysis.test_explain import Checker
from tests.support.analysis import bundled


def _sample(triples: list, k: int) -> list:
    return random.Random(20261122).sample(triples, min(k, len(triples)))


def test_sample_of_the_current_view() -> None:
    snapshot = bundled()
    inferred = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in snapshot.quads(None, None, None, ox.NamedNode(INFERRED_GRAPH))
    ]
    checker = Checker(snapshot, None)
    for t in _sample(inferred, 150):
        result = explain(snapshot, t.subject, t.predicate, t.object)
        assert result is not None and not result.truncated, t
        checker.check(result.root)
    assert len(checker.rules_seen) >= 5


def test_sample_as_of_1985() -> None:
    snapshot = bundled()
    when = "1985-06-01"
    valid = [t for t, d in temporal.store_of(snapshot).match() if day(date(1985, 6, 1)) in d]
    checker = Checker(snapshot, when)
    for t in _sample(valid, 150):
        result = explain(snapshot, t.subject, t.predicate, t.object, as_of=when)
        assert result is not None and not result.truncated, t
        checker.check(result.root)
    assert {"memberOf", "alliedWith"} & checker.rules_seen


def test_alliance_explained_down_to_atop() -> None:
    result = explain(bundled(), "nation:USA", "mil:alliedWith", "nation:JPN", "1985-06-01")
    assert result is not None
    root = result.root
    assert root.rule == "alliedWith"
    alliance = root.premises[0]
    assert alliance.triple.subject.value.startswith("https://w3id.org/milgraph/id/alliance/atop-")
    member = root.premises[1]
    assert member.rule == "memberOf"
    leaf = member.premises[0]
    assert [(a.file, a.sources) for a in leaf.asserted] == [
        ("data/imported/atop.ttl", ["https://w3id.org/milgraph/id/dataset/atop-5.1"])
    ]


def test_curated_membership_explained_with_its_source() -> None:
    result = explain(bundled(), "nation:SWE", "mil:memberOf", "org:NATO", "2024-03-07")
    assert result is not None
    assert result.root.dates == {"startDate": "2024-03-07", "endDate": None, "asOf": "2024-03-07"}
    files = {a.file for p in result.root.premises for a in p.asserted}
    assert files == {"data/memberships-nato.ttl"}
    assert explain(bundled(), "nation:SWE", "mil:memberOf", "org:NATO", "2024-03-06") is None
