"""``milgraph query --as-of``: the CLI answers from the view of that day."""

from __future__ import annotations

from tests.support.analysis import world

QUERY = "SELECT ?x WHERE { ?x mil:memberOf id:org\\/NATO } ORDER BY ?x"


def test_query_as_of(cli) -> None:
    store = str(world().path.parent)
    result = cli("query", QUERY, "--store", store, "--as-of", "1955-05-06", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [
        "x",
        "https://w3id.org/milgraph/id/nation/DEU",
        "https://w3id.org/milgraph/id/nation/FRA",
        "https://w3id.org/milgraph/id/nation/USA",
    ]
    result = cli("query", QUERY, "--store", store, "--as-of", "1955-05-05", "--format", "csv")
    assert len(result.stdout.split()) == 3


def test_query_as_of_bad_date(cli) -> None:
    result = cli("query", QUERY, "--store", str(world().path.parent), "--as-of", "May 1955")
    assert result.exit_code == 1
    assert "asOf: 'May 1955' is not a date in the form YYYY-MM-DD" in result.stderr
