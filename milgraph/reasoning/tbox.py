"""Close the T-box: OWL 2 RL table 9 (scm-*) and cls-oo, evaluated naively to a fixpoint.

The schema is small (hundreds to a few thousand triples), so each round simply re-evaluates
every rule over it; the work is negligible next to the A-box. Guards (``c1 != c2``) follow
owlrl's, so that reflexive triples appear exactly where owlrl derives them (scm-hv, scm-svf*
and scm-avf* use them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from milgraph.reasoning.engine import Engine


def rdf_list(engine: Engine, head: int) -> list[int]:
    """Members of an rdf:List (as rdflib's ``Graph.items``: stops at rdf:nil, a gap or a loop)."""
    return [min(members) for members in rdf_list_members(engine, head)]


def rdf_list_members(engine: Engine, head: int) -> list[tuple[int, ...]]:
    """Every rdf:first at each position: owl:sameAs copies list items (eq-rep-o), so a
    position may hold several equal terms; checks over lists must see them all."""
    v = engine.v
    out: list[tuple[int, ...]] = []
    seen = {head}
    node = head
    while node != v.NIL:
        firsts = engine.objects(node, v.FIRST)
        if firsts:
            out.append(tuple(sorted(firsts)))
        rests = engine.objects(node, v.REST)
        if not rests:
            break
        node = min(rests)
        if node in seen:
            break
        seen.add(node)
    return out


def _pairs(engine: Engine, p: int) -> list[tuple[int, int]]:
    d = engine.sp.get(p)
    if not d:
        return []
    return [(s, o) for s, objs in d.items() for o in objs]


def close_tbox(engine: Engine) -> None:
    """Apply the schema rules until none adds a triple."""
    while _round(engine):
        pass


def _round(engine: Engine) -> bool:
    v = engine.v
    emit = engine.emit
    objs = engine.objects
    subs = engine.subjects
    has = engine.contains
    TYPE, SUB, SUBP, EQC, EQP = v.TYPE, v.SUBCLASS, v.SUBPROPERTY, v.EQUIVALENT_CLASS, \
        v.EQUIVALENT_PROPERTY
    ONP, SVF, AVF, HV = v.ON_PROPERTY, v.SOME_VALUES_FROM, v.ALL_VALUES_FROM, v.HAS_VALUE
    new = False

    # scm-cls
    for c in tuple(subs(TYPE, v.CLASS)):
        prem = ((c, TYPE, v.CLASS),)
        new |= emit(c, SUB, c, "scm-cls", prem)
        new |= emit(c, EQC, c, "scm-cls", prem)
        new |= emit(c, SUB, v.THING, "scm-cls", prem)
        new |= emit(v.NOTHING, SUB, c, "scm-cls", prem)
    # scm-op, scm-dp (owlrl also treats rdf:Property so)
    for kind, rule in ((v.OBJECT_PROPERTY, "scm-op"), (v.DATATYPE_PROPERTY, "scm-dp"),
                       (v.RDF_PROPERTY, "scm-op")):
        for p in tuple(subs(TYPE, kind)):
            prem = ((p, TYPE, kind),)
            new |= emit(p, SUBP, p, rule, prem)
            new |= emit(p, EQP, p, rule, prem)

    # scm-sco, scm-eqc2
    for c1, c2 in _pairs(engine, SUB):
        if c1 != c2:
            for c3 in tuple(objs(c2, SUB)):
                if c1 != c3:
                    new |= emit(c1, SUB, c3, "scm-sco", ((c1, SUB, c2), (c2, SUB, c3)))
        if has(c2, SUB, c1):
            new |= emit(c1, EQC, c2, "scm-eqc2", ((c1, SUB, c2), (c2, SUB, c1)))
    # scm-eqc1
    for c1, c2 in _pairs(engine, EQC):
        if c1 != c2:
            new |= emit(c1, SUB, c2, "scm-eqc1", ((c1, EQC, c2),))
            new |= emit(c2, SUB, c1, "scm-eqc1", ((c1, EQC, c2),))
    # scm-spo, scm-eqp2
    for p1, p2 in _pairs(engine, SUBP):
        if p1 == p2:
            continue
        for p3 in tuple(objs(p2, SUBP)):
            if p1 != p3:
                new |= emit(p1, SUBP, p3, "scm-spo", ((p1, SUBP, p2), (p2, SUBP, p3)))
        if has(p2, SUBP, p1):
            new |= emit(p1, EQP, p2, "scm-eqp2", ((p1, SUBP, p2), (p2, SUBP, p1)))
    # scm-eqp1
    for p1, p2 in _pairs(engine, EQP):
        if p1 != p2:
            new |= emit(p1, SUBP, p2, "scm-eqp1", ((p1, EQP, p2),))
            new |= emit(p2, SUBP, p1, "scm-eqp1", ((p1, EQP, p2),))
    # scm-dom1/2, scm-rng1/2
    for pred, r1, r2 in ((v.DOMAIN, "scm-dom1", "scm-dom2"), (v.RANGE, "scm-rng1", "scm-rng2")):
        for p, c1 in _pairs(engine, pred):
            for c2 in tuple(objs(c1, SUB)):
                if c1 != c2:
                    new |= emit(p, pred, c2, r1, ((p, pred, c1), (c1, SUB, c2)))
            for p1 in tuple(subs(SUBP, p)):
                if p1 != p:
                    new |= emit(p1, pred, c1, r2, ((p, pred, c1), (p1, SUBP, p)))
    # scm-hv
    for c1, i in _pairs(engine, HV):
        for p1 in tuple(objs(c1, ONP)):
            for c2 in tuple(subs(HV, i)):
                for p2 in tuple(objs(c2, ONP)):
                    if has(p1, SUBP, p2):
                        new |= emit(c1, SUB, c2, "scm-hv", (
                            (c1, HV, i), (c1, ONP, p1), (c2, HV, i), (c2, ONP, p2),
                            (p1, SUBP, p2)))
    # scm-svf1, scm-svf2
    for c1, y1 in _pairs(engine, SVF):
        for pp in tuple(objs(c1, ONP)):
            for c2 in tuple(subs(ONP, pp)):
                for y2 in tuple(objs(c2, SVF)):
                    if has(y1, SUB, y2):
                        new |= emit(c1, SUB, c2, "scm-svf1", (
                            (c1, SVF, y1), (c1, ONP, pp), (c2, SVF, y2), (c2, ONP, pp),
                            (y1, SUB, y2)))
            for c2 in tuple(subs(SVF, y1)):
                for p2 in tuple(objs(c2, ONP)):
                    if has(pp, SUBP, p2):
                        new |= emit(c1, SUB, c2, "scm-svf2", (
                            (c1, SVF, y1), (c1, ONP, pp), (c2, SVF, y1), (c2, ONP, p2),
                            (pp, SUBP, p2)))
    # scm-avf1, scm-avf2
    for c1, y1 in _pairs(engine, AVF):
        for pp in tuple(objs(c1, ONP)):
            for c2 in tuple(subs(ONP, pp)):
                for y2 in tuple(objs(c2, AVF)):
                    if has(y1, SUB, y2):
                        new |= emit(c1, SUB, c2, "scm-avf1", (
                            (c1, AVF, y1), (c1, ONP, pp), (c2, AVF, y2), (c2, ONP, pp),
                            (y1, SUB, y2)))
            for c2 in tuple(subs(AVF, y1)):
                for p2 in tuple(objs(c2, ONP)):
                    if has(pp, SUBP, p2):
                        new |= emit(c2, SUB, c1, "scm-avf2", (
                            (c1, AVF, y1), (c1, ONP, pp), (c2, AVF, y1), (c2, ONP, p2),
                            (pp, SUBP, p2)))
    # scm-int, scm-uni
    for c, head in _pairs(engine, v.INTERSECTION_OF):
        for ci in rdf_list(engine, head):
            new |= emit(c, SUB, ci, "scm-int", ((c, v.INTERSECTION_OF, head),))
    for c, head in _pairs(engine, v.UNION_OF):
        for ci in rdf_list(engine, head):
            new |= emit(ci, SUB, c, "scm-uni", ((c, v.UNION_OF, head),))
    # cls-oo (only schema premises, so it belongs here)
    for c, head in _pairs(engine, v.ONE_OF):
        for y in rdf_list(engine, head):
            new |= emit(y, TYPE, c, "cls-oo", ((c, v.ONE_OF, head),))
    return new
