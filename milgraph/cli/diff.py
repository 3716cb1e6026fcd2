"""``milgraph diff OLD [NEW]``: what changed between two snapshots (``analysis.diff``).

OLD and NEW are snapshot directories or keys (a unique prefix will do) in ``--store``'s
root; NEW defaults to ``--against``: ``current`` (the root's CURRENT snapshot, the default)
or the URL of a running server (the snapshot its ``/health`` names, opened from the root).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from milgraph.cli.common import fail, say
from milgraph.errors import MilgraphError, SnapshotError
from milgraph.store.snapshot import Snapshot


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)


def diff(
    old: Annotated[str, typer.Argument(help="Snapshot directory or key (or a key's prefix).")],
    new: Annotated[
        str | None, typer.Argument(help="Snapshot directory or key (default: --against).")
    ] = None,
    store: Annotated[
        Path | None, typer.Option(help="Snapshot root (default: the bundled graph's).")
    ] = None,
    against: Annotated[
        str, typer.Option(help="Without NEW: 'current' (the root's CURRENT snapshot) or a "
                          "server's URL (the snapshot it serves).")
    ] = "current",
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    limit: Annotated[int, typer.Option(min=1, help="Triples and relations shown (text).")] = 50,
) -> None:
    """Added/removed asserted triples per file, and added/removed/changed derived relations
    with the days they hold, between two snapshots."""
    from milgraph.analysis.diff import diff_snapshots
    from milgraph.store import layout

    if format not in ("text", "json"):
        raise typer.BadParameter("text or json", param_hint="--format")
    root = layout.root_of(store)
    try:
        before = _open(root, old)
        after = _open(root, new if new is not None else _against(root, against))
        result = diff_snapshots(before, after)
    except MilgraphError as exc:
        raise fail(exc) from None
    if format == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        say(result.to_text(limit))


def _against(root: Path, against: str) -> str:
    from milgraph.store import layout

    if against == "current":
        key = layout.current_key(root)
        if key is None:
            raise fail(SnapshotError(f"{root}: no CURRENT snapshot (run 'milgraph build')"))
        return key
    if against.startswith(("http://", "https://")):
        import httpx

        try:
            body = httpx.get(against.rstrip("/") + "/health", timeout=10).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise fail(SnapshotError(f"{against}: cannot ask the server which snapshot it "
                                     f"serves ({exc})")) from None  # fmt: skip
        key = body.get("snapshot") if isinstance(body, dict) else None
        if not key:
            raise fail(SnapshotError(f"{against}: the server serves no snapshot now "
                                     f"({body.get('status') if isinstance(body, dict) else body})"))
        return str(key)
    raise typer.BadParameter("'current' or a server's http(s) URL", param_hint="--against")


def _open(root: Path, name: str) -> Snapshot:
    from milgraph.store import layout, open_snapshot

    path = Path(name)
    if (path / layout.MANIFEST).is_file():
        return open_snapshot(path.parent, path.name)
    if (root / name / layout.MANIFEST).is_file():
        return open_snapshot(root, name)
    matches = sorted(d.name for d in root.iterdir() if d.name.startswith(name)
                     and (d / layout.MANIFEST).is_file()) if root.is_dir() else []  # fmt: skip
    if len(matches) == 1:
        return open_snapshot(root, matches[0])
    if matches:
        raise SnapshotError(f"{name!r} names several snapshots in {root}: "
                            f"{', '.join(matches)}; give more of the key")  # fmt: skip
    raise SnapshotError(f"{name!r}: no such snapshot directory, nor a key in {root} (see "
                        "'ls' of the root, or /admin/status for the served key)")  # fmt: skip
