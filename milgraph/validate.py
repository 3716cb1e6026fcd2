"""Validation a steward can act on: parse errors and SHACL results located at file:line.

pySHACL reports focus nodes, not places in files; we map each focus node back to the file
and line where it is described, so the steward goes straight to the broken statement.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from milgraph.errors import InputError, Location, ParseError
from milgraph.loader import ParsedFile, SourceFile
from milgraph.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
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


# --------------------------------------------------------------------------- term conversion


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


#: Prefixes used only to display IRIs in messages.
DISPLAY_PREFIXES = {**PREFIXES, "milsh": "https://w3id.org/milgraph/shapes#"}


def shorten(iri: str) -> str:
    for prefix, ns in DISPLAY_PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_\-./]+", iri[len(ns) :] or "-"):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


# --------------------------------------------------------------------------- SHACL


def shacl_problems(
    parsed: Sequence[ParsedFile], inferred: Iterable[ox.Triple], shapes: Path
) -> list[Problem]:
    """Run pySHACL on asserted ∪ inferred data (already reasoned: no pySHACL inference)."""
    import pyshacl

    data = rdflib.Graph()
    for pf in parsed:
        for q in pf.quads:
            data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    for t in inferred:
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    locator = Locator(parsed)
    problems = [
        # top-level results only: nested sh:detail results restate the same problem
        _problem(report, r, locator)
        for r in set(report.objects(None, SH.result))
    ]
    problems.sort(key=lambda p: (p.location.path, p.location.line or 0, p.message))
    return problems


def _problem(report: rdflib.Graph, result: rdflib.term.Node, locator: Locator) -> Problem:
    def one(pred: rdflib.URIRef) -> rdflib.term.Node | None:
        return report.value(result, pred)

    focus = one(SH.focusNode)
    path = one(SH.resultPath)
    value = one(SH.value)
    severity = SEVERITY.get(one(SH.resultSeverity), "violation")  # type: ignore[arg-type]
    messages = [str(m) for m in report.objects(result, SH.resultMessage)]
    component = str(one(SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1]
    shape = one(SH.sourceShape)
    shape_name = None
    if shape is not None:
        shape_name = str(report.value(shape, SH.name) or "") or (
            shorten(str(shape)) if isinstance(shape, rdflib.URIRef) else None
        )
    rule = " / ".join(x for x in (shape_name, component) if x) or None
    path_s = shorten(str(path)) if isinstance(path, rdflib.URIRef) else None
    location = locator.locate(focus, path)
    message = messages[0] if messages else f"{component} not satisfied"
    hint = (
        None
        if len(message) > 40 and ("fix" in message.lower() or ":" in message)
        else DEFAULT_HINTS.get(component)
    )
    return Problem(
        severity=severity,
        location=location,
        message=message,
        focus=_show(focus),
        path=path_s,
        value=_show(value) if value is not None else None,
        rule=rule,
        hint=hint,
    )


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
        self.subject_files: dict[str, list[SourceFile]] = defaultdict(list)
        self.parents: dict[str, str] = {}
        for pf in parsed:
            seen: set[str] = set()
            for q in pf.quads:
                key = _key(q.subject)
                if key not in seen:
                    seen.add(key)
                    self.subject_files[key].append(pf.source)
                if isinstance(q.object, ox.BlankNode):
                    self.parents.setdefault(_key(q.object), key)
        self._texts: dict[Path, list[str]] = {}

    def locate(self, node: rdflib.term.Node | None, prop: rdflib.term.Node | None) -> Location:
        if node is None:
            return Location("(data)")
        key = f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)
        hops = 0
        while key.startswith("_:") and key in self.parents and hops < 10:
            key, hops = self.parents[key], hops + 1
        files = self.subject_files.get(key)
        if not files:
            return Location("(inferred)" if not key.startswith("_:") else "(data)")
        source = files[0]
        line = self._line(source, key, str(prop) if isinstance(prop, rdflib.URIRef) else None)
        return Location(source.path.as_posix(), line)

    def _lines(self, path: Path) -> list[str]:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._texts[path] = []
        return self._texts[path]

    def _line(self, source: SourceFile, iri: str, prop: str | None) -> int | None:
        if iri.startswith("_:"):
            return None
        lines = self._lines(source.path)
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
        if prop:
            prop_spellings = _spellings(prop, prefixes)
            for j in range(start, min(len(lines), start + 200)):
                if j > start and lines[j][:1] not in ("", " ", "\t"):
                    break
                if any(s in lines[j] for s in prop_spellings):
                    return j + 1
        return start + 1


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
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


# --------------------------------------------------------------------------- whole inputs


def validate_inputs(
    paths_given: Sequence[Path] | None = None, ontology: Path | None = None
) -> list[Problem]:
    """Every problem in the given data files (default: all bundled data), in context.

    Files inside the bundled data directory are checked together with the rest of the bundled
    data (a membership may point to a nation described in another file); problems are reported
    only for the files asked about. Other files are checked with the ontology alone.
    """
    from milgraph import paths, reasoning
    from milgraph.loader import check_input_size, discover, parse_all
    from milgraph.snapshot import rules_dir_for, shapes_for

    given = [Path(p) for p in paths_given] if paths_given else [paths.DATA_DIR]
    try:
        ontology_dir = Path(ontology) if ontology else paths.ONTOLOGY_DIR
        ontology_sources = discover([ontology_dir], "ontology")
        inside = all(_is_within(p, paths.DATA_DIR) for p in given)
        context = [paths.DATA_DIR] if inside else given
        data_sources = discover(context, "data")
        asked = {s.path.resolve() for s in discover(given, "data")}
        check_input_size(ontology_sources + data_sources)
    except InputError as exc:
        return [Problem.from_input_error(exc)]

    parsed, errors = parse_all(ontology_sources + data_sources)
    problems = [Problem.from_input_error(e) for e in errors]
    if errors:
        return problems
    triples = list(
        {ox.Triple(q.subject, q.predicate, q.object): None for pf in parsed for q in pf.quads}
    )
    rules_dir = rules_dir_for(ontology)
    rules = reasoning.load_rules(rules_dir) if rules_dir.is_dir() else []
    result = reasoning.reason(triples, rules=rules)
    problems.extend(inconsistency_problems(parsed, result.inconsistencies))
    shapes = shapes_for(ontology)
    if shapes.is_file():
        problems.extend(shacl_problems(parsed, result.inferred, shapes))
    asked_posix = {p.as_posix() for p in asked}
    return [
        p
        for p in problems
        if p.location.path in asked_posix
        or Path(p.location.path).resolve().as_posix() in asked_posix
        or p.location.path.startswith("(")
    ]


def inconsistency_problems(parsed: Sequence[ParsedFile], found: Iterable[Any]) -> list[Problem]:
    """OWL 2 RL inconsistencies as problems located at the first data triple they involve."""
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


def _is_within(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True
