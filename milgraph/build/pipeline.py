"""Build, cache and validate reasoned snapshots: one staged pipeline.

    discover → load → reason → check → temporal → write

A snapshot is named by a key over the *content* of its inputs (the bytes each file was read
as, the rules, the shapes, the reasoner's version), so an unchanged graph is never
re-reasoned. ``build_snapshot`` runs every stage and stops at the first that finds a
problem, leaving the last good snapshot in place; ``validate_inputs`` is the same pipeline
stopped before ``temporal`` and ``write``, collecting every problem of the files asked about
instead of stopping at the first stage that has some.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph import __version__, paths
from milgraph.build import check, vocabulary
from milgraph.build.cache import ValidationCache
from milgraph.build.check import DEFAULT_ENGINE, Problem
from milgraph.build.inputs import (
    SourceFile,
    check_input_size,
    collect_sources,
    discover,
    rules_dir_for,
    shapes_for,
)
from milgraph.build.sources import ParseCache, ParsedFile, parse_all
from milgraph.build.write import BuildReport, cached_report, write_snapshot
from milgraph.errors import InputError, ParseError, ValidationFailed
from milgraph.reasoning import ReasoningResult
from milgraph.rules import Rule, load_rules
from milgraph.store import layout
from milgraph.store.snapshot import Snapshot, open_snapshot

StepCallback = Callable[[str, str], None]
"""Called with (step name, "start" | "done: <seconds>") so a CLI can show progress."""

__all__ = ["BuildReport", "StepCallback", "build_snapshot", "ensure_snapshot", "validate_inputs"]


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


# --------------------------------------------------------------------------- the stages


@dataclass
class Pipeline:
    """One run of the stages over a set of input files; each stage keeps what it made."""

    sources: list[SourceFile]
    rules_dir: Path
    shapes: Path
    parsed: list[ParsedFile] = field(default_factory=list)
    asserted: list[ox.Triple] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    result: ReasoningResult | None = None

    engine: str = DEFAULT_ENGINE
    parse_cache: ParseCache | None = None

    def load(self) -> list[ParseError]:
        """Parse every file (each into its own graph); the asserted triples, de-duplicated.
        Returns the files that could not be parsed, all of them, so a steward sees them in
        one run. Files a ``parse_cache`` holds (same path, same bytes) are not parsed again."""
        self.parsed, errors = parse_all(self.sources, cache=self.parse_cache)
        seen: dict[ox.Triple, None] = {}
        for pf in self.parsed:
            for q in pf.quads:
                seen.setdefault(ox.Triple(q.subject, q.predicate, q.object), None)
        self.asserted = list(seen)
        return errors

    def vocabulary(self, files: Sequence[ParsedFile] | None = None) -> list[Problem]:
        """Closed vocabulary and well-formed literals in the data files (or ``files``)."""
        ontology = [pf for pf in self.parsed if pf.source.relpath.startswith("ontology/")]
        data = [pf for pf in self.parsed if not pf.source.relpath.startswith("ontology/")]
        vocab = vocabulary.Vocabulary.of(ontology)
        return vocabulary.vocabulary_problems(data if files is None else files, vocab,
                                              check.Locator(self.parsed))  # fmt: skip

    def reason(self) -> list[Problem]:
        """OWL 2 RL and the rules to a fixpoint; the inconsistencies found, as problems."""
        from milgraph import reasoning

        self.rules = load_rules(self.rules_dir) if self.rules_dir.is_dir() else []
        self.result = reasoning.reason(self.asserted, rules=self.rules)
        return check.inconsistency_problems(self.parsed, self.result.inconsistencies)

    def check(self) -> list[Problem]:
        """The SHACL shapes on asserted ∪ inferred triples (none without a shapes file)."""
        if not self.shapes.is_file():
            return []
        problems = check.shacl_problems(self.parsed, self.reasoned.inferred, self.shapes,
                                        engine=self.engine)  # fmt: skip
        return vocabulary.with_record_suggestions(
            problems, vocabulary.described_records(self.parsed)
        )

    def temporal(self) -> Any:
        """The point-in-time views (a ``temporal.TemporalBuild``)."""
        from milgraph import temporal

        return temporal.prepare(self.asserted, self.reasoned.inferred, self.rules)

    @property
    def reasoned(self) -> ReasoningResult:
        if self.result is None:
            raise RuntimeError("the reason stage has not run")
        return self.result


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


def validation_key(
    sources: Sequence[SourceFile], rules_dir: Path, shapes: Path, engine: str,
    digests: dict[str, str] | None = None,
) -> str:  # fmt: skip
    """Key of a validation's results: the snapshot key, where the files are (problems name
    them), the engine and the checks' version."""
    from milgraph.build.cache import CHECKS_VERSION

    h = hashlib.sha256(snapshot_key(sources, rules_dir, shapes, digests).encode())
    h.update(f"\0checks {CHECKS_VERSION} engine {engine}\0".encode())
    for src in sorted(sources, key=lambda s: s.relpath):
        h.update(f"{src.path.resolve().as_posix()}\n".encode())
    return h.hexdigest()[:32]


