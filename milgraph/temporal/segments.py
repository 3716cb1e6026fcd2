"""Time-dependent triples laid out as a segment tree over epochs, one named graph per node.

The sorted distinct bounds ``b1 < … < bm`` of all day sets cut time into ``m + 1`` epochs
(leaves): ``(-∞, b1), [b1, b2), …, [bm, ∞)``; nothing changes inside an epoch. A triple that
holds on a run of epochs ``[a, b)`` is written into the graphs of the O(log m) canonical nodes
covering that run. The view as of day D is the static graph plus the graphs of the nodes on the
root-to-leaf path of D's epoch (about log2(m) + 1 graphs). A triple's day set is disjoint, so
no two of its nodes lie on one path: the union has no duplicates.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from milgraph.namespaces import ASOF_GRAPH_PREFIX, STATIC_GRAPH
from milgraph.temporal.dates import NEG_INF, POS_INF, IntervalSet, iso

__all__ = ["ASOF_GRAPH_PREFIX", "STATIC_GRAPH", "canonical", "graph_iri", "graphs_for_day",
           "leaf_of", "leaf_ranges", "path"]


def leaf_ranges(days: IntervalSet, boundaries: Sequence[int]) -> list[tuple[int, int]]:
    """Epoch index ranges ``[a, b)`` covered by a day set whose ends are all boundaries."""
    n = len(boundaries) + 1
    out = []
    for lo, hi in days:
        a = 0 if lo <= NEG_INF else bisect_right(boundaries, lo)
        b = n if hi >= POS_INF else bisect_right(boundaries, hi)
        if a < b:
            out.append((a, b))
    return out


def canonical(a: int, b: int, n: int) -> list[tuple[int, int]]:
    """The canonical segment-tree nodes ``[lo, hi)`` whose disjoint union is ``[a, b)``."""
    out: list[tuple[int, int]] = []
    stack = [(0, n)]
    while stack:
        lo, hi = stack.pop()
        if b <= lo or hi <= a:
            continue
        if a <= lo and hi <= b:
            out.append((lo, hi))
            continue
        mid = (lo + hi) // 2
        stack.append((mid, hi))
        stack.append((lo, mid))
    return out


def path(leaf: int, n: int) -> list[tuple[int, int]]:
    """Nodes from the root ``[0, n)`` down to the leaf ``[leaf, leaf + 1)``."""
    lo, hi = 0, n
    out = [(lo, hi)]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if leaf < mid else (mid, hi)
        out.append((lo, hi))
    return out


def leaf_of(boundaries: Sequence[int], day: int) -> int:
    return bisect_right(boundaries, day)


def graph_iri(node: tuple[int, int], boundaries: Sequence[int]) -> str:
    """``graph/asof/{first day}/{day after}`` of a node, ``min``/``max`` for unbounded ends."""
    lo, hi = node
    n = len(boundaries) + 1
    first = iso(boundaries[lo - 1]) if lo > 0 else "min"
    until = iso(boundaries[hi - 1]) if hi < n else "max"
    return f"{ASOF_GRAPH_PREFIX}{first}/{until}"


def graphs_for_day(boundaries: Sequence[int], day: int) -> list[str]:
    """The default graph of the view as of ``day``: static graph + path graphs."""
    n = len(boundaries) + 1
    return [STATIC_GRAPH] + [
        graph_iri(node, boundaries) for node in path(leaf_of(boundaries, day), n)
    ]
