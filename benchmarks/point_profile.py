"""Where a point lookup's time goes inside milgraph (``python -m benchmarks.point_profile``).

Runs 400 point lookups of the serving benchmark through each step on its cached 200k snapshot
(run ``python -m benchmarks.serving`` first): reading the request text, Oxigraph's own
evaluation and serialisation, the worker's whole job, and the pool's round trip to a worker
process. Prints the median and 10th percentile of each step, in µs.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from benchmarks import queries as q
from milgraph.server.options import QueryOptions
from milgraph.server.pool import Job, WorkerPool
from milgraph.server.sparql_text import inspect_query
from milgraph.server.worker import run_job
from milgraph.store import current_key
from milgraph.store.snapshot import open_snapshot

ROOT = Path(__file__).resolve().parent.parent / ".milgraph" / "bench" / "snapshots-200000-s1"
N = 400


class _Null:
    def sendall(self, data: bytes, /) -> None:
        pass


def _timed(step: Callable[[int], object]) -> str:
    times = []
    for i in range(N):
        began = time.perf_counter()
        step(i)
        times.append((time.perf_counter() - began) * 1e6)
    times.sort()
    return f"median {statistics.median(times):6.0f} µs   p10 {times[N // 10]:6.0f} µs"


async def _pool_round_trips(root: Path, key: str, texts: list[str]) -> str:
    pool = WorkerPool(2)
    await pool.start(str(root), key)
    times = []
    try:
        for i in range(N):
            began = time.perf_counter()
            answer = await pool.submit(Job(texts[i % len(texts)], QueryOptions(), "json", 0), 10)
            await answer.first(1 << 20)
            answer.body()
            times.append((time.perf_counter() - began) * 1e6)
    finally:
        await pool.close()
    times.sort()
    return f"median {statistics.median(times):6.0f} µs   p10 {times[N // 10]:6.0f} µs"


def main() -> None:
    key = current_key(ROOT)
    if key is None:
        raise SystemExit(f"{ROOT}: no snapshot; run 'python -m benchmarks.serving' first")
    snapshot = open_snapshot(ROOT, key)
    found = snapshot.query(q.PROLOGUE + "SELECT ?e WHERE { ?e a mil:MilitaryExercise } LIMIT 200")
    texts = [inspect_query(q.POINT.format(iri=row["e"].value)).text for row in found]  # type: ignore[union-attr]
    store = snapshot.store

    def evaluate(i: int) -> object:
        return store.query(texts[i % len(texts)]).serialize(  # type: ignore[union-attr]
            format=ox.QueryResultsFormat.JSON
        )

    def job(i: int) -> None:
        spec = {"query": texts[i % len(texts)], "options": QueryOptions(), "format": "json",
                "max_bytes": 0, "prefixes": None}
        run_job(snapshot, spec, _Null())

    print("request text (inspect_query)  ", _timed(lambda i: inspect_query(texts[i % len(texts)])))
    print("oxigraph query + JSON         ", _timed(evaluate))
    print("worker job (run_job)          ", _timed(job))
    print("pool round trip               ", asyncio.run(_pool_round_trips(ROOT, key, texts)))
    snapshot.close()


if __name__ == "__main__":
    main()
