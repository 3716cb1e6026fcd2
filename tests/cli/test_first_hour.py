"""What a newcomer types in the first hour: find, named queries with --param, pasting printed
terms back, short parse errors; through the real command line on the fixture graph."""

from __future__ import annotations

import re

import pytest

from tests.support.server import ID, fixture_store

__all__ = ["fixture_store"]


def test_find_prints_terms_that_paste_back_into_a_query(cli, fixture_store) -> None:
    found = cli("find", "Baltps", "--store", fixture_store, "--limit", "3")
    assert found.exit_code == 0, found.output
    lines = found.stdout.splitlines()
    assert lines[0] == "BALTOPS — ExerciseSeries"
    term = lines[1].strip()
    assert term == f"<{ID}exercise-series/baltops>"
    assert re.match(r"BALTOPS 2023 — MilitaryExercise, 2023-06-\d\d – 2023-06-\d\d", lines[2])
    back = cli("query", f"SELECT ?e WHERE {{ ?e mil:partOfSeries {term} }} ORDER BY ?e",
               "--store", fixture_store, "--format", "csv")
    assert back.exit_code == 0, back.output
    assert back.stdout.split() == ["e", f"{ID}exercise/baltops-2023", f"{ID}exercise/baltops-2024"]


def test_table_terms_round_trip(cli, fixture_store) -> None:
    table = cli("query", "SELECT ?n WHERE { ?n mil:memberOf ?o } ORDER BY ?n LIMIT 1",
                "--store", fixture_store)
    assert table.exit_code == 0, table.output
    printed = re.search(r"(nation:[A-Z]{3})", table.stdout).group(1)
    again = cli("query", f"ASK {{ {printed} mil:memberOf ?o }}", "--store", fixture_store)
    assert again.stdout.strip() == "true"


def test_find_json_and_nothing_found(cli, fixture_store) -> None:
    import json

    out = cli("find", "sweden", "--store", fixture_store, "--format", "json", "-t", "nation")
    assert json.loads(out.stdout)["results"][0]["iri"] == f"{ID}nation/SWE"
    none = cli("find", "zzzzqqq", "--store", fixture_store)
    assert none.exit_code == 1 and "nothing named like 'zzzzqqq'" in none.stderr


def test_named_query_with_params_as_rest_checks_them(cli, fixture_store) -> None:
    ok = cli("query", "members-on-date", "--param", "org=nato", "-p", "date=2024-06-01",
             "--store", fixture_store, "--format", "csv")
    assert ok.exit_code == 0, ok.output
    assert f"{ID}nation/SWE" in ok.stdout and f"{ID}nation/FIN" in ok.stdout
    missing = cli("query", "agreements-in-force-between", "--store", fixture_store)
    assert missing.exit_code == 1
    assert "parameters 'a', 'b' are required (a: first nation" in missing.stderr
    wrong = cli("query", "members-on-date", "-p", "org=natoo", "--store", fixture_store)
    assert wrong.exit_code == 1
    assert "no organisation named 'natoo'; did you mean NATO" in wrong.stderr
    bad_date = cli("query", "members-on-date", "-p", "org=NATO", "-p", "date=1999-13-01",
                   "--store", fixture_store)
    assert "parameter date='1999-13-01' is not a date YYYY-MM-DD" in bad_date.stderr
    unknown = cli("query", "members-on-date", "-p", "org=NATO", "-p", "colour=red",
                  "--store", fixture_store)
    assert "unknown parameter(s) colour" in unknown.stderr
    not_named = cli("query", "SELECT * WHERE { ?s ?p ?o }", "-p", "x=1", "--store", fixture_store)
    assert "--param is for named queries" in not_named.stderr


@pytest.mark.parametrize("text, where", [
    ("SELECT * WHERE { ?s ?p }", "1:25"),
    ("SELECT *\nWHERE { ?s ?p ?o FILTER(?o = ) }", "2:"),
    ("SELECT * WHERE { id:alliance/atop-3755 ?p ?o }", "1:30"),
])  # fmt: skip
def test_parse_errors_are_short_with_line_and_column(cli, fixture_store, text, where) -> None:
    result = cli("query", text, "--store", fixture_store)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: malformed query at {where}")
    assert len(lines) <= 3 and all(len(line) <= 200 for line in lines)
    assert lines[-1].strip() == "^"


def test_a_read_command_never_rebuilds_silently(capsys) -> None:
    """What ``open_store`` shows while it makes sure the bundled snapshot is current: nothing
    while the inputs are only checked; a rebuild is announced before its first step."""
    from milgraph.cli.common import RebuildNotice

    notice = RebuildNotice()
    notice("discover", "start")
    notice("discover", "done: 0.10")
    assert capsys.readouterr().err == ""
    notice("load", "start")
    notice("load", "done: 9.47")
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("the bundled data changed since the last build")
    assert "… load" in err and "✓ load (9.47 s)" in err
