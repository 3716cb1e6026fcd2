"""Relationship profile of two nations, and a nation's timeline.

``profile(snapshot, a, b, start=None, end=None)``: what the two share — organisations (with each
side's membership records and the periods both were members), agreements both are party to
(with each side's record and status), exercises together per year, trust-building measures
and training exchanges between them — and per-year indicators, each figure listing the IRIs
of the facts it counts.

``timeline(snapshot, code)``: the nation's memberships, agreements, exercises, measures,
training exchanges and statehood, as dated events in date order.

Nations are given by ISO 3166-1 alpha-3 code (``FIN``), Correlates of War number (``375``) or
abbreviation (``GMY``), or IRI (``id:nation/FIN``). A COW number used by more than one state
(255, 365, …) is resolved by the dates asked about when only one of the states existed then;
otherwise :class:`AmbiguousNation` lists the choices.

Periods are half-open ``[from, until)`` and read with the rules of the point-in-time views
(partial dates included), from the same computed day sets; a year counts when a relation holds
on at least one of its days (ATOP's state-year convention).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox

from milgraph import temporal
from milgraph.errors import MilgraphError, QueryError
from milgraph.namespaces import MIL_IRI, PREFIXES, XSD, sparql_prologue
from milgraph.sparql import bind, values_row
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import (
    ALWAYS,
    EMPTY,
    NEG_INF,
    POS_INF,
    DateValueError,
    IntervalSet,
    day,
    end_of,
    period,
    start_of,
)
from milgraph.terms import parse_term

MEMBER_OF = ox.NamedNode(MIL_IRI + "memberOf")
PARTY_TO = ox.NamedNode(MIL_IRI + "partyTo")
MEMBER = ox.NamedNode(MIL_IRI + "member")
ADHERENT = ox.NamedNode(MIL_IRI + "adherent")
_P = sparql_prologue()


class NationNotFound(MilgraphError):
    """No nation has the code or IRI given (HTTP 404)."""


class AmbiguousNation(MilgraphError):
    """A code names several nations and the dates do not single one out (HTTP 409)."""

    def __init__(self, code: str, choices: list[Nation]) -> None:
        self.code = code
        self.choices = choices
        names = ", ".join(f"{c.code or c.iri} ({c.label})" for c in choices)
        super().__init__(
            f"{code!r} names several nations: {names}; give an ISO code or IRI, or a period "
            "(from/to) in which only one of them existed"
        )


# --------------------------------------------------------------------------- data classes


@dataclass
class Nation:
    iri: str
    label: str
    code: str | None = None
    """ISO 3166-1 alpha-3 (or ISO 3166-3 former) code."""
    cow: int | None = None
    statehood: list[dict[str, str | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "code": self.code,
            "cow": self.cow,
            "statehood": self.statehood,
        }


@dataclass
class Record:
    """One side's membership or adherence record."""

    iri: str
    period: list[dict[str, str | None]]
    """Days the record holds, as the point-in-time views read it (``until`` exclusive)."""
    role: str | None = None
    dates: dict[str, str] = field(default_factory=dict)
    """The record's own dates as in the data (partial dates stay partial)."""
    status: str | None = None
    in_force: list[dict[str, str | None]] | None = None
    """For an adherence: the days the agreement was in force for that party (mil:partyTo)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"iri": self.iri, "period": self.period, "dates": self.dates}
        if self.role is not None:
            out["role"] = self.role
        if self.status is not None:
            out["status"] = self.status
        if self.in_force is not None:
            out["inForce"] = self.in_force
        return out


@dataclass
class SharedOrganization:
    iri: str
    label: str
    alliance: bool
    a: list[Record]
    b: list[Record]
    together: list[dict[str, str | None]]
    """Periods in which both were full members (``mil:memberOf``)."""
    affiliated_together: list[dict[str, str | None]]
    """Periods in which both held a membership in any role."""

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "alliance": self.alliance,
            "a": [r.to_json() for r in self.a],
            "b": [r.to_json() for r in self.b],
            "together": self.together,
            "affiliatedTogether": self.affiliated_together,
        }


@dataclass
class SharedAgreement:
    iri: str
    label: str
    kinds: list[str]
    dates: dict[str, str]
    a: list[Record]
    b: list[Record]
    in_force_together: list[dict[str, str | None]]
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "kinds": self.kinds,
            "dates": self.dates,
            "a": [r.to_json() for r in self.a],
            "b": [r.to_json() for r in self.b],
            "inForceTogether": self.in_force_together,
            "status": self.status,
        }


@dataclass
class Item:
    """An exercise, measure or training exchange."""

    iri: str
    label: str
    kinds: list[str] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "kinds": self.kinds,
            "startDate": self.start,
            "endDate": self.end,
            **self.extra,
        }


@dataclass
class Figure:
    count: int
    facts: list[str]
    """IRIs of what is counted (alliances, agreements, exercises, measures, exchanges)."""
    records: list[str] = field(default_factory=list)
    """IRIs of the records that make each count (memberships, adherences), where there are."""

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "facts": self.facts, "records": self.records}


INDICATORS = (
    "sharedAlliances",
    "agreementsInForce",
    "jointExercises",
    "activeMeasures",
    "trainingExchanges",
)


@dataclass
class Profile:
    a: Nation
    b: Nation
    start: str | None
    end: str | None
    organizations: list[SharedOrganization]
    agreements: list[SharedAgreement]
    exercises: dict[str, list[Item]]
    """Year (or ``"undated"``) -> exercises both took part in that started then."""
    measures: list[Item]
    training: list[Item]
    indicators: dict[int, dict[str, Figure]]

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "from": self.start,
            "to": self.end,
            "organizations": [o.to_json() for o in self.organizations],
            "agreements": [g.to_json() for g in self.agreements],
            "exercises": {y: [e.to_json() for e in xs] for y, xs in self.exercises.items()},
            "measures": [m.to_json() for m in self.measures],
            "training": [t.to_json() for t in self.training],
            "indicators": [
                {"year": year, **{k: f.to_json() for k, f in figures.items()}}
                for year, figures in sorted(self.indicators.items())
            ],
        }

    def to_text(self) -> str:
        """A readable report (the CLI's output); the JSON form has every IRI."""
        a, b = _name(self.a), _name(self.b)
        window = ""
        if self.start or self.end:
            window = f" ({self.start or '…'} to {self.end or '…'})"
        out = [f"{a} and {b}{window}", ""]
        out.append("Shared organisations and alliances:")
        if not self.organizations:
            out.append("  none")
        for org in self.organizations:
            kind = "alliance" if org.alliance else "organisation"
            both = _periods_text(org.together) or "never both full members"
            out.append(f"  {org.label} ({kind}): both members {both}")
            if org.affiliated_together != org.together and org.affiliated_together:
                out.append(
                    f"    both affiliated in some role {_periods_text(org.affiliated_together)}"
                )
        out.append("")
        out.append("Agreements both are party to:")
        if not self.agreements:
            out.append("  none")
        for ag in self.agreements:
            both = _periods_text(ag.in_force_together)
            out.append(
                f"  {ag.label}: {ag.status}" + (f"; in force for both {both}" if both else "")
            )
        out.append("")
        out.append("Exercises together:")
        if not self.exercises:
            out.append("  none")
        for year, items in self.exercises.items():
            out.append(f"  {year}: " + "; ".join(i.label for i in items))
        for title, items in (
            ("Trust-building measures", self.measures),
            ("Training exchanges", self.training),
        ):
            out.append("")
            out.append(f"{title}:")
            if not items:
                out.append("  none")
            for i in items:
                since = f" since {i.start}" if i.start else ""
                until = f" until {i.end}" if i.end else ""
                direction = f" [{i.extra['direction']}]" if i.extra.get("direction") else ""
                out.append(f"  {i.label}{direction}{since}{until}")
        out.append("")
        out.append(
            "Indicators per year (alliances, agreements in force, exercises, measures, training):"
        )
        for year, figures in sorted(self.indicators.items()):
            counts = [figures[k].count for k in INDICATORS]
            if any(counts):
                out.append(f"  {year}: " + "  ".join(f"{c:>3}" for c in counts))
        return "\n".join(out)


@dataclass
class Event:
    date: str
    """As in the data: a day, or a partial date (year or year-month)."""
    kind: str
    label: str
    fact: str
    """IRI of the record or event this comes from."""
    related: str | None = None
    related_label: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "kind": self.kind,
            "label": self.label,
            "fact": self.fact,
            "related": self.related,
            "relatedLabel": self.related_label,
        }


