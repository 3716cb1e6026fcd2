"""Errors as RFC 9457 problem documents: status, a stable type, and a message for people.

``Problem`` is the one document every error of the service becomes. The errors of the layers
below HTTP (``milgraph.errors``; the worker pool's, ``server.pool.errors``) know no status:
``problem_for`` maps them with the one table here, ``STATUSES``.

Responses never carry a stack trace; unexpected errors are logged with the request id the
client sees, so an operator can find the trace.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from milgraph.errors import (
    AmbiguousNation,
    MilgraphError,
    NameNotFound,
    NationNotFound,
    QueryError,
    SnapshotError,
    TripleNotHeld,
)
from milgraph.namespaces import PROBLEM_TYPE_BASE
from milgraph.server.pool import errors as pool
from milgraph.store import sparql as remote


class Problem(Exception):
    """A request that cannot be answered as asked; becomes a problem+json response."""

    def __init__(
        self, status: int, type: str, title: str, detail: str, *,
        headers: dict[str, str] | None = None, **extra: Any,
    ) -> None:  # fmt: skip
        super().__init__(detail)
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = {k: v for k, v in extra.items() if v is not None}

    def document(self, request_id: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }
        if request_id:
            doc["request_id"] = request_id
        return doc

    def response(self, request_id: str | None = None) -> Response:
        body = json.dumps(self.document(request_id), ensure_ascii=False).encode()
        headers = {"Cache-Control": "no-store", **self.headers}
        if request_id:
            headers["X-Request-ID"] = request_id
        return Response(body, self.status, headers, media_type="application/problem+json")


#: Error class -> (status, problem type, title): the one table of statuses, most specific
#: first (the first class an error is an instance of decides). The pool's errors name their
#: own type and title (None here); a job a worker failed keeps the worker's status.
STATUSES: tuple[tuple[type[Exception], int, str | None, str | None], ...] = (
    (pool.QueryTimeout, 503, None, None),
    (pool.Busy, 503, None, None),
    (pool.WorkerCrashed, 500, None, None),
    (pool.ClientGone, 499, None, None),
    (pool.NotReady, 503, None, None),
    (pool.ShuttingDown, 503, None, None),
    (pool.WorkerStartFailed, 503, None, None),
    (pool.SnapshotUnavailable, 503, None, None),
    (pool.WorkerProtocolError, 500, None, None),
    (remote.RemoteDeadlineExceeded, 503, "query-timeout", "Query timed out"),
    (remote.RemoteTruncated, 502, "remote-truncated", "Remote answer truncated"),
    (remote.RemoteUnreachable, 502, "backend-unreachable", "Backend unreachable"),
    (remote.RemoteStoreError, 502, "backend-failed", "Backend failed the query"),
    (AmbiguousNation, 409, "ambiguous-nation", "Ambiguous nation"),
    (NationNotFound, 404, "unknown-nation", "Unknown nation"),
    (NameNotFound, 404, "unknown-name", "Unknown name"),
    (TripleNotHeld, 404, "triple-does-not-hold", "Triple does not hold"),
    (QueryError, 400, "bad-parameter", "Bad parameter"),
    (SnapshotError, 503, "snapshot-unavailable", "Snapshot unavailable"),
    (MilgraphError, 400, "bad-request", "Bad request"),
)


def problem_for(exc: Exception) -> Problem:
    """The problem document of an error of a layer below HTTP (``STATUSES``); a job a query
    worker answered with an error document keeps the status the worker gave it."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, pool.JobFailed):
        return Problem(exc.status, exc.kind, exc.title, exc.detail, **exc.extra)
    for cls, status, kind, title in STATUSES:
        if isinstance(exc, cls):
            if isinstance(exc, pool.PoolError):
                return Problem(status, kind or exc.kind, title or exc.title, exc.detail,
                               **exc.extra)  # fmt: skip
            return Problem(status, kind or "error", title or "Error", str(exc), **_extra(exc))
    raise TypeError(f"no status for {type(exc).__name__}: add it to STATUSES")


def _extra(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, AmbiguousNation):
        return {"choices": [c.to_json() for c in exc.choices]}
    if isinstance(exc, NameNotFound) and exc.suggestions:
        return {"suggestions": exc.suggestions}
    return {}
