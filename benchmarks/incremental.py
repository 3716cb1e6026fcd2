"""Incremental build benchmark: a full build of the bundled data against a one-file edit.

``python -m benchmarks.incremental`` copies the bundled data to a temporary directory and, in
one run:

1. builds it from nothing (every stage; ``--force``-like: a fresh snapshot root);
2. appends a comment to ``exercises.ttl`` and builds again in the same process with the
   parse cache (what ``serve --watch`` and edits over HTTP do): unchanged files not parsed;
3. edits it again and builds as a new process would (no parse cache);
4. the steward's careful path: edit, ``validate`` the file, then build: the build reads the
   shapes' results of that exact content instead of running them again.

Each row gives the total and the time per stage, so the remaining cost is visible. Prints a
table with the target (one-file edit → new snapshot ≤ 8 s) and writes
``benchmarks/results/incremental.json``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from milgraph import paths  # noqa: E402
from milgraph.build import build_snapshot, validate_inputs  # noqa: E402
from milgraph.build.sources import ParseCache  # noqa: E402

TARGET_S = 8.0
EDITED = "exercises.ttl"


def run() -> dict:
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="milgraph-bench-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(paths.DATA_DIR, data)
        root = Path(tmp) / "snapshots"
        edited = data / EDITED
        cache = ParseCache()

        def build(name: str, parse_cache: ParseCache | None) -> None:
            start = time.perf_counter()
            report = build_snapshot(data=[data], out=root, parse_cache=parse_cache)
            rows[name] = {"total_s": time.perf_counter() - start, "steps": report.timings,
                          "cached": report.cached}  # fmt: skip

        def edit(n: int) -> None:
            edited.write_text(edited.read_text() + f"\n# edit {n}\n")

        build("full build", cache)
        edit(1)
        build("one-file edit, same process (parse cache)", cache)
        edit(2)
        build("one-file edit, new process", None)
        edit(3)
        start = time.perf_counter()
        validate_inputs([edited], context=[data], cache_root=root)
        validated = time.perf_counter() - start
        build("one-file edit, build after validate", None)
        rows["one-file edit, build after validate"]["validate_before_s"] = validated
    return rows


def main(argv: list[str]) -> int:
    rows = run()
    steps = sorted({s for r in rows.values() for s in r["steps"]},
                   key=lambda s: list(rows["full build"]["steps"]).index(s)
                   if s in rows["full build"]["steps"] else 99)  # fmt: skip
    table = Table(title="build of the bundled data: full against a one-file edit (seconds)")
    table.add_column("build")
    table.add_column("total", justify="right")
    for s in steps:
        table.add_column(s, justify="right")
    for name, r in rows.items():
        table.add_row(name, f"{r['total_s']:.2f}",
                      *(f"{r['steps'].get(s, 0):.2f}" for s in steps))  # fmt: skip
    Console().print(table)
    print(f"target: one-file edit → new snapshot ≤ {TARGET_S:.0f} s")
    record = {
        "benchmark": "incremental",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "target_s": TARGET_S,
        "rows": rows,
    }
    target = ROOT / "benchmarks" / "results" / "incremental.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
