"""Interval closure: each time-dependent triple with the exact set of days on which it holds.

Input: the static closure ``S`` (every triple that holds whatever the date: the reasoned
closure of the asserted triples that mention no time-bounded record) and the asserted triples
of time-bounded records, each with its record's validity interval. Output: every triple the
view "as of day D" adds to ``S``, with the set of days D on which it is in that view, and for
each piece of that set one derivation (rule, premises that hold on all of that piece).

The semantics is the one the reasoner gives a single date: for every day D,
``view(D) = closure_D(A_static ∪ {records valid on D})`` where ``closure_D`` applies OWL 2 RL
and the SPARQL rules with ``?asOf = D``. Computing it per day is far too slow (thousands of
distinct dates), so intervals are propagated instead:

* OWL 2 RL rules that can fire on a time-dependent triple (the property and class axioms of
  the ontology: ``prp-dom``, ``prp-rng``, ``prp-spo1``, ``prp-spo2``, ``prp-eqp1/2``,
  ``prp-inv1/2``, ``prp-symp``, ``prp-trp``, ``cax-sco``, ``cax-eqc1/2``) carry the intersection
  of their premises' day sets to the conclusion. The axioms are read from ``S``, never
  hard-coded, so ontology changes are picked up.
* The SPARQL rules whose text is known (``memberOf``, ``partyTo``, ``alliedWith`` and its
  siblings ``consultationPartnerOf``, ``nonAggressionPartnerOf``, ``neutralityPartnerOf``) are
  evaluated in interval algebra that mirrors their SPARQL exactly (OPTIONAL rows, FILTER NOT
  EXISTS, the ``?asOf`` comparisons), with partial dates read by the documented rule.
* Any other rule that reads time-dependent triples or ``?asOf`` (a new or edited rule) is
  evaluated by its own SPARQL text once per epoch on a small store swept through time: slower,
  but always the rule as written. The manifest lists such rules.

Tests compare the result with the reasoner run separately on sample dates.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import pyoxigraph as ox

from milgraph.namespaces import MIL_IRI as MIL
from milgraph.namespaces import OWL, RDF, RDFS
from milgraph.rules import Rule
from milgraph.store.oxigraph import OxigraphStore
from milgraph.temporal.dates import (
    ALWAYS,
    EMPTY,
    NEG_INF,
    POS_INF,
    POSSIBLE,
    XSD_DATE,
    DateValueError,
    IntervalSet,
    Reading,
    end_of,
    iso,
    period,
    start_of,
)

RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST = ox.NamedNode(RDF + "first")
RDF_REST = ox.NamedNode(RDF + "rest")
RDF_NIL = ox.NamedNode(RDF + "nil")
SUB_CLASS = ox.NamedNode(RDFS + "subClassOf")
SUB_PROPERTY = ox.NamedNode(RDFS + "subPropertyOf")
DOMAIN = ox.NamedNode(RDFS + "domain")
RANGE = ox.NamedNode(RDFS + "range")
INVERSE_OF = ox.NamedNode(OWL + "inverseOf")
EQUIVALENT_PROPERTY = ox.NamedNode(OWL + "equivalentProperty")
EQUIVALENT_CLASS = ox.NamedNode(OWL + "equivalentClass")
CHAIN = ox.NamedNode(OWL + "propertyChainAxiom")
SYMMETRIC = ox.NamedNode(OWL + "SymmetricProperty")
TRANSITIVE = ox.NamedNode(OWL + "TransitiveProperty")


#: A term in any position: the indexes mix subjects, objects and classes, and the rules below
#: build triples from them only where the position allows it (no literal subject).
AnyTerm = Any


def mil(name: str) -> ox.NamedNode:
    return ox.NamedNode(MIL + name)


ASSERTED = "asserted"
"""Rule name of a firing that is an asserted triple of a time-bounded record."""
SWEPT = "evaluated per epoch"


@dataclass(frozen=True)
class Firing:
    """One derivation of (part of) a time-dependent triple."""

    rule: str
    premises: tuple[ox.Triple, ...] = ()
    detail: tuple[tuple[str, str | None], ...] = ()
    """For temporal rules: the dates compared, e.g. ``(("startDate", "2023-04-04"), …)``."""


@dataclass
class TemporalFacts:
    """The result: day sets and derivations of every time-dependent triple."""

    intervals: dict[ox.Triple, IntervalSet]
    firings: dict[ox.Triple, list[tuple[IntervalSet, Firing]]]
    algebra_rules: list[str] = field(default_factory=list)
    swept_rules: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- facts


class Facts:
    """``S`` (always true) plus time-dependent triples with day sets, indexed for joins."""

    def __init__(self, static: Collection[ox.Triple], reading: Reading = POSSIBLE) -> None:
        self.reading = reading
        """How the temporal rules read partial dates (``dates.Reading``)."""
        self.static = static if isinstance(static, set | frozenset) else set(static)
        self.static_by_p: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
        for t in self.static:
            self.static_by_p[t.predicate].append(t)
        self._static_sp: dict[ox.NamedNode, dict[AnyTerm, list[AnyTerm]]] = {}
        self._static_po: dict[ox.NamedNode, dict[AnyTerm, list[AnyTerm]]] = {}
        self.dyn: dict[ox.Triple, IntervalSet] = {}
        self.firings: dict[ox.Triple, list[tuple[IntervalSet, Firing]]] = defaultdict(list)
        self.dyn_by_p: dict[ox.NamedNode, set[ox.Triple]] = defaultdict(set)
        self.dyn_sp: dict[tuple[AnyTerm, ox.NamedNode], set[AnyTerm]] = defaultdict(set)
        self.dyn_po: dict[tuple[ox.NamedNode, AnyTerm], set[AnyTerm]] = defaultdict(set)
        self.changes: dict[ox.NamedNode, int] = defaultdict(int)
        """Per predicate, how many times a day set grew: rules re-run only on new input."""

    def interval(self, t: ox.Triple) -> IntervalSet:
        if t in self.static:
            return ALWAYS
        return self.dyn.get(t, EMPTY)

    def _sp(self, p: ox.NamedNode) -> dict[AnyTerm, list[AnyTerm]]:
        index = self._static_sp.get(p)
        if index is None:
            index = defaultdict(list)
            for t in self.static_by_p.get(p, ()):
                index[t.subject].append(t.object)
            self._static_sp[p] = index
        return index

    def _po(self, p: ox.NamedNode) -> dict[AnyTerm, list[AnyTerm]]:
        index = self._static_po.get(p)
        if index is None:
            index = defaultdict(list)
            for t in self.static_by_p.get(p, ()):
                index[t.object].append(t.subject)
            self._static_po[p] = index
        return index

    def objects(self, s: AnyTerm, p: ox.NamedNode) -> list[AnyTerm]:
        found = list(self._sp(p).get(s, ()))
        found.extend(self.dyn_sp.get((s, p), ()))
        return found

    def subjects(self, p: ox.NamedNode, o: AnyTerm) -> list[AnyTerm]:
        found = list(self._po(p).get(o, ()))
        found.extend(self.dyn_po.get((p, o), ()))
        return found

    def with_predicate(self, p: ox.NamedNode) -> list[ox.Triple]:
        return [*self.static_by_p.get(p, ()), *self.dyn_by_p.get(p, ())]

    def add(self, t: ox.Triple, days: IntervalSet, firing: Firing) -> IntervalSet:
        """Record that ``t`` holds on ``days``; return the days that are new."""
        if not days or t in self.static or isinstance(t.subject, ox.Literal):
            return EMPTY
        old = self.dyn.get(t)
        new = days if old is None else days - old
        if not new:
            return EMPTY
        if old is None:
            self.dyn[t] = new
            self.dyn_by_p[t.predicate].add(t)
            self.dyn_sp[(t.subject, t.predicate)].add(t.object)
            self.dyn_po[(t.predicate, t.object)].add(t.subject)
        else:
            self.dyn[t] = old | new
        self.firings[t].append((new, firing))
        self.changes[t.predicate] += 1
        return new


# --------------------------------------------------------------------------- axioms


@dataclass
class Chain:
    head: ox.NamedNode
    links: tuple[ox.NamedNode, ...]
    axiom: ox.Triple


class Axioms:
    """The OWL 2 RL property and class axioms of ``S`` that time-dependent triples can fire."""

    def __init__(self, facts: Facts) -> None:
        self.sub_property: dict[ox.NamedNode, list[tuple[ox.NamedNode, ox.Triple, str]]] = (
            defaultdict(list)
        )
        self.inverse: dict[ox.NamedNode, list[tuple[ox.NamedNode, ox.Triple, str]]] = defaultdict(
            list
        )
        self.sub_class: dict[AnyTerm, list[tuple[AnyTerm, ox.Triple, str]]] = defaultdict(list)
        self.domain: dict[ox.NamedNode, list[tuple[AnyTerm, ox.Triple]]] = defaultdict(list)
        self.range: dict[ox.NamedNode, list[tuple[AnyTerm, ox.Triple]]] = defaultdict(list)
        self.symmetric: dict[AnyTerm, ox.Triple] = {}
        self.transitive: dict[AnyTerm, ox.Triple] = {}
        self.chains: list[Chain] = []
        self.chain_links: dict[ox.NamedNode, list[tuple[Chain, int]]] = defaultdict(list)

        def props(p: ox.NamedNode) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, ox.Triple]]:
            for t in facts.static_by_p.get(p, ()):
                if (
                    isinstance(t.subject, ox.NamedNode)
                    and isinstance(t.object, ox.NamedNode)
                    and t.subject != t.object
                ):
                    yield t.subject, t.object, t

        for a, b, t in props(SUB_PROPERTY):
            self.sub_property[a].append((b, t, "prp-spo1"))
        for a, b, t in props(EQUIVALENT_PROPERTY):
            self.sub_property[a].append((b, t, "prp-eqp1"))
            self.sub_property[b].append((a, t, "prp-eqp2"))
        for t in facts.static_by_p.get(INVERSE_OF, ()):
            first, second = t.subject, t.object
            if isinstance(first, ox.NamedNode) and isinstance(second, ox.NamedNode):
                self.inverse[first].append((second, t, "prp-inv1"))
                self.inverse[second].append((first, t, "prp-inv2"))
        for t in facts.static_by_p.get(SUB_CLASS, ()):
            if t.subject != t.object and not isinstance(t.object, ox.Literal):
                self.sub_class[t.subject].append((t.object, t, "cax-sco"))
        for t in facts.static_by_p.get(EQUIVALENT_CLASS, ()):
            if t.subject != t.object:
                self.sub_class[t.subject].append((t.object, t, "cax-eqc1"))
                self.sub_class[t.object].append((t.subject, t, "cax-eqc2"))
        for t in facts.static_by_p.get(DOMAIN, ()):
            if isinstance(t.subject, ox.NamedNode):
                self.domain[t.subject].append((t.object, t))
        for t in facts.static_by_p.get(RANGE, ()):
            if isinstance(t.subject, ox.NamedNode):
                self.range[t.subject].append((t.object, t))
        for t in facts.static_by_p.get(RDF_TYPE, ()):
            if t.object == SYMMETRIC:
                self.symmetric[t.subject] = t
            elif t.object == TRANSITIVE:
                self.transitive[t.subject] = t
        for t in facts.static_by_p.get(CHAIN, ()):
            links = _rdf_list(facts, t.object)
            if links and isinstance(t.subject, ox.NamedNode):
                chain = Chain(t.subject, tuple(links), t)
                self.chains.append(chain)
                for i, p in enumerate(links):
                    self.chain_links[p].append((chain, i))


def _rdf_list(facts: Facts, node: AnyTerm) -> list[ox.NamedNode]:
    out: list[ox.NamedNode] = []
    seen: set[AnyTerm] = set()
    while node != RDF_NIL and node not in seen:
        seen.add(node)
        first = facts.objects(node, RDF_FIRST)
        rest = facts.objects(node, RDF_REST)
        if len(first) != 1 or len(rest) != 1 or not isinstance(first[0], ox.NamedNode):
            return []
        out.append(first[0])
        node = rest[0]
    return out


# --------------------------------------------------------------------------- the closure

RuleAlgebra = Callable[[Facts, list[str]], Iterable[tuple[ox.Triple, IntervalSet, Firing]]]


def rule_fingerprint(text: str) -> str:
    """Hash of a rule's text without comments and with whitespace collapsed."""
    body = " ".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    body = re.sub(r"\s+", " ", body).strip()
    return hashlib.sha256(body.encode()).hexdigest()[:16]


