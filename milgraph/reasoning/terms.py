"""Dictionary encoding: every RDF term gets a small int, so rules join on ints, not objects."""

from __future__ import annotations

from typing import Any, NamedTuple

import pyoxigraph as ox

from milgraph.reasoning.vocab import BUILTIN_NAMESPACES, LANG_STRING

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
IntTriple = tuple[int, int, int]

# Bit flags kept per term id.
IRI = 1
BNODE = 2
LITERAL = 4
QUOTED = 8
BUILTIN = 16  # an IRI of the rdf:, rdfs:, owl: or xsd: vocabulary


class GeneralizedTriple(NamedTuple):
    """A triple RDF cannot hold (literal subject, blank-node predicate) that OWL 2 RL still uses
    as a premise, e.g. ``"5"^^xsd:int rdf:type xsd:int``. Same attribute names as ``ox.Triple``."""

    subject: Term
    predicate: Term
    object: Term

    def __str__(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}"


class TermTable:
    """Two-way map between pyoxigraph terms and ints, with a flag byte per term."""

    def __init__(self) -> None:
        self.terms: list[Term] = []
        self.ids: dict[Term, int] = {}
        self.flags = bytearray()

    def __len__(self) -> int:
        return len(self.terms)

    def iri(self, value: str) -> int:
        return self.encode(ox.NamedNode(value))

    def encode(self, term: Term) -> int:
        """The id of ``term``, allocating one (and computing its flags) on first sight."""
        i = self.ids.get(term)
        if i is not None:
            return i
        i = len(self.terms)
        self.terms.append(term)
        self.ids[term] = i
        if isinstance(term, ox.NamedNode):
            flag = IRI | (BUILTIN if term.value.startswith(BUILTIN_NAMESPACES) else 0)
        elif isinstance(term, ox.BlankNode):
            flag = BNODE
        elif isinstance(term, ox.Literal):
            flag = LITERAL
        else:
            flag = QUOTED
        self.flags.append(flag)
        return i

    def lookup(self, term: Term) -> int | None:
        """The id of a term already seen, else None (never allocates)."""
        return self.ids.get(term)

    def is_literal(self, i: int) -> bool:
        return bool(self.flags[i] & LITERAL)

    def triple(self, t: IntTriple) -> ox.Triple | GeneralizedTriple:
        """Decode to an ``ox.Triple``, or a ``GeneralizedTriple`` where RDF cannot hold it."""
        s, p, o = t
        terms: list[Any] = self.terms  # the flags say which terms may stand where
        if self.flags[s] & LITERAL or not self.flags[p] & IRI:
            return GeneralizedTriple(terms[s], terms[p], terms[o])
        return ox.Triple(terms[s], terms[p], terms[o])

    def encode_triple(self, t: ox.Triple | GeneralizedTriple | ox.Quad) -> IntTriple | None:
        """Ids of a triple's terms if all are known, else None."""
        ids = self.ids
        s = ids.get(t.subject)
        p = ids.get(t.predicate)
        o = ids.get(t.object)
        if s is None or p is None or o is None:
            return None
        return (s, p, o)


def literal_datatype(term: ox.Literal) -> str:
    """RDF 1.1 datatype IRI of a literal (``rdf:langString`` for language-tagged ones)."""
    if term.language:
        return LANG_STRING
    return term.datatype.value
