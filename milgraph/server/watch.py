"""``milgraph serve --watch``: a steward saves a file, the server rebuilds and serves it.

The ontology and data paths the server builds from are watched (``watchfiles``: inotify on
Linux, FSEvents on macOS); once a save has *settled* (no further change for ``SETTLE_MS``,
so an editor's write-then-rename or a ``git checkout`` of many files is one rebuild) the
ordinary reload runs: the snapshot is built in a child process and swapped in atomically
(``snapshots.SnapshotManager.reload``), or, when the save broke something, the last good
graph keeps serving and ``/health`` names the file and line until the next good save.
Changes during a rebuild are collected and cause one more rebuild after it.

Files given as ``--data FILE`` are watched through their directory (an editor's atomic
save replaces the file, and a watch on the old file would see nothing after the first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from milgraph import paths
from milgraph.build.inputs import FORMATS, IGNORED_NAMES
from milgraph.server.config import ServerConfig
from milgraph.server.snapshots import SnapshotManager, _now

log = logging.getLogger("milgraph.server")

#: A save has settled when nothing changed for this long (milliseconds).
SETTLE_MS = 250
#: Changes arriving without a pause are still rebuilt after this long at most.
MAX_GROUP_MS = 3000
#: Files whose change means a rebuild: RDF, the rules, the shapes (RDF too).
RELEVANT_SUFFIXES = frozenset(FORMATS) | {".rq"}


class Watcher:
    """Rebuilds the served snapshot when its inputs change."""

    def __init__(self, manager: SnapshotManager, config: ServerConfig) -> None:
        self.manager = manager
        ontology = Path(config.ontology) if config.ontology else paths.ONTOLOGY_DIR
        data = [Path(d) for d in config.data] if config.data else [paths.DATA_DIR]
        self.inputs = [ontology, *data]
        self.roots, self.files = watch_roots(self.inputs)
        self.rebuilds = 0
        self.last_change: dict[str, Any] | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        manager.watcher = self

    def relevant(self, _change: object, path: str) -> bool:
        """A change that can alter the graph (editor swap files, notes and hidden files
        cannot)."""
        p = Path(path)
        if p.name.startswith(".") or p.name in IGNORED_NAMES:
            return False
        if p.suffix.lower() not in RELEVANT_SUFFIXES:
            return False
        resolved = p.resolve()
        if resolved in self.files:
            return True
        return any(_within(resolved, root) for root in self.roots)

    @property
    def parents(self) -> set[Path]:
        """Directories watched only for the files given in them."""
        return {f.parent for f in self.files}

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        import watchfiles

        watched = sorted({*self.roots, *self.parents})
        _say(f"watching {', '.join(str(p) for p in watched)} for changes")
        try:
            async for changes in watchfiles.awatch(
                *watched, watch_filter=self.relevant, step=SETTLE_MS, debounce=MAX_GROUP_MS,
                stop_event=self._stop, recursive=True,
            ):  # fmt: skip
                await self._rebuild(sorted({_shown(path) for _, path in changes}))
        except asyncio.CancelledError:
            raise
        except Exception:  # a vanished directory, a watch limit: say so, keep serving
            log.exception("watching the inputs stopped; reload with SIGHUP or /admin/reload")

    async def _rebuild(self, changed: list[str]) -> None:
        self.last_change = {"files": changed[:20], "at": _now()}
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3
                                          else "")  # fmt: skip
        _say(f"watch: {shown} changed; rebuilding")
        outcome = await self.manager.reload(cause=f"watch: {shown}")
        self.rebuilds += 1
        if outcome.ok:
            _say(f"watch: serving {outcome.key} (rebuilt in {outcome.seconds:.1f} s)")
        else:
            where = "; ".join(_where(f) for f in outcome.failing[:5]) or outcome.error
            served = self.manager.served.key if self.manager.served else "nothing"
            _say(f"watch: the save broke the graph, still serving {served}: {where}")

    def describe(self) -> dict[str, Any]:
        return {"paths": [str(p) for p in self.inputs], "rebuilds": self.rebuilds,
                "last_change": self.last_change}  # fmt: skip


def _say(text: str) -> None:
    """A line for the steward at the server's terminal (the log shows warnings only)."""
    print(f"milgraph: {text}", file=sys.stderr, flush=True)


def watch_roots(inputs: Sequence[Path]) -> tuple[list[Path], set[Path]]:
    """Directories to watch recursively, and single files (watched through their parent)."""
    roots: list[Path] = []
    files: set[Path] = set()
    for given in inputs:
        path = Path(given).resolve()
        if path.is_file():
            files.add(path)
        else:
            roots.append(path)
    return roots, files


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _shown(path: str) -> str:
    p = Path(path)
    with contextlib.suppress(ValueError):
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    return p.as_posix()


def _where(failing: dict[str, Any]) -> str:
    spot = str(failing.get("file"))
    if failing.get("line"):
        spot += f":{failing['line']}"
    return f"{spot}: {failing.get('message')}"
