"""Query worker process: holds a snapshot open read-only, evaluates and serialises queries.

pyoxigraph cannot cancel a running query, so queries run in separate processes that the
server can kill at the deadline (the CPU is really freed, and no thread per query piles up).
The answer is serialised here by pyoxigraph and sent back over a socket in chunks, so a
large answer streams in bounded memory and never passes through Python objects.

Wire format (both directions): a 5-byte header (type, payload length) then the payload.
"""

from __future__ import annotations

import json
import pickle
import signal
import socket
import struct
from pathlib import Path
from typing import Any

HEADER = struct.Struct("!BI")
READY, JOB, DATA, END, ERROR, STOP = range(6)
CHUNK = 64 * 1024

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = {_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
)}  # fmt: skip
_FLOAT = {_XSD + "decimal", _XSD + "double", _XSD + "float"}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def send_frame(sock: socket.socket, kind: int, payload: bytes = b"") -> None:
    sock.sendall(HEADER.pack(kind, len(payload)) + payload)


def recv_frame(sock: socket.socket) -> tuple[int, bytes]:
    head = _recv_exact(sock, HEADER.size)
    kind, length = HEADER.unpack(head)
    return kind, _recv_exact(sock, length) if length else b""


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            raise EOFError("server closed the connection")
        buf += part
    return bytes(buf)


class ResultTooLarge(Exception):
    pass


class ChunkWriter:
    """File-like sink for pyoxigraph serialisers: sends DATA frames, enforces the size cap."""

    def __init__(self, sock: socket.socket, max_bytes: int) -> None:
        self.sock = sock
        self.max_bytes = max_bytes
        self.buffer = bytearray()
        self.total = 0

    def write(self, data: bytes) -> int:
        self.total += len(data)
        if self.max_bytes and self.total > self.max_bytes:
            raise ResultTooLarge
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush_frames()
        return len(data)

    def flush(self) -> None:  # called by pyoxigraph; chunking is ours
        pass

    def flush_frames(self) -> None:
        if self.buffer:
            send_frame(self.sock, DATA, bytes(self.buffer))
            self.buffer.clear()


def error(status: int, kind: str, title: str, detail: str, **extra: Any) -> bytes:
    return pickle.dumps({"status": status, "type": kind, "title": title, "detail": detail, **extra})


def run_job(snapshot: Any, job: dict[str, Any], sock: socket.socket) -> None:
    import pyoxigraph as ox

    from milgraph.server.formats import OX_RDF, OX_RESULTS
    from milgraph.server.options import query_kwargs

    fmt: str = job["format"]
    try:
        result = snapshot.query(job["query"], **query_kwargs(job["options"], snapshot))
    except SyntaxError as exc:
        from milgraph.server.sparql_text import syntax_error_position

        message = str(exc.args[0]) if exc.args else str(exc)
        line, column, text = syntax_error_position(message)
        send_frame(sock, ERROR, error(400, "malformed-query", "Malformed query", text,
                                      line=line, column=column))  # fmt: skip
        return
    except Exception as exc:  # parses, but cannot be run (e.g. an unknown function)
        send_frame(sock, ERROR, _evaluation_error(exc))
        return
    writer = ChunkWriter(sock, job["max_bytes"])
    try:
        if isinstance(result, ox.QueryTriples):
            if fmt not in OX_RDF:
                raise _FormMismatch
            if fmt in ("turtle", "trig") and job.get("prefixes"):
                ox.serialize(result, writer, format=OX_RDF[fmt], prefixes=job["prefixes"])
            else:
                ox.serialize(result, writer, format=OX_RDF[fmt])
        elif fmt == "rows":
            _write_rows(result, writer)
        elif fmt in OX_RESULTS:
            result.serialize(writer, format=OX_RESULTS[fmt])
        else:
            raise _FormMismatch
    except ResultTooLarge:
        limit = job["max_bytes"]
        send_frame(sock, ERROR, error(
            422, "result-too-large", "Result too large",
            f"the answer exceeds the server's result-size cap of {limit:,} bytes; add LIMIT, "
            "select fewer variables, or ask the operator for a larger --max-result-bytes",
        ))  # fmt: skip
        return
    except _FormMismatch:
        send_frame(sock, ERROR, error(
            406, "not-acceptable", "Not acceptable",
            f"format {fmt!r} cannot represent the answer of this query",
        ))  # fmt: skip
        return
    except Exception as exc:  # evaluation errors surface lazily, while serialising
        send_frame(sock, ERROR, _evaluation_error(exc))
        return
    writer.flush_frames()
    send_frame(sock, END, str(writer.total).encode())


def _evaluation_error(exc: Exception) -> bytes:
    """A well-formed query the engine cannot answer: 422 for the query's fault (unsupported
    function, bad SERVICE answer…), 500 only for storage errors."""
    status = 500 if isinstance(exc, OSError) else 422
    return error(status, "evaluation-error", "Query evaluation failed",
                 str(exc) or type(exc).__name__)  # fmt: skip


class _FormMismatch(Exception):
    pass


def _write_rows(result: Any, writer: ChunkWriter) -> None:
    """Flat JSON for dashboards: {"columns": [...], "rows": [{column: value}]}."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        writer.write(json.dumps({"boolean": bool(result)}).encode())
        return
    names = [v.value for v in result.variables]
    writer.write(b'{"columns":' + json.dumps(names).encode() + b',"rows":[')
    first = True
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = _plain(term)
        writer.write((b"" if first else b",") + json.dumps(row, ensure_ascii=False).encode())
        first = False
    writer.write(b"]}")


def _plain(term: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER:
                return int(term.value)
            if datatype in _FLOAT:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == _BOOLEAN:
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def main(sock: socket.socket, root: str, key: str) -> None:
    """Worker loop (runs in a child process): open the snapshot, answer jobs until STOP."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    from milgraph.snapshot import open_snapshot

    try:
        snapshot = open_snapshot(Path(root), key)
    except Exception as exc:
        problem = error(503, "snapshot-unavailable", "Snapshot unavailable", str(exc))
        send_frame(sock, ERROR, problem)
        return
    send_frame(sock, READY, key.encode())
    while True:
        try:
            kind, payload = recv_frame(sock)
        except (EOFError, OSError):
            return
        if kind == STOP:
            return
        if kind == JOB:
            try:
                run_job(snapshot, pickle.loads(payload), sock)
            except (BrokenPipeError, ConnectionResetError):
                return


if __name__ == "__main__":
    import sys

    fd, root_arg, key_arg = sys.argv[1:4]
    main(socket.socket(fileno=int(fd)), root_arg, key_arg)
