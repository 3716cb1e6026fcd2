"""One curated edit, in a child process: try it, validate it, write it to its Turtle file.

``serve --allow-edits`` runs ``python -m milgraph.server.editor ARGS`` with the SPARQL Update
on stdin; the outcome is one JSON line on stdout. The steps, each of which can refuse the
edit with nothing written:

1. the data files are parsed, each into its own graph (``graph/data/FILE.ttl``), into an
   in-memory store, and the update is applied there (400 for a malformed update);
2. every change must be inside a data file's graph: the default graph, the ontology's
   graphs, imported files and unknown graphs are refused (400, naming the graphs to use);
3. each changed file's new text is made as a minimal textual edit (``turtle_edit``);
4. the snapshot of the edited files is built (``milgraph.build.build_snapshot``: parse,
   reasoning, OWL consistency, SHACL and whatever else the build checks) from a mirror of
   the data directory holding the new texts: a problem is a 422 with every problem at
   file:line, and the files are untouched;
5. the new texts are written: each to a temporary file beside its target, fsynced, then a
   journal naming the renames is fsynced, the files are renamed over their targets and the
   directories fsynced, and the journal removed. A process killed at any moment leaves
   every file either as it was or as edited, never half-written; a journal left behind is
   rolled forward by the next edit or the next server start (``recover``).

The build of step 4 has the content key the served inputs have once written, so the
server's reload after the edit finds that snapshot built already. Edits run one at a time
(an exclusive lock on ``<snapshot root>/.edits.lock``, across server processes too).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph.build.inputs import SourceFile, check_input_size, discover
from milgraph.namespaces import file_graph_iri
from milgraph.store import layout

LOCK = ".edits.lock"
JOURNAL = ".edits-journal.json"
#: Graph-relative paths of generated files: not edited by hand, nor over HTTP.
GENERATED = "data/imported/"
TURTLE = (".ttl", ".turtle")


class Refused(Exception):
    """An edit refused before anything was written: an HTTP status and a message."""

    def __init__(self, status: int, type: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.doc = {"ok": False, "status": status, "type": type, "title": title,
                    "detail": detail, **extra}  # fmt: skip


# --------------------------------------------------------------------------- durability


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_files(root: Path, texts: dict[Path, str]) -> None:
    """Replace each file by its new text, all or (after a crash, once ``recover`` ran)
    all: temporary files, a journal, renames, fsyncs (see the module's note)."""
    staged: list[tuple[Path, Path]] = []
    for path, text in texts.items():
        tmp = path.with_name(f".{path.name}.edit-{os.getpid()}")
        _write_synced(tmp, text.encode("utf-8"))
        staged.append((tmp, path))
    journal = root / JOURNAL
    _write_synced(root / f".{JOURNAL}.{os.getpid()}",
                  json.dumps({"renames": [[str(t), str(p)] for t, p in staged]}).encode())
    os.replace(root / f".{JOURNAL}.{os.getpid()}", journal)
    _fsync_dir(root)
    _apply_renames(staged)
    journal.unlink()
    _fsync_dir(root)


def _apply_renames(staged: Sequence[tuple[Path, Path]]) -> None:
    for tmp, path in staged:
        if tmp.exists():
            os.replace(tmp, path)
    for directory in {path.parent for _, path in staged}:
        _fsync_dir(directory)


def recover(root: Path) -> list[str]:
    """Finish the renames of an edit interrupted after its journal was written (its new
    texts were complete and fsynced by then); the files it wrote."""
    journal = root / JOURNAL
    try:
        renames = json.loads(journal.read_text())["renames"]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError):  # a journal that was never complete: no renames
        journal.unlink(missing_ok=True)
        return []
    staged = [(Path(t), Path(p)) for t, p in renames]
    _apply_renames(staged)
    journal.unlink(missing_ok=True)
    _fsync_dir(root)
    return [str(p) for _, p in staged]


@contextlib.contextmanager
def edit_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the edit


def data_inputs(data: Sequence[Path] | None) -> list[tuple[Path, list[SourceFile]]]:
    """Each data path given, with the files it holds (as the build finds them)."""
    from milgraph import paths

    given = [Path(d) for d in data] if data else [paths.DATA_DIR]
    return [(path, discover([path], "data")) for path in given]


