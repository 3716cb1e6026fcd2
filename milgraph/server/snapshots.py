"""Which snapshot the server serves, and how it changes (startup, reload, SIGHUP).

A new snapshot is built off the request path (a child process), its workers are started,
and only then are new queries switched to it. Any failure leaves the served snapshot as it
was and is recorded for ``/admin/status`` with the problems (file:line) that caused it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from milgraph.server.config import ServerConfig
from milgraph.server.pool import PoolError, WorkerPool, child_environment
from milgraph.server.problems import Problem

if TYPE_CHECKING:
    from milgraph.server.backend import RemoteBackend

log = logging.getLogger("milgraph.server")


@dataclass
class Served:
    """The snapshot new queries go to."""

    root: Path
    key: str
    manifest: dict[str, Any]
    loaded_at: str


@dataclass
class ReloadOutcome:
    ok: bool
    key: str | None = None
    changed: bool = False
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: str = ""
    #: Each problem's file, line, column and message (``rebuild.located``).
    failing: list[dict[str, Any]] = field(default_factory=list)
    #: What started the reload: "start", "admin", "SIGHUP", "watch: data/x.ttl", "edit".
    cause: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok, "key": self.key, "changed": self.changed, "error": self.error,
            "problems": self.problems, "seconds": round(self.seconds, 3),
            "finished": self.finished,
        }  # fmt: skip
        if self.failing:
            out["failing"] = self.failing[:20]
        if self.cause:
            out["cause"] = self.cause
        return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SnapshotManager:
    def __init__(self, config: ServerConfig, pool: WorkerPool | RemoteBackend) -> None:
        self.config = config
        self.pool = pool
        self.served: Served | None = None
        self.last: ReloadOutcome | None = None
        self.last_success: ReloadOutcome | None = None
        self.reloading = False
        self._lock = asyncio.Lock()
        self.listeners: list[Any] = []  # callables(Served) run after each switch
        #: Set when the inputs failed at start and the last good snapshot of the same input
        #: paths is served instead (``lastgood``): said on stderr, /health and /admin/status.
        self.fallback: dict[str, Any] | None = None
        #: ``serve --watch`` (``watch.Watcher``) and ``--allow-edits`` (``edits.Editor``):
        #: described in /admin/status.
        self.watcher: Any = None
        self.editor: Any = None

    #: Query jobs answer from the worker's own snapshot (a writable store names a view).
    store_path: str | None = None

    def check_options(self, options: Any) -> None:
        """Every query option applies to a snapshot."""

    async def close(self) -> None:
        pass

    async def reload(self, cause: str = "", built: str | None = None) -> ReloadOutcome:
        """Build/open the configured snapshot and switch to it; never raises. ``built``: the
        key of the inputs as they are now, built already (a curated edit's), so no build."""
        async with self._lock:
            self.reloading = True
            start = time.perf_counter()
            try:
                outcome = await self._reload(built)
            except (Problem, PoolError) as exc:
                outcome = ReloadOutcome(False, error=exc.detail, problems=[exc.detail])
            except Exception as exc:  # keep serving; the log has the trace
                log.exception("reload failed")
                outcome = ReloadOutcome(False, error=f"{type(exc).__name__}: {exc}")
            finally:
                self.reloading = False
            outcome.seconds = time.perf_counter() - start
            outcome.finished = _now()
            outcome.cause = cause
            self.last = outcome
            if outcome.ok:
                self.last_success = outcome
                self.fallback = None
            else:
                log.error("reload failed, still serving %s: %s",
                          self.served.key if self.served else "nothing", outcome.error)
                for problem in outcome.problems:
                    log.error("  %s", problem)
            return outcome

    async def _reload(self, built: str | None = None) -> ReloadOutcome:
        config = self.config
        key: str | None
        if built and config.builds and (config.snapshot_root / built / "manifest.json").is_file():
            root, key = config.snapshot_root, built
        elif config.builds:
            result = await self._build_in_child()
            if not result["ok"]:
                outcome = ReloadOutcome(False, error=result["error"], problems=result["problems"],
                                        failing=result.get("failing", []))  # fmt: skip
                if self.served is None:
                    await self._serve_last_good(outcome)
                return outcome
            root, key = Path(result["root"]), result["key"]
        else:
            from milgraph.store import current_key

            root = config.snapshot_root
            key = current_key(root)
            if key is None:
                return ReloadOutcome(False, error=f"{root}: no snapshot has been built here "
                                     f"(run 'milgraph build --out {root}')")  # fmt: skip
        if self.served and self.served.key == key and self.pool.ready:
            return ReloadOutcome(True, key=key, changed=False)
        manifest_path = root / key / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text())
        except (OSError, ValueError) as exc:
            return ReloadOutcome(False, error=f"{manifest_path}: cannot read the manifest: {exc}")
        await self.pool.switch(str(root), key)
        self.served = Served(root, key, manifest, _now())
        for listener in self.listeners:
            listener(self.served)
        return ReloadOutcome(True, key=key, changed=True)

    async def _serve_last_good(self, failed: ReloadOutcome) -> None:
        """At start, inputs that fail: serve the newest good snapshot of the same input
        paths, loudly, rather than nothing."""
        from milgraph.server.lastgood import last_good

        config = self.config
        root = config.snapshot_root
        key = await asyncio.to_thread(last_good, root, config.ontology, config.data)
        if key is None:
            return
        manifest = json.loads((root / key / "manifest.json").read_text())
        await self.pool.switch(str(root), key)
        self.served = Served(root, key, manifest, _now())
        for listener in self.listeners:
            listener(self.served)
        where = ", ".join(f"{f['file']}:{f['line']}" if f.get("line") else str(f["file"])
                          for f in failed.failing[:5])  # fmt: skip
        warning = (f"the inputs are invalid ({where or failed.error}): serving the last good "
                   f"snapshot of the same inputs, {key} (built {manifest.get('created')}), "
                   "until they are fixed and reloaded")  # fmt: skip
        self.fallback = {"key": key, "created": manifest.get("created"), "warning": warning}
        log.warning("%s", warning)
        print(f"milgraph: WARNING: {warning}", file=sys.stderr, flush=True)

    async def _build_in_child(self) -> dict[str, Any]:
        config = self.config
        args = {
            "ontology": str(config.ontology) if config.ontology else None,
            "data": [str(d) for d in config.data] if config.data else None,
            "root": str(config.store) if config.store else None,
            "max_input_bytes": config.max_input_bytes,
            "memory_mb": config.build_memory_mb,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "milgraph.server.rebuild", json.dumps(args),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=child_environment(),
        )  # fmt: skip
        out, err = await proc.communicate()
        lines = [line for line in out.decode(errors="replace").splitlines() if line.strip()]
        try:
            return json.loads(lines[-1])
        except (IndexError, ValueError):
            text = err.decode(errors="replace")
            if config.build_memory_mb and (
                proc.returncode in (-6, -9) or "memory allocation" in text
                or "MemoryError" in text or "std::bad_alloc" in text
            ):  # an allocation failed outside Python (Rust aborts the process)
                from milgraph.server.rebuild import out_of_memory

                message = out_of_memory(config.build_memory_mb)
                return {"ok": False, "error": message, "problems": [message]}
            tail = err.decode(errors="replace").strip().splitlines()[-5:]
            return {"ok": False, "error": "the snapshot build process failed: "
                    + (" | ".join(tail) or f"exit status {proc.returncode}"), "problems": tail}

    def status(self) -> dict[str, Any]:
        served = self.served
        return {
            "serving": None if served is None else {
                "key": served.key, "root": str(served.root), "loaded_at": served.loaded_at,
                "counts": {k: v for k, v in served.manifest.get("counts", {}).items()
                           if k != "per_rule"},
                "created": served.manifest.get("created"),
            },
            "reloading": self.reloading,
            "builds_from_inputs": self.config.builds,
            **({"serving_last_good": self.fallback} if self.fallback else {}),
            **({"failing": self.last.failing} if self.last and not self.last.ok else {}),
            **({"watch": self.watcher.describe()} if self.watcher is not None else {}),
            **({"edits": self.editor.describe()} if self.editor is not None else {}),
            "last_reload": self.last.as_dict() if self.last else None,
            "last_successful_reload": self.last_success.as_dict() if self.last_success else None,
            "workers": self.pool.describe(),
        }  # fmt: skip
