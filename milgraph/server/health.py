"""``/health``: ready means a trivial query is answered within its deadline *now*.

Checking that workers exist is not enough: with every worker pinned by slow queries, every
request gets 503 while the workers still exist. So each call sends ``ASK {}`` through the
pool like any query, with a short deadline, and reports the last reload's outcome too
(a failed reload leaves the last good snapshot serving, so it is not a reason for 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from milgraph.server.options import QueryOptions
from milgraph.server.pool import Job, PoolError
from milgraph.server.state import ServerState

#: Deadline of the probe query: a worker that cannot answer ``ASK {}`` in this long is not
#: going to answer a client's query in good time either.
PROBE_S = 0.08
PROBE_QUERY = "ASK {}"


async def health(state: ServerState) -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/health``."""
    manager = state.manager
    served = manager.served
    last = manager.last
    body: dict[str, Any] = {"last_reload": _reload(last)}
    if last is not None and not last.ok and last.failing:
        # Until the next good save: which file and line keep the new graph from being served.
        body["failing"] = last.failing[:20]
    fallback = getattr(manager, "fallback", None)
    if fallback:
        body["serving_last_good"] = fallback
        body["warning"] = fallback["warning"]
    elif last is not None and not last.ok and served is not None:
        body["warning"] = (f"the last reload failed ({last.error}); still serving "
                           f"{served.key}")  # fmt: skip
    if served is None or not state.pool.ready:
        body["status"] = "loading" if last is None or last.ok else "failed"
        if last is not None and not last.ok:
            body["error"] = last.error
        return 503, body
    body.update(snapshot=served.key, loaded_at=served.loaded_at,
                workers=state.pool.workers_alive(),
                triples=served.manifest.get("counts", {}).get("total"))  # fmt: skip
    start = time.perf_counter()
    probe = state.health_probe
    if probe is None or probe.done():
        # The probe runs under the ordinary query deadline and is only *waited for* for
        # PROBE_S: a slow answer means busy, and never costs a worker (a job past its
        # deadline is killed with its worker; ASK {} past 80 ms on a loaded machine is not
        # a reason for that). One probe at a time, however often /health is asked.
        job = Job(PROBE_QUERY, QueryOptions(), "json", 4096, store=manager.store_path)
        probe = asyncio.get_running_loop().create_task(
            state.pool.collect(job, state.config.query_timeout))
        probe.add_done_callback(_consume)
        state.health_probe = probe
    done, _ = await asyncio.wait({probe}, timeout=PROBE_S)
    error = None
    if not done:
        error = (f"a trivial query was not answered within {PROBE_S * 1000:g} ms: every "
                 "query worker is busy")  # fmt: skip
    elif isinstance(failed := probe.exception(), PoolError):
        error = failed.detail
    elif probe.exception() is not None:
        error = f"the probe query failed: {probe.exception()}"
    if error is not None:
        body.update(status="busy" if not done else "failing",
                    probe={"ok": False, "deadline_ms": PROBE_S * 1000, "error": error})
        return 503, body
    elapsed = time.perf_counter() - start
    body.update(status="ready", probe={"ok": True, "ms": round(elapsed * 1000, 2),
                                       "deadline_ms": PROBE_S * 1000})  # fmt: skip
    return 200, body


def _consume(task: asyncio.Task[bytes]) -> None:
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.exception()


def _reload(last: Any) -> dict[str, Any] | None:
    if last is None:
        return None
    out = {"ok": last.ok, "finished": last.finished, "key": last.key}
    if last.cause:
        out["cause"] = last.cause
    if not last.ok:
        out["error"] = last.error
        out["problems"] = last.problems[:20]
        if last.failing:
            out["failing"] = last.failing[:20]
    return out
