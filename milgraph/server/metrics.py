"""Prometheus metrics: one registry per app, so several apps (tests) never collide.

The per-query series (answers by endpoint and status, latency, errors, cache look-ups) are
counted in plain dictionaries and turned into Prometheus families only when ``/metrics`` is
scraped: a ``prometheus_client`` counter or histogram takes a lock and builds label tuples
on every update, which costs more than the rest of a cached answer. Everything runs on the
event loop thread, so the plain counters need no lock.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
)  # fmt: skip

disable_created_metrics()  # the *_created series only add noise to dashboards


class _QueryCounts(Collector):
    """Answers, latency, errors and cache look-ups, exported at scrape time."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], int] = {}
        self.latency: dict[str, list[float]] = {}  # endpoint -> bucket counts..., sum
        self.errors: dict[str, int] = {}
        self.cache: dict[str, int] = {}

    def collect(self) -> Iterator[Any]:
        answers = CounterMetricFamily(
            "milgraph_queries", "Queries answered, by endpoint and HTTP status.",
            labels=["endpoint", "status"],
        )  # fmt: skip
        for labels, n in sorted(self.answers.items()):
            answers.add_metric(list(labels), n)
        yield answers
        latency = HistogramMetricFamily(
            "milgraph_query_duration_seconds",
            "Time from request to complete answer (or first streamed byte), by endpoint.",
            labels=["endpoint"],
        )  # fmt: skip
        for endpoint, counts in sorted(self.latency.items()):
            cumulative = 0.0
            buckets: list[tuple[str, float]] = []
            for bound, count in zip((*BUCKETS, float("inf")), counts[:-1], strict=True):
                cumulative += count
                buckets.append((_bound(bound), cumulative))
            latency.add_metric([endpoint], buckets, counts[-1])
        yield latency
        errors = CounterMetricFamily(
            "milgraph_query_errors", "Queries answered with an error, by problem type.",
            labels=["type"],
        )  # fmt: skip
        for kind, n in sorted(self.errors.items()):
            errors.add_metric([kind], n)
        yield errors
        cache = CounterMetricFamily(
            "milgraph_cache_requests", "Answer cache look-ups, by result.", labels=["result"]
        )
        for result, n in sorted(self.cache.items()):
            cache.add_metric([result], n)
        yield cache


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(float(value))


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self._counts = _QueryCounts()
        r.register(self._counts)
        self.timeouts = Counter(
            "milgraph_query_timeouts_total", "Queries stopped at their deadline.", registry=r
        )
        self.not_modified = Counter(
            "milgraph_not_modified_total", "Conditional requests answered 304.", registry=r
        )
        self.workers = Gauge("milgraph_query_workers", "Live query worker processes.", registry=r)
        self.workers_killed = Counter(
            "milgraph_query_workers_killed_total",
            "Workers killed (deadline passed or client gone) and replaced.", registry=r,
        )  # fmt: skip
        self.triples = Gauge(
            "milgraph_snapshot_triples", "Triples in the served snapshot, by kind.", ["kind"],
            registry=r,
        )  # fmt: skip
        self.snapshot = Gauge(
            "milgraph_snapshot_info", "The served snapshot (value 1), labelled by key.", ["key"],
            registry=r,
        )  # fmt: skip
        self.reloads = Counter(
            "milgraph_reloads_total", "Snapshot reloads, by outcome.", ["outcome"], registry=r
        )

    def answered(self, endpoint: str, status: str, seconds: float | None = None) -> None:
        """Count one answer (and its latency, when given)."""
        counts = self._counts
        key = (endpoint, status)
        counts.answers[key] = counts.answers.get(key, 0) + 1
        if seconds is not None:
            buckets = counts.latency.get(endpoint)
            if buckets is None:
                buckets = counts.latency[endpoint] = [0.0] * (len(BUCKETS) + 2)
            buckets[bisect_left(BUCKETS, seconds)] += 1
            buckets[-1] += seconds

    def failed(self, kind: str) -> None:
        errors = self._counts.errors
        errors[kind] = errors.get(kind, 0) + 1

    def cache_lookup(self, result: str) -> None:
        cache = self._counts.cache
        cache[result] = cache.get(result, 0) + 1

    def render(self) -> bytes:
        return generate_latest(self.registry)
