"""``milgraph diff``: keys, prefixes, --against current and a running server, text and json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from milgraph.build import build_snapshot
from tests.analysis.test_diff import edit_fixture
from tests.support.server import FIXTURE_DATA, ONTOLOGY, copy_tree, live_server


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("cli-diff")
    data = copy_tree(FIXTURE_DATA, tmp / "data")
    root = tmp / "snapshots"
    old = build_snapshot(ONTOLOGY, [data], root).key
    edit_fixture(data)
    new = build_snapshot(ONTOLOGY, [data], root).key  # now CURRENT
    return root, old, new


def milgraph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "milgraph.cli", *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_text_against_the_current_snapshot_by_key_prefix(snapshots):
    root, old, new = snapshots
    r = milgraph("diff", old[:8], "--store", str(root))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"snapshot {old} → {new}")
    assert "data/fixture.ttl: +10 −1" in r.stdout
    assert "nation:USA mil:alliedWith nation:NOR from 1949-08-24 (ongoing): added" in r.stdout


def test_json_between_two_directories(snapshots):
    root, old, new = snapshots
    r = milgraph("diff", str(root / new), str(root / old), "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["old"], doc["new"]) == (new, old)
    assert doc["counts"]["asserted_removed"] == 10


def test_against_the_served_snapshot(snapshots):
    root, old, new = snapshots
    for server in live_server(["--store", str(root), "--query-workers", "1"]):
        r = milgraph("diff", old, "--store", str(root), "--against", server.url)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(f"snapshot {old} → {new}")


def test_unknown_snapshot_is_a_clear_error(snapshots):
    root, _, _ = snapshots
    r = milgraph("diff", "nope", "--store", str(root))
    assert r.returncode == 1 and "no such snapshot directory, nor a key" in r.stderr