def _without_duplicates(vocab: list[Problem], found: list[Problem]) -> list[Problem]:
    """The reasoner's dt-not-type restates an ill-formed literal the literal check reported
    at its line with an example: keep the literal check's."""
    if not any(p.rule == "well-formed literal" for p in vocab):
        return found
    return [p for p in found if p.rule != "OWL 2 RL dt-not-type"]


# --------------------------------------------------------------------------- build


def build_snapshot(
    ontology: Path | None = None,
    data: Sequence[Path] | None = None,
    out: Path | None = None,
    *,
    validate: bool = True,
    force: bool = False,
    on_step: StepCallback | None = None,
    max_input_bytes: int | None = None,
    parse_cache: ParseCache | None = None,
    engine: str = DEFAULT_ENGINE,
) -> BuildReport:
    """Load, validate, reason and write a snapshot; reuse an existing one with the same key.

    ``max_input_bytes``: bound on the inputs' total size (None: ``MILGRAPH_MAX_INPUT_MB`` or
    the default of ``build.inputs``). ``parse_cache``: files parsed by an earlier build of
    this process (unchanged ones are not parsed again). The SHACL results of these exact
    inputs, if ``validate`` or a build found them before, are read from the validation cache
    instead of being computed again. Raises ``InputError`` (bad paths, unknown extensions,
    inputs too large, a file gone while building), ``ValidationFailed`` (parse errors,
    SHACL violations, OWL inconsistencies) or ``SnapshotError``. On any failure the previous
    ``CURRENT`` snapshot stays in place.
    """
    root = layout.root_of(out)
    steps = _Steps(on_step)
    with steps.step("discover"):
        sources = collect_sources(ontology, data)
        check_input_size(sources, max_input_bytes)
        pipeline = Pipeline(sources, rules_dir_for(ontology), shapes_for(ontology),
                            engine=engine, parse_cache=parse_cache)  # fmt: skip
        # Read once: the manifest names what was built even if a file changes meanwhile.
        digests = {src.relpath: src.digest() for src in sources}
        key = snapshot_key(sources, pipeline.rules_dir, pipeline.shapes, digests)
    if not force:
        cached = cached_report(root, key)
        if cached is not None:
            return cached

    with steps.step("load"):
        errors = pipeline.load()
        if errors:
            raise ValidationFailed(errors, f"{len(errors)} file(s) could not be parsed")

    with steps.step("vocabulary"):
        vocab_problems = pipeline.vocabulary()
        if vocab_problems:
            raise ValidationFailed(
                vocab_problems,
                f"{len(vocab_problems)} undeclared term(s) or ill-formed literal(s)",
            )

    with steps.step("reason"):
        inconsistencies = pipeline.reason()
        if inconsistencies:
            raise ValidationFailed(
                inconsistencies,
                f"{len(pipeline.reasoned.inconsistencies)} logical inconsistency(ies) in the data",
            )

    shapes_run: _ShapesRun | None = None
    if validate and pipeline.shapes.is_file():
        cache = ValidationCache(root)
        vkey = validation_key(sources, pipeline.rules_dir, pipeline.shapes, engine, digests)
        found = cache.get(vkey)
        if found is not None:
            _raise_violations(found)
        else:
            # The shapes run beside the views and the write (the engine releases the GIL): the
            # snapshot is written under a temporary name meanwhile and published only if they
            # find no violation.
            shapes_run = _ShapesRun(pipeline, cache, vkey)

    with steps.step("temporal"):
        views = pipeline.temporal()

    def before_publish() -> None:
        if shapes_run is not None:
            with steps.step("validate (wait)"):
                found = shapes_run.result()
            steps.timings["validate"] = shapes_run.took
            _raise_violations(found)

    return write_snapshot(
        root, key, sources=sources, parsed=pipeline.parsed, asserted=pipeline.asserted,
        result=pipeline.reasoned, views=views, digests=digests, steps=steps,
        before_publish=before_publish,
    )  # fmt: skip


