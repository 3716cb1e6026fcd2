"""The HTTP application: SPARQL 1.1 protocol, named queries, descriptions, health, admin.

Nothing here evaluates a query: every query goes to the worker pool, so the event loop only
parses requests and copies bytes, and one slow query cannot delay another.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse, Response, StreamingResponse

from milgraph import __version__
from milgraph.analysis_http import make_router, served_snapshot
from milgraph.server import describe
from milgraph.server.cache import CachedAnswer, ResponseCache
from milgraph.server.config import ServerConfig
from milgraph.server.formats import (
    GRAPH_FORMATS,
    NAMED_FORMATS,
    SOLUTION_FORMATS,
    Format,
    NotAcceptable,
    negotiate,
)
from milgraph.server.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from milgraph.server.metrics import Metrics
from milgraph.server.middleware import RequestContext
from milgraph.server.named import NamedQuery, load_named_queries, openapi_parameters
from milgraph.server.options import OptionError, QueryOptions
from milgraph.server.pool import Job, QueryFailed, WorkerPool, default_pool_size
from milgraph.server.problems import Problem
from milgraph.server.snapshots import Served, SnapshotManager
from milgraph.server.sparql_text import QueryInfo, excerpt, inspect_query, service_allowed

log = logging.getLogger("milgraph.server")

VARY = "Accept, Accept-Encoding"
QUERY_MEDIA = "application/sparql-query"
FORM_MEDIA = "application/x-www-form-urlencoded"
UPDATE_MEDIA = "application/sparql-update"
#: Prefixes written into Turtle/TriG answers (CONSTRUCT/DESCRIBE) to keep them readable.
OUTPUT_PREFIXES = {
    "mil": "https://w3id.org/milgraph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class ServerState:
    """Everything a request handler needs; one per app."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool = WorkerPool(config.query_workers or default_pool_size())
        self.manager = SnapshotManager(config, self.pool)
        self.cache = ResponseCache(config.cache_bytes, config.cache_entry_bytes)
        self.metrics = Metrics()
        self.named: dict[str, NamedQuery] = load_named_queries(config.queries_dir)
        self.named_info: dict[str, QueryInfo] = {
            name: inspect_query(nq.text) for name, nq in self.named.items()
        }
        self.void_cache: dict[str, bytes] = {}
        self.load_task: asyncio.Task[Any] | None = None
        self.manager.listeners.append(self._on_switch)

    def _on_switch(self, served: Served) -> None:
        self.cache.clear()
        self.void_cache.clear()
        counts = served.manifest.get("counts", {})
        self.metrics.snapshot.clear()
        self.metrics.snapshot.labels(served.key).set(1)
        for kind in ("asserted", "inferred", "total"):
            if kind in counts:
                self.metrics.triples.labels(kind).set(counts[kind])


def _state(request: Request) -> ServerState:
    return request.app.state.milgraph


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


# --------------------------------------------------------------------------- app factory


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """A ready-to-run ASGI app; the snapshot loads in the background (see ``/health``)."""
    config = config or ServerConfig()
    state = ServerState(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        state.load_task = loop.create_task(state.manager.reload())
        hup = False
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, _sighup, state)
            hup = True
        try:
            yield
        finally:
            if hup:
                with contextlib.suppress(Exception):
                    loop.remove_signal_handler(signal.SIGHUP)
            if state.load_task and not state.load_task.done():
                state.load_task.cancel()
            await state.pool.close()

    app = FastAPI(
        title="milgraph SPARQL service",
        version=__version__,
        summary="Military-diplomacy relationships between nations, reasoned, over SPARQL 1.1.",
        description=(
            "SPARQL 1.1 Query protocol at `/sparql` (read-only), named parameterised queries "
            "under `/api/queries/`, a service description (GET `/sparql` without a query) and "
            "VoID statistics (`/void`). See docs/http.md."
        ),
        lifespan=lifespan,
    )
    app.state.milgraph = state
    _install_error_handlers(app)
    _install_routes(app, state)
    app.include_router(make_router(served_snapshot))
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_credentials=False,  # never: an allow-listed origin gets data, not cookies
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "If-None-Match", "Authorization"],
            expose_headers=["ETag", "X-Request-ID", "X-Snapshot"],
            max_age=600,
        )
    app.add_middleware(RequestContext, max_body_bytes=config.max_body_bytes)
    return app


