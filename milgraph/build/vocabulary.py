"""The closed vocabulary and well-formed literals: checks no shape can make.

SHACL sees a misspelt property (``mil:particpant``) as just another property, and pySHACL's
rdflib as a traceback when a date does not exist (``"2019-09-31"^^xsd:date``). Here every
term in milgraph's own namespaces (``namespaces.BASE``: ``mil:``, the shapes, graph names)
that a data file uses must be declared by the ontology, and every typed literal must be in its
datatype's lexical space; each miss is an error at the file and line, with the declared term
nearest in spelling ("did you mean mil:participant?") or an example of a valid value.

Records (``id/…``, ``nation:``, ``org:``) are not vocabulary: a reference to a record no file
describes is the shapes' ``milsh:…Described`` rule, whose message gains a suggestion here
(:func:`suggest_record`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib

from milgraph.build.check import Locator, Problem, shorten
from milgraph.build.sources import ParsedFile
from milgraph.errors import Location
from milgraph.namespaces import BASE, ID_IRI, OWL, RDF, RDF_TYPE, RDFS, XSD
from milgraph.reasoning.datatypes import is_valid_lexical

_CLASS_TYPES = frozenset({OWL + "Class", RDFS + "Class", RDFS + "Datatype"})
_PROPERTY_TYPES = frozenset(
    {RDF + "Property"}
    | {OWL + k for k in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                         "FunctionalProperty", "InverseFunctionalProperty", "TransitiveProperty",
                         "SymmetricProperty", "AsymmetricProperty", "ReflexiveProperty",
                         "IrreflexiveProperty")}
)  # fmt: skip

#: A valid value to show for each datatype a steward is likely to write.
EXAMPLES: dict[str, str] = {
    XSD + "date": '"2024-03-07"^^xsd:date',
    XSD + "dateTime": '"2024-03-07T09:30:00Z"^^xsd:dateTime',
    XSD + "gYear": '"2024"^^xsd:gYear',
    XSD + "gYearMonth": '"2024-03"^^xsd:gYearMonth',
    XSD + "integer": "42 (or \"42\"^^xsd:integer)",
    XSD + "nonNegativeInteger": '0 (or "0"^^xsd:nonNegativeInteger)',
    XSD + "positiveInteger": '1 (or "1"^^xsd:positiveInteger)',
    XSD + "int": '42 (or "42"^^xsd:int)',
    XSD + "decimal": "3.5 (or \"3.5\"^^xsd:decimal)",
    XSD + "double": "3.5e0 (or \"3.5E0\"^^xsd:double)",
    XSD + "float": '"3.5"^^xsd:float',
    XSD + "boolean": "true or false",
    XSD + "anyURI": '"https://www.nato.int/"^^xsd:anyURI',
}

_DAY = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})")
_TZ = r"(Z|[+-]\d{2}:\d{2})?"
#: Common lexical forms accepted without the datatype's converter (most of the bundled
#: data's literals): a fast path that only ever says "valid"; anything else goes to the
#: converter the reasoner's dt-not-type uses, so both agree.
_PLAIN = {
    XSD + "date": re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}}){_TZ}$"),
    XSD + "gYear": re.compile(rf"^\d{{4}}{_TZ}$"),
    XSD + "gYearMonth": re.compile(rf"^\d{{4}}-(0[1-9]|1[0-2]){_TZ}$"),
    XSD + "integer": re.compile(r"^[+-]?\d{1,18}$"),
    XSD + "decimal": re.compile(r"^[+-]?\d{1,15}(\.\d{1,15})?$"),
    XSD + "boolean": re.compile(r"^(true|false|1|0)$"),
}


def _plainly_valid(value: str, dt: str) -> bool:
    pattern = _PLAIN.get(dt)
    m = pattern.match(value) if pattern else None
    if m is None:
        return False
    if dt == XSD + "date":
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(max(year, 1), month)[1]
    return True


@dataclass
class Vocabulary:
    """The terms the ontology declares, by kind, for membership tests and suggestions."""

    classes: set[str] = field(default_factory=set)
    properties: set[str] = field(default_factory=set)
    described: set[str] = field(default_factory=set)  # every project-namespace subject

    @classmethod
    def of(cls, ontology: Iterable[ParsedFile]) -> Vocabulary:
        vocab = cls()
        for pf in ontology:
            for q in pf.quads:
                s = q.subject
                if not isinstance(s, ox.NamedNode) or not s.value.startswith(BASE):
                    continue
                vocab.described.add(s.value)
                if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                    if q.object.value in _CLASS_TYPES:
                        vocab.classes.add(s.value)
                    elif q.object.value in _PROPERTY_TYPES:
                        vocab.properties.add(s.value)
        return vocab


def nearest(iri: str, among: Iterable[str], limit: int | None = None) -> str | None:
    """The candidate nearest to ``iri`` in edit distance (case-insensitive), if near enough:
    at most a third of the name's length, so that unrelated names are not offered."""
    name = iri.lower()
    bound = limit if limit is not None else max(2, len(_local(iri)) // 3)
    best: tuple[int, str] | None = None
    for candidate in among:
        if abs(len(candidate) - len(iri)) > bound:
            continue
        d = distance(name, candidate.lower(), bound)
        if d <= bound and (best is None or (d, candidate) < best):
            best = (d, candidate)
    return best[1] if best else None


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1] or iri


