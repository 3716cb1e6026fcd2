"""Starting worker processes: plain subprocesses on a socket pair, started early when they can be.

A worker is ``python -m MODULE FD ARGS…`` with one end of a socket pair as FD: nothing of the
parent (its ``__main__``, its threads, its event loop) is inherited or re-imported, whoever
embeds the server, and the environment it gets holds no secret (``child_environment``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys

WORKER_MODULE = "milgraph.server.worker"


def popen(module: str, args: list[str]) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start ``python -m module FD *args`` with one end of a socket pair as FD.

    A plain subprocess, not multiprocessing: nothing of the parent (its ``__main__``, its
    threads, its event loop) is inherited or re-imported, whoever embeds the server."""
    parent, child = socket.socketpair()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(child.fileno()), *args],
            pass_fds=(child.fileno(),),
            env=child_environment(),
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C on the terminal is the server's to handle
        )
    except BaseException:
        parent.close()
        raise
    finally:
        child.close()
    return process, parent


#: Query workers bound their data segment (heap and anonymous mappings) to this many MiB.
MEMORY_VARIABLE = "MILGRAPH_WORKER_MEMORY_MB"

#: Variables a child process (query worker, update worker, rebuild) never needs and must
#: not hold: the admin token, and the server configuration that repeats it.
SECRET_VARIABLES = ("MILGRAPH_ADMIN_TOKEN", "MILGRAPH_SERVER_CONFIG")


def child_environment() -> dict[str, str]:
    """This process's environment without ``SECRET_VARIABLES``."""
    return {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}


#: Workers started before the event loop, by snapshot (root, key): see ``prestart``.
PRESTARTED: dict[tuple[str, str], list[tuple[subprocess.Popen[bytes], socket.socket]]] = {}


def prestart(root: str, key: str, count: int) -> None:
    """Start ``count`` workers for a snapshot right away, before the web stack is imported.

    ``milgraph serve`` calls this first, so that the workers open the snapshot while the
    server process imports FastAPI and builds the app (start-up time is the longer of the
    two, not their sum). The pool adopts them when it starts serving that snapshot; any left
    over are stopped."""
    started = PRESTARTED.setdefault((root, key), [])
    for _ in range(count):
        started.append(popen(WORKER_MODULE, [root, key]))


def discard_prestarted() -> None:
    for started in PRESTARTED.values():
        for process, parent in started:
            parent.close()  # the worker sees the end of its socket and exits
            with contextlib.suppress(Exception):
                process.kill()
                process.wait(3)
    PRESTARTED.clear()


def reap(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Wait for a worker to exit (killing it after ``grace`` seconds) so no zombie is left."""
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def default_pool_size() -> int:
    return max(2, os.cpu_count() or 2)
