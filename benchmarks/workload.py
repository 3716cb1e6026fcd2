"""What the serving benchmark does to each server: timed queries, load, isolation, timeouts.

Requests are plain SPARQL 1.1 protocol POSTs (``application/sparql-query``) asking for
``application/sparql-results+json``, so every system gets byte-identical requests. Latency is
measured by the client from sending the request until the whole body is read, over one
kept-alive connection (stdlib ``http.client``: the lightest Python client, so client
overhead stays small next to the servers' own time).
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import math
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.servers import SPARQL_JSON, SPARQL_QUERY

FORM = "application/x-www-form-urlencoded"


@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes
    error: str | None = None
    #: The HTTP message itself ended early (chunked stream not terminated, connection reset):
    #: a client library reports an error instead of silently accepting partial results.
    cut: bool = False

    def rows(self) -> int | None:
        """Number of solutions in a SPARQL JSON result, or None if the body is not one."""
        try:
            doc = json.loads(self.body)
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        if "boolean" in doc:
            return 1
        bindings = doc.get("results", {}).get("bindings")
        return len(bindings) if isinstance(bindings, list) else None


class Endpoint:
    """One persistent HTTP/1.1 connection to a SPARQL endpoint (reconnects when needed)."""

    def __init__(
        self, url: str, timeout: float = 600.0, form: Sequence[tuple[str, str]] | None = None
    ) -> None:
        #: Send queries form-encoded with these extra parameters (a dataset, say) instead of
        #: as ``application/sparql-query`` (on which Virtuoso hangs).
        self.form = form
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = parts.path or "/"
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def query(self, sparql: str, *, timeout: float | None = None) -> Answer:
        body, content_type = encode(sparql, self.form)
        headers = {"Content-Type": content_type, "Accept": SPARQL_JSON}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=timeout or self.timeout
                )
            elif timeout is not None and self.conn.sock is not None:
                self.conn.sock.settimeout(timeout)
            began = time.perf_counter()
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                response = self.conn.getresponse()
                data, cut = _read_all(response)
                took = time.perf_counter() - began
            except (ConnectionError, http.client.HTTPException) as exc:
                self.close()
                if attempt == 2:
                    return Answer(0, time.perf_counter() - began, b"", f"{type(exc).__name__}")
                continue  # a kept-alive connection the server had closed: retry once
            except TimeoutError:
                self.close()
                return Answer(0, time.perf_counter() - began, b"", "client timeout")
            if response.getheader("connection", "").lower() == "close":
                self.close()
            elif timeout is not None and self.conn and self.conn.sock is not None:
                self.conn.sock.settimeout(self.timeout)
            if cut:
                self.close()
            return Answer(response.status, took, data, cut=cut)
        raise AssertionError("unreachable")


def encode(sparql: str, form: Sequence[tuple[str, str]] | None) -> tuple[bytes, str]:
    """A query's request body and content type: the text, or a form with ``form``."""
    if form is None:
        return sparql.encode(), SPARQL_QUERY
    return urlencode([("query", sparql), *form]).encode(), FORM


def _read_all(response: http.client.HTTPResponse) -> tuple[bytes, bool]:
    """Read a body even when the server cuts it short; say whether it was cut."""
    chunks: list[bytes] = []
    try:
        while chunk := response.read(65536):
            chunks.append(chunk)
    except http.client.IncompleteRead as exc:
        chunks.append(exc.partial)
        return b"".join(chunks), True
    except (ConnectionError, http.client.HTTPException):
        return b"".join(chunks), True
    return b"".join(chunks), False


# --------------------------------------------------------------------------- latency


@dataclass
class LatencyResult:
    median_ms: float
    p95_ms: float
    runs: int
    rows: list[int | None]
    errors: list[str] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


def latencies(
    endpoints: dict[str, Endpoint],
    queries: Sequence[str],
    *,
    warmup: int,
    runs: int,
) -> dict[str, LatencyResult]:
    """Sequential timed runs, interleaved across systems round by round.

    Interleaving spreads the noise of a shared machine evenly over the systems compared,
    so ratios stay meaningful when absolute times drift.
    """
    times: dict[str, list[float]] = {name: [] for name in endpoints}
    rows: dict[str, list[int | None]] = {name: [] for name in endpoints}
    errors: dict[str, list[str]] = {name: [] for name in endpoints}
    for i in range(warmup + runs):
        query = queries[i % len(queries)]
        for name, endpoint in endpoints.items():
            answer = endpoint.query(query)
            if i < warmup:
                continue
            times[name].append(answer.seconds * 1000)
            if answer.status != 200:
                errors[name].append(f"HTTP {answer.status} {answer.error or ''}".strip())
                rows[name].append(None)
            else:
                rows[name].append(answer.rows())
    return {
        name: LatencyResult(
            median_ms=round(statistics.median(times[name]), 3),
            p95_ms=round(percentile(times[name], 95), 3),
            runs=runs,
            rows=rows[name],
            errors=errors[name],
            times_ms=[round(t, 3) for t in times[name]],
        )
        for name in endpoints
    }


