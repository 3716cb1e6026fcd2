"""Where the bundled ontology, data, queries and snapshots live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
RULES_DIR = ONTOLOGY_DIR / "rules"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


def snapshot_root() -> Path:
    """Default directory holding snapshots; ``MILGRAPH_HOME`` moves it (e.g. for tests)."""
    home = os.environ.get("MILGRAPH_HOME")
    if home:
        return Path(home) / "snapshots"
    return PROJECT_ROOT / ".milgraph" / "snapshots"