def distance(a: str, b: str, bound: int) -> int:
    """Levenshtein distance with adjacent transpositions, cut off above ``bound``."""
    if a == b:
        return 0
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > bound:
            return bound + 1
        prev2, prev = prev, cur
    return prev[-1]


# --------------------------------------------------------------------------- the checks


def vocabulary_problems(
    files: Sequence[ParsedFile], vocab: Vocabulary, locator: Locator
) -> list[Problem]:
    """Undeclared project-namespace terms and ill-formed literals in ``files``."""
    out: list[Problem] = []
    for pf in files:
        out.extend(_file_problems(pf, vocab, locator))
    return out


def _file_problems(pf: ParsedFile, vocab: Vocabulary, locator: Locator) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    literals: dict[tuple[str, str], bool] = {}
    out: list[Problem] = []
    path = pf.source.path.as_posix()
    for q in pf.quads:
        s, p, o = q.subject, q.predicate, q.object
        if p.value.startswith(BASE) and p.value not in vocab.properties:
            key = ("p", p.value)
            if key not in seen:
                seen.add(key)
                out.append(_undeclared(path, s, p, p.value, "property", vocab.properties,
                                       locator))  # fmt: skip
        if isinstance(o, ox.NamedNode) and o.value.startswith(BASE) and not o.value.startswith(
            ID_IRI
        ):
            if p.value == RDF_TYPE:
                if o.value not in vocab.classes:
                    key = ("c", o.value)
                    if key not in seen:
                        seen.add(key)
                        out.append(_undeclared(path, s, p, o.value, "class", vocab.classes,
                                               locator))  # fmt: skip
            elif o.value not in vocab.described:
                key = ("t", o.value)
                if key not in seen:
                    seen.add(key)
                    out.append(_undeclared(path, s, p, o.value, "term", vocab.described,
                                           locator))  # fmt: skip
        elif isinstance(o, ox.Literal) and not o.language:
            dt = o.datatype.value
            if dt.startswith(XSD) and dt != XSD + "string":
                lit_key = (o.value, dt)
                ok = literals.get(lit_key)
                if ok is None:
                    ok = literals[lit_key] = _plainly_valid(o.value, dt) or is_valid_lexical(
                        o.value, dt
                    )
                if not ok:
                    out.append(_bad_literal(path, s, p, o, locator))
    return out


def _undeclared(
    path: str, subject: ox.NamedNode | ox.BlankNode | ox.Triple, prop: ox.NamedNode, iri: str,
    kind: str, among: set[str], locator: Locator,
) -> Problem:  # fmt: skip
    where = _where(path, subject, prop, iri, locator)
    guess = nearest(iri, among)
    term = shorten(iri)
    what = {"property": "property", "class": "class", "term": "term"}[kind]
    hint = (
        f"did you mean {shorten(guess)}? Otherwise declare {term} in ontology/milgraph.ttl "
        "(label, comment, domain and range) and docs/vocabulary.md"
        if guess
        else f"use a {what} the ontology declares (docs/vocabulary.md), or declare {term} in "
        "ontology/milgraph.ttl (label, comment, domain and range) and docs/vocabulary.md"
    )
    return Problem(
        severity="error",
        location=where,
        message=f"{term} is not a {what} the ontology declares",
        focus=_show(subject),
        path=shorten(prop.value) if kind != "property" else None,
        value=term,
        rule="closed vocabulary",
        hint=hint,
    )


