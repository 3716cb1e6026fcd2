"""``analysis.diff``: two fixture snapshots, one edit apart (FIN's NATO accession moved a
month, Norway added): the asserted change per file and what it did to derived relations."""

from __future__ import annotations

from pathlib import Path

import pytest

from milgraph.analysis.diff import diff_snapshots
from milgraph.build import build_snapshot
from milgraph.store import open_snapshot
from tests.support.server import FIXTURE_DATA, ONTOLOGY, copy_tree

NORWAY = """
id:nation\\/NOR a mil:Nation ; rdfs:label "Norway"@en ; mil:isoCode "NOR" ;
    dcterms:source <https://www.iso.org/iso-3166-country-codes.html> .
id:membership\\/NATO\\/NOR a mil:Membership ; mil:member id:nation\\/NOR ;
    mil:organization id:org\\/NATO ; mil:startDate "1949-08-24"^^xsd:date ;
    dcterms:source <https://www.nato.int/cps/en/natohq/topics_52044.htm> .
"""


def edit_fixture(data: Path) -> None:
    target = data / "fixture.ttl"
    text = target.read_text()
    assert 'mil:startDate "2023-04-04"^^xsd:date' in text
    target.write_text(text.replace('mil:startDate "2023-04-04"^^xsd:date',
                                   'mil:startDate "2023-05-04"^^xsd:date') + NORWAY)  # fmt: skip


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("diff")
    data = copy_tree(FIXTURE_DATA, tmp / "data")
    root = tmp / "snapshots"
    old = build_snapshot(ONTOLOGY, [data], root).key
    edit_fixture(data)
    new = build_snapshot(ONTOLOGY, [data], root).key
    return root, old, new


def test_asserted_changes_per_file_and_derived_relations_with_periods(two_snapshots):
    root, old, new = two_snapshots
    result = diff_snapshots(open_snapshot(root, old), open_snapshot(root, new))
    assert [f.file for f in result.files] == ["data/fixture.ttl"]  # the ontology is unchanged
    (changed,) = result.files
    assert len(changed.added) == 10 and len(changed.removed) == 1
    text = result.to_text(limit=500)
    assert "data/fixture.ttl: +10 −1" in text
    assert ('− <https://w3id.org/milgraph/id/membership/NATO/FIN> mil:startDate "2023-04-04"^^xsd:date') in text
    assert "nation:USA mil:alliedWith nation:NOR from 1949-08-24 (ongoing): added" in text
    assert ("nation:USA mil:alliedWith nation:FIN: from 2023-04-04 (ongoing) → "
            "from 2023-05-04 (ongoing)") in text  # fmt: skip
    doc = result.to_json()
    assert doc["counts"]["asserted_added"] == 10 and doc["counts"]["relations_removed"] == 0
    usa_fin = next(r for r in doc["relations"] if r["subject"].endswith("nation/USA")
                   and r["object"].endswith("nation/FIN")
                   and r["predicate"].endswith("alliedWith"))  # fmt: skip
    assert usa_fin["change"] == "changed"
    assert usa_fin["before"] == [{"from": "2023-04-04", "until": None}]
    assert usa_fin["after"] == [{"from": "2023-05-04", "until": None}]


def test_the_reverse_diff_removes_and_a_snapshot_equals_itself(two_snapshots):
    root, old, new = two_snapshots
    back = diff_snapshots(open_snapshot(root, new), open_snapshot(root, old)).to_json()
    assert back["counts"]["asserted_removed"] == 10
    assert any(r["change"] == "removed" and r["object"].endswith("nation/NOR")
               for r in back["relations"])  # fmt: skip
    same = diff_snapshots(open_snapshot(root, old), open_snapshot(root, old))
    assert same.empty and same.to_text().endswith(": no change")
