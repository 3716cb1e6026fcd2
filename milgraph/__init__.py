"""milgraph: a reasoned knowledge graph of military-diplomacy relationships.

The Python face of the package: what the command line and the server do is a call to one of
these (``__all__``, pinned by a test). Build a snapshot of the curated data, open it, ask::

    import milgraph
    snapshot = milgraph.ensure_snapshot()            # the bundled graph, built on first use
    milgraph.query(snapshot, "SELECT …", as_of="1990-06-01")
    milgraph.explain(snapshot, "id:nation/FIN", "mil:memberOf", "id:org/NATO")
    milgraph.profile(snapshot, "USA", "JPN", "2000", "2010").to_text()

Names are loaded when first used, so that a process importing one module of the package
(a query worker) does not load all of it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_FACE = {
    # building and validating snapshots
    "build_snapshot": "milgraph.build",
    "ensure_snapshot": "milgraph.build",
    "validate_inputs": "milgraph.build",
    "BuildReport": "milgraph.build",
    "Problem": "milgraph.build",
    # reading them
    "open_snapshot": "milgraph.store",
    "current_key": "milgraph.store",
    "Snapshot": "milgraph.store",
    "GraphStore": "milgraph.store",
    "Capabilities": "milgraph.store",
    # the point-in-time views
    "query": "milgraph.temporal",
    "graphs_as_of": "milgraph.temporal",
    # the analyses
    "explain": "milgraph.analysis",
    "profile": "milgraph.analysis",
    "timeline": "milgraph.analysis",
    "nation_indicators": "milgraph.analysis",
    "resolve_nation": "milgraph.analysis",
    # reasoning on triples of one's own
    "reason": "milgraph.reasoning",
    "load_rules": "milgraph.rules",
    # errors
    "MilgraphError": "milgraph.errors",
    "InputError": "milgraph.errors",
    "ValidationFailed": "milgraph.errors",
    "SnapshotError": "milgraph.errors",
    "QueryError": "milgraph.errors",
}

__all__ = ["__version__", *_FACE]


def __getattr__(name: str) -> Any:
    module = _FACE.get(name)
    if module is None:
        raise AttributeError(f"module 'milgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
