"""Importers for research datasets: COW states, ATOP, MME, FMTR training, UNODA treaties, ...

Each importer reads the dataset's own files, resolves states to nation nodes (nations.py),
and writes deterministic Turtle to ``data/imported/<kind>.ttl`` with the dataset's citation on
every record. ``run_import`` is the one entry point; the CLI (cli.py) only parses and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from milgraph.importers import (
    atop,
    cow_states,
    fmtr,
    jme,
    mme,
    signals,
    troops,
    unoda,
    visits,
)
from milgraph.importers.common import IMPORTED_DIR, unmapped_path, write_text, write_turtle
from milgraph.importers.nations import DEFAULT_CODES, NationResolver
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import TurtleDocument

Builder = Callable[..., tuple[TurtleDocument, ImportReport]]

#: kind -> (builder, default input path)
KINDS: dict[str, tuple[Builder, Path]] = {
    "cow-states": (cow_states.build, cow_states.DEFAULT_PATH),
    "atop": (atop.build, atop.DEFAULT_PATH),
    "mme": (mme.build, mme.DEFAULT_PATH),
    "fmtr": (fmtr.build, fmtr.DEFAULT_PATH),
    "unoda": (unoda.build, unoda.DEFAULT_PATH),
    "jme": (jme.build, jme.DEFAULT_PATH),
    "signals": (signals.build, signals.DEFAULT_PATH),
    "us-troops": (troops.build, troops.DEFAULT_PATH),
    "visits": (visits.build, visits.DEFAULT_PATH),
}


def default_output(kind: str) -> Path:
    return IMPORTED_DIR / f"{kind}.ttl"


def run_import(kind: str, path: Path | None = None, out: Path | None = None,
               codes: Path | None = None) -> ImportReport:
    """Import one dataset and write its Turtle; return the report.

    Raises ``milgraph.errors.InputError`` (naming file and line) when an input is missing or
    malformed; in that case nothing is written and an existing output is left untouched.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; choose one of {', '.join(KINDS)}")
    builder, default_path = KINDS[kind]
    resolver = NationResolver(codes or DEFAULT_CODES)
    doc, report = builder(path or default_path, resolver=resolver)
    target = out or default_output(kind)
    report.triples = write_turtle(doc, target)
    report.output = target
    names = unmapped_path(target)
    if report.unmapped:
        write_text(report.unmapped_table(), names)
    elif names.exists():
        names.unlink()
    return report


__all__ = ["KINDS", "ImportReport", "default_output", "run_import"]