class Closure:
    def __init__(
        self,
        static: Collection[ox.Triple],
        shapes: Sequence[Rule],
        algebras: dict[str, tuple[str, RuleAlgebra]] | None = None,
        reading: Reading = POSSIBLE,
    ) -> None:
        self.facts = Facts(static, reading)
        self.axioms = Axioms(self.facts)
        self.shapes = list(shapes)
        self.algebras = ALGEBRAS if algebras is None else algebras
        self.problems: list[str] = []
        self._queue: list[tuple[ox.Triple, IntervalSet]] = []
        self.algebra_rules: set[str] = set()
        self.swept_rules: set[str] = set()

    # -- public

    def run(self, seeds: dict[ox.Triple, IntervalSet]) -> TemporalFacts:
        for t, days in seeds.items():
            self._add(t, days, Firing(ASSERTED))
        self._propagate()
        seen: dict[str, int] = {}
        for _ in range(100):
            changed = False
            for shape in self._temporal_shapes():
                inputs = self._input_version(shape)
                if seen.get(shape.name) == inputs:
                    continue  # nothing it reads has changed since it last ran
                for t, days, firing in self._evaluate(shape):
                    if self._add(t, days, firing):
                        changed = True
                self._propagate()
                # the version *before* it ran: if its own conclusions (or their OWL
                # consequences) changed what it reads, it runs again next round
                seen[shape.name] = inputs
            if not changed:
                break
        else:  # pragma: no cover - rules that never reach a fixpoint are a bug in the rules
            self.problems.append("temporal rules did not reach a fixpoint in 100 rounds")
        return TemporalFacts(
            intervals=self.facts.dyn,
            firings=dict(self.facts.firings),
            algebra_rules=sorted(self.algebra_rules),
            swept_rules=sorted(self.swept_rules),
            problems=self.problems,
        )

    # -- internals

    def _add(self, t: ox.Triple, days: IntervalSet, firing: Firing) -> bool:
        new = self.facts.add(t, days, firing)
        if new:
            self._queue.append((t, new))
            return True
        return False

    def _input_version(self, shape: Rule) -> int:
        if "*" in shape.reads:
            return sum(self.facts.changes.values())
        return sum(self.facts.changes.get(ox.NamedNode(p), 0) for p in shape.reads)

    def _temporal_shapes(self) -> list[Rule]:
        """Rules whose conclusions can change with the date: they read ``?asOf`` or a
        predicate (or class) that some time-dependent triple has."""
        dyn_predicates = {p.value for p, ts in self.facts.dyn_by_p.items() if ts}
        dyn_types = {
            t.object.value
            for t in self.facts.dyn_by_p.get(RDF_TYPE, ())
            if isinstance(t.object, ox.NamedNode)
        }
        out = []
        for shape in self.shapes:
            reads = set(shape.reads)
            typed_reads = reads - {RDF_TYPE.value}
            temporal = (
                shape.uses_as_of
                or "*" in reads
                or bool(typed_reads & dyn_predicates)
                or (RDF_TYPE.value in reads and bool(shape.reads_types & dyn_types))
                or (RDF_TYPE.value in reads and _reads_variable_type(shape) and bool(dyn_types))
            )
            if temporal:
                out.append(shape)
        return out

    def _evaluate(self, shape: Rule) -> Iterable[tuple[ox.Triple, IntervalSet, Firing]]:
        known = self.algebras.get(shape.name)
        if known is not None and known[0] == rule_fingerprint(shape.text):
            self.algebra_rules.add(shape.name)
            return known[1](self.facts, self.problems)
        if shape.name not in self.swept_rules:
            self.swept_rules.add(shape.name)
            self.problems.append(
                f"rule {shape.name} has no interval algebra for its current text: its "
                "point-in-time views are computed by evaluating it once per epoch (correct, "
                "but slow on large data; see ALGEBRAS in milgraph/temporal/closure.py)"
            )
        return sweep(self.facts, shape)

    def _propagate(self) -> None:
        facts, ax, queue = self.facts, self.axioms, self._queue
        add = self._add
        while queue:
            t, delta = queue.pop()
            s: AnyTerm = t.subject
            o: AnyTerm = t.object
            p = t.predicate
            literal_object = isinstance(o, ox.Literal)
            if p == RDF_TYPE:
                for cls, axiom, rule in ax.sub_class.get(o, ()):
                    add(ox.Triple(s, RDF_TYPE, cls), delta, Firing(rule, (axiom, t)))
            for q, axiom, rule in ax.sub_property.get(p, ()):
                add(ox.Triple(s, q, o), delta, Firing(rule, (axiom, t)))
            if not literal_object:
                for q, axiom, rule in ax.inverse.get(p, ()):
                    add(ox.Triple(o, q, s), delta, Firing(rule, (axiom, t)))
                symmetric = ax.symmetric.get(p)
                if symmetric is not None:
                    add(ox.Triple(o, p, s), delta, Firing("prp-symp", (symmetric, t)))
                for cls, axiom in ax.range.get(p, ()):
                    add(ox.Triple(o, RDF_TYPE, cls), delta, Firing("prp-rng", (axiom, t)))
            for cls, axiom in ax.domain.get(p, ()):
                add(ox.Triple(s, RDF_TYPE, cls), delta, Firing("prp-dom", (axiom, t)))
            transitive = ax.transitive.get(p)
            if transitive is not None and not literal_object:
                for z in facts.objects(o, p):
                    right = ox.Triple(o, p, z)
                    add(
                        ox.Triple(s, p, z),
                        delta & facts.interval(right),
                        Firing("prp-trp", (transitive, t, right)),
                    )
                for w in facts.subjects(p, s):
                    left = ox.Triple(w, p, s)
                    add(
                        ox.Triple(w, p, o),
                        delta & facts.interval(left),
                        Firing("prp-trp", (transitive, left, t)),
                    )
            for chain, position in ax.chain_links.get(p, ()):
                for start, end, days, path in _chain_paths(facts, chain.links, position, t, delta):
                    add(
                        ox.Triple(start, chain.head, end),
                        days,
                        Firing("prp-spo2", (chain.axiom, *path)),
                    )


