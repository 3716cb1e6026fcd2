"""Why the pool could not answer a job: its own errors, free of HTTP.

Each error has a stable ``kind`` (the problem type the server answers with), a ``title`` and
a ``detail`` for people; ``server.problems`` gives each its status (``STATUSES``). A job the
worker answered with an error (a malformed query, a result over the size cap…) is a
:class:`JobFailed` carrying the worker's own document, passed on untouched::

    PoolError
    ├── QueryTimeout         the job ran past its deadline: its worker was killed
    ├── Busy                 no worker was free within the deadline
    ├── WorkerCrashed        the worker running the job died
    ├── ClientGone           whoever waited for the answer gave up on it
    ├── NotReady             nothing is served yet
    ├── ShuttingDown         the pool is closing
    ├── WorkerStartFailed    a worker did not start (or start in time)
    ├── SnapshotUnavailable  a worker could not open what it was to serve
    ├── WorkerProtocolError  a worker sent a frame that makes no sense
    └── JobFailed            the worker's answer is an error document
"""

from __future__ import annotations

from typing import Any


class PoolError(Exception):
    """A job the pool could not answer."""

    kind: str = "pool-error"
    title: str = "Query failed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = {k: v for k, v in extra.items() if v is not None}


class QueryTimeout(PoolError):
    kind = "query-timeout"
    title = "Query timed out"

    def __init__(self, timeout: float) -> None:
        super().__init__(
            f"the query ran past its {timeout:g} s deadline and was stopped; make it more "
            "selective (LIMIT, narrower patterns) or ask the operator for a longer "
            "--query-timeout",
            timeout=timeout,
        )


class Busy(PoolError):
    kind = "busy"
    title = "Server busy"

    def __init__(self, timeout: float) -> None:
        super().__init__(
            f"every query worker stayed busy for the whole {timeout:g} s deadline; retry later"
        )


class WorkerCrashed(PoolError):
    kind = "worker-crashed"
    title = "Query worker crashed"

    def __init__(self, memory_limit: str | None = None) -> None:
        why = ""
        if memory_limit and memory_limit != "0":
            why = (f" (it may have needed more than the workers' memory bound of {memory_limit} "
                   "MiB, --worker-memory-mb)")
        super().__init__(
            f"the process evaluating this query stopped unexpectedly{why}; it has been replaced"
        )


class ClientGone(PoolError):
    kind = "client-gone"
    title = "Client gone"


class NotReady(PoolError):
    kind = "not-ready"
    title = "Not ready"


class ShuttingDown(PoolError):
    kind = "shutting-down"
    title = "Shutting down"


class WorkerStartFailed(PoolError):
    kind = "worker-failed"
    title = "Query worker failed to start"


class SnapshotUnavailable(PoolError):
    kind = "snapshot-unavailable"
    title = "Snapshot unavailable"


class WorkerProtocolError(PoolError):
    kind = "worker-protocol"
    title = "Internal error"


class JobFailed(PoolError):
    """The worker answered the job with an error document (``server.wire.error``): its
    fields are the problem's, the worker's status included."""

    def __init__(self, document: dict[str, Any]) -> None:
        fields = dict(document)
        self.status = int(fields.pop("status"))
        self.kind = str(fields.pop("type"))
        self.title = str(fields.pop("title"))
        super().__init__(str(fields.pop("detail")), **fields)
