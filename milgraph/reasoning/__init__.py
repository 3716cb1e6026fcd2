"""Reasoning: OWL 2 RL (owlrl's semantics, ~20x faster) plus SPARQL rules, to a fixpoint.

Public API (docs/reasoning.md):

- :func:`reason` -> :class:`ReasoningResult` (``inferred``, ``derivations``,
  ``inconsistencies``, ``stats``)
- the rules it runs are :class:`milgraph.rules.Rule` (``milgraph.rules.load_rules``)
- :func:`write_provenance` / :class:`ProvenanceStore` (``derivation(triple)``, ``explain``)
"""

from milgraph.reasoning.consistency import Inconsistency
from milgraph.reasoning.provenance import Explanation, ProvenanceStore, write_provenance
from milgraph.reasoning.reasoner import (
    VERSION,
    Derivation,
    DerivationMap,
    ReasoningResult,
    reason,
)
from milgraph.reasoning.terms import GeneralizedTriple

__all__ = [
    "VERSION",
    "Derivation",
    "DerivationMap",
    "Explanation",
    "GeneralizedTriple",
    "Inconsistency",
    "ProvenanceStore",
    "ReasoningResult",
    "reason",
    "write_provenance",
]
