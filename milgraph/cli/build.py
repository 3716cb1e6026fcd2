"""``milgraph validate`` and ``milgraph build``: the build pipeline from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from milgraph.cli.common import console, err, fail, say, step_printer
from milgraph.errors import MilgraphError


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(build)


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Data files or directories to check (default: the bundled data/)."),
    ] = None,
    ontology: Annotated[
        Path | None, typer.Option(help="Ontology directory (default: the bundled ontology/).")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="SHACL engine: shacl-rust (default) or pyshacl (the reference, "
                          "much slower; the same results).")
    ] = "shacl-rust",
) -> None:
    """Check files: syntax (file:line:col), the closed vocabulary and literals, SHACL shapes and
    OWL consistency, in the context of the rest of the data. Exit 1 on errors."""
    from milgraph.build import validate_inputs
    from milgraph.build.check import ENGINES

    if engine not in ENGINES:
        raise fail(MilgraphError(f"unknown --engine {engine!r}: use one of {', '.join(ENGINES)}"))
    with err.status("validating…"):
        problems = validate_inputs(paths, ontology, engine=engine)
    for problem in problems:
        say(str(problem), to_err=problem.is_violation)
    errors = sum(p.is_violation for p in problems)
    warnings = len(problems) - errors
    if errors:
        err.print(f"[bold red]{errors} error(s)[/], {warnings} warning(s)")
        raise typer.Exit(1)
    console.print(f"[green]valid[/]: 0 errors, {warnings} warning(s)")


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
    from milgraph.build import build_snapshot
    from milgraph.server.rebuild import limit_memory

    limit_memory(memory_mb)
    try:
        report = build_snapshot(
            ontology, data, out, validate=not no_validate, force=force, on_step=step_printer,
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

