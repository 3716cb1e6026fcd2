"""The update worker of ``milgraph serve --writable-store DIR``: the one process writing it.

RocksDB lets one process open a store for writing, and reading it from other processes while
it is written is undefined; so this process owns ``DIR/store`` and, after every successful
update, writes a *view* of it: a RocksDB checkpoint in ``DIR/views/<n>`` (hard links to the
immutable files, so cheap), which the query workers open read-only. Queries therefore run in
their own killable processes, as on a snapshot, and see every update acknowledged before
they were sent.

An update runs in a transaction: the server kills this process at the deadline and nothing
of that update is written; a new writer then opens the store again.

Jobs and answers use the query workers' frames (``wire.py``); a job is JSON:
``{"op": "view"}`` (write a view of the store as it is) or ``{"op": "update", "update": text,
"base": iri, "fetches": bool}`` (``fetches``: it has LOAD or SERVICE, so an I/O error is the
remote side's). The answer (END) is ``{"view": name}``.
"""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path
from typing import Any

from milgraph.server.sparql_text import syntax_error_position
from milgraph.server.wire import CHUNK, END, ERROR, HEADER, JOB, READY, STOP, error, send_frame
from milgraph.store.oxigraph import WritableStore

STORE, VIEWS = "store", "views"


def next_view(views: Path) -> int:
    numbers = [int(p.name) for p in views.iterdir() if p.name.isdigit()]
    return max(numbers, default=0) + 1


def write_view(store: WritableStore, views: Path) -> str:
    """A read-only view of the store as it is now: ``views/<n>`` (written under a temporary
    name first, so the server never sees a half-written view)."""
    number = next_view(views)
    name = f"{number:06d}"
    partial = views / f".partial-{name}"
    store.backup(partial)
    partial.rename(views / name)
    return name


def run(store: WritableStore, views: Path, job: dict[str, Any]) -> bytes:
    """Frame kind and payload answering one job."""
    if job.get("op") == "update":
        try:
            store.update(job["update"], base_iri=job.get("base"))
        except SyntaxError as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            line, column, text = syntax_error_position(message)
            return _frame(ERROR, error(400, "malformed-update", "Malformed update", text,
                                       line=line, column=column))  # fmt: skip
        except OSError as exc:
            if job.get("fetches"):  # LOAD/SERVICE: the remote side failed, not our storage
                return _frame(ERROR, error(422, "update-failed", "Update failed",
                                           f"fetching failed: {exc}"))  # fmt: skip
            return _frame(ERROR, error(500, "update-failed", "Update failed", str(exc)))
        except Exception as exc:  # parses but cannot be applied (a failing LOAD…)
            return _frame(ERROR, error(422, "update-failed", "Update failed",
                                       str(exc) or type(exc).__name__))  # fmt: skip
    try:
        view = write_view(store, views)
    except OSError as exc:
        return _frame(ERROR, error(
            500, "view-failed", "View not written",
            f"the store could not be checkpointed for the query workers ({exc}); queries may "
            "not see the latest updates until the next update succeeds",
        ))  # fmt: skip
    return _frame(END, json.dumps({"view": view}).encode())


def _frame(kind: int, payload: bytes) -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def main(sock: socket.socket, directory: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when this stops
    root = Path(directory)
    views = root / VIEWS
    try:
        views.mkdir(parents=True, exist_ok=True)
        store = WritableStore(root / STORE)
    except Exception as exc:
        send_frame(sock, ERROR, error(503, "store-unavailable", "Store unavailable",
                                      f"{root / STORE}: {exc}"))  # fmt: skip
        return
    send_frame(sock, READY, b"")
    reader = sock.makefile("rb", buffering=CHUNK)
    while True:
        head = reader.read(HEADER.size)
        if len(head) < HEADER.size:
            return
        kind, length = HEADER.unpack(head)
        payload = reader.read(length) if length else b""
        if len(payload) < length or kind == STOP:
            return
        if kind == JOB:
            sock.sendall(run(store, views, json.loads(payload)))


if __name__ == "__main__":
    import sys

    main(socket.socket(fileno=int(sys.argv[1])), sys.argv[2])