def _reads_variable_type(shape: Rule) -> bool:
    return any(
        isinstance(p[1], ox.NamedNode) and p[1] == RDF_TYPE
        and isinstance(p[2], ox.Variable | ox.BlankNode)
        for p in (*shape.required, *shape.optional, *shape.negated)
    )


def _chain_paths(
    facts: Facts,
    links: tuple[ox.NamedNode, ...],
    position: int,
    t: ox.Triple,
    delta: IntervalSet,
) -> Iterator[tuple[AnyTerm, AnyTerm, IntervalSet, tuple[ox.Triple, ...]]]:
    """Paths ``u1 -p1-> u2 … -pn-> un+1`` through ``t`` at ``position``, with their day sets."""

    def left(
        node: AnyTerm, i: int, days: IntervalSet
    ) -> Iterator[tuple[AnyTerm, IntervalSet, tuple]]:
        if i < 0:
            yield node, days, ()
            return
        for prev in facts.subjects(links[i], node):
            edge = ox.Triple(prev, links[i], node)
            both = days & facts.interval(edge)
            if both:
                for first, d, path in left(prev, i - 1, both):
                    yield first, d, (*path, edge)

    def right(
        node: AnyTerm, i: int, days: IntervalSet
    ) -> Iterator[tuple[AnyTerm, IntervalSet, tuple]]:
        if i >= len(links):
            yield node, days, ()
            return
        if isinstance(node, ox.Literal):
            return
        for nxt in facts.objects(node, links[i]):
            edge = ox.Triple(node, links[i], nxt)
            both = days & facts.interval(edge)
            if both:
                for last, d, path in right(nxt, i + 1, both):
                    yield last, d, (edge, *path)

    for first, days, before in left(t.subject, position - 1, delta):
        for last, d, after in right(t.object, position + 1, days):
            yield first, last, d, (*before, t, *after)


