"""Reasoning: OWL 2 RL (owlrl's semantics, ~20x faster) plus SPARQL rules, to a fixpoint.

Public API (docs/reasoning.md):

- :func:`reason` -> :class:`ReasoningResult` (``inferred``, ``derivations``,
  ``inconsistencies``, ``stats``)
- :func:`load_rules` -> list of :class:`SparqlRule`
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
from milgraph.reasoning.rules import RuleFileError, RuleLoopError, SparqlRule, load_rules
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
    "RuleFileError",
    "RuleLoopError",
    "SparqlRule",
    "load_rules",
    "reason",
    "write_provenance",
]
