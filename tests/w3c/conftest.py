"""Make the shared server fixtures in tests/ importable from here (tests/w3c/)."""

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent.parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
