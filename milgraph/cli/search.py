"""``milgraph find``: things by name, from the snapshot's search index (``milgraph.search``)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from milgraph.cli.common import err, fail, open_store, say
from milgraph.errors import MilgraphError
from milgraph.search import KINDS
from milgraph.terms import short_iri

Kind = StrEnum("Kind", {k: k for k in KINDS})  # type: ignore[misc]


class FindFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command()(find)


def find(
    text: Annotated[str, typer.Argument(help="A name or part of one; case, accents and typos "
                                        "are forgiven (Malabr finds Malabar).")],
    type: Annotated[
        Kind | None, typer.Option("--type", "-t", help="Only this type.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many results.")] = 20,
    store: Annotated[
        Path | None,
        typer.Option(help="Snapshot directory (default: the bundled graph's)."),
    ] = None,
    format: Annotated[FindFormat, typer.Option("--format", "-f", help="table or json.")] = (
        FindFormat.table
    ),
) -> None:
    """Find exercises, agreements, organisations, nations, measures and training by name."""
    from milgraph.search import index_of

    try:
        hits = index_of(open_store(store)).find(text, type.value if type else None, limit)
    except MilgraphError as exc:
        raise fail(exc) from None
    if format == FindFormat.json:
        body = {"query": text, "type": type.value if type else None,
                "results": [h.to_json() for h in hits]}  # fmt: skip
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        err.print(f"nothing named like {text!r}", highlight=False, markup=False)
        raise typer.Exit(1)
    for h in hits:  # the term on a line of its own, whole, to paste into a query
        when = h.when()
        say(f"{h.label} — {h.cls or h.type}" + (f", {when}" if when else ""))
        say(f"  {short_iri(h.iri)}")
    err.print(f"{len(hits)} result(s)")
