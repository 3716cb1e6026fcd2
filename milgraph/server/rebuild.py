"""Build (or find) a snapshot in a child process and print the outcome as one JSON line.

The server runs this with ``python -m milgraph.server.rebuild`` so that parsing, reasoning
and validation never share a CPU-bound interpreter with the request loop, and so that a
crash while building cannot take the server down.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def rebuild(args: dict[str, Any]) -> dict[str, Any]:
    from milgraph.errors import MilgraphError, ValidationFailed
    from milgraph.snapshot import build_snapshot

    try:
        report = build_snapshot(
            Path(args["ontology"]) if args.get("ontology") else None,
            [Path(d) for d in args["data"]] if args.get("data") else None,
            Path(args["root"]) if args.get("root") else None,
        )
    except ValidationFailed as exc:
        return {"ok": False, "error": str(exc), "problems": [str(p) for p in exc.problems]}
    except MilgraphError as exc:
        return {"ok": False, "error": str(exc), "problems": [str(exc)]}
    return {"ok": True, "key": report.key, "root": str(report.path.parent), "cached": report.cached}


def main() -> None:
    args = json.loads(sys.argv[1])
    try:
        outcome = rebuild(args)
    except Exception as exc:  # report, never hang the server waiting for a result
        outcome = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "problems": []}
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
