"""Import ATOP 5.1: alliances, their phases and obligations, members with entry/exit dates.

Coding rules of the source (PROVENANCE.md, ATOP codebook) and how they are kept:

- Entry dates are *signature* dates, not accession or ratification: every membership says so
  with ``mil:dateKind mil:DateKindSignature`` (NATO shows Poland from 1997-12-16, not
  1999-03-12).
- Exit year/month/day 0 (and ``endyr`` 0 for alliances) mean "still in effect at the end of
  coverage": no ``mil:endDate``; ``mil:observedUntil 2018-12-31`` says how far the source saw.
- A missing day (or month) is kept missing: the date is written as ``xsd:gYearMonth`` (or
  ``xsd:gYear``), never with an invented day.
- Members are COW codes, resolved *with the date* (nations.py): 365 is the USSR until
  1991-12-26 and Russia after; a membership spanning such a change is split, the later part
  starting with ``mil:dateKind mil:DateKindEffective`` (the day succession took effect; no
  legal act of the member) and an ``rdfs:comment`` saying so.
- Alliances with phases (``maxphase`` > 0) get one ``mil:AlliancePhase`` node per phase; member
  rows repeat per phase and each becomes its own membership linked to its phase. A member row
  of phase n whose entry date is the exit date of the same member's phase n-1 row starts only
  because the phase changed: its kind is ``mil:DateKindEffective`` (the day the new phase took
  effect for a continuing member), not a signature by that member.

ATOP counts a state-year if the membership was in effect on any day of that year, the exit
year included; docs/data-imported.md gives the SPARQL that reproduces that reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from milgraph.importers.common import (
    ATOP,
    DCT,
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
from milgraph.importers.curated import CuratedLabels, CuratedTreaties
from milgraph.importers.dates import DateError, PartialDate, next_day, parse_int, partial_date
from milgraph.importers.nations import (
    NationLabels,
    NationResolver,
    Segment,
    UnknownCode,
    nation_iri,
)
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import XSD, TurtleDocument, integer, text, typed

DEFAULT_PATH = DATASETS_DIR / "atop-5.1"
ALLIANCE_FILE = "atop5_1a.csv"
PHASE_FILE = "atop5_1aph.csv"
MEMBER_FILE = "atop5_1m.csv"
COVERAGE_END = "2018-12-31"

OBLIGATIONS: dict[str, str] = {
    "defense": "ObligationDefence",
    "offense": "ObligationOffence",
    "neutral": "ObligationNeutrality",
    "nonagg": "ObligationNonAggression",
    "consul": "ObligationConsultation",
}
DATE_COLS = ("begyr", "begmo", "begday", "endyr", "endmo", "endday")
ALLIANCE_COLS = ("atopid", *DATE_COLS, "ineffect", "maxphase", *OBLIGATIONS)
PHASE_COLS = ("atopid", "atopidphase", "phase", *DATE_COLS, "ineffect", *OBLIGATIONS)
MEMBER_COLS = ("atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit",
               "ineffect", "phase", *OBLIGATIONS)

#: ATOP alliances that are one of the curated organisations (data/organizations.ttl; every
#: target exists there). Linked
#: with skos:closeMatch, not owl:sameAs: ATOP dates the treaty's signature and its members'
#: signatures, the curated node the organisation and its accessions.
CURATED_MATCHES: dict[int, str] = {
    3075: "RioTreaty",  # Inter-American Treaty of Reciprocal Assistance, 1947-09-02
    3180: "NATO",  # North Atlantic Treaty, 1949-04-04
    3215: "ANZUS",  # ANZUS Treaty, 1951-09-01
    3260: "SEATO",  # Southeast Asia Collective Defense Treaty (Manila Pact), 1954-09-08
    3275: "CENTO",  # Baghdad Pact, 1955-02-24 (CENTO from 1959), ended 1979
    3285: "WarsawPact",  # Warsaw Treaty, 1955-05-14, dissolved 1991-07-01
    3740: "OSCE",  # Helsinki Final Act 1975-08-01 (CSCE); phase 2 from the Paris Charter
    4220: "CSTO",  # Collective Security Treaty, Tashkent 1992-05-15 (CSTO from 2002)
    4810: "SCO",  # Shanghai Five agreement 1996-04-26; phase 2 = SCO from 2001-06-15
}

#: (atopid, member code) -> node, where the date alone resolves the code wrongly. Each was
#: signed by the RSFSR (Russia within the USSR), not by the USSR, before 1991-12-26.
MEMBER_OVERRIDES: dict[tuple[int, int], tuple[str, str]] = {
    (4016, 365): ("RUS", "Treaty between the RSFSR and the Ukrainian SSR, Kyiv, 1990-11-19: "
                         "signed by the RSFSR, i.e. Russia, not the USSR."),
    (4055, 365): ("RUS", "Treaty on the basis of interstate relations between the RSFSR and "
                         "the Republic of Lithuania, Moscow, 1991-07-29: signed by the RSFSR, "
                         "i.e. Russia, not the USSR."),
}


class RowError(ValueError):
    """A row that cannot become a record; the message is the reason in the report."""


#: ATOP obligation flag -> label word, in the order that names the pact (defence first).
PACT_KINDS: dict[str, str] = {
    "defense": "Defence pact",
    "offense": "Offence pact",
    "neutral": "Neutrality pact",
    "nonagg": "Non-aggression pact",
    "consul": "Consultation pact",
}


@dataclass
class AllianceInfo:
    """What an alliance's label is made of."""

    start: PartialDate
    obligations: tuple[str, ...]
    entries: list[tuple[PartialDate, str]] = field(default_factory=list)
    phases: dict[int, str] = field(default_factory=dict)

    def founders(self) -> list[str]:
        """Members from the alliance's first day (or the earliest entries)."""
        if not self.entries:
            return []
        first = min(e for e, _ in self.entries)
        on_day = sorted({slug for e, slug in self.entries if e == self.start})
        return on_day or sorted({slug for e, slug in self.entries if e == first})