# --------------------------------------------------------------------------- throughput


@dataclass
class Throughput:
    requests_per_s: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float | None
    p99_ms: float | None
    tool: str
    rounds: list[float] = field(default_factory=list)


def combine(samples: Sequence[Throughput]) -> Throughput:
    """Several interleaved rounds as one result: the median round's rate, summed counts."""
    ordered = sorted(samples, key=lambda t: t.requests_per_s)
    middle = ordered[len(ordered) // 2]
    return Throughput(
        requests_per_s=middle.requests_per_s,
        requests=sum(t.requests for t in samples),
        non_2xx=sum(t.non_2xx for t in samples),
        socket_errors=sum(t.socket_errors for t in samples),
        p50_ms=middle.p50_ms,
        p99_ms=middle.p99_ms,
        tool=middle.tool,
        rounds=[t.requests_per_s for t in samples],
    )


def wrk_path() -> str | None:
    return shutil.which("wrk")


def throughput(
    url: str,
    queries: Sequence[str],
    *,
    concurrency: int,
    duration: float,
    use_wrk: bool = True,
    form: Sequence[tuple[str, str]] | None = None,
) -> Throughput:
    """Point-query throughput with ``concurrency`` clients, each rotating over ``queries``
    (form-encoded with ``form``'s parameters when given, see ``Endpoint``)."""
    if use_wrk and wrk_path():
        return _wrk(url, queries, concurrency=concurrency, duration=duration, form=form)
    return _python_load(url, queries, concurrency=concurrency, duration=duration, form=form)


_LUA = """-- POST rotating SPARQL queries (generated by benchmarks/workload.py)
local bodies = {
%s
}
local i = 0
local headers = { ["Content-Type"] = "%s", ["Accept"] = "%s" }
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", nil, headers, bodies[i])
end
"""


def _lua_string(text: str) -> str:
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def _wrk(url: str, queries: Sequence[str], *, concurrency: int, duration: float,
         form: Sequence[tuple[str, str]] | None = None) -> Throughput:  # fmt: skip
    bodies = [encode(q, form)[0].decode() for q in queries]
    content_type = encode("", form)[1]
    script = _LUA % (",\n".join(_lua_string(b) for b in bodies), content_type, SPARQL_JSON)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        lua = f.name
    try:
        command = [
            wrk_path() or "wrk",
            "--threads", "1",
            "--connections", str(concurrency),
            "--duration", f"{max(1, round(duration))}s",
            "--timeout", "30s",
            "--latency",
            "--script", lua,
            url,
        ]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        Path(lua).unlink(missing_ok=True)
    return _parse_wrk(out)


def _parse_wrk(out: str) -> Throughput:
    def number(pattern: str) -> float | None:
        m = re.search(pattern, out)
        return float(m.group(1)) if m else None

    def ms(label: str) -> float | None:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
        return round(float(m.group(1)) * scale, 3)

    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Throughput(
        requests_per_s=round(number(r"Requests/sec:\s+([\d.]+)") or 0.0, 1),
        requests=int(number(r"(\d+) requests in") or 0),
        non_2xx=int(number(r"Non-2xx or 3xx responses:\s+(\d+)") or 0),
        socket_errors=sum(int(x) for x in socket.groups()) if socket else 0,
        p50_ms=ms("50"),
        p99_ms=ms("99"),
        tool=_wrk_version(),
    )


def _wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    except OSError:
        return "wrk"
    return out.split("Copyright")[0].strip() or "wrk"


def _python_load(
    url: str, queries: Sequence[str], *, concurrency: int, duration: float,
    form: Sequence[tuple[str, str]] | None = None,
) -> Throughput:  # fmt: skip
    """Fallback when wrk is missing: threads with kept-alive connections (less precise)."""
    stop = time.perf_counter() + duration
    lock = threading.Lock()
    seconds: list[float] = []
    bad = [0]

    def client(offset: int) -> None:
        endpoint = Endpoint(url, timeout=30, form=form)
        i = offset
        while time.perf_counter() < stop:
            answer = endpoint.query(queries[i % len(queries)])
            i += 1
            with lock:
                seconds.append(answer.seconds)
                if answer.status // 100 != 2:
                    bad[0] += 1
        endpoint.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ms = [s * 1000 for s in seconds] or [0.0]
    return Throughput(
        requests_per_s=round(len(seconds) / elapsed, 1),
        requests=len(seconds),
        non_2xx=bad[0],
        socket_errors=0,
        p50_ms=round(percentile(ms, 50), 3),
        p99_ms=round(percentile(ms, 99), 3),
        tool=f"python threads x{concurrency} (http.client); wrk not installed",
    )


# --------------------------------------------------------------------------- isolation


@dataclass
class Isolation:
    heavy_alone_s: float
    heavy_status: int
    heavy_rows: int | None
    points_during: int
    point_median_ms: float | None
    point_max_ms: float | None
    window_s: float


def isolation(
    url: str, heavy: str, points: Sequence[str], *, window: float, limit: float
) -> Isolation:
    """Point-query latency while a slow query runs on another connection.

    The slow query is sent back to back from a second connection until ``window`` seconds
    have passed (at least once); meanwhile point queries are timed one after another. A
    server that evaluates queries on its event loop answers nothing until the slow query
    is done, so its first point query takes about as long as the slow query itself.
    """
    first = Endpoint(url, timeout=limit)
    alone = first.query(heavy)
    first.close()
    started = threading.Event()
    deadline = time.perf_counter() + 0.2 + window

    def slow_client() -> None:
        endpoint = Endpoint(url, timeout=limit)
        while True:
            started.set()
            endpoint.query(heavy)
            if time.perf_counter() >= deadline:
                break
        endpoint.close()

    thread = threading.Thread(target=slow_client, daemon=True)
    thread.start()
    started.wait()
    time.sleep(0.2)  # let the slow query reach the server before timing point queries
    fast = Endpoint(url, timeout=limit)
    times: list[float] = []
    began = time.perf_counter()
    i = 0
    while time.perf_counter() < deadline:
        answer = fast.query(points[i % len(points)])
        i += 1
        if answer.status == 200:
            times.append(answer.seconds * 1000)
    thread.join(limit)
    fast.close()
    return Isolation(
        heavy_alone_s=round(alone.seconds, 3),
        heavy_status=alone.status,
        heavy_rows=alone.rows(),
        points_during=len(times),
        point_median_ms=round(statistics.median(times), 3) if times else None,
        point_max_ms=round(max(times), 3) if times else None,
        window_s=round(time.perf_counter() - began, 3),
    )


# --------------------------------------------------------------------------- timeouts


@dataclass
class TimeoutCheck:
    status: int
    seconds: float
    body_bytes: int
    complete: bool
    cut: bool
    verdict: str


def timeout_check(url: str, runaway: str, *, server_timeout: float, wait: float) -> TimeoutCheck:
    """Send a query no server can finish; say what came back and whether the body is whole.

    Good: an error status soon after the configured timeout. Bad: HTTP 200 with a cut-off
    body (the client cannot tell it got partial results), or no answer at all.
    """
    answer = Endpoint(url, timeout=server_timeout + wait).query(runaway)
    complete = answer.rows() is not None
    if answer.status == 0:
        verdict = f"no answer within {answer.seconds:.0f} s ({answer.error}): no server timeout"
    elif answer.status == 200 and not complete and answer.cut:
        verdict = (
            f"HTTP 200, then the stream is broken off after {answer.seconds:.1f} s "
            f"({len(answer.body):,} bytes): clients see a transfer error"
        )
    elif answer.status == 200 and not complete:
        verdict = (
            f"HTTP 200 and a cleanly ended but truncated body after {answer.seconds:.1f} s "
            f"({len(answer.body):,} bytes, invalid JSON)"
        )
    elif answer.status == 200:
        verdict = f"HTTP 200, complete result after {answer.seconds:.1f} s (not stopped)"
    else:
        verdict = f"HTTP {answer.status} after {answer.seconds:.1f} s"
    return TimeoutCheck(
        answer.status, round(answer.seconds, 3), len(answer.body), complete, answer.cut, verdict
    )


# --------------------------------------------------------------------------- outside access


@dataclass
class OutsideAccess:
    """Whether a query can make the server read local files or call arbitrary URLs."""

    from_file: str
    service: str


SECRET = "milgraph-bench-canary-7f3a"


@contextlib.contextmanager
def canary_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request a SPARQL server sends it."""
    hits: list[str] = []
    empty = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", SPARQL_JSON)
            self.send_header("Content-Length", str(len(empty)))
            self.end_headers()
            self.wfile.write(empty)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
        server.server_close()


def outside_access(url: str, scratch: Path) -> OutsideAccess:
    secret = scratch / "secret.nt"
    secret.write_text(f'<urn:x:secret> <urn:x:says> "{SECRET}" .\n')
    endpoint = Endpoint(url, timeout=30)
    answer = endpoint.query(f"SELECT ?o FROM <{secret.resolve().as_uri()}> WHERE {{ ?s ?p ?o }}")
    if SECRET.encode() in answer.body:
        from_file = "reads local files (FROM <file:...> returned the file's triples)"
    else:
        from_file = f"no local file read (HTTP {answer.status})"
    with canary_server() as (canary, hits):
        answer = endpoint.query(f"SELECT * WHERE {{ SERVICE <{canary}> {{ ?s ?p ?o }} }}")
    if hits:
        service = f"calls any URL given in SERVICE (HTTP {answer.status}; canary was contacted)"
    else:
        service = f"no outbound call (HTTP {answer.status})"
    endpoint.close()
    return OutsideAccess(from_file, service)