# --------------------------------------------------------------------------- rule algebra
#
# Each function mirrors one rule of ontology/rules/ exactly; it is used only while the rule's
# text has the fingerprint below (otherwise the rule is swept per epoch). A row of an OPTIONAL
# pattern is either one of its values that holds that day, or "unbound" on days when none
# does, as SPARQL evaluates it on a single day's graph.

ROLE_MEMBER = mil("RoleMember")


@overload
def _date_rows(
    facts: Facts, problems: list[str], subject: AnyTerm, prop: str,
    bound: Callable[[ox.Literal, Reading], IntervalSet], *, optional: Literal[False],
) -> list[tuple[ox.Triple, IntervalSet]]: ...
@overload
def _date_rows(
    facts: Facts, problems: list[str], subject: AnyTerm, prop: str,
    bound: Callable[[ox.Literal, Reading], IntervalSet], *, optional: bool,
) -> list[tuple[ox.Triple | None, IntervalSet]]: ...
def _date_rows(
    facts: Facts,
    problems: list[str],
    subject: AnyTerm,
    prop: str,
    bound: Callable[[ox.Literal, Reading], IntervalSet],
    *,
    optional: bool,
) -> list[tuple[ox.Triple | None, IntervalSet]] | list[tuple[ox.Triple, IntervalSet]]:
    """Rows of ``OPTIONAL { subject prop ?x }`` (or the required pattern), each with the days on
    which that row exists *and* its value passes its ``?asOf`` comparison."""
    p = mil(prop)
    rows: list[tuple[ox.Triple | None, IntervalSet]] = []
    present = EMPTY
    for value in facts.objects(subject, p):
        t = ox.Triple(subject, p, value)
        days = facts.interval(t)
        present = present | days
        if not isinstance(value, ox.Literal):
            continue
        try:
            passes = bound(value, facts.reading)
        except DateValueError as exc:
            problems.append(f"{subject} mil:{prop}: {exc}; the row never passes an asOf test")
            continue
        rows.append((t, days & passes))
    if optional:
        rows.append((None, present.complement()))
    return rows


