"""The HTTP application: SPARQL 1.1 protocol, named queries, descriptions, health, admin.

Nothing here evaluates a query: every query goes to the worker pool, so the event loop only
parses requests and copies bytes, and one slow query cannot delay another.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse, Response

from milgraph import __version__
from milgraph.errors import SnapshotError
from milgraph.server import describe, graph_store, search, ui, views_api
from milgraph.server.analysis import make_router, served_snapshot
from milgraph.server.answers import VARY, answer, as_response, not_ready
from milgraph.server.auth import require_bearer
from milgraph.server.config import CONFIG_ENV, ServerConfig, load_config
from milgraph.server.formats import (
    GRAPH_FORMATS,
    NAMED_FORMATS,
    SOLUTION_FORMATS,
    NotAcceptable,
    negotiate,
)
from milgraph.server.health import health as health_report
from milgraph.server.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from milgraph.server.middleware import RequestContext
from milgraph.server.named import NamedQuery, Resolver, openapi_parameters, resolver_for
from milgraph.server.openapi import complete as complete_openapi
from milgraph.server.options import OptionError, QueryOptions
from milgraph.server.pool import Job, PoolError
from milgraph.server.problems import Problem, problem_for
from milgraph.server.protocol import (
    FORM_MEDIA,
    QUERY_MEDIA,
    bad,
    fast_path,
    internal_error,
    negotiate_rdf,
    not_acceptable,
    request_timeout,
    sparql_reply,
)
from milgraph.server.snapshots import Served, SnapshotManager
from milgraph.server.state import ServerState
from milgraph.server.update import UPDATE_OPENAPI, update_reply

log = logging.getLogger("milgraph.server")


# --------------------------------------------------------------------------- app


def _state(request: Request) -> ServerState:
    return request.app.state.milgraph


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


class MilgraphApp(FastAPI):
    """FastAPI for everything but ``GET``/``POST /sparql``, which goes straight to the
    protocol handler (``protocol.SparqlEndpoint``): see that module for why."""

    sparql_app: Any = None
    browser_pages: Any = None  # ui.BrowserPages: pages for browsers navigating to data URLs
    milgraph_config: ServerConfig | None = None

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, completed once with what the server really answers
        (``server.openapi``)."""
        if self.openapi_schema is None and self.milgraph_config is not None:
            self.openapi_schema = complete_openapi(super().openapi(), self.milgraph_config)
        return super().openapi()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":  # every GET route: HEAD
            scope, send = head_as_get(scope, send)
        if (
            scope["type"] == "http"
            and self.browser_pages is not None
            and await self.browser_pages(scope, receive, send)
        ):
            return
        if (
            scope["type"] == "http"
            and scope["path"] == "/sparql"
            and scope["method"] in ("GET", "POST")
            and self.sparql_app is not None
        ):
            scope["app"] = self
            await self.sparql_app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def head_as_get(scope: Any, send: Any) -> tuple[Any, Any]:
    """A HEAD request answered as its GET, without the body (RFC 9110 9.3.2): the status and
    headers, Content-Length included, are the GET's. FastAPI's routes answer only the
    methods they declare, so HEAD is added here once for all of them."""

    async def headers_only(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body"):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return {**scope, "method": "GET"}, headers_only


# --------------------------------------------------------------------------- app factory


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """A ready-to-run ASGI app; the snapshot loads in the background (see ``/health``)."""
    config = config or ServerConfig()
    state = ServerState(config)
    editor = None
    if config.allow_edits and isinstance(state.manager, SnapshotManager):
        from milgraph.server.edits import Editor

        editor = Editor(config, state.manager)
        state.manager.editor = editor

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if editor is not None:  # an edit a killed server left between its renames
            for path in await asyncio.to_thread(editor.recover):
                log.warning("finished writing %s (an edit interrupted by a crash)", path)
        state.load_task = loop.create_task(state.manager.reload(cause="start"))
        watcher = None
        if config.watch and isinstance(state.manager, SnapshotManager):
            from milgraph.server.watch import Watcher

            watcher = Watcher(state.manager, config)
            watcher.start()
        hup = False
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, _sighup, state)
            hup = True
        # The modules and the app live as long as the process: keep them out of the cyclic
        # collector's generations, so collections during requests stay short.
        gc.freeze()
        try:
            yield
        finally:
            if hup:
                with contextlib.suppress(Exception):
                    loop.remove_signal_handler(signal.SIGHUP)
            if watcher is not None:
                await watcher.close()
            if state.load_task and not state.load_task.done():
                state.load_task.cancel()
            await state.manager.close()
            await state.pool.close()
            state.close_readers()

    app = MilgraphApp(
        title="milgraph SPARQL service",
        version=__version__,
        summary="Military-diplomacy relationships between nations, reasoned, over SPARQL 1.1.",
        description=(
            "SPARQL 1.1 Query protocol at `/sparql` (read-only), named parameterised queries "
            "under `/api/queries/`, a service description (GET `/sparql` without a query) and "
            "VoID statistics (`/void`). See docs/http.md."
        ),
        lifespan=lifespan,
        docs_url=None,  # ui.install serves /docs and /redoc from local assets
        redoc_url=None,
        redirect_slashes=False,  # an API: /x/ is not /x (no undeclared 307s)
    )
    app.state.milgraph = state
    _install_error_handlers(app)
    ui.install(app, state)
    _install_routes(app, state, editor)
    app.milgraph_config = config
    if not config.writable:  # explanations and profiles read a reasoned snapshot
        app.include_router(make_router(served_snapshot))
        app.include_router(search.make_router(served_snapshot))
        app.include_router(views_api.make_router(state))
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)
    cors = None
    if config.cors_origins:
        cors = functools.partial(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_credentials=False,  # never: an allow-listed origin gets data, not cookies
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "If-None-Match", "Authorization"],
            expose_headers=["ETag", "X-Request-ID", "X-Snapshot"],
            max_age=600,
        )
        app.add_middleware(cors)
    app.add_middleware(RequestContext, max_body_bytes=config.max_body_bytes)
    app.sparql_app = fast_path(state, cors)
    app.browser_pages = ui.BrowserPages(state)
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn (also in each worker process when --workers > 1): the
    configuration ``milgraph serve`` put in the environment."""
    return create_app(load_config(os.environ.get(CONFIG_ENV, "")))


def _sighup(state: ServerState) -> None:
    log.info("SIGHUP: reloading the snapshot")
    asyncio.get_running_loop().create_task(state.manager.reload(cause="SIGHUP"))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def problem_handler(request: Request, exc: Problem) -> Response:
        return exc.response(_request_id(request))

    @app.exception_handler(PoolError)
    async def pool_handler(request: Request, exc: PoolError) -> Response:
        return problem_for(exc).response(_request_id(request))

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
        return internal_error(rid).response(rid)


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


def _install_routes(app: FastAPI, state: ServerState, editor: Any = None) -> None:
    async def sparql(request: Request) -> Response:
        """SPARQL 1.1 Protocol: GET ``?query=``, POST form, or POST ``application/sparql-query``.

        Results are negotiated by ``Accept`` (q-values) or ``format``. Read-only.
        """
        # Requests normally reach protocol.SparqlEndpoint before FastAPI routing; this route
        # documents /sparql in OpenAPI and answers the same way if it is reached.
        reply = await sparql_reply(state, request.scope, request.body, _request_id(request))
        return as_response(reply, state, "sparql")

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
            raise not_ready(state)
        fmt = negotiate_rdf(request.headers.get("accept"), format)
        turtle = await _void_turtle(state, request, served)
        return Response(describe.render(turtle, fmt.name), 200,
                        {"X-Snapshot": served.key, "Vary": VARY},
                        media_type=fmt.content_type)  # fmt: skip

    graph_store.install(app, state)

    @app.get("/health", tags=["Operations"], summary="Readiness")
    async def health() -> Response:
        """200 when a trivial query is answered within its deadline now; 503 when busy,
        loading or failed. The body has the last reload's outcome (problems at file:line)."""
        status, body = await health_report(state)
        return JSONResponse(body, status, {"Cache-Control": "no-store"})

    @app.get("/metrics", tags=["Operations"], summary="Prometheus metrics",
             response_class=Response)  # fmt: skip
    async def metrics() -> Response:
        state.metrics.workers.set(state.pool.workers_alive())
        return Response(state.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.post("/update", tags=["SPARQL"], summary="SPARQL 1.1 update (--writable-store only)",
              response_class=Response, openapi_extra=UPDATE_OPENAPI)  # fmt: skip
    async def sparql_update(request: Request) -> Response:
        """SPARQL 1.1 Update protocol. Only a server started with ``--writable-store DIR``
        accepts updates (into that plain store, never into the curated graph); a snapshot
        answers 403. With an admin token set, send ``Authorization: Bearer <token>``.
        With ``--allow-edits``: curated edits into the data files (docs/http.md)."""
        if editor is not None:
            from milgraph.server.edits import edit_reply

            return await edit_reply(state, request, editor)
        return await update_reply(state, request)

    @app.post("/admin/reload", tags=["Operations"], summary="Rebuild and switch the snapshot")
    async def admin_reload(request: Request) -> Response:
        """Rebuild the snapshot from the configured inputs off the request path, then switch
        new queries to it. On failure the old snapshot keeps serving and the problems
        (file:line) are returned. Needs ``Authorization: Bearer <admin token>``."""
        _check_admin(state, request)
        outcome = await state.manager.reload(cause="admin")
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


def _add_named_route(app: FastAPI, state: ServerState, nq: NamedQuery) -> None:
    info = state.named_info[nq.name]

    async def run_named(request: Request) -> Response:
        given = {k: v for k, v in request.query_params.multi_items()}
        try:
            bindings = await run_in_threadpool(nq.bind, given, None, _resolver(state))
            options = QueryOptions.from_params(
                inference=given.get("inference"), as_of=given.get("asOf")
            )
        except OptionError as exc:
            raise bad(str(exc), "bad-parameter") from None
        except SnapshotError as exc:  # names are resolved on the served snapshot
            raise problem_for(exc) from None
        try:
            fmt = negotiate(NAMED_FORMATS, request.headers.get("accept"), given.get("format"))
        except NotAcceptable as exc:
            raise not_acceptable(exc) from None
        endpoint = f"named:{nq.name}"
        reply = await answer(
            state, query=nq.text, info=info, options=options.with_bindings(bindings),
            fmt=fmt, endpoint=endpoint, timeout=request_timeout(state, given.get("timeout")),
            if_none_match=request.headers.get("if-none-match"),
        )  # fmt: skip
        response = as_response(reply, state, endpoint)
        first, after = nq.window(given)
        if nq.coverage and reply.status == 200 and (first is not None or after is not None):
            warning = await asyncio.to_thread(_coverage_warning, state, nq.coverage, first, after)
            if warning:
                response.headers["Warning"] = warning
        return response

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


def _coverage_warning(state: ServerState, kinds: list[str], first: int | None,
                      after: int | None) -> str | None:
    """The ``Warning`` of a named query's answer whose window reaches outside coverage."""
    from milgraph.analysis import coverage
    from milgraph.errors import MilgraphError

    try:
        snapshot = state.opened_snapshot()
    except MilgraphError:
        return None
    return coverage.warning_header(coverage.notes(snapshot, kinds, first, after))


def _resolver(state: ServerState) -> Resolver | None:
    """Names in named-query parameters, resolved on the served snapshot (``org=nato``)."""
    return None if state.config.writable else resolver_for(state.opened_snapshot)


async def _void_turtle(state: ServerState, request: Request, served: Served) -> str:
    base = str(request.base_url)
    cached = state.void_cache.get(served.key)
    if cached is None:
        partitions: dict[str, Any] = {}
        for key, query in (("class_partition", describe.CLASS_PARTITION),
                           ("property_partition", describe.PROPERTY_PARTITION)):  # fmt: skip
            job = Job(query, QueryOptions(), "rows", state.config.max_result_bytes,
                      store=state.manager.store_path)
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
    require_bearer(request.headers.get("authorization"), token, "milgraph admin",
                   "send 'Authorization: Bearer <admin token>'")  # fmt: skip
