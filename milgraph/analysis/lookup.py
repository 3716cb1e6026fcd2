"""Reading the graph for the analyses: SELECT rows as dicts, labels, which nation a code names.

Nations are given by ISO 3166-1 alpha-3 code (``FIN``), Correlates of War number (``375``) or
abbreviation (``GMY``), name or alt label (``Finland``), or IRI (``id:nation/FIN``), any case
(``milgraph.search.resolve``, the resolver every command and endpoint shares). A COW number
used by more than one state (255, 365, …) is resolved by the dates asked about when only one
of the states existed then; otherwise :class:`~milgraph.errors.AmbiguousNation` lists the choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from milgraph.analysis.models import Nation
from milgraph.analysis.periods import parse_bound, window_of
from milgraph.errors import AmbiguousNation, NationNotFound
from milgraph.namespaces import MIL_IRI, sparql_prologue
from milgraph.search import resolve
from milgraph.sparql import bind, values_row
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import (
    EMPTY,
    NEG_INF,
    POS_INF,
    IntervalSet,
)

MEMBER_OF = ox.NamedNode(MIL_IRI + "memberOf")

PARTY_TO = ox.NamedNode(MIL_IRI + "partyTo")

MEMBER = ox.NamedNode(MIL_IRI + "member")

ADHERENT = ox.NamedNode(MIL_IRI + "adherent")

PREFIXES_TEXT = sparql_prologue()


def select_rows(snapshot: Snapshot, sparql: str, **values: ox.NamedNode) -> list[dict[str, Any]]:
    """Solutions as dicts; ``values`` fixes variables with a VALUES clause at the head of the
    WHERE group (Oxigraph ``substitutions`` only bind projected variables)."""
    result = snapshot.query(PREFIXES_TEXT + bind(sparql, values))
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT answered {result!r}")
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names} for sol in result]


def value_of(term: Any) -> str | None:
    return None if term is None else term.value


def label_of(row: dict[str, Any], key: str = "label", fallback: Any = None) -> str:
    term = row.get(key)
    if term is not None:
        return str(term.value)
    iri = str(fallback.value) if fallback is not None else ""
    return iri.rsplit("/", 1)[-1]


def short_class(iri: str) -> str:
    return iri[len(MIL_IRI) :] if iri.startswith(MIL_IRI) else iri


_LABELS = """
SELECT ?x ?label WHERE {
  ?x rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "")
}
"""


def labels_of(snapshot: Snapshot, iris: Iterable[str]) -> dict[str, str]:
    """English (or untagged) labels of some resources, in one query."""
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    text = values_row(_LABELS, ["x"], [[f"<{iri}>"] for iri in wanted])
    return {r["x"].value: r["label"].value for r in select_rows(snapshot, text)}


_NATION = """
SELECT ?n ?label ?iso ?cow ?abbr WHERE {
  ?n a mil:Nation .
  OPTIONAL { ?n rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?n mil:isoCode ?iso }
  OPTIONAL { ?n mil:cowCode ?cow }
  OPTIONAL { ?n mil:cowAbbreviation ?abbr }
}
"""

_STATEHOOD = """
SELECT ?p ?start ?end WHERE {
  ?p a mil:StatehoodPeriod ; mil:state ?n .
  OPTIONAL { ?p mil:startDate ?start }
  OPTIONAL { ?p mil:endDate ?end }
} ORDER BY ?start
"""


def _nation_from_row(snapshot: Snapshot, row: dict[str, Any]) -> Nation:
    cow = row.get("cow")
    nation = Nation(
        iri=row["n"].value,
        label=label_of(row, fallback=row["n"]),
        code=value_of(row.get("iso")),
        cow=int(cow.value) if cow is not None and cow.value.lstrip("-").isdigit() else None,
    )
    for s in select_rows(snapshot, _STATEHOOD, n=row["n"]):
        nation.statehood.append({"from": value_of(s.get("start")), "until": value_of(s.get("end"))})
    return nation


def _statehood_days(nation: Nation) -> IntervalSet | None:
    if not nation.statehood:
        return None
    spans = []
    for s in nation.statehood:
        lo = parse_bound(s["from"], end=False, name="statehood") if s["from"] else None
        hi = parse_bound(s["until"], end=False, name="statehood") if s["until"] else None
        spans.append((NEG_INF if lo is None else lo, POS_INF if hi is None else hi))
    return IntervalSet(spans)


def resolve_nation(
    snapshot: Snapshot, code: str, *, start: int | None = None, end: int | None = None
) -> Nation:
    """The nation a code or IRI names; see the module docstring for the forms accepted."""
    if not code.strip():
        raise NationNotFound("empty nation code")
    iris = {hit.iri for hit in resolve(snapshot, "nation", code)}  # the one resolver
    candidates = [r for r in select_rows(snapshot, _NATION) if r["n"].value in iris]
    # one row per nation (several labels or codes give several rows)
    unique: dict[str, dict[str, Any]] = {}
    for r in candidates:
        unique.setdefault(r["n"].value, r)
    nations = [_nation_from_row(snapshot, r) for r in unique.values()]
    if not nations:
        raise NationNotFound(
            f"{code!r} is not a nation (use an ISO 3166-1 alpha-3 code such as FIN, a "
            "Correlates of War number such as 375, a name, or an IRI such as id:nation/FIN)"
        )
    if len(nations) == 1:
        return nations[0]
    if start is not None or end is not None:
        window = window_of(start, end)
        existing = [n for n in nations if (_statehood_days(n) or EMPTY) & window]
        if len(existing) == 1:
            return existing[0]
    raise AmbiguousNation(code, sorted(nations, key=lambda n: n.iri))
