"""Import D'Orazio's Joint Military Exercises v3 (1974-2010), deduplicated against MME v7.

JME and MME come from the same project and overlap (PROVENANCE.md: "do not double-count").
Each JME row is matched against the MME exercises (read from the MME dataset with the MME
importer, so the two imports agree on every node). The rule (docs/data-imported.md):

1. **Dates overlap**: the JME row's days (a partial date stands for its whole month or year)
   and the MME exercise's overlap, with 3 days' tolerance either way.
2. **Participants agree**: at least two participants in common, and they are at least half
   of the JME row's participants.
3. **Names do not contradict**: when both records are named, their names share a word of four
   or more letters, or two spellings of one (numbers, years and "exercise"/"operation"
   ignored; "Darhan-2" and "Darkhan-2" agree): "Brotherhood-in-Arms 80" and "Weapons
   Brotherhood 80" agree, "Bright Star 83" and "Natural Bond 83" do not. An unnamed record
   (-9) agrees with any name, but then the common participants must also be at least half of
   MME's (a bilateral pair inside a 20-nation exercise is not enough without a name).

Among the MME exercises that pass, the best (a shared name first, then most participants in
common, then the nearest start) is the match; an MME exercise takes at most one JME row (rows
are matched in file order). A matched row adds no exercise node: the MME node gets
``dcterms:source`` the JME dataset and ``mil:sourceRecord "jme-v3:{id}"``. An unmatched row is
a new ``mil:MilitaryExercise`` ``id/exercise/jme-{id}`` (participants as ISO codes resolved with
the dates; "JME Type" CPX -> mil:DomainCommandPost; the source's host where it names one).

Dates come from ``s.year/s.month/s.day`` (``e.*`` for the end), or, where those are empty
(310 rows), from the ``Start Date``/``enddate`` text (m/d/yyyy, ``xx`` = unknown); a day that
does not exist in its month is dropped (month precision), never invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher
from pathlib import Path

from milgraph.importers import mme
from milgraph.importers.common import (
    DCT,
    RDF_TYPE,
    RDFS,
    SKOS,
    Dataset,
    add_class_partition,
    add_dataset,
    add_date,
    add_source,
    ident,
    mil,
)
from milgraph.importers.csvfile import DATASETS_DIR, CsvRow, find_file, read_rows, shown
from milgraph.importers.dates import DateError, PartialDate, parse_int
from milgraph.importers.nations import NationResolver
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import XSD, Iri, Literal, TurtleDocument, text, typed

FILE = "jme_v3_sheet1_2.csv"
DEFAULT_PATH = DATASETS_DIR / "jme-v3"
STATE_COLUMNS = tuple(f"State {c}" for c in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                             *(f"A{x}" for x in "ABCD")])
COLUMNS = ("Unnamed: 2", "Exercise Name", "Location1", "Location2", "Start Date", "s.year",
           "s.month", "s.day", "enddate", "e.year", "e.month", "e.day", "JME Type",
           "Which state hosted the exercise?", "Source(s)", "State A")
TOLERANCE = timedelta(days=3)
FIRST_YEAR, LAST_YEAR = 1974, 2010  # the start years JME v3 covers (PROVENANCE.md)
_MISSING = ("", "xx", "XX", "-9", "NA", "nan")
_TEXT_DATE = re.compile(r"^\s*(\d{1,2}|xx|XX)\s*/\s*(\d{1,2}|xx|XX)\s*/\s*(\d{4})\s*$")
_STOP = {"exercise", "operation", "joint", "combined"}

JME = Dataset(
    "jme-v3",
    "Joint Military Exercises (JME), version 3 (D'Orazio)",
    "D'Orazio, Vito. Joint Military Exercises dataset, v3 (unpublished release, file of "
    "2017-01-13); see also D'Orazio & Galambos (2021), \"Multinational Military Exercises, "
    "1980-2010\", doi:10.7910/DVN/KHFODX.",
    "https://github.com/meflynn/troopdata/tree/3946bcf89a6d72de8abace812dc557f1f249f5f7/"
    "data-raw",
    "https://github.com/meflynn/troopdata/blob/3946bcf89a6d72de8abace812dc557f1f249f5f7/"
    "data-raw/jme_v3.xls",
    "3",
    None,
    (("1974-01-01", "2010-12-31"),),
)


@dataclass
class Exercise:
    """What the matching needs of an exercise: days, participants, name."""

    iri: str
    first: date
    last: date
    participants: set[str]
    name: str | None
    matched: bool = False


@dataclass
class Row:
    line: int
    id: str
    name: str | None
    start: PartialDate
    end: PartialDate | None
    participants: set[str] = field(default_factory=set)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> date:
        return self.start.earliest()

    @property
    def last(self) -> date:
        return (self.end or self.start).latest()


def name_words(name: str | None) -> set[str]:
    if not name:
        return set()
    words = re.findall(r"[a-z]+", name.casefold())
    return {w for w in words if len(w) >= 4 and w not in _STOP}


def _same_word(a: str, b: str) -> bool:
    """Equal, or (five letters or more) one spelling of the other: Darhan / Darkhan."""
    return a == b or (min(len(a), len(b)) >= 5
                      and SequenceMatcher(None, a, b).ratio() >= 0.85)


def shared_word(a: str | None, b: str | None) -> bool:
    wa, wb = name_words(a), name_words(b)
    return any(_same_word(x, y) for x in wa for y in wb)


def names_agree(a: str | None, b: str | None) -> bool:
    """Both named: they share a word; an unnamed record (or a name of numbers only) agrees
    with anything."""
    if not name_words(a) or not name_words(b):
        return True
    return shared_word(a, b)


def matches(row: Row, ex: Exercise) -> tuple | None:
    """The rule: a score when the MME exercise can be the same exercise, else None."""
    if ex.last < row.first - TOLERANCE or ex.first > row.last + TOLERANCE:
        return None
    common = row.participants & ex.participants
    if len(common) < 2 or 2 * len(common) < len(row.participants):
        return None
    if not names_agree(row.name, ex.name):
        return None
    named = shared_word(row.name, ex.name)
    if not named and 2 * len(common) < len(ex.participants):
        return None  # without a shared name, MME's list must not be mostly others
    return (named, len(common), -abs((ex.first - row.first).days))


def _value(row: CsvRow, col: str) -> str | None:
    value = " ".join(row.values.get(col, "").split())
    return None if value in _MISSING else value


def _part(text: str, missing: tuple[str, ...] = _MISSING) -> int | None:
    return parse_int(text, "date", missing=missing)


def _date(row: CsvRow, prefix: str, text_col: str, notes: list[str]) -> PartialDate | None:
    year, month, day = (_part(row[f"{prefix}.{p}"]) for p in ("year", "month", "day"))
    if year is None:
        m = _TEXT_DATE.match(row[text_col])
        if not m:
            return None
        month, day, year = (_part(m.group(i)) for i in (1, 2, 3))
    if year is None:
        return None
    if month is not None and not 1 <= month <= 12:
        notes.append(f"{prefix}.month {month} is not a month: year only")
        month, day = None, None
    if month is None:
        day = None
    try:
        return PartialDate(year, month, day)
    except DateError:
        notes.append(f"day {day} does not exist in {year}-{month:02d}: month only")
        return PartialDate(year, month, None)


def mme_exercises(resolver: NationResolver, path: Path) -> list[Exercise]:
    """The MME exercises as the MME importer writes them."""
    doc, _ = mme.build(path, resolver)
    out = []
    for s in doc.subjects():
        types = doc.objects(s, RDF_TYPE)
        if Iri(mil("MilitaryExercise")) not in types:
            continue
        start = next(iter(doc.objects(s, mil("startDate"))))
        ends = doc.objects(s, mil("endDate"))
        first = _lexical(start).earliest()
        last = max(_lexical(next(iter(ends))).latest(), _lexical(start).latest()) if ends \
            else _lexical(start).latest()
        names = [o.lexical for o in doc.objects(s, RDFS + "label") if isinstance(o, Literal)]
        name = names[0] if names and not names[0].startswith("Unnamed exercise") else None
        parts = {o.value for o in doc.objects(s, mil("participant")) if isinstance(o, Iri)}
        out.append(Exercise(s, first, last, parts, name))
    return sorted(out, key=lambda e: (e.first, e.iri))


def _lexical(term: object) -> PartialDate:
    assert isinstance(term, Literal)
    return PartialDate(*(int(p) for p in term.lexical.split("-")))


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          mme_path: Path = mme.DEFAULT_PATH) -> tuple[TurtleDocument, ImportReport]:
    """Read ``jme_v3_sheet1_2.csv`` (or its folder) and match it against MME v7."""
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    report = ImportReport("jme", sources=[source, find_file(mme_path, mme.FILE),
                                          resolver.source])
    doc = TurtleDocument(header=[
        "Joint Military Exercises v3 (1974-2010), deduplicated against MME v7, imported by "
        "`milgraph import jme`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, JME)
    where = shown(source)
    candidates = mme_exercises(resolver, mme_path)
    by_year: dict[int, list[Exercise]] = {}
    for ex in candidates:
        for y in range(ex.first.year, ex.last.year + 1):
            by_year.setdefault(y, []).append(ex)
    seen_ids: set[str] = set()
    for raw in read_rows(source, COLUMNS):
        report.read(where)
        if raw.problem:
            report.reject(where, raw.line, raw.problem)
            continue
        row = _row(raw, resolver, report, where)
        if row is None:
            continue
        if row.id in seen_ids:
            report.reject(where, raw.line, f"record id {row.id} appears twice")
            continue
        seen_ids.add(row.id)
        pool = {id(e): e for y in range(row.first.year - 1, row.last.year + 2)
                for e in by_year.get(y, [])}.values()
        scored = [(score, ex) for ex in pool if not ex.matched
                  and (score := matches(row, ex)) is not None]
        if scored:
            _, best = max(scored, key=lambda se: (se[0], se[1].iri))
            best.matched = True
            doc.add_iri(best.iri, DCT + "source", JME.iri)
            doc.add(best.iri, mil("sourceRecord"), text(f"jme-v3:{row.id}"))
            report.tally("rows matched to an MME exercise (no new node)")
            continue
        _exercise(doc, raw, row, resolver, report, where)
    add_class_partition(doc, JME, "MilitaryExercise", report.records["exercises"])
    return doc, report


def _row(raw: CsvRow, resolver: NationResolver, report: ImportReport, where: str,
         ) -> Row | None:
    notes: list[str] = []
    try:
        start = _date(raw, "s", "Start Date", notes)
        end = _date(raw, "e", "enddate", notes)
    except DateError as exc:
        report.reject(where, raw.line, str(exc))
        return None
    if start is None:
        report.reject(where, raw.line, "no start year (s.year and Start Date are empty)")
        return None
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        report.reject(where, raw.line, f"start year {start.year} is outside the dataset's "
                      f"{FIRST_YEAR}-{LAST_YEAR}: a typo the row does not let us correct")
        return None
    if end is not None and end.year > LAST_YEAR + 1:
        notes.append(f"end year {end.year} is implausible: end date left out")
        end = None
    if end is not None and end.latest() < start.earliest():
        notes.append(f"end date {end.lexical} before start date {start.lexical}: left out")
        end = None
    record = raw["Unnamed: 2"]
    rid = str(int(float(record))) if record else f"row{raw.line}"
    row = Row(raw.line, rid, _value(raw, "Exercise Name"), start, end, notes=notes)
    seen: set[str] = set()
    for col in STATE_COLUMNS:
        code = " ".join(raw.values.get(col, "").split())
        if not code or code in _MISSING or code.upper() in seen:
            continue
        seen.add(code.upper())
        match = resolver.match_iso(code)
        iri, reason = resolver.resolve(match, row.first, row.last)
        if iri is None:
            row.unresolved.append((code, reason))
            report.unmapped_name(code, reason, where, raw.line)
        else:
            row.participants.add(iri)
    return row


def _exercise(doc: TurtleDocument, raw: CsvRow, row: Row, resolver: NationResolver,
              report: ImportReport, where: str) -> None:
    s = ident(f"exercise/jme-{row.id}")
    doc.add_iri(s, RDF_TYPE, mil("MilitaryExercise"))
    doc.add(s, DCT + "identifier", text(f"jme-v3:{row.id}"))
    doc.add(s, RDFS + "label", text(row.name or f"Unnamed exercise JME {row.id} "
                                    f"({row.start.lexical})", "en"))
    add_date(doc, s, mil("startDate"), row.start)
    if row.end is not None:
        add_date(doc, s, mil("endDate"), row.end)
    places = [p for p in (_value(raw, "Location1"), _value(raw, "Location2")) if p]
    if places:
        doc.add(s, mil("location"), text("; ".join(places)))
    kind = (raw["JME Type"] or "").casefold()
    if "cpx" in kind:
        doc.add_iri(s, mil("domain"), mil("DomainCommandPost"))
    for iri in row.participants:
        doc.add_iri(s, mil("participant"), iri)
    host = _value(raw, "Which state hosted the exercise?")
    for piece in (host or "").split(";"):
        part = piece.strip()
        if not part:
            continue
        match = resolver.match_iso(part) if len(part) == 3 and part.isupper() \
            else resolver.match_name(part)
        host_iri, _ = resolver.resolve(match, row.first, row.last)
        if host_iri and host_iri in row.participants:
            doc.add_iri(s, mil("host"), host_iri)
            report.tally("hosts from 'Which state hosted the exercise?'")
    for code, reason in row.unresolved:
        doc.add(s, mil("unresolvedParticipant"), text(code))
        report.note(where, raw.line, f"unresolved participant: {code} ({reason})")
    if not row.participants and not row.unresolved:
        doc.add(s, mil("participantsUnknown"), typed("true", XSD + "boolean"))
        doc.add(s, RDFS + "comment", text(
            "The source names no participant: who took part is unknown.", "en"))
        report.note(where, raw.line, "participants unknown")
    sources = _value(raw, "Source(s)")
    if sources:
        doc.add(s, SKOS + "note", text(f"JME source file(s): {sources}", "en"))
    for note in row.notes:
        report.note(where, raw.line, note)
    add_source(doc, s, JME)
    report.wrote("exercises")
