"""What counts as noise: entailed triples that say nothing about the data.

OWL 2 RL (and owlrl, our oracle) entails them; we derive them internally where a rule may use
them, and never publish them. The definition (docs/reasoning.md, "Noise") is, in this order:

``literal-subject``
    the subject is a literal (``"5"^^xsd:int rdf:type xsd:decimal``); RDF cannot even hold it.
``generalized``
    the predicate is not an IRI (owlrl deletes these too).
``reflexive``
    ``x owl:sameAs x``: true of every term (owlrl adds it for each one).
    Reflexive schema triples (``c rdfs:subClassOf c`` for each declared class, the same for
    properties and equivalence) are *published*: RDFS and the SPARQL entailment regimes
    expect them (``?x a ?c . ?c rdfs:subClassOf :d`` must find the instances of ``:d``).
``thing-nothing``
    ``x rdf:type owl:Thing``, ``c rdfs:subClassOf owl:Thing``, ``owl:Nothing rdfs:subClassOf c``,
    ``p rdfs:domain owl:Thing``, ``p rdfs:range owl:Thing``: true of every individual, class or
    property.
``builtin-vocabulary``
    the subject is an IRI of the rdf:, rdfs:, owl: or xsd: namespace
    (``owl:Thing rdf:type owl:Class``, ``xsd:string owl:disjointWith xsd:decimal``): axioms
    about the language, not the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from milgraph.reasoning.terms import BUILTIN, IRI, LITERAL, IntTriple

if TYPE_CHECKING:
    from milgraph.reasoning.engine import Engine

CATEGORIES = ("literal-subject", "generalized", "reflexive", "thing-nothing",
              "builtin-vocabulary")


class NoiseFilter:
    """Classifies int triples of one engine."""

    def __init__(self, engine: Engine) -> None:
        v = engine.v
        self.flags = engine.table.flags
        self.TYPE = v.TYPE
        self.THING = v.THING
        self.NOTHING = v.NOTHING
        self.SUB = v.SUBCLASS
        self.SAME_AS = v.SAME_AS
        self.dom_rng = frozenset({v.DOMAIN, v.RANGE})

    def category(self, t: IntTriple) -> str | None:
        """The noise category of a triple, or None if it is worth publishing."""
        s, p, o = t
        flags = self.flags
        if flags[s] & LITERAL:
            return "literal-subject"
        if not flags[p] & IRI:
            return "generalized"
        if s == o and p == self.SAME_AS:
            return "reflexive"
        if o == self.THING and (p == self.TYPE or p == self.SUB or p in self.dom_rng):
            return "thing-nothing"
        if s == self.NOTHING and p == self.SUB:
            return "thing-nothing"
        if flags[s] & BUILTIN:
            return "builtin-vocabulary"
        return None
