"""What a snapshot holds: classes and properties with counts, asserted vs inferred, by decade."""

from __future__ import annotations

from dataclasses import dataclass, field

from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, MIL_IRI, sparql_prologue
from milgraph.store.base import solutions
from milgraph.store.snapshot import Snapshot

_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s a ?class }} }}
GROUP BY ?class
"""
_PROPERTY_COUNTS = """
SELECT ?property (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?property ?o }} }}
GROUP BY ?property
"""
_BY_DECADE = "\n" + sparql_prologue({"mil": MIL_IRI}) + """\
SELECT ?class ?decade (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class ; mil:startDate ?d .
  FILTER(STRSTARTS(STR(?class), STR(mil:)))
  BIND(CONCAT(SUBSTR(STR(?d), 1, 3), "0s") AS ?decade)
}
GROUP BY ?class ?decade
"""


@dataclass
class Row:
    iri: str
    asserted: int = 0
    inferred: int = 0

    @property
    def total(self) -> int:
        return self.asserted + self.inferred


@dataclass
class Stats:
    classes: list[Row] = field(default_factory=list)
    properties: list[Row] = field(default_factory=list)
    by_decade: dict[str, dict[str, int]] = field(default_factory=dict)
    """class IRI -> decade label ("1990s") -> number of instances starting in it."""


def _counts(snapshot: Snapshot, template: str, var: str, graph: str) -> dict[str, int]:
    answer = solutions(snapshot.query(template.format(graph=graph)))
    return {sol[var].value: int(sol["n"].value) for sol in answer}


def compute(snapshot: Snapshot) -> Stats:
    """Counts per class and property; instances typed only by inference count as inferred.

    A class's inferred count is the number of instances whose membership in it was inferred
    (the triple ``?s a ?class`` is in the inferred graph), not instances in general.
    """
    out = Stats()
    for template, var, target in (
        (_CLASS_COUNTS, "class", out.classes),
        (_PROPERTY_COUNTS, "property", out.properties),
    ):
        asserted = _counts(snapshot, template, var, ASSERTED_GRAPH)
        inferred = _counts(snapshot, template, var, INFERRED_GRAPH)
        for iri in sorted(set(asserted) | set(inferred)):
            target.append(Row(iri, asserted.get(iri, 0), inferred.get(iri, 0)))
        target.sort(key=lambda r: (-r.total, r.iri))
    for sol in solutions(snapshot.query(_BY_DECADE)):
        out.by_decade.setdefault(sol["class"].value, {})[sol["decade"].value] = int(sol["n"].value)
    return out
