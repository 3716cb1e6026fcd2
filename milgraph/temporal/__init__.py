"""Point-in-time views: the graph as it stood on a given day.

Python API::

    from milgraph import temporal
    snapshot.query(sparql, default_graph=temporal.graphs_as_of(snapshot, "1990-06-01"))
    temporal.query(snapshot, sparql, as_of="1990-06-01")      # the same
    temporal.days(snapshot, triple)        # IntervalSet of days a triple holds (None: always)

The views are precomputed at build time (``prepare``, called by the build pipeline) so a
query as of a date costs no reasoning: its default graph is the static graph plus about
log2(epochs) segment graphs. See docs/analysts.md.
"""

from milgraph.namespaces import STATIC_GRAPH
from milgraph.temporal.build import VERSION, TemporalBuild, prepare
from milgraph.temporal.dates import IntervalSet
from milgraph.temporal.views import (
    NO,
    UNKNOWN,
    YES,
    answer,
    boundaries,
    days,
    graphs_as_of,
    parse_as_of,
    query,
    store_of,
)

__all__ = [
    "NO",
    "STATIC_GRAPH",
    "UNKNOWN",
    "VERSION",
    "YES",
    "IntervalSet",
    "TemporalBuild",
    "answer",
    "boundaries",
    "days",
    "graphs_as_of",
    "parse_as_of",
    "prepare",
    "query",
    "store_of",
]
