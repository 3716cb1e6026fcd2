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
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


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


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]


def protocol_class() -> str:
    """What ``milgraph serve`` passes as uvicorn's ``http`` option."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "auto"
    return "milgraph.server.http:CoalescingHttpToolsProtocol"
