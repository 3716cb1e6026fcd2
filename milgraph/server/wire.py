"""The query workers' wire format, shared by the server's side (the pool) and theirs.

Frames (both directions): a 5-byte header (type, payload length) then the payload. A job is
one JOB frame (a pickled tuple of plain values, see ``encode_job``). Its answer is zero or
more DATA frames and then one END frame carrying the rest of the answer, so a small answer is
a single frame and a single write; or an ERROR frame (a JSON problem document, ``error``).

The server may send further jobs while one runs (they queue in the worker, answered in
order), and take a queued one back with REVOKE (payload: the job's number, counting JOB
frames from 1): before starting each job the worker reads whatever has arrived, and answers a
revoked job with SKIPPED instead of running it.
"""

from __future__ import annotations

import json
import pickle
import socket
import struct
from typing import Any, Protocol

from milgraph.server.options import QueryOptions

HEADER = struct.Struct("!BI")

READY, JOB, DATA, END, ERROR, STOP, REVOKE, SKIPPED = range(8)

CHUNK = 64 * 1024


def frame(kind: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


class FrameSink(Protocol):
    """Where frames are written: a socket (or anything with its ``sendall``)."""

    def sendall(self, data: bytes, /) -> None: ...


def send_frame(sock: FrameSink, kind: int, payload: bytes = b"") -> None:
    sock.sendall(frame(kind, payload))


def encode_job(
    query: str, options: Any, fmt: str, max_bytes: int, prefixes: dict[str, str] | None,
    store: str | None = None,
) -> bytes:  # fmt: skip
    """A JOB payload: plain values only, so encoding and decoding cost microseconds.
    ``store``: the store to answer from when it is not the one the worker opened at start
    (the latest view of a writable store)."""
    return pickle.dumps(
        (query, options.inference, options.default_graphs, options.named_graphs,
         options.bindings, options.as_of, fmt, max_bytes, prefixes, store),
        protocol=pickle.HIGHEST_PROTOCOL,
    )  # fmt: skip


def decode_job(payload: bytes) -> dict[str, Any]:
    query, inference, default, named, bindings, as_of, fmt, max_bytes, prefixes, store = (
        pickle.loads(payload)
    )
    options = QueryOptions(inference, default, named, bindings, as_of)
    return {"query": query, "options": options, "format": fmt, "max_bytes": max_bytes,
            "prefixes": prefixes, "store": store}  # fmt: skip


def error(status: int, kind: str, title: str, detail: str, **extra: Any) -> bytes:
    return json.dumps(
        {"status": status, "type": kind, "title": title, "detail": detail, **extra}
    ).encode()


class FrameReader:
    """Whole frames from the server's socket, as many as have arrived."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.closed = False

    def read(self, *, block: bool) -> list[tuple[int, bytes]]:
        """The frames that are complete now; with ``block``, wait for at least one (or the
        end of the connection: ``closed``)."""
        out: list[tuple[int, bytes]] = []
        buf = self.buffer
        flags = 0 if block else socket.MSG_DONTWAIT
        while not self.closed:
            try:
                data = self.sock.recv(CHUNK, flags)
            except BlockingIOError:
                data = None
            if data == b"":
                self.closed = True
            elif data:
                buf += data
            pos = 0
            while len(buf) - pos >= HEADER.size:
                kind, length = HEADER.unpack_from(buf, pos)
                end = pos + HEADER.size + length
                if end > len(buf):
                    break
                out.append((kind, bytes(buf[pos + HEADER.size : end])))
                pos = end
            if pos:
                del buf[:pos]
            if out or data is None or not block:
                return out
        return out
