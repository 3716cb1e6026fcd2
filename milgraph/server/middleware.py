"""ASGI middleware: a request id on every response, and a request body size limit."""

from __future__ import annotations

import json
import uuid
from typing import Any

from milgraph.server.problems import Problem

Scope = dict[str, Any]


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
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
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
                    raise _too_large_problem(limit)
            return message

        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append(header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, limited_receive if limit else receive, send_with_id)

    async def _too_large(self, send: Any, request_id: str) -> None:
        problem = _too_large_problem(self.max_body_bytes)
        body = json.dumps(problem.document(request_id)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _too_large_problem(limit: int) -> Problem:
    return Problem(
        413, "body-too-large", "Request body too large",
        f"the request body exceeds the server's limit of {limit:,} bytes "
        "(the operator can raise it with --max-body-bytes)",
    )  # fmt: skip
