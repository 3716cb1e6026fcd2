"""``python -m benchmarks`` (``make bench``): every benchmark, one after the other.

Runs the serving benchmark (200k triples by default; extra arguments are passed to it), then
the LUBM reasoning benchmark ``benchmarks.lubm`` when that module is present, then the views
benchmark ``benchmarks.views`` (the workbench pages' data on the bundled graph).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys


def main(argv: list[str]) -> int:
    status = subprocess.call([sys.executable, "-m", "benchmarks.serving", *argv])
    if importlib.util.find_spec("benchmarks.lubm") is not None:
        status = subprocess.call([sys.executable, "-m", "benchmarks.lubm"]) or status
    else:
        print("benchmarks.lubm is not present: reasoning benchmark skipped", file=sys.stderr)
    status = subprocess.call([sys.executable, "-m", "benchmarks.views"]) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
