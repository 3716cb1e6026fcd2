"""Query worker process: holds a snapshot open read-only, evaluates and serialises queries.

pyoxigraph cannot cancel a running query, so queries run in separate processes that the
server can kill at the deadline (the CPU is really freed, and no thread per query piles up).
The answer is serialised here by pyoxigraph and sent back over a socket in chunks, so a
large answer streams in bounded memory and never passes through Python objects.

Wire format (both directions): a 5-byte header (type, payload length) then the payload.
A job is one JOB frame (a pickled tuple of plain values, see ``encode_job``). Its answer is
zero or more DATA frames and then one END frame carrying the rest of the answer, so a small
answer is a single frame and a single write; or an ERROR frame (a JSON problem).

The server may send further jobs while one runs (they queue here, answered in order), and
take a queued one back with REVOKE (payload: the job's number, counting JOB frames from 1):
before starting each job the worker reads whatever has arrived, and answers a revoked job
with SKIPPED instead of running it.
"""

from __future__ import annotations

import gc
import json
import pickle
import signal
import socket
import struct
from collections import deque
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph.server.formats import OX_RDF, OX_RESULTS
from milgraph.server.options import QueryOptions, query_kwargs

HEADER = struct.Struct("!BI")
READY, JOB, DATA, END, ERROR, STOP, REVOKE, SKIPPED = range(8)
CHUNK = 64 * 1024

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = {_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
)}  # fmt: skip
_FLOAT = {_XSD + "decimal", _XSD + "double", _XSD + "float"}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def frame(kind: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def send_frame(sock: socket.socket, kind: int, payload: bytes = b"") -> None:
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


class PlainStore:
    """A plain Oxigraph store opened read-only (a view of ``--writable-store``), queried the
    way ``Snapshot.query`` is; it has no reasoning graphs, so the server refuses the options
    that need them (``inference=false``, ``asOf``) before a job gets here."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store = ox.Store.read_only(path)

    def query(
        self, sparql: str, *, asserted_only: bool = False,
        default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
        substitutions: dict[Any, Any] | None = None,
    ) -> Any:  # fmt: skip
        kwargs: dict[str, Any] = {}
        if default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = substitutions
        return self.store.query(sparql, **kwargs)


class ResultTooLarge(Exception):
    pass


class ChunkWriter:
    """File-like sink for pyoxigraph serialisers: sends DATA frames, enforces the size cap.

    What is left when the answer is complete goes out with the END frame (``finish``)."""

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
            send_frame(self.sock, DATA, bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:  # called by pyoxigraph; chunking is ours
        pass

    def finish(self) -> None:
        send_frame(self.sock, END, bytes(self.buffer))
        self.buffer.clear()


def error(status: int, kind: str, title: str, detail: str, **extra: Any) -> bytes:
    return json.dumps(
        {"status": status, "type": kind, "title": title, "detail": detail, **extra}
    ).encode()


def run_job(snapshot: Any, job: dict[str, Any], sock: socket.socket) -> None:
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
    writer.finish()


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


def main(sock: socket.socket, root: str, key: str, plain: bool = False) -> None:
    """Worker loop (runs in a child process): open the snapshot (or with ``plain``, the store
    ``root/key``), answer jobs until STOP."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    _limit_memory()
    snapshot: Any
    try:
        if plain:
            snapshot = PlainStore(str(Path(root) / key))
        else:
            from milgraph.snapshot import open_snapshot

            snapshot = open_snapshot(Path(root), key)
    except Exception as exc:
        problem = error(503, "snapshot-unavailable", "Snapshot unavailable", str(exc))
        send_frame(sock, ERROR, problem)
        return
    # Import the formats and warm the query path now rather than on the first request.
    warm_up = {"query": "ASK {}", "options": QueryOptions(), "format": "json", "max_bytes": 0}
    run_job(snapshot, warm_up, _NullSocket())  # type: ignore[arg-type]
    gc.freeze()  # what is loaded now lives as long as the process
    send_frame(sock, READY, key.encode())
    frames = FrameReader(sock)
    jobs: deque[tuple[int, bytes]] = deque()
    revoked: set[int] = set()
    received = 0
    while True:
        # Take in everything the server has sent (blocking only when there is nothing to
        # do), so a REVOKE sent after a queued JOB is seen before that job starts.
        for kind, payload in frames.read(block=not jobs):
            if kind == JOB:
                received += 1
                jobs.append((received, payload))
            elif kind == REVOKE:
                revoked.add(int(payload))
            elif kind == STOP:
                return
        if frames.closed:
            return  # the server closed the connection
        if not jobs:
            continue
        number, payload = jobs.popleft()
        if number in revoked:
            revoked.discard(number)
            send_frame(sock, SKIPPED)
            continue
        job = decode_job(payload)
        if job["store"] and job["store"] != getattr(snapshot, "path", None):
            try:
                snapshot = PlainStore(job["store"])
            except Exception as exc:
                send_frame(sock, ERROR, error(503, "store-unavailable",
                                              "Store unavailable", str(exc)))  # fmt: skip
                continue
        try:
            run_job(snapshot, job, sock)
        except (BrokenPipeError, ConnectionResetError):
            return


def _limit_memory() -> None:
    """``--worker-memory-mb``: bound the data segment, so a query that would need more fails
    (its worker exits and is replaced) instead of pushing the host into swap."""
    import os
    import resource

    raw = os.environ.get("MILGRAPH_WORKER_MEMORY_MB", "")
    if raw.isdigit() and int(raw) > 0:
        limit = int(raw) * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


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


class _NullSocket:
    def sendall(self, data: bytes) -> None:
        pass


if __name__ == "__main__":
    import sys

    fd, root_arg, key_arg = sys.argv[1:4]
    try:
        main(socket.socket(fileno=int(fd)), root_arg, key_arg, plain="--plain" in sys.argv[4:])
    except (BrokenPipeError, ConnectionResetError):
        sys.exit(0)  # the server closed our socket (shut down, or replaced us): nothing to do
