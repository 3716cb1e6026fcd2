"""What the analyses answer: one schema per result.

Each result is a dataclass (the Python answer, with its text form for the command line) next
to the TypedDict of its JSON form: ``to_json()`` is typed to return exactly that TypedDict,
so the type checker holds the JSON to its schema, and the HTTP API's OpenAPI document is
derived from the same TypedDicts (FastAPI/pydantic read their field descriptions). The
``…Model`` names are the schemas' names in that document.

Periods are half-open ``[from, until)``: ``until`` is the first day after (None: ongoing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, NotRequired, cast

import pyoxigraph as ox
from pydantic import Field
from typing_extensions import TypedDict

from milgraph.terms import short, term_json

# --------------------------------------------------------------------------- shared schemas

PeriodModel = TypedDict("PeriodModel", {
    "from": Annotated[str | None, Field(description="first day (None: unbounded)")],
    "until": Annotated[str | None, Field(description="first day after (exclusive; None: ongoing)")],
})  # fmt: skip

TermModel = TypedDict("TermModel", {
    "type": Annotated[str, Field(description="uri, literal, bnode (or triple for a generalised "
                                             "premise)")],
    "value": str,
    "datatype": NotRequired[str],
    "xml:lang": NotRequired[str],
})  # fmt: skip


class TripleModel(TypedDict):
    s: TermModel
    p: TermModel
    o: TermModel


def triple_json(t: Any) -> TripleModel:
    return {"s": _term(t.subject), "p": _term(t.predicate), "o": _term(t.object)}


def _term(term: object) -> TermModel:
    return cast(TermModel, term_json(term))


# --------------------------------------------------------------------------- nations


class NationModel(TypedDict):
    iri: str
    label: str
    code: str | None
    cow: int | None
    statehood: list[PeriodModel]


@dataclass
class Nation:
    iri: str
    label: str
    code: str | None = None
    """ISO 3166-1 alpha-3 (or ISO 3166-3 former) code."""
    cow: int | None = None
    statehood: list[PeriodModel] = field(default_factory=list)

    def to_json(self) -> NationModel:
        return {
            "iri": self.iri,
            "label": self.label,
            "code": self.code,
            "cow": self.cow,
            "statehood": self.statehood,
        }


def _name(n: Nation) -> str:
    return f"{n.label} ({n.code})" if n.code else n.label


def _periods_text(periods: list[PeriodModel]) -> str:
    return ", ".join(
        f"from {p['from'] or 'the beginning'}"
        + (f" until {p['until']}" if p["until"] else " (ongoing)")
        for p in periods
    )


# --------------------------------------------------------------------------- profile


class RecordModel(TypedDict):
    iri: str
    period: list[PeriodModel]
    dates: dict[str, str]
    role: NotRequired[str]
    status: NotRequired[str]
    inForce: NotRequired[Annotated[list[PeriodModel], Field(
        description="adherence: days in force for that party (mil:partyTo)")]]


@dataclass
class Record:
    """One side's membership or adherence record."""

    iri: str
    period: list[PeriodModel]
    """Days the record holds, as the point-in-time views read it (``until`` exclusive)."""
    role: str | None = None
    dates: dict[str, str] = field(default_factory=dict)
    """The record's own dates as in the data (partial dates stay partial)."""
    status: str | None = None
    in_force: list[PeriodModel] | None = None
    """For an adherence: the days the agreement was in force for that party (mil:partyTo)."""

    def to_json(self) -> RecordModel:
        out: RecordModel = {"iri": self.iri, "period": self.period, "dates": self.dates}
        if self.role is not None:
            out["role"] = self.role
        if self.status is not None:
            out["status"] = self.status
        if self.in_force is not None:
            out["inForce"] = self.in_force
        return out


class OrganizationModel(TypedDict):
    iri: str
    label: str
    alliance: bool
    a: list[RecordModel]
    b: list[RecordModel]
    together: Annotated[list[PeriodModel], Field(description="both full members (mil:memberOf)")]
    affiliatedTogether: Annotated[list[PeriodModel], Field(
        description="both held a membership, any role")]


@dataclass
class SharedOrganization:
    iri: str
    label: str
    alliance: bool
    a: list[Record]
    b: list[Record]
    together: list[PeriodModel]
    """Periods in which both were full members (``mil:memberOf``)."""
    affiliated_together: list[PeriodModel]
    """Periods in which both held a membership in any role."""

    def to_json(self) -> OrganizationModel:
        return {
            "iri": self.iri,
            "label": self.label,
            "alliance": self.alliance,
            "a": [r.to_json() for r in self.a],
            "b": [r.to_json() for r in self.b],
            "together": self.together,
            "affiliatedTogether": self.affiliated_together,
        }


