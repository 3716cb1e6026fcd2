"""Import the Correlates of War state system (v2016): nations and their statehood periods.

One ``mil:StatehoodPeriod`` per COW spell (``states2016.csv`` row), on the nation node the COW
code stands for at that time (see nations.py). A spell during which the code changes node (COW
365 1816-2016 covers the Russian Empire, the USSR and the Russian Federation) is split at each
change (the parts say so in an ``rdfs:comment``). Every period's start is the day it took
effect as COW codes it: ``mil:dateKind mil:DateKindEffective``.

COW gives the last day of a spell; milgraph intervals are half-open, so ``mil:endDate`` is the
day after COW's end date. A spell COW ends on 2016-12-31 (the end of its coverage) has no end
date and carries ``mil:observedUntil 2016-12-31``.

COW's name is the nation's English ``rdfs:label`` unless the curated data (``data/un.ttl``)
already labels the node: then the curated name wins and COW's, where it differs
("Swaziland" for Eswatini), is written as ``skos:altLabel`` (see curated.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from milgraph.importers.common import (
    COUNTRYCODE,
    COW_STATES,
    RDF_TYPE,
    RDFS,
    SKOS,
    add_dataset,
    add_date,
    add_source,
    ident,
    mil,
)
from milgraph.importers.csvfile import DATASETS_DIR, find_file, read_rows, shown
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.dates import DateError, PartialDate, next_day, parse_int, partial_date
from milgraph.importers.nations import (
    HISTORICAL,
    SUCCESSORS,
    NationResolver,
    UnknownCode,
    nation_iri,
)
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import XSD, TurtleDocument, integer, text, typed

FILE = "states2016.csv"
DEFAULT_PATH = DATASETS_DIR / "cow-states-2016"
COLUMNS = ("stateabb", "ccode", "statenme", "styear", "stmonth", "stday",
           "endyear", "endmonth", "endday")
COVERAGE_END = date(2016, 12, 31)


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          curated: CuratedLabels | None = None) -> tuple[TurtleDocument, ImportReport]:
    """Read ``states2016.csv`` (or the folder holding it) into Turtle and a report.

    ``curated`` (default: the labels of ``data/*.ttl``) decides which nations keep COW's
    name as ``rdfs:label`` and which get it as ``skos:altLabel`` only.
    """
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    curated = CuratedLabels.read() if curated is None else curated
    report = ImportReport("cow-states", sources=[source, resolver.source])
    doc = TurtleDocument(header=[
        "Correlates of War state system membership v2016, imported by `milgraph import "
        "cow-states`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, COW_STATES)
    add_dataset(doc, COUNTRYCODE)
    where = shown(source)

    codes_of: dict[str, set[int]] = defaultdict(set)
    abbrevs_of: dict[str, set[str]] = defaultdict(set)
    names_of: dict[str, set[tuple[int, str]]] = defaultdict(set)

    for row in read_rows(source, COLUMNS):
        report.read(where)
        if row.problem:
            report.reject(where, row.line, row.problem)
            continue
        try:
            ccode = parse_int(row["ccode"], "ccode")
            if ccode is None:
                raise DateError("ccode is empty")
            start = partial_date(*(parse_int(row[c], c) for c in ("styear", "stmonth", "stday")))
            last = partial_date(*(parse_int(row[c], c) for c in ("endyear", "endmonth", "endday")))
            if not (start.is_complete and last.is_complete):
                raise DateError("COW spells have complete dates; this one does not")
        except DateError as exc:
            report.reject(where, row.line, str(exc))
            continue
        begin, end_incl = start.as_date(), last.as_date()
        if end_incl < begin:
            report.reject(where, row.line, f"spell ends ({end_incl}) before it starts ({begin})")
            continue
        ongoing = end_incl >= COVERAGE_END
        end = None if ongoing else next_day(end_incl)
        try:
            segments = resolver.segments(ccode, begin, end)
        except UnknownCode as exc:
            report.reject(where, row.line, str(exc))
            continue
        abb, name = row["stateabb"], row["statenme"]
        spell = f"COW spell {ccode} {abb} {begin.isoformat()} to {end_incl.isoformat()}"
        for i, seg in enumerate(segments):
            codes_of[seg.slug].add(ccode)
            abbrevs_of[seg.slug].add(abb)
            names_of[seg.slug].add((ccode, name))
            s = ident(f"statehood/{seg.slug}/{seg.start.isoformat()}")
            if doc.has_subject(s):
                report.reject(where, row.line, f"a second spell of {seg.slug} from {seg.start}")
                continue
            doc.add_iri(s, RDF_TYPE, mil("StatehoodPeriod"))
            doc.add_iri(s, mil("state"), nation_iri(seg.slug))
            add_date(doc, s, mil("startDate"), PartialDate.of(seg.start))
            doc.add_iri(s, mil("dateKind"), mil("DateKindEffective"))
            if seg.end is not None:
                add_date(doc, s, mil("endDate"), PartialDate.of(seg.end))
            else:
                doc.add(s, mil("observedUntil"), typed(COVERAGE_END.isoformat(), XSD + "date"))
            label = f"{name} in the COW state system from {seg.start.isoformat()}"
            doc.add(s, RDFS + "label", text(label, "en"))
            if len(segments) > 1:
                doc.add(s, RDFS + "comment", text(
                    f"Part {i + 1} of {len(segments)} of {spell}: COW code {ccode} stands "
                    f"for {seg.slug} from {seg.start.isoformat()}"
                    + (f" until {seg.end.isoformat()}" if seg.end else "")
                    + " (see docs/data-imported.md).", "en"))
                if i > 0:
                    report.note(where, row.line,
                                f"spell split at a change of state: {seg.slug} from {seg.start}")
            add_source(doc, s, COW_STATES)
            report.wrote("statehood periods")

    for slug in sorted(codes_of):
        if _add_nation(doc, slug, resolver, codes_of[slug], abbrevs_of[slug], names_of[slug],
                       curated):
            report.tally("COW names kept as skos:altLabel (data/un.ttl labels the node)")
        report.wrote("nations")
    for successor, predecessor, _reason in SUCCESSORS:
        if successor in codes_of and predecessor in codes_of:  # both nodes in this import
            doc.add_iri(nation_iri(successor), mil("successorOf"), nation_iri(predecessor))
            report.wrote("successor links")
    return doc, report


def _add_nation(doc: TurtleDocument, slug: str, resolver: NationResolver, codes: set[int],
                abbrevs: set[str], cow_names: set[tuple[int, str]],
                curated: CuratedLabels) -> bool:
    """Write the nation node; True when the curated label differs from COW's name."""
    s = nation_iri(slug)
    doc.add_iri(s, RDF_TYPE, mil("Nation"))
    hist = HISTORICAL.get(slug)
    # Names that stand for this node alone: COW's name when its code means only this node,
    # the crosswalk's when it gives this node's ISO code.
    only_here = {c for c in codes if resolver.slugs(c) == [slug]}
    alt = {n for c, n in cow_names if c in only_here}
    alt |= {resolver.crosswalk_name(c) or "" for c in codes
            if resolver.crosswalk_iso(c) and resolver.crosswalk_iso(c) == slug} - {""}
    if hist:
        label = hist.label
        alt |= set(hist.alt_labels)
        iso = hist.iso
        doc.add(s, RDFS + "comment", text(hist.reason, "en"))
    else:
        label = sorted(n for _, n in cow_names)[0]
        iso = slug if not slug.startswith("cow-") else None
    preferred = curated.labels(s, "en")
    renamed = bool(preferred) and label not in preferred
    if renamed:
        alt.add(label)  # COW's (or the table's) name becomes an alternative
    else:  # no curated label, or the same one
        doc.add(s, RDFS + "label", text(label, "en"))
        preferred = {label}
    for name in alt - preferred:
        doc.add(s, SKOS + "altLabel", text(name, "en"))
    if iso:
        doc.add(s, mil("isoCode"), text(iso))
        if any(resolver.crosswalk_iso(c) == iso for c in codes):
            add_source(doc, s, COUNTRYCODE)
    for c in codes:
        doc.add(s, mil("cowCode"), integer(c))
    for a in abbrevs:
        doc.add(s, mil("cowAbbreviation"), text(a))
    add_source(doc, s, COW_STATES)
    return renamed