def generic_label(info: AllianceInfo, names: list[str]) -> str:
    """'Defence pact: Japan–United States (1951)' from the flags and founding members."""
    kind = next((PACT_KINDS[o] for o in PACT_KINDS if o in info.obligations), "Alliance")
    names = sorted(names)
    if len(names) > 4:
        who = f"{', '.join(names[:3])} and {len(names) - 3} others"
    else:
        who = "–".join(names)
    return f"{kind}: {who} ({info.start.year})"


@dataclass(frozen=True)
class Span:
    start: PartialDate
    end: PartialDate | None  # None = in effect at the end of coverage


def alliance_iri(atopid: int) -> str:
    return ident(f"alliance/atop-{atopid}")


def phase_iri(atopid: int, phase: int) -> str:
    return ident(f"alliance/atop-{atopid}/phase-{phase}")


def _int(row: CsvRow, col: str) -> int:
    value = parse_int(row[col], col)
    if value is None:
        raise RowError(f"{col} is empty")
    return value


def _span(row: CsvRow, cols: tuple[str, ...]) -> Span:
    """Entry/exit (or begin/end) dates; exit year 0 = still in effect; missing day kept."""
    y0, m0, d0, y1, m1, d1 = (parse_int(row[c], c) for c in cols)
    try:
        start = partial_date(y0, m0, d0)
    except DateError as exc:
        raise RowError(f"{cols[0]}/{cols[1]}/{cols[2]}: {exc}") from exc
    if not y1:
        if m1 or d1:
            raise RowError(f"{cols[3]} is 0 but {cols[4]}/{cols[5]} are not")
        return Span(start, None)
    try:
        end = partial_date(y1, m1, d1)
    except DateError as exc:
        raise RowError(f"{cols[3]}/{cols[4]}/{cols[5]}: {exc}") from exc
    if end.latest() < start.earliest():
        raise RowError(f"ends ({end.lexical}) before it starts ({start.lexical})")
    return Span(start, end)


