"""A fixed-size pool of query worker processes, driven from the asyncio event loop.

Why processes: pyoxigraph has no way to cancel a query, so the only way to stop one at its
deadline is to kill the process running it. The pool then starts a replacement; no request
ever waits on the event loop, and the number of OS threads stays constant under load.
Switching to a new snapshot starts a new generation of workers first and retires the old
ones once they finish their current query, so a reload never interrupts an answer.

Why a protocol per worker: each worker's socket is read by the event loop itself (an
``asyncio.Protocol`` that cuts frames as bytes arrive), and a worker is handed to the next
waiting request straight from that callback. No thread, no task and no timer per frame: a
job costs one write, usually one read, and one timer for its deadline.

Why jobs queue behind busy workers: on a small machine a worker that sleeps between jobs
pays for it twice, in the wake-up and in cold caches (the same point query costs ~75 µs
back to back and several times that after a pause). So the pool keeps as few workers busy
as there are cores left after the HTTP process (``active``) and queues up to ``DEPTH`` jobs
on each, which then run back to back. A slow query must still never hold up a quick one:
a worker whose current job has run for ``STALE_S`` gets no more jobs, and those queued
behind it are revoked and go to another worker; a queued job past its deadline is simply
taken back (the job running ahead of it is not disturbed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from milgraph.server import worker as wire
from milgraph.server.options import QueryOptions
from milgraph.server.problems import Problem

log = logging.getLogger("milgraph.server")

WORKER_MODULE = "milgraph.server.worker"
#: Stop reading a worker's socket when this much of its answer waits for a slow client...
HIGH_WATER = 1024 * 1024
#: ...and read again once the client has taken all but this much.
LOW_WATER = 256 * 1024
#: Jobs a busy query worker may hold (the running one and those queued behind it): a worker
#: that finds its next job already waiting neither sleeps nor wakes (see ``WorkerPool``).
DEPTH = 4
#: A worker whose current job has run this long takes no more queued jobs, and those queued
#: behind it go to another worker: a slow query delays a quick one by at most about this.
STALE_S = 0.005
#: When the server is otherwise idle, wait this long for a job's answer by polling the
#: worker's socket rather than sleeping (see ``Worker.poll``); 0: never.
SPIN_S = float(os.environ.get("MILGRAPH_SPIN_US", "400")) / 1e6
#: ...idle meaning: no other job in flight and none submitted for this long.
IDLE_S = 0.001


class QueryFailed(Problem):
    """A query could not be answered (syntax, deadline, size cap, worker failure)."""


@dataclass
class Job:
    query: str
    options: QueryOptions
    format: str
    max_bytes: int
    prefixes: dict[str, str] | None = None
    #: The store to answer from when not the worker's own (the latest writable-store view).
    store: str | None = None

    def payload(self) -> bytes:
        return wire.encode_job(
            self.query, self.options, self.format, self.max_bytes, self.prefixes, self.store
        )


def _timed_out(timeout: float) -> QueryFailed:
    return QueryFailed(
        503, "query-timeout", "Query timed out",
        f"the query ran past its {timeout:g} s deadline and was stopped; make it more "
        "selective (LIMIT, narrower patterns) or ask the operator for a longer "
        "--query-timeout",
        timeout=timeout,
    )  # fmt: skip


def _busy(timeout: float) -> QueryFailed:
    return QueryFailed(
        503, "busy", "Server busy",
        f"every query worker stayed busy for the whole {timeout:g} s deadline; retry later",
    )  # fmt: skip


def _crashed() -> QueryFailed:
    limit = os.environ.get(MEMORY_VARIABLE)
    why = (f" (it may have needed more than the workers' memory bound of {limit} MiB, "
           "--worker-memory-mb)") if limit and limit != "0" else ""  # fmt: skip
    return QueryFailed(
        500, "worker-crashed", "Query worker crashed",
        f"the process evaluating this query stopped unexpectedly{why}; it has been replaced",
    )  # fmt: skip


class Answer:
    """The answer of one job as it arrives from its worker: chunks, then the end or an error.

    ``first`` waits until the answer is complete or enough of it is there to start streaming;
    ``next`` hands out the following chunks. Whoever holds an answer and gives up on it
    (client gone) calls ``abandon``: a worker still producing it is killed.
    """

    __slots__ = ("_paused", "_pool", "_timer", "_waiter", "chunks", "deadline", "done",
                 "error", "number", "payload", "size", "timeout", "worker")  # fmt: skip

    def __init__(self, pool: WorkerPool, timeout: float) -> None:
        self._pool = pool
        self.timeout = timeout
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.done = False
        self.error: QueryFailed | None = None
        self.worker: Worker | None = None
        #: The job (for handing it to another worker) and its place in its worker's queue.
        self.payload = b""
        self.deadline = 0.0
        self.number = 0
        self._timer: asyncio.TimerHandle | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    # -- fed by the worker's protocol (event loop callbacks)

    def _push(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > HIGH_WATER and not self._paused and self.worker is not None:
            self._paused = True
            self.worker.pause()
        self._wake()

    def _end(self, chunk: bytes) -> None:
        if chunk:
            self.chunks.append(chunk)
            self.size += len(chunk)
        self.done = True
        self._settle()

    def _fail(self, error: QueryFailed) -> None:
        if self.done or self.error is not None:
            return
        self.error = error
        self.chunks.clear()
        self._settle()

    def _settle(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.worker = None
        self._pool.stats.busy -= 1
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def _wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        await self._waiter

    # -- used by the request handler

    @property
    def finished(self) -> bool:
        return self.done or self.error is not None

    async def first(self, threshold: int) -> bool:
        """Wait until the answer is complete (True) or ``threshold`` bytes are buffered
        (False: stream the rest). Raises ``QueryFailed``."""
        while not self.done and self.error is None and self.size < threshold:
            await self._wait()
        if self.error is not None:
            raise self.error
        return self.done

    def body(self) -> bytes:
        """The whole answer, once ``first`` returned True."""
        body = b"".join(self.chunks)
        self.chunks.clear()
        self.size = 0
        return body

    async def next(self) -> bytes | None:
        """The next chunk, or None at the end. Raises ``QueryFailed`` (deadline, size cap,
        crash) even after earlier chunks: the caller must then break off the transfer."""
        while not self.chunks:
            if self.error is not None:
                raise self.error
            if self.done:
                return None
            await self._wait()
        if self.error is not None:
            raise self.error
        chunk = self.chunks.popleft()
        self.size -= len(chunk)
        if self._paused and self.size < LOW_WATER:
            self._paused = False
            if self.worker is not None:
                self.worker.resume()
        return chunk

    def abandon(self) -> None:
        """Nobody will read the rest: stop the worker if it is still producing it."""
        if not self.finished:
            self._stop(QueryFailed(499, "client-gone", "Client gone",
                                   "the client closed the connection"))  # fmt: skip

    def _expire(self) -> None:
        self._timer = None
        if not self.finished:
            self._stop(_timed_out(self.timeout), timeout=True)

    def _stop(self, error: QueryFailed, timeout: bool = False) -> None:
        """Fail this answer and stop the work on it: kill the worker running it, or take it
        out of the queue it waits in (the worker runs the rest of its queue as before)."""
        worker = self.worker
        pool = self._pool
        running = worker is not None and worker.answer is self
        if worker is not None and not running:
            worker.revoke(self)
        elif worker is None:
            with contextlib.suppress(ValueError):
                pool._moved.remove(self)
        self._fail(error)
        if running:
            if timeout:
                pool.stats.timeouts += 1
            pool._replace(worker)  # type: ignore[arg-type]


class _Revoked:
    """The place of a queued job taken back from a worker: the worker answers SKIPPED, or,
    if it had started it already, an answer nobody reads (it is killed at the deadline)."""

    __slots__ = ("deadline", "timer")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.timer: asyncio.TimerHandle | None = None


class Worker(asyncio.Protocol):
    """One query worker process and the event loop's end of its socket."""

    def __init__(self, pool: WorkerPool, process: Any, generation: int, key: str) -> None:
        self.pool = pool
        self.process = process
        self.generation = generation
        self.key = key
        self.jobs = 0
        self.alive = True
        #: The store the worker answers from: after its last job, and for its current one.
        self.store: str | None = None
        self.next_store: str | None = None
        #: The job it is running (or a revoked one it may be running) and those queued.
        self.answer: Answer | None = None
        self.queued: deque[Answer | _Revoked] = deque()
        self.head: Answer | _Revoked | None = None
        self.head_started = 0.0
        #: Waiting requests promised a place in this worker's queue.
        self.promised = 0
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._buffer = bytearray()
        self.fd = -1

    # -- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self._buffer
        if not buf and len(data) >= wire.HEADER.size:  # the usual case: one whole frame
            kind, length = wire.HEADER.unpack_from(data)
            if len(data) == wire.HEADER.size + length:
                self._frame(kind, data[wire.HEADER.size :])
                return
        buf += data
        size = len(buf)
        pos = 0
        head = wire.HEADER.size
        while size - pos >= head and self.alive:
            kind, length = wire.HEADER.unpack_from(buf, pos)
            end = pos + head + length
            if end > size:
                break
            with memoryview(buf) as view:
                payload = bytes(view[pos + head : end])
            pos = end
            self._frame(kind, payload)
        if not self.alive:
            buf.clear()
        elif pos:
            del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.alive:
            return
        self.alive = False
        if not self.ready.done():
            self.ready.set_exception(QueryFailed(
                503, "worker-failed", "Query worker failed to start",
                f"a query worker for snapshot {self.key} exited before it was ready",
            ))  # fmt: skip
            return
        answer, self.answer = self.answer, None
        self.head = None
        if answer is not None:
            answer._fail(_crashed())
        self.pool._lost(self)

    # -- frames

    def _frame(self, kind: int, payload: bytes) -> None:
        answer = self.answer
        head = self.head
        if kind == wire.DATA and head is not None:
            if answer is not None:
                answer._push(payload)
        elif kind in (wire.END, wire.ERROR) and head is not None:
            self.store = self.next_store
            self._advance()
            if answer is not None:
                if kind == wire.END:
                    answer._end(payload)
                else:
                    answer._fail(_problem(payload))
            self.pool._freed(self)
        elif kind == wire.SKIPPED and head is not None and answer is None:
            self._advance()
            self.pool._freed(self)
        elif kind == wire.READY and not self.ready.done():
            self.ready.set_result(None)
        elif kind == wire.ERROR and not self.ready.done():
            problem = json.loads(payload)
            self.ready.set_exception(QueryFailed(
                503, "snapshot-unavailable", "Snapshot unavailable", problem["detail"]))
        else:
            log.error("query worker %s sent an unexpected frame %d; replacing it",
                      self.process.pid, kind)  # fmt: skip
            if answer is not None:
                self.answer = None
                answer._fail(QueryFailed(500, "worker-protocol", "Internal error",
                                         f"unexpected frame {kind} from a query worker"))
            self.pool._replace(self)

    def _advance(self) -> None:
        """The job at the head of the queue is done: the next one is running now."""
        head = self.head
        if isinstance(head, _Revoked) and head.timer is not None:
            head.timer.cancel()
        if not self.queued:
            self.head = self.answer = None
            return
        head = self.head = self.queued.popleft()
        self.head_started = self.pool.loop_time()
        if isinstance(head, _Revoked):
            self.answer = None
            # It may have started before the revocation arrived: stop it at its deadline.
            head.timer = asyncio.get_running_loop().call_at(
                head.deadline, self._revoked_overdue, head)
        else:
            self.answer = head

    def _revoked_overdue(self, revoked: _Revoked) -> None:
        if self.head is revoked and self.alive:
            self.pool.stats.timeouts += 1
            self.pool._replace(self)

    @property
    def outstanding(self) -> int:
        return (self.head is not None) + len(self.queued) + self.promised

    # -- control

    def start(self, answer: Answer, payload: bytes, store: str | None = None) -> None:
        """Send a job: it runs now if the worker is idle, else after those queued."""
        self.jobs += 1
        if store is not None:
            self.next_store = store
        answer.worker = self
        answer.number = self.jobs
        if self.head is None:
            self.head = self.answer = answer
            self.head_started = self.pool.loop_time()
        else:
            self.queued.append(answer)
        assert self.transport is not None
        self.transport.write(wire.frame(wire.JOB, payload))

    def revoke(self, answer: Answer) -> None:
        """Take a queued (not yet running) job back; the worker skips it."""
        for i, queued in enumerate(self.queued):
            if queued is answer:
                self.queued[i] = _Revoked(answer.deadline)
                answer.worker = None
                if self.alive and self.transport is not None:
                    self.transport.write(wire.frame(wire.REVOKE, str(answer.number).encode()))
                return

    def take_back(self) -> list[Answer]:
        """Revoke every queued job (they go to other workers)."""
        taken = [a for a in self.queued if isinstance(a, Answer)]
        for answer in taken:
            self.revoke(answer)
        return taken

    def poll(self, limit: float) -> None:
        """Read the answer of the job just sent by polling the socket for up to ``limit``
        seconds, instead of returning to the event loop to sleep until it arrives.

        Only used when nothing else is going on (``WorkerPool.submit``): a process that
        sleeps through the worker's few hundred microseconds is woken with cold caches,
        which costs a quick query more than its evaluation. The loop is blocked meanwhile,
        for at most ``limit``, and there is nothing else for it to do."""
        fd = self.fd
        end = time.perf_counter() + limit
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                if time.perf_counter() < end:
                    continue
                return
            except OSError:
                return  # the event loop's transport will see the error too
            if not data:
                return  # end of file: left for the transport to notice
            self.data_received(data)
            answer = self.answer
            if answer is None or answer.finished or answer.size:
                return

    def pause(self) -> None:
        if self.alive and self.transport is not None:
            self.transport.pause_reading()

    def resume(self) -> None:
        if self.alive and self.transport is not None:
            self.transport.resume_reading()

    def stop(self) -> None:
        """Ask an idle worker to exit."""
        if self.alive and self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.write(wire.frame(wire.STOP))
            self.transport.close()
        self.alive = False

    def kill(self) -> None:
        self.alive = False
        with contextlib.suppress(Exception):
            self.process.kill()
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.abort()


