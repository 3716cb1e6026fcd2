"""The benchmark data generator: deterministic, in our vocabulary, and loadable by milgraph."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
MIL = "https://w3id.org/milgraph/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")


def mil(name: str) -> ox.NamedNode:
    return ox.NamedNode(MIL + name)


def generate(out: Path, *, triples: int = 4000, seed: int = 1) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", "--triples", str(triples),
         "--seed", str(seed), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def load(directory: Path) -> ox.Store:
    store = ox.Store()
    for path in sorted(directory.glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    generate(out)
    return out


def test_same_seed_gives_byte_identical_files(small: Path, tmp_path: Path) -> None:
    generate(tmp_path / "b")
    assert digests(tmp_path / "b") == digests(small)


def test_other_seed_gives_other_data(small: Path, tmp_path: Path) -> None:
    generate(tmp_path / "c", seed=2)
    assert digests(tmp_path / "c")["exercises.ttl"] != digests(small)["exercises.ttl"]


def test_size_is_close_to_the_request(small: Path) -> None:
    store = load(small)
    assert 4000 <= len(store) <= 4000 * 1.02
    readme = (small / "README.md").read_text()
    assert f"Asserted triples: {len(store)}" in readme


def test_every_category_of_the_vocabulary_is_present(small: Path) -> None:
    store = load(small)
    types = Counter(q.object.value.removeprefix(MIL) for q in store.quads_for_pattern(
        None, RDF_TYPE, None))  # fmt: skip
    for cls in ("Nation", "Membership", "MilitaryExercise", "ExerciseSeries", "Adherence",
                "StatehoodPeriod"):  # fmt: skip
        assert types[cls] > 0, cls
    assert types["Alliance"] + types["SecurityPartnership"] + types["RegionalOrganization"] > 0
    agreement_kinds = {"DefenceTreaty", "StatusOfForcesAgreement", "MemorandumOfUnderstanding",
                       "ArmsControlAgreement", "ConfidenceBuildingAgreement"}  # fmt: skip
    assert agreement_kinds & set(types)
    assert sum(types[k] for k in types if k not in agreement_kinds) > 0
    measures = [q.subject for q in store.quads_for_pattern(None, mil("establishedBy"), None)]
    assert measures, "trust-building measures need the agreement that established them"
    for m in measures[:20]:
        assert len(list(store.quads_for_pattern(m, mil("party"), None))) >= 2


def test_exercises_have_3_to_15_participants_and_one_host_among_them(small: Path) -> None:
    store = load(small)
    exercises = [
        q.subject for q in store.quads_for_pattern(None, RDF_TYPE, mil("MilitaryExercise"))
    ]
    assert exercises
    for e in exercises:
        participants = {q.object for q in store.quads_for_pattern(e, mil("participant"), None)}
        hosts = [q.object for q in store.quads_for_pattern(e, mil("host"), None)]
        assert 3 <= len(participants) <= 15, e
        assert len(hosts) == 1 and hosts[0] in participants, e
        assert list(store.quads_for_pattern(e, mil("partOfSeries"), None)), e


def test_memberships_are_dated_and_some_are_ongoing(small: Path) -> None:
    store = load(small)
    memberships = [q.subject for q in store.quads_for_pattern(None, RDF_TYPE, mil("Membership"))]
    ongoing = 0
    for m in memberships:
        for prop in ("member", "organization", "startDate"):
            assert len(list(store.quads_for_pattern(m, mil(prop), None))) == 1, (m, prop)
        ends = list(store.quads_for_pattern(m, mil("endDate"), None))
        start = next(store.quads_for_pattern(m, mil("startDate"), None)).object
        assert start.datatype.value.endswith("#date")
        if ends:
            assert ends[0].object.value > start.value, m
        else:
            ongoing += 1
    assert 0 < ongoing < len(memberships)


def test_nation_activity_is_skewed(tmp_path: Path) -> None:
    generate(tmp_path / "d", triples=20000)
    store = load(tmp_path / "d")
    per_nation = Counter(q.object.value for q in store.quads_for_pattern(
        None, mil("participant"), None))  # fmt: skip
    counts = sorted(per_nation.values(), reverse=True)
    assert counts[0] >= 5 * counts[len(counts) // 2]


def test_every_record_cites_a_source(small: Path) -> None:
    store = load(small)
    typed = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, None)}
    cited = {q.subject for q in store.quads_for_pattern(None, SOURCE, None)}
    assert typed <= cited


def test_milgraph_builds_a_consistent_snapshot_from_it(tmp_path: Path) -> None:
    """The data is in our vocabulary: no parse error, no OWL inconsistency, SHACL-valid."""
    data = tmp_path / "data"
    generate(data, triples=1500)
    milgraph = Path(sys.executable).parent / "milgraph"
    result = subprocess.run(
        [str(milgraph), "build", "--data", str(data), "--out", str(tmp_path / "snap")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built snapshot" in result.stdout


def test_too_small_a_size_is_refused_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", "--triples", "10", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert "too small" in result.stderr