def _obligations(doc: TurtleDocument, subject: str, row: CsvRow, report: ImportReport,
                 where: str) -> None:
    for col, concept in OBLIGATIONS.items():
        flag = row[col]
        if flag == "1":
            doc.add_iri(subject, mil("obligation"), mil(concept))
        elif flag not in ("0", ""):
            report.note(where, row.line, f"obligation flag {col} = {flag!r} is not 0/1: ignored")


def _dates(doc: TurtleDocument, subject: str, span: Span) -> None:
    """Start, end or observation end of an alliance or phase (whose start is a signature;
    mil:dateKind is for time-bounded relations only, so it is said in docs, not here)."""
    add_date(doc, subject, mil("startDate"), span.start)
    if span.end is None:
        doc.add(subject, mil("observedUntil"), typed(COVERAGE_END, XSD + "date"))
    else:
        add_date(doc, subject, mil("endDate"), span.end)


def _check_ineffect(row: CsvRow, span: Span, report: ImportReport, where: str) -> None:
    flag = row["ineffect"]
    if (span.end is None) != (flag == "1"):
        end = span.end.lexical if span.end else "0"
        report.note(where, row.line, f"ineffect = {flag} disagrees with the end date ({end})")


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          curated: CuratedLabels | None = None, treaties: CuratedTreaties | None = None,
          ) -> tuple[TurtleDocument, ImportReport]:
    """Read the ATOP alliance, phase and member files (a folder, or any one file in it)."""
    folder = path if path.is_dir() else find_file(path, ALLIANCE_FILE).parent
    files = {n: find_file(folder, n) for n in (ALLIANCE_FILE, PHASE_FILE, MEMBER_FILE)}
    resolver = resolver or NationResolver()
    report = ImportReport("atop", sources=[*files.values(), resolver.source])
    doc = TurtleDocument(header=[
        "ATOP 5.1 alliances, phases and members, imported by `milgraph import atop`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, ATOP)
    info: dict[int, AllianceInfo] = {}
    maxphase = _alliances(doc, files[ALLIANCE_FILE], report, info)
    phases = _phases(doc, files[PHASE_FILE], maxphase, report, info)
    _members(doc, files[MEMBER_FILE], maxphase, phases, resolver, report, info)
    treaties = CuratedTreaties.read() if treaties is None else treaties
    curated = CuratedLabels.read() if curated is None else curated
    _labels(doc, info, treaties, NationLabels(resolver, curated), curated, report)
    return doc, report


def _alliances(doc: TurtleDocument, source: Path, report: ImportReport,
               info: dict[int, AllianceInfo]) -> dict[int, int]:
    where = shown(source)
    maxphase: dict[int, int] = {}
    for row in read_rows(source, ALLIANCE_COLS):
        report.read(where)
        try:
            if row.problem:
                raise RowError(row.problem)
            atopid = _int(row, "atopid")
            if atopid in maxphase:
                raise RowError(f"atopid {atopid} appears twice")
            span = _span(row, DATE_COLS)
            phases = _int(row, "maxphase")
        except (RowError, DateError) as exc:
            report.reject(where, row.line, str(exc))
            continue
        maxphase[atopid] = phases
        s = alliance_iri(atopid)
        doc.add_iri(s, RDF_TYPE, mil("Alliance"))
        info[atopid] = AllianceInfo(span.start, tuple(
            col for col in OBLIGATIONS if row[col] == "1"))
        doc.add(s, DCT + "identifier", text(str(atopid)))
        _dates(doc, s, span)
        _obligations(doc, s, row, report, where)
        _check_ineffect(row, span, report, where)
        if atopid in CURATED_MATCHES:
            doc.add_iri(s, SKOS + "closeMatch", ident(f"org/{CURATED_MATCHES[atopid]}"))
        add_source(doc, s, ATOP)
        report.wrote("alliances")
    return maxphase


def _phases(doc: TurtleDocument, source: Path, maxphase: dict[int, int],
            report: ImportReport, info: dict[int, AllianceInfo]) -> set[tuple[int, int]]:
    where = shown(source)
    seen: set[tuple[int, int]] = set()
    for row in read_rows(source, PHASE_COLS):
        report.read(where)
        try:
            if row.problem:
                raise RowError(row.problem)
            atopid, phase = _int(row, "atopid"), _int(row, "phase")
            if atopid not in maxphase:
                raise RowError(f"atopid {atopid} is not in {ALLIANCE_FILE}")
            if (atopid, phase) in seen:
                raise RowError(f"phase {phase} of alliance {atopid} appears twice")
            if phase > maxphase[atopid]:
                raise RowError(f"phase {phase} but the alliance has maxphase {maxphase[atopid]}")
            span = _span(row, DATE_COLS)
        except (RowError, DateError) as exc:
            report.reject(where, row.line, str(exc))
            continue
        seen.add((atopid, phase))
        if phase == 0:  # an alliance without phases: its one row repeats the alliance
            continue
        s = phase_iri(atopid, phase)
        doc.add_iri(s, RDF_TYPE, mil("AlliancePhase"))
        doc.add_iri(s, mil("phaseOf"), alliance_iri(atopid))
        doc.add(s, mil("phaseNumber"), integer(phase))
        info[atopid].phases[phase] = s
        doc.add(s, DCT + "identifier", text(row["atopidphase"]))
        _dates(doc, s, span)
        _obligations(doc, s, row, report, where)
        _check_ineffect(row, span, report, where)
        add_source(doc, s, ATOP)
        report.wrote("alliance phases")
    return seen


def _segments(resolver: NationResolver, atopid: int, ccode: int, span: Span,
              ) -> tuple[list[Segment], str | None]:
    """Nation segments of a membership, and the override reason if one applies."""
    start = span.start.earliest()
    if span.end is None:
        end: date | None = None
    elif span.end.is_complete:
        end = span.end.as_date()
    else:
        end = next_day(span.end.latest())
    if (atopid, ccode) in MEMBER_OVERRIDES:
        slug, reason = MEMBER_OVERRIDES[(atopid, ccode)]
        return [Segment(slug, start, end)], reason
    if not resolver.knows(ccode):
        raise RowError(f"member {ccode} is not a COW state code")
    try:
        segments = resolver.segments(ccode, start, end)
    except UnknownCode as exc:
        raise RowError(str(exc)) from exc
    for seg in segments[1:]:  # a change of node inside a partial date's month or year
        b = seg.start
        in_start = not span.start.is_complete and span.start.earliest() < b <= span.start.latest()
        in_end = (span.end is not None and not span.end.is_complete
                  and span.end.earliest() <= b <= span.end.latest())
        if in_start or in_end:
            raise RowError(f"COW {ccode} changes node on {b} within a partial date: "
                           "cannot split without inventing a day")
    return segments, None


def _members(doc: TurtleDocument, source: Path, maxphase: dict[int, int],
             phases: set[tuple[int, int]], resolver: NationResolver,
             report: ImportReport, info: dict[int, AllianceInfo]) -> None:
    where = shown(source)
    rows = list(read_rows(source, MEMBER_COLS))
    # (atopid, member, phase) -> exit dates, to see which rows continue the previous phase.
    exits: dict[tuple[str, str, str], set[str]] = {}
    for row in rows:
        key = (row["atopid"], row["member"], row["phase"])
        exits.setdefault(key, set()).add("-".join(row[c] for c in ("yrexit", "moexit", "dayexit")))
    for row in rows:
        report.read(where)
        try:
            if row.problem:
                raise RowError(row.problem)
            atopid, ccode, phase = _int(row, "atopid"), _int(row, "member"), _int(row, "phase")
            if atopid not in maxphase:
                raise RowError(f"atopid {atopid} is not in {ALLIANCE_FILE}")
            if phase and (atopid, phase) not in phases:
                raise RowError(f"phase {phase} of alliance {atopid} is not in {PHASE_FILE}")
            span = _span(row, ("yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"))
            segments, override = _segments(resolver, atopid, ccode, span)
        except (RowError, DateError) as exc:
            report.reject(where, row.line, str(exc))
            continue
        _check_ineffect(row, span, report, where)
        if atopid in info and segments:
            info[atopid].entries.append((span.start, segments[0].slug))
        entry = "-".join(row[c] for c in ("yrent", "moent", "dayent"))
        previous = (row["atopid"], row["member"], str(phase - 1))
        continued = phase > 1 and entry in exits.get(previous, ())
        first_kind = "DateKindEffective" if continued else "DateKindSignature"
        for i, seg in enumerate(segments):
            first, last = i == 0, i == len(segments) - 1
            start = span.start if first else PartialDate.of(seg.start)
            suffix = f"/phase-{phase}" if phase else ""
            s = ident(f"membership/atop-{atopid}/{seg.slug}/{start.lexical}{suffix}")
            if doc.has_subject(s):
                report.reject(where, row.line, f"a second membership {s}")
                continue
            doc.add_iri(s, RDF_TYPE, mil("Membership"))
            doc.add_iri(s, mil("member"), nation_iri(seg.slug))
            doc.add_iri(s, mil("organization"), alliance_iri(atopid))
            if phase:
                doc.add_iri(s, mil("alliancePhase"), phase_iri(atopid, phase))
            add_date(doc, s, mil("startDate"), start)
            doc.add_iri(s, mil("dateKind"), mil(first_kind if first else "DateKindEffective"))
            if not last:
                add_date(doc, s, mil("endDate"), PartialDate.of(seg.end))  # type: ignore[arg-type]
            elif span.end is not None:
                add_date(doc, s, mil("endDate"), span.end)
            else:
                doc.add(s, mil("observedUntil"), typed(COVERAGE_END, XSD + "date"))
            label = f"{seg.slug} in ATOP {atopid}" + (f" phase {phase}" if phase else "")
            doc.add(s, RDFS + "label", text(f"{label} from {start.lexical}", "en"))
            if len(segments) > 1:
                doc.add(s, RDFS + "comment", text(
                    f"ATOP codes one membership of COW {ccode} from {span.start.lexical}; COW "
                    f"{ccode} stands for {seg.slug} from {seg.start.isoformat()}, so the record "
                    f"is split there (part {i + 1} of {len(segments)}).", "en"))
                if not first:
                    report.note(where, row.line, f"membership split at a change of state: "
                                f"COW {ccode} is {seg.slug} from {seg.start}")
            if continued and first:
                doc.add(s, RDFS + "comment", text(
                    f"Continues the member's phase {phase - 1} record: the start date is the "
                    f"day phase {phase} began, not a signature by this member.", "en"))
            if override:
                doc.add(s, RDFS + "comment", text(override, "en"))
                report.note(where, row.line, f"member resolved by override: {override}")
            _obligations(doc, s, row, report, where)
            add_source(doc, s, ATOP)
            report.wrote("memberships")


def _labels(doc: TurtleDocument, info: dict[int, AllianceInfo], treaties: CuratedTreaties,
            labels: NationLabels, orgs: CuratedLabels, report: ImportReport) -> None:
    """Alliance labels: the curated treaty's name where one matches (signed the same day, its
    parties include every founding member), else the pact kind, founders and year."""
    for atopid in sorted(info):
        item = info[atopid]
        founders = item.founders()
        founder_iris = {nation_iri(slug) for slug in founders}
        treaty = treaties.match(item.start.lexical, founder_iris) if item.start.is_complete \
            else None
        org = ident(f"org/{CURATED_MATCHES[atopid]}") if atopid in CURATED_MATCHES else None
        org_labels = sorted(orgs.labels(org, "en")) if org else []
        if treaty is not None:
            label = treaty[1]
            doc.add_iri(alliance_iri(atopid), SKOS + "relatedMatch", treaty[0])
            report.tally("alliances labelled with a curated treaty's name")
        elif org_labels:
            label = org_labels[0]
            report.tally("alliances labelled with a curated organisation's name")
        else:
            label = generic_label(item, [labels.short(s) for s in founders])
        doc.add(alliance_iri(atopid), RDFS + "label", text(label, "en"))
        for phase, s in sorted(item.phases.items()):
            doc.add(s, RDFS + "label", text(f"{label}, phase {phase}", "en"))
