"""Point-in-time views: the graph as it stood on a given day.

Python API::

    from milgraph import temporal
    snapshot.query(sparql, default_graph=temporal.graphs_as_of(snapshot, "1990-06-01"))
    temporal.query(snapshot, sparql, as_of="1990-06-01")      # the same
    temporal.days(snapshot, triple)        # IntervalSet of days a triple holds (None: always)

The views are precomputed at build time (``prepare``, called by the snapshot writer) so a
query as of a date costs no reasoning: its default graph is the static graph plus about
log2(epochs) segment graphs. See docs/analysts.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyoxigraph as ox

from milgraph.errors import QueryError, SnapshotError
from milgraph.temporal.build import VERSION, TemporalBuild, prepare
from milgraph.temporal.dates import IntervalSet, day, parse_day
from milgraph.temporal.segments import STATIC_GRAPH, graphs_for_day
from milgraph.temporal.store import FILENAME, TemporalStore

__all__ = [
    "STATIC_GRAPH",
    "VERSION",
    "IntervalSet",
    "TemporalBuild",
    "boundaries",
    "days",
    "graphs_as_of",
    "parse_as_of",
    "prepare",
    "query",
    "store_of",
]

_BOUNDARIES: dict[str, list[int]] = {}
_STORES: dict[str, TemporalStore] = {}


def parse_as_of(value: str | date) -> date:
    """An ``asOf`` value as a date; ``QueryError`` saying the expected form otherwise."""
    if isinstance(value, date):
        return value
    try:
        return parse_day(value)
    except ValueError as exc:
        raise QueryError(f"asOf: {exc} (for example asOf=1999-03-12)") from None


def _temporal_manifest(snapshot: Any) -> dict[str, Any]:
    entry = snapshot.manifest.get("temporal")
    if not entry or entry.get("version") != VERSION:
        raise SnapshotError(
            f"{snapshot.path}: this snapshot has no point-in-time views of version {VERSION}; "
            "rebuild it with 'milgraph build --force'"
        )
    return entry


def boundaries(snapshot: Any) -> list[int]:
    """Sorted days on which some time-dependent triple starts or stops holding."""
    key = str(snapshot.path)
    cached = _BOUNDARIES.get(key)
    if cached is None:
        entry = _temporal_manifest(snapshot)
        cached = _BOUNDARIES[key] = [day(date.fromisoformat(b)) for b in entry["boundaries"]]
    return cached


def graphs_as_of(snapshot: Any, when: str | date) -> list[str]:
    """IRIs of the graphs whose union is the view as of ``when`` (pass as ``default_graph``)."""
    return graphs_for_day(boundaries(snapshot), day(parse_as_of(when)))


def query(snapshot: Any, sparql: str, *, as_of: str | date | None, **kwargs: Any) -> Any:
    """``snapshot.query`` on the view as of a day (``as_of=None``: the ordinary view)."""
    if as_of is None:
        return snapshot.query(sparql, **kwargs)
    if kwargs.get("default_graph") or kwargs.get("asserted_only"):
        raise QueryError("asOf cannot be combined with default-graph-uri or asserted-only")
    return snapshot.query(sparql, default_graph=graphs_as_of(snapshot, as_of), **kwargs)


def store_of(snapshot: Any) -> TemporalStore:
    """The snapshot's day sets and derivations (opened once per process)."""
    key = str(snapshot.path)
    opened = _STORES.get(key)
    if opened is None:
        _temporal_manifest(snapshot)
        path = snapshot.path / FILENAME
        if not path.is_file():
            raise SnapshotError(
                f"{path}: missing; rebuild the snapshot with 'milgraph build --force'"
            )
        opened = _STORES[key] = TemporalStore(path)
    return opened


def days(snapshot: Any, triple: ox.Triple) -> IntervalSet | None:
    """Days on which ``triple`` holds in point-in-time views: None if it is time-independent
    (it then holds every day if it is in the graph at all)."""
    return store_of(snapshot).days(triple)
