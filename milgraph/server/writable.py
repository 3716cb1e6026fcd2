"""``milgraph serve --writable-store DIR``: a plain Oxigraph store that accepts SPARQL Update.

Opt-in, and separate from the curated graph on purpose: snapshots are never written (an HTTP
edit to a snapshot would be lost at the next rebuild); this store is not reasoned over, not
built from ``data/``, and nothing written here reaches a snapshot. It exists for scratch
work and for clients that need the update protocol.

Layout of DIR: ``store/`` (the RocksDB store, written only by the update worker,
``writer.py``) and ``views/<n>/`` (checkpoints the query workers read). Updates run one at a
time in the update worker under the same deadline as queries; queries run in the query
worker pool as usual, each on the newest view at the time it is sent, so an update is
visible to every query sent after its answer. Views no worker uses any more are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from milgraph.server.config import ServerConfig
from milgraph.server.options import QueryOptions
from milgraph.server.pool import NotReady, PoolError, WorkerPool
from milgraph.server.problems import Problem
from milgraph.server.snapshots import ReloadOutcome, Served, _now
from milgraph.server.writer import STORE, VIEWS

log = logging.getLogger("milgraph.server")
WRITER_MODULE = "milgraph.server.writer"


@dataclass
class UpdateJob:
    """What the update worker runs (see ``writer.py``)."""

    op: str
    update: str = ""
    base: str | None = None
    fetches: bool = False

    def payload(self) -> bytes:
        return json.dumps({"op": self.op, "update": self.update, "base": self.base,
                           "fetches": self.fetches}).encode()  # fmt: skip


class WritableStore:
    """Serves a writable store: the counterpart of ``SnapshotManager`` for this mode."""

    def __init__(self, config: ServerConfig, pool: WorkerPool) -> None:
        assert config.writable_store is not None
        self.config = config
        self.root = Path(config.writable_store)
        self.views = self.root / VIEWS
        self.pool = pool  # query workers (plain stores)
        self.writer = WorkerPool(1, module=WRITER_MODULE)
        self.served: Served | None = None
        self.last: ReloadOutcome | None = None
        self.last_success: ReloadOutcome | None = None
        self.reloading = False
        self.listeners: list[Any] = []
        self.view: str | None = None  # name of the newest view
        self.updates = 0
        self._lock = asyncio.Lock()
        self._cleaning = False
        self._old_views = False  # views other than the newest may exist
        pool.after_job = self._collect

    @property
    def store_path(self) -> str | None:
        """The store every query job answers from."""
        return str(self.views / self.view) if self.view else None

    def check_options(self, options: QueryOptions) -> None:
        if not options.inference or options.as_of:
            raise Problem(
                400, "bad-parameter", "Bad parameter",
                "this server serves a writable store (--writable-store): it holds no "
                "reasoning results, so inference=false and asOf do not apply",
            )  # fmt: skip

    async def reload(self, cause: str = "") -> ReloadOutcome:
        """Start the update worker and the query workers (once; later calls change nothing:
        this store is not built from inputs)."""
        async with self._lock:
            if self.served is not None:
                return ReloadOutcome(True, key=self.served.key, changed=False)
            start = time.perf_counter()
            try:
                await asyncio.to_thread(self._remove_views)
                await self.writer.start(str(self.root), "writer")
                view = await self._write(UpdateJob("view"), self.config.query_timeout)
                await self.pool.start(str(self.views), view)
                self._switch(view)
                outcome = ReloadOutcome(True, key=self.served.key if self.served else None,
                                        changed=True)  # fmt: skip
            except (Problem, PoolError) as exc:
                outcome = ReloadOutcome(False, error=exc.detail, problems=[exc.detail])
            except Exception as exc:
                log.exception("could not open the writable store")
                outcome = ReloadOutcome(False, error=f"{type(exc).__name__}: {exc}")
            outcome.seconds = time.perf_counter() - start
            outcome.finished = _now()
            self.last = outcome
            if outcome.ok:
                self.last_success = outcome
            else:
                log.error("writable store %s not served: %s", self.root, outcome.error)
            return outcome

    async def update(
        self, text: str, base: str | None, timeout: float, *, fetches: bool = False
    ) -> str:
        """Apply one SPARQL Update (already checked); the name of the view showing it."""
        if self.served is None:
            raise NotReady("the store is still opening")
        view = await self._write(UpdateJob("update", text, base, fetches), timeout)
        self.updates += 1
        self._switch(view)
        return view

    async def _write(self, job: UpdateJob, timeout: float) -> str:
        answer = await self.writer.submit(job, timeout)
        try:
            await answer.first(1 << 30)  # the whole (small) answer, or its error
            return str(json.loads(answer.body())["view"])
        finally:
            answer.abandon()  # only if cancelled before the end: the update is rolled back

    def _switch(self, view: str) -> None:
        self.view = view
        self.pool.retarget(str(self.views), view)
        self.served = Served(self.root, f"writable-{view}", {"key": f"writable-{view}"}, _now())
        for listener in self.listeners:
            listener(self.served)
        self._old_views = True
        self._collect()

    # ----------------------------------------------------------------- views

    def _collect(self) -> None:
        """Delete, off the event loop, views that are neither the newest nor open in a
        worker (a worker moves to the newest view with its next job)."""
        if not self._old_views or self._cleaning or self.view is None:
            return
        keep = {self.view} | {Path(s).name for s in self.pool.stores_in_use()}
        try:
            stale = [p for p in self.views.iterdir() if p.name.isdigit() and p.name not in keep]
        except OSError:
            return
        self._old_views = len(keep) > 1  # a worker still reads an older one: look again later
        if stale:
            self._cleaning = True
            task = asyncio.get_running_loop().create_task(asyncio.to_thread(_remove, stale))
            task.add_done_callback(lambda _: setattr(self, "_cleaning", False))

    def _remove_views(self) -> None:
        """At start no worker reads any view: remove them all (and half-written ones)."""
        if self.views.is_dir():
            _remove(list(self.views.iterdir()))
        (self.root / STORE).parent.mkdir(parents=True, exist_ok=True)

    def status(self) -> dict[str, Any]:
        return {
            "serving": None if self.served is None else {
                "key": self.served.key, "root": str(self.root), "writable": True,
                "view": self.view, "updates": self.updates,
                "loaded_at": self.served.loaded_at,
            },
            "reloading": False,
            "builds_from_inputs": False,
            "last_reload": self.last.as_dict() if self.last else None,
            "last_successful_reload": self.last_success.as_dict() if self.last_success else None,
            "workers": self.pool.describe(),
        }  # fmt: skip

    async def close(self) -> None:
        await self.writer.close()


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
