"""shacl-rust (what validate and build run) finds exactly what pySHACL finds, on the graph both
are given in the pipeline: the asserted files plus what the reasoner inferred from them with the
bundled ontology and rules (no inference by either engine, pySHACL in advanced mode).

Compared: severity, focus node, result path, value, constraint component, source shape and
message of every top-level result, on each of the shapes' own fixtures and on the bundled data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from milgraph import paths
from milgraph.build.check import shacl_results
from milgraph.build.inputs import collect_sources, discover, rules_dir_for, shapes_for
from milgraph.build.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("*/*.ttl"))


def _reasoned(data: list[Path]) -> Pipeline:
    sources = discover([paths.ONTOLOGY_DIR], "ontology") + discover(data, "data")
    pipeline = Pipeline(sources, rules_dir_for(None), shapes_for(None))
    assert pipeline.load() == []
    pipeline.reason()
    return pipeline


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_results_as_pyshacl_on_the_shapes_fixtures(fixture: Path) -> None:
    p = _reasoned([fixture])
    fast = shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="shacl-rust")
    reference = shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="pyshacl")
    assert fast == reference
    if fixture.parent.name == "bad":
        assert any(r.severity == "violation" for r in fast)  # the comparison is not vacuous


@pytest.mark.slow
def test_same_results_as_pyshacl_on_the_bundled_data() -> None:
    """One pySHACL run on the whole bundled data (minutes on a busy 2-core machine)."""
    p = Pipeline(collect_sources(), rules_dir_for(None), shapes_for(None))
    assert p.load() == []
    p.reason()
    fast = shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="shacl-rust")
    reference = shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="pyshacl")
    assert len(reference) > 0
    assert fast == reference


def test_an_unknown_engine_is_refused_by_name() -> None:
    p = _reasoned([FIXTURES[0]])
    with pytest.raises(ValueError, match=r"unknown SHACL engine 'jena'.*shacl-rust, pyshacl"):
        shacl_results(p.parsed, p.reasoned.inferred, p.shapes, engine="jena")
