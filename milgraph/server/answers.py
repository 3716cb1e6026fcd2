"""Answering a query: cache and ETag, the worker pool, and writing the reply.

``answer`` is the one place a query becomes a ``Reply`` (304, cached, complete, or streamed),
for ``/sparql`` and the named queries alike. A reply is written either straight to ASGI
(``send_reply``: the ``/sparql`` fast path) or as a Starlette response (``as_response``:
routes that go through FastAPI).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response, StreamingResponse

from milgraph.namespaces import OUTPUT_PREFIXES
from milgraph.server.backend import RemoteAnswer
from milgraph.server.cache import CachedAnswer
from milgraph.server.formats import Format
from milgraph.server.options import QueryOptions
from milgraph.server.pool import Answer, Job, PoolError
from milgraph.server.problems import Problem, problem_for
from milgraph.server.sparql_text import QueryInfo, excerpt
from milgraph.server.state import ServerState

log = logging.getLogger("milgraph.server")

VARY = "Accept, Accept-Encoding"
#: Bodies at least this large are gzipped for clients that accept it.
GZIP_MIN_BYTES = 1000
GZIP_LEVEL = 5


@dataclass(slots=True)
class Reply:
    """An HTTP answer before it is written: status, headers and either a body or the body's
    beginning plus the running ``answer`` that produces the rest (a streamed answer)."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    media_type: str | None = None
    answer: Answer | RemoteAnswer | None = None
    head: list[bytes] = field(default_factory=list)

    @classmethod
    def of_problem(cls, problem: Problem, request_id: str | None) -> Reply:
        response = problem.response(request_id)
        return cls.of_response(response)

    @classmethod
    def of_response(cls, response: Response) -> Reply:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in response.raw_headers
                   if k not in (b"content-length", b"content-type")}  # fmt: skip
        media = response.headers.get("content-type")
        return cls(response.status_code, headers, bytes(response.body), media)


# --------------------------------------------------------------------------- answering


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


async def answer(
    state: ServerState,
    *,
    query: str,
    info: QueryInfo,
    options: QueryOptions,
    fmt: Format,
    endpoint: str,
    timeout: float,
    if_none_match: str | None = None,
) -> Reply:
    """Run a query on the pool and answer it: 304, cached, complete, or streamed.

    ``query`` is the client's text (for error excerpts); the engine runs ``info.text``, its
    canonical form (``sparql_text``). Raises ``Problem`` (a pool's error mapped) for anything but
    a 200/304 answer."""
    manager = state.manager
    served = manager.served
    if served is None or not state.pool.ready:
        raise not_ready(state)
    manager.check_options(options)
    metrics = state.metrics
    start = time.perf_counter()
    headers = {"Vary": VARY, "X-Snapshot": served.key, "Cache-Control": "no-cache"}
    cache_key: tuple[Any, ...] | None = None
    text = info.text
    if not info.volatile:
        key = options.cache_key()
        key_text = options.key_text
        if options.as_of:  # the day's graphs, not the day: one entry for a whole epoch
            key = (*key[:-1], epoch_graphs(state, served.key, served.manifest, options.as_of))
            key_text = repr(key)
        cache_key = (served.key, text, key, fmt.name)
        request_text = f"{text}\0{key_text}\0{fmt.name}"
        digest = hashlib.blake2b(request_text.encode(), digest_size=12).hexdigest()
        etag = f'W/"{served.key[:16]}-{digest}"'
        headers["ETag"] = etag
        if _etag_matches(if_none_match, etag):
            metrics.not_modified.inc()
            metrics.answered(endpoint, "304")
            return Reply(304, headers)
        if state.cache.max_bytes:
            cached = state.cache.get(cache_key)
            if cached is not None:
                metrics.cache_lookup("hit")
                metrics.answered(endpoint, "200", time.perf_counter() - start)
                return Reply(200, headers, cached.body, cached.content_type)
            metrics.cache_lookup("miss")
    else:
        headers["Cache-Control"] = "no-store"

    job = Job(
        text, options, fmt.name, state.config.max_result_bytes,
        OUTPUT_PREFIXES if fmt.name in ("turtle", "trig") else None, manager.store_path,
    )  # fmt: skip
    running: Answer | RemoteAnswer | None = None
    try:
        running = await state.pool.submit(job, timeout)
        complete = await running.first(state.config.stream_threshold)
    except PoolError as exc:
        if running is not None:
            running.abandon()
        problem = problem_for(exc)
        count_failure(state, endpoint, problem)
        raise with_excerpt(problem, query, info) from None
    except BaseException:  # cancelled while waiting: never leave a worker on a dead request
        if running is not None:
            running.abandon()
        raise
    metrics.answered(endpoint, "200", time.perf_counter() - start)
    if complete:
        body = running.body()
        if cache_key is not None and state.cache.max_bytes:
            state.cache.put(cache_key, CachedAnswer(body, fmt.content_type, headers.get("ETag")))
        return Reply(200, headers, body, fmt.content_type)
    head = list(running.chunks)
    running.chunks.clear()
    running.size = 0
    return Reply(200, headers, b"", fmt.content_type, running, head)


