"""``milgraph validate`` as a steward runs it on real files in a temporary directory: the
message, file:line and fix for a misspelt property and an impossible date, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from milgraph import paths

RECORDS = """@prefix mil: <https://w3id.org/milgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix nation: <https://w3id.org/milgraph/id/nation/> .
@prefix ex: <https://w3id.org/milgraph/id/exercise/> .

nation:IND a mil:Nation ; rdfs:label "India"@en ; mil:isoCode "IND" ;
    dcterms:source <https://www.un.org/en/about-us/member-states> .
nation:USA a mil:Nation ; rdfs:label "United States"@en ; mil:isoCode "USA" ;
    dcterms:source <https://www.un.org/en/about-us/member-states> .

ex:malabar-2019 a mil:MilitaryExercise ;
    rdfs:label "Malabar 2019"@en ;
    mil:startDate "2019-09-26"^^xsd:date ;
    mil:participant nation:USA ;
    mil:participant nation:IND ;
    dcterms:source <https://www.navy.mil/> .
"""


def validate(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process, as a steward runs it (stdout and stderr)."""
    f = tmp_path / "steward" / "malabar.ttl"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text)
    env = {**os.environ, "MILGRAPH_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "milgraph.cli", "validate", str(f)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


def test_good_file_is_valid(tmp_path: Path) -> None:
    result = validate(tmp_path, RECORDS)
    assert result.returncode == 0, result.stderr
    assert "valid: 0 errors, 0 warning(s)" in result.stdout


def test_misspelt_property_names_line_and_the_declared_term(tmp_path: Path) -> None:
    result = validate(tmp_path, RECORDS.replace("mil:participant nation:IND",
                                                "mil:particpant nation:IND"))
    assert result.returncode == 1
    err = result.stderr
    assert "Traceback" not in err + result.stdout
    assert "steward/malabar.ttl:17: error: mil:particpant is not a property the ontology " \
           "declares" in err
    assert "fix: did you mean mil:participant?" in err
    assert "1 error(s), 0 warning(s)" in err


def test_impossible_date_names_line_datatype_and_an_example(tmp_path: Path) -> None:
    result = validate(tmp_path, RECORDS.replace("2019-09-26", "2019-09-31"))
    assert result.returncode == 1
    out = result.stderr + result.stdout
    assert "Traceback" not in out
    assert "Failed to convert" not in out  # rdflib's log line, never shown
    assert ('steward/malabar.ttl:15: error: "2019-09-31"^^xsd:date is not a valid xsd:date '
            "(September 2019 has 30 days)") in result.stderr
    assert 'fix: write a valid xsd:date, e.g. "2024-03-07"^^xsd:date' in result.stderr


def test_build_stops_at_the_misspelt_property(tmp_path: Path, cli) -> None:
    f = tmp_path / "steward" / "malabar.ttl"
    f.parent.mkdir(parents=True)
    f.write_text(RECORDS.replace("mil:participant nation:IND", "mil:particpant nation:IND"))
    result = cli("build", "--data", f, "--out", tmp_path / "snapshots")
    assert result.exit_code == 1
    assert "malabar.ttl:17: error: mil:particpant is not a property" in result.stderr
    assert "did you mean mil:participant?" in result.stderr
    assert "error: 1 undeclared term(s) or ill-formed literal(s)" in result.stderr
    assert not (tmp_path / "snapshots" / "CURRENT").exists()


def test_shapes_that_cannot_be_read_are_an_error_not_a_traceback(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(paths.ONTOLOGY_DIR, ontology)
    (ontology / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; sh:targetClass .\n")
    f = tmp_path / "steward" / "malabar.ttl"
    f.parent.mkdir(parents=True)
    f.write_text(RECORDS)
    env = {**os.environ, "MILGRAPH_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "milgraph.cli", "validate", str(f),
                             "--ontology", str(ontology)], capture_output=True, text=True,
                            env=env, timeout=300, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "ontology/shapes.ttl: error: the SHACL shapes cannot be used" in result.stderr
