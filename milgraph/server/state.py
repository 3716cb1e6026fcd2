"""What every request handler needs, one per app: config, workers, snapshot, caches, metrics."""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.process
import functools
import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

from milgraph.errors import SnapshotError
from milgraph.server.backend import RemoteBackend
from milgraph.server.cache import ResponseCache
from milgraph.server.config import ServerConfig
from milgraph.server.metrics import Metrics
from milgraph.server.named import NamedQuery, load_named_queries
from milgraph.server.pool import MEMORY_VARIABLE, WorkerPool, default_pool_size
from milgraph.server.snapshots import Served, SnapshotManager
from milgraph.server.sparql_text import QueryInfo, inspect_query
from milgraph.server.writable import WritableStore
from milgraph.store.snapshot import Snapshot, open_snapshot

#: Reader processes for long request texts (``read_in_process``).
READERS = 2


class ServerState:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        if config.worker_memory_mb:  # read by every query worker (pool.MEMORY_VARIABLE)
            os.environ[MEMORY_VARIABLE] = str(config.worker_memory_mb)
        self.manager: SnapshotManager | WritableStore
        self.pool: WorkerPool | RemoteBackend
        if config.backend:  # queries go to a remote store (server.backend), not to workers
            self.pool = RemoteBackend(
                config.backend, user=config.backend_user, password=config.backend_password,
                threads=config.query_workers or 8, timeout=config.query_timeout,
            )  # fmt: skip
            self.manager = SnapshotManager(config, self.pool)
        else:
            pool = WorkerPool(config.query_workers or default_pool_size(),
                              plain=config.writable)  # fmt: skip
            self.pool = pool
            if config.writable:
                self.manager = WritableStore(config, pool)
            else:
                self.manager = SnapshotManager(config, pool)
        self.cache = ResponseCache(config.cache_bytes, config.cache_entry_bytes)
        self.metrics = Metrics()
        self.named: dict[str, NamedQuery] = load_named_queries(config.queries_dir)
        self.named_info: dict[str, QueryInfo] = {
            name: inspect_query(nq.text, max_depth=config.max_query_depth)
            for name, nq in self.named.items()
        }
        #: Long request texts are read in reader processes, this many at a time.
        self.readers = asyncio.Semaphore(READERS)
        self._reader_pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.void_cache: dict[str, bytes] = {}
        #: The served snapshot's epoch boundaries (days), by key: asOf cache keys and ETags.
        self.epochs: dict[str, list[int]] = {}
        self.load_task: asyncio.Task[Any] | None = None
        #: The /health probe in flight (one at a time, however often /health is asked).
        self.health_probe: asyncio.Task[bytes] | None = None
        self.manager.listeners.append(self._on_switch)
        #: The served snapshot opened in this process, for the analyses (see ``opened_snapshot``).
        self._opened: Snapshot | None = None
        self._opened_lock = threading.Lock()

    def opened_snapshot(self) -> Snapshot:
        """The snapshot the SPARQL service serves, opened read-only in this process once per
        key (its query workers have their own handles; explanations and profiles run in the
        server's threads)."""
        served = self.manager.served
        if served is None:
            raise SnapshotError("the snapshot is still loading; retry in a moment (see /health)")
        remote = self.pool.snapshot if isinstance(self.pool, RemoteBackend) else None
        if remote is not None and remote.key == served.key:  # the store behind --backend
            return remote
        with self._opened_lock:
            if self._opened is None or self._opened.key != served.key:
                self._opened = open_snapshot(Path(served.root), served.key)  # only the served one
            return self._opened

    async def read_in_process(
        self, text: str, base: str | None, max_depth: int, using: str
    ) -> QueryInfo:
        """``inspect_query`` in a reader process (started on first use; spawned, so nothing
        of this process is inherited): a long text never holds the event loop's GIL."""
        if self._reader_pool is None:
            self._reader_pool = concurrent.futures.ProcessPoolExecutor(
                READERS, mp_context=multiprocessing.get_context("spawn"))
        loop = asyncio.get_running_loop()
        call = functools.partial(inspect_query, text, base, max_depth=max_depth, using=using)
        try:
            return await loop.run_in_executor(self._reader_pool, call)
        except concurrent.futures.process.BrokenProcessPool:
            self._reader_pool = None  # a reader died (killed from outside): start anew
            raise

    def close_readers(self) -> None:
        if self._reader_pool is not None:
            self._reader_pool.shutdown(wait=False, cancel_futures=True)
            self._reader_pool = None

    def _on_switch(self, served: Served) -> None:
        self.cache.clear()
        self.void_cache.clear()
        counts = served.manifest.get("counts", {})
        self.metrics.snapshot.clear()
        self.metrics.snapshot.labels(served.key).set(1)
        for kind in ("asserted", "inferred", "total"):
            if kind in counts:
                self.metrics.triples.labels(kind).set(counts[kind])
