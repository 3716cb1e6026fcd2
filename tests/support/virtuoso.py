"""A throw-away Virtuoso Open Source 7.2 server for the remote-store tests.

Each server gets its own temporary directory (database, transaction log, ``virtuoso.ini``),
free loopback ports for HTTP and ISQL, a DBA password of its own and one SPARQL user who may
update (``SPARQL_UPDATE``), reached with digest auth on ``/sparql-auth`` and
``/sparql-graph-crud-auth`` as Virtuoso ships them. The Debian package's system service is
never used (``scripts/install-virtuoso.sh`` installs the binaries only).

Virtuoso re-reads the ``[SPARQL]`` section of its ini file on every HTTP request, so a test can
lower ``ResultSetMaxRows`` or ``MaxQueryExecutionTime`` for a moment with :meth:`setting`
instead of paying for a second server. A fresh database answers in about 3 s on this machine.

Imported as ``from tests.support.virtuoso import ...`` (tests and ``benchmarks/remote_client.py``)
with ``tests/`` on ``sys.path``, or run ``python tests/support/virtuoso.py`` to start one by
hand and print its URLs.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
USER = "milgraph"
INSTALL_HINT = "run scripts/install-virtuoso.sh (make test does) or apt-get install virtuoso-opensource"

_INI = """\
; Written by tests/support/virtuoso.py for one throw-away server.
[Database]
DatabaseFile        = {dir}/virtuoso.db
ErrorLogFile        = {dir}/virtuoso.log
LockFile            = {dir}/virtuoso.lck
TransactionFile     = {dir}/virtuoso.trx
xa_persistent_file  = {dir}/virtuoso.pxa
ErrorLogLevel       = 7
FileExtend          = 200
MaxCheckpointRemap  = 2000
Striping            = 0
TempStorage         = TempDatabase

[TempDatabase]
DatabaseFile        = {dir}/virtuoso-temp.db
TransactionFile     = {dir}/virtuoso-temp.trx
MaxCheckpointRemap  = 2000
Striping            = 0

[Parameters]
ServerPort          = 127.0.0.1:{isql_port}
DisableUnixSocket   = 1
DisableTcpSocket    = 0
MaxClientConnections = 20
CheckpointInterval  = 0
CaseMode            = 2
DirsAllowed         = .
NumberOfBuffers     = 10000
MaxDirtyBuffers     = 6000
ThreadsPerQuery     = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort          = 127.0.0.1:{http_port}
ServerRoot          = {dir}
MaxClientConnections = 20
ServerThreads       = 20
DavRoot             = DAV
EnabledDavVSP       = 0
KeepAliveTimeout    = 10
MaxKeepAlives       = 20
Charset             = UTF-8

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = {max_seconds}
MaxQueryCostEstimationTime = 0
"""


class VirtuosoUnavailable(RuntimeError):
    """virtuoso-t is not installed or the throw-away server did not come up."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class VirtuosoServer:
    directory: Path
    http_port: int
    isql_port: int
    dba_password: str
    user: str
    password: str
    process: subprocess.Popen = field(repr=False)
    startup_seconds: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """Anonymous, read-only SPARQL endpoint."""
        return self.base_url + "/sparql"

    @property
    def auth_url(self) -> str:
        """SPARQL query and update endpoint behind digest auth."""
        return self.base_url + "/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        """Graph Store Protocol endpoint behind digest auth."""
        return self.base_url + "/sparql-graph-crud-auth"

    @property
    def ini(self) -> Path:
        return self.directory / "virtuoso.ini"

    def isql(self, sql: str, *, timeout: float = 60) -> str:
        """Run SQL as DBA through isql-vt; raise with Virtuoso's message on an error."""
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.isql_port}", "dba", self.dba_password, f"EXEC={sql}"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        out = done.stdout + done.stderr
        if done.returncode or "*** Error" in out:
            raise VirtuosoUnavailable(f"isql failed for {sql!r}: {out.strip()[-500:]}")
        return out

    @contextlib.contextmanager
    def setting(self, section: str, key: str, value: str | int) -> Iterator[None]:
        """Change one ini key for the duration (Virtuoso reads ``[SPARQL]`` per request)."""
        original = self.ini.read_text()
        pattern = re.compile(rf"^({re.escape(key)}\s*=).*$", re.M)
        start = original.index(f"[{section}]")
        end = original.find("\n[", start + 1)
        end = len(original) if end < 0 else end
        block = original[start:end]
        if pattern.search(block):
            block = pattern.sub(lambda m: f"{m.group(1)} {value}", block, count=1)
        else:
            block = block.rstrip("\n") + f"\n{key} = {value}\n"
        self.ini.write_text(original[:start] + block + original[end:])
        try:
            yield
        finally:
            self.ini.write_text(original)

    def log_tail(self, lines: int = 30) -> str:
        log = self.directory / "virtuoso.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server and remove every file it wrote."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def available() -> bool:
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None


