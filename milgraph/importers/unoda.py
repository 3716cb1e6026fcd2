"""Import the UNODA treaty-status harvest (2018): every action as part of a dated adherence.

One ``mil:Adherence`` per (treaty, state node) ``id/adherence/{treaty}/{nation}``:

- every action of the source is kept verbatim as ``mil:treatyAction`` ("Signature, London,
  1968-07-01"); the first date of each kind is ``mil:signatureDate``, ``mil:ratificationDate``,
  ``mil:accessionDate``, ``mil:successionDate``, ``mil:acceptanceDate``, ``mil:approvalDate``
  or ``mil:consentToBeBoundDate`` (CCW protocols). Several depositaries (London, Moscow,
  Washington) give several actions of one kind; the first deposit is the one that binds.
- ``mil:entryIntoForceDate`` (and ``mil:startDate``, ``mil:dateKind`` EntryIntoForce) where the
  treaty's rule is known (treaty_rules.py): the treaty's own entry into force for instruments
  deposited before it, else the rule applied to the first consent (ratification, accession,
  acceptance, approval or consent to be bound). A notification of succession counts from its
  deposit (a successor may regard itself bound from its independence, earlier: the date
  written is the latest it can be).
- The state is the UNODA name resolved *on the day of each action*: the "Russian Federation"
  signing in 1968 is the Soviet Union, "Serbia" ratifying in 1964 Yugoslavia, "Germany" in
  1925 the German Reich (COW 255) and from 1949 the Federal Republic (DEU). A successor listed
  with an action of its predecessor before it existed ("Slovakia" signing Open Skies in 1992,
  "Yemen" in 1968: which Yemen?) is rejected and reported, not given to the successor.
- An adherence of a state that ceased to exist ends that day (``mil:endDate``: the USSR on
  1991-12-26, Yugoslavia on 1992-04-27). The Russian Federation, continuing state of the USSR,
  gets an adherence from 1991-12-26 (``mil:dateKind`` Effective) for each treaty in force for
  the USSR.
- Withdrawals, suspensions and terminations after the 2018 harvest come from depositary and
  government records (LATER_EVENTS, each with its sources).
- Curated agreements and adherences win (data/*.ttl): the CFE and Open Skies treaties are the
  curated nodes, and a state with a curated adherence to them gets no imported one; where the
  UNODA dates differ from the curated ones the report says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from milgraph.importers.common import (
    DCT,
    RDF_TYPE,
    RDFS,
    SKOS,
    Dataset,
    add_class_partition,
    add_dataset,
    add_source,
    ident,
    mil,
)
from milgraph.importers.csvfile import DATASETS_DIR, PROJECT_ROOT, find_file, read_rows, shown
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.dates import DateError, PartialDate
from milgraph.importers.nations import (
    SUCCESSOR_STATES_FROM,
    NameMatch,
    NationLabels,
    NationResolver,
    nation_iri,
)
from milgraph.importers.report import ImportReport
from milgraph.importers.treaty_rules import BY_NAME, Treaty
from milgraph.importers.turtle import XSD, TurtleDocument, text, typed
from milgraph.store.oxigraph import OxigraphStore

FILE = "treaty_actions_long.csv"
DEFAULT_PATH = DATASETS_DIR / "unoda-treaty-status-2018"
COLUMNS = ("country_unoda", "treaty", "action", "date", "depositary_place")
HARVEST = date(2018, 7, 10)

UNODA = Dataset(
    "unoda-treaties-2018",
    "UNODA Treaties Database: status of arms-regulation and disarmament agreements "
    "(harvested July 2018)",
    "United Nations Office for Disarmament Affairs, Treaties Database (accessed 2018), "
    "harvested in ohnemax/treatyratification (Moritz Kütt).",
    "http://disarmament.un.org/treaties/",
    "https://github.com/ohnemax/treatyratification/blob/"
    "555020d324023db62da6fab4a798b803a985510a/treatydata.json",
    "2018-07-10",
    HARVEST.isoformat(),
    (("1925-06-17", HARVEST.isoformat()),),
)

#: UNODA action wording -> adherence property.
ACTIONS: dict[str, str] = {
    "Signature": "signatureDate",
    "Deposit of instruments of ratification": "ratificationDate",
    "Deposit of instruments of accession": "accessionDate",
    "Deposit of instruments of succession": "successionDate",
    "Deposit of instruments of acceptance": "acceptanceDate",
    "Deposit of instruments of approval": "approvalDate",
    "Consent to be bound": "consentToBeBoundDate",
}
CONSENT = ("ratificationDate", "accessionDate", "acceptanceDate", "approvalDate",
           "consentToBeBoundDate")

#: Nodes that ceased to exist: last day + 1, and the continuing state (if one continued it).
CEASED: dict[str, tuple[date, str | None, str]] = {
    "SUN": (date(1991, 12, 26), "RUS", "The Soviet Union ceased to exist on 1991-12-26; the "
            "Russian Federation continued its treaty obligations as continuing State."),
    "YUG": (date(1992, 4, 27), None, "The Socialist Federal Republic of Yugoslavia dissolved; "
            "its successor states made their own declarations (succession records)."),
    "cow-GMY": (date(1945, 5, 9), None, "The German Reich node ends with COW's spell on "
                "1945-05-08. UNODA lists Germany as party from the Reich's ratification; this "
                "graph keeps the Reich and the Federal Republic (DEU) apart, so DEU has no "
                "adherence from this action (docs/data-imported.md, unoda)."),
}

#: UNODA "Germany" is the German Reich up to 1945 (COW 255 by date) and the Federal Republic
#: (COW 260, node DEU) after: COW 255 itself stands for no state from 1945 to 1990.
GERMANY_FRG_FROM = date(1945, 5, 9)


@dataclass(frozen=True)
class LaterEvent:
    """A withdrawal, suspension or other change after the 2018 harvest."""

    treaty: str  # slug
    nation: str  # slug
    prop: str  # withdrawalDate, withdrawalNoticeDate, ratificationWithdrawnDate, ...
    day: date
    note: str
    sources: tuple[str, ...]


_APMBC_BALTIC = ("https://www.apminebanconvention.org/en/news/article/statement",
                 "https://www.maginternational.org/whats-happening/mag-statement-official-"
                 "withdrawal-ottawa-treaty")
_APMBC_FIN = ("https://www.gamereactor.eu/finland-informs-un-about-exit-from-landmine-ban-"
              "treaty-1571813/",
              "https://news.liga.net/en/politics/news/finland-finally-withdraws-from-the-"
              "convention-banning-anti-personnel-mines")

LATER_EVENTS: tuple[LaterEvent, ...] = (
    LaterEvent("ctbt", "RUS", "ratificationWithdrawnDate", date(2023, 11, 2),
               "Russia withdrew its ratification of the CTBT by a federal law signed on "
               "2 November 2023 (repealing article 1 of its 2000 ratification law); it remains "
               "a signatory and did not withdraw from the Treaty.",
               ("https://tass.com/russia/1701097", "https://tass.com/politics/1692875")),
    *(LaterEvent("apmbc", n, p, d,
                 f"{name} deposited its instrument of withdrawal with the UN Secretary-General "
                 "on 27 June 2025; under Article 20 the withdrawal took effect six months "
                 "after receipt, on 27 December 2025.", _APMBC_BALTIC)
      for n, name in (("EST", "Estonia"), ("LVA", "Latvia"), ("LTU", "Lithuania"))
      for p, d in (("withdrawalNoticeDate", date(2025, 6, 27)),
                   ("withdrawalDate", date(2025, 12, 27)))),
    *(LaterEvent("apmbc", "FIN", p, d,
                 "Finland presented its instrument of withdrawal on 10 July 2025 (Ministry for "
                 "Foreign Affairs); the withdrawal took effect six months later, on 10 January "
                 "2026.", _APMBC_FIN)
      for p, d in (("withdrawalNoticeDate", date(2025, 7, 10)),
                   ("withdrawalDate", date(2026, 1, 10)))),
    LaterEvent("ccm", "LTU", "withdrawalDate", date(2025, 3, 6),
               "Lithuania's withdrawal from the Convention on Cluster Munitions took effect on "
               "6 March 2025, six months after its notification (statement of the 13th Meeting "
               "of States Parties' Presidency).",
               ("https://genevapm.dfa.gov.ph/philippine-mission-s-press-releases/1148-"
                "philippines-regrets-lithuanian-departure-from-cluster-munitions-treaty",)),
)


@dataclass
class Record:
    """The actions of one state node for one treaty."""

    treaty: Treaty
    slug: str
    names: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    first: dict[str, date] = field(default_factory=dict)
    all_dates: dict[str, set[date]] = field(default_factory=lambda: defaultdict(set))

    def consent(self) -> date | None:
        days = [self.first[p] for p in CONSENT if p in self.first]
        return min(days) if days else None


def adherence_iri(treaty: str, slug: str) -> str:
    return ident(f"adherence/{treaty}/{slug}")


class Curated:
    """Agreement and adherence nodes of the curated files (data/*.ttl): these win."""

    def __init__(self, folder: Path = PROJECT_ROOT / "data") -> None:
        quads: list[ox.Quad] = []
        for path in sorted(folder.glob("*.ttl")):
            quads.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        self.store = OxigraphStore.memory(quads)

    def described(self, iri: str) -> bool:
        return bool(self.store.query(f"ASK {{ <{iri}> <{RDFS}label> ?l }}"))

    def adherence(self, agreement: str, nation: str) -> dict[str, str] | None:
        """The curated adherence of ``nation`` to ``agreement``: its IRI and dates."""
        answer = self.store.query(f"""SELECT ?a ?p ?v WHERE {{
            ?a <{mil("agreement")}> <{agreement}> ; <{mil("adherent")}> <{nation}> .
            OPTIONAL {{ ?a ?p ?v . FILTER(ISLITERAL(?v)) }} }}""")
        assert isinstance(answer, ox.QuerySolutions)
        rows = list(answer)
        if not rows:
            return None
        out = {"iri": rows[0][0].value}
        for row in rows:
            if row[1] is not None:
                out[row[1].value.removeprefix(mil(""))] = row[2].value
        return out


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          curated: Curated | None = None) -> tuple[TurtleDocument, ImportReport]:
    """Read ``treaty_actions_long.csv`` (or the folder holding it)."""
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    curated = curated or Curated()
    report = ImportReport("unoda", sources=[source, resolver.source])
    doc = TurtleDocument(header=[
        "UNODA treaty status (27 arms-control treaties, harvested 2018) and later withdrawals, "
        "imported by `milgraph import unoda`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, UNODA)
    where = shown(source)
    records: dict[tuple[str, str], Record] = {}
    first_signature: dict[str, date] = {}
    for row in read_rows(source, COLUMNS):
        report.read(where)
        if row.problem:
            report.reject(where, row.line, row.problem)
            continue
        treaty = BY_NAME.get(row["treaty"])
        if treaty is None:
            report.reject(where, row.line, f"unknown treaty {row['treaty']!r}")
            continue
        prop = ACTIONS.get(row["action"])
        if prop is None:
            report.reject(where, row.line, f"unknown action {row['action']!r}")
            continue
        try:
            day = PartialDate(*map(int, row["date"].split("-"))).as_date()
        except (ValueError, TypeError, DateError):
            report.reject(where, row.line, f"date {row['date']!r} is not YYYY-MM-DD")
            continue
        name = row["country_unoda"]
        iri, reason = _resolve(resolver, name, day)
        if iri is None:
            report.unmapped_name(name, reason, where, row.line)
            report.reject(where, row.line, f"{name}: {reason}")
            continue
        slug = iri.rsplit("/", 1)[1]
        rec = records.setdefault((treaty.slug, slug), Record(treaty, slug))
        rec.names.add(name)
        place = row["depositary_place"]
        rec.actions.add(f"{row['action']}, {place}, {day.isoformat()}" if place
                        else f"{row['action']}, {day.isoformat()}")
        rec.all_dates[prop].add(day)
        if prop not in rec.first or day < rec.first[prop]:
            rec.first[prop] = day
        if prop == "signatureDate":
            first_signature[treaty.slug] = min(day, first_signature.get(treaty.slug, day))
        report.tally("actions imported")
    _continuations(records, report)
    for treaty in sorted({r.treaty for r in records.values()}, key=lambda t: t.slug):
        _agreement(doc, treaty, first_signature.get(treaty.slug), curated, report)
    later = {(e.treaty, e.nation): e for e in LATER_EVENTS}
    labels = NationLabels(resolver, CuratedLabels.read())
    for key in sorted(records):
        rec = records[key]
        agreement = ident(f"agreement/{rec.treaty.slug}")
        existing = curated.adherence(agreement, nation_iri(rec.slug))
        if existing is not None:
            _compare(rec, existing, report)
            report.tally("actions of adherences left to the curated data", len(rec.actions))
            continue
        _adherence(doc, rec, [e for e in LATER_EVENTS if (e.treaty, e.nation) == key], labels,
                   report)
        later.pop(key, None)
    for event in later.values():
        report.note(where, 0, f"later event without an adherence: {event.treaty}/{event.nation}")
    add_class_partition(doc, UNODA, "Adherence", report.records["adherences"])
    return doc, report


def _resolve(resolver: NationResolver, name: str, day: date) -> tuple[str | None, str]:
    if name.casefold() == "germany" and day >= GERMANY_FRG_FROM:
        match = NameMatch("state", ccode=260)
    else:
        match = resolver.match_name(name)
    return resolver.resolve(match, day, day, SUCCESSOR_STATES_FROM)


def _continuations(records: dict[tuple[str, str], Record], report: ImportReport) -> None:
    """Continuing states take over adherences in force for the state they continue."""
    for (treaty, slug), rec in sorted(records.items()):
        ceased = CEASED.get(slug)
        if not ceased or not ceased[1]:
            continue
        end, successor, _ = ceased
        if not successor:
            continue
        in_force = entry_into_force(rec)
        if in_force is None or in_force >= end:
            continue
        cont = records.setdefault((treaty, successor), Record(rec.treaty, successor))
        cont.first.setdefault("continuation", end)
        report.tally(f"adherences continued by {successor} from {end.isoformat()}")


def entry_into_force(rec: Record) -> date | None:
    """The treaty's rule applied to the record (None where the rule is not known)."""
    treaty = rec.treaty
    if "continuation" in rec.first:
        return rec.first["continuation"]
    consent = rec.consent()
    succession = rec.first.get("successionDate")
    candidates: list[date] = []
    if consent is not None:
        if treaty.in_force is not None and consent <= treaty.in_force:
            candidates.append(treaty.in_force)
        elif treaty.rule is not None and treaty.in_force is not None:
            candidates.append(treaty.rule(consent))
    if succession is not None and treaty.in_force is not None and (
            treaty.rule is not None or succession <= treaty.in_force):
        candidates.append(max(succession, treaty.in_force))
    return min(candidates) if candidates else None


def _agreement(doc: TurtleDocument, treaty: Treaty, signed: date | None, curated: Curated,
               report: ImportReport) -> None:
    s = ident(f"agreement/{treaty.slug}")
    if curated.described(s):
        report.tally("agreements described by the curated data (kept as they are)")
        return
    doc.add_iri(s, RDF_TYPE, mil(treaty.kind))
    doc.add(s, RDFS + "label", text(treaty.label, "en"))
    for alt in treaty.alt:
        if alt != treaty.label:
            doc.add(s, SKOS + "altLabel", text(alt, "en"))
    if signed is not None:
        doc.add(s, mil("signatureDate"), typed(signed.isoformat(), XSD + "date"))
    if treaty.in_force is not None:
        doc.add(s, mil("entryIntoForceDate"), typed(treaty.in_force.isoformat(), XSD + "date"))
    if treaty.rule_text:
        doc.add(s, RDFS + "comment", text(
            f"Entry into force for each party: {treaty.rule_text}.", "en"))
    elif treaty.in_force is None:
        doc.add(s, RDFS + "comment", text(
            "No per-party entry into force is computed: the treaty's rule was not read from "
            "its text (or the treaty is not in force); the parties' actions are all recorded.",
            "en"))
    add_source(doc, s, UNODA)
    for url in treaty.sources:
        doc.add_iri(s, DCT + "source", url)
    report.wrote("agreements")


def _adherence(doc: TurtleDocument, rec: Record, events: list[LaterEvent],
               labels: NationLabels, report: ImportReport) -> None:
    s = adherence_iri(rec.treaty.slug, rec.slug)
    doc.add_iri(s, RDF_TYPE, mil("Adherence"))
    doc.add_iri(s, mil("adherent"), nation_iri(rec.slug))
    doc.add_iri(s, mil("agreement"), ident(f"agreement/{rec.treaty.slug}"))
    short = rec.treaty.alt[-1] if rec.treaty.alt else rec.treaty.label
    doc.add(s, RDFS + "label", text(f"{labels.label(rec.slug)} – {short}", "en"))
    for prop, day in sorted(rec.first.items()):
        if prop != "continuation":
            doc.add(s, mil(prop), typed(day.isoformat(), XSD + "date"))
    for action in rec.actions:
        doc.add(s, mil("treatyAction"), text(action))
    spread = [p for p, days in rec.all_dates.items()
              if len(days) > 1 and (max(days) - min(days)).days > 365]
    for prop in spread:
        report.note("unoda", 0, f"depositary dates more than a year apart: {rec.treaty.slug}/"
                    f"{rec.slug} {prop} {sorted(d.isoformat() for d in rec.all_dates[prop])}")
    in_force = entry_into_force(rec)
    end: date | None = None
    comments: list[str] = []
    if in_force is not None:
        signed = rec.first.get("signatureDate")
        if signed is not None and in_force < signed:
            report.note("unoda", 0, f"entry into force before signature: {rec.treaty.slug}/"
                        f"{rec.slug}; entry into force not written")
            in_force = None
    if in_force is not None:
        doc.add(s, mil("entryIntoForceDate"), typed(in_force.isoformat(), XSD + "date"))
        doc.add(s, mil("startDate"), typed(in_force.isoformat(), XSD + "date"))
        if "continuation" in rec.first:
            doc.add_iri(s, mil("dateKind"), mil("DateKindEffective"))
            comments.append(CEASED["SUN"][2] + " Its adherence starts that day.")
            report.tally("adherences of a continuing state")
        else:
            doc.add_iri(s, mil("dateKind"), mil("DateKindEntryIntoForce"))
        report.tally("adherences with a computed entry into force")
    ceased = CEASED.get(rec.slug)
    if ceased and in_force is not None and in_force < ceased[0]:
        end = ceased[0]
        comments.append(ceased[2])
    for event in events:
        doc.add(s, mil(event.prop), typed(event.day.isoformat(), XSD + "date"))
        comments.append(event.note)
        for url in event.sources:
            doc.add_iri(s, DCT + "source", url)
        if event.prop == "withdrawalDate":
            end = event.day
        report.tally("later events (after the 2018 harvest) applied")
    if end is not None and in_force is not None:
        doc.add(s, mil("endDate"), typed(end.isoformat(), XSD + "date"))
    elif in_force is not None:
        doc.add(s, mil("observedUntil"), typed(HARVEST.isoformat(), XSD + "date"))
    for comment in comments:
        doc.add(s, RDFS + "comment", text(comment, "en"))
    add_source(doc, s, UNODA)
    report.wrote("adherences")


def _compare(rec: Record, curated: dict[str, str], report: ImportReport) -> None:
    """A curated adherence exists: report where UNODA's dates differ from it."""
    report.tally("adherences left to the curated data")
    signed = rec.first.get("signatureDate")
    if signed and "signatureDate" in curated and curated["signatureDate"] != signed.isoformat():
        report.note("unoda", 0, f"curated signature differs: {curated['iri']} has "
                    f"{curated['signatureDate']}, UNODA {signed.isoformat()}")
    consent = rec.consent() or rec.first.get("successionDate")
    if consent is None and signed is None:
        return
    if "entryIntoForceDate" not in curated and consent is not None:
        report.note("unoda", 0, f"curated adherence has no entry into force: {curated['iri']}"
                    f"; UNODA gives a consent on {consent.isoformat()}")