def _sighup(state: ServerState) -> None:
    log.info("SIGHUP: reloading the snapshot")
    asyncio.get_running_loop().create_task(state.manager.reload())


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def problem_handler(request: Request, exc: Problem) -> Response:
        return exc.response(_request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_handler(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        problem = Problem(
            exc.status_code, "http-" + str(exc.status_code),
            titles.get(exc.status_code, "HTTP error"), str(exc.detail),
            headers=dict(exc.headers or {}),
        )  # fmt: skip
        return problem.response(_request_id(request))

    @app.exception_handler(RequestValidationError)
    async def validation_handler(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}"
            for err in exc.errors()
        )
        return Problem(400, "bad-request", "Bad request", detail).response(_request_id(request))

    @app.exception_handler(Exception)
    async def crash_handler(request: Request, exc: Exception) -> Response:
        rid = _request_id(request)
        log.error("request %s failed", rid, exc_info=exc)
        return Problem(
            500, "internal-error", "Internal server error",
            "the server failed to answer; the operator can find the cause in the log under "
            f"request id {rid}",
        ).response(rid)  # fmt: skip


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
    request: Request,
    *,
    query: str,
    info: QueryInfo,
    options: QueryOptions,
    fmt: Format,
    endpoint: str,
    timeout: float,
) -> Response:
    """Run a query on the pool and answer it: 304, cached, complete, or streamed."""
    served = state.manager.served
    if served is None or not state.pool.ready:
        raise _not_ready(state)
    metrics = state.metrics
    start = time.perf_counter()
    headers = {"Vary": VARY, "X-Snapshot": served.key, "Cache-Control": "no-cache"}
    cache_key: tuple[Any, ...] | None = None
    if not info.volatile:
        cache_key = (served.key, query, options.cache_key(), fmt.name)
        digest = hashlib.blake2b(repr(cache_key[1:]).encode(), digest_size=12).hexdigest()
        etag = f'W/"{served.key[:16]}-{digest}"'
        headers["ETag"] = etag
        if _etag_matches(request.headers.get("if-none-match"), etag):
            metrics.not_modified.inc()
            metrics.queries.labels(endpoint, "304").inc()
            return Response(status_code=304, headers=headers)
        cached = state.cache.get(cache_key)
        if cached is not None:
            metrics.cache.labels("hit").inc()
            metrics.queries.labels(endpoint, "200").inc()
            metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
            return Response(cached.body, 200, headers, media_type=cached.content_type)
        metrics.cache.labels("miss").inc()
    else:
        headers["Cache-Control"] = "no-store"

    job = Job(
        query, options, fmt.name, state.config.max_result_bytes,
        OUTPUT_PREFIXES if fmt.name in ("turtle", "trig") else None,
    )  # fmt: skip
    stream = state.pool.stream(job, timeout).__aiter__()
    buffered: list[bytes] = []
    size = 0
    complete = False
    try:
        while True:
            try:
                chunk = await stream.__anext__()
            except StopAsyncIteration:
                complete = True
                break
            buffered.append(chunk)
            size += len(chunk)
            if size >= state.config.stream_threshold:
                break
    except QueryFailed as exc:
        _count_failure(state, endpoint, exc)
        raise _with_excerpt(exc, query, getattr(request.state, "base_offset", 0)) from None
    if complete:
        body = b"".join(buffered)
        if cache_key is not None:
            state.cache.put(cache_key, CachedAnswer(body, fmt.content_type, headers.get("ETag")))
        metrics.queries.labels(endpoint, "200").inc()
        metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
        return Response(body, 200, headers, media_type=fmt.content_type)

    metrics.queries.labels(endpoint, "200").inc()
    metrics.latency.labels(endpoint).observe(time.perf_counter() - start)

    async def body() -> AsyncIterator[bytes]:
        try:
            for chunk in buffered:
                yield chunk
            buffered.clear()
            async for chunk in stream:
                yield chunk
        except QueryFailed as exc:
            # Headers (200) are gone: end the connection without the final chunk, so the
            # client sees a broken transfer, never a complete-looking truncated answer.
            _count_failure(state, endpoint, exc)
            log.warning("streamed answer aborted: %s", exc.detail)
            raise
        finally:
            await stream.aclose()  # type: ignore[attr-defined]

    return StreamingResponse(body(), 200, headers, media_type=fmt.content_type)


