"""Import the US Foreign Military Training Report (Security Force Monitor's extraction).

Two inputs (PROVENANCE.md of ``sfm-fmtr-us-military-training``):

- ``derived/fmtr_country_program_year.csv``: per report, country and programme string, the
  number of training items and the sums of trainees and cost. Each row becomes part of one
  ``mil:AnnualTrainingExchange`` (provider USA, recipient, programme node, US fiscal year).
- ``raw_xml/*.xml`` (reports FY 2019-2020 and FY 2020-2021): the training items themselves.
  Items of one course title (case and spacing ignored) for one recipient, programme and fiscal
  year become one ``mil:TrainingCourse`` (trainees and cost summed over its sessions, first
  start and last end date), ``mil:partOfExchange`` the annual record, typed
  ``mil:OfficerEducationProgramme`` or ``mil:SkillCourse`` where the title says which
  (training_programmes.course_kind).

Rules (docs/data-imported.md):

- **Which fiscal year.** A report "FY N-N+1" lists the training *provided* in FY N and, in
  the first two reports, also the training *proposed* for FY N+1 (the law asks for "the
  previous fiscal year and ... the current fiscal year"). Each row's year comes from its
  programme string ("FY 00", "Fiscal Year 2019"); a row is imported only when that year is N,
  the report's first year. The proposed rows (FY 2000 in report 1999-2000, FY 2001 in report
  2000-2001) are left out and counted: the next report gives the provided training of that
  year. Rows whose string names no year, and the report's "No activities reported ..." lines,
  are not training and are counted too.
- **Recipient.** The country as printed, through the crosswalk and nations.py, resolved on
  the last day of the fiscal year. A name that resolves to no nation node (dependent
  territories, the Palestinian Authority, a region) is not imported: it is listed in the
  unmapped-name report with its rows.
- **Numbers.** ``mil:trainees`` is the sum of the items' quantities and ``mil:costUSD`` of
  their costs, written only when at least one item gives one; ``mil:itemsWithTrainees`` /
  ``mil:itemsWithCost`` say how many did when not all did.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from milgraph.errors import InputError, Location
from milgraph.importers.common import (
    DCT,
    RDF_TYPE,
    RDFS,
    Dataset,
    add_class_partition,
    add_dataset,
    add_source,
    ident,
    mil,
)
from milgraph.importers.csvfile import DATASETS_DIR, CsvRow, find_file, read_rows, shown
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.nations import NationLabels, NationResolver, nation_iri
from milgraph.importers.report import ImportReport
from milgraph.importers.training_programmes import (
    NO_ACTIVITY,
    Programme,
    collapse,
    course_kind,
    fiscal_year,
    programme_of,
)
from milgraph.importers.turtle import XSD, TurtleDocument, text, typed

DEFAULT_PATH = DATASETS_DIR / "sfm-fmtr-us-military-training"
DERIVED = "derived/fmtr_country_program_year.csv"
RAW_XML = "raw_xml"
COLUMNS = ("report_fiscal_years", "country_as_printed", "program_as_printed",
           "n_training_items", "sum_quantity", "n_items_with_quantity", "sum_total_cost_usd",
           "n_items_with_cost")
PROVIDER = nation_iri("USA")
FIRST_FY, LAST_FY, MISSING_FY = 1999, 2020, 2006
COURSE_FIRST_FY, COURSE_LAST_FY = 2019, 2020

FMTR = Dataset(
    "sfm-fmtr",
    "United States Foreign Military Training Report: data extraction (Security Force Monitor)",
    'Security Force Monitor (Columbia Law School Human Rights Institute), "United States '
    'Foreign Military Training Report: data extraction project", '
    "https://github.com/security-force-monitor/fmtrpt_data. Underlying source: US Department "
    "of State and Department of Defense, Foreign Military Training and DoD Engagement "
    "Activities of Interest, Joint Report to Congress, Volume I, Section IV (annual).",
    "https://trainingdata.securityforcemonitor.org",
    "https://github.com/security-force-monitor/fmtrpt_data/tree/"
    "203d73fa287796fe5266db58a75c48cbb53ff4ad",
    "203d73f (2024-12-06)",
    None,
    (("1998-10-01", "2005-09-30"), ("2006-10-01", "2020-09-30")),
)

#: The report (Volume I) each fiscal year's training comes from: "FY N-N+1" reports FY N.
#: Addresses as listed in SFM's README (its source table), one per report.
REPORTS: dict[int, str] = {
    1999: "https://web.archive.org/web/20170322193536/https://2009-2017.state.gov/www/global/"
          "arms/fmtrain/toc.html",
    **{fy: f"https://2009-2017.state.gov/t/pm/rls/rpt/fmtrpt/{fy + 1}/index.htm"
       for fy in range(2000, 2016)},
    **{fy: "https://www.state.gov/reports/foreign-military-training-and-dod-engagement-"
           f"activities-of-interest-{fy}-{fy + 1}/" for fy in range(2016, 2021)},
}

_REPORT = re.compile(r"^(\d{4})_(\d{4})$")
_XML_NAME = re.compile(r"^(\d{4})_(\d{4})_.*\.xml$")
_TOTALS = re.compile(r"program totals", re.IGNORECASE)


def exchange_iri(programme: str, recipient_slug: str, fy: int) -> str:
    return ident(f"training/{programme}/{recipient_slug}/{fy}")


def fy_start(fy: int) -> date:
    return date(fy - 1, 10, 1)


def fy_end(fy: int) -> date:
    return date(fy, 9, 30)


def money(value: Decimal) -> str:
    """xsd:decimal lexical form with at least one decimal place (``515086.0``)."""
    text_ = format(value.normalize(), "f")
    return text_ if "." in text_ else text_ + ".0"


@dataclass
class Sums:
    """Training items summed for one record."""

    items: int = 0
    trainees: int = 0
    with_trainees: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))
    with_cost: int = 0
    printed: set[str] = field(default_factory=set)
    first: date | None = None
    last: date | None = None

    def add(self, other: Sums) -> None:
        self.items += other.items
        self.trainees += other.trainees
        self.with_trainees += other.with_trainees
        self.cost += other.cost
        self.with_cost += other.with_cost
        self.printed |= other.printed


def _write_numbers(doc: TurtleDocument, s: str, sums: Sums) -> None:
    doc.add(s, mil("trainingItems"), typed(sums.items, XSD + "nonNegativeInteger"))
    if sums.with_trainees:
        doc.add(s, mil("trainees"), typed(sums.trainees, XSD + "nonNegativeInteger"))
    if sums.with_trainees < sums.items:
        doc.add(s, mil("itemsWithTrainees"),
                typed(sums.with_trainees, XSD + "nonNegativeInteger"))
    if sums.with_cost:
        doc.add(s, mil("costUSD"), typed(money(sums.cost), XSD + "decimal"))
    if sums.with_cost < sums.items:
        doc.add(s, mil("itemsWithCost"), typed(sums.with_cost, XSD + "nonNegativeInteger"))


class Recipients:
    """Printed country names -> nation node, resolved on the last day of the fiscal year;
    the names that resolve to none are counted in the report's unmapped list."""

    def __init__(self, resolver: NationResolver, curated: CuratedLabels) -> None:
        self.resolver = resolver
        self._labels = NationLabels(resolver, curated)

    def resolve(self, printed: str, fy: int) -> tuple[str | None, str]:
        match = self.resolver.match_name(printed)
        return self.resolver.resolve(match, fy_end(fy), fy_end(fy))

    def label(self, iri: str) -> str:
        return self._labels.label(iri)


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          curated: CuratedLabels | None = None) -> tuple[TurtleDocument, ImportReport]:
    """Read the derived country x programme x year table and the raw XML of FY 2019-20."""
    folder = path if path.is_dir() else find_file(path, "fmtr_country_program_year.csv").parent
    if folder.name == "derived":
        folder = folder.parent
    derived = find_file(folder, DERIVED)
    xml_dir = folder / RAW_XML
    xml_files = sorted(xml_dir.glob("*.xml")) if xml_dir.is_dir() else []
    resolver = resolver or NationResolver()
    curated = CuratedLabels.read() if curated is None else curated
    report = ImportReport("fmtr", sources=[derived, *xml_files, resolver.source])
    doc = TurtleDocument(header=[
        "US Foreign Military Training Report (FY 1999-2020, Security Force Monitor's "
        "extraction), imported by `milgraph import fmtr`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, FMTR)
    recipients = Recipients(resolver, curated)
    annual = _annual(derived, recipients, report)
    courses = _courses(xml_files, recipients, report)
    for (prog, recipient, fy), sums in sorted(annual.items(), key=lambda kv: (
            kv[0][0].slug, kv[0][1], kv[0][2])):
        _write_annual(doc, prog, recipient, fy, sums, recipients)
        report.wrote("annual training exchanges")
    _write_courses(doc, courses, annual, recipients, report)
    add_class_partition(doc, FMTR, "AnnualTrainingExchange", report.records[
        "annual training exchanges"])
    add_class_partition(doc, FMTR, "TrainingCourse", report.records["training courses"],
                        (fy_start(COURSE_FIRST_FY).isoformat(),
                         fy_end(COURSE_LAST_FY).isoformat()))
    return doc, report


def _int(row: CsvRow, col: str) -> int:
    try:
        return int(Decimal(row[col] or "0"))
    except InvalidOperation:
        raise ValueError(f"{col} = {row[col]!r} is not a number") from None


def _annual(source: Path, recipients: Recipients, report: ImportReport,
            ) -> dict[tuple[Programme, str, int], Sums]:
    where = shown(source)
    out: dict[tuple[Programme, str, int], Sums] = {}
    for row in read_rows(source, COLUMNS):
        report.read(where)
        if row.problem:
            report.reject(where, row.line, row.problem)
            continue
        printed = collapse(row.values["program_as_printed"])
        m = _REPORT.match(row["report_fiscal_years"])
        if not m:
            report.reject(where, row.line, f"report_fiscal_years "
                          f"{row['report_fiscal_years']!r} is not of the form YYYY_YYYY")
            continue
        report_fy = int(m.group(1))
        if NO_ACTIVITY.search(printed):
            report.tally("'No activities reported' rows (no training)")
            continue
        fy = fiscal_year(printed)
        if fy is None:
            report.reject(where, row.line, f"the programme string {printed!r} names no "
                          "fiscal year")
            continue
        if fy != report_fy:
            report.tally(f"rows of a proposed year (FY {fy} in report "
                         f"{row['report_fiscal_years']}), left out")
            continue
        prog = programme_of(printed)
        if prog is None:
            report.reject(where, row.line, f"no programme node for {printed!r}")
            continue
        country = collapse(row.values["country_as_printed"])
        recipient, reason = recipients.resolve(country, fy)
        try:
            sums = Sums(_int(row, "n_training_items"), _int(row, "sum_quantity"),
                        _int(row, "n_items_with_quantity"),
                        Decimal(row["sum_total_cost_usd"] or "0"), _int(row, "n_items_with_cost"),
                        {printed})
        except (ValueError, InvalidOperation) as exc:
            report.reject(where, row.line, str(exc))
            continue
        if recipient is None:
            report.unmapped_name(country, reason, where, row.line)
            report.tally("rows of unmapped recipients, left out")
            report.tally("trainee places of unmapped recipients, left out", sums.trainees)
            continue
        out.setdefault((prog, recipient, fy), Sums()).add(sums)
        report.tally("rows imported")
    return out


def _write_annual(doc: TurtleDocument, prog: Programme, recipient: str, fy: int, sums: Sums,
                  recipients: Recipients) -> None:
    slug = recipient.rsplit("/", 1)[1]
    s = exchange_iri(prog.slug, slug, fy)
    doc.add_iri(s, RDF_TYPE, mil("AnnualTrainingExchange"))
    doc.add(s, RDFS + "label", text(
        f"US training for {recipients.label(recipient)} under {prog.short}, fiscal year {fy}",
        "en"))
    doc.add_iri(s, mil("provider"), PROVIDER)
    doc.add_iri(s, mil("recipient"), recipient)
    doc.add_iri(s, mil("programme"), ident(f"training/{prog.slug}"))
    doc.add(s, mil("fiscalYear"), typed(fy, XSD + "gYear"))
    doc.add(s, mil("startDate"), typed(fy_start(fy).isoformat(), XSD + "date"))
    doc.add(s, mil("endDate"), typed(fy_end(fy).isoformat(), XSD + "date"))
    _write_numbers(doc, s, sums)
    for printed in sums.printed:
        doc.add(s, mil("reportedProgramme"), text(printed))
    add_source(doc, s, FMTR)
    doc.add_iri(s, DCT + "source", REPORTS[fy])


# --- course-level records from the raw XML -------------------------------------------------

CourseKey = tuple[Programme, str, int, str]  # programme, recipient IRI, FY, title key


def _number(value: str) -> Decimal | None:
    cleaned = value.replace("$", "").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _day(value: str) -> date | None:
    m = re.match(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$", value)
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def _courses(files: list[Path], recipients: Recipients, report: ImportReport,
             ) -> dict[CourseKey, tuple[Counter[str], Sums]]:
    out: dict[CourseKey, tuple[Counter[str], Sums]] = {}
    for path in files:
        where = shown(path)
        m = _XML_NAME.match(path.name)
        if not m:
            raise InputError(Location(where), "file name does not start with the report's "
                             "years (YYYY_YYYY_...)", "pass SFM's 4_xml_dedup files")
        report_fy = int(m.group(1))
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise InputError(Location(where, exc.position[0]), f"malformed XML: {exc}") from exc
        for country in root.iter("country"):
            printed_country = collapse(country.get("name") or "")
            for program in country.iter("program"):
                printed = collapse(program.get("name") or "")
                fy = fiscal_year(printed)
                prog = programme_of(printed)
                for item in program.iter("training"):
                    report.read(where)
                    title = collapse(item.findtext("course_title") or "")
                    if _TOTALS.search(title):
                        report.tally("XML programme-total rows (not training items)")
                        continue
                    if fy != report_fy or prog is None:
                        report.reject(where, 0, f"programme {printed!r}: "
                                      + ("no programme node" if prog is None else
                                         f"FY {fy} is not the report's year {report_fy}"))
                        continue
                    recipient, reason = recipients.resolve(printed_country, fy)
                    if recipient is None:
                        report.unmapped_name(printed_country, reason, where, 0)
                        report.tally("XML items of unmapped recipients, left out")
                        continue
                    key = (prog, recipient, fy, title.casefold())
                    spellings, sums = out.setdefault(key, (Counter(), Sums()))
                    spellings[title] += 1
                    sums.items += 1
                    quantity = _number(item.findtext("quantity") or "")
                    if quantity is not None:
                        sums.trainees += int(quantity)
                        sums.with_trainees += 1
                    cost = _number(item.findtext("total_cost") or "")
                    if cost is not None:
                        sums.cost += cost
                        sums.with_cost += 1
                    sums.printed.add(printed)
                    start, end = (_day(item.findtext("start_date") or ""),
                                  _day(item.findtext("end_date") or ""))
                    for day in (start, end):
                        if day and not fy - 5 <= day.year <= fy + 1:
                            report.tally("XML session dates outside FY-5..FY+1 (typos), "
                                         "left out")
                    start = start if start and fy - 5 <= start.year <= fy + 1 else None
                    end = end if end and fy - 5 <= end.year <= fy + 1 else None
                    if start and (sums.first is None or start < sums.first):
                        sums.first = start
                    if end and (sums.last is None or end > sums.last):
                        sums.last = end
                    report.tally("XML training items imported")
    return out


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:60].strip("-") or "course"


def _write_courses(doc: TurtleDocument, courses: dict[CourseKey, tuple[Counter[str], Sums]],
                   annual: dict[tuple[Programme, str, int], Sums], recipients: Recipients,
                   report: ImportReport) -> None:
    taken: dict[str, set[str]] = defaultdict(set)
    for key in sorted(courses, key=lambda k: (k[0].slug, k[1], k[2], k[3])):
        prog, recipient, fy, title_key = key
        spellings, sums = courses[key]
        title = sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        parent = exchange_iri(prog.slug, recipient.rsplit("/", 1)[1], fy)
        if (prog, recipient, fy) not in annual:
            report.note("raw_xml", 0, f"course without an annual record: {parent}")
            continue
        slug = base = _slug(title_key)
        n = 2
        while slug in taken[parent]:
            slug, n = f"{base}-{n}", n + 1
        taken[parent].add(slug)
        s = f"{parent}/course/{slug}"
        doc.add_iri(s, RDF_TYPE, mil("TrainingCourse"))
        kind = course_kind(title)
        if kind:
            doc.add_iri(s, RDF_TYPE, mil(kind))
            report.tally(f"courses classified {kind}")
        doc.add(s, RDFS + "label", text(
            f"{title} ({recipients.label(recipient)}, {prog.short}, FY {fy})", "en"))
        doc.add_iri(s, mil("provider"), PROVIDER)
        doc.add_iri(s, mil("recipient"), recipient)
        doc.add_iri(s, mil("partOfExchange"), parent)
        _write_numbers(doc, s, sums)
        if sums.first:
            doc.add(s, mil("startDate"), typed(sums.first.isoformat(), XSD + "date"))
        if sums.last and (sums.first is None or sums.last >= sums.first):
            doc.add(s, mil("endDate"), typed(sums.last.isoformat(), XSD + "date"))
        add_source(doc, s, FMTR)
        report.wrote("training courses")
