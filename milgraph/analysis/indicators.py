"""Per-year indicators of one nation, read like the relationship profile's (``profile``).

A year counts a relation when it holds on at least one of its days (ATOP's state-year
convention), from the same day sets the point-in-time views use: alliances and other
organisations the nation was a full member of (``mil:memberOf``), agreements in force for it
(``mil:partyTo``), exercises it took part in or hosted that started in the year, and
trust-building measures and training exchanges in effect. Each figure lists the IRIs counted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyoxigraph as ox

from milgraph.analysis.lookup import MEMBER_OF, PARTY_TO, resolve_nation, select_rows
from milgraph.analysis.models import IndicatorsModel, Item
from milgraph.analysis.periods import fact_days, item_days, parse_bound, window_of, year_of
from milgraph.analysis.profile import adherences, memberships
from milgraph.errors import QueryError
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import IntervalSet, day

SERIES = ("alliances", "organizations", "agreementsInForce", "exercises", "measures", "training")

_EXERCISES = """
SELECT DISTINCT ?x ?start WHERE {
  ?x a mil:MilitaryExercise ; mil:startDate ?start .
  { ?x mil:participant ?n } UNION { ?x mil:host ?n }
}
"""
_ITEMS = """
SELECT DISTINCT ?x ?kind ?start ?end WHERE {
  { ?x a mil:TrustBuildingMeasure ; mil:party ?n . BIND("measures" AS ?kind) }
  UNION { ?x a mil:TrainingExchange ; mil:provider ?n . BIND("training" AS ?kind) }
  UNION { ?x a mil:TrainingExchange ; mil:recipient ?n . BIND("training" AS ?kind) }
  OPTIONAL { ?x mil:startDate ?start }
  OPTIONAL { ?x mil:endDate ?end }
}
"""


def nation_indicators(
    snapshot: Snapshot, code: str, start: str | None = None, end: str | None = None
) -> IndicatorsModel:
    """``{"nation": …, "series": [...], "years": [{"year": Y, name: {"count", "facts"}}]}``."""
    lo = parse_bound(start, end=False, name="from")
    hi = parse_bound(end, end=True, name="to")
    if lo is not None and hi is not None and hi <= lo:
        raise QueryError(f"from {start} is after to {end}")
    nation = resolve_nation(snapshot, code, start=lo, end=hi)
    n = ox.NamedNode(nation.iri)
    window = window_of(lo, hi)
    spans: dict[str, dict[str, Any]] = {s: {} for s in SERIES if s != "exercises"}
    for org, records in memberships(snapshot, n).items():
        days = fact_days(snapshot, ox.Triple(n, MEMBER_OF, ox.NamedNode(org))) & window
        if days:
            spans["alliances" if records[0][2] else "organizations"][org] = days
    for agreement in adherences(snapshot, n):
        days = fact_days(snapshot, ox.Triple(n, PARTY_TO, ox.NamedNode(agreement))) & window
        if days:
            spans["agreementsInForce"][agreement] = days
    for r in select_rows(snapshot, _ITEMS, n=n):
        item = Item(r["x"].value, "", start=_text(r.get("start")), end=_text(r.get("end")))
        days = item_days(item) & window
        if days:
            spans[r["kind"].value][item.iri] = days
    exercises: dict[int, set[str]] = {}
    first_year = date.fromordinal(lo).year if lo is not None else None
    last_year = date.fromordinal(hi - 1).year if hi is not None else date.today().year
    for r in select_rows(snapshot, _EXERCISES, n=n):
        year = year_of(r["start"])
        if year is not None and (first_year is None or year >= first_year) and year <= last_year:
            exercises.setdefault(year, set()).add(r["x"].value)
    if first_year is None:
        starts = [d.spans[0][0] for s in spans.values() for d in s.values() if d.spans]
        years = [date.fromordinal(x).year for x in starts if x > 0] + list(exercises)
        first_year = min(years) if years else last_year
    by_year: dict[str, dict[int, list[str]]] = {name: {} for name in spans}
    for name, items in spans.items():
        for iri, days in items.items():
            for year in _years(days, first_year, last_year):
                by_year[name].setdefault(year, []).append(iri)
    out = []
    for year in range(first_year, last_year + 1):
        row: dict[str, Any] = {"year": year}
        for name in spans:
            facts = sorted(by_year[name].get(year, ()))
            row[name] = {"count": len(facts), "facts": facts}
        facts = sorted(exercises.get(year, ()))
        row["exercises"] = {"count": len(facts), "facts": facts}
        out.append(row)
    return {"nation": nation.to_json(), "from": start, "to": end, "series": list(SERIES),
            "years": out}  # fmt: skip


def _years(days: IntervalSet, first: int, last: int) -> set[int]:
    """The years from ``first`` to ``last`` on at least one of whose days ``days`` holds
    (ATOP's state-year test), read off the spans: linear in the spans, not in the years."""
    lo_bound, hi_bound = day(date(first, 1, 1)), day(date(last + 1, 1, 1))
    years: set[int] = set()
    for lo, hi in days.spans:
        lo, hi = max(lo, lo_bound), min(hi, hi_bound)
        if lo < hi:
            years.update(range(date.fromordinal(lo).year, date.fromordinal(hi - 1).year + 1))
    return years


def _text(term: Any) -> str | None:
    return None if term is None else term.value
