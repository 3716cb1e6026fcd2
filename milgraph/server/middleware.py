"""ASGI middleware: a request id and security headers on every response, and a request
body size limit."""

from __future__ import annotations

import itertools
import json
import os
from typing import Any
from urllib.parse import parse_qsl

from milgraph.server.problems import Problem

Scope = dict[str, Any]

#: On every answer: no MIME sniffing of answers (a Turtle literal is never run as HTML),
#: no framing by other sites, no Referer with query texts in it.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_RAW_SECURITY = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(1)


def next_request_id() -> str:
    """A request id unique in this process's lifetime (16 hex digits): a random per-process
    prefix and a counter, so no system call per request (``uuid4`` reads the OS RNG)."""
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFFFFFF:08x}"


class RequestContext:
    """Give each request an id (``X-Request-ID``, echoed in problems and logs) and refuse
    bodies over ``max_body_bytes`` with 413, whether announced by Content-Length or not."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = next_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        query = scope.get("query_string", b"")
        if query and not _utf8_parameters(query):
            await _send_problem(send, request_id, bad_encoding())
            return
        limit = self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    announced = 0
                if limit and announced > limit:
                    await self._too_large(send, request_id)
                    return
        received = 0

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if limit and received > limit:
                    raise too_large_problem(limit)
            return message

        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                if b"x-request-id" not in present:
                    headers.append(header)
                headers.extend(h for h in _RAW_SECURITY if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, limited_receive if limit else receive, send_with_id)

    async def _too_large(self, send: Any, request_id: str) -> None:
        await _send_problem(send, request_id, too_large_problem(self.max_body_bytes),
                            close=True)  # fmt: skip


async def _send_problem(send: Any, request_id: str, problem: Problem, close: bool = False) -> None:
    body = json.dumps(problem.document(request_id)).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()),
        (b"cache-control", b"no-store"),
        *_RAW_SECURITY,
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _utf8_parameters(query: bytes) -> bool:
    """True when the query string's parameters are UTF-8 once percent-decoded."""
    try:
        parse_qsl(query.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def bad_encoding() -> Problem:
    return Problem(400, "bad-encoding", "Bad request",
                   "the URL's parameters are not valid UTF-8 after percent-decoding")  # fmt: skip


def too_large_problem(limit: int) -> Problem:
    return Problem(
        413, "body-too-large", "Request body too large",
        f"the request body exceeds the server's limit of {limit:,} bytes "
        "(the operator can raise it with --max-body-bytes)",
    )  # fmt: skip