class AgreementModel(TypedDict):
    iri: str
    label: str
    kinds: list[str]
    dates: dict[str, str]
    a: list[RecordModel]
    b: list[RecordModel]
    inForceTogether: list[PeriodModel]
    status: str


@dataclass
class SharedAgreement:
    iri: str
    label: str
    kinds: list[str]
    dates: dict[str, str]
    a: list[Record]
    b: list[Record]
    in_force_together: list[PeriodModel]
    status: str

    def to_json(self) -> AgreementModel:
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


class ItemModel(TypedDict):
    iri: str
    label: str
    kinds: list[str]
    startDate: str | None
    endDate: str | None
    series: NotRequired[Annotated[str | None, Field(description="exercise: its series")]]
    hosts: NotRequired[Annotated[list[str], Field(description="exercise: which side hosted")]]
    by: NotRequired[Annotated[str | None, Field(description="measure: what established it")]]
    direction: NotRequired[Annotated[str | None, Field(description="training: who trains whom")]]
    period: NotRequired[Annotated[list[PeriodModel], Field(
        description="measure, training: the days it is in effect")]]


@dataclass
class Item:
    """An exercise, measure or training exchange."""

    iri: str
    label: str
    kinds: list[str] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """The keys of ``ItemModel`` after ``endDate`` that this kind of item has."""

    def to_json(self) -> ItemModel:
        out: ItemModel = {
            "iri": self.iri,
            "label": self.label,
            "kinds": self.kinds,
            "startDate": self.start,
            "endDate": self.end,
        }
        return cast(ItemModel, {**out, **self.extra})


class FigureModel(TypedDict):
    count: int
    facts: Annotated[list[str], Field(description="IRIs of what is counted")]
    records: Annotated[list[str], Field(description="IRIs of the records that make it count")]


@dataclass
class Figure:
    count: int
    facts: list[str]
    """IRIs of what is counted (alliances, agreements, exercises, measures, exchanges)."""
    records: list[str] = field(default_factory=list)
    """IRIs of the records that make each count (memberships, adherences), where there are."""

    def to_json(self) -> FigureModel:
        return {"count": self.count, "facts": self.facts, "records": self.records}


INDICATORS = (
    "sharedAlliances",
    "agreementsInForce",
    "jointExercises",
    "activeMeasures",
    "trainingExchanges",
)


class YearModel(TypedDict):
    year: int
    sharedAlliances: FigureModel
    agreementsInForce: FigureModel
    jointExercises: FigureModel
    activeMeasures: FigureModel
    trainingExchanges: FigureModel


ProfileModel = TypedDict("ProfileModel", {
    "a": NationModel,
    "b": NationModel,
    "from": str | None,
    "to": str | None,
    "organizations": list[OrganizationModel],
    "agreements": list[AgreementModel],
    "exercises": Annotated[dict[str, list[ItemModel]], Field(
        description="by year of start ('undated')")],
    "measures": list[ItemModel],
    "training": list[ItemModel],
    "indicators": list[YearModel],
})  # fmt: skip


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

    def to_json(self) -> ProfileModel:
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
                cast(YearModel, {"year": year, **{k: f.to_json() for k, f in figures.items()}})
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
        for number, figures in sorted(self.indicators.items()):
            counts = [figures[k].count for k in INDICATORS]
            if any(counts):
                out.append(f"  {number}: " + "  ".join(f"{c:>3}" for c in counts))
        return "\n".join(out)


# --------------------------------------------------------------------------- timeline


class EventModel(TypedDict):
    date: str
    kind: str
    label: str
    fact: str
    related: str | None
    relatedLabel: str | None


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

    def to_json(self) -> EventModel:
        return {
            "date": self.date,
            "kind": self.kind,
            "label": self.label,
            "fact": self.fact,
            "related": self.related,
            "relatedLabel": self.related_label,
        }


class CoverageModel(TypedDict):
    dataset: Annotated[str, Field(description="IRI of the research dataset")]
    label: str
    coverage: Annotated[list[PeriodModel], Field(description="its time window (until exclusive)")]
    outside: Annotated[list[PeriodModel], Field(
        description="the part of the window asked about that it does not cover")]
    message: str


class TimelineModel(TypedDict):
    nation: NationModel
    events: list[EventModel]
    undated: list[EventModel]
    coverage: Annotated[list[CoverageModel], Field(
        description="datasets whose coverage misses part of the window asked about "
        "(from/to): there the answer holds curated records only")]