@dataclass
class Timeline:
    nation: Nation
    events: list[Event]
    undated: list[Event]

    def to_json(self) -> dict[str, Any]:
        return {
            "nation": self.nation.to_json(),
            "events": [e.to_json() for e in self.events],
            "undated": [e.to_json() for e in self.undated],
        }

    def to_text(self) -> str:
        out = [f"Timeline of {_name(self.nation)}", ""]
        out += [f"  {e.date:<10}  {e.label}" for e in self.events] or ["  no dated events"]
        if self.undated:
            out += ["", "Undated:"] + [f"  {e.label}" for e in self.undated]
        return "\n".join(out)


def _name(n: Nation) -> str:
    return f"{n.label} ({n.code})" if n.code else n.label


def _periods_text(periods: list[dict[str, str | None]]) -> str:
    return ", ".join(
        f"from {p['from'] or 'the beginning'}"
        + (f" until {p['until']}" if p["until"] else " (ongoing)")
        for p in periods
    )


# --------------------------------------------------------------------------- helpers


def _rows(snapshot: Snapshot, sparql: str, **values: ox.NamedNode) -> list[dict[str, Any]]:
    """Solutions as dicts; ``values`` fixes variables with a VALUES clause at the head of the
    WHERE group (Oxigraph ``substitutions`` only bind projected variables)."""
    result = snapshot.query(_P + bind(sparql, values))
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT answered {result!r}")
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names} for sol in result]


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _days_of(literal: Any, *, end: bool) -> int | None:
    if not isinstance(literal, ox.Literal):
        return None
    try:
        return end_of(literal) if end else start_of(literal)
    except DateValueError:
        return None


