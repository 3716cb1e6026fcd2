"""RDF terms as people type and read them: ``nation:FIN``, ``<https://…>``, ``"1999"^^xsd:gYear``

One place, so every command, endpoint and message reads and prints terms alike: the parser of
terms typed by a person, the shorteners (explanations, tables, validation messages), the
SPARQL JSON form, N-Triples text (the side files of a snapshot) and the rdflib conversions
(pySHACL, rdflib's SPARQL algebra). pyoxigraph's term classes are the term model everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal, overload

import pyoxigraph as ox
import rdflib

from milgraph.errors import QueryError
from milgraph.namespaces import DISPLAY_PREFIXES, PREFIXES, XSD_STRING, sparql_prologue

Term = ox.NamedNode | ox.BlankNode | ox.Literal
"""A term of a plain RDF triple (no quoted triples)."""

_CURIE = re.compile(r"^([A-Za-z][\w-]*):([^\s<>\"]*)$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: A SPARQL/Turtle PN_LOCAL without escapes (ASCII): no '/', no final '.', so that what is
#: printed as ``prefix:local`` parses back as the same IRI.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_:](?:[A-Za-z0-9_\-.:]*[A-Za-z0-9_\-:])?)?")

_HELP = (
    'write an IRI as <https://…> or prefix:name (prefixes: {}), a literal as "text", '
    '"1999-03-12"^^xsd:date or "text"@en'
)

# --------------------------------------------------------------------------- reading


@overload
def parse_term(
    text: str, position: str = ..., *, literal: Literal[False]
) -> ox.NamedNode | ox.BlankNode: ...
@overload
def parse_term(text: str, position: str = ..., *, literal: bool = ...) -> Term | ox.Triple: ...
def parse_term(text: str, position: str = "term", *, literal: bool = True) -> Term | ox.Triple:
    """A term typed by a person; ``QueryError`` naming ``position`` if it cannot be read."""
    raw = text.strip()
    hint = _HELP.format(", ".join(sorted(PREFIXES)))
    if not raw:
        raise QueryError(f"{position}: empty value ({hint})")
    if raw.startswith("<") and raw.endswith(">"):
        return _iri(raw[1:-1], position, hint)
    if raw.startswith("_:"):
        return ox.BlankNode(raw[2:])
    m = _CURIE.match(raw)
    if m and m.group(1) in PREFIXES:
        return ox.NamedNode(PREFIXES[m.group(1)] + m.group(2))
    if _SCHEME.match(raw) and not raw.startswith('"') and " " not in raw:
        if m and m.group(1) not in ("http", "https", "urn", "mailto", "file", "tag"):
            raise QueryError(f"{position}: unknown prefix {m.group(1)!r} in {raw!r} ({hint})")
        return _iri(raw, position, hint)
    if not literal:
        raise QueryError(f"{position}: {raw!r} is not an IRI ({hint})")
    try:
        doc = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
        quads = list(ox.parse(input=f"{doc}<urn:s> <urn:p> {raw} .", format=ox.RdfFormat.TURTLE))
    except SyntaxError:
        raise QueryError(f"{position}: cannot read {raw!r} as a term ({hint})") from None
    if len(quads) != 1:
        raise QueryError(f"{position}: {raw!r} is more than one term ({hint})")
    return quads[0].object


def _iri(value: str, position: str, hint: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise QueryError(f"{position}: {value!r} is not a valid IRI ({hint})") from None


def from_ntriples(text: str) -> Term | ox.Triple:
    """A term from its N-Triples form (``str(term)``), as the snapshot's side files store it."""
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    quads = list(ox.parse(input=f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES))
    return quads[0].object


# --------------------------------------------------------------------------- writing


def short(term: object) -> str:
    """Compact, unambiguous text that SPARQL reads back: ``nation:FIN``, ``<…/atop-3755>``,
    ``"2023-04-04"^^xsd:date``."""
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        quoted = '"' + term.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype.value == XSD_STRING:
            return quoted
        return f"{quoted}^^{short_iri(term.datatype.value)}"
    if isinstance(term, ox.Triple):
        return f"{short(term.subject)} {short(term.predicate)} {short(term.object)}"
    subject, predicate, obj = (getattr(term, n, None) for n in ("subject", "predicate", "object"))
    if subject is not None:  # a generalised triple (reasoning.GeneralizedTriple)
        return f"{short(subject)} {short(predicate)} {short(obj)}"
    return str(term)


def short_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``prefix:local`` when the longest namespace that covers the IRI leaves a valid SPARQL
    local name (``nation:FIN``, ``mil:memberOf``), else ``<iri>``: printed terms can be pasted
    back into a query (``id:alliance/atop-3755`` would not parse)."""
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        rest = iri[len(ns) :]
        if iri.startswith(ns) and _LOCAL.fullmatch(rest):
            return f"{prefix}:{rest}"
    return f"<{iri}>"


def cell(term: object) -> str:
    """A term in a table cell: IRIs shortened, literals as their text, nothing as ''."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value, DISPLAY_PREFIXES)
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def term_json(term: object) -> dict[str, str]:
    """A term in SPARQL 1.1 JSON results form (``type``, ``value``, ``datatype``/``xml:lang``)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        else:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


# --------------------------------------------------------------------------- rdflib


def to_rdflib(term: object) -> rdflib.URIRef | rdflib.BNode | rdflib.Literal:
    """pyoxigraph term -> rdflib term (a simple literal becomes a plain rdflib literal)."""
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


def from_rdflib(term: object) -> Term | ox.Variable:
    """rdflib term -> pyoxigraph term (variables of a parsed query included)."""
    if isinstance(term, rdflib.Variable):
        return ox.Variable(str(term))
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")
