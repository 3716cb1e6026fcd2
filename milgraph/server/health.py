"""``/health``: ready means a trivial query is answered within its deadline *now*.

Checking that workers exist is not enough: with every worker pinned by slow queries, every
request gets 503 while the workers still exist. So each call sends ``ASK {}`` through the
pool like any query, with a short deadline, and reports the last reload's outcome too
(a failed reload leaves the last good snapshot serving, so it is not a reason for 503).
"""

from __future__ import annotations

import time
from typing import Any

from milgraph.server.options import QueryOptions
from milgraph.server.pool import Job, QueryFailed
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
    if served is None or not state.pool.ready:
        body["status"] = "loading" if last is None or last.ok else "failed"
        if last is not None and not last.ok:
            body["error"] = last.error
        return 503, body
    body.update(snapshot=served.key, loaded_at=served.loaded_at,
                workers=state.pool.workers_alive(),
                triples=served.manifest.get("counts", {}).get("total"))  # fmt: skip
    job = Job(PROBE_QUERY, QueryOptions(), "json", 4096, store=manager.store_path)
    start = time.perf_counter()
    try:
        await state.pool.collect(job, PROBE_S)
    except QueryFailed as exc:
        body.update(status="busy" if exc.type in ("busy", "query-timeout") else "failing",
                    probe={"ok": False, "deadline_ms": PROBE_S * 1000, "error": exc.detail})
        return 503, body
    elapsed = time.perf_counter() - start
    body.update(status="ready", probe={"ok": True, "ms": round(elapsed * 1000, 2),
                                       "deadline_ms": PROBE_S * 1000})  # fmt: skip
    return 200, body


def _reload(last: Any) -> dict[str, Any] | None:
    if last is None:
        return None
    out = {"ok": last.ok, "finished": last.finished, "key": last.key}
    if not last.ok:
        out["error"] = last.error
        out["problems"] = last.problems[:20]
    return out
