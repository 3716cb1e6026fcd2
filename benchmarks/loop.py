"""The steward's loop: save → answered, and edit over HTTP → answered (bundled data default).

``python -m benchmarks.loop`` copies the bundled ontology and data to a scratch directory,
starts ``milgraph serve --watch --allow-edits`` on it (a real uvicorn on 127.0.0.1), then

- *watch*: appends an exercise to ``exercises.ttl`` (as an editor saves it) and times the
  save until ``/sparql`` answers it;
- *edit*: sends the same kind of exercise as SPARQL Update to ``/update`` and times the
  request until its 200 (when ``/sparql`` answers it: checked right after);
- *baseline*, in the same run: a full ``build_snapshot(force=True)`` of the same inputs in a
  child process, which is what the careful path (edit → build → SIGHUP) paid per edit.

Prints a table and writes ``benchmarks/results/loop.json``. The targets (issue 11) are 10 s
for both; the ratio to the baseline is what the shared machine's noise leaves comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.server import LiveServer, wait_ready  # noqa: E402

TOKEN = "bench-token"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = "https://w3id.org/milgraph/graph/data/"
SOURCE = "https://www.nato.int/cps/en/natohq/topics_52044.htm"
TARGET_S = 10.0


def turtle_exercise(name: str) -> str:
    """An exercise in full IRIs: any data file can take it, whatever its prefixes."""
    return (f'\n<{ID}exercise/{name}> a <{MIL}MilitaryExercise> ;\n'
            f'    <http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en ;\n'
            f'    <{MIL}startDate> "2025-06-01"^^<{XSD}date> ; '
            f'<{MIL}endDate> "2025-06-10"^^<{XSD}date> ;\n'
            f"    <{MIL}participant> <{ID}nation/FIN> , <{ID}nation/SWE> ;\n"
            f"    <http://purl.org/dc/terms/source> <{SOURCE}> .\n")  # fmt: skip


def update_exercise(name: str, file: str = "exercises.ttl") -> str:
    s = f"<{ID}exercise/{name}>"
    return (f"INSERT DATA {{ GRAPH <{GRAPH}{file}> {{ {s} a <{MIL}MilitaryExercise> ; "
            f'<http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en ; '
            f'<{MIL}startDate> "2025-06-01"^^<{XSD}date> ; '
            f'<{MIL}endDate> "2025-06-10"^^<{XSD}date> ; '
            f"<{MIL}participant> <{ID}nation/FIN> , <{ID}nation/SWE> ; "
            f"<http://purl.org/dc/terms/source> <{SOURCE}> . }} }}")  # fmt: skip


def asked(http: httpx.Client, name: str) -> bool:
    q = f"ASK {{ <{ID}exercise/{name}> <{MIL}participant> <{ID}nation/FIN> }}"
    r = http.get("/sparql", params={"query": q})
    return r.status_code == 200 and bool(r.json()["boolean"])


def baseline(ontology: Path, data: Path, root: Path) -> float:
    code = ("import sys, time; from pathlib import Path; from milgraph.build import "
            "build_snapshot; t = time.perf_counter(); build_snapshot(Path(sys.argv[1]), "
            "[Path(sys.argv[2])], Path(sys.argv[3]), force=True); "
            "print(time.perf_counter() - t)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code, str(ontology), str(data), str(root)],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def run(repeat: int, with_baseline: bool = True, source: Path = ROOT / "data",
        file: str = "exercises.ttl") -> dict:
    work = Path(tempfile.mkdtemp(prefix="milgraph-loop-"))
    try:
        ontology = shutil.copytree(ROOT / "ontology", work / "ontology")
        data = shutil.copytree(source, work / "data")
        root = work / "snapshots"
        started = time.perf_counter()
        server = LiveServer(["--store", str(root), "--ontology", str(ontology), "--data",
                             str(data), "--query-workers", "1", "--watch", "--allow-edits"],
                            env={"MILGRAPH_ADMIN_TOKEN": TOKEN})  # fmt: skip
        try:
            server.wait_listening(120)
            wait_ready(server.get, 2400)  # a cold build of the bundled data on a loaded machine
            first_build = time.perf_counter() - started
            http = httpx.Client(base_url=server.url, timeout=900)
            status = http.get("/admin/status", headers={"Authorization": f"Bearer {TOKEN}"})
            server_build = status.json()["last_reload"]["seconds"]
            progress(f"first build {first_build:.1f} s (the server's: {server_build:.1f} s)")
            watch, edits, edit_seconds = [], [], []
            for i in range(repeat):
                name = f"loop-watch-{i}"
                with (data / file).open("a") as f:
                    f.write(turtle_exercise(name))
                saved = time.perf_counter()
                while not asked(http, name):
                    if time.perf_counter() - saved > 900:
                        raise RuntimeError("the save was never answered")
                    time.sleep(0.05)
                watch.append(time.perf_counter() - saved)
                progress(f"watch {i}: {watch[-1]:.1f} s")
                time.sleep(1.0)  # let the watcher settle before the next change
            for i in range(repeat):
                name = f"loop-edit-{i}"
                sent = time.perf_counter()
                r = http.post("/update", content=update_exercise(name, file).encode(),
                              headers={"Authorization": f"Bearer {TOKEN}",
                                       "Content-Type": "application/sparql-update"})  # fmt: skip
                took = time.perf_counter() - sent
                if r.status_code != 200 or not asked(http, name):
                    raise RuntimeError(f"edit not answered: {r.status_code} {r.text[:500]}")
                edits.append(took)
                edit_seconds.append(r.json()["seconds"])
                progress(f"edit {i}: {took:.1f} s {edit_seconds[-1]}")
                time.sleep(1.0)
            http.close()
        finally:
            server.stop()
        full = ([baseline(ontology, data, work / "baseline") for _ in range(max(1, repeat // 2))]
                if with_baseline else [server_build])  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"first_build_s": first_build, "server_first_build_s": server_build,
            "watch_s": watch, "edit_s": edits, "edit_breakdown": edit_seconds,
            "full_build_s": full,
            "baseline": "full build (force), own process" if with_baseline
            else "the server's first (full) build of the same inputs"}  # fmt: skip


def progress(text: str) -> None:
    print(f"[{datetime.now(UTC).strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true",
                        help="take the server's first full build as the baseline (saves one "
                        "full build)")  # fmt: skip
    parser.add_argument("--data", type=Path, default=ROOT / "data",
                        help="data directory to copy (default: the bundled data)")
    parser.add_argument("--file", default="exercises.ttl",
                        help="the data file edited")
    parser.add_argument("--out", default="loop.json", help="result file name")
    args = parser.parse_args()
    result = run(args.repeat, not args.no_baseline, args.data.resolve(), args.file)
    result["data"] = str(args.data)
    full = statistics.median(result["full_build_s"])
    table = Table(title=f"The steward's loop on {args.data} (median of runs)")
    for col in ("path", "median s", "runs s", "target s", "× full build"):
        table.add_column(col, justify="right" if col != "path" else "left")
    rows = {"save → /sparql answers (--watch)": result["watch_s"],
            "POST /update → 200, answered (--allow-edits)": result["edit_s"],
            f"baseline: {result['baseline']}": result["full_build_s"]}  # fmt: skip
    for label, runs in rows.items():
        median = statistics.median(runs)
        target = "" if label.startswith("baseline") else f"{TARGET_S:g}"
        table.add_row(label, f"{median:.2f}", ", ".join(f"{x:.1f}" for x in runs), target,
                      f"{median / full:.2f}")  # fmt: skip
    Console().print(table)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()  # fmt: skip
    out = {"benchmark": "loop", "when": datetime.now(UTC).isoformat(timespec="seconds"),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "load": os.getloadavg()},
           "commit": commit, "repeat": args.repeat, **result,
           "targets": {"watch_max_s": TARGET_S, "edit_max_s": TARGET_S}}  # fmt: skip
    path = ROOT / "benchmarks" / "results" / args.out
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