def _from(lit: ox.Literal, reading: Reading = POSSIBLE) -> IntervalSet:
    """Days ``d`` with ``lit <= d`` (a start date)."""
    return IntervalSet.of(start_of(lit, reading), POS_INF)


def _before(lit: ox.Literal, reading: Reading = POSSIBLE) -> IntervalSet:
    """Days ``d`` with ``d < lit`` (an exclusive end date)."""
    return IntervalSet.of(NEG_INF, end_of(lit, reading))


def _detail(pairs: Iterable[tuple[str, ox.Triple | None]]) -> tuple[tuple[str, str | None], ...]:
    out: list[tuple[str, str | None]] = []
    for name, t in pairs:
        if t is None:
            out.append((name, None))
        else:
            lit = t.object
            out.append((name, lit.value if isinstance(lit, ox.Literal) else str(lit)))
    return tuple(out)


def member_of(facts: Facts, problems: list[str]) -> Iterator[tuple[ox.Triple, IntervalSet, Firing]]:
    """rule memberOf: a full membership (no role but RoleMember) with start <= asOf < end."""
    member, organization, role = mil("member"), mil("organization"), mil("role")
    member_of_p = mil("memberOf")
    for t_member in facts.with_predicate(member):
        m = t_member.subject
        actor: AnyTerm = t_member.object
        base_m = facts.interval(t_member)
        for org in facts.objects(m, organization):
            t_org = ox.Triple(m, organization, org)
            base = base_m & facts.interval(t_org)
            for r in facts.objects(m, role):
                if r != ROLE_MEMBER:
                    base = base - facts.interval(ox.Triple(m, role, r))
            if not base:
                continue
            starts = _date_rows(facts, problems, m, "startDate", _from, optional=False)
            ends = _date_rows(facts, problems, m, "endDate", _before, optional=True)
            head = ox.Triple(actor, member_of_p, org)
            for t_s, d_s in starts:
                both = base & d_s
                if not both:
                    continue
                for t_e, d_e in ends:
                    days = both & d_e
                    if days:
                        premises = (t_member, t_org, t_s) + ((t_e,) if t_e else ())
                        detail = _detail((("startDate", t_s), ("endDate", t_e)))
                        yield head, days, Firing("memberOf", premises, detail)