def run_edit(args: dict[str, Any], update: str) -> dict[str, Any]:
    from milgraph.build import build_snapshot
    from milgraph.build.sources import parse
    from milgraph.errors import InputError, MilgraphError, ParseError, ValidationFailed
    from milgraph.server.rebuild import located
    from milgraph.server.turtle_edit import TurtleEditError, edit
    from milgraph.store.oxigraph import OxigraphStore

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    ontology = Path(args["ontology"]) if args.get("ontology") else None
    data = [Path(d) for d in args["data"]] if args.get("data") else None
    root = layout.root_of(Path(args["root"]) if args.get("root") else None)
    with edit_lock(root):
        recovered = recover(root)
        lap("lock")
        try:
            inputs = data_inputs(data)
            sources = [s for _, files in inputs for s in files]
            check_input_size(sources, args.get("max_input_bytes"))
            parsed = [parse(s) for s in sources]
        except (InputError, ParseError) as exc:
            raise Refused(409, "inputs-invalid", "The data files are invalid now",
                          f"{exc}; fix the file (or wait for the save in progress) and send "
                          "the update again", failing=[located(exc)]) from None  # fmt: skip
        by_graph = {s.graph: s for s in sources}
        store = OxigraphStore.memory(q for pf in parsed for q in pf.quads)
        # Before and after as the store holds them: it writes typed literals in their
        # canonical form ("97000.0"^^xsd:decimal is "97000"), so compare like with like.
        before = _by_graph(store)
        lap("parse")
        try:
            store.update(update, base_iri=args.get("base"))
        except SyntaxError as exc:
            raise Refused(400, "malformed-update", "Malformed update", str(exc)) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise Refused(422, "update-failed", "Update failed", str(exc)) from None
        after = _by_graph(store)
        lap("update")
        changed = sorted(g for g in set(before) | set(after)
                         if before.get(g, set()) != after.get(g, set()))  # fmt: skip
        _check_graphs(changed, by_graph)
        if not changed:
            return {"ok": True, "changed": False, "files": {}, "timings": timings,
                    "recovered": recovered}  # fmt: skip
        texts: dict[Path, str] = {}
        files: dict[str, dict[str, int]] = {}
        for graph in changed:
            src = by_graph[graph]
            written = next(pf for pf in parsed if pf.source.graph == graph)
            as_written = _as_written(written.quads)  # canonical → the file's own triple
            removed = {as_written.get(t, t)
                       for t in before.get(graph, set()) - after.get(graph, set())}  # fmt: skip
            added = sorted(after.get(graph, set()) - before.get(graph, set()), key=_order)
            try:
                texts[src.path] = edit(src.read().decode("utf-8"), removed, added,
                                       src.path.resolve().as_uri())  # fmt: skip
            except TurtleEditError as exc:
                raise Refused(422, "edit-not-writable", "Edit cannot be written",
                              f"{src.relpath}: {exc}") from None  # fmt: skip
            files[src.relpath] = {"added": len(added), "removed": len(removed)}
        lap("edit")
        mirror = root / f".edit-{os.getpid()}"
        shutil.rmtree(mirror, ignore_errors=True)
        try:
            mirrored, rename = _mirror(mirror, inputs, texts)
            try:
                report = build_snapshot(ontology, mirrored, root,
                                        max_input_bytes=args.get("max_input_bytes"))  # fmt: skip
            except ValidationFailed as exc:
                problems = [rename(str(p)) for p in exc.problems]
                failing = [located(p) for p in exc.problems]
                for f in failing:
                    f["file"] = rename(str(f["file"]))
                raise Refused(422, "edit-invalid", "Edit refused: the graph would be invalid",
                              f"{rename(str(exc))}; nothing was written",
                              problems=problems, failing=failing) from None  # fmt: skip
            except MilgraphError as exc:
                raise Refused(422, "edit-invalid", "Edit refused", rename(str(exc))) from None
        finally:
            shutil.rmtree(mirror, ignore_errors=True)
        lap("validate+build")
        write_files(root, texts)
        lap("write")
    return {"ok": True, "changed": True, "key": report.key, "files": files,
            "timings": timings, "recovered": recovered}  # fmt: skip


def _by_graph(store: Any) -> dict[str, set[ox.Triple]]:
    out: dict[str, set[ox.Triple]] = {}
    for q in store.quads():
        graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name.value)
        out.setdefault(graph, set()).add(ox.Triple(q.subject, q.predicate, q.object))
    return out


