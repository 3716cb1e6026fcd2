"""The SPARQL 1.1 Query protocol at ``/sparql``, as a plain ASGI application.

Why plain ASGI: a point query is answered in well under a millisecond by a worker, so the
request path must cost less than that. FastAPI's routing, dependency solving and middleware
stack cost more than the query itself; this handler reads the ASGI scope directly and writes
the answer with two ASGI messages. The FastAPI app still documents ``/sparql`` in OpenAPI
(its route calls ``sparql_reply`` too), and dispatches every other path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import URL

from milgraph.server import describe
from milgraph.server.answers import Reply, answer, send_reply
from milgraph.server.formats import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    Format,
    NotAcceptable,
    negotiate,
)
from milgraph.server.middleware import (
    SECURITY_HEADERS,
    bad_encoding,
    next_request_id,
    too_large_problem,
)
from milgraph.server.options import OptionError, QueryOptions
from milgraph.server.problems import Problem
from milgraph.server.sparql_text import (
    QueryInfo,
    QueryTextError,
    excerpt,
    inspect_query,
    service_allowed,
)
from milgraph.server.state import ServerState

log = logging.getLogger("milgraph.server")

QUERY_MEDIA = "application/sparql-query"
FORM_MEDIA = "application/x-www-form-urlencoded"
UPDATE_MEDIA = "application/sparql-update"
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
OPTION_PARAMS = ("default-graph-uri", "named-graph-uri", "inference", "asOf")
VARY = "Accept, Accept-Encoding"
#: Texts longer than this are read in a reader process: reading is linear, but a 1 MiB text
#: takes a second or more of Python, and the event loop (and its share of the GIL) must keep
#: answering (``/health``).
INLINE_READ_CHARS = 4096

BodyReader = Callable[[], Awaitable[bytes]]


class RequestHeaders:
    """The few request headers the protocol reads, found in one pass over the ASGI list."""

    __slots__ = ("accept", "accept_encoding", "content_length", "content_type", "if_none_match")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.accept: str | None = None
        self.content_type: str | None = None
        self.if_none_match: str | None = None
        self.accept_encoding: str | None = None
        self.content_length = 0
        for name, value in raw:
            if name == b"accept":
                if self.accept is None:
                    self.accept = value.decode("latin-1")
            elif name == b"content-type":
                if self.content_type is None:
                    self.content_type = value.decode("latin-1")
            elif name == b"if-none-match":
                if self.if_none_match is None:
                    self.if_none_match = value.decode("latin-1")
            elif name == b"content-length":
                with contextlib.suppress(ValueError):
                    self.content_length = int(value)
            elif name == b"accept-encoding" and self.accept_encoding is None:
                self.accept_encoding = value.decode("latin-1")

    @property
    def gzip(self) -> bool:
        return self.accept_encoding is not None and "gzip" in self.accept_encoding


def endpoint_url(scope: dict[str, Any]) -> str:
    """The URL of the endpoint itself (no query string): the base of relative IRIs.
    Remembered per scheme, host and path (it is computed for every request)."""
    host = next((v for k, v in scope["headers"] if k == b"host"), b"")
    server = scope.get("server")
    key = (scope.get("scheme"), host, scope.get("root_path", ""), scope["path"],
           tuple(server) if server else None)  # fmt: skip
    url = _ENDPOINTS.get(key)
    if url is None:
        url = str(URL(scope=scope)).split("?", 1)[0]
        if len(_ENDPOINTS) >= 256:
            _ENDPOINTS.clear()
        _ENDPOINTS[key] = url
    return url


_ENDPOINTS: dict[tuple[Any, ...], str] = {}


async def sparql_reply(
    state: ServerState, scope: dict[str, Any], read_body: BodyReader, request_id: str | None,
    headers: RequestHeaders | None = None,
) -> Reply:  # fmt: skip
    """Answer one protocol request: ``GET ?query=``, a form ``POST`` or a direct ``POST``."""
    headers = headers or RequestHeaders(scope["headers"])
    method = scope["method"]
    raw_query = scope["query_string"]
    params = query_params(raw_query)
    body_query = None
    if method == "POST":
        params, body_query = await _body_params(state, params, headers, read_body)
    for k, _ in params:
        if k in UPDATE_PARAMS:
            raise read_only(state)
    queries = [v for k, v in params if k == "query"]
    if body_query is not None:
        if queries:
            raise bad("a query was sent both in the body and as a 'query' parameter")
        queries = [body_query]
    first = {k: v for k, v in reversed(params)} if params else {}
    if not queries:
        if method == "GET":
            return service_description(state, scope, headers.accept, first.get("format"))
        raise bad("no query: send it as 'query' (GET or form POST) or as the body of a "
                  f"POST with Content-Type {QUERY_MEDIA}")  # fmt: skip
    if len(queries) > 1:
        raise bad(f"{len(queries)} queries in one request; send exactly one")
    query = queries[0]
    timeout = request_timeout(state, first.get("timeout"))
    # Relative IRIs resolve against the endpoint; the engine runs the canonical text.
    info = await read_sparql(state, query, endpoint_url(scope), timeout)
    check_safety(state, info)
    if any(k in OPTION_PARAMS for k in first):
        try:
            options = QueryOptions.from_params(
                default_graphs=[v for k, v in params if k == "default-graph-uri"],
                named_graphs=[v for k, v in params if k == "named-graph-uri"],
                inference=first.get("inference"),
                as_of=first.get("asOf"),
            )
        except OptionError as exc:
            raise bad(str(exc), "bad-parameter") from None
    else:
        options = DEFAULT_OPTIONS
    offered = GRAPH_FORMATS if info.is_graph else SOLUTION_FORMATS
    try:
        fmt = negotiate(offered, headers.accept, first.get("format"))
    except NotAcceptable as exc:
        if info.form is None:  # let the parser say what is wrong with the text
            fmt = offered[0]
        else:
            raise not_acceptable(exc) from None
    return await answer(
        state, query=query, info=info, options=options, fmt=fmt, endpoint="sparql",
        timeout=timeout, if_none_match=headers.if_none_match,
    )  # fmt: skip


DEFAULT_OPTIONS = QueryOptions()


def query_params(raw: bytes) -> list[tuple[str, str]]:
    """The URL's parameters, strictly UTF-8 (``%FF`` is a 400, as in a POST body)."""
    if not raw:
        return []
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise bad_encoding() from None


