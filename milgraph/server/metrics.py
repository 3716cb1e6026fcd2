"""Prometheus metrics: one registry per app, so several apps (tests) never collide."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

disable_created_metrics()  # the *_created series only add noise to dashboards


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.queries = Counter(
            "milgraph_queries_total", "Queries answered, by endpoint and HTTP status.",
            ["endpoint", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "milgraph_query_duration_seconds",
            "Time from request to complete answer (or first streamed byte), by endpoint.",
            ["endpoint"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                     60),
        )  # fmt: skip
        self.timeouts = Counter(
            "milgraph_query_timeouts_total", "Queries stopped at their deadline.", registry=r
        )
        self.errors = Counter(
            "milgraph_query_errors_total", "Queries answered with an error, by problem type.",
            ["type"], registry=r,
        )  # fmt: skip
        self.cache = Counter(
            "milgraph_cache_requests_total", "Answer cache look-ups, by result.", ["result"],
            registry=r,
        )  # fmt: skip
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

    def render(self) -> bytes:
        return generate_latest(self.registry)
