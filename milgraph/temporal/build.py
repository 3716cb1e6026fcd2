"""Build-time part of point-in-time views, called by the build pipeline (``build.pipeline``).

``prepare`` splits the asserted triples into those of time-bounded records and the rest,
reasons over the rest (the static part ``S``), propagates day sets through the rules for the
time-bounded part, and returns the quads to add to the store (``graph/asof/static`` plus the
segment graphs) and the manifest entry. ``TemporalBuild.write`` stores the day sets and
derivations in ``temporal.sqlite`` and the static part's provenance beside it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph.rules import Rule
from milgraph.store import layout
from milgraph.temporal import store as temporal_store
from milgraph.temporal.closure import RDF_TYPE, Closure, TemporalFacts, mil
from milgraph.temporal.dates import (
    CERTAIN,
    EMPTY,
    NEG_INF,
    POS_INF,
    POSSIBLE,
    DateValueError,
    IntervalSet,
    Reading,
    end_of,
    is_partial,
    iso,
    start_of,
)
from milgraph.temporal.segments import (
    ASOF_GRAPH_PREFIX,
    STATIC_GRAPH,
    canonical,
    graph_iri,
    leaf_ranges,
)

#: Bumped whenever the layout or the semantics of the views change (part of the snapshot key).
VERSION = "3"
STATIC_PROVENANCE = layout.STATIC_PROVENANCE

TIME_BOUND = mil("TimeBoundRelation")
ADHERENCE = mil("Adherence")


@dataclass
class RecordDays:
    """Validity of one time-bounded record (Membership, Adherence, StatehoodPeriod, …)."""

    days: IntervalSet
    partial: bool = False
    problem: str | None = None


@dataclass
class TemporalBuild:
    static: set[ox.Triple]
    facts: TemporalFacts
    boundaries: list[int]
    static_result: Any
    records: dict[object, RecordDays]
    timings: dict[str, float] = field(default_factory=dict)
    shapes: list[Rule] = field(default_factory=list)
    #: Days on which a triple holds only under the "possible" reading of partial dates (its
    #: views' reading) and not under the certain one: there the answer is "unknown".
    unknown: dict[ox.Triple, IntervalSet] = field(default_factory=dict)

    def quads(self) -> Iterator[ox.Quad]:
        static_g = ox.NamedNode(STATIC_GRAPH)
        for t in self.static:
            yield ox.Quad(t.subject, t.predicate, t.object, static_g)
        n = len(self.boundaries) + 1
        names: dict[tuple[int, int], ox.NamedNode] = {}
        for t, days in self.facts.intervals.items():
            for a, b in leaf_ranges(days, self.boundaries):
                for node in canonical(a, b, n):
                    g = names.get(node)
                    if g is None:
                        g = names[node] = ox.NamedNode(graph_iri(node, self.boundaries))
                    yield ox.Quad(t.subject, t.predicate, t.object, g)

    def write(self, directory: Path) -> None:
        from milgraph import reasoning

        temporal_store.write(
            directory / temporal_store.FILENAME, self.facts.intervals, self.facts.firings,
            self.unknown,
        )
        reasoning.write_provenance(directory / STATIC_PROVENANCE, self.static_result)

    def manifest(self) -> dict[str, Any]:
        n = len(self.boundaries) + 1
        segments = {
            node
            for days in self.facts.intervals.values()
            for a, b in leaf_ranges(days, self.boundaries)
            for node in canonical(a, b, n)
        }
        quads = sum(
            len(canonical(a, b, n))
            for days in self.facts.intervals.values()
            for a, b in leaf_ranges(days, self.boundaries)
        )
        per_predicate: dict[str, int] = defaultdict(int)
        for t in self.facts.intervals:
            per_predicate[t.predicate.value] += 1
        undated = sorted(f"{r}: {d.problem}" for r, d in self.records.items() if d.problem)
        return {
            "version": VERSION,
            "static_graph": STATIC_GRAPH,
            "segment_graph_prefix": ASOF_GRAPH_PREFIX,
            "boundaries": [iso(b) for b in self.boundaries],
            "counts": {
                "records": len(self.records),
                "records_with_partial_dates": sum(d.partial for d in self.records.values()),
                "records_without_days": len(undated),
                "triples_with_unknown_days": len(self.unknown),
                "static_triples": len(self.static),
                "time_dependent_triples": len(self.facts.intervals),
                "epochs": n,
                "segment_graphs": len(segments),
                "segment_quads": quads,
                "per_predicate": dict(sorted(per_predicate.items())),
            },
            "rules": {
                "interval_algebra": self.facts.algebra_rules,
                "evaluated_per_epoch": self.facts.swept_rules,
                # the rules this snapshot was reasoned with, so explanations read these
                # (not whatever ontology/rules/ holds when they are asked for)
                "files": [
                    {"name": r.name, "path": _display_path(r.path), "text": r.text}
                    for r in self.shapes
                ],
            },
            "problems": undated[:50] + self.facts.problems[:50],
            "timings": self.timings,
        }


def _display_path(path: Path | None) -> str | None:
    if path is None:
        return None
    from milgraph import paths

    resolved = path.resolve()
    if resolved.is_relative_to(paths.PROJECT_ROOT):
        return resolved.relative_to(paths.PROJECT_ROOT).as_posix()
    return resolved.as_posix()


# --------------------------------------------------------------------------- records


class _Index:
    def __init__(self, triples: Sequence[ox.Triple], predicates: set[ox.NamedNode]) -> None:
        self.by_sp: dict[tuple[object, ox.NamedNode], list[object]] = defaultdict(list)
        self.types: dict[object, set[object]] = defaultdict(set)
        for t in triples:
            if t.predicate == RDF_TYPE:
                self.types[t.subject].add(t.object)
            elif t.predicate in predicates:
                self.by_sp[(t.subject, t.predicate)].append(t.object)

    def values(self, s: object, prop: str) -> list[ox.Literal]:
        return [v for v in self.by_sp.get((s, mil(prop)), ()) if isinstance(v, ox.Literal)]


_DATE_PROPS = (
    "startDate",
    "endDate",
    "signatureDate",
    "entryIntoForceDate",
    "withdrawalDate",
    "terminationDate",
)


def record_days(
    closure: Sequence[ox.Triple], reading: Reading = POSSIBLE
) -> dict[object, RecordDays]:
    """Validity of every ``mil:TimeBoundRelation`` (after reasoning: subclasses included).

    A record holds from its earliest ``mil:startDate`` (for an ``mil:Adherence`` also its
    signature and entry-into-force dates: the record of a signature exists from signature)
    until its latest ``mil:endDate``; an adherence without an end date ends at the earliest of
    its withdrawal and its agreement's termination. No end date: ongoing. A record without any
    start date holds on no day of a point-in-time view (as the ``?asOf`` rules treat it).
    Partial dates are read as ``reading`` says (``dates.Reading``).
    """
    index = _Index(closure, {mil(p) for p in (*_DATE_PROPS, "agreement")})
    out: dict[object, RecordDays] = {}
    for node, types in index.types.items():
        if TIME_BOUND not in types:
            continue
        is_adherence = ADHERENCE in types
        start_props = (
            ("startDate", "signatureDate", "entryIntoForceDate") if is_adherence else ("startDate",)
        )
        starts = [v for p in start_props for v in index.values(node, p)]
        ends = index.values(node, "endDate")
        if not ends and is_adherence:
            ends = index.values(node, "withdrawalDate") + [
                v
                for agreement in index.by_sp.get((node, mil("agreement")), ())
                for v in index.values(agreement, "terminationDate")
            ]
            end_pick = min
        else:
            end_pick = max
        partial = any(is_partial(v) for v in (*starts, *ends))
        try:
            lo = min(start_of(v, reading) for v in starts) if starts else None
            hi = end_pick(end_of(v, reading) for v in ends) if ends else POS_INF
        except DateValueError as exc:
            out[node] = RecordDays(IntervalSet(), partial, str(exc))
            continue
        if lo is None:
            out[node] = RecordDays(
                IntervalSet(), partial, "no start date: in no point-in-time view"
            )
        elif hi <= lo:
            out[node] = RecordDays(IntervalSet(), partial, "ends before it starts")
        else:
            out[node] = RecordDays(IntervalSet.of(lo, hi), partial)
    return out


# --------------------------------------------------------------------------- prepare


def split(
    asserted: Sequence[ox.Triple], inferred: Sequence[ox.Triple], reading: Reading = POSSIBLE
) -> tuple[list[ox.Triple], dict[ox.Triple, IntervalSet], dict[object, RecordDays]]:
    """Asserted triples that mention no time-bounded record; those that do, each with the
    days its record(s) hold; and the records' validity."""
    records = record_days([*asserted, *inferred], reading)
    seeds: dict[ox.Triple, IntervalSet] = {}
    static_asserted: list[ox.Triple] = []
    for t in asserted:
        days = None
        for term in (t.subject, t.object):
            rec = records.get(term)
            if rec is not None:
                days = rec.days if days is None else days & rec.days
        if days is None:
            static_asserted.append(t)
        else:
            seeds[t] = days
    return static_asserted, seeds, records


