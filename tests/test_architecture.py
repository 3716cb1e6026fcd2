"""The layout holds: the import rules of docs/architecture.md, read from the code itself.

Each rule is checked on the package's own source with ``ast`` (no import is run): the rooms
and what each may import, no import cycle, pyoxigraph's ``Store`` used by one module only,
the worker pool free of HTTP, IRIs written only in ``namespaces.py``, and the public face.
"""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import pytest

import milgraph

PACKAGE = Path(milgraph.__file__).resolve().parent

#: Rooms, most specific prefix first: the module names each holds.
ROOMS = (
    ("pool", "milgraph.server.pool"),
    ("cli", "milgraph.cli"),
    ("server", "milgraph.server"),
    ("analysis", "milgraph.analysis"),
    ("build", "milgraph.build"),
    ("temporal", "milgraph.temporal"),
    ("reasoning", "milgraph.reasoning"),
    ("importers", "milgraph.importers"),
    ("search", "milgraph.search"),
    ("store", "milgraph.store"),
    ("rules", "milgraph.rules"),
    ("docs", "milgraph.vocabulary_docs"),
    ("base", "milgraph"),
)
BELOW_SERVER = {"base", "store", "rules", "reasoning", "temporal", "build", "analysis", "search"}
#: What each room may import (besides itself).
MAY_IMPORT = {
    "base": set(),
    "store": {"base"},
    "rules": {"base", "store"},
    "reasoning": {"base", "store", "rules"},
    "temporal": {"base", "store", "rules", "reasoning"},
    "build": {"base", "store", "rules", "reasoning", "temporal", "search"},
    "analysis": {"base", "store", "rules", "reasoning", "temporal", "search"},
    "search": {"base", "store"},
    "importers": {"base", "store"},
    "docs": {"base"},
    "pool": {"base"},
    "server": BELOW_SERVER | {"pool"},
    "cli": BELOW_SERVER | {"pool", "server", "importers"},
}
#: The modules of the server the pool may use: the wire format and the job's options.
POOL_MAY_USE = {"milgraph.server", "milgraph.server.wire", "milgraph.server.options"}
HTTP_LIBRARIES = ("fastapi", "starlette", "uvicorn", "httptools", "httpx")
IRI_MARKS = ("https://w3id.org/milgraph", "http://www.w3.org/", "http://purl.org/",
             "http://rdfs.org/")  # fmt: skip


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def room(module: str) -> str:
    return next(r for r, prefix in ROOMS if module == prefix or module.startswith(prefix + "."))


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at module level or in a function, not under
    ``if TYPE_CHECKING:`` (annotations only) and not in a package's lazy ``__getattr__``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.FunctionDef) and child.name == "__getattr__":
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _imports(name: str, path: Path) -> dict[str, set[str]]:
    """milgraph module -> names it takes from it, for every milgraph import of a module;
    third-party top-level packages under the key ``"<package>"`` prefixed with ``!``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, set[str]] = defaultdict(set)
    is_package = path.name == "__init__.py"
    for node in _runtime_imports(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                if target.split(".")[0] == "milgraph":
                    out[target].add("*")
                else:
                    out["!" + target.split(".")[0]].add(alias.name)
            continue
        base = node.module or ""
        if node.level:
            anchor = name.split(".") if is_package else name.split(".")[:-1]
            anchor = anchor[: len(anchor) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        if base.split(".")[0] != "milgraph":
            out["!" + base.split(".")[0]].update(a.name for a in node.names)
            continue
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            out[sub if sub in MODULES else base].add(alias.name)
    return out


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def test_every_module_is_in_a_room() -> None:
    assert {room(m) for m in MODULES} == {r for r, _ in ROOMS}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_rooms_import_only_what_lies_below_them(module: str) -> None:
    mine = room(module)
    allowed = MAY_IMPORT[mine] | {mine}
    wrong = {
        target: sorted(names)
        for target, names in IMPORTS[module].items()
        if not target.startswith("!") and room(target) not in allowed
        and not (mine == "pool" and target in POOL_MAY_USE)
    }
    assert not wrong, f"{module} ({mine}) may not import {wrong}"


def test_the_pool_knows_nothing_of_http() -> None:
    for module in (m for m in MODULES if room(m) == "pool"):
        imported = IMPORTS[module]
        server = {t for t in imported if not t.startswith("!") and room(t) == "server"}
        assert server <= POOL_MAY_USE, (module, server - POOL_MAY_USE)
        assert "milgraph.server.problems" not in imported, module
    for module in {m for m in MODULES if room(m) == "pool"} | POOL_MAY_USE - {"milgraph.server"}:
        http = [t for t in IMPORTS[module] if t.lstrip("!") in HTTP_LIBRARIES]
        assert not http, f"{module} imports {http}"


def test_no_import_cycles() -> None:
    graph = {m: {t for t in targets if t in MODULES and t != m}
             for m, targets in IMPORTS.items()}  # fmt: skip
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = [*stack[stack.index(t):], t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_only_the_embedded_store_uses_pyoxigraph_store() -> None:
    users = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                   for a in n.names if a.name == "pyoxigraph"}  # fmt: skip
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr == "Store"
                    and isinstance(node.value, ast.Name) and node.value.id in aliases):
                users.append(name)
            if isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph" and any(
                    a.name == "Store" for a in node.names):
                users.append(name)
    assert set(users) == {"milgraph.store.oxigraph"}, sorted(set(users))


def _strings(tree: ast.Module) -> list[ast.Constant]:
    """String constants that are not docstrings."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docs]  # fmt: skip


def test_iris_are_written_only_in_namespaces() -> None:
    found = []
    for name, path in MODULES.items():
        if name == "milgraph.namespaces":
            continue
        for node in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if any(mark in node.value for mark in IRI_MARKS):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not found, "IRIs outside milgraph/namespaces.py: " + ", ".join(found)


def test_no_untyped_snapshot() -> None:
    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.arg) and node.arg == "snapshot" and (
                    node.annotation is None or ast.unparse(node.annotation) in ("Any", "object")):
                found.append(f"{name}:{node.lineno}")
    assert not found, found


PUBLIC = [
    "__version__",
    "build_snapshot", "ensure_snapshot", "validate_inputs", "BuildReport", "Problem",
    "open_snapshot", "current_key", "Snapshot", "GraphStore", "Capabilities",
    "query", "graphs_as_of",
    "explain", "profile", "timeline", "nation_indicators", "resolve_nation",
    "reason", "load_rules",
    "MilgraphError", "InputError", "ValidationFailed", "SnapshotError", "QueryError",
]  # fmt: skip


def test_the_public_face_is_pinned() -> None:
    assert milgraph.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(milgraph, name) is not None, name
    assert milgraph.explain is importlib.import_module("milgraph.analysis").explain
