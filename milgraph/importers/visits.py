"""Import D'Orazio's list of US service-leader visits abroad (1992-2012).

One ``mil:MilitaryVisit`` per row (one trip x visited state): visiting actor the United States,
the visited state from its ISO code (resolved with the dates), the office as the source words
it (``Title``; "Commandant US Marine Corps" and "Commandant of the Marine Corps" are the same
office, written as the source has each), the visitor's name, first and last day (inclusive, as
for events). The IRI is ``id/visit/us-service-leaders/{office}/{start}/{ISO}``, with a number
added where one office visited one state twice from the same day. Visited places that are no
nation node (Guam, the US Virgin Islands, Wake Island, Antarctica, ...) are listed in the
unmapped-name report and not imported: the source records them as states visited but they are
not states of this graph. One capital stands in the state column and is read as its state
(``CAPITALS``): "Nassau" (1994) is the capital of the Bahamas; the crosswalk's "Nassau" is the
German duchy (until 1866), which no visit of 1992-2012 can be.
"""

from __future__ import annotations

import re
from pathlib import Path

from milgraph.importers.common import (
    RDF_TYPE,
    RDFS,
    Dataset,
    add_class_partition,
    add_dataset,
    add_date,
    add_source,
    ident,
    mil,
)
from milgraph.importers.csvfile import DATASETS_DIR, find_file, read_rows, shown
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.dates import DateError, PartialDate, parse_int
from milgraph.importers.nations import NationLabels, NationResolver, nation_iri
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import TurtleDocument, text

FILE = "visits_sheet1.csv"
DEFAULT_PATH = DATASETS_DIR / "us-service-leader-visits"
# Capitals written where the state column expects a state: the state's ISO code.
CAPITALS = {"Nassau": "BHS"}
COLUMNS = ("Title", "Name", "Start Day", "Start Month", "Start Year", "City Visited",
           "State Visit", "End Day", "End Month", "End Year")

VISITS = Dataset(
    "us-service-leader-visits",
    "US service secretaries' and combatant commanders' visits abroad, 1992-2012 (D'Orazio)",
    "D'Orazio, Vito. US service-leader visits abroad, 1992-2012 (unpublished working file, "
    "2012), distributed in the troopdata repository (data-raw/visits.xls).",
    "https://github.com/meflynn/troopdata/tree/3946bcf89a6d72de8abace812dc557f1f249f5f7/"
    "data-raw",
    "https://github.com/meflynn/troopdata/blob/3946bcf89a6d72de8abace812dc557f1f249f5f7/"
    "data-raw/visits.xls",
    "2012-11-05",
    None,
    (("1992-01-01", "2012-12-31"),),
)


def _day(row, prefix: str) -> PartialDate:
    parts = [parse_int(row[f"{prefix} {p}"], f"{prefix} {p}") for p in ("Year", "Month", "Day")]
    return PartialDate(parts[0], parts[1] or None, parts[2] or None)  # type: ignore[arg-type]


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          curated: CuratedLabels | None = None) -> tuple[TurtleDocument, ImportReport]:
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    labels = NationLabels(resolver, CuratedLabels.read() if curated is None else curated)
    report = ImportReport("visits", sources=[source, resolver.source])
    doc = TurtleDocument(header=[
        "US service-leader visits abroad (1992-2012), imported by `milgraph import visits`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, VISITS)
    where = shown(source)
    usa = nation_iri("USA")
    for row in read_rows(source, COLUMNS):
        report.read(where)
        if row.problem:
            report.reject(where, row.line, row.problem)
            continue
        try:
            start, end = _day(row, "Start"), _day(row, "End")
        except (DateError, TypeError) as exc:
            report.reject(where, row.line, f"date: {exc}")
            continue
        place = " ".join(row["State Visit"].split())
        place = CAPITALS.get(place, place)
        match = resolver.match_iso(place) if re.fullmatch(r"[A-Z]{3}", place) \
            else resolver.match_name(place)
        visited, reason = resolver.resolve(match, start.earliest(), end.latest())
        if visited is None:
            report.unmapped_name(place, reason, where, row.line)
            report.tally("visits of places that are no nation node, left out")
            continue
        office = " ".join(row["Title"].split())
        slug = re.sub(r"[^a-z0-9]+", "-", office.casefold()).strip("-")
        base = ident(f"visit/us-service-leaders/{slug}/{start.lexical}/"
                     f"{visited.rsplit('/', 1)[1]}")
        s, n = base, 2
        while doc.has_subject(s):
            s, n = f"{base}-{n}", n + 1
        doc.add_iri(s, RDF_TYPE, mil("MilitaryVisit"))
        name = " ".join(row["Name"].split())
        doc.add(s, RDFS + "label", text(
            f"{office}{' ' + name if name else ''}: visit to {labels.label(visited)}, "
            f"{start.lexical}", "en"))
        doc.add_iri(s, mil("visitingActor"), usa)
        doc.add_iri(s, mil("visitedActor"), visited)
        doc.add(s, mil("visitorOffice"), text(office))
        if name:
            doc.add(s, mil("visitorName"), text(name))
        add_date(doc, s, mil("startDate"), start)
        if end.latest() >= start.earliest():
            add_date(doc, s, mil("endDate"), end)
        else:
            report.note(where, row.line, f"end {end.lexical} before start {start.lexical}: "
                        "end left out")
        city = " ".join(row["City Visited"].split())
        if city:
            doc.add(s, mil("location"), text(city))
        add_source(doc, s, VISITS)
        report.wrote("visits")
    add_class_partition(doc, VISITS, "MilitaryVisit", report.records["visits"])
    return doc, report