def party_to(facts: Facts, problems: list[str]) -> Iterator[tuple[ox.Triple, IntervalSet, Firing]]:
    """rule partyTo: in force for the party; not ended, withdrawn, suspended or terminated."""
    adherent, agreement_p = mil("adherent"), mil("agreement")
    party_to_p = mil("partyTo")
    for t_ad in facts.with_predicate(adherent):
        ad = t_ad.subject
        actor: AnyTerm = t_ad.object
        base_ad = facts.interval(t_ad)
        for agreement in facts.objects(ad, agreement_p):
            t_ag = ox.Triple(ad, agreement_p, agreement)
            base = base_ad & facts.interval(t_ag)
            if not base:
                continue
            in_force = _date_rows(facts, problems, ad, "entryIntoForceDate", _from, optional=False)
            ended = _date_rows(facts, problems, ad, "endDate", _before, optional=True)
            withdrawn = _date_rows(facts, problems, ad, "withdrawalDate", _before, optional=True)
            suspended = _date_rows(facts, problems, ad, "suspensionDate", _before, optional=True)
            terminated = _date_rows(
                facts, problems, agreement, "terminationDate", _before, optional=True
            )
            head = ox.Triple(actor, party_to_p, agreement)
            for t_f, d_f in in_force:
                days_f = base & d_f
                if not days_f:
                    continue
                for t_e, d_e in ended:
                    days_e = days_f & d_e
                    if not days_e:
                        continue
                    for t_w, d_w in withdrawn:
                        days_w = days_e & d_w
                        if not days_w:
                            continue
                        for t_s, d_s in suspended:
                            days_s = days_w & d_s
                            if not days_s:
                                continue
                            for t_t, d_t in terminated:
                                days = days_s & d_t
                                if not days:
                                    continue
                                optional = (x for x in (t_e, t_w, t_s, t_t) if x is not None)
                                premises = (t_ad, t_ag, t_f, *optional)
                                detail = _detail(
                                    (
                                        ("entryIntoForceDate", t_f),
                                        ("endDate", t_e),
                                        ("withdrawalDate", t_w),
                                        ("suspensionDate", t_s),
                                        ("terminationDate", t_t),
                                    )
                                )
                                yield head, days, Firing("partyTo", premises, detail)


