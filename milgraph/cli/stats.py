"""``milgraph stats``: what a snapshot holds, in tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.table import Table

from milgraph.cli.common import console, fail, open_store
from milgraph.errors import MilgraphError
from milgraph.terms import cell


def register(app: typer.Typer) -> None:
    app.command()(stats)


def stats(
    store: Annotated[Path | None, typer.Option(help="Snapshot directory.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many classes and properties.")] = 60,
) -> None:
    """Classes and properties with counts (asserted vs inferred), and records per decade."""
    from milgraph.analysis.stats import compute

    try:
        snapshot = open_store(store)
    except MilgraphError as exc:
        raise fail(exc) from None
    result = compute(snapshot)
    for title, rows in (("classes", result.classes), ("properties", result.properties)):
        table = Table(title=title)
        for col in ("IRI", "asserted", "inferred", "total"):
            table.add_column(col, justify="left" if col == "IRI" else "right")
        for row in rows[:limit]:
            table.add_row(
                cell(ox.NamedNode(row.iri)),
                f"{row.asserted:,}",
                f"{row.inferred:,}",
                f"{row.total:,}",
            )
        console.print(table)
    if result.by_decade:  # one row per class: fits 80 columns however many decades there are
        table = Table(title="records by decade of start date")
        for col in ("class", "records", "first", "last", "busiest decade"):
            table.add_column(col, justify="left" if col == "class" else "right")
        for cls, per in sorted(result.by_decade.items()):
            decades = sorted(d for d, n in per.items() if n)
            if not decades:
                continue
            busiest = max(decades, key=lambda d: (per[d], d))
            table.add_row(cell(ox.NamedNode(cls)), f"{sum(per.values()):,}", decades[0],
                          decades[-1], f"{busiest} ({per[busiest]:,})")  # fmt: skip
        console.print(table)

