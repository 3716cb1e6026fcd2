"""``milgraph query``: SPARQL on a snapshot, printed as a table or any results format."""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyoxigraph as ox
import typer
from rich.table import Table

from milgraph.cli.common import console, err, fail, open_store
from milgraph.errors import MilgraphError, QueryError
from milgraph.namespaces import PREFIXES
from milgraph.store.base import QueryResult
from milgraph.store.snapshot import Snapshot
from milgraph.terms import cell

if TYPE_CHECKING:
    from milgraph.server.named import NamedQuery


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
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="NAME=VALUE",
                     help="A named query's parameter, e.g. --param org=NATO; repeat for "
                     "several. Checked as GET /api/queries/NAME checks it."),
    ] = None,
) -> None:
    """Run a SPARQL query on a snapshot; common prefixes (mil:, id:, rdfs:, …) are predeclared.

    A name from queries/ runs that named query with its --param values."""
    from milgraph import temporal
    from milgraph.server.sparql_text import QueryTextError, excerpt, inspect_query

    try:
        named = _named_query(query_text, param or [])
        if named is not None:
            snapshot = open_store(store)
            result = _run_named(snapshot, *named, as_of=as_of, asserted_only=asserted_only)
            _print_result(result, format)
            return
        sparql = read_query(query_text)
        try:  # the server's reading: the same depth bound, so no parser stack overflow
            sparql = inspect_query(sparql, prefixes=PREFIXES).text
        except QueryTextError as exc:
            snippet = excerpt(read_query(query_text), exc.line, exc.column)
            raise MilgraphError(f"malformed query at {exc.line}:{exc.column}: "
                                f"{exc.message}\n{snippet}") from None  # fmt: skip
        snapshot = open_store(store)
        try:
            result = temporal.query(
                snapshot, sparql, as_of=as_of, asserted_only=asserted_only, prefixes=PREFIXES
            )
        except SyntaxError as exc:
            raise fail(MilgraphError(syntax_message(exc, sparql))) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise fail(MilgraphError(f"the query could not be answered: {exc}")) from None
    except MilgraphError as exc:
        raise fail(exc) from None
    try:
        _print_result(result, format)
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors surface lazily
        raise fail(MilgraphError(f"the query could not be answered: {exc}")) from None


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def syntax_message(exc: SyntaxError, text: str) -> str:
    """A parser's error in a few lines: the position as line:column, what it expected (the
    first few choices), the line with a caret."""
    raw = " ".join(str(exc).split())
    m = _POSITION.match(raw)
    if not m:
        return f"malformed query: {raw[:300]}"
    line, column, message = int(m.group(1)), int(m.group(2)), m.group(3)
    if message.startswith("expected one of "):
        choices = message[len("expected one of ") :].split(", ")
        message = "expected one of " + ", ".join(choices[:8]) + (", …" if len(choices) > 8 else "")
    from milgraph.server.sparql_text import excerpt

    snippet = excerpt(text, line, column)
    return f"malformed query at {line}:{column}: {message[:300]}" + (
        f"\n{snippet}" if snippet else "")


def _named_query(name: str, params: list[str]) -> tuple[NamedQuery, dict[str, str]] | None:
    """The named query ``name`` (a file in queries/) and its --param values; None when
    ``name`` is a query text or file and no --param was given."""
    from milgraph import paths
    from milgraph.server.named import parse_named_query

    path = paths.QUERIES_DIR / f"{name}.rq"
    is_name = len(name) < 200 and re.fullmatch(r"[A-Za-z0-9_.-]+", name) is not None
    if not (is_name and path.is_file()):
        if params:
            known = ", ".join(sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq")))
            raise MilgraphError(f"--param is for named queries; {name[:60]!r} is not one "
                                f"(named queries: {known})")  # fmt: skip
        return None
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise MilgraphError(f"--param {item!r}: write NAME=VALUE, e.g. --param org=NATO")
        given[key.strip()] = value
    try:
        nq = parse_named_query(path)
    except QueryError as exc:
        raise MilgraphError(str(exc)) from None
    return nq, given


def _run_named(
    snapshot: Snapshot, nq: NamedQuery, given: dict[str, str], *, as_of: str | None,
    asserted_only: bool,
) -> QueryResult:  # fmt: skip
    """Bind and run a named query as its REST endpoint does (same checks, same messages)."""
    from milgraph import temporal
    from milgraph.search import resolve_one
    from milgraph.server.options import OptionError
    from milgraph.server.options import to_term as spec_to_term

    def resolve(kind: str, name: str) -> str:
        return resolve_one(snapshot, kind, name).iri

    try:
        bindings = nq.bind(given, resolve=resolve)
    except OptionError as exc:
        raise MilgraphError(str(exc)) from None
    try:
        return temporal.query(
            snapshot, nq.text, as_of=as_of, asserted_only=asserted_only,
            substitutions={k: spec_to_term(v) for k, v in bindings.items()},
        )  # fmt: skip
    except SyntaxError as exc:
        raise MilgraphError(syntax_message(exc, nq.text)) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise MilgraphError(f"the query could not be answered: {exc}") from None


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