def _count_failure(state: ServerState, endpoint: str, exc: QueryFailed) -> None:
    state.metrics.queries.labels(endpoint, str(exc.status)).inc()
    state.metrics.errors.labels(exc.type).inc()
    if exc.type == "query-timeout":
        state.metrics.timeouts.inc()
    if exc.type in ("query-timeout", "worker-crashed"):
        state.metrics.workers_killed.inc()


def _with_excerpt(exc: QueryFailed, query: str, offset: int = 0) -> QueryFailed:
    line, column = exc.extra.get("line"), exc.extra.get("column")
    if offset:  # a BASE was put in front of line 1: report positions in the client's text
        query = query[offset:]
        if line == 1 and column:
            column = max(1, column - offset)
            exc.extra["column"] = column
    if exc.type == "malformed-query" and line and column:
        exc.detail = f"malformed query at line {line}, column {column}: {exc.detail}"
        snippet = excerpt(query, line, column)
        if snippet:
            exc.extra["excerpt"] = snippet
    return exc


def _not_ready(state: ServerState) -> Problem:
    last = state.manager.last
    if last is not None and not last.ok and state.manager.served is None:
        return Problem(
            503, "not-ready", "No snapshot loaded",
            f"the snapshot could not be loaded: {last.error}", problems=last.problems,
            headers={"Retry-After": "30"},
        )  # fmt: skip
    return Problem(503, "not-ready", "Not ready", "the snapshot is still loading; retry shortly",
                   headers={"Retry-After": "2"})  # fmt: skip


def _timeout(state: ServerState, raw: str | None) -> float:
    limit = state.config.query_timeout
    if raw is None or raw == "":
        return limit
    try:
        value = float(raw)
    except ValueError:
        raise Problem(400, "bad-parameter", "Bad parameter",
                      f"timeout={raw!r} must be a number of seconds") from None  # fmt: skip
    if value <= 0:
        raise Problem(400, "bad-parameter", "Bad parameter", "timeout must be positive")
    return min(value, limit)


def _check_safety(state: ServerState, info: QueryInfo) -> None:
    if info.update:
        raise Problem(
            403, "read-only", "Updates are not accepted",
            f"this endpoint is read-only: {info.update} and other SPARQL Update operations "
            "are refused. Change the curated files in data/ and reload the snapshot instead.",
        )  # fmt: skip
    allowed = state.config.allowed_service_hosts
    for target in info.services:
        if not service_allowed(target, allowed):
            what = f"SERVICE <{target}>" if target else "SERVICE with a variable endpoint"
            hint = (
                "no remote endpoint is allowed on this server"
                if not allowed
                else f"allowed hosts: {', '.join(sorted(allowed))}"
            )
            raise Problem(
                403, "service-not-allowed", "Federated query refused",
                f"{what} is not allowed: the server only calls endpoints whose host is on its "
                f"allow-list (--allow-service-host); {hint}",
            )  # fmt: skip


# --------------------------------------------------------------------------- routes


SPARQL_OPENAPI: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "schema": {"type": "string"},
         "description": "SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without it, GET "
                        "answers the service description."},
        {"name": "default-graph-uri", "in": "query", "schema": {"type": "array",
         "items": {"type": "string"}}, "style": "form", "explode": True,
         "description": "Graph(s) forming the default graph (dataset = exactly the given "
                        "graphs)."},
        {"name": "named-graph-uri", "in": "query", "schema": {"type": "array",
         "items": {"type": "string"}}, "style": "form", "explode": True,
         "description": "Graph(s) available to GRAPH."},
        {"name": "inference", "in": "query", "schema": {"type": "boolean", "default": True},
         "description": "false: query asserted triples only (no reasoning results)."},
        {"name": "asOf", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "Answer from the graph as it stood on this day (YYYY-MM-DD): "
                        "memberships, party status and derived relations valid then."},
        {"name": "format", "in": "query", "schema": {"type": "string"},
         "description": "Result format overriding Accept: json, xml, csv, tsv (SELECT/ASK); "
                        "turtle, ntriples, nquads, jsonld, rdfxml, trig (CONSTRUCT/DESCRIBE)."},
        {"name": "timeout", "in": "query", "schema": {"type": "number"},
         "description": "Deadline in seconds (at most the server's --query-timeout)."},
    ],
    "requestBody": {
        "required": False,
        "content": {
            FORM_MEDIA: {"schema": {"type": "object", "properties": {
                "query": {"type": "string"},
                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}},
            QUERY_MEDIA: {"schema": {"type": "string"}},
        },
    },
    "responses": {
        "200": {"description": "Query results", "content": {
            **{f.media_type: {} for f in SOLUTION_FORMATS},
            **{f.media_type: {} for f in GRAPH_FORMATS}}},
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
        "400": {"description": "Malformed query or parameter (problem+json with position)"},
        "403": {"description": "Update, or SERVICE to a host not on the allow-list"},
        "406": {"description": "No acceptable result format"},
        "413": {"description": "Request body too large"},
        "415": {"description": "Unsupported request Content-Type"},
        "422": {"description": "Result larger than the result-size cap"},
        "503": {"description": "Query timed out, server busy, or no snapshot loaded"},
    },
}  # fmt: skip


