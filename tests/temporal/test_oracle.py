"""The precomputed point-in-time views equal the reasoner run on that day's graph.

For every epoch of the fixture (and some days inside epochs), the view as of day D must be
exactly ``closure(asserted triples valid on D)`` computed by the reasoner with ``as_of=D`` (its
SPARQL rules bound to ``?asOf = D``). This checks the interval propagation of every OWL 2 RL rule kind and
every SPARQL rule the bundled ontology uses, against the reasoner itself.
"""

from __future__ import annotations

import functools
import itertools
from datetime import date, timedelta

import pyoxigraph as ox
import pytest

from milgraph import paths, reasoning, temporal
from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from milgraph.rules import load_rules
from milgraph.temporal.build import split
from milgraph.temporal.closure import Closure
from milgraph.temporal.dates import day, iso
from tests.support.analysis import world_pacts


def _graph(snapshot, iri: str) -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in snapshot.quads(None, None, None, ox.NamedNode(iri))
    ]


@functools.cache
def _parts():
    snapshot = world_pacts()
    asserted = _graph(snapshot, ASSERTED_GRAPH)
    inferred = _graph(snapshot, INFERRED_GRAPH)
    return snapshot, split(asserted, inferred)


def _view(snapshot, when: date) -> set[ox.Triple]:
    out: set[ox.Triple] = set()
    for g in temporal.graphs_as_of(snapshot, when):
        out.update(_graph(snapshot, g))
    return out


def _days() -> list[date]:
    snapshot, _ = _parts()
    bounds = temporal.boundaries(snapshot)
    days = [date.fromordinal(bounds[0] - 1)] + [date.fromordinal(b) for b in bounds]
    # a few days inside epochs, to check that nothing changes between bounds
    days += [date.fromordinal((a + b) // 2) for a, b in itertools.pairwise(bounds)][::5]
    return days


@pytest.mark.parametrize("when", _days(), ids=lambda d: d.isoformat())
def test_view_equals_reasoning_on_that_day(when: date) -> None:
    snapshot, (static_asserted, seeds, _records) = _parts()
    valid = static_asserted + [t for t, d in seeds.items() if day(when) in d]
    result = reasoning.reason(valid, rules=load_rules(paths.RULES_DIR), as_of=when)
    expected = set(valid) | set(result.inferred)
    got = _view(snapshot, when)
    missing = sorted(map(str, expected - got))[:10]
    extra = sorted(map(str, got - expected))[:10]
    assert not missing and not extra, f"as of {when}: missing {missing}, extra {extra}"


def test_rule_algebra_equals_per_epoch_evaluation_of_the_rule_text() -> None:
    """The interval algebra of memberOf/partyTo/alliedWith gives the same day sets as
    evaluating each rule's own SPARQL on every epoch (the fallback for unknown rules)."""
    _snapshot, (static_asserted, seeds, _records) = _parts()
    static = set(static_asserted) | set(
        reasoning.reason(static_asserted, rules=load_rules(paths.RULES_DIR)).inferred
    )
    shapes = load_rules(paths.RULES_DIR)
    live = {t: d for t, d in seeds.items() if d}
    by_algebra = Closure(static, shapes).run(live)
    by_sweep = Closure(static, shapes, algebras={}).run(live)
    derived = ["alliedWith", "consultationPartnerOf", "memberOf", "neutralityPartnerOf",
               "nonAggressionPartnerOf", "partyTo"]
    assert by_algebra.algebra_rules == derived
    assert by_sweep.swept_rules == derived
    assert by_algebra.intervals == by_sweep.intervals
    for name in ("alliedWith", "consultationPartnerOf", "nonAggressionPartnerOf"):
        assert any(t.predicate.value.endswith("#" + name) for t in by_sweep.intervals), name


def test_epoch_days_cover_every_boundary() -> None:
    snapshot, _ = _parts()
    bounds = temporal.boundaries(snapshot)
    assert iso(bounds[0]) == "1922-12-30"
    assert date.fromordinal(bounds[0]) - timedelta(days=1) == date(1922, 12, 29)
