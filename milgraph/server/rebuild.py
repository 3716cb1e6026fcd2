"""Build (or find) a snapshot in a child process and print the outcome as one JSON line.

The server runs this with ``python -m milgraph.server.rebuild`` so that parsing, reasoning
and validation never share a CPU-bound interpreter with the request loop, and so that a
crash while building cannot take the server down.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path
from typing import Any


def limit_memory(mb: int) -> None:
    """Cap this process's address space at ``mb`` MiB (0: no cap): a build that needs more
    fails (MemoryError, or an aborted allocation) instead of taking the host down."""
    if mb > 0:
        limit = mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def out_of_memory(mb: int) -> str:
    return (f"the snapshot build needed more than its memory bound of {mb:,} MiB and was "
            "stopped; the server keeps serving the last good snapshot (reduce the input, or "
            "raise the bound with --build-memory-mb)")  # fmt: skip


def rebuild(args: dict[str, Any]) -> dict[str, Any]:
    from milgraph.build import build_snapshot
    from milgraph.errors import MilgraphError, ValidationFailed

    try:
        report = build_snapshot(
            Path(args["ontology"]) if args.get("ontology") else None,
            [Path(d) for d in args["data"]] if args.get("data") else None,
            Path(args["root"]) if args.get("root") else None,
            max_input_bytes=args.get("max_input_bytes"),
        )
    except ValidationFailed as exc:
        return {"ok": False, "error": str(exc), "problems": [str(p) for p in exc.problems],
                "failing": [located(p) for p in exc.problems]}  # fmt: skip
    except MilgraphError as exc:
        return {"ok": False, "error": str(exc), "problems": [str(exc)],
                "failing": [located(exc)]}  # fmt: skip
    from milgraph.server.lastgood import inputs_signature, record_good

    ontology = Path(args["ontology"]) if args.get("ontology") else None
    data = [Path(d) for d in args["data"]] if args.get("data") else None
    record_good(report.path.parent, inputs_signature(ontology, data), report.key)
    return {"ok": True, "key": report.key, "root": str(report.path.parent), "cached": report.cached}


def located(problem: object) -> dict[str, Any]:
    """Where a problem is, as ``/health`` names it: file, line, column and the message."""
    location = getattr(problem, "location", None)
    message = getattr(problem, "message", None) or str(problem)
    return {"file": getattr(location, "path", None), "line": getattr(location, "line", None),
            "column": getattr(location, "column", None), "message": str(message)}  # fmt: skip


def main() -> None:
    args = json.loads(sys.argv[1])
    memory_mb = int(args.get("memory_mb") or 0)
    os.nice(10)  # serving comes first: a build uses the CPU the server does not need
    try:
        limit_memory(memory_mb)
        outcome = rebuild(args)
    except MemoryError:
        outcome = {"ok": False, "error": out_of_memory(memory_mb), "problems": []}
    except Exception as exc:  # report, never hang the server waiting for a result
        outcome = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "problems": []}
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
