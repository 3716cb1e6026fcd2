"""Validation results kept by the content of what was validated.

``validate`` and ``build`` check the same graph: the problems found for one set of inputs
(every file's bytes and path, the rules, the shapes, the engine, milgraph's version) are
written once under ``<snapshot root>/.validation/<key>.json`` and read back by the next
``validate`` of any of those files or by the ``build`` of the same inputs, which then neither
reasons for validation nor runs the shapes again. A damaged entry is ignored, never trusted.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from milgraph.build.check import Problem
from milgraph.errors import Location

#: Bump when the checks change what they find for the same inputs.
CHECKS_VERSION = "1"
DIRECTORY = ".validation"
KEEP = 16


class ValidationCache:
    """Problems by validation key, one small JSON file each, the newest ``KEEP`` kept."""

    def __init__(self, root: Path) -> None:
        self.dir = root / DIRECTORY

    def get(self, key: str) -> list[Problem] | None:
        try:
            raw = json.loads((self.dir / f"{key}.json").read_text())
            return [_problem(d) for d in raw["problems"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, problems: list[Problem]) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = self.dir / f".{key}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"key": key, "problems": [asdict(p) for p in problems]}))
            os.replace(tmp, self.dir / f"{key}.json")
            entries = sorted(self.dir.glob("*.json"), key=lambda f: f.stat().st_mtime)
            for old in entries[:-KEEP]:
                old.unlink(missing_ok=True)
        except OSError:
            return  # a cache that cannot be written only costs time


def _problem(d: dict[str, Any]) -> Problem:
    loc = d.pop("location")
    return Problem(location=Location(**loc), **d)
