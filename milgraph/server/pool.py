"""A fixed-size pool of query worker processes, driven from the asyncio event loop.

Why processes: pyoxigraph has no way to cancel a query, so the only way to stop one at its
deadline is to kill the process running it. The pool then starts a replacement; no request
ever waits on the event loop, and the number of OS threads stays constant under load.
Switching to a new snapshot starts a new generation of workers first and retires the old
ones once they finish their current query, so a reload never interrupts an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from milgraph.server import worker as wire
from milgraph.server.options import QueryOptions
from milgraph.server.problems import Problem

log = logging.getLogger("milgraph.server")

class QueryFailed(Problem):
    """A query could not be answered (syntax, deadline, size cap, worker failure)."""


@dataclass
class Job:
    query: str
    options: QueryOptions
    format: str
    max_bytes: int
    prefixes: dict[str, str] | None = None

    def payload(self) -> bytes:
        return pickle.dumps(
            {
                "query": self.query,
                "options": self.options,
                "format": self.format,
                "max_bytes": self.max_bytes,
                "prefixes": self.prefixes,
            },
            protocol=pickle.HIGHEST_PROTOCOL,
        )


@dataclass(eq=False)
class Worker:
    process: Any
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    generation: int
    key: str
    jobs: int = 0

    async def read_frame(self) -> tuple[int, bytes]:
        head = await self.reader.readexactly(wire.HEADER.size)
        kind, length = wire.HEADER.unpack(head)
        return kind, (await self.reader.readexactly(length) if length else b"")

    def send(self, kind: int, payload: bytes = b"") -> None:
        self.writer.write(wire.HEADER.pack(kind, len(payload)) + payload)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.writer.close()


@dataclass
class PoolStats:
    started: int = 0
    killed: int = 0
    busy: int = 0
    waiting: int = 0
    respawn_errors: list[str] = field(default_factory=list)


class WorkerPool:
    def __init__(self, size: int, *, start_timeout: float = 120.0) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.start_timeout = start_timeout
        self.root: str | None = None
        self.key: str | None = None
        self.generation = 0
        self.stats = PoolStats()
        self._idle: deque[Worker] = deque()
        self._all: set[Worker] = set()
        self._cond: asyncio.Condition | None = None
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def ready(self) -> bool:
        return self.key is not None and not self._closed

    # ----------------------------------------------------------------- lifecycle

    async def start(self, root: str, key: str) -> None:
        """Start the first generation; raises ``QueryFailed`` if the snapshot cannot open."""
        await self.switch(root, key)

    async def switch(self, root: str, key: str) -> None:
        """Serve ``key`` from now on. New workers are started before old ones retire; if they
        cannot start, the pool keeps serving the old snapshot and the error is raised."""
        if self._cond is None:
            self._cond = asyncio.Condition()
        generation = self.generation + 1
        workers = await asyncio.gather(
            *(self._spawn(root, key, generation) for _ in range(self.size)),
            return_exceptions=True,
        )
        failures = [w for w in workers if isinstance(w, BaseException)]
        if failures:
            for w in workers:
                if isinstance(w, Worker):
                    self._stop(w)
            raise failures[0]
        async with self._cond:
            old = list(self._idle)
            self._idle = deque(w for w in workers if isinstance(w, Worker))
            self.root, self.key, self.generation = root, key, generation
            self._cond.notify_all()
        for w in old:
            self._stop(w)

    async def close(self) -> None:
        self._closed = True
        for w in list(self._all):
            self._stop(w)
        await asyncio.gather(*(asyncio.to_thread(_reap, w.process) for w in list(self._all)))
        self._all.clear()
        self._idle.clear()

    async def _spawn(self, root: str, key: str, generation: int) -> Worker:
        """Start ``python -m milgraph.server.worker`` with one end of a socket pair.

        A plain subprocess, not multiprocessing: nothing of the parent (its ``__main__``, its
        threads, its event loop) is inherited or re-imported, whoever embeds the server."""
        parent, child = socket.socketpair()
        try:
            process = await asyncio.to_thread(
                subprocess.Popen,
                [sys.executable, "-m", "milgraph.server.worker", str(child.fileno()), root, key],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C on the terminal is the server's to handle
            )
        finally:
            child.close()
        reader, writer = await asyncio.open_connection(sock=parent)
        w = Worker(process, reader, writer, generation, key)
        self._all.add(w)
        self.stats.started += 1
        try:
            kind, payload = await asyncio.wait_for(w.read_frame(), self.start_timeout)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            self._discard(w)
            raise QueryFailed(
                503, "worker-failed", "Query worker failed to start",
                f"a query worker for snapshot {key} did not start: {exc or type(exc).__name__}",
            ) from None  # fmt: skip
        if kind != wire.READY:
            self._discard(w)
            problem = pickle.loads(payload) if kind == wire.ERROR else {}
            raise QueryFailed(
                503, "snapshot-unavailable", "Snapshot unavailable",
                problem.get("detail", f"worker answered frame {kind} instead of READY"),
            )  # fmt: skip
        return w

    def _stop(self, w: Worker) -> None:
        with contextlib.suppress(Exception):
            w.send(wire.STOP)
        self._forget(w)

    def _discard(self, w: Worker) -> None:
        w.kill()
        self._forget(w)

    def _forget(self, w: Worker) -> None:
        self._all.discard(w)
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(_reap, w.process))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _replace(self, w: Worker) -> None:
        """Kill a worker in an unknown state (deadline, client gone) and start another."""
        self.stats.killed += 1
        self._discard(w)
        if self._closed or w.generation != self.generation or self.root is None:
            return
        task = asyncio.get_running_loop().create_task(self._respawn(self.root, self.key or ""))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, root: str, key: str) -> None:
        generation = self.generation
        try:
            w = await self._spawn(root, key, generation)
        except QueryFailed as exc:
            self.stats.respawn_errors.append(exc.detail)
            log.error("could not replace a query worker: %s", exc.detail)
            return
        await self._release(w)

    # ----------------------------------------------------------------- running

    async def _acquire(self, timeout: float) -> Worker:
        assert self._cond is not None
        self.stats.waiting += 1
        try:
            async with self._cond:
                await asyncio.wait_for(self._cond.wait_for(lambda: bool(self._idle)), timeout)
                w = self._idle.popleft()
        finally:
            self.stats.waiting -= 1
        self.stats.busy += 1
        return w

    async def _release(self, w: Worker) -> None:
        if w not in self._all:
            return
        if self._closed or w.generation != self.generation:
            self._stop(w)
            return
        assert self._cond is not None
        async with self._cond:
            self._idle.append(w)
            self._cond.notify()

    def workers_alive(self) -> int:
        return len(self._all)

    async def stream(self, job: Job, timeout: float) -> AsyncIterator[bytes]:
        """Run ``job`` and yield its serialised answer in chunks.

        Raises ``QueryFailed`` for syntax errors, oversize answers and deadlines. A query past
        its deadline (waiting time included) is killed with its worker.
        """
        if not self.ready or self._cond is None:
            raise QueryFailed(503, "not-ready", "Not ready", "no snapshot is loaded yet")
        deadline = time.monotonic() + timeout
        try:
            w = await self._acquire(timeout)
        except TimeoutError:
            raise QueryFailed(
                503, "busy", "Server busy",
                f"every query worker stayed busy for the whole {timeout:g} s deadline; "
                "retry later",
            ) from None  # fmt: skip
        clean = False
        try:
            w.jobs += 1
            w.send(wire.JOB, job.payload())
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                kind, payload = await asyncio.wait_for(w.read_frame(), remaining)
                if kind == wire.DATA:
                    yield payload
                elif kind == wire.END:
                    clean = True
                    return
                elif kind == wire.ERROR:
                    clean = True
                    problem = pickle.loads(payload)
                    raise QueryFailed(
                        problem.pop("status"), problem.pop("type"), problem.pop("title"),
                        problem.pop("detail"), **problem,
                    )  # fmt: skip
                else:
                    raise QueryFailed(500, "worker-protocol", "Internal error",
                                      f"unexpected frame {kind} from a query worker")  # fmt: skip
        except TimeoutError:
            raise QueryFailed(
                503, "query-timeout", "Query timed out",
                f"the query ran past its {timeout:g} s deadline and was stopped; make it more "
                "selective (LIMIT, narrower patterns) or ask the operator for a longer "
                "--query-timeout",
                timeout=timeout,
            ) from None  # fmt: skip
        except (asyncio.IncompleteReadError, ConnectionError):
            raise QueryFailed(
                500, "worker-crashed", "Query worker crashed",
                "the process evaluating this query stopped unexpectedly; it has been replaced",
            ) from None  # fmt: skip
        finally:
            self.stats.busy -= 1
            if clean:
                await self._release(w)
            else:
                self._replace(w)

    async def collect(self, job: Job, timeout: float) -> bytes:
        """The whole answer as bytes (for small internal queries: VoID, statistics)."""
        parts = [chunk async for chunk in self.stream(job, timeout)]
        return b"".join(parts)


def _reap(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Wait for a worker to exit (killing it after ``grace`` seconds) so no zombie is left."""
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def default_pool_size() -> int:
    return max(2, os.cpu_count() or 2)
