"""The files of a snapshot, and of the directory that holds snapshots.

A snapshot is a directory named by a key over the *content* of its inputs::

    <root>/CURRENT                      the key of the snapshot served (written last)
    <root>/<key>/manifest.json          what was built: inputs, counts, timings, rules, views
    <root>/<key>/store/                 the quads (an Oxigraph store)
    <root>/<key>/provenance.sqlite      one derivation per inferred triple (explanations)
    <root>/<key>/temporal.sqlite        day sets and derivations of time-dependent triples
    <root>/<key>/asof-static-provenance.sqlite   derivations of the time-independent part
    <root>/<key>/search.sqlite          names for search and name resolution (FTS5)
    <root>/.building-<key>-<pid>/       a snapshot being written (renamed when complete)

It is only made visible (``CURRENT``) once it is complete: a failed build never replaces the
last good snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from milgraph import paths
from milgraph.errors import SnapshotError

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
STORE = "store"
PROVENANCE = "provenance.sqlite"
TEMPORAL = "temporal.sqlite"
STATIC_PROVENANCE = "asof-static-provenance.sqlite"
SEARCH = "search.sqlite"
#: Snapshots kept in a root (the newest; the current one always survives).
KEEP_SNAPSHOTS = 3


def root_of(root: Path | str | None) -> Path:
    """The snapshot root asked for, or the default one (``MILGRAPH_HOME``)."""
    return Path(root) if root else paths.snapshot_root()


def current_key(root: Path | str | None = None) -> str | None:
    """The key ``CURRENT`` names, or None where no snapshot has been built."""
    marker = root_of(root) / CURRENT
    if not marker.is_file():
        return None
    return marker.read_text().strip() or None


def set_current(root: Path, key: str) -> None:
    """Make ``key`` the served snapshot (an atomic rename)."""
    tmp = root / f".{CURRENT}.{os.getpid()}"
    tmp.write_text(key + "\n")
    os.replace(tmp, root / CURRENT)


def building_dir(root: Path, key: str) -> Path:
    """Where a snapshot is written before it is renamed to ``root/key``."""
    return root / f".building-{key}-{os.getpid()}"


def is_complete(path: Path) -> bool:
    return (path / MANIFEST).is_file() and (path / STORE).is_dir()


def read_manifest(path: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text())
    return manifest


def check_complete(root: Path, key: str | None) -> Path:
    """The directory of snapshot ``key`` (the current one if None), or ``SnapshotError``."""
    if key is None:
        raise SnapshotError(
            f"{root}: no snapshot has been built here (run 'milgraph build --out {root}')"
        )
    path = root / key
    if not is_complete(path):
        raise SnapshotError(f"{path}: snapshot is incomplete; rebuild it with 'milgraph build'")
    return path


def prune(root: Path, *, keep: int, current: str) -> None:
    """Drop old snapshots, newest kept; the current one always survives."""
    dirs = sorted(
        (d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for d in dirs[keep:]:
        if d.name != current:
            shutil.rmtree(d, ignore_errors=True)
