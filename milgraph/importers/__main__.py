"""``python -m milgraph.importers KIND [PATH]``: the import command without the full CLI."""

from __future__ import annotations

import typer

from milgraph.importers.cli import register

app = typer.Typer(add_completion=False, no_args_is_help=True)
register(app)


@app.callback()
def main() -> None:
    """milgraph dataset importers."""


if __name__ == "__main__":
    app()
