"""The query backend of ``serve --backend URL``: queries answered by a remote SPARQL 1.1 store.

The worker pool exists because the embedded store cannot be interrupted; a remote store can:
closing its connection stops the transfer, and its own timeout parameter stops the work
(``store.sparql``). So a :class:`RemoteBackend` stands where the pool stands (``submit`` a
job, get an answer that ``first``/``next``/``abandon`` like the pool's) and runs each job in a
thread of its own: the thread sends the query, parses the store's answer with pyoxigraph and
serialises it in the client's format with the worker's own code (``worker.run_job``), so the
bytes are the embedded server's. The event loop only moves chunks.

The local snapshot directory still gives what is not triples (manifest, provenance, the day
sets of ``asOf``); the remote store must hold that same snapshot, published by
``milgraph publish`` (checked by key on every switch: a store holding another one is refused).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import threading
from collections import deque
from pathlib import Path
from typing import Any

from milgraph.server.pool.core import HIGH_WATER, LOW_WATER, Job
from milgraph.server.pool.errors import (
    ClientGone,
    JobFailed,
    NotReady,
    PoolError,
    QueryTimeout,
    SnapshotUnavailable,
)
from milgraph.server.wire import DATA, END, ERROR, HEADER, decode_job, error
from milgraph.store.snapshot import Snapshot, open_snapshot
from milgraph.store.sparql import (
    RemoteAuthFailed,
    RemoteCancelled,
    RemoteDeadlineExceeded,
    RemoteQueryFailed,
    RemoteStoreError,
    RemoteTruncated,
    RemoteUnreachable,
    SparqlClient,
    SparqlStore,
    Streams,
    read_publication,
    streams,
)


def remote_error(exc: Exception) -> bytes:
    """The problem document of an error the remote store gave (``worker.run_job``'s hook)."""
    if isinstance(exc, RemoteDeadlineExceeded):
        return error(503, "query-timeout", "Query timed out", str(exc),
                     timeout=exc.seconds, by=exc.by)  # fmt: skip
    if isinstance(exc, RemoteTruncated):
        return error(502, "remote-truncated", "Remote answer truncated", str(exc),
                     rows=exc.rows)  # fmt: skip
    if isinstance(exc, RemoteUnreachable):
        return error(502, "backend-unreachable", "Backend unreachable", str(exc))
    if isinstance(exc, RemoteAuthFailed):
        return error(502, "backend-refused", "Backend refused the server", str(exc))
    if isinstance(exc, RemoteQueryFailed):
        status = 400 if exc.status == 400 else 502
        return error(status, "backend-failed", "Backend failed the query", str(exc))
    if isinstance(exc, RemoteStoreError):
        return error(502, "backend-failed", "Backend failed the query", str(exc))
    status = 500 if isinstance(exc, OSError) else 422
    return error(status, "evaluation-error", "Query evaluation failed",
                 str(exc) or type(exc).__name__)  # fmt: skip


class RemoteAnswer:
    """One job's answer as its thread produces it (the pool's ``Answer``, for a thread).

    The thread's frames arrive on the event loop (``call_soon_threadsafe``); past
    ``HIGH_WATER`` buffered bytes the thread waits until the client has taken them.
    ``abandon`` and the deadline close the remote connection (``Streams.cancel``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self._loop = loop
        self.timeout = timeout
        self.streams = Streams(timeout)
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.done = False
        self.error: PoolError | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._room = threading.Event()
        self._room.set()
        self._timer = loop.call_later(timeout, self._expire)

    # -- the thread's side

    def sendall(self, data: bytes, /) -> None:
        """One frame from ``run_job`` (a FrameSink); blocks while the buffer is full."""
        if self.streams.cancelled:
            raise RemoteCancelled("the answer was abandoned", "(client)")
        kind, _ = HEADER.unpack_from(data)
        payload = bytes(data[HEADER.size :])
        if kind == DATA:
            self._room.wait(self.timeout)
        self._loop.call_soon_threadsafe(self._frame, kind, payload)

    # -- the event loop's side

    def _frame(self, kind: int, payload: bytes) -> None:
        if self.finished:
            return
        if kind == ERROR:
            self._fail(JobFailed(json.loads(payload)))
            return
        if payload:
            self.chunks.append(payload)
            self.size += len(payload)
            if self.size > HIGH_WATER:
                self._room.clear()
        if kind == END:
            self.done = True
            self._settle()
        self._wake()

    def _fail(self, exc: PoolError) -> None:
        if self.finished:
            return
        self.error = exc
        self.chunks.clear()
        self.streams.cancel()
        self._room.set()
        self._settle()
        self._wake()

    def _settle(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self._fail(QueryTimeout(self.timeout))

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self) -> None:
        self._waiter = self._loop.create_future()
        await self._waiter

    @property
    def finished(self) -> bool:
        return self.done or self.error is not None

    async def first(self, threshold: int) -> bool:
        while not self.done and self.error is None and self.size < threshold:
            await self._wait()
        if self.error is not None:
            raise self.error
        return self.done

    def body(self) -> bytes:
        body = b"".join(self.chunks)
        self.chunks.clear()
        self.size = 0
        self._room.set()
        return body

    async def next(self) -> bytes | None:
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
        if self.size < LOW_WATER:
            self._room.set()
        return chunk

    def abandon(self) -> None:
        if not self.finished:
            self._fail(ClientGone("the client closed the connection"))


class RemoteBackend:
    """Answers jobs from a remote SPARQL 1.1 store in ``threads`` threads (the pool's face:
    ``ready``, ``switch``, ``submit``, ``collect``, ``describe``, ``close``)."""

    def __init__(self, url: str, *, user: str | None, password: str | None, threads: int,
                 timeout: float) -> None:  # fmt: skip
        self.url = url
        self.client = SparqlClient(url, user=user, password=password, timeout=timeout)
        self.size = threads
        self._executor = concurrent.futures.ThreadPoolExecutor(threads, "milgraph-remote")
        self.snapshot: Snapshot | None = None
        self.key: str | None = None
        self.busy = 0
        self._closed = False

    @property
    def ready(self) -> bool:
        return self.snapshot is not None and not self._closed

    async def start(self, root: str, key: str) -> None:
        await self.switch(root, key)

    async def switch(self, root: str, key: str) -> None:
        """Serve snapshot ``key`` of ``root`` from the remote store, which must hold it."""
        loop = asyncio.get_running_loop()
        try:
            publication = await loop.run_in_executor(self._executor, read_publication,
                                                     self.client)  # fmt: skip
        except RemoteStoreError as exc:
            raise SnapshotUnavailable(f"the backend store cannot be read: {exc}") from None
        fix = f"run 'milgraph publish --store {root} --to {self.client.query_url}'"
        if publication is None:
            raise SnapshotUnavailable(f"the backend store at {self.client.query_url} holds no "
                                      f"published snapshot: {fix}")  # fmt: skip
        if publication.key != key:
            raise SnapshotUnavailable(
                f"the backend store holds snapshot {publication.key}, not {key} (the one in "
                f"{root}): {fix}, or serve the snapshot that was published"
            )
        store = SparqlStore(self.client, publication.dataset)
        try:
            snapshot = open_snapshot(Path(root), key, store=lambda _path: store)
        except Exception as exc:
            raise SnapshotUnavailable(str(exc)) from None
        self.snapshot, self.key = snapshot, key

    def workers_alive(self) -> int:
        return self.size if self.ready else 0

    def describe(self) -> dict[str, Any]:
        return {"configured": self.size, "alive": self.workers_alive(), "busy": self.busy,
                "backend": self.client.query_url}  # fmt: skip

    async def submit(self, job: Job, timeout: float) -> RemoteAnswer:
        snapshot = self.snapshot
        if snapshot is None or self._closed:
            raise NotReady("no snapshot is loaded yet")
        loop = asyncio.get_running_loop()
        answer = RemoteAnswer(loop, timeout)
        self.busy += 1
        future = loop.run_in_executor(self._executor, _run, snapshot, job.payload(), answer)
        future.add_done_callback(lambda _f: self._done())
        return answer

    def _done(self) -> None:
        self.busy -= 1

    async def collect(self, job: Job, timeout: float) -> bytes:
        answer = await self.submit(job, timeout)
        try:
            parts = []
            while (chunk := await answer.next()) is not None:
                parts.append(chunk)
        finally:
            answer.abandon()
        return b"".join(parts)

    async def close(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.client.close()


def _run(snapshot: Snapshot, payload: bytes, answer: RemoteAnswer) -> None:
    """A job in a backend thread (nothing to do once it was abandoned or timed out)."""
    from milgraph.server.worker import run_job

    if answer.streams.cancelled:
        return
    with streams(answer.streams), contextlib.suppress(RemoteCancelled):
        run_job(snapshot, decode_job(payload), answer, remote_error)
