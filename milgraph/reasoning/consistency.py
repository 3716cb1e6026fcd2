"""OWL 2 RL rules whose conclusion is ``false``, checked once over the final closure.

They derive nothing, so checking them after the fixpoint finds exactly what checking them
during it would. Each finding names the rule and the triples that clash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from milgraph.reasoning.plans import _card
from milgraph.reasoning.tbox import rdf_list_members
from milgraph.reasoning.terms import BUILTIN, LITERAL, GeneralizedTriple, IntTriple

if TYPE_CHECKING:
    from milgraph.reasoning.engine import Engine


@dataclass(frozen=True)
class Inconsistency:
    """The graph contradicts itself: ``rule`` (e.g. ``cax-dw``) fires on ``triples``."""

    rule: str
    message: str
    triples: tuple[ox.Triple | GeneralizedTriple, ...]

    def __str__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.triples)
        return f"{self.rule}: {self.message}{lines}"


class _Checker:
    def __init__(self, engine: Engine) -> None:
        self.e = engine
        self.v = engine.v
        self.found: list[Inconsistency] = []
        self.seen: set[tuple[str, tuple[IntTriple, ...]]] = set()

    def name(self, i: int) -> str:
        return str(self.e.table.terms[i])

    def report(self, rule: str, message: str, *triples: IntTriple) -> None:
        """Record a finding; data triples first (a reader locates the first one in a file)."""
        key = (rule, tuple(sorted(triples)))
        if key in self.seen:
            return
        self.seen.add(key)
        flags = self.e.table.flags
        literals = {x for t in triples for x in (t[0], t[2]) if flags[x] & LITERAL}
        usage = [u for lit in sorted(literals) for u in self.uses(lit)]
        ordered = sorted(dict.fromkeys((*usage, *triples)), key=self._rank)
        decoded = tuple(self.e.table.triple(t) for t in ordered)
        self.found.append(Inconsistency(rule, message, decoded))

    def _rank(self, t: IntTriple) -> int:
        flags = self.e.table.flags
        if flags[t[0]] & LITERAL:
            return 2
        if flags[t[1]] & BUILTIN and not (t[1] == self.v.TYPE and not flags[t[2]] & BUILTIN):
            return 1
        return 0

    def uses(self, lit: int, limit: int = 3) -> list[IntTriple]:
        """A few triples that have the literal as object (where a reader finds it in data)."""
        out: list[IntTriple] = []
        flags = self.e.table.flags
        for p, r in self.e.op.items():
            for s in r.get(lit, ()):
                if not flags[s] & LITERAL and not flags[p] & BUILTIN:
                    out.append((s, p, lit))
                    if len(out) >= limit:
                        return out
        return out

    def pairs(self, p: int) -> list[tuple[int, int]]:
        d = self.e.sp.get(p)
        return [(s, o) for s, objs in d.items() for o in objs] if d else []

    def instances(self, c: int) -> set[int] | tuple[()]:
        return self.e.subjects(self.v.TYPE, c)


def _distinct_pairs(positions: list[tuple[int, ...]]) -> list[tuple[int, int]]:
    """Pairs of different terms at different list positions."""
    out: list[tuple[int, int]] = []
    for i, here in enumerate(positions):
        for there in positions[i + 1:]:
            out.extend((a, b) for a in here for b in there if a != b)
    return out


def check(engine: Engine) -> list[Inconsistency]:
    """Every inconsistency in the engine's closure."""
    ch = _Checker(engine)
    e, v = engine, engine.v
    TYPE, SAME = v.TYPE, v.SAME_AS
    has = e.contains
    n = ch.name

    # eq-diff1 (x differentFrom x clashes with eq-ref's x sameAs x)
    for x, y in ch.pairs(v.DIFFERENT_FROM):
        if x == y:
            ch.report("eq-diff1", f"{n(x)} is different from itself",
                      (x, v.DIFFERENT_FROM, y))
        elif has(x, SAME, y):
            ch.report("eq-diff1", f"{n(x)} and {n(y)} are both the same and different",
                      (x, SAME, y), (x, v.DIFFERENT_FROM, y))
    # eq-diff2, eq-diff3
    for x in tuple(ch.instances(v.ALL_DIFFERENT)):
        for pred in (v.MEMBERS, v.DISTINCT_MEMBERS):
            for head in e.objects(x, pred):
                for zi, zj in _distinct_pairs(rdf_list_members(e, head)):
                    if has(zi, SAME, zj):
                        rule = "eq-diff2" if pred == v.MEMBERS else "eq-diff3"
                        ch.report(rule, f"{n(zi)} and {n(zj)} are declared all-different "
                                  "but inferred the same", (x, TYPE, v.ALL_DIFFERENT),
                                  (x, pred, head), (zi, SAME, zj))
    # prp-irp
    for p in tuple(ch.instances(v.IRREFLEXIVE)):
        for x, objs in e.sp.get(p, {}).items():
            if x in objs:
                ch.report("prp-irp", f"irreflexive property {n(p)} relates {n(x)} to itself",
                          (p, TYPE, v.IRREFLEXIVE), (x, p, x))
    # prp-asyp
    for p in tuple(ch.instances(v.ASYMMETRIC)):
        for x, y in ch.pairs(p):
            if has(y, p, x):
                ch.report("prp-asyp", f"asymmetric property {n(p)} holds both ways between "
                          f"{n(x)} and {n(y)}", (p, TYPE, v.ASYMMETRIC), (x, p, y), (y, p, x))
    # prp-pdw
    for p1, p2 in ch.pairs(v.PROPERTY_DISJOINT):
        for x, y in ch.pairs(p1):
            if has(x, p2, y):
                ch.report("prp-pdw", f"disjoint properties {n(p1)} and {n(p2)} both relate "
                          f"{n(x)} to {n(y)}", (p1, v.PROPERTY_DISJOINT, p2), (x, p1, y),
                          (x, p2, y))
    # prp-adp
    for x in tuple(ch.instances(v.ALL_DISJOINT_PROPERTIES)):
        for head in e.objects(x, v.MEMBERS):
            for pi, pj in _distinct_pairs(rdf_list_members(e, head)):
                for s, o in ch.pairs(pi):
                    if has(s, pj, o):
                        ch.report("prp-adp", f"pairwise disjoint properties {n(pi)} and "
                                  f"{n(pj)} both relate {n(s)} to {n(o)}",
                                  (x, TYPE, v.ALL_DISJOINT_PROPERTIES), (s, pi, o), (s, pj, o))
    # prp-npa1, prp-npa2
    for x, i1 in ch.pairs(v.SOURCE_INDIVIDUAL):
        for p in e.objects(x, v.ASSERTION_PROPERTY):
            for target, rule in ((v.TARGET_INDIVIDUAL, "prp-npa1"), (v.TARGET_VALUE, "prp-npa2")):
                for i2 in e.objects(x, target):
                    if has(i1, p, i2):
                        ch.report(rule, f"negative property assertion violated: {n(i1)} "
                                  f"{n(p)} {n(i2)}", (x, v.SOURCE_INDIVIDUAL, i1),
                                  (x, v.ASSERTION_PROPERTY, p), (x, target, i2), (i1, p, i2))
    # cls-nothing2
    for x in tuple(ch.instances(v.NOTHING)):
        ch.report("cls-nothing2", f"{n(x)} is an instance of owl:Nothing", (x, TYPE, v.NOTHING))
    # cls-com
    for c1, c2 in ch.pairs(v.COMPLEMENT_OF):
        for x in tuple(ch.instances(c1)):
            if has(x, TYPE, c2):
                ch.report("cls-com", f"{n(x)} is in both {n(c1)} and its complement {n(c2)}",
                          (c1, v.COMPLEMENT_OF, c2), (x, TYPE, c1), (x, TYPE, c2))
    # cls-maxc1, cls-maxqc1, cls-maxqc2
    for r, pp in ch.pairs(v.ON_PROPERTY):
        for num in e.objects(r, v.MAX_CARDINALITY):
            if _card(e, num) == 0:
                for u in tuple(ch.instances(r)):
                    for y in e.objects(u, pp):
                        ch.report("cls-maxc1", f"{n(u)} has a {n(pp)} although its class "
                                  "allows none", (r, v.MAX_CARDINALITY, num),
                                  (r, v.ON_PROPERTY, pp), (u, TYPE, r), (u, pp, y))
        for num in e.objects(r, v.MAX_QUALIFIED_CARDINALITY):
            if _card(e, num) != 0:
                continue
            for cc in e.objects(r, v.ON_CLASS):
                for u in tuple(ch.instances(r)):
                    for y in e.objects(u, pp):
                        if cc == v.THING or has(y, TYPE, cc):
                            rule = "cls-maxqc2" if cc == v.THING else "cls-maxqc1"
                            ch.report(rule, f"{n(u)} has a {n(pp)} of class {n(cc)} although "
                                      "its class allows none",
                                      (r, v.MAX_QUALIFIED_CARDINALITY, num),
                                      (r, v.ON_PROPERTY, pp), (r, v.ON_CLASS, cc),
                                      (u, TYPE, r), (u, pp, y))
    # cax-dw
    for c1, c2 in ch.pairs(v.DISJOINT_WITH):
        small, big = (c1, c2) if len(ch.instances(c1)) <= len(ch.instances(c2)) else (c2, c1)
        for x in tuple(ch.instances(small)):
            if has(x, TYPE, big):
                ch.report("cax-dw", f"{n(x)} is in both {n(c1)} and {n(c2)}, which are disjoint",
                          (c1, v.DISJOINT_WITH, c2), (x, TYPE, c1), (x, TYPE, c2))
    # cax-adc
    for x in tuple(ch.instances(v.ALL_DISJOINT_CLASSES)):
        for head in e.objects(x, v.MEMBERS):
            for ci, cj in _distinct_pairs(rdf_list_members(e, head)):
                for z in tuple(ch.instances(ci)):
                    if has(z, TYPE, cj):
                        ch.report("cax-adc", f"{n(z)} is in both {n(ci)} and {n(cj)}, which "
                                  "are pairwise disjoint", (x, TYPE, v.ALL_DISJOINT_CLASSES),
                                  (z, TYPE, ci), (z, TYPE, cj))
    # dt-not-type
    for lit, dt in e.ill_typed:
        ch.report("dt-not-type", f"{n(lit)} is not a valid {dt} value", *ch.uses(lit))
    return ch.found
