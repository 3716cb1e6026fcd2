"""The check stage of a build: SHACL shapes and OWL consistency, as problems at file:line.

pySHACL reports focus nodes, and the reasoner the triples of an inconsistency, not places in
files; we map each back to the file and line where it is described, so the steward goes
straight to the broken statement. Parse errors become problems here too (``validate``
reports every problem in one list).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from milgraph.build.inputs import SourceFile
from milgraph.build.sources import ParsedFile
from milgraph.errors import InputError, Location, ParseError
from milgraph.namespaces import DISPLAY_PREFIXES, SH_IRI
from milgraph.terms import short_iri, to_rdflib

SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

DEFAULT_HINTS = {
    "MinCountConstraintComponent": "add the missing value(s) for this property",
    "MaxCountConstraintComponent": "keep only the allowed number of values for this property",
    "DatatypeConstraintComponent": (
        'write the value with the expected datatype, e.g. "2024-03-07"^^xsd:date'
    ),
    "PatternConstraintComponent": "correct the value so it matches the expected pattern",
    "ClassConstraintComponent": "point to a resource of the expected class, or type it",
    "LessThanOrEqualsConstraintComponent": "make the first date not later than the second",
    "LessThanConstraintComponent": "make the first value smaller than the second",
    "InConstraintComponent": "use one of the allowed values",
    "NodeKindConstraintComponent": "use the expected kind of term (IRI or literal)",
    "MinInclusiveConstraintComponent": "use a value within the allowed range",
    "MaxInclusiveConstraintComponent": "use a value within the allowed range",
}


@dataclass(frozen=True)
class Problem:
    """One thing a steward must fix (or may improve, for warnings)."""

    severity: str
    location: Location
    message: str
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    rule: str | None = None
    hint: str | None = None

    @property
    def is_violation(self) -> bool:
        return self.severity in ("violation", "error")

    def __str__(self) -> str:
        parts = [f"{self.location}: {self.severity}: {self.message}"]
        detail = []
        if self.focus:
            detail.append(f"focus {self.focus}")
        if self.path:
            detail.append(f"property {self.path}")
        if self.value is not None:
            detail.append(f"value {self.value}")
        if self.rule:
            detail.append(f"rule {self.rule}")
        if detail:
            parts.append("  [" + "; ".join(detail) + "]")
        if self.hint:
            parts.append(f"  fix: {self.hint}")
        return "\n".join(parts)

    @classmethod
    def from_input_error(cls, exc: InputError) -> Problem:
        kind = "parse error" if isinstance(exc, ParseError) else "input error"
        return cls("error", exc.location, exc.message, rule=kind, hint=exc.hint)


def shorten(iri: str) -> str:
    """An IRI as validation messages show it (the shapes' ``milsh:`` prefix included)."""
    return short_iri(iri, DISPLAY_PREFIXES)


# --------------------------------------------------------------------------- SHACL

#: The SHACL engines: ``shacl-rust`` (compiled, what ``validate`` and ``build`` run: the same
#: findings as pySHACL on the shapes' fixtures and the bundled data, some 25 times faster there,
#: docs/benchmarks.md) and ``pyshacl`` (the reference, kept to compare against).
ENGINES = ("shacl-rust", "pyshacl")
DEFAULT_ENGINE = "shacl-rust"


@dataclass(frozen=True)
class ShaclResult:
    """One top-level validation result, engine-neutral: terms in N-Triples form."""

    severity: str
    focus: str
    path: str | None  # an IRI, or None for node shapes and complex paths
    value: str | None
    component: str  # local name, e.g. MinCountConstraintComponent
    shape: str  # IRI, or "_" for a blank node
    shape_name: str | None  # a blank shape's sh:name (an IRI shape is shown by its IRI)
    message: str | None


def shacl_problems(
    parsed: Sequence[ParsedFile], inferred: Iterable[ox.Triple], shapes: Path,
    *, engine: str = DEFAULT_ENGINE,
) -> list[Problem]:  # fmt: skip
    """The shapes on asserted ∪ inferred data (already reasoned: no inference by the engine)."""
    results = shacl_results(parsed, inferred, shapes, engine=engine)
    locator = Locator(parsed)
    problems = [_problem(r, locator) for r in results]
    problems.sort(key=lambda p: (p.location.path, p.location.line or 0, p.message))
    return problems


def shacl_results(
    parsed: Sequence[ParsedFile], inferred: Iterable[ox.Triple], shapes: Path,
    *, engine: str = DEFAULT_ENGINE,
) -> list[ShaclResult]:  # fmt: skip
    """Every top-level result of ``engine``, sorted (what the engines are compared on)."""
    triples = _triples(parsed, inferred)
    if engine == "pyshacl":
        found = _pyshacl(triples, shapes)
    elif engine == "shacl-rust":
        found = _shacl_rust(triples, shapes)
    else:
        raise ValueError(f"unknown SHACL engine {engine!r} (known: {', '.join(ENGINES)})")
    return sorted(set(found), key=lambda r: tuple(str(x) for x in astuple(r)))


def _triples(parsed: Sequence[ParsedFile], inferred: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for pf in parsed:
        for q in pf.quads:
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t not in seen:
                seen.add(t)
                yield t
    for t in inferred:
        if t not in seen:
            yield t


def _shacl_rust(triples: Iterable[ox.Triple], shapes: Path) -> list[ShaclResult]:
    import shacl_rust

    data = io.BytesIO()
    ox.serialize(triples, data, format=ox.RdfFormat.N_TRIPLES)
    data.seek(0)
    # the interned index: a third faster on the bundled graph, the same results (tested)
    try:
        report = shacl_rust.validate_file(data, str(shapes), data_format="nt",
                                          shapes_format="turtle",
                                          experimental_index=True)  # fmt: skip
    except (ValueError, RuntimeError, OSError) as exc:  # a shapes file it cannot read
        raise InputError(shapes.as_posix(), f"the SHACL shapes cannot be used: {exc}",
                         "fix the shapes file (its syntax, or the SHACL it states)") from None
    index = _blank_shape_names(shapes)
    out = []
    for r in report.get("results", []):
        shape = str(r.get("sourceShape") or "")
        path = r.get("resultPath")
        path_iri = path if path and _is_iri(path) else None
        messages = [str(m) for m in r.get("messages") or []]
        # messages: the engine's own text first, then the shape's sh:message (if any)
        own = messages[-1] if len(messages) > 1 else None
        shape_iri = shape[1:-1] if _is_iri(shape) else None
        value = r.get("value")
        component = str(r.get("sourceConstraintComponent") or "").strip("<>").rsplit("#", 1)[-1]
        focus = str(r.get("focusNode") or "")
        if value is None and path is None:
            value = focus  # a node shape's value is its focus node (as pySHACL reports it)
        out.append(ShaclResult(
            severity=str(r.get("severity") or "").strip("<>").rsplit("#", 1)[-1].lower(),
            focus=focus, path=path_iri, value=value, component=component,
            shape=shape if shape_iri else "_",
            shape_name=None if shape_iri else index.get((path_iri, own)),
            message=own if own is not None else (messages[0] if messages else None),
        ))  # fmt: skip
    return out


def _is_iri(text: str) -> bool:
    return text.startswith("<") and text.endswith(">") and " " not in text


def _blank_shape_names(shapes: Path) -> dict[tuple[str | None, str | None], str]:
    """sh:name of the blank (inline) shapes by (sh:path IRI, sh:message): shacl-rust names a
    blank shape by a label of its own, pySHACL reports the shape's triples."""
    by: dict[ox.BlankNode, dict[str, str]] = defaultdict(dict)
    keys = {SH_IRI + "name": "name", SH_IRI + "path": "path", SH_IRI + "message": "message"}
    for t in ox.parse(path=str(shapes), format=ox.RdfFormat.TURTLE):
        key = keys.get(t.predicate.value)
        if key and isinstance(t.subject, ox.BlankNode):
            by[t.subject][key] = str(t.object) if key == "path" else t.object.value
    return {(d.get("path") if d.get("path", "").startswith("<") else None, d.get("message")):
            d["name"] for d in by.values() if "name" in d}  # fmt: skip


def _pyshacl(triples: Iterable[ox.Triple], shapes: Path) -> list[ShaclResult]:
    import logging

    import pyshacl

    data = rdflib.Graph()
    # rdflib logs a traceback for every literal it cannot convert (an impossible date): the
    # literal check reports those at file:line, a steward must not see rdflib's stack.
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        for t in triples:
            data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
        _conforms, report, _text = pyshacl.validate(
            data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True,
        )  # fmt: skip
    finally:
        term_log.setLevel(level)
    # top-level results only: nested sh:detail results restate the same problem
    return [_pyshacl_result(report, r) for r in set(report.objects(None, SH.result))]


def _pyshacl_result(report: rdflib.Graph, result: rdflib.term.Node) -> ShaclResult:
    def one(pred: rdflib.URIRef) -> rdflib.term.Node | None:
        return report.value(result, pred)

    path = one(SH.resultPath)
    value = one(SH.value)
    marked = one(SH.resultSeverity)
    severity = "violation"
    if isinstance(marked, rdflib.URIRef):
        severity = SEVERITY.get(marked, "violation")
    messages = [str(m) for m in report.objects(result, SH.resultMessage)]
    shape = one(SH.sourceShape)
    name = report.value(shape, SH.name) if isinstance(shape, rdflib.BNode) else None
    focus = one(SH.focusNode)
    return ShaclResult(
        severity=severity,
        focus=focus.n3() if focus is not None else "",
        path=path.n3() if isinstance(path, rdflib.URIRef) else None,
        value=value.n3() if value is not None else None,
        component=str(one(SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1],
        shape=shape.n3() if isinstance(shape, rdflib.URIRef) else "_",
        shape_name=str(name) if name is not None else None,
        message=messages[0] if messages else None,
    )


def _problem(result: ShaclResult, locator: Locator) -> Problem:
    focus = _from_nt(result.focus)
    path = _from_nt(result.path) if result.path else None
    value = _from_nt(result.value) if result.value is not None else None
    shape_name = shorten(result.shape[1:-1]) if result.shape != "_" else result.shape_name
    rule = " / ".join(x for x in (shape_name, result.component) if x) or None
    path_s = shorten(str(path)) if isinstance(path, rdflib.URIRef) else None
    location = locator.locate(focus, path)
    message = result.message or f"{result.component} not satisfied"
    hint = (
        None
        if len(message) > 40 and ("fix" in message.lower() or ":" in message)
        else DEFAULT_HINTS.get(result.component)
    )
    return Problem(
        severity=result.severity,
        location=location,
        message=message,
        focus=_show(focus),
        path=path_s,
        value=_show(value) if value is not None else None,
        rule=rule,
        hint=hint,
    )


def _from_nt(text: str | None) -> rdflib.term.Node | None:
    """An N-Triples term (as both engines give them) as an rdflib term, for the locator."""
    if not text:
        return None
    if text.startswith("_:"):
        return rdflib.BNode(text[2:])
    if _is_iri(text):
        return rdflib.URIRef(text[1:-1])
    try:
        term = ox.parse(f"<urn:x:s> <urn:x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
        obj = next(iter(term)).object
    except (SyntaxError, StopIteration, ValueError):
        return rdflib.Literal(text)
    return to_rdflib(obj)


def _show(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return shorten(str(term))
    if isinstance(term, rdflib.Literal):
        return term.n3()
    return "a blank node"


# --------------------------------------------------------------------------- locating


class Locator:
    """Maps a node (and optionally a property) to the file and line that describe it."""

    def __init__(self, parsed: Sequence[ParsedFile]) -> None:
        self._parsed = parsed
        self._indexed = False
        self._texts: dict[Path, list[str]] = {}

    def _index(self) -> None:
        """Which files describe which subjects: built on the first problem, not before (most
        runs of a check find nothing to locate)."""
        self._indexed = True
        self.subject_files: dict[str, list[SourceFile]] = defaultdict(list)
        self.parents: dict[str, str] = {}
        for pf in self._parsed:
            seen: set[str] = set()
            for q in pf.quads:
                key = _key(q.subject)
                if key not in seen:
                    seen.add(key)
                    self.subject_files[key].append(pf.source)
                if isinstance(q.object, ox.BlankNode):
                    self.parents.setdefault(_key(q.object), key)

    def locate(
        self, node: rdflib.term.Node | None, prop: rdflib.term.Node | None,
        *, value: str | None = None, path: str | None = None,
    ) -> Location:  # fmt: skip
        """Where ``node`` is described (in the file ``path`` if it is one of them), at the
        line of ``prop`` in its block, or of ``value``'s text if given."""
        if node is None:
            return Location("(data)")
        if not self._indexed:
            self._index()
        key = f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)
        hops = 0
        while key.startswith("_:") and key in self.parents and hops < 10:
            key, hops = self.parents[key], hops + 1
        files = self.subject_files.get(key)
        if not files:
            return Location("(inferred)" if not key.startswith("_:") else "(data)")
        source = next((f for f in files if f.path.as_posix() == path), files[0])
        line = self._line(source, key, str(prop) if isinstance(prop, rdflib.URIRef) else None,
                          value)  # fmt: skip
        return Location(source.path.as_posix(), line)

    def _lines(self, source: SourceFile) -> list[str]:
        if source.path not in self._texts:
            self._texts[source.path] = source.lines()
        return self._texts[source.path]

    def _line(
        self, source: SourceFile, iri: str, prop: str | None, value: str | None = None
    ) -> int | None:
        if iri.startswith("_:"):
            return None
        lines = self._lines(source)
        prefixes = _declared_prefixes(lines)
        spellings = _spellings(iri, prefixes)
        start = None
        for i, text in enumerate(lines):
            stripped = text.lstrip()
            if any(stripped.startswith(s) and _ends_token(stripped, len(s)) for s in spellings):
                start = i
                break
        if start is None:
            for i, text in enumerate(lines):
                if any(s in text for s in spellings) or f'about="{iri}"' in text:
                    start = i
                    break
        if start is None:
            return None
        found = None
        if prop:
            prop_spellings = _spellings(prop, prefixes)
            for j in range(start, min(len(lines), start + 200)):
                if j > start and lines[j][:1] not in ("", " ", "\t"):
                    break
                if any(s in lines[j] for s in prop_spellings):
                    found = j
                    if value is None or value in lines[j]:
                        return j + 1
                elif found is not None and value is not None and value in lines[j]:
                    return j + 1  # a value on a continuation line of the property
        return (found if found is not None else start) + 1


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>", re.IGNORECASE)
_BASE_RE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_PN_ESCAPABLE = set("_~.-!$&'()*+,;=/?#@%")


def _declared_prefixes(lines: Sequence[str]) -> dict[str, str]:
    """Prefixes of a Turtle file; the empty-named key ``"@base"`` holds its base IRI."""
    out: dict[str, str] = {}
    for text in lines[:400]:
        m = _PREFIX_RE.match(text)
        if m:
            out[m.group(1) or ""] = m.group(2)
            continue
        b = _BASE_RE.match(text)
        if b:
            out["@base"] = b.group(1)
    return out


def _spellings(iri: str, prefixes: dict[str, str]) -> list[str]:
    """Ways a Turtle file may write ``iri``: full, relative to @base, prefixed (escaped or not)."""
    out = [f"<{iri}>"]
    base = prefixes.get("@base")
    if base and iri.startswith(base) and len(iri) > len(base):
        out.append(f"<{iri[len(base) :]}>")
    for prefix, ns in prefixes.items():
        if prefix == "@base" or not ns or not iri.startswith(ns) or len(iri) == len(ns):
            continue
        local = iri[len(ns) :]
        out.append(f"{prefix}:{local}")
        escaped = "".join(f"\\{c}" if c in _PN_ESCAPABLE and c not in "_-" else c for c in local)
        if escaped != local:
            out.append(f"{prefix}:{escaped}")
    return out


def _ends_token(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in " \t;,.\n"


def inconsistency_problems(parsed: Sequence[ParsedFile], found: Iterable[Any]) -> list[Problem]:
    """OWL 2 RL inconsistencies as problems located at the first data triple they involve."""
    found = list(found)
    if not found:
        return []
    locator = Locator(parsed)
    out = []
    for inc in found:
        first = inc.triples[0] if inc.triples else None
        subject = (
            rdflib.URIRef(first.subject.value)
            if first is not None and isinstance(first.subject, ox.NamedNode)
            else None
        )
        involved = "; ".join(str(t) for t in inc.triples[:4])
        out.append(
            Problem(
                severity="violation",
                location=locator.locate(subject, None)
                if subject is not None
                else Location("(data)"),
                message=f"{inc.message} (statements: {involved})" if involved else inc.message,
                focus=shorten(str(subject)) if subject is not None else None,
                rule=f"OWL 2 RL {inc.rule}",
                hint="remove or correct one of the statements that contradict the ontology",
            )
        )
    return out
