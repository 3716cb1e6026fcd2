"""Dates of time-bounded facts, partial dates, and sets of half-open day intervals.

Days are proleptic Gregorian ordinals (``date.toordinal()``) so interval arithmetic is integer
arithmetic. Intervals are half-open ``[lo, hi)``: the start day holds, the end day does not,
as the ontology defines ``mil:startDate``/``mil:endDate``.

Partial dates (``xsd:gYear``, ``xsd:gYearMonth``, kept partial by the importers where the
research datasets give no day) follow one documented rule, "in effect on any day of the
period": a partial *start* counts from the first day of its period, a partial *end* until the
last day of its period (so its exclusive end is the first day of the next period). This is the
convention of ATOP's state-year view, where a state is a member in every year in which it was a
member on some day.

That reading answers "possibly": inside a partial date's period it cannot be known whether the
fact already (or still) held. The *certain* reading counts a partial start only from the day
after its period and a partial end from its period's first day; a day where the fact holds in
the first reading but not in the second is **unknown** (``Reading``, docs/analysts.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Literal, TypedDict

import pyoxigraph as ox

from milgraph.namespaces import XSD, XSD_DATE

#: A period in JSON form: ``until`` is the first day after (None: unbounded, ongoing).
Period = TypedDict("Period", {"from": str | None, "until": str | None})

XSD_DATETIME = XSD + "dateTime"
XSD_GYEAR = XSD + "gYear"
XSD_GYEARMONTH = XSD + "gYearMonth"

#: Unbounded ends. Real days are 1..3_652_059 (0001-01-01..9999-12-31).
NEG_INF = -(10**9)
POS_INF = 10**9

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_YEAR = re.compile(r"^(\d{4})(?:Z|[+-]\d{2}:\d{2})?$")


class DateValueError(ValueError):
    """A literal used as a date of a time-bounded fact cannot be read as one."""


def day(d: date) -> int:
    return d.toordinal()


def to_date(ordinal: int) -> date | None:
    """The calendar day of an ordinal, or None for an unbounded end."""
    if ordinal <= NEG_INF or ordinal >= POS_INF:
        return None
    return date.fromordinal(ordinal)


def iso(ordinal: int) -> str | None:
    d = to_date(ordinal)
    return d.isoformat() if d else None


def period(literal: ox.Literal) -> tuple[int, int]:
    """The days a date literal covers, as ``[first day, day after the last day)``.

    A full date covers one day; ``xsd:gYearMonth`` its month; ``xsd:gYear`` its year;
    ``xsd:dateTime`` the day of its date part. Raises ``DateValueError`` for anything else.
    """
    text = literal.value.strip()
    dt = literal.datatype.value
    try:
        if dt in (XSD_DATE, XSD_DATETIME):
            m = _DATE.match(text)
            if m:
                first = date(int(m[1]), int(m[2]), int(m[3]))
                return day(first), day(first) + 1
        elif dt == XSD_GYEARMONTH:
            m = _YEAR_MONTH.match(text)
            if m:
                y, mo = int(m[1]), int(m[2])
                nxt = date(y + 1, 1, 1) if mo == 12 else date(y, mo + 1, 1)
                return day(date(y, mo, 1)), day(nxt)
        elif dt == XSD_GYEAR:
            m = _YEAR.match(text)
            if m:
                y = int(m[1])
                return day(date(y, 1, 1)), day(date(y + 1, 1, 1))
    except ValueError:
        pass
    raise DateValueError(f"{literal} is not an xsd:date, xsd:gYearMonth or xsd:gYear value")


Reading = Literal["possible", "certain"]
"""How partial dates are read: ``possible`` (in effect on any day of the period, the views'
reading) or ``certain`` (in effect only where no day of the period leaves it in doubt)."""
POSSIBLE: Reading = "possible"
CERTAIN: Reading = "certain"


def start_of(literal: ox.Literal, reading: Reading = POSSIBLE) -> int:
    """First day a fact with this start date holds (a partial date: its period's first day;
    read for certainty, the day after its period)."""
    first, after = period(literal)
    if reading == CERTAIN and after - first > 1:
        return after
    return first


def end_of(literal: ox.Literal, reading: Reading = POSSIBLE) -> int:
    """First day a fact with this (exclusive) end date no longer holds.

    A full date is itself the first day it no longer holds. A partial date means "ended at
    some day in this period", so the fact counts as holding until the period's last day (read
    for certainty: until the day before the period).
    """
    first, after = period(literal)
    if after - first == 1 or reading == CERTAIN:
        return first
    return after


def is_partial(literal: ox.Literal) -> bool:
    return literal.datatype.value in (XSD_GYEAR, XSD_GYEARMONTH)


def parse_day(text: str) -> date:
    """A date given by a person (``YYYY-MM-DD``); ``ValueError`` with a readable message."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


class IntervalSet:
    """An immutable union of disjoint, non-touching half-open day intervals, sorted."""

    __slots__ = ("spans",)

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(s for s in spans if s[0] < s[1]):
            if merged and lo <= merged[-1][1]:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        self.spans: tuple[tuple[int, int], ...] = tuple(merged)

    @classmethod
    def of(cls, lo: int = NEG_INF, hi: int = POS_INF) -> IntervalSet:
        return cls(((lo, hi),))

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self.spans == other.spans

    def __hash__(self) -> int:
        return hash(self.spans)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans)

    def __repr__(self) -> str:
        return "IntervalSet(" + ", ".join(f"[{iso(a)}, {iso(b)})" for a, b in self.spans) + ")"

    def __contains__(self, d: int) -> bool:
        return any(lo <= d < hi for lo, hi in self.spans)

    @property
    def is_always(self) -> bool:
        return self.spans == ((NEG_INF, POS_INF),)

    def __or__(self, other: IntervalSet) -> IntervalSet:
        if not other.spans:
            return self
        if not self.spans:
            return other
        return IntervalSet(self.spans + other.spans)

    def __and__(self, other: IntervalSet) -> IntervalSet:
        out: list[tuple[int, int]] = []
        a, b = self.spans, other.spans
        i = j = 0
        while i < len(a) and j < len(b):
            lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
            if lo < hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        result = IntervalSet.__new__(IntervalSet)
        result.spans = tuple(out)
        return result

    def complement(self) -> IntervalSet:
        out: list[tuple[int, int]] = []
        prev = NEG_INF
        for lo, hi in self.spans:
            if lo > prev:
                out.append((prev, lo))
            prev = hi
        if prev < POS_INF:
            out.append((prev, POS_INF))
        return IntervalSet(out)

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        if not other.spans or not self.spans:
            return self
        return self & other.complement()

    def overlaps_year(self, year: int) -> bool:
        """True if the set holds on at least one day of ``year`` (ATOP's state-year test)."""
        return bool(self & IntervalSet.of(day(date(year, 1, 1)), day(date(year + 1, 1, 1))))

    def describe(self) -> list[Period]:
        """JSON form: ``[{"from": "1949-08-24", "until": None}, ...]`` (``until`` exclusive)."""
        return [{"from": iso(lo), "until": iso(hi)} for lo, hi in self.spans]


EMPTY = IntervalSet()
ALWAYS = IntervalSet.of()
