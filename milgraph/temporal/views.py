"""The point-in-time views of an opened snapshot: the graph as it stood on a given day.

The views are precomputed at build time (``temporal.build.prepare``) so a query as of a date
costs no reasoning: its default graph is the static graph plus about log2(epochs) segment
graphs, named from the epochs in the manifest. The epochs and the day sets
(``temporal.sqlite``) are parts of the snapshot, read once per snapshot (``Snapshot.part``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyoxigraph as ox

from milgraph.errors import QueryError, SnapshotError
from milgraph.store import layout
from milgraph.store.base import QueryResult
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.build import VERSION
from milgraph.temporal.dates import IntervalSet, day, parse_day
from milgraph.temporal.segments import graphs_for_day
from milgraph.temporal.store import TemporalStore


def parse_as_of(value: str | date) -> date:
    """An ``asOf`` value as a date; ``QueryError`` saying the expected form otherwise."""
    if isinstance(value, date):
        return value
    try:
        return parse_day(value)
    except ValueError as exc:
        raise QueryError(f"asOf: {exc} (for example asOf=1999-03-12)") from None


def _temporal_manifest(snapshot: Snapshot) -> dict[str, Any]:
    entry: dict[str, Any] | None = snapshot.manifest.get("temporal")
    if not entry or entry.get("version") != VERSION:
        raise SnapshotError(
            f"{snapshot.path}: this snapshot has no point-in-time views of version {VERSION}; "
            "rebuild it with 'milgraph build --force'"
        )
    return entry


def boundaries(snapshot: Snapshot) -> list[int]:
    """Sorted days on which some time-dependent triple starts or stops holding."""

    def read() -> list[int]:
        entry = _temporal_manifest(snapshot)
        return [day(date.fromisoformat(b)) for b in entry["boundaries"]]

    return snapshot.cached("temporal.boundaries", read)


def graphs_as_of(snapshot: Snapshot, when: str | date) -> list[str]:
    """IRIs of the graphs whose union is the view as of ``when`` (pass as ``default_graph``)."""
    return graphs_for_day(boundaries(snapshot), day(parse_as_of(when)))


def query(
    snapshot: Snapshot, sparql: str, *, as_of: str | date | None, **kwargs: Any
) -> QueryResult:
    """``snapshot.query`` on the view as of a day (``as_of=None``: the ordinary view)."""
    if as_of is None:
        return snapshot.query(sparql, **kwargs)
    if kwargs.get("default_graph") or kwargs.get("asserted_only"):
        raise QueryError("asOf cannot be combined with default-graph-uri or asserted-only")
    return snapshot.query(sparql, default_graph=graphs_as_of(snapshot, as_of), **kwargs)


def store_of(snapshot: Snapshot) -> TemporalStore:
    """The snapshot's day sets and derivations (opened once per snapshot)."""

    def open_store() -> TemporalStore:
        _temporal_manifest(snapshot)
        path = snapshot.path / layout.TEMPORAL
        if not path.is_file():
            raise SnapshotError(
                f"{path}: missing; rebuild the snapshot with 'milgraph build --force'"
            )
        return TemporalStore(path)

    return snapshot.cached("temporal.store", open_store)


def days(snapshot: Snapshot, triple: ox.Triple) -> IntervalSet | None:
    """Days on which ``triple`` holds in point-in-time views: None if it is time-independent
    (it then holds every day if it is in the graph at all)."""
    return store_of(snapshot).days(triple)


YES, NO, UNKNOWN = "yes", "no", "unknown"


def answer(snapshot: Snapshot, triple: ox.Triple, when: str | date) -> str:
    """Does ``triple`` hold as of ``when``: ``yes``, ``no``, or ``unknown`` when it is in the
    view only because a partial date (year or month) of a record behind it is read as "in
    effect on any day of its period" and the day lies inside such a period."""
    d = day(parse_as_of(when))
    graphs = graphs_as_of(snapshot, when)
    s, p, o = triple.subject, triple.predicate, triple.object
    if not any(snapshot.contains(s, p, o, ox.NamedNode(g)) for g in graphs):
        return NO
    return UNKNOWN if d in store_of(snapshot).unknown(triple) else YES
