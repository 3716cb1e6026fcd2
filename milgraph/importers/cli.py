"""`milgraph import KIND [PATH]`: parse options, run the importer, print the report."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from milgraph.errors import MilgraphError
from milgraph.importers import KINDS, default_output, run_import
from milgraph.importers.common import unmapped_path
from milgraph.importers.csvfile import shown
from milgraph.importers.report import ImportReport


class Kind(StrEnum):
    cow_states = "cow-states"
    atop = "atop"
    mme = "mme"
    fmtr = "fmtr"
    unoda = "unoda"
    jme = "jme"
    signals = "signals"
    us_troops = "us-troops"
    visits = "visits"
    all = "all"


def print_report(report: ImportReport, console: Console, verbose: bool = False) -> None:
    table = Table(title=f"milgraph import {report.kind}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for f, n in sorted(report.rows_read.items()):
        table.add_row(f"rows read: {f}", str(n))
    for r, n in sorted(report.records.items()):
        table.add_row(f"written: {r}", str(n))
    for t, n in sorted(report.tallies.items()):
        table.add_row(t, str(n))
    table.add_row("triples", str(report.triples))
    table.add_row("rows rejected", str(len(report.rejected)))
    table.add_row("notes", str(len(report.notes)))
    table.add_row("unmapped names", str(len(report.unmapped)))
    console.print(table)
    for problem in sorted(report.rejected):
        console.print(f"[red]rejected[/red] {problem}", highlight=False, soft_wrap=True)
    if verbose:
        for note in sorted(report.notes):
            console.print(f"[yellow]note[/yellow] {note}", highlight=False, soft_wrap=True)
    else:
        for reason, n in sorted(report.note_summary().items()):
            console.print(f"[yellow]note[/yellow] {reason}: {n} (--verbose lists them)",
                          highlight=False, soft_wrap=True)
    for (name, reason), (n, first) in sorted(report.unmapped.items()):
        console.print(f"[magenta]unmapped[/magenta] {name!r}: {reason} ({n}x, first "
                      f"{first.file}:{first.line})", highlight=False, soft_wrap=True)
    if report.output:
        console.print(f"wrote {shown(report.output)}", highlight=False, soft_wrap=True)
        if report.unmapped:
            console.print(f"wrote {shown(unmapped_path(report.output))} "
                          f"({len(report.unmapped)} unmapped names)", highlight=False,
                          soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``import`` command to the milgraph CLI."""

    @app.command("import")
    def import_(
        kind: Annotated[Kind, typer.Argument(help="Dataset to import ('all' = every one).")],
        path: Annotated[Path | None, typer.Argument(
            help="Dataset file or folder (default: ../shared/datasets/<dataset>).")] = None,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Output Turtle file (default: data/imported/<kind>.ttl).")] = None,
        codes: Annotated[Path | None, typer.Option(
            help="Country-code crosswalk CSV (default: ../shared/datasets/country-codes/...).",
        )] = None,
        verbose: Annotated[bool, typer.Option(
            "--verbose", "-v", help="List every note, not only their counts.")] = False,
    ) -> None:
        """Import a research dataset (COW, ATOP, MME, JME, FMTR, UNODA, ...) into data/imported/."""
        console, errors = Console(), Console(stderr=True)
        kinds = list(KINDS) if kind is Kind.all else [kind.value]
        if len(kinds) > 1 and (path or out):
            errors.print("[red]error:[/red] PATH and --out need a single KIND, not 'all'")
            raise typer.Exit(2)
        for k in kinds:
            try:
                report = run_import(k, path, out, codes)
            except MilgraphError as exc:
                errors.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
                target = shown(out or default_output(k))
                errors.print(f"nothing written; {target} is unchanged",
                             highlight=False, soft_wrap=True)
                raise typer.Exit(1) from exc
            print_report(report, console, verbose)
