"""Query worker process: holds a snapshot open read-only, evaluates and serialises queries.

pyoxigraph cannot cancel a running query, so queries run in separate processes that the
server can kill at the deadline (the CPU is really freed, and no thread per query piles up).
The answer is serialised here by pyoxigraph and sent back over a socket in chunks
(``server.wire``), so a large answer streams in bounded memory and never passes through
Python objects.
"""

from __future__ import annotations

import gc
import json
import signal
import socket
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from milgraph.namespaces import XSD, XSD_BOOLEAN
from milgraph.server.formats import OX_RDF, OX_RESULTS
from milgraph.server.options import QueryOptions, query_kwargs
from milgraph.server.wire import (
    CHUNK,
    DATA,
    END,
    ERROR,
    JOB,
    READY,
    REVOKE,
    SKIPPED,
    STOP,
    FrameReader,
    FrameSink,
    decode_job,
    error,
    send_frame,
)
from milgraph.store.base import GraphStore
from milgraph.store.oxigraph import OxigraphStore
from milgraph.store.snapshot import open_snapshot

_INTEGER = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
)}  # fmt: skip

_FLOAT = {XSD + "decimal", XSD + "double", XSD + "float"}


class ResultTooLarge(Exception):
    pass


class ChunkWriter:
    """File-like sink for pyoxigraph serialisers: sends DATA frames, enforces the size cap.

    What is left when the answer is complete goes out with the END frame (``finish``)."""

    def __init__(self, sock: FrameSink, max_bytes: int) -> None:
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


def run_job(
    snapshot: GraphStore, job: dict[str, Any], sock: FrameSink,
    evaluation_error: Callable[[Exception], bytes] | None = None,
) -> None:  # fmt: skip
    """Answer one job into ``sock``: DATA frames then END, or one ERROR frame (made by
    ``evaluation_error`` for errors the store raised; the remote backend gives its own)."""
    evaluation_error = evaluation_error or _evaluation_error
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
        send_frame(sock, ERROR, evaluation_error(exc))
        return
    writer = ChunkWriter(sock, job["max_bytes"])
    sink = cast(IO[bytes], writer)  # file-like (write, flush): what the serialisers write to
    try:
        if not isinstance(result, ox.QuerySolutions | ox.QueryBoolean):  # a graph
            if fmt not in OX_RDF:
                raise _FormMismatch
            if fmt in ("turtle", "trig") and job.get("prefixes"):
                ox.serialize(result, sink, format=OX_RDF[fmt], prefixes=job["prefixes"])
            else:
                ox.serialize(result, sink, format=OX_RDF[fmt])
        elif fmt == "rows":
            _write_rows(result, writer)
        elif fmt in OX_RESULTS:
            result.serialize(sink, format=OX_RESULTS[fmt])
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
        send_frame(sock, ERROR, evaluation_error(exc))
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
        if datatype == XSD_BOOLEAN:
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
    # A snapshot; or with ``plain``, a plain store (a view of ``--writable-store``): it has no
    # reasoning graphs, so the server refuses the options that need them (``inference=false``,
    # ``asOf``) before a job gets here.
    snapshot: GraphStore
    opened: str | None = None
    try:
        if plain:
            opened = str(Path(root) / key)
            snapshot = OxigraphStore.open(opened)
        else:
            snapshot = open_snapshot(Path(root), key)
    except Exception as exc:
        problem = error(503, "snapshot-unavailable", "Snapshot unavailable", str(exc))
        send_frame(sock, ERROR, problem)
        return
    # Import the formats and warm the query path now rather than on the first request.
    warm_up = {"query": "ASK {}", "options": QueryOptions(), "format": "json", "max_bytes": 0}
    run_job(snapshot, warm_up, _NullSocket())
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
        if job["store"] and job["store"] != opened:
            try:
                snapshot = OxigraphStore.open(job["store"])
                opened = job["store"]
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
