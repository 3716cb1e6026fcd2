"""RDF terms as people type and read them: ``id:nation/FIN``, ``<https://…>``, ``"1999"^^xsd:gYear``

One place, so every analyst-facing command and endpoint reads and prints terms alike.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from milgraph.errors import QueryError
from milgraph.namespaces import PREFIXES, sparql_prologue

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_CURIE = re.compile(r"^([A-Za-z][\w-]*):([^\s<>\"]*)$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LOCAL = re.compile(r"[A-Za-z0-9_\-./]+")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_HELP = (
    'write an IRI as <https://…> or prefix:name (prefixes: {}), a literal as "text", '
    '"1999-03-12"^^xsd:date or "text"@en'
)


def parse_term(text: str, position: str = "term", *, literal: bool = True) -> Term:
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


def short(term: Any) -> str:
    """Compact, unambiguous text: ``id:nation/FIN``, ``"2023-04-04"^^xsd:date``."""
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
    if hasattr(term, "subject"):
        return f"{short(term.subject)} {short(term.predicate)} {short(term.object)}"
    return str(term)


def short_iri(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        rest = iri[len(ns) :]
        if iri.startswith(ns) and _LOCAL.fullmatch(rest or "-"):
            return f"{prefix}:{rest}"
    return f"<{iri}>"


def term_json(term: Any) -> dict[str, str]:
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
