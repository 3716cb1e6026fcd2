"""Build, cache and open reasoned snapshots.

A snapshot is a directory named by a key over the *content* of its inputs, so an unchanged
graph is never re-reasoned, and it is only made visible (``CURRENT``) once it is complete:
a failed build never replaces the last good snapshot.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph import __version__, paths
from milgraph.errors import SnapshotError, ValidationFailed
from milgraph.loader import ParsedFile, SourceFile, check_input_size, discover, parse_all
from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
STORE = "store"
PROVENANCE = "provenance.sqlite"
KEEP_SNAPSHOTS = 3

StepCallback = Callable[[str, str], None]
"""Called with (step name, "start" | "done: <seconds>") so a CLI can show progress."""


@dataclass
class BuildReport:
    key: str
    path: Path
    cached: bool
    manifest: dict[str, Any]

    @property
    def counts(self) -> dict[str, Any]:
        return self.manifest["counts"]

    @property
    def timings(self) -> dict[str, float]:
        return self.manifest["timings"]


@dataclass
class Snapshot:
    """An opened, read-only snapshot. ``key`` is its version (used for ETags and caches)."""

    path: Path
    key: str
    manifest: dict[str, Any]
    store: ox.Store = field(repr=False)

    @property
    def provenance_path(self) -> Path:
        return self.path / PROVENANCE

    def query(
        self,
        sparql: str,
        *,
        asserted_only: bool = False,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: dict[ox.Variable, Any] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> Any:
        """Run a SPARQL query string on Oxigraph (never a parsed rdflib query: that is slow).

        The default graph holds asserted and inferred triples; ``asserted_only`` swaps in the
        union of asserted files. Explicit ``default_graph``/``named_graphs`` IRIs follow the
        SPARQL protocol's ``default-graph-uri``/``named-graph-uri``. ``prefixes`` are
        predeclared for hand-typed queries (the CLI); the protocol endpoint passes none.
        """
        kwargs: dict[str, Any] = {}
        if default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        elif asserted_only:
            kwargs["default_graph"] = [ox.NamedNode(ASSERTED_GRAPH)]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = substitutions
        if prefixes:
            kwargs["prefixes"] = prefixes
        return self.store.query(sparql, **kwargs)


# --------------------------------------------------------------------------- inputs and keys


def collect_sources(
    ontology: Path | None = None, data: Sequence[Path] | None = None
) -> list[SourceFile]:
    """Input files of a build: the ontology directory plus data files or directories."""
    ontology_dir = Path(ontology) if ontology else paths.ONTOLOGY_DIR
    data_paths = [Path(d) for d in data] if data else [paths.DATA_DIR]
    return discover([ontology_dir], "ontology") + discover(data_paths, "data")


def rules_dir_for(ontology: Path | None) -> Path:
    return (Path(ontology) if ontology else paths.ONTOLOGY_DIR) / "rules"


def shapes_for(ontology: Path | None) -> Path:
    return (Path(ontology) if ontology else paths.ONTOLOGY_DIR) / "shapes.ttl"


def snapshot_key(
    sources: Sequence[SourceFile], rules_dir: Path, shapes: Path,
    digests: dict[str, str] | None = None,
) -> str:  # fmt: skip
    """Content key: same files, rules, shapes and reasoner version give the same key."""
    from milgraph.reasoning import VERSION as REASONER_VERSION
    from milgraph.temporal import VERSION as TEMPORAL_VERSION

    h = hashlib.sha256()
    h.update(f"milgraph {__version__} reasoner {REASONER_VERSION}\n".encode())
    h.update(f"temporal {TEMPORAL_VERSION}\n".encode())
    for src in sorted(sources, key=lambda s: s.relpath):
        digest = digests[src.relpath] if digests else src.digest()
        h.update(f"{src.relpath}\0{digest}\n".encode())
    extra = sorted(rules_dir.glob("*.rq")) if rules_dir.is_dir() else []
    if shapes.is_file():
        extra.append(shapes)
    for file in extra:
        h.update(f"{file.name}\0{hashlib.sha256(file.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()[:32]


# --------------------------------------------------------------------------- build


class _Steps:
    """Times named steps and reports them to an optional callback."""

    def __init__(self, callback: StepCallback | None) -> None:
        self.callback = callback
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.callback:
            self.callback(name, "start")
        start = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - start
            self.timings[name] = round(took, 3)
            if self.callback:
                self.callback(name, f"done: {took:.2f}")


def build_snapshot(
    ontology: Path | None = None,
    data: Sequence[Path] | None = None,
    out: Path | None = None,
    *,
    validate: bool = True,
    force: bool = False,
    on_step: StepCallback | None = None,
    max_input_bytes: int | None = None,
) -> BuildReport:
    """Load, validate, reason and write a snapshot; reuse an existing one with the same key.

    ``max_input_bytes``: bound on the inputs' total size (None: ``MILGRAPH_MAX_INPUT_MB`` or
    the loader's default). Raises ``InputError`` (bad paths, unknown extensions, inputs too
    large, a file gone while building), ``ValidationFailed`` (parse errors,
    SHACL violations, OWL inconsistencies) or ``SnapshotError``. On any failure the previous
    ``CURRENT`` snapshot stays in place.
    """
    from milgraph import reasoning

    root = Path(out) if out else paths.snapshot_root()
    steps = _Steps(on_step)
    with steps.step("discover"):
        sources = collect_sources(ontology, data)
        check_input_size(sources, max_input_bytes)
        rules_dir = rules_dir_for(ontology)
        shapes = shapes_for(ontology)
        # Read once: the manifest names what was built even if a file changes meanwhile.
        digests = {src.relpath: src.digest() for src in sources}
        key = snapshot_key(sources, rules_dir, shapes, digests)
    target = root / key
    if not force and (target / MANIFEST).is_file():
        _set_current(root, key)
        manifest = json.loads((target / MANIFEST).read_text())
        return BuildReport(key, target, True, manifest)

    with steps.step("load"):
        parsed, errors = parse_all(sources)
        if errors:
            raise ValidationFailed(errors, f"{len(errors)} file(s) could not be parsed")
        asserted = _unique_triples(parsed)

    with steps.step("reason"):
        rules = reasoning.load_rules(rules_dir) if rules_dir.is_dir() else []
        result = reasoning.reason(asserted, rules=rules)
        if result.inconsistencies:
            from milgraph.validate import inconsistency_problems

            raise ValidationFailed(
                inconsistency_problems(parsed, result.inconsistencies),
                f"{len(result.inconsistencies)} logical inconsistency(ies) in the data",
            )

    if validate and shapes.is_file():
        from milgraph.validate import shacl_problems

        with steps.step("validate"):
            problems = shacl_problems(parsed, result.inferred, shapes)
            violations = [p for p in problems if p.is_violation]
            if violations:
                raise ValidationFailed(violations, f"{len(violations)} SHACL violation(s)")

    from milgraph import temporal

    with steps.step("temporal"):
        views = temporal.prepare(asserted, result.inferred, rules_dir, rules)

    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".building-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with steps.step("write"):
            tmp.mkdir(parents=True)
            _write_store(tmp / STORE, parsed, asserted, result.inferred, views.quads())
            reasoning.write_provenance(tmp / PROVENANCE, result)
            views.write(tmp)
        manifest = _manifest(key, sources, parsed, asserted, result, steps.timings, digests)
        manifest["temporal"] = views.manifest()
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _set_current(root, key)
    _prune(root, keep=KEEP_SNAPSHOTS, current=key)
    return BuildReport(key, target, False, manifest)


def _unique_triples(parsed: Sequence[ParsedFile]) -> list[ox.Triple]:
    seen: dict[ox.Triple, None] = {}
    for pf in parsed:
        for q in pf.quads:
            seen.setdefault(ox.Triple(q.subject, q.predicate, q.object), None)
    return list(seen)


def _write_store(
    path: Path,
    parsed: Sequence[ParsedFile],
    asserted: Sequence[ox.Triple],
    inferred: Sequence[ox.Triple],
    extra: Iterable[ox.Quad] = (),
) -> None:
    store = ox.Store(str(path))
    asserted_g = ox.NamedNode(ASSERTED_GRAPH)
    inferred_g = ox.NamedNode(INFERRED_GRAPH)
    default = ox.DefaultGraph()

    def quads() -> Iterator[ox.Quad]:
        for pf in parsed:
            yield from pf.quads
        for t in asserted:
            yield ox.Quad(t.subject, t.predicate, t.object, asserted_g)
            yield ox.Quad(t.subject, t.predicate, t.object, default)
        for t in inferred:
            yield ox.Quad(t.subject, t.predicate, t.object, inferred_g)
            yield ox.Quad(t.subject, t.predicate, t.object, default)
        yield from extra

    store.bulk_extend(quads())
    store.optimize()
    store.flush()
    del store
    gc.collect()


def _manifest(
    key: str,
    sources: Sequence[SourceFile],
    parsed: Sequence[ParsedFile],
    asserted: Sequence[ox.Triple],
    result: Any,
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


def _set_current(root: Path, key: str) -> None:
    tmp = root / f".{CURRENT}.{os.getpid()}"
    tmp.write_text(key + "\n")
    os.replace(tmp, root / CURRENT)


def _prune(root: Path, *, keep: int, current: str) -> None:
    """Drop old snapshots, newest kept; the current one always survives."""
    dirs = sorted(
        (d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for d in dirs[keep:]:
        if d.name != current:
            shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------- open


def current_key(root: Path | None = None) -> str | None:
    root = Path(root) if root else paths.snapshot_root()
    marker = root / CURRENT
    if not marker.is_file():
        return None
    return marker.read_text().strip() or None


def open_snapshot(root: Path | None = None, key: str | None = None) -> Snapshot:
    """Open a snapshot read-only: the one ``CURRENT`` names, or ``key``."""
    root = Path(root) if root else paths.snapshot_root()
    key = key or current_key(root)
    if key is None:
        raise SnapshotError(
            f"{root}: no snapshot has been built here (run 'milgraph build --out {root}')"
        )
    path = root / key
    if not (path / MANIFEST).is_file() or not (path / STORE).is_dir():
        raise SnapshotError(f"{path}: snapshot is incomplete; rebuild it with 'milgraph build'")
    manifest = json.loads((path / MANIFEST).read_text())
    try:
        store = ox.Store.read_only(str(path / STORE))
    except OSError as exc:
        raise SnapshotError(f"{path / STORE}: cannot open the store: {exc}") from None
    return Snapshot(path=path, key=key, manifest=manifest, store=store)


def ensure_snapshot(
    ontology: Path | None = None,
    data: Sequence[Path] | None = None,
    root: Path | None = None,
    *,
    on_step: StepCallback | None = None,
) -> Snapshot:
    """The snapshot of these inputs (the bundled ones by default), built on first use."""
    report = build_snapshot(ontology, data, root, on_step=on_step)
    return open_snapshot(report.path.parent, report.key)
