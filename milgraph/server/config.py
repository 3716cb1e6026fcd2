"""Server settings, with safe defaults: read-only, no outbound fetches, no CORS, deadlines."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from milgraph import paths


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

    def __post_init__(self) -> None:
        if self.admin_token is None:
            self.admin_token = os.environ.get("MILGRAPH_ADMIN_TOKEN") or None

    @property
    def snapshot_root(self) -> Path:
        return Path(self.store) if self.store else paths.snapshot_root()

    @property
    def builds(self) -> bool:
        """True when the server (re)builds snapshots from inputs rather than only opening."""
        return self.store is None or self.ontology is not None or bool(self.data)

    @property
    def allowed_service_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.service_allow if h.strip())
