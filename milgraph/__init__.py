"""milgraph: a reasoned knowledge graph of military-diplomacy relationships."""

__version__ = "0.1.0"
