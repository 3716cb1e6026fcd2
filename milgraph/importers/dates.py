"""Partial dates: research datasets often know only the year or the month of an event.

The rule for every importer: a date is written with the precision the source gives and never
more. Year, month and day known -> ``xsd:date``; day unknown -> ``xsd:gYearMonth``; month unknown
-> ``xsd:gYear``. No day or month is ever invented to fill a gap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from milgraph.namespaces import XSD


class DateError(ValueError):
    """A date field holds something that is not a valid (partial) calendar date."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date whose month and/or day may be unknown."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise DateError("a day without a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"month {self.month} is not 1-12")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month or 1)[1]
            if not 1 <= self.day <= last:
                raise DateError(f"day {self.day} does not exist in {self.year}-{self.month:02d}")

    @classmethod
    def of(cls, d: date) -> PartialDate:
        return cls(d.year, d.month, d.day)

    @property
    def is_complete(self) -> bool:
        return self.day is not None

    @property
    def lexical(self) -> str:
        """ISO form at the known precision: ``1954-10-23``, ``1844-06`` or ``1844``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def datatype(self) -> str:
        if self.month is None:
            return XSD + "gYear"
        if self.day is None:
            return XSD + "gYearMonth"
        return XSD + "date"

    def earliest(self) -> date:
        """First day the partial date can denote (for comparisons only, never written)."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """Last day the partial date can denote (for comparisons only, never written)."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def as_date(self) -> date:
        if not self.is_complete:
            raise DateError(f"{self.lexical} is not a complete date")
        return self.earliest()


def next_day(d: date) -> date:
    return d + timedelta(days=1)


def parse_int(text: str, field: str, *, missing: tuple[str, ...] = ("",)) -> int | None:
    """An integer field; the markers in ``missing`` mean unknown (None)."""
    value = text.strip()
    if value in missing:
        return None
    try:
        return int(value)
    except ValueError:
        try:
            as_float = float(value)
        except ValueError:
            raise DateError(f"{field} = {text!r} is not a number") from None
        if not as_float.is_integer():
            raise DateError(f"{field} = {text!r} is not a whole number") from None
        return int(as_float)


def partial_date(year: int | None, month: int | None, day: int | None) -> PartialDate:
    """Build a PartialDate from fields where None (or 0) means unknown."""
    if not year:
        raise DateError("the year is missing")
    return PartialDate(year, month or None, day or None)
