"""The edit process on its own (``editor.run_edit``): the store writes typed literals in
their canonical form, and that must neither show as a change of an untouched file nor keep
a written value from being removed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from milgraph.server.editor import run_edit
from tests.support.server import FIXTURE_DATA, ID, ONTOLOGY, copy_tree

EXTRA = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/milgraph/id/nation/USA> dcterms:extent "97000.0"^^xsd:decimal .
"""
GRAPH = "https://w3id.org/milgraph/graph/data/"


def test_non_canonical_literals_are_neither_changes_nor_unremovable(tmp_path: Path):
    data = copy_tree(FIXTURE_DATA, tmp_path / "data")
    (data / "extra.ttl").write_text(EXTRA)
    args = {"ontology": str(ONTOLOGY), "data": [str(data)], "root": str(tmp_path / "snaps")}
    insert = (f"INSERT DATA {{ GRAPH <{GRAPH}fixture.ttl> {{ <{ID}nation/USA> "
              "<http://www.w3.org/2000/01/rdf-schema#comment> \"edited\" } }")  # fmt: skip
    result = run_edit(args, insert)
    assert result["ok"] and result["files"] == {"data/fixture.ttl": {"added": 1, "removed": 0}}
    assert (data / "extra.ttl").read_text() == EXTRA

    delete = (f"DELETE WHERE {{ GRAPH <{GRAPH}extra.ttl> {{ <{ID}nation/USA> "
              "<http://purl.org/dc/terms/extent> ?v } }")  # fmt: skip
    result = run_edit(args, delete)
    assert result["ok"] and result["files"] == {"data/extra.ttl": {"added": 0, "removed": 1}}
    left = list(ox.parse((data / "extra.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert left == []
