"""The serving benchmark's judgements, against real HTTP servers that misbehave on purpose.

The benchmark reports how each SPARQL server ends a query it had to stop; these tests check
it tells the cases apart as a client would see them. No timing is asserted.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from benchmarks import workload

PARTIAL = b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"literal","value":"1"}},'
COMPLETE = json.dumps(
    {"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "literal", "value": "1"}}]}}
).encode()


@contextmanager
def server(behaviour: str) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if behaviour == "clean-truncated":  # ends the message properly, body cut short
                self.send_response(200)
                self.send_header("Content-Type", workload.SPARQL_JSON)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(PARTIAL + b"The SPARQL operation has been cancelled")
                self.close_connection = True
            elif behaviour == "broken-chunked":  # no final chunk: a transfer error
                self.send_response(200)
                self.send_header("Content-Type", workload.SPARQL_JSON)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(PARTIAL), PARTIAL))
                self.wfile.flush()
                self.close_connection = True
            elif behaviour == "error":
                body = b'{"error": "query timed out"}'
                self.send_response(503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif behaviour == "silent":
                time.sleep(3)
                self.close_connection = True
            else:
                self.send_response(200)
                self.send_header("Content-Type", workload.SPARQL_JSON)
                self.send_header("Content-Length", str(len(COMPLETE)))
                self.end_headers()
                self.wfile.write(COMPLETE)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("behaviour", "status", "complete", "cut", "verdict"),
    [
        ("clean-truncated", 200, False, False, "cleanly ended but truncated"),
        ("broken-chunked", 200, False, True, "stream is broken off"),
        ("error", 503, False, False, "HTTP 503"),
        ("complete", 200, True, False, "complete result"),
        ("silent", 0, False, False, "no server timeout"),
    ],
)
def test_timeout_verdict_says_what_a_client_got(
    behaviour: str, status: int, complete: bool, cut: bool, verdict: str
) -> None:
    with server(behaviour) as url:
        check = workload.timeout_check(url, "SELECT * {}", server_timeout=0.5, wait=0.5)
    assert check.status == status
    assert check.complete is complete
    assert check.cut is cut
    assert verdict in check.verdict


def test_rows_are_counted_from_sparql_json() -> None:
    with server("complete") as url:
        answer = workload.Endpoint(url).query("SELECT * {}")
    assert answer.status == 200
    assert answer.rows() == 1


def test_kept_alive_connection_is_reused_and_reopened() -> None:
    with server("complete") as url:
        endpoint = workload.Endpoint(url)
        assert [endpoint.query("ASK {}").status for _ in range(3)] == [200, 200, 200]
        endpoint.close()
        assert endpoint.query("ASK {}").status == 200


WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:41337/query
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms    3.10ms  45.13ms   93.11%
    Req/Sec     6.02k   512.33     6.90k    72.00%
  Latency Distribution
     50%  830.00us
     75%    1.20ms
     90%    2.31ms
     99%   16.02ms
  30112 requests in 5.00s, 21.40MB read
  Socket errors: connect 0, read 3, write 2, timeout 0
  Non-2xx or 3xx responses: 12
Requests/sec:   6021.94
Transfer/sec:      4.28MB
"""


def test_wrk_output_is_read_into_numbers() -> None:
    t = workload._parse_wrk(WRK_OUTPUT)
    assert t.requests_per_s == 6021.9
    assert t.requests == 30112
    assert t.non_2xx == 12
    assert t.socket_errors == 5
    assert t.p50_ms == 0.83
    assert t.p99_ms == 16.02


def test_throughput_rounds_report_the_median_round() -> None:
    def t(rate: float) -> workload.Throughput:
        return workload.Throughput(rate, 10, 1, 0, 1.0, 2.0, "wrk")

    combined = workload.combine([t(300.0), t(100.0), t(200.0)])
    assert combined.requests_per_s == 200.0
    assert combined.requests == 30
    assert combined.non_2xx == 3
    assert combined.rounds == [300.0, 100.0, 200.0]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert workload.percentile(values, 50) == 10.0
    assert workload.percentile(values, 95) == 19.0
    assert workload.percentile(values, 100) == 20.0
    assert workload.percentile([7.0], 95) == 7.0