def _install_routes(app: FastAPI, state: ServerState) -> None:
    async def sparql(request: Request) -> Response:
        """SPARQL 1.1 Protocol: GET ``?query=``, POST form, or POST ``application/sparql-query``.

        Results are negotiated by ``Accept`` (q-values) or ``format``. Read-only.
        """
        params, body_query = await _protocol_params(request)
        if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
            raise Problem(
                403, "read-only", "Updates are not accepted",
                "this endpoint is read-only: SPARQL Update requests are refused. Change the "
                "curated files in data/ and reload the snapshot instead.",
            )  # fmt: skip
        queries = [v for k, v in params if k == "query"]
        if body_query is not None:
            if queries:
                raise _bad("a query was sent both in the body and as a 'query' parameter")
            queries = [body_query]
        first = {k: v for k, v in reversed(params)}
        if not queries:
            if request.method == "GET":
                return _service_description(state, request, first.get("format"))
            raise _bad("no query: send it as 'query' (GET or form POST) or as the body of a "
                       f"POST with Content-Type {QUERY_MEDIA}")  # fmt: skip
        if len(queries) > 1:
            raise _bad(f"{len(queries)} queries in one request; send exactly one")
        query = queries[0]
        info = inspect_query(query)
        _check_safety(state, info)
        if info.relative_iris and not info.has_base:
            # Relative IRIs resolve against the endpoint (on line 1, so positions stay true).
            base = f"BASE <{str(request.url).split('?', 1)[0]}> "
            query = base + query
            request.state.base_offset = len(base)
        try:
            options = QueryOptions.from_params(
                default_graphs=[v for k, v in params if k == "default-graph-uri"],
                named_graphs=[v for k, v in params if k == "named-graph-uri"],
                inference=first.get("inference"),
                as_of=first.get("asOf"),
            )
        except OptionError as exc:
            raise _bad(str(exc), "bad-parameter") from None
        offered = GRAPH_FORMATS if info.is_graph else SOLUTION_FORMATS
        try:
            fmt = negotiate(offered, request.headers.get("accept"), first.get("format"))
        except NotAcceptable as exc:
            if info.form is None:  # let the parser say what is wrong with the text
                fmt = offered[0]
            else:
                raise _not_acceptable(exc) from None
        return await answer(
            state, request, query=query, info=info, options=options, fmt=fmt,
            endpoint="sparql", timeout=_timeout(state, first.get("timeout")),
        )  # fmt: skip

    for method in ("GET", "POST"):
        app.add_api_route(
            "/sparql", sparql, methods=[method], tags=["SPARQL"],
            summary=f"SPARQL 1.1 query ({method})", openapi_extra=SPARQL_OPENAPI,
            response_class=Response, operation_id=f"sparql_{method.lower()}",
        )  # fmt: skip

    @app.get("/void", tags=["Dataset"], summary="VoID description and statistics",
             response_class=Response)  # fmt: skip
    async def void(request: Request, format: str | None = None) -> Response:
        """The served dataset: triple counts per graph, classes and properties (VoID)."""
        served = state.manager.served
        if served is None:
            raise _not_ready(state)
        fmt = _negotiate_rdf(request, format)
        turtle = await _void_turtle(state, request, served)
        return Response(describe.render(turtle, fmt.name), 200,
                        {"X-Snapshot": served.key, "Vary": VARY},
                        media_type=fmt.content_type)  # fmt: skip

    @app.get("/health", tags=["Operations"], summary="Readiness")
    async def health() -> Response:
        """200 once a snapshot is loaded and its workers run; 503 before (or if none loads)."""
        served = state.manager.served
        if served is None or not state.pool.ready:
            last = state.manager.last
            body: dict[str, Any] = {"status": "loading" if last is None else "failed"}
            if last is not None and not last.ok:
                body["error"] = last.error
            return JSONResponse(body, 503, {"Cache-Control": "no-store"})
        return JSONResponse(
            {"status": "ready", "snapshot": served.key, "loaded_at": served.loaded_at,
             "workers": state.pool.workers_alive(),
             "triples": served.manifest.get("counts", {}).get("total")},
            200, {"Cache-Control": "no-store"},
        )  # fmt: skip

    @app.get("/metrics", tags=["Operations"], summary="Prometheus metrics",
             response_class=Response)  # fmt: skip
    async def metrics() -> Response:
        state.metrics.workers.set(state.pool.workers_alive())
        return Response(state.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.post("/admin/reload", tags=["Operations"], summary="Rebuild and switch the snapshot")
    async def admin_reload(request: Request) -> Response:
        """Rebuild the snapshot from the configured inputs off the request path, then switch
        new queries to it. On failure the old snapshot keeps serving and the problems
        (file:line) are returned. Needs ``Authorization: Bearer <admin token>``."""
        _check_admin(state, request)
        outcome = await state.manager.reload()
        state.metrics.reloads.labels("ok" if outcome.ok else "failed").inc()
        body = {**outcome.as_dict(),
                "serving": state.manager.served.key if state.manager.served else None}
        return JSONResponse(body, 200 if outcome.ok else 422, {"Cache-Control": "no-store"})

    @app.get("/admin/status", tags=["Operations"], summary="Snapshot and reload status")
    async def admin_status(request: Request) -> Response:
        """What is served, the last reload attempt and its problems, worker counts."""
        _check_admin(state, request)
        return JSONResponse(state.manager.status(), 200, {"Cache-Control": "no-store"})

    @app.get("/api/queries", tags=["Named queries"], summary="List the named queries")
    async def list_queries(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse([
            {"name": nq.name, "summary": nq.summary, "description": nq.description,
             "tags": nq.tags, "url": f"{base}/api/queries/{nq.name}",
             "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                             "default": p.default, "description": p.description}
                            for p in nq.params]}
            for nq in state.named.values()
        ])  # fmt: skip

    for nq in state.named.values():
        _add_named_route(app, state, nq)

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({
            "service": "milgraph SPARQL service", "version": __version__,
            "sparql": f"{base}/sparql", "named_queries": f"{base}/api/queries",
            "void": f"{base}/void", "docs": f"{base}/docs", "openapi": f"{base}/openapi.json",
            "health": f"{base}/health", "metrics": f"{base}/metrics",
        })  # fmt: skip


def _add_named_route(app: FastAPI, state: ServerState, nq: NamedQuery) -> None:
    info = state.named_info[nq.name]

    async def run_named(request: Request) -> Response:
        given = {k: v for k, v in request.query_params.multi_items()}
        try:
            bindings = nq.bind(given)
            options = QueryOptions.from_params(
                inference=given.get("inference"), as_of=given.get("asOf")
            )
        except OptionError as exc:
            raise _bad(str(exc), "bad-parameter") from None
        try:
            fmt = negotiate(NAMED_FORMATS, request.headers.get("accept"), given.get("format"))
        except NotAcceptable as exc:
            raise _not_acceptable(exc) from None
        return await answer(
            state, request, query=nq.text, info=info, options=options.with_bindings(bindings),
            fmt=fmt, endpoint=f"named:{nq.name}", timeout=_timeout(state, given.get("timeout")),
        )  # fmt: skip

    run_named.__name__ = f"query_{nq.name.replace('-', '_')}"
    app.add_api_route(
        f"/api/queries/{nq.name}", run_named, methods=["GET"], tags=["Named queries"],
        summary=nq.summary, description=(nq.description + "\n\n```sparql\n" + nq.text + "\n```"),
        response_class=Response, operation_id=f"query_{nq.name.replace('-', '_')}",
        openapi_extra={
            "parameters": openapi_parameters(nq),
            "responses": {
                "200": {"description": "Rows", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "columns": {"type": "array", "items": {"type": "string"}},
                        "rows": {"type": "array", "items": {"type": "object"}}}}},
                    "text/csv": {}, "application/sparql-results+json": {}}},
                "400": {"description": "Missing or invalid parameter"},
                "304": {"description": "Not modified"},
            },
            "x-milgraph-tags": nq.tags,
        },
    )  # fmt: skip


