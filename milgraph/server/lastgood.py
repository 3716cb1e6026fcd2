"""The last good snapshot of a set of inputs: what a server started on broken files serves.

A server that builds from ``--ontology``/``--data`` and finds them invalid at start would
otherwise serve nothing (503) although a snapshot built from the same paths a save ago is on
disk. Each successful build records its key under the inputs' *paths* (not their content,
which is what changed) in ``<root>/last-good.json``; when none is recorded (snapshots built
by ``milgraph build``), the newest complete snapshot whose manifest lists exactly the files
the paths hold now is taken.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from milgraph import paths
from milgraph.store import layout

RECORD = "last-good.json"


def inputs_signature(ontology: Path | None, data: Sequence[Path] | None) -> str:
    """Names the input *paths* (resolved): the same paths give the same signature."""
    onto = (Path(ontology) if ontology else paths.ONTOLOGY_DIR).resolve()
    files = sorted(str(Path(d).resolve()) for d in (data or [paths.DATA_DIR]))
    text = "\n".join([str(onto), *files])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _read(root: Path) -> dict[str, Any]:
    try:
        record: dict[str, Any] = json.loads((root / RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def record_good(root: Path, signature: str, key: str) -> None:
    """Remember ``key`` as the last good snapshot of these inputs (atomic replace)."""
    record = _read(root)
    record[signature] = key
    tmp = root / f".{RECORD}.{os.getpid()}"
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
        os.replace(tmp, root / RECORD)


def last_good(root: Path, ontology: Path | None, data: Sequence[Path] | None) -> str | None:
    """The key of the newest good snapshot of these input paths still on disk, or None."""
    key = _read(root).get(inputs_signature(ontology, data))
    if isinstance(key, str) and layout.is_complete(root / key):
        return key
    return _by_manifest(root, ontology, data)


def _by_manifest(root: Path, ontology: Path | None, data: Sequence[Path] | None) -> str | None:
    from milgraph.build.inputs import collect_sources
    from milgraph.errors import InputError

    try:
        wanted = {s.relpath for s in collect_sources(ontology, data)}
    except InputError:
        return None
    best: tuple[str, str] | None = None
    with contextlib.suppress(OSError):
        for d in root.iterdir():
            if d.name.startswith(".") or not layout.is_complete(d):
                continue
            try:
                manifest = layout.read_manifest(d)
            except (OSError, ValueError):
                continue
            names = {i.get("path") for i in manifest.get("inputs", [])}
            created = str(manifest.get("created", ""))
            if names == wanted and (best is None or created > best[0]):
                best = (created, d.name)
    return best[1] if best else None