def _bad_literal(
    path: str, subject: ox.NamedNode | ox.BlankNode | ox.Triple, prop: ox.NamedNode,
    literal: ox.Literal, locator: Locator,
) -> Problem:  # fmt: skip
    dt = literal.datatype.value
    why = _why(literal.value, dt)
    example = EXAMPLES.get(dt)
    hint = f"write a valid {shorten(dt)}, e.g. {example}" if example else (
        f"write a value in the lexical space of {shorten(dt)}"
    )
    if dt == XSD + "date":
        hint += " (check the day against the source; leave the date out if it is not known)"
    shown = f'"{literal.value}"^^{shorten(dt)}'
    return Problem(
        severity="error",
        location=_where(path, subject, prop, literal.value, locator),
        message=f"{shown} is not a valid {shorten(dt)}{why}",
        focus=_show(subject),
        path=shorten(prop.value),
        value=shown,
        rule="well-formed literal",
        hint=hint,
    )


def _why(value: str, dt: str) -> str:
    if dt != XSD + "date":
        return ""
    m = _DAY.match(value)
    if not m:
        return " (a date is written YYYY-MM-DD)"
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= month <= 12:
        return f" (there is no month {month:02d})"
    days = calendar.monthrange(year if year > 0 else 2000, month)[1]
    if not 1 <= day <= days:
        return f" ({calendar.month_name[month]} {year} has {days} days)"
    return ""


def _where(
    path: str, subject: ox.NamedNode | ox.BlankNode | ox.Triple, prop: ox.NamedNode, text: str,
    locator: Locator,
) -> Location:  # fmt: skip
    """The line of the statement: the subject's block, then its property, then the value."""
    node: rdflib.term.Node | None
    if isinstance(subject, ox.NamedNode):
        node = rdflib.URIRef(subject.value)
    elif isinstance(subject, ox.BlankNode):
        node = rdflib.BNode(subject.value)
    else:
        node = None
    found = locator.locate(node, rdflib.URIRef(prop.value), value=text, path=path)
    return found if found.path == path else Location(path, found.line)


def _show(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return "a blank node"


# --------------------------------------------------------------------------- records


def described_records(parsed: Iterable[ParsedFile]) -> set[str]:
    """Records (``id/…`` IRIs) that have an rdfs:label somewhere: what a reference may name."""
    label = RDFS + "label"
    return {
        q.subject.value
        for pf in parsed
        for q in pf.quads
        if q.predicate.value == label
        and isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(ID_IRI)
    }


def suggest_record(iri: str, described: set[str]) -> str | None:
    """The described record of the same kind (``id/nation/``, ``id/org/``…) nearest to ``iri``."""
    kind = iri.rsplit("/", 1)[0] + "/"
    return nearest(iri, [d for d in described if d.startswith(kind)])


def with_record_suggestions(problems: Sequence[Problem], described: set[str]) -> list[Problem]:
    """The shapes' "points to an IRI that no record describes" problems, with the described
    record nearest in spelling as the hint ("did you mean nation:IND?")."""
    from dataclasses import replace

    out = []
    for p in problems:
        value = p.value
        if p.rule and "Described" in p.rule and value and not value.startswith('"'):
            iri = _expand(value)
            if iri and iri not in described:
                guess = suggest_record(iri, described)
                if guess:
                    p = replace(p, hint=f"did you mean {_short_record(guess)}? (or add the "
                                f"record {_short_record(iri)})")  # fmt: skip
        out.append(p)
    return out


def _short_record(iri: str) -> str:
    """A record's IRI with its kind's prefix (``nation:IND``), else as validation shows it."""
    from milgraph.namespaces import PREFIXES

    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None or "/" in iri[len(best):]:
        return shorten(iri)
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def _expand(shown: str) -> str | None:
    from milgraph.namespaces import DISPLAY_PREFIXES

    if shown.startswith("<") and shown.endswith(">"):
        return shown[1:-1]
    prefix, _, local = shown.partition(":")
    ns = DISPLAY_PREFIXES.get(prefix)
    return ns + local if ns else None
