"""The SPARQL 1.1 Update protocol at ``/update`` (only with ``--writable-store``).

On a snapshot, ``/update`` answers 403 like every other attempt to change the graph: the
curated files are the only way in. On a writable store (``writable.py``) it accepts ``POST``
with ``application/sparql-update`` (the update as the body) or a form with ``update=``, plus
``using-graph-uri`` / ``using-named-graph-uri`` (as ``USING`` / ``USING NAMED``). With an
admin token set, it needs ``Authorization: Bearer <token>``. ``LOAD`` and ``SERVICE`` may
only reach allow-listed http(s) hosts (``--allow-service-host``), never ``file:``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from milgraph.server.answers import count_failure, with_excerpt
from milgraph.server.auth import require_bearer
from milgraph.server.options import OptionError, check_iri
from milgraph.server.pool import PoolError
from milgraph.server.problems import Problem, problem_for
from milgraph.server.protocol import (
    FORM_MEDIA,
    UPDATE_MEDIA,
    bad,
    charset_of,
    check_services,
    endpoint_url,
    read_sparql,
    request_timeout,
)
from milgraph.server.sparql_text import service_allowed
from milgraph.server.state import ServerState
from milgraph.server.writable import WritableStore

READ_ONLY_DETAIL = (
    "this server serves a read-only snapshot of the curated graph: SPARQL Update is refused. "
    "Change the curated files in data/ and reload the snapshot, or start the server with "
    "'--allow-edits --admin-token T' to send validated edits into the data files over "
    "/update; for a plain scratch store (never part of the curated graph), run "
    "'milgraph serve --writable-store DIR'."
)

UPDATE_OPENAPI: dict[str, Any] = {
    "parameters": [
        {"name": "using-graph-uri", "in": "query", "schema": {"type": "array",
         "items": {"type": "string"}}, "style": "form", "explode": True,
         "description": "Graph(s) forming the default graph of DELETE/INSERT … WHERE (as "
                        "USING)."},
        {"name": "using-named-graph-uri", "in": "query", "schema": {"type": "array",
         "items": {"type": "string"}}, "style": "form", "explode": True,
         "description": "Named graph(s) of DELETE/INSERT … WHERE (as USING NAMED)."},
        {"name": "timeout", "in": "query", "schema": {"type": "number"},
         "description": "Deadline in seconds (at most the server's --query-timeout); past "
                        "it the update is stopped and nothing of it is written."},
    ],
    "requestBody": {
        "required": True,
        "content": {
            UPDATE_MEDIA: {"schema": {"type": "string"}},
            FORM_MEDIA: {"schema": {"type": "object", "properties": {
                "update": {"type": "string"},
                "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                "using-named-graph-uri": {"type": "array", "items": {"type": "string"}}}}},
        },
    },
    "responses": {
        "200": {"description": "Curated edit applied (--allow-edits): the files changed and "
                              "the snapshot serving it"},
        "204": {"description": "Applied; queries sent from now on see it"},
        "400": {"description": "Malformed update or parameter (problem+json with position)"},
        "401": {"description": "Admin token required"},
        "403": {"description": "Read-only server (a snapshot), or LOAD/SERVICE of a host not "
                               "on the allow-list"},
        "415": {"description": "Unsupported request Content-Type"},
        "422": {"description": "Well-formed but cannot be applied (nothing written)"},
        "503": {"description": "Deadline passed (nothing written) or store not open yet"},
    },
}  # fmt: skip


async def update_reply(state: ServerState, request: Request) -> Response:
    manager = state.manager
    if not isinstance(manager, WritableStore):
        raise Problem(403, "read-only", "Updates are not accepted", READ_ONLY_DETAIL)
    _check_token(state, request)
    params = list(request.query_params.multi_items())
    text = await _update_text(request, params)
    defaults = [v for k, v in params if k == "using-graph-uri"]
    named = [v for k, v in params if k == "using-named-graph-uri"]
    try:
        for iri in (*defaults, *named):
            check_iri(iri, "graph IRI")
    except OptionError as exc:
        raise bad(str(exc), "bad-parameter") from None
    timeout = request_timeout(state, _first(params, "timeout"))
    base = endpoint_url(request.scope)
    info = await read_sparql(state, text, base, timeout, update=True)
    if info.form is not None and info.update is None:
        raise bad(f"this is a {info.form} query, not an update: send it to /sparql")
    check_services(state, info)
    allowed = state.config.allowed_service_hosts
    for target in info.loads:
        if not service_allowed(target, allowed):
            what = f"LOAD <{target}>" if target else "LOAD without an IRI"
            raise Problem(
                403, "load-not-allowed", "LOAD refused",
                f"{what} is not allowed: the server only loads over http(s) from hosts "
                "on its allow-list (--allow-service-host), and never reads local files",
            )  # fmt: skip
    if (defaults or named) and info.dataset_clause:
        raise bad("using-graph-uri/using-named-graph-uri cannot be combined with an update "
                  "that has its own USING, USING NAMED or WITH (SPARQL 1.1 Protocol §2.2.3)")
    using = " ".join(
        [f"USING <{g}>" for g in defaults] + [f"USING NAMED <{g}>" for g in named]
    )
    if using:  # put before the WHERE of each DELETE/INSERT … WHERE, in the canonical text
        info = await read_sparql(state, text, base, timeout, using=using, update=True)
    start = time.perf_counter()
    try:
        view = await manager.update(
            info.text, base, timeout, fetches=bool(info.loads or info.services),
        )
    except PoolError as exc:
        problem = problem_for(exc)
        count_failure(state, "update", problem)
        raise with_excerpt(problem, text, info) from None
    state.metrics.answered("update", "204", time.perf_counter() - start)
    return Response(status_code=204, headers={"X-Snapshot": f"writable-{view}",
                                              "Cache-Control": "no-store"})  # fmt: skip


async def _update_text(request: Request, params: list[tuple[str, str]]) -> str:
    """The update from the body (direct) or the form; form fields join ``params``."""
    media, _, rest = request.headers.get("content-type", "").partition(";")
    media = media.strip().lower()
    charset = charset_of(rest) if rest else None
    if charset and charset not in ("utf-8", "utf8"):
        raise Problem(415, "unsupported-charset", "Unsupported charset",
                      f"request bodies must be UTF-8, not {charset!r}")  # fmt: skip
    if media not in (UPDATE_MEDIA, FORM_MEDIA):
        if not media:
            raise bad(f"a POST needs a Content-Type: {UPDATE_MEDIA} or {FORM_MEDIA} "
                      "(update=…)", "missing-content-type")  # fmt: skip
        raise Problem(415, "unsupported-media-type", "Unsupported media type",
                      f"cannot read an update of type {media!r}; send {UPDATE_MEDIA} or "
                      f"{FORM_MEDIA}")  # fmt: skip
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"the request body is not valid UTF-8 (byte {exc.start})", "bad-encoding") \
            from None
    if any(k == "query" for k, _ in params):
        raise bad("a query parameter was sent to /update: send queries to /sparql")
    updates = [v for k, v in params if k == "update"]
    if media == UPDATE_MEDIA:
        if updates:
            raise bad("an update was sent both in the body and as an 'update' parameter")
        return body
    try:
        form = parse_qsl(body, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise bad("the form body is not valid UTF-8 after percent-decoding",
                  "bad-encoding") from None  # fmt: skip
    params.extend(form)
    if any(k == "query" for k, _ in form):
        raise bad("a query was sent to /update: send queries to /sparql")
    updates = [v for k, v in params if k == "update"]
    if len(updates) != 1:
        raise bad("send exactly one 'update' (form field) or the update as the body of a "
                  f"POST with Content-Type {UPDATE_MEDIA}")  # fmt: skip
    return updates[0]


def _first(params: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in params if k == name), None)


def _check_token(state: ServerState, request: Request) -> None:
    token = state.config.admin_token
    if not token:
        return  # no token configured: the operator chose an open scratch store
    require_bearer(request.headers.get("authorization"), token, "milgraph update",
                   "updates need 'Authorization: Bearer <admin token>'")  # fmt: skip