def parse_bound(text: str | None, *, end: bool, name: str) -> int | None:
    """``from``/``to`` given as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``to`` inclusive)."""
    if text is None or text == "":
        return None
    text = text.strip()
    kinds = {4: "gYear", 7: "gYearMonth", 10: "date"}
    kind = kinds.get(len(text))
    if kind is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise QueryError(f"{name}: {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    lit = ox.Literal(text, datatype=ox.NamedNode(XSD + kind))
    try:
        first, after = period(lit)
    except DateValueError:
        raise QueryError(f"{name}: {text!r} is not a calendar date") from None
    return after if end else first


def _window(start: int | None, end: int | None) -> IntervalSet:
    return IntervalSet.of(NEG_INF if start is None else start, POS_INF if end is None else end)


def _fact_days(snapshot: Snapshot, t: ox.Triple) -> IntervalSet:
    """Day set of a derived fact, as the point-in-time views have it."""
    days = temporal.days(snapshot, t)
    if days is not None:
        return days
    static = ox.NamedNode(temporal.STATIC_GRAPH)
    s, o = t.subject, t.object
    if not isinstance(s, ox.Triple) and not isinstance(o, ox.Triple) and snapshot.contains(
        s, t.predicate, o, static
    ):
        return ALWAYS
    return EMPTY


def _record_days(
    snapshot: Snapshot, record: ox.NamedNode, link: ox.NamedNode, who: Any
) -> IntervalSet:
    """Validity of a record: the day set of its link triple to the nation."""
    days = temporal.days(snapshot, ox.Triple(record, link, who))
    return days if days is not None else EMPTY


def _label(row: dict[str, Any], key: str = "label", fallback: Any = None) -> str:
    term = row.get(key)
    if term is not None:
        return term.value
    iri = fallback.value if fallback is not None else ""
    return iri.rsplit("/", 1)[-1]


def _year_range(days: IntervalSet, lo_year: int, hi_year: int) -> Iterable[int]:
    for year in range(lo_year, hi_year + 1):
        if days.overlaps_year(year):
            yield year


def _year_of(literal: Any) -> int | None:
    if isinstance(literal, ox.Literal) and re.match(r"^\d{4}", literal.value):
        return int(literal.value[:4])
    return None


def _short_class(iri: str) -> str:
    return iri[len(MIL_IRI) :] if iri.startswith(MIL_IRI) else iri


# --------------------------------------------------------------------------- nations

_NATION = """
SELECT ?n ?label ?iso ?cow ?abbr WHERE {
  ?n a mil:Nation .
  OPTIONAL { ?n rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?n mil:isoCode ?iso }
  OPTIONAL { ?n mil:cowCode ?cow }
  OPTIONAL { ?n mil:cowAbbreviation ?abbr }
}
"""
_STATEHOOD = """
SELECT ?p ?start ?end WHERE {
  ?p a mil:StatehoodPeriod ; mil:state ?n .
  OPTIONAL { ?p mil:startDate ?start }
  OPTIONAL { ?p mil:endDate ?end }
} ORDER BY ?start
"""


def _nation_from_row(snapshot: Snapshot, row: dict[str, Any]) -> Nation:
    cow = row.get("cow")
    nation = Nation(
        iri=row["n"].value,
        label=_label(row, fallback=row["n"]),
        code=_value(row.get("iso")),
        cow=int(cow.value) if cow is not None and cow.value.lstrip("-").isdigit() else None,
    )
    for s in _rows(snapshot, _STATEHOOD, n=row["n"]):
        nation.statehood.append({"from": _value(s.get("start")), "until": _value(s.get("end"))})
    return nation


def _statehood_days(nation: Nation) -> IntervalSet | None:
    if not nation.statehood:
        return None
    spans = []
    for s in nation.statehood:
        lo = parse_bound(s["from"], end=False, name="statehood") if s["from"] else NEG_INF
        hi = parse_bound(s["until"], end=False, name="statehood") if s["until"] else POS_INF
        spans.append((lo, hi))
    return IntervalSet(spans)


def resolve_nation(
    snapshot: Snapshot, code: str, *, start: int | None = None, end: int | None = None
) -> Nation:
    """The nation a code or IRI names; see the module docstring for the forms accepted."""
    text = code.strip()
    rows = _rows(snapshot, _NATION)
    if not text:
        raise NationNotFound("empty nation code")
    candidates: list[dict[str, Any]] = []
    if text.startswith("<") or ":" in text:
        try:
            iri = parse_term(text, "nation", literal=False).value
        except QueryError:
            raise NationNotFound(f"{code!r} is not a nation code or IRI") from None
        candidates = [r for r in rows if r["n"].value == iri]
    elif text.isdigit():
        candidates = [
            r for r in rows if r.get("cow") is not None and r["cow"].value == str(int(text))
        ]
    else:
        up = text.upper()
        candidates = [r for r in rows if r.get("iso") is not None and r["iso"].value.upper() == up]
        if not candidates:
            candidates = [
                r for r in rows if r.get("abbr") is not None and r["abbr"].value.upper() == up
            ]
    # one row per nation (several labels or codes give several rows)
    unique: dict[str, dict[str, Any]] = {}
    for r in candidates:
        unique.setdefault(r["n"].value, r)
    nations = [_nation_from_row(snapshot, r) for r in unique.values()]
    if not nations:
        raise NationNotFound(
            f"no nation has the code {code!r} (use an ISO 3166-1 alpha-3 code such as FIN, a "
            "Correlates of War number such as 375, or an IRI such as id:nation/FIN)"
        )
    if len(nations) == 1:
        return nations[0]
    if start is not None or end is not None:
        window = _window(start, end)
        existing = [n for n in nations if (_statehood_days(n) or EMPTY) & window]
        if len(existing) == 1:
            return existing[0]
    raise AmbiguousNation(code, sorted(nations, key=lambda n: n.iri))


# --------------------------------------------------------------------------- profile

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


def _memberships(
    snapshot: Snapshot, n: ox.NamedNode
) -> dict[str, list[tuple[Record, IntervalSet, bool, str]]]:
    out: dict[str, list[tuple[Record, IntervalSet, bool, str]]] = defaultdict(list)
    seen: set[str] = set()
    for r in _rows(snapshot, _MEMBERSHIPS, n=n):
        if r["m"].value in seen:
            continue
        seen.add(r["m"].value)
        days = _record_days(snapshot, r["m"], MEMBER, n)
        dates = {k: r[k].value for k in ("start", "end") if r.get(k) is not None}
        rec = Record(
            iri=r["m"].value,
            period=days.describe(),
            role=_value(r.get("role")),
            dates={("startDate" if k == "start" else "endDate"): v for k, v in dates.items()},
        )
        alliance = r.get("alliance") is not None and r["alliance"].value == "true"
        out[r["org"].value].append((rec, days, alliance, _label(r, "orgLabel", r["org"])))
    return out


def _record_order(r: Record) -> tuple[str, str]:
    first = r.period[0]["from"] if r.period else None
    return (first or "", r.iri)


def _status(rec: dict[str, Any], on: int) -> str:
    """Status of an adherence on a day: the words an analyst reads in treaty databases."""
    term = _days_of(rec.get("term"), end=True)
    wd = _days_of(rec.get("wd"), end=True)
    susp = _days_of(rec.get("susp"), end=True)
    ended = _days_of(rec.get("end"), end=True)
    force = _days_of(rec.get("force"), end=False)
    sig = _days_of(rec.get("sig"), end=False)
    start = _days_of(rec.get("start"), end=False)
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
        return "adhering since " + rec["start"].value + " (no entry into force: not binding)"
    if sig is not None and on >= sig:
        return "signed, not in force"
    return "not yet in effect"


def _adherences(snapshot: Snapshot, n: ox.NamedNode) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[str] = set()
    for r in _rows(snapshot, _ADHERENCES, n=n):
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
    party = _fact_days(snapshot, ox.Triple(n, PARTY_TO, r["ag"]))
    return Record(
        iri=r["ad"].value,
        period=_record_days(snapshot, r["ad"], ADHERENT, n).describe(),
        dates=dates,
        status=_status(r, on),
        in_force=party.describe(),
    )


def _today() -> int:
    return day(date.today())


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
    window = _window(lo, hi)
    status_day = min(_today(), hi - 1) if hi is not None else _today()
    ta, tb = ox.NamedNode(na.iri), ox.NamedNode(nb.iri)

    # organisations
    ma, mb = _memberships(snapshot, ta), _memberships(snapshot, tb)
    organizations: list[SharedOrganization] = []
    alliance_days: dict[str, tuple[IntervalSet, list[str]]] = {}
    for org in sorted(set(ma) & set(mb)):
        ra, rb = ma[org], mb[org]
        org_node = ox.NamedNode(org)
        both_full = _fact_days(snapshot, ox.Triple(ta, MEMBER_OF, org_node)) & _fact_days(
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
    aa, ab = _adherences(snapshot, ta), _adherences(snapshot, tb)
    agreements: list[SharedAgreement] = []
    agreement_days: dict[str, tuple[IntervalSet, list[str]]] = {}
    for ag in sorted(set(aa) & set(ab)):
        node = ox.NamedNode(ag)
        both = _fact_days(snapshot, ox.Triple(ta, PARTY_TO, node)) & _fact_days(
            snapshot, ox.Triple(tb, PARTY_TO, node)
        )
        rec_a = [_adherence_record(snapshot, ta, r, status_day) for r in aa[ag]]
        rec_b = [_adherence_record(snapshot, tb, r, status_day) for r in ab[ag]]
        held_a = IntervalSet(
            s for r in aa[ag] for s in _record_days(snapshot, r["ad"], ADHERENT, ta)
        )
        held_b = IntervalSet(
            s for r in ab[ag] for s in _record_days(snapshot, r["ad"], ADHERENT, tb)
        )
        if not (held_a & held_b & window) and not (both & window):
            continue  # both records exist, but never at the same time in the window
        info = _rows(snapshot, _AGREEMENT, ag=node)
        kinds = sorted({_short_class(r["kind"].value) for r in info if r.get("kind") is not None})
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
                label=_label(aa[ag][0], "agLabel", node),
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
    for r in _rows(snapshot, _EXERCISES, a=ta, b=tb):
        iri = r["x"].value
        if iri in seen:
            continue
        seen.add(iri)
        first = _days_of(r.get("start"), end=False)
        if first is not None and first not in window:
            continue
        hosts = [
            c
            for c, flag in ((na.iri, r.get("hostA")), (nb.iri, r.get("hostB")))
            if flag is not None and flag.value == "true"
        ]
        item = Item(
            iri=iri,
            label=_label(r, fallback=r["x"]),
            start=_value(r.get("start")),
            end=_value(r.get("end")),
            extra={"series": _value(r.get("series")), "hosts": hosts},
        )
        year = _year_of(r.get("start"))
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
    spans += [_item_days(i) for i in (*measures, *training)]
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
            "activeMeasures": _figure({m.iri: (_item_days(m), []) for m in measures}, year),
            "trainingExchanges": _figure({t.iri: (_item_days(t), []) for t in training}, year),
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


def _item_days(item: Item) -> IntervalSet:
    """Days an item (measure, exchange) is in effect; undated items count in no year."""
    if item.start is None:
        return EMPTY
    lo = _days_of(_lit(item.start), end=False)
    hi = _days_of(_lit(item.end), end=True) if item.end else POS_INF
    if lo is None or hi is None:
        return EMPTY
    return IntervalSet.of(lo, hi)


def _lit(text: str) -> ox.Literal:
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(text), "date")
    return ox.Literal(text, datatype=ox.NamedNode(XSD + kind))


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
    for r in _rows(snapshot, sparql, a=ta, b=tb):
        iri = r["x"].value
        item = by_iri.get(iri)
        if item is None:
            item = by_iri[iri] = Item(
                iri=iri,
                label=_label(r, fallback=r["x"]),
                start=_value(r.get("start")),
                end=_value(r.get("end")),
                extra={name: _value(r.get(key)) for key, name in extra_keys.items()},
            )
        kind = r.get("kind")
        if kind is not None and _short_class(kind.value) not in item.kinds:
            item.kinds.append(_short_class(kind.value))
    out = []
    for item in by_iri.values():
        days = _item_days(item)
        if item.start is not None and not (days & window):
            continue
        item.kinds.sort()
        item.extra["period"] = days.describe()
        out.append(item)
    return sorted(out, key=lambda i: (i.start or "9999", i.label))


# --------------------------------------------------------------------------- timeline

_TIMELINE = """
SELECT ?kind ?date ?fact ?related ?role WHERE {
  {
    ?fact mil:member ?n ; mil:organization ?related ; mil:startDate ?date .
    OPTIONAL { ?fact mil:role ?role }
    BIND("membership started" AS ?kind)
  } UNION {
    ?fact mil:member ?n ; mil:organization ?related ; mil:endDate ?date .
    OPTIONAL { ?fact mil:role ?role }
    BIND("membership ended" AS ?kind)
  } UNION {
    ?fact mil:member ?n ; mil:organization ?related .
    FILTER NOT EXISTS { ?fact mil:startDate ?any }
    OPTIONAL { ?fact mil:role ?role }
    BIND("membership (start unknown)" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:signatureDate ?date .
    BIND("signed" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:entryIntoForceDate ?date .
    BIND("entered into force" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:suspensionDate ?date .
    BIND("suspended" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:withdrawalNoticeDate ?date .
    BIND("gave notice of withdrawal" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:withdrawalDate ?date .
    BIND("withdrew" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:endDate ?date .
    FILTER NOT EXISTS { ?fact mil:withdrawalDate ?date }
    FILTER NOT EXISTS { ?related mil:terminationDate ?date }
    BIND("ceased to be a party" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related . ?related mil:terminationDate ?date .
    FILTER NOT EXISTS { ?fact mil:withdrawalDate ?withdrawn }
    BIND("agreement terminated" AS ?kind)
  } UNION {
    ?related mil:participant ?n .
    ?related a mil:MilitaryExercise .
    BIND(?related AS ?fact)
    OPTIONAL { ?related mil:startDate ?date }
    BIND(IF(EXISTS { ?related mil:host ?n }, "hosted exercise", "took part in exercise") AS ?kind)
  } UNION {
    ?related mil:party ?n ; a mil:TrustBuildingMeasure .
    BIND(?related AS ?fact)
    OPTIONAL { ?related mil:startDate ?date }
    BIND("trust-building measure" AS ?kind)
  } UNION {
    ?related a mil:TrainingExchange .
    { ?related mil:provider ?n . BIND("provides training" AS ?kind) }
    UNION { ?related mil:recipient ?n . BIND("receives training" AS ?kind) }
    BIND(?related AS ?fact)
    OPTIONAL { ?related mil:startDate ?date }
  } UNION {
    ?fact mil:state ?n ; mil:startDate ?date .
    BIND("statehood began" AS ?kind)
  } UNION {
    ?fact mil:state ?n ; mil:endDate ?date .
    BIND("statehood ended" AS ?kind)
  }
}
"""
_LABELS = """
SELECT ?x ?label WHERE {
  ?x rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "")
}
"""


def _labels(snapshot: Snapshot, iris: Iterable[str]) -> dict[str, str]:
    """English (or untagged) labels of some resources, in one query."""
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    text = values_row(_LABELS, ["x"], [[f"<{iri}>"] for iri in wanted])
    return {r["x"].value: r["label"].value for r in _rows(snapshot, text)}


_ORDER = {
    "statehood began": 0,
    "membership ended": 1,
    "withdrew": 2,
    "ceased to be a party": 2,
    "agreement terminated": 3,
    "suspended": 4,
    "gave notice of withdrawal": 5,
    "signed": 6,
    "entered into force": 7,
    "membership started": 8,
    "membership (start unknown)": 8,
}


def timeline(
    snapshot: Snapshot, code: str, start: str | None = None, end: str | None = None
) -> Timeline:
    """A nation's dated events in date order (``start``/``end`` limit them, ``end`` inclusive);
    events without a date are listed apart."""
    lo = parse_bound(start, end=False, name="from")
    hi = parse_bound(end, end=True, name="to")
    nation = resolve_nation(snapshot, code, start=lo, end=hi)
    window = _window(lo, hi)
    seen: set[tuple[str, str, str]] = set()
    dated: list[tuple[int, int, Event]] = []
    undated: list[Event] = []
    rows = _rows(snapshot, _TIMELINE, n=ox.NamedNode(nation.iri))
    labels = _labels(snapshot, (r["related"].value for r in rows if r.get("related") is not None))
    for r in rows:
        kind = r["kind"].value
        fact = r["fact"].value
        when = r.get("date")
        key = (kind, fact, _value(when) or "")
        if key in seen:
            continue
        seen.add(key)
        related = _value(r.get("related"))
        related_label = labels.get(related, related.rsplit("/", 1)[-1]) if related else None
        role = r.get("role")
        text = _event_text(kind, related_label, role)
        event = Event(_value(when) or "", kind, text, fact, related, related_label)
        sort_day = _days_of(when, end=False)
        if sort_day is None:
            undated.append(event)
            continue
        if sort_day not in window:
            continue
        dated.append((sort_day, _ORDER.get(kind, 9), event))
    dated.sort(key=lambda x: (x[0], x[1], x[2].label))
    undated.sort(key=lambda e: (e.kind, e.label))
    return Timeline(nation, [e for _, _, e in dated], undated)


def _event_text(kind: str, related: str | None, role: Any) -> str:
    role_text = ""
    if role is not None and role.value != MIL_IRI + "RoleMember":
        role_text = f" ({_short_class(role.value).removeprefix('Role').lower()})"
    what = related or "?"
    return {
        "membership started": f"joined {what}{role_text}",
        "membership ended": f"left {what}{role_text}",
        "membership (start unknown)": f"member of {what}{role_text} (start date unknown)",
        "signed": f"signed {what}",
        "entered into force": f"{what} entered into force for it",
        "suspended": f"suspended {what}",
        "gave notice of withdrawal": f"gave notice of withdrawal from {what}",
        "withdrew": f"withdrew from {what}",
        "ceased to be a party": f"ceased to be a party to {what}",
        "agreement terminated": f"{what} terminated",
        "hosted exercise": f"hosted {what}",
        "took part in exercise": f"took part in {what}",
        "trust-building measure": f"{what} established",
        "provides training": f"provides {what}",
        "receives training": f"receives {what}",
        "statehood began": "entered the state system",
        "statehood ended": "left the state system",
    }.get(kind, f"{kind} {what}")


__all__ = [
    "INDICATORS",
    "PREFIXES",
    "AmbiguousNation",
    "Event",
    "Figure",
    "Item",
    "Nation",
    "NationNotFound",
    "Profile",
    "Record",
    "SharedAgreement",
    "SharedOrganization",
    "Timeline",
    "profile",
    "resolve_nation",
    "timeline",
]
