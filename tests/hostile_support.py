"""The hostile-input corpus and what the attack tests share: a honeypot SPARQL endpoint on
127.0.0.1, and a watcher that checks ``/health`` keeps answering while an attack runs.

Corpus files live in tests/fixtures/hostile/: ``ssrf/`` (queries that really call their
SERVICE when the host is allow-listed: each must be refused, and reach nothing, when it is
not), ``ssrf-never/`` (never called, allow-listed or not), ``load/`` (updates with LOAD or
SERVICE), ``rdfxml/`` (entity bombs and broken files). ``{URL}``, ``{HOSTPORT}`` and
``{PORT}`` stand for the honeypot. Generated inputs (1 MiB texts, numbers) are below.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
MIB = 1 << 20


def corpus(folder: str) -> dict[str, str]:
    """name -> text template of every file in ``fixtures/hostile/<folder>``."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((HOSTILE / folder).iterdir())}


def fill(template: str, port: int) -> str:
    return (template.replace("{URL}", f"http://127.0.0.1:{port}/sparql")
            .replace("{HOSTPORT}", f"127.0.0.1:{port}").replace("{PORT}", str(port)))


#: Texts that made the old lexer quadratic (or the parser overflow its stack), by name.
def big_texts(size: int = MIB - 4096) -> dict[str, str]:
    head = "SELECT * WHERE { "
    n = size - len(head) - 2
    return {
        "name-dots": head + ("a." * (n // 2)) + " }",
        "non-ascii-run": head + ("é" * (n // 2)) + " }",
        "escaped-quotes": head + '"' + ('\\"' * (n // 2 - 1)),
        "open-iris": head + ("<a" * (n // 2)),
        "colons": head + ("a:" * (n // 2)),
        "nested-braces": head + ("{" * n),
        "nested-parens": head + "FILTER" + ("(" * (n - 6)),
        "long-or-chain": head + "FILTER(true" + ("||true" * ((n - 12) // 6)) + ") }",
        "long-union-chain": head + "{}" + (" UNION {}" * ((n - 4) // 9)) + " }",
        "bang-chain": head + "FILTER(" + ("!" * (n - 12)) + "true) }",
    }


#: Values no numeric parameter may accept (each must give 400, never 500 or a hang).
BAD_NUMBERS = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309", "-1", "0", "-0",
               "0.0", "1e3", "0x10", "1_0", " ", "", "1,5", "one", "9" * 400, "1e-400",
               "\u0661", "+-1", "--1"]  # fmt: skip


class Honeypot:
    """A real HTTP SPARQL endpoint on 127.0.0.1 that records every request it gets and
    answers each with one empty solution (so an allowed SERVICE call succeeds)."""

    def __init__(self) -> None:
        requests: list[tuple[str, str]] = []
        self.requests = requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                requests.append((f"{self.command} {self.path}", body))
                if self.command == "GET":
                    payload, media = b"<http://e/s> <http://e/p> <http://e/o> .\n", "text/turtle"
                else:
                    payload = json.dumps({"head": {"vars": []},
                                          "results": {"bindings": [{}]}}).encode()
                    media = "application/sparql-results+json"
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer  # GET: LOAD (Turtle), POST: SERVICE (results)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class HealthWatch:
    """``/health`` timings taken while something else runs."""

    times: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def worst(self) -> float:
        return max(self.times, default=float("inf"))

    def check(self, limit: float = 0.1) -> None:
        """``/health`` answered within ``limit`` while the attack ran: 90% of the samples
        within it and none over 1 s. (A blocked event loop delays every sample by the
        attack's duration; single samples on a loaded 2-core machine can miss a scheduler
        slice, which is not what this checks.)"""
        assert self.times, self
        assert not self.errors, self.errors
        within = sorted(self.times)[int(len(self.times) * 0.9) - 1]
        assert within < limit, f"/health p90 {within * 1000:.0f} ms during the attack: {self}"
        assert self.worst < 1.0, f"/health took {self.worst * 1000:.0f} ms during the attack"


_WATCHER = """
import json, sys, time, http.client
host, port, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sys.stdout.write("started\\n"); sys.stdout.flush()
while not sys.stdin.closed:
    start = time.perf_counter()
    try:
        c = http.client.HTTPConnection(host, port, timeout=5)
        c.request("GET", "/health")
        status = c.getresponse().status
        c.close()
    except OSError as exc:
        status = repr(exc)
    print(json.dumps([time.perf_counter() - start, status]), flush=True)
    time.sleep(interval)
    import select
    if select.select([sys.stdin], [], [], 0)[0]:
        break
"""


@contextmanager
def watch_health(url: str, interval: float = 0.05) -> Iterator[HealthWatch]:
    """Time ``url/health`` (a new connection each time) until the block ends, from a process
    of its own, so that the attack's client threads cannot delay the measurement."""
    import subprocess
    import sys

    host, port = url.removeprefix("http://").split(":")
    proc = subprocess.Popen([sys.executable, "-c", _WATCHER, host, port, str(interval)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "started"
    watch = HealthWatch()
    try:
        yield watch
    finally:
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        out, _ = proc.communicate(timeout=30)
        for line in out.splitlines():
            took, status = json.loads(line)
            watch.times.append(took)
            if isinstance(status, int):
                watch.statuses.append(status)
            else:
                watch.errors.append(status)


def answered_quickly(http: httpx.Client, limit: float = 1.0) -> float:
    """Seconds a normal query takes now; asserts it is answered (200) within ``limit``."""
    start = time.perf_counter()
    r = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                 timeout=limit + 5)  # fmt: skip
    took = time.perf_counter() - start
    assert r.status_code == 200, r.text
    assert took < limit, f"a normal query took {took:.2f} s right after the attack"
    return took
