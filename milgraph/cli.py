"""The ``milgraph`` command line: options in, readable output and exit codes out.

Each command is a thin shell over a library function, so everything here is also available
from Python.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from milgraph import __version__
from milgraph.errors import MilgraphError, ValidationFailed
from milgraph.namespaces import PREFIXES

app = typer.Typer(
    name="milgraph",
    help="A reasoned knowledge graph of military-diplomacy relationships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def say(text: str, *, to_err: bool = False) -> None:
    """Print plain text unwrapped, so file:line:col stays one greppable line."""
    (err if to_err else console).print(text, markup=False, highlight=False, soft_wrap=True)


def fail(exc: MilgraphError) -> typer.Exit:
    """Print a user-facing error (each problem on its own lines) and return exit code 1."""
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            say(str(problem), to_err=True)
        err.print(f"[bold red]error:[/] {exc}")
    else:
        err.print("[bold red]error:[/] ", end="")
        say(str(exc), to_err=True)
    return typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        console.print(f"milgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """A reasoned knowledge graph of military-diplomacy relationships."""


# --------------------------------------------------------------------------- validate


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Data files or directories to check (default: the bundled data/)."),
    ] = None,
    ontology: Annotated[
        Path | None, typer.Option(help="Ontology directory (default: the bundled ontology/).")
    ] = None,
) -> None:
    """Check files: syntax (file:line:col), SHACL shapes and OWL consistency. Exit 1 on errors."""
    from milgraph.validate import validate_inputs

    with err.status("validating…"):
        problems = validate_inputs(paths, ontology)
    for problem in problems:
        say(str(problem), to_err=problem.is_violation)
    errors = sum(p.is_violation for p in problems)
    warnings = len(problems) - errors
    if errors:
        err.print(f"[bold red]{errors} error(s)[/], {warnings} warning(s)")
        raise typer.Exit(1)
    console.print(f"[green]valid[/]: 0 errors, {warnings} warning(s)")


# --------------------------------------------------------------------------- build


def _step_printer(name: str, event: str) -> None:
    if event == "start":
        err.print(f"[cyan]…[/] {name}", highlight=False)
    else:
        err.print(f"[green]✓[/] {name} ({event.split(': ', 1)[1]} s)", highlight=False)


@app.command()
def build(
    ontology: Annotated[Path | None, typer.Option(help="Ontology directory.")] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Data file or directory; repeat for several (default: bundled data/)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Snapshot directory (default: .milgraph/snapshots).")
    ] = None,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Skip SHACL validation.")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Rebuild even if a snapshot of these inputs exists.")
    ] = False,
    max_input_mb: Annotated[
        int | None,
        typer.Option(min=0, help="Largest total input in MiB (0: none; default: "
                     "MILGRAPH_MAX_INPUT_MB or 256)."),
    ] = None,
    memory_mb: Annotated[
        int, typer.Option(min=0, help="Stop the build if it needs more memory than this, "
                          "in MiB (0: no bound).")
    ] = 0,
) -> None:
    """Load, validate, reason and write a snapshot; print counts and time per step."""
    from milgraph.server.rebuild import limit_memory
    from milgraph.snapshot import build_snapshot

    limit_memory(memory_mb)
    try:
        report = build_snapshot(
            ontology, data, out, validate=not no_validate, force=force, on_step=_step_printer,
            max_input_bytes=None if max_input_mb is None else max_input_mb * 1024 * 1024,
        )
    except MilgraphError as exc:
        raise fail(exc) from None
    except MemoryError:
        raise fail(MilgraphError(
            f"the build needed more than --memory-mb {memory_mb} MiB of memory; reduce the "
            "input or raise the bound")) from None  # fmt: skip
    counts = report.counts
    if report.cached:
        console.print(
            f"[green]up to date[/]: snapshot {report.key} (inputs unchanged, not re-reasoned)"
        )
    else:
        console.print(f"[green]built[/] snapshot {report.key} at {report.path}")
    table = Table(title="triples per graph", show_lines=False)
    table.add_column("graph")
    table.add_column("triples", justify="right")
    for graph, n in sorted(counts["per_graph"].items()):
        table.add_row(graph.rsplit("/graph/", 1)[-1], f"{n:,}")
    table.add_row("[bold]asserted (unique)[/]", f"[bold]{counts['asserted']:,}[/]")
    table.add_row("[bold]inferred[/]", f"[bold]{counts['inferred']:,}[/]")
    table.add_row("[bold]total[/]", f"[bold]{counts['total']:,}[/]")
    console.print(table)
    timings = report.timings
    console.print("time per step: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))


# --------------------------------------------------------------------------- query


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


def _open(store: Path | None):  # -> Snapshot
    from milgraph.snapshot import ensure_snapshot, open_snapshot

    if store is not None:
        return open_snapshot(store)
    return ensure_snapshot(on_step=_step_printer)


def _short(term: object) -> str:
    from milgraph.validate import shorten

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


@app.command()
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
        snapshot = _open(store)
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


def _print_result(result: object, format: OutputFormat) -> None:
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryTriples):
        fmt = _GRAPH_FORMATS.get(format)
        if fmt is None:
            raise fail(
                MilgraphError(f"--format {format.value} is for SELECT/ASK; use turtle or ntriples")
            )
        out.write(
            ox.serialize(result, format=fmt, prefixes=PREFIXES)
            if fmt == ox.RdfFormat.TURTLE
            else ox.serialize(result, format=fmt)
        )
        return
    if format in _RESULT_FORMATS:
        out.write(result.serialize(format=_RESULT_FORMATS[format]))
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
        table.add_row(*(_short(solution[v]) for v in variables))
        rows += 1
    console.print(table)
    err.print(f"{rows} row(s)")


# --------------------------------------------------------------------------- stats


@app.command()
def stats(
    store: Annotated[Path | None, typer.Option(help="Snapshot directory.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many classes and properties.")] = 60,
) -> None:
    """Classes and properties with counts (asserted vs inferred), and records per decade."""
    from milgraph.stats import compute

    try:
        snapshot = _open(store)
    except MilgraphError as exc:
        raise fail(exc) from None
    result = compute(snapshot)
    for title, rows in (("classes", result.classes), ("properties", result.properties)):
        table = Table(title=title)
        for col in ("IRI", "asserted", "inferred", "total"):
            table.add_column(col, justify="left" if col == "IRI" else "right")
        for row in rows[:limit]:
            table.add_row(
                _short(ox.NamedNode(row.iri)),
                f"{row.asserted:,}",
                f"{row.inferred:,}",
                f"{row.total:,}",
            )
        console.print(table)
    if result.by_decade:
        decades = sorted({d for per in result.by_decade.values() for d in per})
        table = Table(title="records by decade of start date")
        table.add_column("class")
        for d in decades:
            table.add_column(d, justify="right")
        for cls, per in sorted(result.by_decade.items()):
            table.add_row(_short(ox.NamedNode(cls)), *(str(per.get(d, "")) for d in decades))
        console.print(table)


from milgraph.analysis_cli import register as _register_analysis  # noqa: E402
from milgraph.importers.cli import register as _register_import  # noqa: E402
from milgraph.server.cli import register as _register_serve  # noqa: E402

_register_serve(app)
_register_import(app)
_register_analysis(app)


if __name__ == "__main__":  # pragma: no cover
    app()
