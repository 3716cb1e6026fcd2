"""Start, probe and stop the SPARQL servers being compared, each as a real process.

Every server listens on 127.0.0.1 on a free port, runs in its own process group, and is
always stopped (``ServerSet`` is a context manager), even when a benchmark step fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SPARQL_QUERY = "application/sparql-query"
SPARQL_JSON = "application/sparql-results+json"
READY_QUERY = "ASK { ?s ?p ?o }"


class ServerFailed(RuntimeError):
    """A server did not start or died; the message quotes the end of its log."""


@dataclass
class ServerSpec:
    """How to run one system: its command line and where its SPARQL endpoint is."""

    name: str
    command: list[str]
    path: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Server:
    spec: ServerSpec
    port: int
    process: subprocess.Popen[bytes]
    startup_s: float

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.spec.path}"

    def rss_mb(self) -> float:
        """Resident memory of the server and its child processes, in MB (Linux /proc)."""
        return sum(_rss_kb(pid) for pid in _process_tree(self.process.pid)) / 1024

    def stop(self) -> None:
        stop_process(self.process)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(spec: ServerSpec, *, ready_timeout: float = 900.0) -> Server:
    """Start a server and wait until ``/sparql`` answers; start-up time is measured here.

    Start-up = process start until the first successful answer to an ASK query, so it
    includes interpreter start, loading data and binding the port.
    """
    port = free_port()
    command = [arg.replace("{port}", str(port)) for arg in spec.command]
    spec.log.parent.mkdir(parents=True, exist_ok=True)
    log = spec.log.open("wb")
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # own process group, so stop() reaches its children too
        env={**os.environ, **spec.env},
    )
    log.close()
    url = f"http://127.0.0.1:{port}{spec.path}"
    deadline = began + ready_timeout
    with httpx.Client(timeout=5.0) as client:
        while True:
            if process.poll() is not None:
                raise ServerFailed(
                    f"{spec.name} exited with code {process.returncode} before answering "
                    f"({' '.join(command)}):\n{_tail(spec.log)}"
                )
            with contextlib.suppress(httpx.TransportError):
                r = client.post(
                    url,
                    content=READY_QUERY,
                    headers={"Content-Type": SPARQL_QUERY, "Accept": SPARQL_JSON},
                )
                if r.status_code == 200:
                    break
            if time.perf_counter() > deadline:
                stop_process(process)
                raise ServerFailed(
                    f"{spec.name} did not answer {url} within {ready_timeout:.0f} s:\n"
                    f"{_tail(spec.log)}"
                )
            time.sleep(0.01)
    return Server(spec, port, process, time.perf_counter() - began)


def stop_process(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process group we created, then SIGKILL whatever is left."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


class ServerSet(contextlib.AbstractContextManager["ServerSet"]):
    """Servers started during a benchmark; all are stopped on exit, whatever happened."""

    def __init__(self) -> None:
        self.servers: dict[str, Server] = {}

    def start(self, spec: ServerSpec, **kwargs: float) -> Server:
        server = start(spec, **kwargs)
        self.servers[spec.name] = server
        return server

    def stop(self, name: str) -> None:
        server = self.servers.pop(name, None)
        if server is not None:
            server.stop()

    def __exit__(self, *exc: object) -> None:
        for name in list(self.servers):
            self.stop(name)


def tool(name: str) -> str | None:
    """Path of a command installed beside this Python (the venv) or on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