def start(
    *, max_rows: int = 10000, max_seconds: int = 60, wait: float = 90.0,
    parent: Path | None = None,
) -> VirtuosoServer:  # fmt: skip
    """Start a throw-away server and return once it answers SPARQL with its users set up."""
    if not available():
        raise VirtuosoUnavailable(f"{VIRTUOSO} is not installed: {INSTALL_HINT}")
    last: Exception | None = None
    for _attempt in range(3):  # a free port can be taken between probing and binding
        try:
            return _start_once(max_rows, max_seconds, wait, parent)
        except _PortTaken as e:
            last = e
    raise VirtuosoUnavailable(f"no free port pair after 3 tries: {last}")


class _PortTaken(Exception):
    pass


def _start_once(max_rows: int, max_seconds: int, wait: float, parent: Path | None) -> VirtuosoServer:
    directory = Path(tempfile.mkdtemp(prefix="milgraph-virtuoso-", dir=parent))
    http_port, isql_port = free_port(), free_port()
    while isql_port == http_port:
        isql_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, http_port=http_port, isql_port=isql_port,
                               max_rows=max_rows, max_seconds=max_seconds))  # fmt: skip
    began = time.perf_counter()
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=directory, stdin=subprocess.DEVNULL,
        stdout=open(directory / "stdout.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        start_new_session=True,
    )  # fmt: skip
    server = VirtuosoServer(directory, http_port, isql_port, "dba", USER, "", process)
    try:
        _wait_until_up(server, began + wait)
        server.dba_password = "dba-" + secrets.token_hex(8)
        server.password = "pw-" + secrets.token_hex(8)
        # The new DBA password first: the default one is never left on a listening server
        # longer than it takes to come up (loopback only, meanwhile).
        subprocess.run(
            [ISQL, f"127.0.0.1:{isql_port}", "dba", "dba",
             f"EXEC=USER_SET_PASSWORD('dba', '{server.dba_password}');"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        server.isql(
            f"DB.DBA.USER_CREATE('{USER}', '{server.password}'); "
            f'GRANT SPARQL_UPDATE TO "{USER}";'
        )
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.perf_counter() - began
    atexit.register(server.stop)  # never left running if a test run dies without teardown
    return server


def _wait_until_up(server: VirtuosoServer, deadline: float) -> None:
    probe = server.query_url
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            tail = server.log_tail() + (server.directory / "stdout.log").read_text(errors="replace")
            if "Address already in use" in tail or "Failed to start listening" in tail:
                shutil.rmtree(server.directory, ignore_errors=True)
                raise _PortTaken(tail[-300:])
            raise VirtuosoUnavailable(f"virtuoso-t exited with {server.process.returncode}:\n{tail}")
        try:
            r = httpx.get(probe, params={"query": "ASK {}"}, timeout=2,
                          headers={"Accept": "application/sparql-results+json"})  # fmt: skip
            if r.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise VirtuosoUnavailable(f"Virtuoso did not answer on {probe} in time:\n{server.log_tail()}")


if __name__ == "__main__":  # start one by hand: python tests/support/virtuoso.py
    s = start()
    print(f"up in {s.startup_seconds:.2f}s (pid {s.process.pid}, dir {s.directory})")
    print(f"query {s.query_url}  auth {s.auth_url}  graph store {s.graph_store_url}")
    print(f"user {s.user} password {s.password}  (ctrl-C stops and removes it)")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        s.stop()
        os._exit(0)
