"""Periods as the analyses read them: half-open ``[from, until)`` day sets, from the same
computed day sets as the point-in-time views (partial dates by their documented rule); a year
counts when a relation holds on at least one of its days (ATOP's state-year convention).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import pyoxigraph as ox

from milgraph import temporal
from milgraph.analysis.models import Item
from milgraph.errors import QueryError
from milgraph.namespaces import XSD
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import (
    ALWAYS,
    EMPTY,
    NEG_INF,
    POS_INF,
    DateValueError,
    IntervalSet,
    day,
    end_of,
    period,
    start_of,
)


def days_of(literal: Any, *, end: bool) -> int | None:
    if not isinstance(literal, ox.Literal):
        return None
    try:
        return end_of(literal) if end else start_of(literal)
    except DateValueError:
        return None


def parse_bound(text: str | None, *, end: bool, name: str) -> int | None:
    """``from``/``to`` given as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``to`` inclusive)."""
    if text is None or text == "":
        return None
    text = text.strip()
    kinds = {4: "gYear", 7: "gYearMonth", 10: "date"}
    kind = kinds.get(len(text))
    if kind is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise QueryError(f"{name}: {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    lit = ox.Literal(text, datatype=ox.NamedNode(XSD + kind))
    try:
        first, after = period(lit)
    except DateValueError:
        raise QueryError(f"{name}: {text!r} is not a calendar date") from None
    return after if end else first


def window_of(start: int | None, end: int | None) -> IntervalSet:
    return IntervalSet.of(NEG_INF if start is None else start, POS_INF if end is None else end)


def fact_days(snapshot: Snapshot, t: ox.Triple) -> IntervalSet:
    """Day set of a derived fact, as the point-in-time views have it."""
    days = temporal.days(snapshot, t)
    if days is not None:
        return days
    static = ox.NamedNode(temporal.STATIC_GRAPH)
    if snapshot.contains(t.subject, t.predicate, t.object, static):
        return ALWAYS
    return EMPTY


def record_days(
    snapshot: Snapshot, record: ox.NamedNode, link: ox.NamedNode, who: Any
) -> IntervalSet:
    """Validity of a record: the day set of its link triple to the nation."""
    days = temporal.days(snapshot, ox.Triple(record, link, who))
    return days if days is not None else EMPTY


def year_range(days: IntervalSet, lo_year: int, hi_year: int) -> Iterable[int]:
    for year in range(lo_year, hi_year + 1):
        if days.overlaps_year(year):
            yield year


def year_of(literal: Any) -> int | None:
    if isinstance(literal, ox.Literal) and re.match(r"^\d{4}", literal.value):
        return int(literal.value[:4])
    return None


def today() -> int:
    return day(date.today())


def item_days(item: Item) -> IntervalSet:
    """Days an item (measure, exchange) is in effect; undated items count in no year."""
    if item.start is None:
        return EMPTY
    lo = days_of(literal(item.start), end=False)
    hi = days_of(literal(item.end), end=True) if item.end else POS_INF
    if lo is None or hi is None:
        return EMPTY
    return IntervalSet.of(lo, hi)


def literal(text: str) -> ox.Literal:
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(text), "date")
    return ox.Literal(text, datatype=ox.NamedNode(XSD + kind))
