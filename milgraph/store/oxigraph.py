"""The embedded store: Oxigraph (pyoxigraph), the only module that uses pyoxigraph's ``Store``.

Four uses, one class each or a function: a snapshot's store opened read-only
(:meth:`OxigraphStore.open`), an in-memory scratch store the reasoner's rules and the
per-epoch sweep of the point-in-time views evaluate on (:meth:`OxigraphStore.memory`), the
bulk load that writes a snapshot's store (:func:`write_store`), and the one writable store of
``serve --writable-store`` (:class:`WritableStore`, used by its update worker only).

Queries are passed to Oxigraph as strings (never a parsed rdflib query: that is slow), and
its answers are returned as they are: the server serialises them natively, without a Python
object per solution.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph.store.base import Capabilities, GraphName, Object, QueryResult, Subject, Term

#: How long to wait for a killed writer's lock on a writable store to go away.
LOCK_WAIT_S = 10.0


class OxigraphStore:
    """A pyoxigraph ``Store`` behind the :class:`~milgraph.store.base.GraphStore` protocol."""

    capabilities = Capabilities(quad_patterns=True, substitutions=True, prefixes=True,
                                in_process=True)  # fmt: skip

    def __init__(self, store: ox.Store, path: Path | None = None) -> None:
        self._store = store
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> OxigraphStore:
        """A store on disk, read-only (many processes may read one store)."""
        return cls(ox.Store.read_only(str(path)), Path(path))

    @classmethod
    def memory(cls, quads: Iterable[ox.Quad] = ()) -> OxigraphStore:
        """An in-memory store holding ``quads`` (the scratch store of rules and sweeps)."""
        store = cls(ox.Store())
        store.bulk_extend(quads)
        return store

    # -- GraphStore

    def query(
        self,
        text: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        kwargs: dict[str, Any] = {}
        if default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        result: QueryResult = self._store.query(text, **kwargs)
        return result

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        object: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(subject, predicate, object, graph))

    def contains(
        self,
        subject: Subject,
        predicate: ox.NamedNode,
        object: Object,
        graph: GraphName | None = None,
    ) -> bool:
        for _ in self._store.quads_for_pattern(subject, predicate, object, graph):
            return True
        return False

    def close(self) -> None:
        """Let go of the store (RocksDB closes it when the last reference goes)."""
        del self._store

    # -- scratch writes (in-memory stores)

    def add(self, quad: ox.Quad) -> None:
        self._store.add(quad)

    def remove(self, quad: ox.Quad) -> None:
        self._store.remove(quad)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        self._store.extend(quads)

    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads fast (no transaction: for a store nobody reads yet)."""
        self._store.bulk_extend(quads)

    def update(self, text: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update (the scratch copy a curated edit is tried on, before any
        file is written: ``server.editor``). ``SyntaxError`` for a malformed text."""
        self._store.update(text, base_iri=base_iri)


def check_query(text: str, substitutions: Mapping[str, Term] | None = None) -> None:
    """Parse a query (and bind ``substitutions``) on an empty store: ``SyntaxError`` for a
    malformed text, ``RuntimeError`` for a substitution of a variable it does not project."""
    OxigraphStore(ox.Store()).query(text, substitutions=substitutions)


def write_store(path: Path, quads: Iterable[ox.Quad]) -> None:
    """Write a new store at ``path`` holding ``quads`` (a snapshot's store), compacted and
    flushed, and let go of it so that readers may open it."""
    store = ox.Store(str(path))
    store.bulk_extend(quads)
    store.optimize()
    store.flush()
    del store
    gc.collect()


class WritableStore:
    """The store of ``serve --writable-store``, opened for writing by its one update worker.

    RocksDB lets one process open a store for writing; readers open the checkpoints
    (``backup``) this one writes, never the store itself."""

    def __init__(self, path: Path) -> None:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:  # a killed predecessor may still hold the lock for a moment
            try:
                self._store = ox.Store(str(path))
                return
            except OSError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def update(self, text: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update in one transaction (SyntaxError, OSError, or others)."""
        self._store.update(text, base_iri=base_iri)

    def backup(self, path: Path) -> None:
        """A checkpoint of the store as it is now, at ``path`` (hard links: cheap)."""
        self._store.backup(str(path))
