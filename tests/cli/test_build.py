"""build / query / validate / stats through the real command line, on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from milgraph.store import current_key, open_snapshot


def build(cli, core: Path, out: Path, *data: Path, extra: tuple[str, ...] = ()):
    args = ["build", "--ontology", core / "ontology", "--out", out]
    for d in data or (core / "data",):
        args += ["--data", d]
    return cli(*args, *extra)


def test_build_prints_counts_and_step_times_then_reuses_the_snapshot(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    first = build(cli, core, out)
    assert first.exit_code == 0, first.output
    assert "built snapshot" in first.stdout
    for label in ("data/nations.ttl", "data/more.nt", "ontology/mini.ttl", "asserted", "inferred"):
        assert label in first.stdout
    for step in ("load", "reason", "validate", "write"):
        assert f"{step} " in first.stdout.split("time per step:")[1]
    key = current_key(out)
    manifest = json.loads((out / key / "manifest.json").read_text())
    assert manifest["counts"]["per_graph"]["https://w3id.org/milgraph/graph/data/nations.ttl"] == 6
    assert manifest["counts"]["inferred"] > 0

    again = build(cli, core, out)
    assert again.exit_code == 0
    assert "up to date" in again.stdout and key in again.stdout
    assert current_key(out) == key


def test_query_sees_inferences_unless_asserted_only(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    assert build(cli, core, out).exit_code == 0
    q = "PREFIX ex: <http://example.org/mini#> SELECT ?a ?b WHERE { ?a ex:alliedWith ?b } ORDER BY ?a ?b"
    full = cli("query", q, "--store", out, "--format", "csv")
    assert full.exit_code == 0, full.output
    rows = full.stdout.strip().splitlines()
    assert rows[0].strip() == "a,b"
    assert len(rows) == 1 + 6  # usa, can, fra pairwise, both directions
    only = cli("query", q, "--store", out, "--format", "csv", "--asserted-only")
    assert only.stdout.strip().splitlines() == ["a,b"]

    inverse = cli(
        "query",
        "ASK { <http://example.org/mini#nato> <http://example.org/mini#hasMember> "
        "<http://example.org/mini#fra> }",
        "--store",
        out,
        "--format",
        "json",
    )
    assert json.loads(inverse.stdout)["boolean"] is True


def test_query_formats_and_predeclared_prefixes(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    assert build(cli, core, out).exit_code == 0
    q = "SELECT ?n WHERE { ?n a <http://example.org/mini#Nation> ; rdfs:label ?l } ORDER BY ?l"
    table = cli("query", q, "--store", out)
    assert table.exit_code == 0
    assert "3 row(s)" in table.stderr
    tsv = cli("query", q, "--store", out, "-f", "tsv")
    assert tsv.stdout.splitlines()[0] == "?n"
    data = json.loads(cli("query", q, "--store", out, "-f", "json").stdout)
    assert [b["n"]["value"] for b in data["results"]["bindings"]] == [
        "http://example.org/mini#can",
        "http://example.org/mini#fra",
        "http://example.org/mini#usa",
    ]
    construct = cli(
        "query", "CONSTRUCT WHERE { ?s rdfs:label ?l }", "--store", out, "-f", "ntriples"
    )
    assert construct.stdout.count("\n") >= 4
    rq = tmp_path / "q.rq"
    rq.write_text(q)
    assert cli("query", rq, "--store", out, "-f", "csv").stdout.count("\n") == 4


def test_malformed_query_is_a_clear_error(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    assert build(cli, core, out).exit_code == 0
    bad = cli("query", "SELECT ?x WHERE { ?x ?y }", "--store", out)
    assert bad.exit_code == 1
    assert "malformed query" in bad.stderr and "1:" in bad.stderr


def test_failed_build_keeps_the_last_good_snapshot(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    data = tmp_path / "data"
    shutil.copytree(core / "data", data)
    assert build(cli, core, out, data).exit_code == 0
    good = current_key(out)

    shutil.copy(core / "bad" / "broken.ttl", data / "broken.ttl")
    failed = build(cli, core, out, data)
    assert failed.exit_code == 1
    assert f"{(data / 'broken.ttl').as_posix()}:6:" in failed.stderr
    assert "could not be parsed" in failed.stderr
    assert current_key(out) == good
    assert not [p for p in out.iterdir() if p.name.startswith(".building")]
    snap = open_snapshot(out)
    assert bool(snap.query("ASK { <http://example.org/mini#usa> ?p ?o }"))


def test_shacl_violation_fails_build_with_file_line_and_rule(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    result = build(cli, core, out, core / "data", core / "bad" / "violations.ttl")
    assert result.exit_code == 1
    err = result.stderr
    assert "violations.ttl:4:" in err  # ex:nor has no label: typed Nation only by inference
    assert "A nation needs an rdfs:label" in err
    assert "nation label" in err and "MinCountConstraintComponent" in err
    assert "violations.ttl:8:" in err  # the bad ex:since literal, located at its line
    assert "2 SHACL violation(s)" in err
    assert current_key(out) is None


def test_unknown_extension_and_empty_directory_fail_build(cli, core, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    result = build(cli, core, tmp_path / "snap", tmp_path / "empty")
    assert result.exit_code == 1 and "directory holds no RDF file" in result.stderr
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "x.turtel").write_text("")
    result = build(cli, core, tmp_path / "snap", odd)
    assert (
        result.exit_code == 1
        and "x.turtel" in result.stderr
        and "unknown RDF file extension" in result.stderr
    )


def test_validate_reports_each_problem_and_exits_1(cli, core) -> None:
    ok = cli("validate", core / "data", "--ontology", core / "ontology")
    assert ok.exit_code == 0 and "valid" in ok.stdout
    bad = cli("validate", core / "bad" / "violations.ttl", "--ontology", core / "ontology")
    assert bad.exit_code == 1
    assert "violations.ttl:4:" in bad.stderr and "violations.ttl:8:" in bad.stderr
    assert "2 error(s)" in bad.stderr
    broken = cli("validate", core / "bad" / "broken.ttl", "--ontology", core / "ontology")
    assert (
        broken.exit_code == 1
        and "broken.ttl:6:" in broken.stderr
        and "parse error" in broken.stderr
    )


def test_stats_counts_asserted_and_inferred(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    assert build(cli, core, out).exit_code == 0
    result = cli("stats", "--store", out)
    assert result.exit_code == 0
    line = next(
        x
        for x in result.stdout.splitlines()
        if "mini#Nation" in x or "<http://example.org/mini#Nation>" in x
    )
    cells = [c.strip() for c in line.split("│") if c.strip()]
    assert cells[1:] == ["0", "3", "3"]  # all three nations are typed by rdfs:domain inference


def test_missing_snapshot_is_a_clear_error(cli, tmp_path) -> None:
    result = cli("query", "ASK {}", "--store", tmp_path / "none")
    assert result.exit_code == 1 and "no snapshot has been built here" in result.stderr


def test_problems_are_located_through_base_iris_and_escaped_names(cli, core) -> None:
    result = cli("validate", core / "bad" / "based.ttl", "--ontology", core / "ontology")
    assert result.exit_code == 1
    assert "based.ttl:7: violation: A nation needs an rdfs:label" in result.stderr
    assert "based.ttl:9: violation: A nation needs an rdfs:label" in result.stderr
    assert "2 error(s)" in result.stderr


def test_owl_inconsistency_fails_build_located_with_its_rule(cli, core, tmp_path) -> None:
    out = tmp_path / "snap"
    result = build(cli, core, out, core / "data", core / "bad" / "contradiction.ttl")
    assert result.exit_code == 1
    assert "contradiction.ttl:4: violation:" in result.stderr
    assert "OWL 2 RL cax-dw" in result.stderr
    assert "logical inconsistency" in result.stderr
    assert current_key(out) is None
    checked = cli("validate", core / "bad" / "contradiction.ttl", "--ontology", core / "ontology")
    assert checked.exit_code == 1 and "OWL 2 RL cax-dw" in checked.stderr
