"""The query worker pool: jobs queued behind a busy worker never wait for a slow query.

Real worker processes on the fixture snapshot. ``pool.active = 1`` makes the pool queue
jobs behind its busy worker whatever the machine (it does so by itself on 2 cores), and
``stale_after`` is raised from 5 ms so that a loaded test machine, slow between two
submissions, still queues the second job behind the first.
"""

from __future__ import annotations

import asyncio
import json
import time

from milgraph.server.options import QueryOptions
from milgraph.server.pool import Job, PoolError, WorkerPool
from milgraph.server.pool import core as pool_module
from milgraph.store import current_key
from tests.support.server import ID, MIL, fixture_store

__all__ = ["fixture_store"]

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^9 rows
POINT = f"ASK {{ <{ID}nation/FIN> <{MIL}memberOf> <{ID}org/NATO> }}"


def _job(query: str) -> Job:
    return Job(query, QueryOptions(), "json", 0)


def _run(store, scenario, stale_after: float = 60.0) -> None:
    async def main() -> None:
        pool = WorkerPool(2)
        await pool.start(str(store), current_key(store) or "")
        pool.active = 1
        pool.stale_after = stale_after
        try:
            await scenario(pool)
        finally:
            await pool.close()

    asyncio.run(main())


async def _answer(running) -> dict:
    assert await running.first(1 << 20) is True
    return json.loads(running.body())


def test_a_job_queued_behind_a_slow_query_is_answered_by_another_worker(fixture_store):
    async def scenario(pool: WorkerPool) -> None:
        heavy = await pool.submit(_job(HEAVY), 30)
        point = await pool.submit(_job(POINT), 30)
        assert point.worker is heavy.worker  # queued behind the slow query
        assert (await _answer(point))["boolean"] is True
        assert not heavy.finished  # answered while the slow query still runs
        heavy.abandon()
        assert (await _answer(await pool.submit(_job(POINT), 30)))["boolean"] is True

    _run(fixture_store, scenario, stale_after=0.5)


def test_jobs_queued_behind_a_killed_query_are_run_elsewhere(fixture_store):
    async def scenario(pool: WorkerPool) -> None:
        heavy = await pool.submit(_job(HEAVY), 30)
        points = [await pool.submit(_job(POINT), 30) for _ in range(3)]
        assert all(p.worker is heavy.worker for p in points)
        heavy.abandon()  # its worker is killed with the jobs queued behind it
        assert pool.stats.killed == 1
        for point in points:
            assert (await _answer(point))["boolean"] is True

    _run(fixture_store, scenario)


def test_a_queued_job_past_its_deadline_fails_without_stopping_the_running_one(fixture_store):
    async def scenario(pool: WorkerPool) -> None:
        heavy = await pool.submit(_job(HEAVY), 30)
        point = await pool.submit(_job(POINT), 0.001)  # expires before it is moved
        assert point.worker is heavy.worker
        try:
            await point.first(1 << 20)
        except PoolError as exc:
            assert exc.kind == "query-timeout"
        else:
            raise AssertionError("a job past its deadline was answered")
        assert not heavy.finished and pool.stats.killed == 0
        heavy.abandon()

    _run(fixture_store, scenario)


def test_a_worker_that_drains_before_its_waiting_requests_start_is_not_parked_twice(
    fixture_store, monkeypatch
):
    # Requests waiting for room in a full queue are promised the worker. When its answers
    # arrive together (the server was busy), it drains before they start their jobs; it must
    # not be parked as idle as well, or it is later taken for idle while it runs a slow
    # query (found by the serving benchmark: after a burst of load, a point query waited 1 s
    # for a slow one).
    async def scenario(pool: WorkerPool) -> None:
        first = [await pool.submit(_job(POINT), 30) for _ in range(4)]  # running + 3 queued
        assert len({a.worker for a in first}) == 1
        waiting = [asyncio.ensure_future(pool.submit(_job(POINT), 30)) for _ in range(2)]
        await asyncio.sleep(0)
        assert pool.stats.waiting == 2  # for room in the full queue
        time.sleep(0.3)  # a busy server: all four answers are in the socket together
        for answer in first + [await w for w in waiting]:
            assert (await _answer(answer))["boolean"] is True
        pool.active = 2  # from now on a new job goes to an idle worker if there is one
        heavy = await pool.submit(_job(HEAVY), 30)
        point = await pool.submit(_job(POINT), 30)
        assert (await asyncio.wait_for(_answer(point), 5))["boolean"] is True
        assert not heavy.finished  # answered by the other worker, not after the slow query
        heavy.abandon()

    monkeypatch.setattr(pool_module, "SPIN_S", 0)  # no polling: the answers stay unread
    _run(fixture_store, scenario)
