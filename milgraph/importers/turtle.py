"""A small deterministic Turtle writer.

Importer output is committed to git and loaded by the server, so the same input must give the
same bytes: triples are de-duplicated, subjects sorted (numbers inside IRIs in numeric order),
predicates sorted with ``rdf:type`` first, objects sorted, prefixes fixed. No blank nodes are
ever written. IRIs under ``https://w3id.org/milgraph/id/`` are written relative to ``@base`` so
that slashes in identifiers (memberships, statehood periods) need no escaping.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from milgraph.namespaces import (
    DCAT,
    DCTERMS_IRI,
    GEO,
    ID_IRI,
    MIL_IRI,
    PROV_IRI,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS_IRI,
    VOID,
    XSD,
)

#: Prefixes every importer output declares, in this order.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("mil", MIL_IRI),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("xsd", XSD),
    ("skos", SKOS_IRI),
    ("dcterms", DCTERMS_IRI),
    ("prov", PROV_IRI),
    ("dcat", DCAT),
    ("geo", GEO),
    ("void", VOID),
)

_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
_NATURAL = re.compile(r"([0-9]+)")


@dataclass(frozen=True)
class Iri:
    value: str


@dataclass(frozen=True)
class Literal:
    lexical: str
    datatype: str | None = None
    lang: str | None = None


Term = Iri | Literal


def text(value: str, lang: str | None = None) -> Literal:
    return Literal(value, None, lang)


def typed(value: object, datatype: str) -> Literal:
    return Literal(str(value), datatype)


def integer(value: int) -> Literal:
    return Literal(str(value), XSD + "integer")


def natural_key(value: str) -> tuple:
    """Sort key putting ``mme-87`` before ``mme-100``."""
    parts = _NATURAL.split(value)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _escape(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


class TurtleDocument:
    """Triples collected by an importer, rendered as sorted Turtle."""

    def __init__(self, header: Iterable[str] = ()) -> None:
        self._triples: dict[str, dict[str, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self._header = list(header)

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        self._triples[subject][predicate].add(obj)

    def add_iri(self, subject: str, predicate: str, obj: str) -> None:
        self.add(subject, predicate, Iri(obj))

    def subjects(self) -> list[str]:
        return list(self._triples)

    def has_subject(self, subject: str) -> bool:
        return subject in self._triples

    def objects(self, subject: str, predicate: str) -> set[Term]:
        return set(self._triples.get(subject, {}).get(predicate, set()))

    def __len__(self) -> int:
        return sum(len(objs) for preds in self._triples.values() for objs in preds.values())

    # -- rendering ---------------------------------------------------------------------------

    def _iri(self, iri: str) -> str:
        if iri == RDF_TYPE:
            return "a"
        if iri.startswith(ID_IRI):
            return f"<{iri[len(ID_IRI):]}>"
        for prefix, ns in PREFIXES:
            if iri.startswith(ns) and _PN_LOCAL.match(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

    def _term(self, term: Term) -> str:
        if isinstance(term, Iri):
            return self._iri(term.value)
        quoted = f'"{_escape(term.lexical)}"'
        if term.lang:
            return f"{quoted}@{term.lang}"
        if term.datatype is None or term.datatype == XSD + "string":
            return quoted
        if term.datatype == XSD + "integer" and _INTEGER.match(term.lexical):
            return term.lexical
        if term.datatype == XSD + "decimal" and _DECIMAL.match(term.lexical):
            return term.lexical
        if term.datatype == XSD + "boolean" and term.lexical in ("true", "false"):
            return term.lexical
        return f"{quoted}^^{self._iri(term.datatype)}"

    def render(self) -> str:
        lines = [f"# {h}" if h else "#" for h in self._header]
        if lines:
            lines.append("")
        lines.append(f"@base <{ID_IRI}> .")
        lines.extend(f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES)
        for subject in sorted(self._triples, key=natural_key):
            preds = self._triples[subject]
            lines.append("")
            lines.append(self._iri(subject))
            order = sorted(preds, key=lambda p: (p != RDF_TYPE, self._iri(p)))
            for i, pred in enumerate(order):
                objs = sorted((self._term(o) for o in preds[pred]), key=natural_key)
                end = " ." if i == len(order) - 1 else " ;"
                line = f"    {self._iri(pred)} {' , '.join(objs)}{end}"
                if len(objs) > 1 and len(line) > 100:  # one object per line, for diffs
                    line = f"    {self._iri(pred)}\n        " + " ,\n        ".join(objs) + end
                lines.append(line)
        return "\n".join(lines) + "\n"
