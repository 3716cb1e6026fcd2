"""Shared fixtures for the server tests: a small reasoned snapshot and real servers.

Imported by the ``test_server_*`` modules (this module holds no tests of its own).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_DATA = REPO / "tests" / "fixtures" / "server" / "data"
ONTOLOGY = REPO / "ontology"
MIL = "https://w3id.org/milgraph/ontology#"
ID = "https://w3id.org/milgraph/id/"


def build_fixture_snapshot(root: Path, data: Path = FIXTURE_DATA) -> str:
    from milgraph.build import build_snapshot

    report = build_snapshot(ONTOLOGY, [data], root, validate=False)
    return report.key


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Snapshot root holding the reasoned fixture graph (built once per test session)."""
    root = tmp_path_factory.mktemp("server-snapshots")
    build_fixture_snapshot(root)
    return root


def wait_ready(get, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = get("/health")
            if last.status_code == 200:
                return last.json()
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"server not ready: {last.text if last is not None else 'no answer'}")


def make_client(store: Path, **config):
    from fastapi.testclient import TestClient

    from milgraph.server import ServerConfig, create_app

    config.setdefault("query_workers", 2)
    return TestClient(create_app(ServerConfig(store=store, **config)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``milgraph serve`` as a real process on 127.0.0.1 (a random free port)."""

    def __init__(
        self, args: list[str], env: dict[str, str] | None = None, log: Path | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log or os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "milgraph.cli", "serve", "--port", str(self.port),
             "--host", "127.0.0.1", *args],
            env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.http = httpx.Client(base_url=self.url, timeout=60)

    def get(self, path: str, **kw):
        return self.http.get(path, **kw)

    def wait_listening(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited early")
            try:
                self.http.get("/")
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("server did not start listening")

    def stop(self) -> None:
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def live_server(
    args: list[str], env: dict[str, str] | None = None, *, ready: bool = True,
    log: Path | None = None,
) -> Iterator[LiveServer]:
    """Yield one running server (use as ``for server in live_server(...)``); stop it after.
    ``log``: a file for the server's stdout and stderr (default: discarded)."""
    server = LiveServer(args, env, log)
    try:
        server.wait_listening()
        if ready:
            wait_ready(server.get)
        yield server
    finally:
        server.stop()


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
