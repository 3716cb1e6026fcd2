"""The write stage: a snapshot directory, complete before anyone can see it.

Everything is written under a temporary name (``store.layout.building_dir``), the manifest
last, then renamed to its key and named in ``CURRENT``; a failure on the way removes the
half-written directory and leaves the last good snapshot served.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from milgraph import __version__
from milgraph.build.inputs import SourceFile
from milgraph.build.sources import ParsedFile
from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from milgraph.reasoning import ReasoningResult, write_provenance
from milgraph.search import write_index
from milgraph.store import layout
from milgraph.store.oxigraph import write_store

if TYPE_CHECKING:
    from milgraph.temporal import TemporalBuild


class Steps(Protocol):
    """How the pipeline times its stages (the write stage is timed here)."""

    timings: dict[str, float]

    def step(self, name: str) -> AbstractContextManager[None]: ...


@dataclass
class BuildReport:
    key: str
    path: Path
    cached: bool
    manifest: dict[str, Any]

    @property
    def counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = self.manifest["counts"]
        return counts

    @property
    def timings(self) -> dict[str, float]:
        timings: dict[str, float] = self.manifest["timings"]
        return timings


def cached_report(root: Path, key: str) -> BuildReport | None:
    """The snapshot of ``key`` if it was built already (then made current again)."""
    target = root / key
    if not (target / layout.MANIFEST).is_file():
        return None
    layout.set_current(root, key)
    return BuildReport(key, target, True, layout.read_manifest(target))


def write_snapshot(
    root: Path,
    key: str,
    *,
    sources: Sequence[SourceFile],
    parsed: Sequence[ParsedFile],
    asserted: Sequence[ox.Triple],
    result: ReasoningResult,
    views: TemporalBuild,
    digests: dict[str, str],
    steps: Steps,
    before_publish: Callable[[], None] | None = None,
) -> BuildReport:
    """Write the snapshot ``root/key``, make it current, prune old ones.

    ``before_publish`` runs once everything is written under the temporary name and before it
    is renamed: if it raises (the shapes, run meanwhile, found violations), nothing is
    published and the temporary directory is removed."""
    target = root / key
    root.mkdir(parents=True, exist_ok=True)
    tmp = layout.building_dir(root, key)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with steps.step("write"):
            tmp.mkdir(parents=True)
            write_store(tmp / layout.STORE, _quads(parsed, asserted, result.inferred,
                                                   views.quads()))  # fmt: skip
            write_provenance(tmp / layout.PROVENANCE, result)
            views.write(tmp)
        with steps.step("index"):  # names for search and resolution (milgraph.search)
            write_index(tmp)
        if before_publish is not None:
            before_publish()
        manifest = _manifest(key, sources, parsed, asserted, result, steps.timings, digests)
        manifest["temporal"] = views.manifest()
        (tmp / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    layout.set_current(root, key)
    layout.prune(root, keep=layout.KEEP_SNAPSHOTS, current=key)
    return BuildReport(key, target, False, manifest)


def _quads(
    parsed: Sequence[ParsedFile],
    asserted: Sequence[ox.Triple],
    inferred: Sequence[ox.Triple],
    extra: Iterable[ox.Quad] = (),
) -> Iterator[ox.Quad]:
    """Every quad of the store: each file's graph, the asserted and inferred graphs, the
    default graph (asserted ∪ inferred), and the point-in-time views' graphs."""
    asserted_g = ox.NamedNode(ASSERTED_GRAPH)
    inferred_g = ox.NamedNode(INFERRED_GRAPH)
    default = ox.DefaultGraph()
    for pf in parsed:
        yield from pf.quads
    for t in asserted:
        yield ox.Quad(t.subject, t.predicate, t.object, asserted_g)
        yield ox.Quad(t.subject, t.predicate, t.object, default)
    for t in inferred:
        yield ox.Quad(t.subject, t.predicate, t.object, inferred_g)
        yield ox.Quad(t.subject, t.predicate, t.object, default)
    yield from extra


def _manifest(
    key: str,
    sources: Sequence[SourceFile],
    parsed: Sequence[ParsedFile],
    asserted: Sequence[ox.Triple],
    result: ReasoningResult,
    timings: dict[str, float],
    digests: dict[str, str],
) -> dict[str, Any]:
    per_rule = result.stats.get("per_rule", {})
    return {
        "key": key,
        "milgraph_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [
            {
                "path": pf.source.relpath,
                "graph": pf.source.graph,
                "format": str(pf.source.format.name),
                "sha256": digests[pf.source.relpath],
                "triples": len(pf.quads),
            }
            for pf in parsed
        ],
        "counts": {
            "files": len(sources),
            "asserted": len(asserted),
            "asserted_with_duplicates": sum(len(pf.quads) for pf in parsed),
            "inferred": len(result.inferred),
            "total": len(asserted) + len(result.inferred),
            "per_graph": {pf.source.graph: len(pf.quads) for pf in parsed},
            "per_rule": dict(sorted(per_rule.items())),
        },
        "timings": timings,
        "reasoner": {k: v for k, v in dict(result.stats).items() if _jsonable(v)},
    }


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
