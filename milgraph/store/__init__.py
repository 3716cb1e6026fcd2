"""The store seam: every read of a graph goes through a ``GraphStore`` (``base``); the
embedded Oxigraph store (``oxigraph``) is the only module that uses pyoxigraph's ``Store``."""

from milgraph.store.base import Capabilities, GraphStore, QueryResult
from milgraph.store.layout import current_key
from milgraph.store.snapshot import Snapshot, open_snapshot

__all__ = ["Capabilities", "GraphStore", "QueryResult", "Snapshot", "current_key", "open_snapshot"]
