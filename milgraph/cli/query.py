"""``milgraph query``: SPARQL on a snapshot, printed as a table or any results format."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.table import Table

from milgraph.cli.common import console, err, fail, open_store
from milgraph.errors import MilgraphError
from milgraph.namespaces import PREFIXES
from milgraph.store.base import QueryResult
from milgraph.terms import cell


def register(app: typer.Typer) -> None:
    app.command()(query)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


_RESULT_FORMATS = {
    OutputFormat.json: ox.QueryResultsFormat.JSON,
    OutputFormat.csv: ox.QueryResultsFormat.CSV,
    OutputFormat.tsv: ox.QueryResultsFormat.TSV,
    OutputFormat.xml: ox.QueryResultsFormat.XML,
}


_GRAPH_FORMATS = {
    OutputFormat.turtle: ox.RdfFormat.TURTLE,
    OutputFormat.table: ox.RdfFormat.TURTLE,
    OutputFormat.ntriples: ox.RdfFormat.N_TRIPLES,
}


def read_query(text_or_file: str) -> str:
    """A query given inline, as a file path, or as the name of a query in queries/."""
    from milgraph import paths

    candidate = Path(text_or_file)
    if len(text_or_file) < 4096 and "\n" not in text_or_file:
        for file in (candidate, paths.QUERIES_DIR / f"{text_or_file}.rq"):
            try:
                if file.is_file():
                    return file.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise MilgraphError(f"{file}: not UTF-8 text (byte {exc.start}); save the "
                                    "query file as UTF-8") from None  # fmt: skip
            except OSError as exc:
                raise MilgraphError(f"{file}: cannot be read: {exc.strerror or exc}") from None
    return text_or_file


def query(
    query_text: Annotated[
        str,
        typer.Argument(metavar="QUERY", help="SPARQL text, a .rq file, or a name from queries/."),
    ],
    store: Annotated[
        Path | None,
        typer.Option(help="Snapshot directory (default: the bundled graph's, built on first use)."),
    ] = None,
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    asserted_only: Annotated[
        bool, typer.Option("--asserted-only", help="Ignore inferred triples.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Query the graph as it stood on a day (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Run a SPARQL query on a snapshot; common prefixes (mil:, id:, rdfs:, …) are predeclared."""
    from milgraph import temporal
    from milgraph.server.sparql_text import QueryTextError, excerpt, inspect_query

    try:
        sparql = read_query(query_text)
        try:  # the server's reading: the same depth bound, so no parser stack overflow
            sparql = inspect_query(sparql, prefixes=PREFIXES).text
        except QueryTextError as exc:
            snippet = excerpt(read_query(query_text), exc.line, exc.column)
            raise MilgraphError(f"malformed query at line {exc.line}, column {exc.column}: "
                                f"{exc.message}\n{snippet}") from None  # fmt: skip
        snapshot = open_store(store)
        try:
            result = temporal.query(
                snapshot, sparql, as_of=as_of, asserted_only=asserted_only, prefixes=PREFIXES
            )
        except SyntaxError as exc:
            raise fail(MilgraphError(f"malformed query: {exc}")) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise fail(MilgraphError(f"the query could not be answered: {exc}")) from None
    except MilgraphError as exc:
        raise fail(exc) from None
    try:
        _print_result(result, format)
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors surface lazily
        raise fail(MilgraphError(f"the query could not be answered: {exc}")) from None


def _print_result(result: QueryResult, format: OutputFormat) -> None:
    out = sys.stdout.buffer
    if not isinstance(result, ox.QuerySolutions | ox.QueryBoolean):  # a graph
        fmt = _GRAPH_FORMATS.get(format)
        if fmt is None:
            raise fail(
                MilgraphError(f"--format {format.value} is for SELECT/ASK; use turtle or ntriples")
            )
        out.write(
            (ox.serialize(result, format=fmt, prefixes=PREFIXES)
             if fmt == ox.RdfFormat.TURTLE
             else ox.serialize(result, format=fmt)) or b""
        )  # fmt: skip
        return
    if format in _RESULT_FORMATS:
        out.write(result.serialize(format=_RESULT_FORMATS[format]) or b"")
        if format in (OutputFormat.json, OutputFormat.xml):
            out.write(b"\n")
        return
    if format != OutputFormat.table:
        raise fail(
            MilgraphError(
                f"--format {format.value} is for CONSTRUCT/DESCRIBE; "
                "use table, json, csv, tsv or xml"
            )
        )
    if isinstance(result, ox.QueryBoolean):
        console.print("true" if bool(result) else "false")
        return
    variables = [v.value for v in result.variables]
    table = Table(*variables, show_lines=False)
    rows = 0
    for solution in result:
        table.add_row(*(cell(solution[v]) for v in variables))
        rows += 1
    console.print(table)
    err.print(f"{rows} row(s)")