@dataclass
class Timeline:
    nation: Nation
    events: list[Event]
    undated: list[Event]
    coverage: list[Any] = field(default_factory=list)
    """``coverage.CoverageNote`` per dataset that does not cover the whole window asked."""

    def to_json(self) -> TimelineModel:
        return {
            "nation": self.nation.to_json(),
            "events": [e.to_json() for e in self.events],
            "undated": [e.to_json() for e in self.undated],
            "coverage": [n.to_json() for n in self.coverage],
        }

    def to_text(self) -> str:
        out = [f"Timeline of {_name(self.nation)}", ""]
        out += [f"  {e.date:<10}  {e.label}" for e in self.events] or ["  no dated events"]
        if self.undated:
            out += ["", "Undated:"] + [f"  {e.label}" for e in self.undated]
        return "\n".join(out)


# --------------------------------------------------------------------------- indicators


class SeriesModel(TypedDict):
    count: int
    facts: Annotated[list[str], Field(description="IRIs of what is counted")]


IndicatorsModel = TypedDict("IndicatorsModel", {
    "nation": NationModel,
    "from": str | None,
    "to": str | None,
    "series": list[str],
    "years": Annotated[list[dict[str, Any]], Field(
        description="per year: 'year' and, for each name of series, {count, facts}")],
})  # fmt: skip


# --------------------------------------------------------------------------- explanations

MAX_DEPTH = 40
MAX_NODES = 400


class AssertionModel(TypedDict):
    graph: Annotated[str, Field(description="named graph of the input file")]
    file: Annotated[str, Field(description="input file, relative to the repository")]
    sources: Annotated[list[str], Field(
        description="dcterms:source / prov:wasDerivedFrom of the subject")]


@dataclass
class Assertion:
    """Where an asserted triple comes from."""

    graph: str
    file: str
    sources: list[str]

    def to_json(self) -> AssertionModel:
        return {"graph": self.graph, "file": self.file, "sources": self.sources}


class ExplanationNodeModel(TypedDict):
    triple: TripleModel
    text: Annotated[str, Field(description="the triple in compact form")]
    rule: Annotated[str | None, Field(description="rule applied; None for an asserted triple")]
    ruleKind: Annotated[str, Field(description="asserted, owl2rl or sparql")]
    asserted: list[AssertionModel] | None
    dates: Annotated[dict[str, str | None] | None, Field(
        description="dates a temporal rule compared, asOf included (None: absent date)")]
    period: Annotated[list[PeriodModel] | None, Field(
        description="as of a day: the period on which this derivation holds")]
    note: Annotated[str | None, Field(description="explained above, truncated, cycle, …")]
    origin: Annotated[str | None, Field(
        description="for each of a triple's derivations: 'curated' when a record it matched "
        "cites a public document, 'dataset' when its records come from research datasets")]
    premises: list[ExplanationNodeModel]


@dataclass
class Node:
    triple: Any
    rule: str | None = None
    """None for an asserted triple; else the rule that derived it."""
    premises: list[Node] = field(default_factory=list)
    asserted: list[Assertion] = field(default_factory=list)
    dates: dict[str, str | None] = field(default_factory=dict)
    """Dates a temporal rule compared (``asOf`` included), by the property that holds them."""
    period: list[PeriodModel] | None = None
    """For a time-dependent triple: the period on which this derivation holds."""
    note: str | None = None
    """``explained above``, ``truncated``, ``cycle`` or ``no derivation recorded``."""
    origin: str | None = None
    """For the derivations of the triple asked about: ``curated`` or ``dataset``."""

    @property
    def rule_kind(self) -> str:
        if self.rule is None:
            return "asserted"
        if self.rule[:4] in ("prp-", "cax-", "cls-", "scm-", "dt-t", "dt-e", "dt-d") or (
            self.rule.startswith("eq-")
        ):
            return "owl2rl"
        return "sparql"

    def to_json(self) -> ExplanationNodeModel:
        return {
            "triple": triple_json(self.triple),
            "text": short(self.triple),
            "rule": self.rule,
            "ruleKind": self.rule_kind,
            "asserted": [a.to_json() for a in self.asserted] or None,
            "dates": self.dates or None,
            "period": self.period,
            "note": self.note,
            "origin": self.origin,
            "premises": [p.to_json() for p in self.premises],
        }


class HoldsModel(TypedDict):
    triple: TripleModel
    asOf: str
    answer: Annotated[str, Field(description="yes, no, or unknown (a partial date of a record "
                                             "behind the triple leaves that day in doubt)")]
    unknown: Annotated[list[PeriodModel], Field(
        description="the periods in which the answer is unknown (until exclusive)")]
    note: str


