"""Whether an answer's time window lies inside the coverage of the datasets behind it.

Each research dataset records its time window in the graph (``dcterms:temporal`` periods with
``dcat:startDate``/``dcat:endDate``, docs/data-imported.md) and the classes of record it
contributes (``void:classPartition``, or the classes of the records citing it). An answer
about some kinds of record over a window says, for each dataset holding those kinds whose
coverage does not contain the window, which part of the window it does not cover: there the
answer rests on curated records only (MME and JME stop in 2010, so "USA's exercises in 2015"
lists curated editions and nothing else).

Only the ends a caller gives are checked: a window without a start is not said to lie before
every dataset's coverage; one with a start but no end runs until today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from milgraph.analysis.lookup import select_rows
from milgraph.analysis.models import CoverageModel
from milgraph.namespaces import DCAT, MIL_IRI, XSD
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import (
    NEG_INF,
    POS_INF,
    DateValueError,
    IntervalSet,
    day,
    iso,
    period,
)

_WINDOWS = "PREFIX dcat: <" + DCAT + """>
SELECT ?dataset (SAMPLE(?l) AS ?label) ?start ?end WHERE {
  ?dataset a mil:ResearchDataset ; dcterms:temporal ?p .
  ?p dcat:startDate ?start ; dcat:endDate ?end .
  OPTIONAL { ?dataset rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
} GROUP BY ?dataset ?start ?end
"""
#: Classes of the records citing each dataset (types after reasoning: superclasses included).
_CLASSES = """
SELECT DISTINCT ?dataset ?class WHERE {
  ?dataset a mil:ResearchDataset ; dcterms:temporal ?p .
  ?record dcterms:source ?dataset ; a ?class .
  FILTER(STRSTARTS(STR(?class), STR(mil:)))
}
"""

#: The kinds of record each answer is about (class IRIs of the ontology).
MEMBERSHIPS = (MIL_IRI + "Membership",)
ADHERENCES = (MIL_IRI + "Adherence",)
EXERCISES = (MIL_IRI + "MilitaryExercise",)
TRAINING = (MIL_IRI + "TrainingExchange",)
STATEHOOD = (MIL_IRI + "StatehoodPeriod",)
TIMELINE = (*MEMBERSHIPS, *ADHERENCES, *EXERCISES, *TRAINING, *STATEHOOD)


@dataclass(frozen=True)
class Window:
    """A dataset's coverage: its periods (``until`` exclusive) and the classes it holds."""

    dataset: str
    label: str
    days: IntervalSet
    classes: frozenset[str]


@dataclass(frozen=True)
class CoverageNote:
    """Part of an answer's window that a dataset behind it does not cover."""

    window: Window
    outside: IntervalSet

    @property
    def message(self) -> str:
        cover = " and ".join(_span(lo, hi) for lo, hi in self.window.days)
        out = " and ".join(_span(lo, hi) for lo, hi in self.outside)
        return (f"{self.window.label} covers {cover}; for {out} this answer holds no "
                "records from it (only curated ones)")

    def to_json(self) -> CoverageModel:
        return {
            "dataset": self.window.dataset,
            "label": self.window.label,
            "coverage": self.window.days.describe(),
            "outside": self.outside.describe(),
            "message": self.message,
        }


def _span(lo: int, hi: int) -> str:
    first = iso(lo) or "the beginning"
    last = iso(hi - 1) if hi < POS_INF else "now"
    return f"{first} to {last}"


def windows(snapshot: Snapshot) -> list[Window]:
    """Every dataset's coverage, read once per snapshot."""
    return snapshot.cached("coverage.windows", lambda: _read(snapshot))


def _read(snapshot: Snapshot) -> list[Window]:
    spans: dict[str, list[tuple[int, int]]] = {}
    labels: dict[str, str] = {}
    for row in select_rows(snapshot, _WINDOWS):
        iri = row["dataset"].value
        try:
            lo = period(row["start"])[0]
            hi = period(row["end"])[1]  # dcat:endDate is the last day covered
        except (DateValueError, AttributeError):
            continue
        spans.setdefault(iri, []).append((lo, hi))
        if row.get("label") is not None:
            labels[iri] = row["label"].value
    classes: dict[str, set[str]] = {}
    for row in select_rows(snapshot, _CLASSES):
        classes.setdefault(row["dataset"].value, set()).add(row["class"].value)
    return [
        Window(iri, labels.get(iri, iri.rsplit("/", 1)[-1]), IntervalSet(ss),
               frozenset(classes.get(iri, ())))
        for iri, ss in sorted(spans.items())
    ]  # fmt: skip


def notes(
    snapshot: Snapshot,
    kinds: Iterable[str],
    first: int | None,
    after: int | None,
    *,
    today: date | None = None,
) -> list[CoverageNote]:
    """Notes for the datasets holding records of ``kinds`` whose coverage misses part of the
    window ``[first, after)`` (days; None: not given). Nothing when neither end is given."""
    if first is None and after is None:
        return []
    if after is None:
        after = day(today or date.today()) + 1
    asked = IntervalSet.of(NEG_INF if first is None else first, after)
    wanted = set(kinds)
    out: list[CoverageNote] = []
    for w in windows(snapshot):
        if not (w.classes & wanted) or not w.days:
            continue
        outside = asked - w.days
        if first is None:  # the start was not asked about: only the later side counts
            outside = outside & IntervalSet.of(w.days.spans[0][0], POS_INF)
        if outside:
            out.append(CoverageNote(w, outside))
    return out


def warning_header(found: list[CoverageNote]) -> str | None:
    """An RFC 7234 ``Warning`` value (code 299, miscellaneous persistent warning) per note."""
    if not found:
        return None
    text = ", ".join('299 milgraph "' + n.message.replace('"', "'") + '"' for n in found)
    # header values are Latin-1 on the wire: dashes and other letters become ASCII
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return text.encode("ascii", "replace").decode("ascii")


def year_days(year: int) -> tuple[int, int]:
    """A year as days ``[1 January, next 1 January)``."""
    lit = ox.Literal(f"{year:04d}", datatype=ox.NamedNode(XSD + "gYear"))
    return period(lit)
