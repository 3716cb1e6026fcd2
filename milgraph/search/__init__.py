"""Find things by name: a full-text index of a snapshot's labels, alt labels, acronyms and
identifiers (SQLite FTS5, a side file of the snapshot), and the one name resolver every
command and endpoint uses (``org=nato``, ``nation=Finland``, ``series=malabar``).

``write_index(snapshot_dir)`` is the build's hook; ``index_of(snapshot)`` opens a snapshot's
index once (or, for a snapshot built before the index existed, builds one in memory);
``find`` ranks; ``resolve`` maps a name to the IRIs it names exactly.
"""

from milgraph.search.index import (
    KINDS,
    Hit,
    SearchIndex,
    index_of,
    normalize,
    write_index,
)
from milgraph.search.names import resolve, resolve_one

__all__ = [
    "KINDS",
    "Hit",
    "SearchIndex",
    "index_of",
    "normalize",
    "resolve",
    "resolve_one",
    "write_index",
]
