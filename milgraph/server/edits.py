"""``serve --allow-edits``: SPARQL Update at ``/update`` into the curated Turtle files.

An update names the data file its triples belong in (``GRAPH <…/graph/data/FILE.ttl>``).
It is tried, validated against the whole graph and written back to that file by the edit
process (``editor.py``: nothing is written unless the whole graph stays valid; every file is
either as it was or as edited, whenever the process is killed); then the served snapshot is
reloaded (``SnapshotManager.reload``: the edit's build already made that snapshot) and the
answer says what changed in which file and which snapshot serves it. Updates run one at a
time, in the order they arrived; every one needs the admin token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from milgraph.server.auth import require_bearer
from milgraph.server.config import ServerConfig
from milgraph.server.pool import child_environment
from milgraph.server.problems import Problem
from milgraph.server.protocol import bad, endpoint_url, read_sparql
from milgraph.server.snapshots import SnapshotManager
from milgraph.server.state import ServerState
from milgraph.server.update import _update_text

EDITOR_MODULE = "milgraph.server.editor"
#: An edit's build may take as long as a build; past this it is stopped (nothing written).
EDIT_TIMEOUT_S = 900.0


class Editor:
    """Runs curated edits one at a time and reloads the served snapshot after each."""

    def __init__(self, config: ServerConfig, manager: SnapshotManager) -> None:
        self.config = config
        self.manager = manager
        self._lock = asyncio.Lock()
        self.accepted = 0
        self.refused = 0
        self.last: dict[str, Any] | None = None

    def recover(self) -> list[str]:
        """At start: finish an edit a killed server left between its renames."""
        from milgraph.server.editor import recover

        return recover(self.config.snapshot_root)

    async def apply(self, update: str, base: str | None) -> dict[str, Any]:
        """Edit the files, reload; the outcome (raises ``Problem`` for a refused edit)."""
        async with self._lock:
            start = time.perf_counter()
            result = await self._run(update, base)
            if not result.get("ok"):
                self.refused += 1
                raise Problem(
                    int(result.get("status", 500)), str(result.get("type", "edit-failed")),
                    str(result.get("title", "Edit failed")), str(result.get("detail", "")),
                    problems=result.get("problems"), failing=result.get("failing"),
                    graphs=result.get("graphs"),
                )  # fmt: skip
            written = time.perf_counter() - start
            served = None
            if result.get("changed"):
                outcome = await self.manager.reload(cause="edit", built=result.get("key"))
                served = outcome.key if outcome.ok else None
                if not outcome.ok:
                    result["warning"] = (f"written to the files, but the reload failed: "
                                         f"{outcome.error}")  # fmt: skip
            self.accepted += 1
            current = self.manager.served
            result.update(
                snapshot=served or (current.key if current else None),
                seconds={"written": round(written, 3),
                         "served": round(time.perf_counter() - start, 3),
                         **result.pop("timings", {})},
            )  # fmt: skip
            self.last = {"files": result.get("files"), "snapshot": result["snapshot"]}
            return result

    async def _run(self, update: str, base: str | None) -> dict[str, Any]:
        config = self.config
        args = {
            "ontology": str(config.ontology) if config.ontology else None,
            "data": [str(d) for d in config.data] if config.data else None,
            "root": str(config.store) if config.store else None,
            "max_input_bytes": config.max_input_bytes,
            "memory_mb": config.build_memory_mb,
            "base": base,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", EDITOR_MODULE, json.dumps(args),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=child_environment(),
        )  # fmt: skip
        try:
            out, err = await asyncio.wait_for(proc.communicate(update.encode()), EDIT_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            return {"ok": False, "status": 503, "type": "edit-timeout", "title": "Edit timed out",
                    "detail": f"the edit took longer than {EDIT_TIMEOUT_S:g} s and was "
                    "stopped; the files are as they were (or, if it was stopped while "
                    "writing, as edited)"}  # fmt: skip
        lines = [line for line in out.decode(errors="replace").splitlines() if line.strip()]
        try:
            result: dict[str, Any] = json.loads(lines[-1])
            return result
        except (IndexError, ValueError):
            tail = " | ".join(err.decode(errors="replace").strip().splitlines()[-5:])
            return {"ok": False, "status": 500, "type": "edit-failed", "title": "Edit failed",
                    "detail": "the edit process failed: "
                    + (tail or f"exit status {proc.returncode}")}  # fmt: skip

    def describe(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "refused": self.refused, "last": self.last}


async def edit_reply(state: ServerState, request: Request, editor: Editor) -> Response:
    """``POST /update`` on a server with ``--allow-edits``."""
    token = state.config.admin_token
    if not token:
        raise Problem(403, "edits-disabled", "Edits need a token",
                      "--allow-edits needs --admin-token (or MILGRAPH_ADMIN_TOKEN)")  # fmt: skip
    require_bearer(request.headers.get("authorization"), token, "milgraph edits",
                   "curated edits need 'Authorization: Bearer <admin token>'")  # fmt: skip
    params = list(request.query_params.multi_items())
    text = await _update_text(request, params)
    if any(k in ("using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise bad("using-graph-uri/using-named-graph-uri are not taken by curated edits: "
                  "name the data file's graph in the update (GRAPH <…/graph/data/FILE.ttl>)",
                  "bad-parameter")  # fmt: skip
    base = endpoint_url(request.scope)
    info = await read_sparql(state, text, base, state.config.query_timeout, update=True)
    if info.form is not None and info.update is None:
        raise bad(f"this is a {info.form} query, not an update: send it to /sparql")
    if info.loads or info.services:
        raise Problem(403, "edit-fetch-refused", "LOAD/SERVICE refused",
                      "a curated edit cannot fetch: write the triples into the update "
                      "(INSERT DATA { GRAPH <…> { … } })")  # fmt: skip
    start = time.perf_counter()
    result = await editor.apply(info.text, base)
    state.metrics.answered("update", "200", time.perf_counter() - start)
    headers = {"Cache-Control": "no-store"}
    if result.get("snapshot"):
        headers["X-Snapshot"] = str(result["snapshot"])
    return JSONResponse(result, 200, headers)
