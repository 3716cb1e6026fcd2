"""Shared test fixtures: paths to real fixture files and an isolated snapshot home."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def core() -> Path:
    """A tiny ontology (with one SPARQL rule and SHACL shapes) and data set."""
    return FIXTURES / "core"


@pytest.fixture
def milgraph_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Snapshots go to a temporary MILGRAPH_HOME, never to the repository's .milgraph."""
    monkeypatch.setenv("MILGRAPH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def cli():
    """Invoke the real typer app in-process; returns the click Result (stdout/stderr split)."""
    from milgraph.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke
