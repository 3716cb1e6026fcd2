"""Server settings, with safe defaults: read-only, no outbound fetches, no CORS, deadlines."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from milgraph import paths
from milgraph.server.sparql_text import MAX_DEPTH


@dataclass
class ServerConfig:
    #: Snapshot root (holds CURRENT). None: the bundled graph's root, built on first use.
    store: Path | None = None
    #: Inputs to (re)build from. None with ``store`` set: reload re-reads CURRENT only.
    ontology: Path | None = None
    data: list[Path] | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 30.0
    max_result_bytes: int = 256 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    cors_origins: list[str] = field(default_factory=list)
    #: Hosts (``host`` or ``host:port``) that SERVICE may call. Empty: SERVICE is refused.
    service_allow: list[str] = field(default_factory=list)
    admin_token: str | None = None
    query_workers: int = 0  # 0: max(2, CPU count)
    cache_bytes: int = 64 * 1024 * 1024
    cache_entry_bytes: int = 1024 * 1024
    queries_dir: Path = paths.QUERIES_DIR
    #: Start streaming once this much of an answer is ready (before: status can still change).
    stream_threshold: int = 256 * 1024
    #: Serve this plain store with SPARQL Update at /update instead of a snapshot (opt-in;
    #: created if missing; never part of the curated graph). See milgraph.server.writable.
    writable_store: Path | None = None
    #: Bound on a request text's parse-tree depth estimate (brackets and chained operators,
    #: see ``sparql_text``): deeper texts get 400 instead of overflowing the parser's stack.
    max_query_depth: int = MAX_DEPTH
    #: Largest total size of a rebuild's input files, in bytes (0: no bound).
    max_input_bytes: int = 256 * 1024 * 1024
    #: Address-space limit of the rebuild process, in MiB (0: none): a build that needs more
    #: fails with a clear message, the server keeps serving.
    build_memory_mb: int = 8192
    #: Data-segment limit of each query worker, in MiB (0: none): a query that needs more is
    #: stopped (its worker replaced) and answered 503.
    worker_memory_mb: int = 0
    #: ``serve --backend``: a remote SPARQL 1.1 store's query URL answers the queries (the
    #: snapshot it holds, ``milgraph publish``); the snapshot root still gives the side files.
    backend: str | None = None
    backend_user: str | None = None
    backend_password: str | None = None
    #: Rebuild when the ontology or data files change (``server.watch``).
    watch: bool = False
    #: Accept validated SPARQL Update at /update into the data files (``server.edits``).
    allow_edits: bool = False

    def __post_init__(self) -> None:
        if self.admin_token is None:
            self.admin_token = os.environ.get("MILGRAPH_ADMIN_TOKEN") or None
        if not (math.isfinite(self.query_timeout) and self.query_timeout > 0):
            raise ValueError(f"query timeout {self.query_timeout!r} must be a positive number "
                             "of seconds")  # fmt: skip
        for name in ("max_result_bytes", "max_body_bytes", "cache_bytes", "cache_entry_bytes",
                     "max_input_bytes", "build_memory_mb", "worker_memory_mb",
                     "stream_threshold", "query_workers"):  # fmt: skip
            if getattr(self, name) < 0:
                raise ValueError(f"{name.replace('_', ' ')} must not be negative")
        if self.max_query_depth < 1:
            raise ValueError("max query depth must be at least 1")
        if (self.watch or self.allow_edits) and not self.builds:
            raise ValueError("watch and allow_edits work on the inputs a snapshot is built "
                             "from: give data (and ontology), or no store")  # fmt: skip

    @property
    def snapshot_root(self) -> Path:
        return Path(self.store) if self.store else paths.snapshot_root()

    @property
    def builds(self) -> bool:
        """True when the server (re)builds snapshots from inputs rather than only opening."""
        if self.writable_store is not None:
            return False
        return self.store is None or self.ontology is not None or bool(self.data)

    @property
    def writable(self) -> bool:
        return self.writable_store is not None

    @property
    def allowed_service_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.service_allow if h.strip())


#: The environment variable ``milgraph serve`` hands the configuration over in (uvicorn starts
#: the app from its factory, in each of its worker processes).
CONFIG_ENV = "MILGRAPH_SERVER_CONFIG"


def dump_config(config: ServerConfig) -> str:
    """The configuration as JSON text (paths as strings), for ``CONFIG_ENV``."""
    return json.dumps(asdict(config), default=str)


def load_config(text: str) -> ServerConfig:
    """The configuration ``dump_config`` wrote."""
    raw = json.loads(text or "{}")
    for key in ("store", "ontology", "queries_dir", "writable_store"):
        if raw.get(key):
            raw[key] = Path(raw[key])
    if raw.get("data"):
        raw["data"] = [Path(d) for d in raw["data"]]
    return ServerConfig(**raw)