def _problem(payload: bytes) -> QueryFailed:
    problem = json.loads(payload)
    return QueryFailed(
        problem.pop("status"), problem.pop("type"), problem.pop("title"), problem.pop("detail"),
        **problem,
    )  # fmt: skip


@dataclass
class PoolStats:
    started: int = 0
    killed: int = 0
    timeouts: int = 0
    busy: int = 0
    waiting: int = 0
    respawn_errors: list[str] = field(default_factory=list)


class WorkerPool:
    """``size`` worker processes running ``module`` (``python -m module FD ROOT KEY``; with
    ``plain``, query workers open the plain store ``ROOT/KEY`` instead of a snapshot)."""

    def __init__(
        self, size: int, *, start_timeout: float = 120.0,
        module: str = WORKER_MODULE, plain: bool = False,
    ) -> None:  # fmt: skip
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.start_timeout = start_timeout
        self.module = module
        self.plain = plain
        #: Queue jobs behind busy workers (query workers on a snapshot; not the update
        #: worker, and not the writable store's query workers, which switch views per job).
        self.pipeline = module == WORKER_MODULE and not plain
        #: Workers kept busy with queued jobs before another is woken: one core is the HTTP
        #: process's.
        self.active = max(1, (os.cpu_count() or 2) - 1)
        #: A worker whose current job has run this long takes no more jobs (``STALE_S``).
        self.stale_after = STALE_S
        #: Called after each job that ran (the writable store frees old views there).
        self.after_job: Any = None
        self.root: str | None = None
        self.key: str | None = None
        self.generation = 0
        self.stats = PoolStats()
        self._idle: deque[Worker] = deque()
        self._waiters: deque[asyncio.Future[Worker]] = deque()
        #: Jobs taken back from a worker (stalled or gone) that wait for another one.
        self._moved: deque[Answer] = deque()
        self._stall_timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_submit = 0.0
        self._all: set[Worker] = set()
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
        if self.module == WORKER_MODULE:
            discard_prestarted()  # started for another snapshot than the one now served
        old = list(self._idle)
        self._idle.clear()
        self.root, self.key, self.generation = root, key, generation
        for w in workers:
            self._release(w)  # type: ignore[arg-type]
        for w in old:
            self._stop(w)

    async def close(self) -> None:
        self._closed = True
        if self.module == WORKER_MODULE:
            discard_prestarted()
        for fut in self._waiters:
            if not fut.done():
                fut.set_exception(QueryFailed(503, "shutting-down", "Shutting down",
                                              "the server is shutting down"))  # fmt: skip
        self._waiters.clear()
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        while self._moved:
            self._moved.popleft()._fail(QueryFailed(503, "shutting-down", "Shutting down",
                                                    "the server is shutting down"))  # fmt: skip
        workers = list(self._all)
        for w in workers:
            w.queued.clear()
            if w.head is not None:
                w.kill()
            else:
                w.stop()
        await asyncio.gather(*(asyncio.to_thread(_reap, w.process) for w in workers))
        self._all.clear()
        self._idle.clear()

    async def _spawn(self, root: str, key: str, generation: int) -> Worker:
        """A ready worker for ``key``: one started by ``prestart`` or a new process."""
        waiting = _PRESTARTED.get((root, key)) if self.module == WORKER_MODULE else None
        if waiting:
            process, parent = waiting.pop()
        else:
            args = [root, key, "--plain"] if self.plain else [root, key]
            process, parent = await asyncio.to_thread(_popen, self.module, args)
        loop = asyncio.get_running_loop()
        w = Worker(self, process, generation, key)
        w.fd = parent.fileno()
        await loop.create_unix_connection(lambda: w, sock=parent)
        self._all.add(w)
        self.stats.started += 1
        try:
            await asyncio.wait_for(asyncio.shield(w.ready), self.start_timeout)
        except TimeoutError:
            self._discard(w)
            raise QueryFailed(
                503, "worker-failed", "Query worker failed to start",
                f"a query worker for snapshot {key} did not start within "
                f"{self.start_timeout:g} s",
            ) from None  # fmt: skip
        except BaseException:
            self._discard(w)
            raise
        return w

    def _stop(self, w: Worker) -> None:
        w.stop()
        self._forget(w)

    def _discard(self, w: Worker) -> None:
        w.kill()
        self._forget(w)

    def _forget(self, w: Worker) -> None:
        if w not in self._all:
            return
        self._all.discard(w)
        with contextlib.suppress(ValueError):
            self._idle.remove(w)
        moved = w.take_back()  # jobs queued behind the one it was stopped for
        if moved:
            self._moved.extend(moved)
            self._dispatch()
        self._background(asyncio.to_thread(_reap, w.process))

    def _background(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _replace(self, w: Worker) -> None:
        """Kill a worker in an unknown state (deadline, client gone) and start another."""
        self.stats.killed += 1
        self._discard(w)
        self._respawn_for(w)

    def _lost(self, w: Worker) -> None:
        """A worker's connection ended without us asking (it crashed): replace it."""
        if w not in self._all:
            return
        log.error("query worker %s exited unexpectedly; starting another", w.process.pid)
        self.stats.killed += 1
        self._discard(w)
        self._respawn_for(w)

    def _respawn_for(self, w: Worker) -> None:
        if self._closed or w.generation != self.generation or self.root is None:
            return
        self._background(self._respawn(self.root, self.key or "", self.generation))

    async def _respawn(self, root: str, key: str, generation: int) -> None:
        try:
            w = await self._spawn(root, key, generation)
        except QueryFailed as exc:
            self.stats.respawn_errors.append(exc.detail)
            log.error("could not replace a query worker: %s", exc.detail)
            return
        self._release(w)

    # ----------------------------------------------------------------- running

    def retarget(self, root: str, key: str) -> None:
        """Start replacement workers on ``root/key`` from now on (the live ones are told the
        store with each job)."""
        self.root, self.key = root, key

    def stores_in_use(self) -> set[str]:
        """Stores that live workers have open or are about to open."""
        return {s for w in self._all for s in (w.store, w.next_store) if s}

    def loop_time(self) -> float:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop.time()

    def _freed(self, w: Worker) -> None:
        """A worker finished a job: it is idle now, or has room in its queue."""
        if w.head is None:
            self._release(w)
            return
        if self.after_job is not None:
            self.after_job()
        if self._moved:
            self._dispatch()
        if w.alive and w.generation == self.generation and w.outstanding < DEPTH:
            self._hand_to_waiter(w)

    def _release(self, w: Worker) -> None:
        """A worker is free: hand it to the longest-waiting request, or park it."""
        if self.after_job is not None:
            self.after_job()
        if not w.alive or w not in self._all:
            return
        if self._closed or w.generation != self.generation:
            self._stop(w)
            return
        if w.promised:
            return  # requests it was promised to start their jobs on it; it comes back after
        if self._moved:
            answer = self._moved.popleft()
            w.start(answer, answer.payload)
            return
        if not self._hand_to_waiter(w):
            self._idle.append(w)

    def _hand_to_waiter(self, w: Worker) -> bool:
        """Give ``w`` to the longest-waiting request still waiting; False: nobody waits."""
        waiters = self._waiters
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                w.promised += 1
                fut.set_result(w)
                return True
        return False

    def _pick(self) -> Worker | None:
        """The worker for a new job when queueing is on: an idle one while fewer than
        ``active`` workers are busy and fresh, else the least loaded busy, fresh one with
        room in its queue; None: wait."""
        now = self.loop_time()
        generation, stale = self.generation, self.stale_after
        fresh = [w for w in self._all if w.head is not None and w.alive
                 and w.generation == generation and now - w.head_started < stale]  # fmt: skip
        idle = self._idle
        if len(fresh) < self.active:
            while idle:
                w = idle.pop()  # the most recently used: its caches are warm
                if w.alive:
                    return w
        best: Worker | None = None
        for w in fresh:
            if w.outstanding < DEPTH and (best is None or w.outstanding < best.outstanding):
                best = w
        if best is not None:
            self._watch()
        return best

    def _watch(self) -> None:
        """Check for stalled workers soon (while jobs are queued or waiting)."""
        if self._stall_timer is None:
            self._stall_timer = asyncio.get_running_loop().call_later(
                self.stale_after, self._stalls)

    def _stalls(self) -> None:
        """Jobs queued behind a job that has run for ``STALE_S`` go to other workers, and
        so do waiting requests when idle workers are left."""
        self._stall_timer = None
        now = self.loop_time()
        for w in list(self._all):
            if w.queued and now - w.head_started >= self.stale_after:
                self._moved.extend(w.take_back())
        self._dispatch()
        if self._moved or self._waiters or any(w.queued for w in self._all):
            self._watch()

    def _dispatch(self) -> None:
        """Give moved jobs, then waiting requests, to the workers ``_pick`` chooses."""
        waiters = self._waiters
        while self._moved or waiters:
            w = self._pick()
            if w is None:
                break
            if self._moved:
                answer = self._moved.popleft()
                w.start(answer, answer.payload)
                continue
            fut = waiters.popleft()
            if not fut.done():
                w.promised += 1
                fut.set_result(w)
            elif w.head is None and not w.promised:
                self._idle.append(w)

    async def _acquire(self, deadline: float, timeout: float) -> Worker:
        idle = self._idle
        if self.pipeline:
            picked = self._pick()
            if picked is not None:
                picked.promised += 1
                return picked
            self._watch()
        while idle and not self.pipeline:
            w = idle.pop()  # the most recently used: its caches are warm
            if w.alive:
                w.promised += 1
                return w
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Worker] = loop.create_future()
        self._waiters.append(fut)
        timer = loop.call_at(deadline, _expire_waiter, fut, timeout)
        self.stats.waiting += 1
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                w = fut.result()  # handed over just as we were cancelled
                w.promised -= 1
                if w.head is None:
                    self._release(w)
            raise
        finally:
            self.stats.waiting -= 1
            timer.cancel()

    def workers_alive(self) -> int:
        return len(self._all)

    def describe(self) -> dict[str, int]:
        """The workers' part of ``/admin/status``."""
        stats = self.stats
        return {"configured": self.size, "alive": len(self._all), "busy": stats.busy,
                "waiting": stats.waiting, "killed": stats.killed}  # fmt: skip

    async def submit(self, job: Job, timeout: float) -> Answer:
        """Start ``job`` on a worker and return its ``Answer``.

        The deadline covers waiting for a worker too: past it, a waiting job gets ``busy``
        and a running one is killed with its worker (``query-timeout``).
        """
        if not self.ready:
            raise QueryFailed(503, "not-ready", "Not ready", "no snapshot is loaded yet")
        if not (math.isfinite(timeout) and timeout > 0):  # a job never starts without one
            raise ValueError(f"a job needs a finite, positive deadline, not {timeout!r}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        payload = job.payload()
        while True:
            w = await self._acquire(deadline, timeout)
            w.promised -= 1
            if w.alive:
                break
        answer = Answer(self, timeout)
        answer.payload = payload
        answer.deadline = deadline
        self.stats.busy += 1
        w.start(answer, payload, getattr(job, "store", None))
        answer._timer = loop.call_at(deadline, answer._expire)
        now = loop.time()
        idle, self._last_submit = now - self._last_submit > IDLE_S, now
        if idle and SPIN_S and self.stats.busy == 1 and w.head is answer:
            w.poll(SPIN_S)
        return answer

    async def collect(self, job: Job, timeout: float) -> bytes:
        """The whole answer as bytes (for small internal queries: VoID, statistics)."""
        answer = await self.submit(job, timeout)
        try:
            parts = []
            while (chunk := await answer.next()) is not None:
                parts.append(chunk)
        finally:
            answer.abandon()
        return b"".join(parts)


def _popen(module: str, args: list[str]) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start ``python -m module FD *args`` with one end of a socket pair as FD.

    A plain subprocess, not multiprocessing: nothing of the parent (its ``__main__``, its
    threads, its event loop) is inherited or re-imported, whoever embeds the server."""
    parent, child = socket.socketpair()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(child.fileno()), *args],
            pass_fds=(child.fileno(),),
            env=child_environment(),
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C on the terminal is the server's to handle
        )
    except BaseException:
        parent.close()
        raise
    finally:
        child.close()
    return process, parent


#: Query workers bound their data segment (heap and anonymous mappings) to this many MiB.
MEMORY_VARIABLE = "MILGRAPH_WORKER_MEMORY_MB"
#: Variables a child process (query worker, update worker, rebuild) never needs and must
#: not hold: the admin token, and the server configuration that repeats it.
SECRET_VARIABLES = ("MILGRAPH_ADMIN_TOKEN", "MILGRAPH_SERVER_CONFIG")


def child_environment() -> dict[str, str]:
    """This process's environment without ``SECRET_VARIABLES``."""
    return {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}


#: Workers started before the event loop, by snapshot (root, key): see ``prestart``.
_PRESTARTED: dict[tuple[str, str], list[tuple[subprocess.Popen[bytes], socket.socket]]] = {}


def prestart(root: str, key: str, count: int) -> None:
    """Start ``count`` workers for a snapshot right away, before the web stack is imported.

    ``milgraph serve`` calls this first, so that the workers open the snapshot while the
    server process imports FastAPI and builds the app (start-up time is the longer of the
    two, not their sum). The pool adopts them when it starts serving that snapshot; any left
    over are stopped."""
    started = _PRESTARTED.setdefault((root, key), [])
    for _ in range(count):
        started.append(_popen(WORKER_MODULE, [root, key]))


def discard_prestarted() -> None:
    for started in _PRESTARTED.values():
        for process, parent in started:
            parent.close()  # the worker sees the end of its socket and exits
            with contextlib.suppress(Exception):
                process.kill()
                process.wait(3)
    _PRESTARTED.clear()


def _expire_waiter(fut: asyncio.Future[Worker], timeout: float) -> None:
    if not fut.done():
        fut.set_exception(_busy(timeout))


def _reap(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Wait for a worker to exit (killing it after ``grace`` seconds) so no zombie is left."""
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def default_pool_size() -> int:
    return max(2, os.cpu_count() or 2)
