"""An opened snapshot: a graph store and the parts that lie beside it.

A :class:`Snapshot` is a :class:`~milgraph.store.base.GraphStore` (its quads, through the store
it was opened with) that also owns what its readers derive from it: the side files
(provenance, day sets) each opened once, and values computed once (the epochs of the
point-in-time views). They live and die with the snapshot object, never in module globals,
so two snapshots (an old one still answering, a new one loading) never share or leak them.

``key`` is the snapshot's version (ETags and caches); ``path`` its directory, whose layout
``milgraph.store.layout`` describes. The default store is the embedded Oxigraph store in
``path/store``; ``open_snapshot(..., store=...)`` puts any other GraphStore in its place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import pyoxigraph as ox

from milgraph.errors import SnapshotError
from milgraph.namespaces import ASSERTED_GRAPH
from milgraph.store import layout
from milgraph.store.base import (
    Capabilities,
    GraphName,
    GraphStore,
    Object,
    QueryResult,
    Subject,
    Term,
)
from milgraph.store.oxigraph import OxigraphStore

T = TypeVar("T")

StoreOpener = Callable[[Path], GraphStore]
"""Opens the store of the snapshot in a directory (its ``store/`` for the embedded one)."""


class Snapshot:
    """An opened, read-only snapshot. ``key`` is its version (used for ETags and caches)."""

    def __init__(
        self, path: Path, key: str, manifest: dict[str, Any], store: GraphStore
    ) -> None:
        self.path = path
        self.key = key
        self.manifest = manifest
        self.store = store
        self._parts: dict[str, object] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Snapshot(path={self.path!r}, key={self.key!r})"

    @property
    def provenance_path(self) -> Path:
        return self.path / layout.PROVENANCE

    # -- GraphStore, through the store

    @property
    def capabilities(self) -> Capabilities:
        return self.store.capabilities

    def query(
        self,
        text: str,
        *,
        asserted_only: bool = False,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """A SPARQL query on the snapshot's dataset.

        The default graph holds asserted and inferred triples; ``asserted_only`` swaps in the
        union of asserted files. Explicit ``default_graph``/``named_graphs`` IRIs follow the
        SPARQL protocol's ``default-graph-uri``/``named-graph-uri``. ``prefixes`` are
        predeclared for hand-typed queries (the CLI); the protocol endpoint passes none.
        """
        if asserted_only and not default_graph:
            default_graph = (ASSERTED_GRAPH,)
        return self.store.query(
            text, default_graph=default_graph, named_graphs=named_graphs,
            substitutions=substitutions, prefixes=prefixes,
        )  # fmt: skip

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        object: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        return self.store.quads(subject, predicate, object, graph)

    def contains(
        self,
        subject: Subject,
        predicate: ox.NamedNode,
        object: Object,
        graph: GraphName | None = None,
    ) -> bool:
        return self.store.contains(subject, predicate, object, graph)

    # -- parts

    def part(self, name: str, opener: Callable[[Path], T]) -> T:
        """The side file ``name`` of this snapshot, opened with ``opener`` once (then shared;
        ``opener`` must give an object safe to use from several threads)."""
        return self.cached(f"file:{name}", lambda: opener(self.path / name))

    def cached(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, computed once for this snapshot under ``name``."""
        with self._lock:
            if name not in self._parts:
                self._parts[name] = make()
            return cast(T, self._parts[name])

    def close(self) -> None:
        """Close the parts that were opened and the store."""
        with self._lock:
            parts, self._parts = list(self._parts.values()), {}
        for part in parts:
            close = getattr(part, "close", None)
            if callable(close):
                close()
        self.store.close()


def open_snapshot(
    root: Path | str | None = None, key: str | None = None, *, store: StoreOpener | None = None
) -> Snapshot:
    """Open a snapshot read-only: the one ``CURRENT`` names, or ``key``; its quads from the
    embedded store in its directory, or from ``store(path)``."""
    base = layout.root_of(root)
    key = key or layout.current_key(base)
    path = layout.check_complete(base, key)
    assert key is not None  # check_complete refused None
    manifest = layout.read_manifest(path)
    opener = store or _embedded
    return Snapshot(path=path, key=key, manifest=manifest, store=opener(path))


def _embedded(path: Path) -> GraphStore:
    try:
        return OxigraphStore.open(path / layout.STORE)
    except OSError as exc:
        raise SnapshotError(f"{path / layout.STORE}: cannot open the store: {exc}") from None
