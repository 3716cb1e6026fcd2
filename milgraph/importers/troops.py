"""Import US troop presence by host country-year (Allen, Flynn & Martinez Machain).

``troopdata-rebuild-country-year.csv`` (the 2024 rebuild from DMDC reports; the earlier series
``troopdata.csv`` differs in places and is not mixed in): each host-year with a positive
active-duty count (``troops_ad``) becomes a yearly indicator mil:IndicatorTroopsStationed
about the host, counterpart the United States (indicators.py). The United States itself
(COW 2) is not a host. Territories with the panel's own codes (1000 and above: Guam,
Diego Garcia, "Afloat", ...) and other codes that stand for no nation node are listed in the
unmapped-name report with their rows. Two rows for one host-year (the panel repeats a few
hosts under two spellings in 2013 and 2024, one of them 0) are one observation; were both
positive they would be summed and noted. The panel codes Germany 255 in all years: it is the
Federal Republic (node DEU) before 1990 too.
"""

from __future__ import annotations

from pathlib import Path

from milgraph.importers.common import Dataset, add_class_partition, add_dataset
from milgraph.importers.csvfile import DATASETS_DIR, find_file, read_rows, shown
from milgraph.importers.dates import DateError, parse_int
from milgraph.importers.indicators import add_observation, node_in_year
from milgraph.importers.nations import NationResolver, nation_iri
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import TurtleDocument

FILE = "troopdata-rebuild-country-year.csv"
DEFAULT_PATH = DATASETS_DIR / "us-troops-allen-flynn"
COLUMNS = ("countryname", "year", "ccode", "iso3c", "troops_ad")
#: The panel codes Germany 255 in every year: before 3 October 1990 that is the Federal
#: Republic (node DEU; COW gives it 260), where US forces were stationed, not the Reich.
CODE_NODES = {255: nation_iri("DEU")}

TROOPS = Dataset(
    "us-troops-allen-flynn",
    "US military deployments by host country-year (Allen, Flynn and Martinez Machain), "
    "2024 rebuild",
    "Michael A. Allen, Michael E. Flynn, Carla Martinez Machain (2022), \"Global U.S. military "
    "deployment data: 1950-2020\", Conflict Management and Peace Science 39(3): 351-370.",
    "https://github.com/meflynn/troopdata",
    "https://github.com/meflynn/troopdata/blob/3946bcf89a6d72de8abace812dc557f1f249f5f7/"
    "data-raw/troopdata-rebuild-country-year.csv",
    "2024 rebuild (3946bcf)",
    None,
    (("1950-01-01", "2024-12-31"),),
)


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          ) -> tuple[TurtleDocument, ImportReport]:
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    report = ImportReport("us-troops", sources=[source, resolver.source])
    doc = TurtleDocument(header=[
        "US active-duty troops by host country-year (1950-2024) as yearly indicators, imported "
        "by `milgraph import us-troops`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, TROOPS)
    where = shown(source)
    usa = nation_iri("USA")
    values: dict[tuple[str, int], tuple[int, int]] = {}
    for row in read_rows(source, COLUMNS):
        report.read(where)
        if row.problem:
            report.reject(where, row.line, row.problem)
            continue
        try:
            ccode, year = parse_int(row["ccode"], "ccode"), parse_int(row["year"], "year")
            troops = parse_int(row["troops_ad"], "troops_ad", missing=("", "NA"))
        except DateError as exc:
            report.reject(where, row.line, str(exc))
            continue
        if ccode is None or year is None:
            report.reject(where, row.line, "ccode or year is empty")
            continue
        if not troops or troops <= 0:
            report.tally("host-years with no active-duty troops (0 or NA), not written")
            continue
        if ccode == 2:
            report.tally("rows of the United States itself, left out")
            continue
        host = CODE_NODES.get(ccode) or node_in_year(resolver, ccode, year)
        if host is None:
            report.unmapped_name(f"{row['countryname']} (code {ccode})",
                                 "no nation node for this code", where, row.line)
            report.tally("host-years of territories and other unmapped hosts, left out")
            continue
        key = (host, year)
        if key in values:
            report.note(where, row.line, f"second positive row for {host.rsplit('/', 1)[1]} "
                        f"{year}: values summed")
            values[key] = (values[key][0] + troops, values[key][1])
        else:
            values[key] = (troops, row.line)
    for (host, year), (troops, _) in sorted(values.items()):
        add_observation(doc, TROOPS, "troops", host, usa, year, troops)
        report.wrote("yearly indicators (troops)")
    add_class_partition(doc, TROOPS, "YearlyIndicator",
                        report.records["yearly indicators (troops)"])
    return doc, report
