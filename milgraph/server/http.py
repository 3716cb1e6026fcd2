"""uvicorn's httptools protocol, writing each response with one system call.

uvicorn writes a response's status line and headers as soon as the application starts the
response, and the body separately: two ``send`` calls, two TCP segments and two wake-ups
of the client for every small answer. On loopback the kernel does the receiver's work inside
the sender's ``send``, so for a point query that is a large part of the server's time.
Here the transport buffers what is written during one event-loop iteration and writes it
at the end of that iteration: a complete answer (headers and body, sent back to back) goes
out in one segment. Nothing waits longer than the current iteration, and closing or
aborting the connection writes (or drops) what is buffered first, like the real transport.

Used by ``milgraph serve`` as uvicorn's ``http`` protocol class (a documented uvicorn
option); without httptools, ``milgraph serve`` uses uvicorn's default.

The protocol also bounds what arrives before the application sees a request: the URL
(``MAX_URL_BYTES``: 414) and the header block (``MAX_HEADER_BYTES``, ``MAX_HEADERS``: 431),
and answers every request it cannot parse with a problem document like the application's
errors, not uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from milgraph.server.middleware import SECURITY_HEADERS
from milgraph.server.problems import Problem

#: Longest request target (path and query string): longer queries go in a POST body.
MAX_URL_BYTES = 64 * 1024
#: Largest header block, and most header lines, of one request.
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100


class CoalescingTransport:
    """A transport that gathers the writes of one loop iteration into one ``write``."""

    __slots__ = ("_loop", "_pending", "_scheduled", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._pending.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._scheduled = False
        pending = self._pending
        if not pending:
            return
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(p) for p in self._pending)

    def __getattr__(self, name: str) -> Any:  # everything else is the real transport's
        return getattr(self._transport, name)


class _Refused(Exception):
    """Raised from a parser callback: httptools turns it into a parser error."""


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    _refusal: Problem | None = None
    _header_bytes = 0
    _header_count = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > MAX_URL_BYTES:
            self._refusal = Problem(
                414, "uri-too-long", "URI too long",
                f"the request URL exceeds {MAX_URL_BYTES:,} bytes; send long queries in the "
                "body of a POST (Content-Type: application/sparql-query)",
            )  # fmt: skip
            raise _Refused
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        self._header_count += 1
        if self._header_bytes > MAX_HEADER_BYTES or self._header_count > MAX_HEADERS:
            self._refusal = Problem(
                431, "headers-too-large", "Request header fields too large",
                f"the request headers exceed {MAX_HEADER_BYTES:,} bytes or {MAX_HEADERS} "
                "fields",
            )  # fmt: skip
            raise _Refused
        super().on_header(name, value)

    def send_400_response(self, msg: str) -> None:
        problem, self._refusal = self._refusal, None
        if problem is None:
            problem = Problem(400, "bad-http-request", "Bad request",
                              "the request is not valid HTTP/1.1")  # fmt: skip
        body = json.dumps(problem.document()).encode()
        lines = [f"HTTP/1.1 {problem.status} {problem.title}".encode()]
        lines += [name + b": " + value for name, value in self.server_state.default_headers]
        lines += [f"{k}: {v}".encode() for k, v in SECURITY_HEADERS.items()]
        lines += [b"content-type: application/problem+json", b"cache-control: no-store",
                  b"content-length: " + str(len(body)).encode(), b"connection: close"]
        self.transport.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        self.transport.close()


def protocol_class() -> str:
    """What ``milgraph serve`` passes as uvicorn's ``http`` option."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "auto"
    return "milgraph.server.http:CoalescingHttpToolsProtocol"
