"""Errors as RFC 9457 problem documents: status, a stable type, and a message for people.

Responses never carry a stack trace; unexpected errors are logged with the request id the
client sees, so an operator can find the trace.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from milgraph.namespaces import PROBLEM_TYPE_BASE


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
