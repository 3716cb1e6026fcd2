"""The ``milgraph`` command line: options in, readable output and exit codes out.

Each command is a thin shell over a library function, so everything here is also available
from Python. The commands live in modules of their own (``build``, ``query``, ``search``,
``stats``, ``serve``, ``analysis``; ``import`` in ``milgraph.importers.cli``); this module
makes the app and registers them, in the order ``--help`` lists them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from milgraph import __version__
from milgraph.cli import analysis, build, diff, publish, query, search, serve, stats
from milgraph.cli.common import console
from milgraph.importers import cli as importers

app = typer.Typer(
    name="milgraph",
    help="A reasoned knowledge graph of military-diplomacy relationships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


build.register(app)
query.register(app)
search.register(app)
stats.register(app)
serve.register(app)
publish.register(app)
importers.register(app)
analysis.register(app)
diff.register(app)

__all__ = ["app"]