def epoch_graphs(state: ServerState, key: str, manifest: dict[str, Any], as_of: str) -> Any:
    """The graphs whose union is the view as of ``as_of`` (``temporal.graphs_as_of``, from
    the manifest's boundaries, read once per snapshot): the days of one epoch share them, so
    a dashboard sweeping dates within one hits the cache and revalidates by ETag. A snapshot
    without views keys by the day (the worker then answers its error)."""
    from datetime import date

    from milgraph.temporal.dates import day
    from milgraph.temporal.segments import graphs_for_day

    bounds = state.epochs.get(key)
    if bounds is None:
        raw = (manifest.get("temporal") or {}).get("boundaries")
        if not isinstance(raw, list):
            return as_of
        bounds = [day(date.fromisoformat(b)) for b in raw]
        state.epochs = {key: bounds}  # one snapshot is served at a time
    return tuple(graphs_for_day(bounds, day(date.fromisoformat(as_of))))


def count_failure(state: ServerState, endpoint: str, exc: Problem) -> None:
    state.metrics.answered(endpoint, str(exc.status))
    state.metrics.failed(exc.type)
    if exc.type == "query-timeout":
        state.metrics.timeouts.inc()
    if exc.type in ("query-timeout", "worker-crashed"):
        state.metrics.workers_killed.inc()


def with_excerpt(exc: Problem, query: str, info: QueryInfo | None = None) -> Problem:
    """The engine's error position, which is in the canonical text, as a position in the
    client's ``query``, with an excerpt of it."""
    line, column = exc.extra.get("line"), exc.extra.get("column")
    if info is not None and line and column:
        line, column = info.source_position(line, column)
        exc.extra["line"], exc.extra["column"] = line, column
    if exc.type in ("malformed-query", "malformed-update") and line and column:
        what = "update" if exc.type == "malformed-update" else "query"
        exc.detail = f"malformed {what} at line {line}, column {column}: {exc.detail}"
        snippet = excerpt(query, line, column)
        if snippet:
            exc.extra["excerpt"] = snippet
    return exc


def not_ready(state: ServerState) -> Problem:
    last = state.manager.last
    if last is not None and not last.ok and state.manager.served is None:
        return Problem(
            503, "not-ready", "No snapshot loaded",
            f"the snapshot could not be loaded: {last.error}", problems=last.problems,
            headers={"Retry-After": "30"},
        )  # fmt: skip
    return Problem(503, "not-ready", "Not ready", "the snapshot is still loading; retry shortly",
                   headers={"Retry-After": "2"})  # fmt: skip


# --------------------------------------------------------------------------- writing


def _streamed(reply: Reply, state: ServerState | None, endpoint: str) -> AsyncIterator[bytes]:
    """The chunks of a streamed reply; a failure after the headers is re-raised so that the
    connection ends without the final chunk (a broken transfer, never a complete-looking
    truncated answer)."""

    async def chunks() -> AsyncIterator[bytes]:
        running = reply.answer
        assert running is not None
        try:
            for first in reply.head:
                yield first
            reply.head = []
            while (chunk := await running.next()) is not None:
                yield chunk
        except PoolError as exc:
            if state is not None:
                count_failure(state, endpoint, problem_for(exc))
            log.warning("streamed answer aborted: %s", exc.detail)
            raise
        finally:
            running.abandon()

    return chunks()


def as_response(reply: Reply, state: ServerState, endpoint: str) -> Response:
    """The reply as a Starlette response (for routes served by FastAPI)."""
    if reply.answer is None:
        return Response(reply.body, reply.status, reply.headers, media_type=reply.media_type)
    return StreamingResponse(_streamed(reply, state, endpoint), reply.status, reply.headers,
                             media_type=reply.media_type)  # fmt: skip


def _raw_headers(reply: Reply, extra: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    if reply.media_type:
        raw.append((b"content-type", reply.media_type.encode("latin-1")))
    raw.extend(extra)
    return raw


async def send_reply(
    reply: Reply, send: Any, receive: Any, *, gzip: bool, state: ServerState, endpoint: str
) -> None:
    """Write a reply with ASGI messages: one start and one body for a complete answer; for a
    streamed one, chunks while a watcher stops the worker if the client goes away."""
    if reply.answer is None:
        body = reply.body
        extra: list[tuple[bytes, bytes]] = []
        if gzip and reply.status == 200 and len(body) >= GZIP_MIN_BYTES:
            body = _gzip(body)
            extra.append((b"content-encoding", b"gzip"))
        if reply.status != 304:
            extra.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": _raw_headers(reply, extra)})  # fmt: skip
        await send({"type": "http.response.body", "body": body})
        return

    running = reply.answer
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if gzip else None
    extra = [(b"content-encoding", b"gzip")] if compressor else []
    watcher = asyncio.get_running_loop().create_task(_watch_disconnect(receive, running))
    try:
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": _raw_headers(reply, extra)})  # fmt: skip
        async for chunk in _streamed(reply, state, endpoint):
            data = compressor.compress(chunk) if compressor else chunk
            if data:
                await send({"type": "http.response.body", "body": data, "more_body": True})
        tail = compressor.flush() if compressor else b""
        await send({"type": "http.response.body", "body": tail, "more_body": False})
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _watch_disconnect(receive: Any, running: Answer | RemoteAnswer) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            running.abandon()
            return


def _gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()
