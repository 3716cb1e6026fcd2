"""Import Multinational Military Exercises v7 (1980-2010): exercises, series, participants.

Coding facts of the source (PROVENANCE.md) and how they are kept:

- Dates come from the ``s.year/s.month/s.day`` and ``e.*`` columns (``StartDate``/``EndDate``
  mix two text forms); an unknown day (``xx``) gives ``xsd:gYearMonth``, never an invented day.
  ``mil:endDate`` of an exercise is its last day, as the ontology defines for events.
- Participants are free-text names in ``StateA``..``StateAM``. Each is resolved to a COW code
  (crosswalk names and patterns, plus nations.py aliases) and then, *with the exercise's
  dates*, to a nation node: "Russia" in 1980 is the Soviet Union. ``-9`` is a missing marker
  (counted, not a participant); ``NATO`` takes part as the organisation ``id/org/NATO``; names
  that resolve to no state (dependent territories, "Baltic States") are kept verbatim as
  ``mil:unresolvedParticipant`` and listed in the report.
- There is no host column. ``mil:host`` is written only where one comma-separated part of the
  free-text Location is exactly a participant's name, or a name the crosswalk gives for the
  same COW code ("Izmir, Turkey"; "Britain" for "United Kingdom" does not count: no patterns).
- An end date before the start date (6 rows) is not imported; the exercise is, with a comment.
- Type flags map one-to-one to concepts: CPX, Air, Land, Sea, Amphibious, Cyber -> mil:domain;
  Warfighting, Peacekeeping, Humanitarian -> mil:purpose.
- 3,707 rows share 3,704 ids: rows with a duplicated id are all imported, as
  ``id/exercise/mme-{id}-{start year}``, each with ``dcterms:identifier`` the source id, and
  reported.
- A row naming no participant at all (91 rows list only ``-9``) is still an exercise the
  source records: it is imported with ``mil:participantsUnknown true`` (and a comment), the
  explicit marker the SHACL participant rule accepts on research-dataset records, and noted.
  A row whose names all fail to resolve keeps them as ``mil:unresolvedParticipant`` (none in
  v7).
- Series labels: the most frequent spelling is the ``rdfs:label``, the others
  ``skos:altLabel``, unless the curated data (``data/exercises.ttl``) labels the series: then
  the curated spelling wins ("BALTOPS", not MME's "Baltops") and MME's spellings that differ
  are ``skos:altLabel`` (see curated.py).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from milgraph.importers.common import (
    DCT,
    GEO,
    MME,
    RDF_TYPE,
    RDFS,
    SKOS,
    add_dataset,
    add_date,
    add_source,
    ident,
    mil,
)
from milgraph.importers.csvfile import DATASETS_DIR, CsvRow, find_file, read_rows, shown
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.dates import DateError, PartialDate, next_day, parse_int, partial_date
from milgraph.importers.nations import MISSING, NationResolver, UnknownCode, nation_iri
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import XSD, TurtleDocument, text, typed

FILE = "mme_v7.csv"
DEFAULT_PATH = DATASETS_DIR / "mme-v7"

DOMAIN_FLAGS: dict[str, str] = {
    "CPX": "DomainCommandPost",
    "Air": "DomainAir",
    "Land": "DomainLand",
    "Sea": "DomainSea",
    "Amphibious": "DomainAmphibious",
    "Cyber": "DomainCyber",
}
PURPOSE_FLAGS: dict[str, str] = {
    "Warfighting": "PurposeWarfighting",
    "Peacekeeping": "PurposePeacekeeping",
    "Humanitarian": "PurposeHumanitarian",
}
STATE_COLUMNS = tuple(
    "State" + c for c in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *(f"A{x}" for x in "ABCDEFGHIJKLM")]
)
COLUMNS = ("MMEID", "Ex_Name", "Series_Name", "Location", "lat", "lon",
           "s.year", "s.month", "s.day", "e.year", "e.month", "e.day",
           *DOMAIN_FLAGS, *PURPOSE_FLAGS, "FocusDescription", "AdditionalParticipantInfo",
           "StateA")
_ID = re.compile(r"^mme(\d+)$", re.IGNORECASE)
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_UNKNOWN_DAY = ("", "xx", "XX", "-9", "NA")


class RowError(ValueError):
    """A row that cannot become a record; the message is the reason in the report."""


def series_slug(name: str) -> str:
    """``id/exercise-series/{slug}``: lower case, runs of other characters become ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def _value(row: CsvRow, col: str) -> str | None:
    value = " ".join(row[col].split())
    return None if value.casefold() in MISSING else value