@dataclass
class Holds:
    """Whether a triple holds as of a day: yes, no or unknown (partial dates)."""

    triple: ox.Triple
    as_of: date
    answer: str
    unknown: list[PeriodModel] = field(default_factory=list)

    @property
    def note(self) -> str:
        day = self.as_of.isoformat()
        if self.answer == "yes":
            return f"holds as of {day}"
        if self.answer == "no":
            return f"does not hold as of {day}"
        spans = ", ".join(f"{p['from']} to the day before {p['until']}" for p in self.unknown)
        return (f"unknown as of {day}: a record behind it is dated only to a year or month, "
                f"and {day} lies in that period (unknown from {spans})")

    def to_json(self) -> HoldsModel:
        return {"triple": triple_json(self.triple), "asOf": self.as_of.isoformat(),
                "answer": self.answer, "unknown": self.unknown, "note": self.note}

    def to_text(self) -> str:
        return f"{short(self.triple)}: {self.answer} ({self.note})"


class ExplanationModel(TypedDict):
    triple: TripleModel
    holds: bool
    answer: Annotated[str, Field(description="yes; as of a day, unknown when a partial date "
                                             "of a record behind it leaves that day in doubt")]
    asOf: str | None
    truncated: bool
    nodes: int
    rules: Annotated[dict[str, str], Field(description="SPARQL rules used: file and summary")]
    explanation: Annotated[ExplanationNodeModel, Field(
        description="the first derivation (a curated one where there is one)")]
    derivations: Annotated[list[ExplanationNodeModel], Field(
        description="every derivation of the triple, curated ones first (the first is "
        "'explanation'); premises met in an earlier derivation say 'explained above'")]
    moreDerivations: Annotated[bool, Field(
        description="more derivations exist than the 12 listed")]


@dataclass
class Explanation:
    triple: ox.Triple
    as_of: date | None
    root: Node
    nodes: int
    truncated: bool
    rules: dict[str, str] = field(default_factory=dict)
    """SPARQL rules used: name -> file and summary."""
    alternatives: list[Node] = field(default_factory=list)
    """Derivations after the first (``root``), in the same order: curated ones first."""
    answer: str = "yes"
    """``yes``, or ``unknown`` as of a day a partial date leaves in doubt."""
    more_derivations: bool = False
    """More derivations exist than are listed."""

    @property
    def derivations(self) -> list[Node]:
        return [self.root, *self.alternatives]

    def to_json(self) -> ExplanationModel:
        return {
            "triple": triple_json(self.triple),
            "holds": True,
            "answer": self.answer,
            "asOf": self.as_of.isoformat() if self.as_of else None,
            "truncated": self.truncated,
            "nodes": self.nodes,
            "rules": self.rules,
            "explanation": self.root.to_json(),
            "derivations": [d.to_json() for d in self.derivations],
            "moreDerivations": self.more_derivations,
        }

    def to_text(self) -> str:
        view = f"as of {self.as_of.isoformat()}" if self.as_of else "in the current view"
        head = f"{short(self.triple)} holds {view}."
        if self.answer == "unknown":
            head = (f"{short(self.triple)} holds {view} only by the partial-date rule: "
                    "unknown (a record behind it is dated only to a year or month).")
        lines = [head, ""]
        every = self.derivations
        for i, node in enumerate(every, 1):
            if len(every) > 1:
                origin = f" ({node.origin})" if node.origin else ""
                lines.append(f"Derivation {i} of {len(every)}{origin}:")
            _node_lines(node, "", lines)
            if len(every) > 1 and i < len(every):
                lines.append("")
        if self.rules:
            lines.append("")
            lines += [f"rule {name}: {doc}" for name, doc in sorted(self.rules.items())]
        if self.more_derivations:
            lines.append("")
            lines.append(f"(more derivations exist; the first {len(every)} are listed)")
        if self.truncated:
            lines.append("")
            lines.append(f"(tree cut at depth {MAX_DEPTH} or {MAX_NODES} nodes: 'truncated')")
        return "\n".join(lines)


def _node_lines(node: Node, indent: str, out: list[str]) -> None:
    head = f"{indent}{short(node.triple)}"
    if node.rule is None and node.asserted:
        where = "; ".join(
            a.file + (f" (source: {', '.join(a.sources)})" if a.sources else "")
            for a in node.asserted
        )
        out.append(f"{head}  [asserted in {where}]")
    else:
        tag = node.rule or "?"
        if node.note:
            tag += f"; {node.note}"
        out.append(f"{head}  [{tag}]")
    if node.dates:
        out.append(f"{indent}    dates compared: {_dates_text(node.dates)}")
    if node.period:
        spans = ", ".join(
            f"from {p['from'] or 'the beginning'} until {p['until'] or 'now (ongoing)'}"
            for p in node.period
        )
        out.append(f"{indent}    this derivation holds {spans}")
    for p in node.premises:
        _node_lines(p, indent + "  ", out)


def _dates_text(dates: dict[str, str | None]) -> str:
    parts = []
    for name, value in dates.items():
        if name == "asOf":
            continue
        parts.append(f"{name} {value}" if value is not None else f"no {name}")
    if "asOf" in dates:
        parts.append(f"asOf {dates['asOf']}")
    return ", ".join(parts)