def prepare(
    asserted: Sequence[ox.Triple],
    inferred: Sequence[ox.Triple],
    rules: Sequence[Rule] = (),
) -> TemporalBuild:
    """Everything the point-in-time views need, from the asserted triples and the full closure.

    ``rules`` are the rules the closure was reasoned with: the reasoner runs them again on the
    static part, and the interval closure propagates day sets through them.
    """
    from milgraph import reasoning

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    static_asserted, seeds, records = split(asserted, inferred)
    timings["split"] = round(time.perf_counter() - clock, 3)

    clock = time.perf_counter()
    static_result = reasoning.reason(static_asserted, rules=list(rules))
    static = set(static_asserted)
    static.update(static_result.inferred)
    timings["reason_static"] = round(time.perf_counter() - clock, 3)

    clock = time.perf_counter()
    shapes = list(rules)
    facts = Closure(static, shapes).run({t: d for t, d in seeds.items() if d})
    timings["intervals"] = round(time.perf_counter() - clock, 3)

    unknown: dict[ox.Triple, IntervalSet] = {}
    if any(r.partial for r in records.values()):  # else both readings agree
        clock = time.perf_counter()
        _, certain_seeds, _ = split(asserted, inferred, CERTAIN)
        certain = Closure(static, shapes, reading=CERTAIN).run(
            {t: d for t, d in certain_seeds.items() if d}
        )
        for t, days in facts.intervals.items():
            doubt = days - certain.intervals.get(t, EMPTY)
            if doubt:
                unknown[t] = doubt
        timings["intervals_certain"] = round(time.perf_counter() - clock, 3)

    bounds: set[int] = set()
    for days in facts.intervals.values():
        for lo, hi in days:
            if lo > NEG_INF:
                bounds.add(lo)
            if hi < POS_INF:
                bounds.add(hi)
    return TemporalBuild(
        static=static,
        facts=facts,
        boundaries=sorted(bounds),
        static_result=static_result,
        records=records,
        timings=timings,
        shapes=shapes,
        unknown=unknown,
    )