OBLIGATION_KINDS: dict[str, tuple[str, ...]] = {
    # rule name (= derived predicate): the mil:obligation concepts its VALUES row lists
    "alliedWith": ("ObligationDefence", "ObligationOffence"),
    "consultationPartnerOf": ("ObligationConsultation",),
    "nonAggressionPartnerOf": ("ObligationNonAggression",),
    "neutralityPartnerOf": ("ObligationNeutrality",),
}


def _pact_partners(name: str) -> RuleAlgebra:
    """rule alliedWith (and its consultation, non-aggression and neutrality siblings): two
    distinct nations, members of one alliance the same day, one of whose membership records
    in it states an obligation of the rule's kinds (or, on days when no membership record of
    the alliance states any obligation, the alliance does)."""
    kinds = tuple(mil(k) for k in OBLIGATION_KINDS[name])

    def algebra(
        facts: Facts, problems: list[str]
    ) -> Iterator[tuple[ox.Triple, IntervalSet, Firing]]:
        alliance_cls, nation_cls = mil("Alliance"), mil("Nation")
        member_of_p, head_p = mil("memberOf"), mil(name)
        member_p, org_p, obligation_p = mil("member"), mil("organization"), mil("obligation")
        for alliance in facts.subjects(RDF_TYPE, alliance_cls):
            t_x = ox.Triple(alliance, RDF_TYPE, alliance_cls)
            d_x = facts.interval(t_x)
            members = []
            for a in facts.subjects(member_of_p, alliance):
                t_am = ox.Triple(a, member_of_p, alliance)
                t_an = ox.Triple(a, RDF_TYPE, nation_cls)
                days = d_x & facts.interval(t_am) & facts.interval(t_an)
                if days:
                    members.append((a, t_am, t_an, days))
            if len(members) < 2:
                continue
            # obligations stated by membership records: per member, (days, premises)
            stated = EMPTY
            bound: dict[AnyTerm, list[tuple[IntervalSet, tuple[ox.Triple, ...]]]] = (
                defaultdict(list)
            )
            for m in facts.subjects(org_p, alliance):
                t_mo = ox.Triple(m, org_p, alliance)
                d_mo = facts.interval(t_mo)
                for k in facts.objects(m, obligation_p):
                    t_mk = ox.Triple(m, obligation_p, k)
                    d_mk = d_mo & facts.interval(t_mk)
                    stated = stated | d_mk
                    if k not in kinds or not d_mk:
                        continue
                    for x in facts.objects(m, member_p):
                        t_mx = ox.Triple(m, member_p, x)
                        d = d_mk & facts.interval(t_mx)
                        if d:
                            bound[x].append((d, (t_mx, t_mo, t_mk)))
            # the alliance's own obligations, on days no membership record states any
            fallback: list[tuple[IntervalSet, tuple[ox.Triple, ...]]] = []
            for k in kinds:
                t_ak = ox.Triple(alliance, obligation_p, k)
                d = facts.interval(t_ak) - stated
                if d:
                    fallback.append((d, (t_ak,)))
            for a, t_am, t_an, d_a in members:
                for b, t_bm, t_bn, d_b in members:
                    if a == b:
                        continue
                    both = d_a & d_b
                    if not both:
                        continue
                    base = (t_x, t_am, t_an, t_bm, t_bn)
                    for d, why in (*bound.get(a, ()), *bound.get(b, ()), *fallback):
                        days = both & d
                        if days:
                            yield ox.Triple(a, head_p, b), days, Firing(name, (*base, *why))

    algebra.__name__ = f"pact_partners_{name}"
    return algebra


