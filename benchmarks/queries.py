"""The SPARQL queries of the serving benchmark, and how their parameters are chosen.

Parameters (which exercise to look up, which nation to start a join from) are picked from the
data itself by fixed rules, so every size and seed gets meaningful, reproducible queries.
All systems receive exactly the same query strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

PROLOGUE = (
    "PREFIX mil: <https://w3id.org/milgraph/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)

POINT = PROLOGUE + "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"

JOIN = (
    PROLOGUE
    + """SELECT DISTINCT ?ally ?code WHERE {{
  ?m1 mil:member <{nation}> ; mil:organization ?alliance .
  ?alliance a mil:Alliance .
  ?m2 mil:organization ?alliance ; mil:member ?ally .
  ?ally mil:isoCode ?code .
  FILTER(?ally != <{nation}>)
}} ORDER BY ?code"""
)

AGGREGATE = (
    PROLOGUE
    + """SELECT ?nation ?code (COUNT(?exercise) AS ?exercises) WHERE {
  ?exercise a mil:MilitaryExercise ; mil:participant ?nation .
  ?nation mil:isoCode ?code .
} GROUP BY ?nation ?code ORDER BY DESC(?exercises) ?code LIMIT 20"""
)

FILTER_OPTIONAL = (
    PROLOGUE
    + """SELECT ?exercise ?label ?start ?end ?location WHERE {
  ?exercise a mil:MilitaryExercise ; rdfs:label ?label ; mil:startDate ?start .
  FILTER(?start >= "2000-01-01"^^xsd:date && ?start < "2010-01-01"^^xsd:date)
  OPTIONAL { ?exercise mil:endDate ?end }
  OPTIONAL { ?exercise mil:location ?location }
} ORDER BY ?start ?exercise"""
)

HEAVY = (
    PROLOGUE
    + """SELECT ?nation (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  ?exercise a mil:MilitaryExercise ; mil:participant ?nation , ?partner .
  FILTER(?nation != ?partner)
} GROUP BY ?nation ORDER BY DESC(?partners) ?nation LIMIT 10"""
)
"""Slow on purpose (every pair of co-participants): runs while point queries are timed."""

RUNAWAY = (
    PROLOGUE
    + """SELECT ?a ?b ?c WHERE {
  ?e mil:participant ?a , ?b .
  ?f mil:participant ?b , ?c .
}"""
)
"""Hundreds of millions of rows, streamed: no server should finish it within its timeout."""


@dataclass(frozen=True)
class Params:
    """Values the query templates are filled with, read from the served data."""

    exercises: list[str]
    join_nation: str


def choose_params(store: ox.Store, points: int = 200) -> Params:
    """Pick ``points`` exercises spread over the data and a well-connected (not top) nation."""
    rows = [
        s["e"].value
        for s in store.query(PROLOGUE + "SELECT ?e WHERE { ?e a mil:MilitaryExercise } ORDER BY ?e")
    ]
    if not rows:
        raise ValueError("the data holds no mil:MilitaryExercise to look up")
    step = max(1, len(rows) // points)
    exercises = rows[::step][:points]
    ranked = [
        s["n"].value
        for s in store.query(
            PROLOGUE
            + """SELECT ?n (COUNT(?m) AS ?k) WHERE {
  ?m mil:member ?n ; mil:organization ?o . ?o a mil:Alliance . ?n a mil:Nation
} GROUP BY ?n ORDER BY DESC(?k) ?n"""
        )
    ]
    if not ranked:
        raise ValueError("the data holds no alliance membership to join from")
    return Params(exercises=exercises, join_nation=ranked[len(ranked) // 4])


def point_queries(params: Params) -> list[str]:
    return [POINT.format(iri=e) for e in params.exercises]


def timed_queries(params: Params) -> dict[str, list[str]]:
    """Name -> query strings; a list cycles (point lookups rotate over many exercises)."""
    return {
        "point lookup": point_queries(params),
        "2-hop join": [JOIN.format(nation=params.join_nation)],
        "aggregate top-20": [AGGREGATE],
        "year range + OPTIONAL": [FILTER_OPTIONAL],
    }
