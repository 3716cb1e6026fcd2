"""The `import` command as a user runs it: options, report on screen, exit codes, files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
import typer
from typer.testing import CliRunner

from milgraph.importers.cli import register
from milgraph.importers.nations import DEFAULT_CODES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not DEFAULT_CODES.is_file(),
                                reason="../shared/datasets/country-codes is not present")


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """test app"""

    return app


def run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


def test_import_writes_turtle_and_prints_the_report(app, tmp_path: Path) -> None:
    out = tmp_path / "atop.ttl"
    result = run(app, "import", "atop", str(FIXTURES / "atop"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "rows read: tests/fixtures/import/atop/atop5_1m.csv" in result.output
    assert "written: memberships" in result.output
    assert ("rejected tests/fixtures/import/atop/atop5_1m.csv:11: member 8152 is not a COW "
            "state code") in result.output
    assert "note membership split at a change of state: 1" in result.output
    graph = rdflib.Graph().parse(out, format="turtle")
    assert len(graph) > 50


def test_verbose_lists_every_note(app, tmp_path: Path) -> None:
    result = run(app, "import", "mme", str(FIXTURES / "mme"), "-o", str(tmp_path / "m.ttl"),
                 "--verbose")
    assert result.exit_code == 0, result.output
    assert "mme_v7.csv:4: unresolved participant: Bermuda" in result.output


def test_missing_input_exits_1_and_keeps_the_old_output(app, tmp_path: Path) -> None:
    out = tmp_path / "cow.ttl"
    out.write_text("# previous good output\n", encoding="utf-8")
    result = run(app, "import", "cow-states", str(tmp_path / "nowhere"), "--out", str(out))
    assert result.exit_code == 1
    assert "nowhere: no such file or folder" in result.stderr
    assert "nothing written" in result.stderr
    assert out.read_text(encoding="utf-8") == "# previous good output\n"


def test_malformed_file_exits_1_naming_file_and_line(app, tmp_path: Path) -> None:
    result = run(app, "import", "cow-states", str(FIXTURES / "broken" / "states2016.csv"),
                 "--out", str(tmp_path / "x.ttl"))
    assert result.exit_code == 1
    assert "tests/fixtures/import/broken/states2016.csv:3: malformed CSV" in result.stderr
    assert not (tmp_path / "x.ttl").exists()


def test_all_refuses_a_single_path(app) -> None:
    result = run(app, "import", "all", str(FIXTURES / "mme"))
    assert result.exit_code == 2


def test_module_entry_point_runs_in_a_real_process(tmp_path: Path) -> None:
    out = tmp_path / "cow.ttl"
    proc = subprocess.run(
        [sys.executable, "-m", "milgraph.importers", "import", "cow-states",
         str(FIXTURES / "cow"), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "rows rejected" in proc.stdout
    assert "<nation/DDR>" in out.read_text(encoding="utf-8")


def test_milgraph_cli_has_the_import_command(cli, tmp_path: Path) -> None:
    """The project's own `milgraph` app (milgraph/cli.py) exposes `import`."""
    out = tmp_path / "mme.ttl"
    result = cli("import", "mme", FIXTURES / "mme", "--out", out)
    assert result.exit_code == 0, result.output
    assert "written: exercises" in result.output
    assert "<exercise/mme-1>" in out.read_text(encoding="utf-8")


def test_unmapped_names_are_printed_and_written(app, tmp_path: Path) -> None:
    out = tmp_path / "fmtr.ttl"
    result = run(app, "import", "fmtr", str(FIXTURES / "fmtr"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "unmapped 'Palestinian Authority': Palestinian Territories is not a state" in result.output
    assert "fmtr.unmapped.tsv (1 unmapped names)" in result.output
    table = (tmp_path / "fmtr.unmapped.tsv").read_text(encoding="utf-8").splitlines()
    assert table[0] == "name\treason\toccurrences\tfirst seen"
    assert table[1].startswith("Palestinian Authority\t")
    assert table[1].endswith("tests/fixtures/import/fmtr/derived/fmtr_country_program_year.csv:24")