ALGEBRAS: dict[str, tuple[str, RuleAlgebra]] = {
    # rule name: (fingerprint of the rule text the algebra mirrors, the algebra)
    "memberOf": ("8e914a7cbf51e402", member_of),
    "partyTo": ("7c22712bb70b6006", party_to),
    "alliedWith": ("736a06c66a36cc6f", _pact_partners("alliedWith")),
    "consultationPartnerOf": ("973d1e3ec7e89aa9", _pact_partners("consultationPartnerOf")),
    "nonAggressionPartnerOf": ("823e2ec5ba1df947", _pact_partners("nonAggressionPartnerOf")),
    "neutralityPartnerOf": ("0cf093b711e353e8", _pact_partners("neutralityPartnerOf")),
}


# --------------------------------------------------------------------------- per-epoch sweep


def sweep(facts: Facts, shape: Rule) -> Iterator[tuple[ox.Triple, IntervalSet, Firing]]:
    """Evaluate a rule's own SPARQL once per epoch on a store holding what it reads.

    Epochs are delimited by the bounds of time-dependent triples it reads and by the days of
    the full dates among them (its FILTERs may compare ``?asOf`` with any of them).
    """
    reads_all = "*" in shape.reads
    predicates = {ox.NamedNode(p) for p in shape.reads if p != "*"}

    def relevant(t: ox.Triple) -> bool:
        return reads_all or t.predicate in predicates

    store = OxigraphStore.memory()
    static_part = (
        facts.static if reads_all else [t for p in predicates for t in facts.static_by_p.get(p, ())]
    )
    dyn_part = {t: d for t, d in facts.dyn.items() if relevant(t)}
    bounds: set[int] = set()
    events: dict[int, tuple[list[ox.Triple], list[ox.Triple]]] = defaultdict(lambda: ([], []))
    initial: list[ox.Triple] = []
    for t, days in dyn_part.items():
        for lo, hi in days:
            if lo <= NEG_INF:
                initial.append(t)
            else:
                bounds.add(lo)
                events[lo][0].append(t)
            if hi < POS_INF:
                bounds.add(hi)
                events[hi][1].append(t)
    for t in (*static_part, *dyn_part):
        o = t.object
        if isinstance(o, ox.Literal) and o.datatype.value == XSD_DATE:
            try:
                first, after = period(o)
            except DateValueError:
                continue
            bounds.update((first, after))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in (*static_part, *initial))
    ordered = sorted(bounds)
    reps = ([ordered[0] - 1] if ordered else [0]) + ordered
    opened: dict[ox.Triple, int] = {}
    spans: dict[ox.Triple, list[tuple[int, int]]] = defaultdict(list)
    previous: set[ox.Triple] = set()
    for i, rep in enumerate(reps):
        lo = NEG_INF if i == 0 else ordered[i - 1]
        if i > 0:
            adds, removes = events.get(ordered[i - 1], ([], []))
            for t in removes:
                store.remove(ox.Quad(t.subject, t.predicate, t.object))
            for t in adds:
                store.add(ox.Quad(t.subject, t.predicate, t.object))
        answer = store.query(shape.construct_query(iso(rep)))
        if isinstance(answer, ox.QuerySolutions | ox.QueryBoolean):  # a CONSTRUCT answers triples
            raise TypeError(f"rule {shape.name}: the CONSTRUCT answered {answer!r}")
        current = {ox.Triple(t.subject, t.predicate, t.object) for t in answer}
        for t in current - previous:
            opened[t] = lo
        for t in previous - current:
            spans[t].append((opened.pop(t), lo))
        previous = current
    for t, lo in opened.items():
        spans[t].append((lo, POS_INF))
    for t, ss in spans.items():
        yield t, IntervalSet(ss), Firing(shape.name, (), (("evaluated", SWEPT),))
