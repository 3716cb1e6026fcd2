"""The first start of ``milgraph serve``: the URL is printed only once it answers, a port in
use is said plainly; a real process on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from tests.support.server import fixture_store, free_port

__all__ = ["fixture_store"]


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "milgraph.cli", "serve", "--host", "127.0.0.1",
         "--query-workers", "1", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip


def test_the_url_is_printed_when_it_answers(fixture_store) -> None:
    port = free_port()
    proc = _serve("--store", str(fixture_store), "--port", str(port))
    try:
        assert proc.stderr is not None
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, f"server exited: {''.join(seen)}"
            seen.append(line)
            if "ready on" in line:
                break
        text = "".join(seen)
        assert f"ready on http://127.0.0.1:{port}/ (workbench)" in text, text
        assert "serving on" not in text
        before = text.split("ready on")[0]
        assert f"http://127.0.0.1:{port}" not in before  # no URL before it answers
        r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.wait(20)


def test_a_port_in_use_is_said_plainly(fixture_store) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _serve("--store", str(fixture_store), "--port", str(port))
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert f"make serve PORT={port + 1}" in err
    assert "ready on" not in err and "Traceback" not in err
