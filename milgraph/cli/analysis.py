"""``milgraph explain``, ``relations`` and ``timeline``: the analysis wing from the command line.

Thin shells over ``milgraph.analysis``: parse options, print text
(or JSON with ``--format json``), exit 1 with a readable message on errors.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from milgraph.cli.common import console, err, fail, open_store


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


StoreOption = Annotated[
    Path | None,
    typer.Option(help="Snapshot directory (default: the bundled graph's, built on first use)."),
]
FormatOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="text or json.")]
FromOption = Annotated[
    str | None, typer.Option("--from", help="Start: YYYY, YYYY-MM or YYYY-MM-DD.")
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="End (inclusive): YYYY, YYYY-MM or YYYY-MM-DD.")
]


def _emit(result: Any, format: TextOrJson) -> None:
    if format == TextOrJson.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(result.to_text(), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the analysts' commands to the ``milgraph`` CLI."""

    @app.command()
    def explain(
        s: Annotated[str, typer.Argument(help="Subject, e.g. nation:FIN or <https://…>.")],
        p: Annotated[str, typer.Argument(help="Predicate, e.g. mil:memberOf.")],
        o: Annotated[str, typer.Argument(help='Object: IRI or literal ("2023-04-04"^^xsd:date).')],
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Explain it as of a day (YYYY-MM-DD).")
        ] = None,
        store: StoreOption = None,
        format: FormatOption = TextOrJson.text,
    ) -> None:
        """Why a triple holds: rules and premises down to asserted triples and their sources."""
        from milgraph.analysis import explain as run
        from milgraph.errors import MilgraphError

        try:
            result = run(open_store(store), s, p, o, as_of=as_of)
        except MilgraphError as exc:
            raise fail(exc) from None
        if result is None:
            view = f"as of {as_of}" if as_of else "in the current view"
            err.print(f"[bold red]not found:[/] {s} {p} {o} does not hold {view}", highlight=False)
            raise typer.Exit(1)
        _emit(result, format)

    @app.command()
    def holds(
        s: Annotated[str, typer.Argument(help="Subject, e.g. id:nation/RWA or <https://…>.")],
        p: Annotated[str, typer.Argument(help="Predicate, e.g. mil:memberOf.")],
        o: Annotated[str, typer.Argument(help="Object: an IRI, prefixed name or literal.")],
        as_of: Annotated[str, typer.Option("--as-of", help="The day, YYYY-MM-DD.")],
        store: StoreOption = None,
        format: FormatOption = TextOrJson.text,
    ) -> None:
        """Does a triple hold on a day: yes, no, or unknown (a partial date leaves it open)."""
        from milgraph.analysis import holds as run
        from milgraph.errors import MilgraphError

        try:
            result = run(open_store(store), s, p, o, as_of)
        except MilgraphError as exc:
            raise fail(exc) from None
        _emit(result, format)

    @app.command()
    def relations(
        a: Annotated[str, typer.Argument(help="Nation: ISO alpha-3, COW number, name or IRI.")],
        b: Annotated[str, typer.Argument(help="Nation: ISO alpha-3, COW number, name or IRI.")],
        start: FromOption = None,
        end: ToOption = None,
        store: StoreOption = None,
        format: FormatOption = TextOrJson.text,
    ) -> None:
        """Relationship profile of two nations: alliances, agreements, exercises, indicators."""
        from milgraph.analysis import profile
        from milgraph.errors import MilgraphError

        try:
            result = profile(open_store(store), a, b, start, end)
        except MilgraphError as exc:
            raise fail(exc) from None
        _emit(result, format)

    @app.command()
    def timeline(
        code: Annotated[str, typer.Argument(help="Nation: ISO alpha-3, COW number, name or IRI.")],
        start: FromOption = None,
        end: ToOption = None,
        store: StoreOption = None,
        format: FormatOption = TextOrJson.text,
    ) -> None:
        """A nation's memberships, agreements, exercises and statehood in date order."""
        from milgraph.analysis import timeline as run
        from milgraph.errors import MilgraphError

        try:
            result = run(open_store(store), code, start, end)
        except MilgraphError as exc:
            raise fail(exc) from None
        _emit(result, format)
        for note in result.coverage:
            err.print(f"[yellow]coverage:[/] {note.message}", highlight=False)