async def _protocol_params(request: Request) -> tuple[list[tuple[str, str]], str | None]:
    """Protocol parameters from the URL and (POST) the body; the query body if direct."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params, None
    content_type = request.headers.get("content-type", "")
    media, _, rest = content_type.partition(";")
    media = media.strip().lower()
    charset = _charset(rest)
    if media == UPDATE_MEDIA:
        raise Problem(403, "read-only", "Updates are not accepted",
                      "this endpoint is read-only: SPARQL Update requests are refused")  # fmt: skip
    if media not in (FORM_MEDIA, QUERY_MEDIA):
        if not media:
            raise _bad(f"a POST needs a Content-Type: {FORM_MEDIA} (query=…) or {QUERY_MEDIA}",
                       "missing-content-type")  # fmt: skip
        raise Problem(415, "unsupported-media-type", "Unsupported media type",
                      f"cannot read a request body of type {media!r}; send {FORM_MEDIA} "
                      f"or {QUERY_MEDIA}")  # fmt: skip
    if charset and charset not in ("utf-8", "utf8"):
        raise Problem(415, "unsupported-charset", "Unsupported charset",
                      f"request bodies must be UTF-8, not {charset!r}")  # fmt: skip
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(f"the request body is not valid UTF-8 (byte {exc.start})", "bad-encoding") \
            from None
    if media == QUERY_MEDIA:
        return params, text
    try:
        params += parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _bad("the form body is not valid UTF-8 after percent-decoding",
                   "bad-encoding") from None  # fmt: skip
    return params, None


def _charset(params: str) -> str | None:
    for part in params.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _bad(detail: str, kind: str = "bad-request") -> Problem:
    return Problem(400, kind, "Bad request", detail)


def _not_acceptable(exc: NotAcceptable) -> Problem:
    return Problem(406, "not-acceptable", "Not acceptable", str(exc),
                   available=[f.media_type for f in exc.offered])  # fmt: skip


def _negotiate_rdf(request: Request, format: str | None) -> Format:
    try:
        return negotiate(GRAPH_FORMATS, request.headers.get("accept"), format)
    except NotAcceptable as exc:
        raise _not_acceptable(exc) from None


def _service_description(state: ServerState, request: Request, format: str | None) -> Response:
    fmt = _negotiate_rdf(request, format)
    endpoint = str(request.url.replace(query="")).split("?")[0]
    served = state.manager.served
    turtle = describe.service_description(
        endpoint, served.manifest if served else None,
        federated=bool(state.config.allowed_service_hosts),
    )  # fmt: skip
    return Response(describe.render(turtle, fmt.name), 200, {"Vary": VARY},
                    media_type=fmt.content_type)  # fmt: skip


async def _void_turtle(state: ServerState, request: Request, served: Served) -> str:
    base = str(request.base_url)
    cached = state.void_cache.get(served.key)
    if cached is None:
        partitions: dict[str, Any] = {}
        for key, query in (("class_partition", describe.CLASS_PARTITION),
                           ("property_partition", describe.PROPERTY_PARTITION)):  # fmt: skip
            job = Job(query, QueryOptions(), "rows", state.config.max_result_bytes)
            rows = json.loads(await state.pool.collect(job, state.config.query_timeout))["rows"]
            first = "c" if key == "class_partition" else "p"
            partitions[key] = [(r[first], r["n"]) for r in rows if first in r]
        partitions["classes"] = len(partitions["class_partition"])
        partitions["properties"] = len(partitions["property_partition"])
        cached = json.dumps(partitions).encode()
        state.void_cache[served.key] = cached
    return describe.void_description(base, served.manifest, json.loads(cached))


def _check_admin(state: ServerState, request: Request) -> None:
    token = state.config.admin_token
    if not token:
        raise Problem(
            403, "admin-disabled", "Admin endpoints disabled",
            "start the server with --admin-token (or MILGRAPH_ADMIN_TOKEN) to enable them; "
            "SIGHUP also reloads",
        )  # fmt: skip
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(value.strip(), token):
        raise Problem(401, "unauthorized", "Unauthorized",
                      "send 'Authorization: Bearer <admin token>'",
                      headers={"WWW-Authenticate": 'Bearer realm="milgraph admin"'})  # fmt: skip
