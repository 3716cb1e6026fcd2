"""The query worker pool: killable worker processes driven from the event loop (``core``),
started by ``launch``, failing with errors of their own (``errors``). The pool knows nothing
of HTTP: the server maps its errors to problem documents (``server.problems``)."""

from milgraph.server.pool.core import Answer, Job, PoolStats, WorkerPool
from milgraph.server.pool.errors import JobFailed, NotReady, PoolError
from milgraph.server.pool.launch import (
    MEMORY_VARIABLE,
    child_environment,
    default_pool_size,
    prestart,
)

__all__ = [
    "MEMORY_VARIABLE",
    "Answer",
    "Job",
    "JobFailed",
    "NotReady",
    "PoolError",
    "PoolStats",
    "WorkerPool",
    "child_environment",
    "default_pool_size",
    "prestart",
]
