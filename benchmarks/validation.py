"""Validation benchmark: ``milgraph validate`` on the bundled data, shacl-rust against pySHACL.

``python -m benchmarks.validation`` times, on a copy of the bundled data (so that one file can
be edited without touching the repository):

- the SHACL stage alone on the reasoned bundled graph, with shacl-rust (what validate and
  build run) and with pySHACL (the baseline, same graph, same shapes, advanced mode, no
  inference), and whether their results are the same;
- ``validate`` of the whole set, from nothing (parse, closed vocabulary, reason, shapes);
- ``validate exercises.ttl`` in the context of the rest: unchanged data (the results of the
  whole set are kept by content), and after an edit of that file (nothing kept applies).

Prints a table with the targets and writes ``benchmarks/results/validation.json``.
``--no-baseline`` skips pySHACL (minutes on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
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
from milgraph.build import validate_inputs  # noqa: E402
from milgraph.build.check import shacl_results  # noqa: E402
from milgraph.build.inputs import collect_sources, rules_dir_for, shapes_for  # noqa: E402
from milgraph.build.pipeline import Pipeline  # noqa: E402

TARGETS = {"whole_set_max_s": 6.0, "one_file_max_s": 3.0}
EDITED = "exercises.ttl"


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run(baseline: bool) -> dict:
    out: dict = {}
    p = Pipeline(collect_sources(), rules_dir_for(None), shapes_for(None))
    out["load_s"], _ = _timed(p.load)
    out["asserted"] = len(p.asserted)
    out["reason_s"], _ = _timed(p.reason)
    out["inferred"] = len(p.reasoned.inferred)
    out["shacl_rust_s"], fast = _timed(
        lambda: shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="shacl-rust"))
    out["results"] = len(fast)
    if baseline:
        out["pyshacl_s"], ref = _timed(
            lambda: shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="pyshacl"))
        out["pyshacl_results"] = len(ref)
        out["same_results"] = fast == ref
        out["speedup"] = out["pyshacl_s"] / out["shacl_rust_s"]

    with tempfile.TemporaryDirectory(prefix="milgraph-bench-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(paths.DATA_DIR, data)
        cache = Path(tmp) / "home"
        edited = data / EDITED

        def validate(files: list[Path]) -> list:
            return validate_inputs(files, context=[data], cache_root=cache)

        out["whole_set_s"], problems = _timed(lambda: validate([data]))
        out["whole_set_problems"] = len(problems)
        out["one_file_unchanged_s"], _ = _timed(lambda: validate([edited]))
        edited.write_text(edited.read_text() + "\n# an edit\n")
        out["one_file_edited_s"], _ = _timed(lambda: validate([edited]))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip pySHACL")
    args = parser.parse_args(argv)
    result = run(baseline=not args.no_baseline)
    table = Table(title=f"validation of the bundled data ({result['asserted']:,} asserted, "
                  f"{result['inferred']:,} inferred triples)")  # fmt: skip
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("target", justify="right")
    table.add_row("parse (all files)", f"{result['load_s']:.2f}", "")
    table.add_row("reason (OWL 2 RL + rules)", f"{result['reason_s']:.2f}", "")
    table.add_row(f"shapes: shacl-rust ({result['results']} results)",
                  f"{result['shacl_rust_s']:.2f}", "")  # fmt: skip
    if "pyshacl_s" in result:
        table.add_row(f"shapes: pySHACL ({result['pyshacl_results']} results, same: "
                      f"{result['same_results']})", f"{result['pyshacl_s']:.2f}",
                      f"x{result['speedup']:.1f}")  # fmt: skip
    table.add_row("validate, whole set, from nothing", f"{result['whole_set_s']:.2f}",
                  f"≤ {TARGETS['whole_set_max_s']:.0f}")  # fmt: skip
    table.add_row(f"validate {EDITED}, data unchanged", f"{result['one_file_unchanged_s']:.2f}",
                  f"≤ {TARGETS['one_file_max_s']:.0f}")  # fmt: skip
    table.add_row(f"validate {EDITED}, after editing it", f"{result['one_file_edited_s']:.2f}",
                  f"≤ {TARGETS['one_file_max_s']:.0f}")  # fmt: skip
    Console().print(table)
    record = {
        "benchmark": "validation",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "targets": TARGETS,
        "result": result,
    }
    target = ROOT / "benchmarks" / "results" / "validation.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