class _ShapesRun:
    """The SHACL stage in a thread of its own; ``result`` waits for it (and re-raises)."""

    def __init__(self, pipeline: Pipeline, cache: ValidationCache, key: str) -> None:
        self.found: list[Problem] | None = None
        self.error: BaseException | None = None
        self.took = 0.0
        self._thread = threading.Thread(target=self._run, args=(pipeline, cache, key),
                                        name="milgraph-shapes", daemon=True)  # fmt: skip
        self._thread.start()

    def _run(self, pipeline: Pipeline, cache: ValidationCache, key: str) -> None:
        start = time.perf_counter()
        try:
            self.found = pipeline.check()
            cache.put(key, self.found)
        except BaseException as exc:  # handed to the building thread by result()
            self.error = exc
        finally:
            self.took = round(time.perf_counter() - start, 3)

    def result(self) -> list[Problem]:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.found or []


def _raise_violations(found: Sequence[Problem]) -> None:
    violations = [p for p in found if p.is_violation]
    if violations:
        raise ValidationFailed(violations, f"{len(violations)} SHACL violation(s)")


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


# --------------------------------------------------------------------------- validate


def validate_inputs(
    paths_given: Sequence[Path] | None = None,
    ontology: Path | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    parse_cache: ParseCache | None = None,
    cache_root: Path | None = None,
    use_cache: bool = True,
    context: Sequence[Path] | None = None,
) -> list[Problem]:
    """Every problem in the given data files (default: all bundled data), in context.

    Files inside the bundled data directory are checked together with the rest of the bundled
    data (a membership may point to a nation described in another file); problems are reported
    only for the files asked about. Other files are checked with the ontology alone, unless
    ``context`` names the data files or directories they belong to (``serve --data``).

    The problems of the whole context are kept by content (``build.cache``, under the snapshot
    root or ``cache_root``): validating another file of the same unchanged data, or building
    it, reads them instead of reasoning and running the shapes again.
    """
    given = [Path(p) for p in paths_given] if paths_given else [paths.DATA_DIR]
    try:
        ontology_dir = Path(ontology) if ontology else paths.ONTOLOGY_DIR
        ontology_sources = discover([ontology_dir], "ontology")
        if context is None:
            inside = all(_is_within(p, paths.DATA_DIR) for p in given)
            context = [paths.DATA_DIR] if inside else given
        data_sources = discover(context, "data")
        asked = {s.path.resolve() for s in discover(given, "data")}
        check_input_size(ontology_sources + data_sources)
    except InputError as exc:
        return [Problem.from_input_error(exc)]

    sources = ontology_sources + data_sources
    pipeline = Pipeline(sources, rules_dir_for(ontology), shapes_for(ontology), engine=engine,
                        parse_cache=parse_cache)  # fmt: skip
    cache = ValidationCache(layout.root_of(cache_root))
    try:
        vkey = validation_key(sources, pipeline.rules_dir, pipeline.shapes, engine)
    except InputError as exc:
        return [Problem.from_input_error(exc)]
    problems = cache.get(vkey) if use_cache else None
    if problems is None:
        try:
            problems = _validate(pipeline)
        except InputError as exc:  # a file gone meanwhile, shapes that cannot be read
            return [Problem.from_input_error(exc)]
        if use_cache:
            cache.put(vkey, problems)
    asked_posix = {p.as_posix() for p in asked}
    return [
        p
        for p in problems
        if p.location.path in asked_posix
        or Path(p.location.path).resolve().as_posix() in asked_posix
        or p.location.path.startswith("(")
    ]


def _validate(pipeline: Pipeline) -> list[Problem]:
    errors = pipeline.load()
    if errors:
        return [Problem.from_input_error(e) for e in errors]
    problems = pipeline.vocabulary()
    problems.extend(_without_duplicates(problems, pipeline.reason()))
    problems.extend(pipeline.check())
    return problems


def _is_within(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True