def _as_written(quads: Sequence[ox.Quad]) -> dict[ox.Triple, ox.Triple]:
    """Each triple of a file in the store's canonical form → as the file writes it."""
    from milgraph.namespaces import RDFS_LABEL
    from milgraph.store.oxigraph import OxigraphStore

    literals = sorted({q.object for q in quads if isinstance(q.object, ox.Literal)}, key=str)
    probe = ox.NamedNode(RDFS_LABEL)
    scratch = OxigraphStore.memory(ox.Quad(ox.BlankNode(f"l{i}"), probe, lit, ox.DefaultGraph())
                                   for i, lit in enumerate(literals))  # fmt: skip
    canonical = {int(q.subject.value[1:]): q.object for q in scratch.quads()
                 if isinstance(q.subject, ox.BlankNode)}  # fmt: skip
    stored = {lit: canonical.get(i, lit) for i, lit in enumerate(literals)}
    out: dict[ox.Triple, ox.Triple] = {}
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        obj = stored.get(q.object, q.object) if isinstance(q.object, ox.Literal) else q.object
        out[ox.Triple(q.subject, q.predicate, obj)] = t
    return out


def _order(t: ox.Triple) -> tuple[str, int, str, str]:
    """Added triples, written grouped by subject, its type first."""
    from milgraph.namespaces import RDF_TYPE

    return (str(t.subject), 0 if t.predicate.value == RDF_TYPE else 1, str(t.predicate),
            str(t.object))  # fmt: skip


def _check_graphs(changed: Sequence[str], by_graph: dict[str, SourceFile]) -> None:
    editable = sorted(g for g, s in by_graph.items() if _editable(s))
    example = editable[0] if editable else file_graph_iri("data/FILE.ttl")
    how = (f"name the data file the triples belong in: INSERT DATA {{ GRAPH <{example}> "
           "{ … } }, DELETE DATA { GRAPH <…> { … } }, or DELETE/INSERT { GRAPH <…> { … } } "
           f"WHERE {{ … }}; the graph of each data file is {file_graph_iri('data/')} + its "
           "path in the data directory")
    for graph in changed:
        src = by_graph.get(graph)
        if not graph:
            raise Refused(400, "edit-outside-file-graph", "Change outside a data file",
                          f"the update changes the default graph, which no file holds: {how}",
                          graphs=editable[:50])  # fmt: skip
        if src is None:
            raise Refused(400, "edit-outside-file-graph", "Change outside a data file",
                          f"the update changes the graph <{graph}>, which is not a data "
                          f"file's: {how}", graphs=editable[:50])  # fmt: skip
        if not _editable(src):
            why = ("it is generated by an importer: re-run the import instead "
                   "(docs/data-imported.md)" if src.relpath.startswith(GENERATED)
                   else "only Turtle files are edited over HTTP")  # fmt: skip
            raise Refused(400, "edit-outside-file-graph", "File not editable over HTTP",
                          f"{src.relpath} cannot be edited over HTTP: {why}")  # fmt: skip


def _editable(src: SourceFile) -> bool:
    return src.path.suffix.lower() in TURTLE and not src.relpath.startswith(GENERATED)


def _mirror(
    mirror: Path, inputs: Sequence[tuple[Path, list[SourceFile]]], texts: dict[Path, str]
) -> tuple[list[Path], Any]:
    """The data paths again under ``mirror`` (links to the files, the new texts written),
    so that a build of them has the same graphs, files and content key as the edited
    inputs will; and a function naming a mirror path by the steward's path."""
    given: list[Path] = []
    back: list[tuple[str, str]] = []
    for i, (path, files) in enumerate(inputs):
        base = mirror / str(i)
        if path.is_dir():
            for src in files:
                rel = src.path.relative_to(path)
                _place(base / rel, src.path, texts)
            given.append(base)
            back.append((base.as_posix() + "/", path.as_posix().rstrip("/") + "/"))
        else:
            _place(base / path.name, path, texts)
            given.append(base / path.name)
            back.append(((base / path.name).as_posix(), path.as_posix()))

    def rename(text: str) -> str:
        for mine, theirs in back:
            text = text.replace(mine, theirs)
        return text

    return given, rename


def _place(target: Path, original: Path, texts: dict[Path, str]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if original in texts:
        target.write_text(texts[original], encoding="utf-8")
    else:
        os.symlink(original.resolve(), target)


def main() -> None:
    from milgraph.server.rebuild import limit_memory, out_of_memory

    args = json.loads(sys.argv[1])
    memory_mb = int(args.get("memory_mb") or 0)
    update = sys.stdin.read()
    try:
        limit_memory(memory_mb)
        outcome = run_edit(args, update)
    except Refused as exc:
        outcome = exc.doc
    except MemoryError:
        message = out_of_memory(memory_mb)
        outcome = {"ok": False, "status": 503, "type": "edit-failed", "title": "Edit failed",
                   "detail": message}  # fmt: skip
    except Exception as exc:  # report, never leave the server waiting
        outcome = {"ok": False, "status": 500, "type": "edit-failed", "title": "Edit failed",
                   "detail": f"{type(exc).__name__}: {exc}"}  # fmt: skip
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
