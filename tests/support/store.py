"""A graph store that answers only in SPARQL: the embedded store behind the protocol's
fallbacks, as a remote SPARQL 1.1 store would be used.

Not a stand-in: every answer comes from the real Oxigraph store, but only through
``query`` with plain SPARQL text (no substitutions, no predeclared prefixes) and quad
patterns asked as SELECT/ASK (``milgraph.store.base``'s fallbacks). The same analyses on it
and on the embedded store must answer alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from milgraph.store import layout
from milgraph.store.base import (
    Capabilities,
    GraphName,
    Object,
    QueryResult,
    Subject,
    Term,
    contains_in_sparql,
    quads_in_sparql,
    query_text,
)
from milgraph.store.oxigraph import OxigraphStore


class SparqlOnly:
    capabilities = Capabilities()

    def __init__(self, inner: OxigraphStore) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @classmethod
    def of_snapshot(cls, path: Path) -> SparqlOnly:
        return cls(OxigraphStore.open(path / layout.STORE))

    def query(
        self,
        text: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        text = query_text(text, substitutions, prefixes)
        self.texts.append(text)
        return self.inner.query(text, default_graph=default_graph, named_graphs=named_graphs)

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        object: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        return quads_in_sparql(self, subject, predicate, object, graph)

    def contains(
        self,
        subject: Subject,
        predicate: ox.NamedNode,
        object: Object,
        graph: GraphName | None = None,
    ) -> bool:
        return contains_in_sparql(self, subject, predicate, object, graph)

    def close(self) -> None:
        self.inner.close()
