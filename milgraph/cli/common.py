"""What every command shares: the consoles, errors as exit code 1, progress, the snapshot.

Output is plain text unwrapped where it may be grepped (``file:line:col`` stays one line);
errors go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import typer.core
from rich.console import Console

from milgraph.errors import MilgraphError, ValidationFailed
from milgraph.store.snapshot import Snapshot

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


def step_printer(name: str, event: str) -> None:
    if event == "start":
        err.print(f"[cyan]…[/] {name}", highlight=False)
    else:
        err.print(f"[green]✓[/] {name} ({event.split(': ', 1)[1]} s)", highlight=False)


def open_store(store: Path | None) -> Snapshot:
    """The snapshot a command reads: ``--store``'s current one, else the bundled graph's.

    Never rebuilt silently: when the bundled inputs changed since the last snapshot (or there
    is none), it says so and shows every step of the build."""
    from milgraph.build import ensure_snapshot
    from milgraph.store import open_snapshot

    if store is not None:
        return open_snapshot(store)
    return ensure_snapshot(on_step=RebuildNotice())


class RebuildNotice:
    """A step printer that stays quiet while the inputs are only checked (``discover``) and
    announces a rebuild before its first real step."""

    def __init__(self) -> None:
        self.announced = False

    def __call__(self, name: str, event: str) -> None:
        if name == "discover":
            return
        if not self.announced:
            self.announced = True
            err.print("[yellow]the bundled data changed since the last build (or none exists):"
                      "[/] building the snapshot first (a first build takes a few minutes; "
                      "later ones reuse it)", highlight=False)  # fmt: skip
        step_printer(name, event)


_TYPER_METAVAR = typer.core.TyperOption.display_type_rich
_NAMES = {"str": "TEXT", "int": "N", "float": "NUMBER", "path": "PATH", "Path": "PATH",
          "datetime": "DATE"}  # fmt: skip


def _plain_metavar(self: typer.core.TyperOption, ctx: Any) -> str | None:
    """Help shows click's metavars (PATH, N, table|json…, nothing for a flag), not the
    Python annotations typer 0.29 prints (``<bool>``, ``<list[Path]>``)."""
    if self.metavar is not None:
        return self.metavar
    shown = _TYPER_METAVAR(self, ctx)
    if shown is None:
        return None
    text = shown.strip("<>").removesuffix("...").strip("<>").replace(" range", "")
    many = shown.endswith("...") or text.startswith("list[")
    text = text.removeprefix("list[").removesuffix("]")
    if text == "bool":
        return None
    if "|" in text:
        label = text if len(text) <= 24 else (self.name or "choice").upper()
    else:
        label = _NAMES.get(text, text.upper())
    return label + ("..." if many else "")


typer.core.TyperOption.display_type_rich = _plain_metavar  # type: ignore[method-assign]
typer.core.TyperArgument.display_type_rich = _plain_metavar  # type: ignore[method-assign,assignment]
