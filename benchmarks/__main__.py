"""``python -m benchmarks`` (``make bench``): every benchmark, one after the other.

Runs the serving benchmark (200k triples by default; extra arguments are passed to it), then
the LUBM reasoning benchmark ``benchmarks.lubm`` when that module is present, then the views
benchmark ``benchmarks.views`` (the workbench pages' data on the bundled graph), then the
backend benchmark ``benchmarks.backend`` (``serve --backend`` against Virtuoso directly) when
Virtuoso is installed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys


def main(argv: list[str]) -> int:
    status = subprocess.call([sys.executable, "-m", "benchmarks.serving", *argv])
    if importlib.util.find_spec("benchmarks.lubm") is not None:
        status = subprocess.call([sys.executable, "-m", "benchmarks.lubm"]) or status
    else:
        print("benchmarks.lubm is not present: reasoning benchmark skipped", file=sys.stderr)
    status = subprocess.call([sys.executable, "-m", "benchmarks.views"]) or status
    if shutil.which("virtuoso-t"):  # the seam's cost: serve --backend vs Virtuoso directly
        status = subprocess.call([sys.executable, "-m", "benchmarks.backend", *argv]) or status
    else:
        print("virtuoso-t is not installed (make virtuoso): backend benchmark skipped",
              file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