def _date(row: CsvRow, prefix: str) -> PartialDate | None:
    year = parse_int(row[f"{prefix}.year"], f"{prefix}.year", missing=_UNKNOWN_DAY)
    month = parse_int(row[f"{prefix}.month"], f"{prefix}.month", missing=_UNKNOWN_DAY)
    day = parse_int(row[f"{prefix}.day"], f"{prefix}.day", missing=_UNKNOWN_DAY)
    if year is None and month is None and day is None:
        return None
    return partial_date(year, month, day)


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          curated: CuratedLabels | None = None) -> tuple[TurtleDocument, ImportReport]:
    """Read ``mme_v7.csv`` (or the folder holding it) into Turtle and a report.

    ``curated`` (default: the labels of ``data/*.ttl``) decides which series keep MME's
    spelling as ``rdfs:label`` and which get it as ``skos:altLabel`` only.
    """
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    curated = CuratedLabels.read() if curated is None else curated
    report = ImportReport("mme", sources=[source, resolver.source])
    doc = TurtleDocument(header=[
        "Multinational Military Exercises v7 (1980-2010), imported by `milgraph import mme`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, MME)
    where = shown(source)
    rows = list(read_rows(source, COLUMNS))
    id_count = Counter(r["MMEID"].casefold() for r in rows)
    series_names: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        report.read(where)
        try:
            if row.problem:
                raise RowError(row.problem)
            _exercise(doc, row, id_count, series_names, resolver, report, where)
        except (RowError, DateError) as exc:
            report.reject(where, row.line, str(exc))
    for slug, names in sorted(series_names.items()):
        s = ident(f"exercise-series/{slug}")
        ranked = [name for name, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
        doc.add_iri(s, RDF_TYPE, mil("ExerciseSeries"))
        preferred = curated.labels(s, "en") or {ranked[0]}
        if ranked[0] not in preferred:
            report.tally("series labelled by the curated data (MME spelling as altLabel)")
        for name in ranked:
            prop = "label" if name in preferred else "altLabel"
            doc.add(s, (RDFS if prop == "label" else SKOS) + prop, text(name, "en"))
        add_source(doc, s, MME)
        report.wrote("exercise series")
    return doc, report


def _exercise(doc: TurtleDocument, row: CsvRow, id_count: Counter[str],
              series_names: dict[str, Counter[str]], resolver: NationResolver,
              report: ImportReport, where: str) -> None:
    source_id = row["MMEID"]
    match = _ID.match(source_id)
    if not match:
        raise RowError(f"MMEID {source_id!r} is not of the form mme<number>")
    number = int(match.group(1))
    start = _date(row, "s")
    if start is None:
        raise RowError("no start date (s.year/s.month/s.day)")
    end = _date(row, "e")
    bad_end = None
    if end is not None and end.latest() < start.earliest():
        bad_end, end = end, None
    cast = _participants(row, start.earliest(), (end or start).latest(), resolver)
    report.tally("missing-participant markers (-9)", cast.missing)

    local = f"mme-{number}"
    if id_count[source_id.casefold()] > 1:
        local = f"mme-{number}-{start.year}"
        report.note(where, row.line, f"duplicated id: {source_id} appears "
                    f"{id_count[source_id.casefold()]} times; this row is {local}")
    s = ident(f"exercise/{local}")
    if doc.has_subject(s):
        raise RowError(f"duplicated id {source_id} in the same year: cannot tell the rows apart")

    doc.add_iri(s, RDF_TYPE, mil("MilitaryExercise"))
    doc.add(s, DCT + "identifier", text(source_id))
    name = _value(row, "Ex_Name")
    doc.add(s, RDFS + "label", text(name or f"Unnamed exercise {source_id} ({start.lexical})",
                                     "en"))
    series = _value(row, "Series_Name")
    if series:
        slug = series_slug(series)
        series_names[slug][series] += 1
        doc.add_iri(s, mil("partOfSeries"), ident(f"exercise-series/{slug}"))
    add_date(doc, s, mil("startDate"), start)
    if end is not None:
        add_date(doc, s, mil("endDate"), end)
    if bad_end is not None:
        doc.add(s, RDFS + "comment", text(
            f"The source gives an end date ({bad_end.lexical}) before the start date "
            f"({start.lexical}); the end date is not imported.", "en"))
        report.note(where, row.line, f"end date before start date: {bad_end.lexical} < "
                    f"{start.lexical}; end date left out")
    location = _value(row, "Location")
    if location:
        doc.add(s, mil("location"), text(location))
    lat, lon = row["lat"], row["lon"]
    if _DECIMAL.match(lat) and _DECIMAL.match(lon):
        doc.add(s, GEO + "lat", typed(lat, XSD + "decimal"))
        doc.add(s, GEO + "long", typed(lon, XSD + "decimal"))
    elif lat or lon:
        report.note(where, row.line, f"coordinates not numbers: lat={lat!r} lon={lon!r}")
    for flags, prop in ((DOMAIN_FLAGS, "domain"), (PURPOSE_FLAGS, "purpose")):
        for col, concept in flags.items():
            if row[col] == "1":
                doc.add_iri(s, mil(prop), mil(concept))
            elif row[col] not in ("0", ""):
                report.note(where, row.line, f"type flag {col} = {row[col]!r} is not 0/1")
    focus = _value(row, "FocusDescription")
    if focus:
        doc.add(s, DCT + "description", text(focus, "en"))
    extra = _value(row, "AdditionalParticipantInfo")
    if extra:
        doc.add(s, SKOS + "note", text(extra, "en"))
    add_source(doc, s, MME)

    parts = [p.strip() for p in (location or "").split(",") if p.strip()]
    for iri, (names, ccode) in sorted(cast.found.items()):
        doc.add_iri(s, mil("participant"), iri)
        if any(p.casefold() in names or (ccode is not None and resolver.exact_code(p) == ccode)
               for p in parts):
            doc.add_iri(s, mil("host"), iri)
            report.tally("hosts derived from Location")
    for raw, reason in cast.unresolved:
        doc.add(s, mil("unresolvedParticipant"), text(raw))
        report.note(where, row.line, f"unresolved participant: {raw} ({reason})")
        report.unmapped_name(raw, reason, where, row.line)
    if not cast.found and not cast.unresolved:
        doc.add(s, mil("participantsUnknown"), typed("true", XSD + "boolean"))
        marker = ("hold only the missing-value marker -9" if cast.missing else "are empty")
        doc.add(s, RDFS + "comment", text(
            f"The source names no participant (its State columns {marker}): who took part "
            "is unknown.", "en"))
        report.note(where, row.line, "participants unknown: the row names no participant "
                    f"(State columns {marker}); imported with mil:participantsUnknown true")
        report.tally("exercises with participants unknown")
    elif not cast.found:
        report.note(where, row.line, "no participant resolves to a nation or organisation; "
                    "the names are kept as mil:unresolvedParticipant")
    for note in cast.notes:
        report.note(where, row.line, note)
    report.wrote("exercises")


@dataclass
class Cast:
    """Participants of one row: resolved (IRI -> names used, COW code), unresolved, notes."""

    found: dict[str, tuple[set[str], int | None]] = field(default_factory=dict)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: int = 0


def _participants(row: CsvRow, first: date, last: date, resolver: NationResolver) -> Cast:
    """Resolve the StateA..StateAM names of a row, with the exercise's dates."""
    cast = Cast()
    seen: set[str] = set()
    for col in STATE_COLUMNS:
        raw = " ".join(row.values.get(col, "").split())
        if not raw:
            continue
        match = resolver.match_name(raw)
        if match.kind == "missing":
            cast.missing += 1
            continue
        key = raw.casefold()
        if key in seen:
            cast.notes.append(f"participant named twice in one row: {raw}")
            continue
        seen.add(key)
        if match.kind == "organization" and match.iri:
            cast.found.setdefault(match.iri, (set(), None))[0].add(key)
            cast.notes.append(f"organisation as participant: {raw}")
            continue
        reason = match.reason or "not resolved"
        if match.kind == "state" and match.ccode is not None:
            try:
                segments = resolver.segments(match.ccode, first, next_day(last))
            except UnknownCode as exc:
                segments, reason = [], str(exc)
            slugs = {seg.slug for seg in segments}
            if len(slugs) == 1:
                iri = nation_iri(slugs.pop())
                if iri in cast.found:
                    cast.notes.append(f"participant named twice in one row: {raw}")
                cast.found.setdefault(iri, (set(), match.ccode))[0].add(key)
                continue
            if len(slugs) > 1:
                reason = (f"COW {match.ccode} stands for {', '.join(sorted(slugs))} "
                          f"during the exercise dates")
        cast.unresolved.append((raw, reason))
    return cast
