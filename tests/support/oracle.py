"""owlrl as the oracle: its OWL 2 RL closure, minus noise, in pyoxigraph terms.

Used by the tests and benchmarks/lubm.py to check that our engine derives exactly what owlrl
does. Slow (owlrl takes ~2 minutes on LUBM(1,0)); never used in a build, so it lives with the
tests rather than in the package.

Known owlrl 7.6.2 defects the comparison must avoid: prp-key compares only the first n-1 key
properties (a one-property key makes every instance of the class the same individual), and
eq-diff2/prp-adp skip the last list member. Inputs with ``owl:hasKey`` are therefore compared
without their key axioms (:func:`without_keys`); inconsistencies are not compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from milgraph.reasoning.vocab import BUILTIN_NAMESPACES, HAS_KEY
from milgraph.terms import from_rdflib, to_rdflib


def noise_category(triple: tuple[Any, Any, Any]) -> str | None:
    """:mod:`milgraph.reasoning.noise` categories, for an rdflib triple."""
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS

    s, p, o = triple
    if isinstance(s, rdflib.Literal):
        return "literal-subject"
    if not isinstance(p, rdflib.URIRef):
        return "generalized"
    if s == o and p == OWL.sameAs:
        return "reflexive"
    if o == OWL.Thing and p in (RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range):
        return "thing-nothing"
    if s == OWL.Nothing and p == RDFS.subClassOf:
        return "thing-nothing"
    if isinstance(s, rdflib.URIRef) and str(s).startswith(BUILTIN_NAMESPACES):
        return "builtin-vocabulary"
    return None


def without_keys(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples minus ``owl:hasKey`` axioms (owlrl's prp-key is wrong, see above)."""
    return [t for t in triples if t.predicate.value != HAS_KEY]


def owlrl_inferred(triples: Iterable[ox.Triple]) -> tuple[set[ox.Triple], Counter[str]]:
    """What owlrl adds to ``triples``, noise removed, and the noise it added per category."""
    import owlrl
    import rdflib

    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    inferred: set[ox.Triple] = set()
    noise: Counter[str] = Counter()
    for t in graph:
        if t in asserted:
            continue
        category = noise_category(t)
        if category:
            noise[category] += 1
        else:
            inferred.add(ox.Triple(*(from_rdflib(x) for x in t)))
    return inferred, noise


def difference(ours: Iterable[ox.Triple], theirs: set[ox.Triple], limit: int = 20) -> str:
    """Human-readable difference between our inferred triples and owlrl's ('' if none)."""
    ours = set(ours)
    missing = sorted(map(str, theirs - ours))
    extra = sorted(map(str, ours - theirs))
    if not missing and not extra:
        return ""
    lines = [f"{len(missing)} triple(s) owlrl infers but we do not, {len(extra)} we infer "
             "but owlrl does not"]
    lines += [f"  missing: {t}" for t in missing[:limit]]
    lines += [f"  extra:   {t}" for t in extra[:limit]]
    return "\n".join(lines)
