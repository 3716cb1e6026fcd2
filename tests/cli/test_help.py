"""Every command's --help (and -h) at 80 columns: no line wider, no Python-type metavars."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.support.server import fixture_store

__all__ = ["fixture_store"]

COMMANDS = ["", "validate", "build", "query", "find", "stats", "serve", "import", "explain",
            "relations", "timeline"]  # fmt: skip


def _help(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "milgraph.cli", *args], capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_reads_well_at_80_columns(command) -> None:
    args = command.split()
    text = _help(*args, "--help")
    assert text == _help(*args, "-h")
    wide = [line for line in text.splitlines() if len(line) > 80]
    assert not wide, wide
    for python_type in ("<bool>", "<str>", "<int>", "<path>", "<list[", "<float"):
        assert python_type not in text, (command, python_type)
    cut = re.findall(r"\S*\w…(?=[\s│]|$)", text, re.M)  # rich's ellipsis: a name cut short
    assert not cut, cut


def test_serve_options_are_grouped() -> None:
    text = _help("serve", "--help")
    for panel in ("Snapshot", "Network and access", "Limits", "Processes and cache", "Logging"):
        assert f"─ {panel} " in text
    assert "MILGRAPH_ADMIN_TOKEN" in text
    assert len(text.splitlines()) < 86


def test_the_decade_table_fits_80_columns(cli, fixture_store) -> None:
    result = cli("stats", "--store", fixture_store, "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "records by decade of start date" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "busiest decade" in result.stdout