async def read_sparql(
    state: ServerState, text: str, base: str | None, timeout: float, *, using: str = "",
    update: bool = False,
) -> QueryInfo:  # fmt: skip
    """The one reading of a request text (``sparql_text``): short texts on the event loop,
    long ones in the reader processes (``ServerState.read_in_process``), at most as many
    at a time as there are readers, waiting no longer than the request's deadline."""
    depth = state.config.max_query_depth
    try:
        if len(text) <= INLINE_READ_CHARS:
            return inspect_query(text, base, max_depth=depth, using=using)
        try:
            async with asyncio.timeout(timeout):
                await state.readers.acquire()
        except TimeoutError:
            raise Problem(503, "busy", "Server busy",
                          f"the server could not read this {len(text):,}-character request "
                          f"within its {timeout:g} s deadline; retry later") from None  # fmt: skip
        try:  # reading is linear: once started, it ends in seconds even for 1 MiB
            return await state.read_in_process(text, base, depth, using)
        finally:
            state.readers.release()
    except QueryTextError as exc:
        problem = text_problem(exc, text, update)
        state.metrics.answered("update" if update else "sparql", "400")
        state.metrics.failed(problem.type)
        raise problem from None


def text_problem(exc: QueryTextError, text: str, update: bool = False) -> Problem:
    """400 for a text the server cannot read (or too deep), with line, column, excerpt."""
    what = "update" if update else "query"
    if exc.kind == "too-deep":
        kind, title = f"{what}-too-deep", f"{what.capitalize()} nests too deeply"
    else:
        kind, title = f"malformed-{what}", f"Malformed {what}"
    return Problem(400, kind, title,
                   f"malformed {what} at line {exc.line}, column {exc.column}: {exc.message}"
                   if exc.kind != "too-deep" else
                   f"{exc.message} (line {exc.line}, column {exc.column})",
                   line=exc.line, column=exc.column,
                   excerpt=excerpt(text, exc.line, exc.column) or None)  # fmt: skip


async def _body_params(
    state: ServerState, params: list[tuple[str, str]], headers: RequestHeaders,
    read_body: BodyReader,
) -> tuple[list[tuple[str, str]], str | None]:  # fmt: skip
    """Protocol parameters from the body of a POST; the query itself if sent directly."""
    media, _, rest = (headers.content_type or "").partition(";")
    media = media.strip().lower()
    charset = charset_of(rest) if rest else None
    if media == UPDATE_MEDIA:
        raise read_only(state)
    if media not in (FORM_MEDIA, QUERY_MEDIA):
        if not media:
            raise bad(f"a POST needs a Content-Type: {FORM_MEDIA} (query=…) or {QUERY_MEDIA}",
                      "missing-content-type")  # fmt: skip
        raise Problem(415, "unsupported-media-type", "Unsupported media type",
                      f"cannot read a request body of type {media!r}; send {FORM_MEDIA} "
                      f"or {QUERY_MEDIA}")  # fmt: skip
    if charset and charset not in ("utf-8", "utf8"):
        raise Problem(415, "unsupported-charset", "Unsupported charset",
                      f"request bodies must be UTF-8, not {charset!r}")  # fmt: skip
    raw = await read_body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"the request body is not valid UTF-8 (byte {exc.start})", "bad-encoding") \
            from None
    if media == QUERY_MEDIA:
        return params, text
    try:
        params = params + parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise bad("the form body is not valid UTF-8 after percent-decoding",
                  "bad-encoding") from None  # fmt: skip
    return params, None


def charset_of(params: str) -> str | None:
    for part in params.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def bad(detail: str, kind: str = "bad-request") -> Problem:
    return Problem(400, kind, "Bad request", detail)


def not_acceptable(exc: NotAcceptable) -> Problem:
    return Problem(406, "not-acceptable", "Not acceptable", str(exc),
                   available=[f.media_type for f in exc.offered])  # fmt: skip


def negotiate_rdf(accept: str | None, format: str | None) -> Format:
    try:
        return negotiate(GRAPH_FORMATS, accept, format)
    except NotAcceptable as exc:
        raise not_acceptable(exc) from None


_DECIMAL = re.compile(r"[0-9]{1,12}(?:\.[0-9]{0,9})?|\.[0-9]{1,9}")


def request_timeout(state: ServerState, raw: str | None) -> float:
    """The request's deadline: ``timeout=`` seconds (a plain decimal, more than 0), capped
    at the server's ``--query-timeout``. NaN, infinities, exponents, negatives: 400."""
    limit = state.config.query_timeout
    if raw is None:
        return limit
    text = raw.strip()
    value = float(text) if _DECIMAL.fullmatch(text) else math.nan
    if not (math.isfinite(value) and value > 0):
        raise Problem(400, "bad-parameter", "Bad parameter",
                      f"timeout={raw[:40]!r} must be a number of seconds greater than 0 "
                      f"(e.g. 2.5); the server allows at most {limit:g}",
                      parameter="timeout")  # fmt: skip
    return min(value, limit)


def read_only(state: ServerState, keyword: str | None = None) -> Problem:
    """403 for an update sent to the query endpoint, saying where updates can go."""
    where = (
        "send updates to /update" if state.config.writable
        else "change the curated files in data/ and reload the snapshot instead"
    )  # fmt: skip
    what = f"{keyword} and other SPARQL Update operations are" if keyword else (
        "SPARQL Update requests are")
    return Problem(403, "read-only", "Updates are not accepted",
                   f"this endpoint is read-only: {what} refused here; {where}.")  # fmt: skip


def check_safety(state: ServerState, info: QueryInfo) -> None:
    if info.update:
        raise read_only(state, info.update)
    check_services(state, info)


def check_services(state: ServerState, info: QueryInfo) -> None:
    """SERVICE only to allow-listed http(s) hosts (pyoxigraph really calls them)."""
    if not info.services:
        return
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


def service_description(
    state: ServerState, scope: dict[str, Any], accept: str | None, format: str | None
) -> Reply:
    fmt = negotiate_rdf(accept, format)
    served = state.manager.served
    turtle = describe.service_description(
        endpoint_url(scope), served.manifest if served else None,
        federated=bool(state.config.allowed_service_hosts), writable=state.config.writable,
    )  # fmt: skip
    return Reply(200, {"Vary": VARY}, describe.render(turtle, fmt.name),
                 fmt.content_type)  # fmt: skip


# --------------------------------------------------------------------------- ASGI


class SparqlEndpoint:
    """``GET``/``POST /sparql`` as an ASGI app. Does what ``RequestContext`` does for the
    other routes (a request id on every answer, the body limit) without wrapping ``send``."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.limit = state.config.max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        state = self.state
        request_id = next_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        headers = RequestHeaders(scope["headers"])
        limit = self.limit

        async def read_body() -> bytes:
            if limit and headers.content_length > limit:
                raise too_large_problem(limit)
            parts = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    raise _ClientGone
                chunk = message.get("body", b"")
                size += len(chunk)
                if limit and size > limit:
                    raise too_large_problem(limit)
                parts.append(chunk)
                if not message.get("more_body", False):
                    return parts[0] if len(parts) == 1 else b"".join(parts)

        try:
            reply = await sparql_reply(state, scope, read_body, request_id, headers)
        except Problem as exc:
            reply = Reply.of_problem(exc, request_id)
            if exc.type == "body-too-large":
                reply.headers["Connection"] = "close"
        except _ClientGone:
            return
        except Exception as exc:
            log.error("request %s failed", request_id, exc_info=exc)
            reply = Reply.of_problem(internal_error(request_id), request_id)
        reply.headers.pop("x-request-id", None)  # a problem reply carries it already
        reply.headers["X-Request-ID"] = request_id
        reply.headers.update(SECURITY_HEADERS)
        await send_reply(reply, send, receive, gzip=headers.gzip, state=state,
                         endpoint="sparql")  # fmt: skip


class _ClientGone(Exception):
    pass


def internal_error(request_id: str | None) -> Problem:
    return Problem(
        500, "internal-error", "Internal server error",
        "the server failed to answer; the operator can find the cause in the log under "
        f"request id {request_id}",
    )  # fmt: skip


def fast_path(state: ServerState, cors: Callable[[Any], Any] | None) -> Any:
    """The ASGI app ``/sparql`` requests go to (behind CORS when that is on)."""
    app: Any = SparqlEndpoint(state)
    return cors(app) if cors is not None else app
