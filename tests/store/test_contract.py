"""The store seam: every analysis is SPARQL over the GraphStore protocol.

A snapshot whose store answers only plain SPARQL text (``tests.support.store.SparqlOnly``:
the real Oxigraph store behind the protocol's fallbacks, as a remote SPARQL 1.1 store is
used) gives the same answers as the embedded store: quad patterns, the point-in-time views,
explanations, relationship profiles, timelines, indicators and statistics.
"""

from __future__ import annotations

import functools

import pyoxigraph as ox
import pytest

from milgraph import analysis, temporal
from milgraph.analysis.stats import compute
from milgraph.namespaces import ASSERTED_GRAPH, ID_IRI, INFERRED_GRAPH, MIL_IRI
from milgraph.store import GraphStore, Snapshot, open_snapshot
from milgraph.store.base import solutions
from milgraph.store.oxigraph import OxigraphStore
from tests.support.analysis import world
from tests.support.store import SparqlOnly


@functools.cache
def remote() -> Snapshot:
    """The fixture world, its quads through SparqlOnly."""
    return open_snapshot(world().path.parent, world().key, store=SparqlOnly.of_snapshot)


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def test_both_stores_are_graph_stores() -> None:
    assert isinstance(world().store, OxigraphStore) and isinstance(world().store, GraphStore)
    assert isinstance(remote().store, SparqlOnly) and isinstance(remote().store, GraphStore)
    assert world().store.capabilities.quad_patterns
    assert not remote().store.capabilities.quad_patterns


PATTERNS = [
    (None, n(MIL_IRI + "memberOf"), None, None),
    (n(ID_IRI + "nation/FIN"), None, None, None),
    (None, None, n(ID_IRI + "org/NATO"), ox.DefaultGraph()),
    (None, n(MIL_IRI + "memberOf"), None, n(INFERRED_GRAPH)),
    (None, None, None, n(ASSERTED_GRAPH)),
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=range(len(PATTERNS)))
def test_quad_patterns_answer_alike(pattern) -> None:
    def key(q: ox.Quad) -> str:
        return str(q)

    native = sorted(map(key, world().quads(*pattern)))
    asked = sorted(map(key, remote().quads(*pattern)))
    assert native == asked and native


def test_contains_answers_alike() -> None:
    fin, nato, member_of = n(ID_IRI + "nation/FIN"), n(ID_IRI + "org/NATO"), n(MIL_IRI + "memberOf")
    for graph in (None, ox.DefaultGraph(), n(INFERRED_GRAPH), n(ASSERTED_GRAPH)):
        assert world().contains(fin, member_of, nato, graph) == remote().contains(
            fin, member_of, nato, graph)


def test_substitutions_and_prefixes_are_sent_as_text() -> None:
    # substituted variables are projected (Oxigraph binds only those: see server.named)
    text = "SELECT ?n ?org WHERE { ?n mil:memberOf ?org } ORDER BY ?n"
    kwargs = {"substitutions": {"org": n(ID_IRI + "org/NATO")}, "prefixes": {"mil": MIL_IRI}}
    native = [r["n"] for r in solutions(world().query(text, **kwargs))]
    asked = [r["n"] for r in solutions(remote().query(text, **kwargs))]
    assert native == asked and native
    sent = remote().store.texts[-1]
    assert "VALUES (?org)" in sent and sent.startswith("PREFIX mil:")


@pytest.mark.parametrize("day", ["1961-06-01", "1990-01-01", "2024-01-01"])
def test_point_in_time_views_answer_alike(day: str) -> None:
    text = f"SELECT ?a ?b WHERE {{ ?a <{MIL_IRI}alliedWith> ?b }} ORDER BY ?a ?b"
    native = [(r["a"], r["b"]) for r in solutions(temporal.query(world(), text, as_of=day))]
    asked = [(r["a"], r["b"]) for r in solutions(temporal.query(remote(), text, as_of=day))]
    assert native == asked


def _inferred(limit: int = 40) -> list[ox.Triple]:
    """Inferred triples about IRIs (blank nodes cannot be asked about again in SPARQL)."""
    out = sorted(
        (ox.Triple(q.subject, q.predicate, q.object)
         for q in world().quads(None, None, None, n(INFERRED_GRAPH))
         if isinstance(q.subject, ox.NamedNode) and not isinstance(q.object, ox.BlankNode)),
        key=str,
    )  # fmt: skip
    return out[:: max(1, len(out) // limit)][:limit]


def _blank(tree: object) -> bool:
    """Whether an explanation names a blank node anywhere."""
    return '"bnode"' in str(tree).replace("'", '"')


@pytest.mark.parametrize("as_of", [None, "1990-01-01", "2024-01-01"])
def test_explanations_answer_alike(as_of: str | None) -> None:
    """Blank nodes aside: SPARQL cannot ask about a blank node a store returned, so an
    explanation through them (an OWL list of a property chain) ends there on a SPARQL-only
    store; a remote store is published with them skolemised (docs/architecture.md)."""
    compared = 0
    for t in _inferred():
        native = analysis.explain(world(), t.subject, t.predicate, t.object, as_of=as_of)
        if native is not None and _blank(native.to_json()):
            continue
        asked = analysis.explain(remote(), t.subject, t.predicate, t.object, as_of=as_of)
        assert (native and native.to_json()) == (asked and asked.to_json()), t
        compared += 1
    assert compared >= 20


@pytest.mark.parametrize(("a", "b", "start", "end"), [
    ("USA", "JPN", None, None), ("DEU", "USA", "1955", "1956"), ("FIN", "SWE", "1990", None),
])  # fmt: skip
def test_profiles_answer_alike(a: str, b: str, start: str | None, end: str | None) -> None:
    native = analysis.profile(world(), a, b, start, end).to_json()
    assert native == analysis.profile(remote(), a, b, start, end).to_json()


@pytest.mark.parametrize("code", ["FIN", "DEU", "USA"])
def test_timelines_and_indicators_answer_alike(code: str) -> None:
    assert analysis.timeline(world(), code).to_json() == analysis.timeline(remote(), code).to_json()
    native = analysis.nation_indicators(world(), code, "1950", "2024")
    assert native == analysis.nation_indicators(remote(), code, "1950", "2024")


def test_statistics_answer_alike() -> None:
    assert compute(world()) == compute(remote())
