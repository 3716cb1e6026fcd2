"""``milgraph publish``: a built snapshot onto a SPARQL 1.1 store, for ``serve --backend``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from milgraph.cli.common import fail, open_store, say
from milgraph.errors import MilgraphError


def register(app: typer.Typer) -> None:
    app.command()(publish)


def publish(
    to: Annotated[str, typer.Option("--to", help="The store's SPARQL query endpoint URL.")],
    update_url: Annotated[
        str | None,
        typer.Option(help="SPARQL Update endpoint (default: the query URL). Virtuoso: "
                     "http://HOST:8890/sparql-auth."),
    ] = None,
    graph_store_url: Annotated[
        str | None,
        typer.Option(help="Graph Store Protocol endpoint; faster loads than Update. Virtuoso: "
                     "http://HOST:8890/sparql-graph-crud-auth."),
    ] = None,
    user: Annotated[str | None, typer.Option(help="User allowed to update the store.")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="MILGRAPH_BACKEND_PASSWORD",
                                 help="Password (or MILGRAPH_BACKEND_PASSWORD).")
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(help="Snapshot root to publish from (its CURRENT snapshot). Default: the "
                     "bundled graph, built on first use."),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, help="Triples per load request.")] = 50_000,
) -> None:
    """Load a built snapshot (its default graph, the asserted, inferred, per-file and
    point-in-time graphs, and a publication graph naming the snapshot) into a SPARQL 1.1
    store, each graph staged and checked by count before it replaces the one there."""
    from milgraph.store.sparql import SparqlClient, publish_snapshot

    try:
        snapshot = open_store(store)
        try:
            with SparqlClient(to, update_url=update_url, graph_store_url=graph_store_url,
                              user=user, password=password) as client:  # fmt: skip
                report = publish_snapshot(
                    snapshot.store, snapshot.key, client, batch=batch,
                    on_graph=lambda g: say(f"{g.graph}: {g.stored:,} triples in "
                                           f"{g.seconds:.1f} s", to_err=True),
                )  # fmt: skip
        finally:
            snapshot.close()
    except MilgraphError as exc:
        raise fail(exc) from None
    say(f"published snapshot {snapshot.key}: {report.triples:,} triples in "
        f"{len(report.graphs)} graphs to {to} (by {report.method})")  # fmt: skip
