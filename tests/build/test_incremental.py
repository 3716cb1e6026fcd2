"""Building again after an edit: unchanged files are not parsed again (in one process), and
validation results are kept by content: reused for the same bytes, never for edited ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from milgraph.build import build_snapshot, validate_inputs
from milgraph.build.sources import ParseCache
from milgraph.store import open_snapshot

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "tests" / "fixtures" / "core"
MINI = "http://example.org/mini#"


def copy_core(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(CORE / "ontology", tmp_path / "ontology")
    shutil.copytree(CORE / "data", tmp_path / "data")
    return tmp_path / "ontology", tmp_path / "data"


def labels(root: Path, key: str) -> set[str]:
    snap = open_snapshot(root, key)
    try:
        rows = snap.query("SELECT ?l WHERE { ?n <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
        return {row[0].value for row in rows}  # type: ignore[union-attr]
    finally:
        snap.close()


def test_an_edit_reparses_only_the_edited_file_and_the_snapshot_has_it(tmp_path: Path) -> None:
    ontology, data = copy_core(tmp_path)
    root, cache = tmp_path / "snapshots", ParseCache()
    first = build_snapshot(ontology, [data], root, parse_cache=cache)
    files = cache.misses
    assert files >= 3 and cache.hits == 0

    nations = data / "nations.ttl"
    nations.write_text(nations.read_text() + f'\n<{MINI}den> a <{MINI}Nation> ; '
                       '<http://www.w3.org/2000/01/rdf-schema#label> "Denmark" .\n')
    second = build_snapshot(ontology, [data], root, parse_cache=cache)
    assert (cache.hits, cache.misses - files) == (files - 1, 1)
    assert second.key != first.key and not second.cached
    assert "Denmark" in labels(root, second.key)
    assert "Denmark" not in labels(root, first.key)
    # the same quads as a build from nothing
    fresh = build_snapshot(ontology, [data], tmp_path / "fresh", force=True)
    assert fresh.counts["asserted"] == second.counts["asserted"]
    assert fresh.counts["inferred"] == second.counts["inferred"]


def test_a_file_that_becomes_broken_is_parsed_and_reported(tmp_path: Path) -> None:
    ontology, data = copy_core(tmp_path)
    cache = ParseCache()
    build_snapshot(ontology, [data], tmp_path / "snapshots", parse_cache=cache)
    (data / "nations.ttl").write_text("@prefix m: <http://example.org/mini#> .\nm:x m:y .\n")
    problems = validate_inputs([data], ontology, parse_cache=cache, cache_root=tmp_path / "h")
    assert [p.rule for p in problems] == ["parse error"]
    assert problems[0].location.path.endswith("data/nations.ttl")
    assert problems[0].location.line == 2


def test_validation_results_are_kept_by_content_and_reused_by_build(tmp_path: Path) -> None:
    ontology, data = copy_core(tmp_path)
    home = tmp_path / "snapshots"
    kept = home / ".validation"
    assert validate_inputs([data], ontology, cache_root=home) == []
    assert len(list(kept.glob("*.json"))) == 1

    # the build of the same inputs reads that entry (no second one is written)
    build_snapshot(ontology, [data], home)
    assert len(list(kept.glob("*.json"))) == 1

    # an edit is validated afresh: the new problem is found, not the old result
    nations = data / "nations.ttl"
    nations.write_text(nations.read_text() + f"\n<{MINI}nor2> a <{MINI}Nation> .\n")
    problems = validate_inputs([data], ontology, cache_root=home)
    assert any(p.is_violation and p.location.path.endswith("nations.ttl") for p in problems)
    assert len(list(kept.glob("*.json"))) == 2


def test_a_damaged_cache_entry_is_ignored(tmp_path: Path) -> None:
    ontology, data = copy_core(tmp_path)
    home = tmp_path / "snapshots"
    validate_inputs([data], ontology, cache_root=home)
    (entry,) = (home / ".validation").glob("*.json")
    entry.write_text("{not json")
    assert validate_inputs([data], ontology, cache_root=home) == []


def test_parse_cache_holds_only_the_last_run(tmp_path: Path) -> None:
    ontology, data = copy_core(tmp_path)
    cache = ParseCache()
    build_snapshot(ontology, [data], tmp_path / "a", parse_cache=cache)
    held = len(cache._entries)
    (data / "more.nt").unlink()
    build_snapshot(ontology, [data], tmp_path / "b", parse_cache=cache)
    assert len(cache._entries) == held - 1
    assert all(isinstance(q, ox.Quad) for quads in cache._entries.values() for q in quads)


def test_shapes_run_beside_the_write_and_a_violation_publishes_nothing(tmp_path: Path) -> None:
    """The SHACL stage runs while the snapshot is written under a temporary name: when it
    finds a violation, the written directory is removed and the last good one stays current."""
    from milgraph.errors import ValidationFailed
    from milgraph.store import current_key

    ontology, data = copy_core(tmp_path)
    root = tmp_path / "snapshots"
    good = build_snapshot(ontology, [data], root)
    shutil.copy(CORE / "bad" / "violations.ttl", data / "violations.ttl")
    try:
        build_snapshot(ontology, [data], root)
    except ValidationFailed as exc:
        messages = [str(p) for p in exc.problems]
    else:
        raise AssertionError("the build passed a SHACL violation")
    assert any("violations.ttl:4:" in m and "A nation needs an rdfs:label" in m for m in messages)
    assert current_key(root) == good.key
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".validation")) == [
        "CURRENT", good.key]
