"""Relationship profile of two nations.

``profile(snapshot, a, b, start=None, end=None)``: what the two share — organisations (with each
side's membership records and the periods both were members), agreements both are party to
(with each side's record and status), exercises together per year, trust-building measures
and training exchanges between them — and per-year indicators, each figure listing the IRIs
of the facts it counts. Nations as ``lookup`` reads them; periods as ``periods`` does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pyoxigraph as ox

from milgraph.analysis.lookup import (
    ADHERENT,
    MEMBER,
    MEMBER_OF,
    PARTY_TO,
    label_of,
    resolve_nation,
    select_rows,
    short_class,
    value_of,
)
from milgraph.analysis.models import (
    Figure,
    Item,
    Profile,
    Record,
    SharedAgreement,
    SharedOrganization,
)
from milgraph.analysis.periods import (
    days_of,
    fact_days,
    item_days,
    parse_bound,
    record_days,
    today,
    window_of,
    year_of,
)
from milgraph.errors import QueryError
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import (
    NEG_INF,
    IntervalSet,
)

_MEMBERSHIPS = """
SELECT ?m ?org ?orgLabel ?role ?start ?end ?alliance WHERE {
  ?m mil:member ?n ; mil:organization ?org .
  OPTIONAL { ?m mil:role ?role }
  OPTIONAL { ?m mil:startDate ?start }
  OPTIONAL { ?m mil:endDate ?end }
  OPTIONAL { ?org rdfs:label ?orgLabel FILTER(LANG(?orgLabel) = "en" || LANG(?orgLabel) = "") }
  BIND(EXISTS { ?org a mil:Alliance } AS ?alliance)
}
"""

_ADHERENCES = """
SELECT ?ad ?ag ?agLabel ?start ?sig ?force ?end ?susp ?wd ?term WHERE {
  ?ad mil:adherent ?n ; mil:agreement ?ag .
  OPTIONAL { ?ad mil:startDate ?start }
  OPTIONAL { ?ad mil:endDate ?end }
  OPTIONAL { ?ad mil:signatureDate ?sig }
  OPTIONAL { ?ad mil:entryIntoForceDate ?force }
  OPTIONAL { ?ad mil:suspensionDate ?susp }
  OPTIONAL { ?ad mil:withdrawalDate ?wd }
  OPTIONAL { ?ag mil:terminationDate ?term }
  OPTIONAL { ?ag rdfs:label ?agLabel FILTER(LANG(?agLabel) = "en" || LANG(?agLabel) = "") }
}
"""

_AGREEMENT = """
SELECT ?kind ?sig ?force ?term WHERE {
  OPTIONAL { ?ag a ?kind . ?kind rdfs:subClassOf* mil:Agreement
             FILTER(STRSTARTS(STR(?kind), STR(mil:))) }
  OPTIONAL { ?ag mil:signatureDate ?sig }
  OPTIONAL { ?ag mil:entryIntoForceDate ?force }
  OPTIONAL { ?ag mil:terminationDate ?term }
}
"""

_EXERCISES = """
SELECT ?x ?label ?start ?end ?series ?hostA ?hostB WHERE {
  ?x a mil:MilitaryExercise ; mil:participant ?a , ?b .
  OPTIONAL { ?x rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?x mil:startDate ?start }
  OPTIONAL { ?x mil:endDate ?end }
  OPTIONAL { ?x mil:partOfSeries ?series }
  BIND(EXISTS { ?x mil:host ?a } AS ?hostA)
  BIND(EXISTS { ?x mil:host ?b } AS ?hostB)
}
"""

_MEASURES = """
SELECT ?x ?label ?kind ?start ?end ?by WHERE {
  ?x a mil:TrustBuildingMeasure ; mil:party ?a , ?b .
  OPTIONAL { ?x rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?x a ?kind . ?kind rdfs:subClassOf mil:TrustBuildingMeasure
             FILTER(?kind != mil:TrustBuildingMeasure) }
  OPTIONAL { ?x mil:startDate ?start }
  OPTIONAL { ?x mil:endDate ?end }
  OPTIONAL { ?x mil:establishedBy ?by }
}
"""

_TRAINING = """
SELECT ?x ?label ?kind ?start ?end ?direction WHERE {
  { ?x mil:provider ?a ; mil:recipient ?b . BIND("a→b" AS ?direction) }
  UNION
  { ?x mil:provider ?b ; mil:recipient ?a . BIND("b→a" AS ?direction) }
  ?x a mil:TrainingExchange .
  OPTIONAL { ?x rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?x a ?kind . ?kind rdfs:subClassOf mil:TrainingExchange
             FILTER(?kind != mil:TrainingExchange) }
  OPTIONAL { ?x mil:startDate ?start }
  OPTIONAL { ?x mil:endDate ?end }
}
"""


def memberships(
    snapshot: Snapshot, n: ox.NamedNode
) -> dict[str, list[tuple[Record, IntervalSet, bool, str]]]:
    out: dict[str, list[tuple[Record, IntervalSet, bool, str]]] = defaultdict(list)
    seen: set[str] = set()
    for r in select_rows(snapshot, _MEMBERSHIPS, n=n):
        if r["m"].value in seen:
            continue
        seen.add(r["m"].value)
        days = record_days(snapshot, r["m"], MEMBER, n)
        dates = {k: r[k].value for k in ("start", "end") if r.get(k) is not None}
        rec = Record(
            iri=r["m"].value,
            period=days.describe(),
            role=value_of(r.get("role")),
            dates={("startDate" if k == "start" else "endDate"): v for k, v in dates.items()},
        )
        alliance = r.get("alliance") is not None and r["alliance"].value == "true"
        out[r["org"].value].append((rec, days, alliance, label_of(r, "orgLabel", r["org"])))
    return out


def _record_order(r: Record) -> tuple[str, str]:
    first = r.period[0]["from"] if r.period else None
    return (first or "", r.iri)


def _status(rec: dict[str, Any], on: int) -> str:
    """Status of an adherence on a day: the words an analyst reads in treaty databases."""
    term = days_of(rec.get("term"), end=True)
    wd = days_of(rec.get("wd"), end=True)
    susp = days_of(rec.get("susp"), end=True)
    ended = days_of(rec.get("end"), end=True)
    force = days_of(rec.get("force"), end=False)
    sig = days_of(rec.get("sig"), end=False)
    start = days_of(rec.get("start"), end=False)
    if term is not None and on >= term:
        return "terminated"
    if wd is not None and on >= wd:
        return "withdrawn"
    if ended is not None and on >= ended:
        return "no longer a party"
    if susp is not None and on >= susp:
        return "suspended"
    if force is not None and on >= force:
        return "in force"
    if force is None and start is not None and on >= start:
        return f"adhering since {rec['start'].value} (no entry into force: not binding)"
    if sig is not None and on >= sig:
        return "signed, not in force"
    return "not yet in effect"


def adherences(snapshot: Snapshot, n: ox.NamedNode) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[str] = set()
    for r in select_rows(snapshot, _ADHERENCES, n=n):
        if r["ad"].value in seen:
            continue
        seen.add(r["ad"].value)
        out[r["ag"].value].append(r)
    return out


def _adherence_record(snapshot: Snapshot, n: ox.NamedNode, r: dict[str, Any], on: int) -> Record:
    names = {
        "start": "startDate",
        "sig": "signatureDate",
        "force": "entryIntoForceDate",
        "end": "endDate",
        "susp": "suspensionDate",
        "wd": "withdrawalDate",
    }
    dates = {names[k]: r[k].value for k in names if r.get(k) is not None}
    party = fact_days(snapshot, ox.Triple(n, PARTY_TO, r["ag"]))
    return Record(
        iri=r["ad"].value,
        period=record_days(snapshot, r["ad"], ADHERENT, n).describe(),
        dates=dates,
        status=_status(r, on),
        in_force=party.describe(),
    )


def profile(
    snapshot: Snapshot, a: str, b: str, start: str | None = None, end: str | None = None
) -> Profile:
    """The relationship profile of two nations, optionally within ``[start, end]``
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``end`` inclusive)."""
    lo = parse_bound(start, end=False, name="from")
    hi = parse_bound(end, end=True, name="to")
    if lo is not None and hi is not None and hi <= lo:
        raise QueryError(f"from {start} is after to {end}")
    na = resolve_nation(snapshot, a, start=lo, end=hi)
    nb = resolve_nation(snapshot, b, start=lo, end=hi)
    if na.iri == nb.iri:
        raise QueryError(f"{a!r} and {b!r} are the same nation ({na.iri})")
    window = window_of(lo, hi)
    status_day = min(today(), hi - 1) if hi is not None else today()
    ta, tb = ox.NamedNode(na.iri), ox.NamedNode(nb.iri)

    # organisations
    ma, mb = memberships(snapshot, ta), memberships(snapshot, tb)
    organizations: list[SharedOrganization] = []
    alliance_days: dict[str, tuple[IntervalSet, list[str]]] = {}
    for org in sorted(set(ma) & set(mb)):
        ra, rb = ma[org], mb[org]
        org_node = ox.NamedNode(org)
        both_full = fact_days(snapshot, ox.Triple(ta, MEMBER_OF, org_node)) & fact_days(
            snapshot, ox.Triple(tb, MEMBER_OF, org_node)
        )
        any_a = IntervalSet(s for _, d, _, _ in ra for s in d)
        any_b = IntervalSet(s for _, d, _, _ in rb for s in d)
        together = both_full & window
        affiliated = any_a & any_b & window
        if not affiliated and not together:
            continue
        alliance = ra[0][2]
        organizations.append(
            SharedOrganization(
                iri=org,
                label=ra[0][3],
                alliance=alliance,
                a=sorted((x[0] for x in ra), key=_record_order),
                b=sorted((x[0] for x in rb), key=_record_order),
                together=together.describe(),
                affiliated_together=affiliated.describe(),
            )
        )
        if alliance and together:
            alliance_days[org] = (together, [x[0].iri for x in (*ra, *rb)])
    organizations.sort(key=lambda o: (not o.alliance, o.label))

    # agreements
    aa, ab = adherences(snapshot, ta), adherences(snapshot, tb)
    agreements: list[SharedAgreement] = []
    agreement_days: dict[str, tuple[IntervalSet, list[str]]] = {}
    for ag in sorted(set(aa) & set(ab)):
        node = ox.NamedNode(ag)
        both = fact_days(snapshot, ox.Triple(ta, PARTY_TO, node)) & fact_days(
            snapshot, ox.Triple(tb, PARTY_TO, node)
        )
        rec_a = [_adherence_record(snapshot, ta, r, status_day) for r in aa[ag]]
        rec_b = [_adherence_record(snapshot, tb, r, status_day) for r in ab[ag]]
        held_a = IntervalSet(
            s for r in aa[ag] for s in record_days(snapshot, r["ad"], ADHERENT, ta)
        )
        held_b = IntervalSet(
            s for r in ab[ag] for s in record_days(snapshot, r["ad"], ADHERENT, tb)
        )
        if not (held_a & held_b & window) and not (both & window):
            continue  # both records exist, but never at the same time in the window
        info = select_rows(snapshot, _AGREEMENT, ag=node)
        kinds = sorted({short_class(r["kind"].value) for r in info if r.get("kind") is not None})
        names = {"sig": "signatureDate", "force": "entryIntoForceDate", "term": "terminationDate"}
        dates = {names[k]: info[0][k].value for k in names if info and info[0].get(k) is not None}
        statuses = {r.status for r in (*rec_a, *rec_b)}
        status = (
            "in force for both"
            if statuses == {"in force"}
            else "; ".join(
                f"{side}: {', '.join(sorted({r.status or '' for r in recs}))}"
                for side, recs in ((na.code or na.label, rec_a), (nb.code or nb.label, rec_b))
            )
        )
        agreements.append(
            SharedAgreement(
                iri=ag,
                label=label_of(aa[ag][0], "agLabel", node),
                kinds=[k for k in kinds if k != "Agreement"] or kinds,
                dates=dates,
                a=rec_a,
                b=rec_b,
                in_force_together=(both & window).describe(),
                status=status,
            )
        )
        if both & window:
            agreement_days[ag] = (both & window, [r.iri for r in (*rec_a, *rec_b)])

    # exercises, per year of their start
    exercises: dict[str, list[Item]] = defaultdict(list)
    exercise_years: dict[int, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for r in select_rows(snapshot, _EXERCISES, a=ta, b=tb):
        iri = r["x"].value
        if iri in seen:
            continue
        seen.add(iri)
        first = days_of(r.get("start"), end=False)
        if first is not None and first not in window:
            continue
        hosts = [
            c
            for c, flag in ((na.iri, r.get("hostA")), (nb.iri, r.get("hostB")))
            if flag is not None and flag.value == "true"
        ]
        item = Item(
            iri=iri,
            label=label_of(r, fallback=r["x"]),
            start=value_of(r.get("start")),
            end=value_of(r.get("end")),
            extra={"series": value_of(r.get("series")), "hosts": hosts},
        )
        year = year_of(r.get("start"))
        exercises[str(year) if year is not None else "undated"].append(item)
        if year is not None:
            exercise_years[year].append(iri)
    exercises = {
        y: sorted(xs, key=lambda i: (i.start or "", i.iri))
        for y, xs in sorted(exercises.items(), key=lambda kv: (kv[0] == "undated", kv[0]))
    }

    measures = _items(snapshot, _MEASURES, ta, tb, window, extra_keys={"by": "establishedBy"})
    training = _items(snapshot, _TRAINING, ta, tb, window, extra_keys={"direction": "direction"})
    for t in training:
        t.extra["direction"] = (
            f"{na.code or na.label} → {nb.code or nb.label}"
            if t.extra.get("direction") == "a→b"
            else f"{nb.code or nb.label} → {na.code or na.label}"
        )

    # indicators per year
    years: set[int] = set(exercise_years)
    first_year = date.fromordinal(lo).year if lo is not None else None
    last_year = date.fromordinal(hi - 1).year if hi is not None else date.today().year
    spans: list[IntervalSet] = [d for d, _ in alliance_days.values()]
    spans += [d for d, _ in agreement_days.values()]
    spans += [item_days(i) for i in (*measures, *training)]
    if first_year is None:
        starts = [s.spans[0][0] for s in spans if s and s.spans[0][0] > NEG_INF]
        candidates = [date.fromordinal(x).year for x in starts] + list(years)
        first_year = min(candidates) if candidates else last_year
    indicators: dict[int, dict[str, Figure]] = {}
    for year in range(first_year, last_year + 1):
        figures = {
            "sharedAlliances": _figure(alliance_days, year),
            "agreementsInForce": _figure(agreement_days, year),
            "jointExercises": Figure(
                len(exercise_years.get(year, [])), sorted(exercise_years.get(year, []))
            ),
            "activeMeasures": _figure({m.iri: (item_days(m), []) for m in measures}, year),
            "trainingExchanges": _figure({t.iri: (item_days(t), []) for t in training}, year),
        }
        indicators[year] = figures
    return Profile(
        a=na,
        b=nb,
        start=start,
        end=end,
        organizations=organizations,
        agreements=agreements,
        exercises=exercises,
        measures=measures,
        training=training,
        indicators=indicators,
    )


def _figure(items: dict[str, tuple[IntervalSet, list[str]]], year: int) -> Figure:
    facts = sorted(k for k, (d, _) in items.items() if d.overlaps_year(year))
    records = sorted({r for k in facts for r in items[k][1]})
    return Figure(len(facts), facts, records)


def _items(
    snapshot: Snapshot,
    sparql: str,
    ta: ox.NamedNode,
    tb: ox.NamedNode,
    window: IntervalSet,
    *,
    extra_keys: dict[str, str],
) -> list[Item]:
    by_iri: dict[str, Item] = {}
    for r in select_rows(snapshot, sparql, a=ta, b=tb):
        iri = r["x"].value
        item = by_iri.get(iri)
        if item is None:
            item = by_iri[iri] = Item(
                iri=iri,
                label=label_of(r, fallback=r["x"]),
                start=value_of(r.get("start")),
                end=value_of(r.get("end")),
                extra={name: value_of(r.get(key)) for key, name in extra_keys.items()},
            )
        kind = r.get("kind")
        if kind is not None and short_class(kind.value) not in item.kinds:
            item.kinds.append(short_class(kind.value))
    out = []
    for item in by_iri.values():
        days = item_days(item)
        if item.start is not None and not (days & window):
            continue
        item.kinds.sort()
        item.extra["period"] = days.describe()
        out.append(item)
    return sorted(out, key=lambda i: (i.start or "9999", i.label))
