"""A-box rules compiled against the closed T-box: what a triple with predicate p (or a typing
with class c) implies, looked up once per predicate/class instead of joined per triple.

Each entry carries the schema triples it stands for, so derivations name them as premises.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal

from milgraph.reasoning.tbox import rdf_list
from milgraph.reasoning.terms import LITERAL

if TYPE_CHECKING:
    from milgraph.reasoning.engine import Engine

IntTriple = tuple[int, int, int]


class PropertyPlan:
    """Rules a triple ``s p o`` triggers, for one predicate p (tables 5 and 6)."""

    __slots__ = ("avf", "chains", "dom", "fp", "hv", "ifp", "inv", "keys", "maxc", "rng",
                 "sup", "svf", "sym", "trans")

    def __init__(self) -> None:
        self.dom: list = []      # (class, premise)                       prp-dom
        self.rng: list = []      # (class, premise)                       prp-rng
        self.sup: list = []      # (property, rule, premise)              prp-spo1, prp-eqp1/2
        self.inv: list = []      # (property, rule, premise)              prp-inv1/2
        self.sym = None          # premise                                prp-symp
        self.trans = None        # premise                                prp-trp
        self.fp = None           # premise                                prp-fp
        self.ifp = None          # premise                                prp-ifp
        self.chains: list = []   # (property, links, position, premise)   prp-spo2
        self.svf: list = []      # (restriction, filler, premises)        cls-svf1/2
        self.hv: dict = {}       # value -> [(restriction, premises)]     cls-hv2
        self.avf: list = []      # (restriction, filler, premises)        cls-avf
        self.maxc: list = []     # (restriction, class|None, rule, premises) cls-maxc2, maxqc3/4
        self.keys: list = []     # (class, key properties, premise)       prp-key

    def empty(self) -> bool:
        return not (self.dom or self.rng or self.sup or self.inv or self.chains or self.svf
                    or self.hv or self.avf or self.maxc or self.keys) and (
            self.sym is None and self.trans is None and self.fp is None and self.ifp is None)


class ClassPlan:
    """Rules a typing ``s rdf:type c`` triggers, for one class c (tables 6 and 7)."""

    __slots__ = ("avf", "hv", "int1", "keys", "maxc", "maxqc_filler", "sup", "svf")

    def __init__(self) -> None:
        self.sup: list = []   # (class, rule, premise)  cax-eqc1/2, cls-int2, cls-uni, cax-sco
        self.int1: list = []          # (intersection, members, premise)  cls-int1
        self.svf: list = []           # (restriction, property, premises) cls-svf1 (c = filler)
        self.avf: list = []           # (property, filler, premises)      cls-avf (c = restr.)
        self.hv: list = []            # (property, value, premises)       cls-hv1
        self.maxc: list = []          # (property, class|None, rule, premises)
        self.maxqc_filler: list = []  # (restriction, property, rule, premises) (c = onClass)
        self.keys: list = []          # (key properties, premise)         prp-key

    def empty(self) -> bool:
        return not (self.sup or self.int1 or self.svf or self.avf or self.hv or self.maxc
                    or self.maxqc_filler or self.keys)


def _first_per_target(entries: list[Any]) -> list[Any]:
    """The entries whose target (first element) no earlier entry has, in order."""
    seen: set[int] = set()
    out = []
    for entry in entries:
        if entry[0] not in seen:
            seen.add(entry[0])
            out.append(entry)
    return out


def _card(engine: Engine, term: int) -> int | None:
    """The integer value of a cardinality literal, or None."""
    if not engine.table.flags[term] & LITERAL:
        return None
    try:
        literal: Any = engine.table.terms[term]  # a literal, by its flags
        return int(literal.value.strip())
    except ValueError:
        return None


class Plans:
    """Per-predicate and per-class plans for one state of the T-box (rebuilt when it changes)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pcache: dict[int, PropertyPlan | Literal[False]] = {}
        self.ccache: dict[int, ClassPlan | Literal[False]] = {}
        e = engine
        v = e.v
        TYPE = v.TYPE
        props: defaultdict[int, PropertyPlan] = defaultdict(PropertyPlan)
        classes: defaultdict[int, ClassPlan] = defaultdict(ClassPlan)

        def pairs(p: int) -> list[tuple[int, int]]:
            d = e.sp.get(p)
            return [(s, o) for s, objs in d.items() for o in objs] if d else []

        for p, c in pairs(v.DOMAIN):
            props[p].dom.append((c, (p, v.DOMAIN, c)))
        for p, c in pairs(v.RANGE):
            props[p].rng.append((c, (p, v.RANGE, c)))
        # Implied properties, most specific rule first (the first derivation is the one kept).
        for p1, p2 in pairs(v.EQUIVALENT_PROPERTY):
            if p1 != p2:
                prem = (p1, v.EQUIVALENT_PROPERTY, p2)
                props[p1].sup.append((p2, "prp-eqp1", prem))
                props[p2].sup.append((p1, "prp-eqp2", prem))
        for p1, p2 in pairs(v.SUBPROPERTY):
            if p1 != p2:
                props[p1].sup.append((p2, "prp-spo1", (p1, v.SUBPROPERTY, p2)))
        for p1, p2 in pairs(v.INVERSE_OF):
            prem = (p1, v.INVERSE_OF, p2)
            props[p1].inv.append((p2, "prp-inv1", prem))
            props[p2].inv.append((p1, "prp-inv2", prem))
        for kind, attr in ((v.SYMMETRIC, "sym"), (v.TRANSITIVE, "trans"), (v.FUNCTIONAL, "fp"),
                           (v.INVERSE_FUNCTIONAL, "ifp")):
            for p in e.subjects(TYPE, kind):
                setattr(props[p], attr, (p, TYPE, kind))
        for q, head in pairs(v.PROPERTY_CHAIN):
            links = tuple(rdf_list(e, head))
            if links:
                prem = (q, v.PROPERTY_CHAIN, head)
                for k, pk in enumerate(links):
                    props[pk].chains.append((q, links, k, prem))

        # Restrictions: every (restriction, onProperty) pair with each of its constraints.
        for r, pp in pairs(v.ON_PROPERTY):
            onp = (r, v.ON_PROPERTY, pp)
            prems: tuple[IntTriple, ...]
            for y in e.objects(r, v.SOME_VALUES_FROM):
                prems = ((r, v.SOME_VALUES_FROM, y), onp)
                props[pp].svf.append((r, y, prems))
                if y != v.THING:
                    classes[y].svf.append((r, pp, prems))
            for y in e.objects(r, v.ALL_VALUES_FROM):
                prems = ((r, v.ALL_VALUES_FROM, y), onp)
                props[pp].avf.append((r, y, prems))
                classes[r].avf.append((pp, y, prems))
            for val in e.objects(r, v.HAS_VALUE):
                prems = ((r, v.HAS_VALUE, val), onp)
                props[pp].hv.setdefault(val, []).append((r, prems))
                classes[r].hv.append((pp, val, prems))
            for n in e.objects(r, v.MAX_CARDINALITY):
                if _card(e, n) == 1:
                    prems = ((r, v.MAX_CARDINALITY, n), onp)
                    props[pp].maxc.append((r, None, "cls-maxc2", prems))
                    classes[r].maxc.append((pp, None, "cls-maxc2", prems))
            for n in e.objects(r, v.MAX_QUALIFIED_CARDINALITY):
                if _card(e, n) != 1:
                    continue
                for cc in e.objects(r, v.ON_CLASS):
                    prems = ((r, v.MAX_QUALIFIED_CARDINALITY, n), onp, (r, v.ON_CLASS, cc))
                    if cc == v.THING:
                        props[pp].maxc.append((r, None, "cls-maxqc4", prems))
                        classes[r].maxc.append((pp, None, "cls-maxqc4", prems))
                    else:
                        props[pp].maxc.append((r, cc, "cls-maxqc3", prems))
                        classes[r].maxc.append((pp, cc, "cls-maxqc3", prems))
                        classes[cc].maxqc_filler.append((r, pp, "cls-maxqc3", prems))

        for c, head in pairs(v.HAS_KEY):
            keyprops = tuple(rdf_list(e, head))
            if keyprops:
                prem = (c, v.HAS_KEY, head)
                classes[c].keys.append((keyprops, prem))
                for p in set(keyprops):
                    props[p].keys.append((c, keyprops, prem))

        # Implied classes, most specific rule first (cls-int2, cls-uni and cax-eqc also
        # follow from cax-sco over the closed T-box; they make shorter explanations).
        for c1, c2 in pairs(v.EQUIVALENT_CLASS):
            if c1 != c2:
                prem = (c1, v.EQUIVALENT_CLASS, c2)
                classes[c1].sup.append((c2, "cax-eqc1", prem))
                classes[c2].sup.append((c1, "cax-eqc2", prem))
        for c, head in pairs(v.INTERSECTION_OF):
            members = tuple(rdf_list(e, head))
            if members:
                prem = (c, v.INTERSECTION_OF, head)
                for m in members:
                    classes[c].sup.append((m, "cls-int2", prem))
                for m in set(members):
                    classes[m].int1.append((c, members, prem))
        for c, head in pairs(v.UNION_OF):
            prem = (c, v.UNION_OF, head)
            for m in set(rdf_list(e, head)):
                classes[m].sup.append((c, "cls-uni", prem))
        for c1, c2 in pairs(v.SUBCLASS):
            if c1 != c2:
                classes[c1].sup.append((c2, "cax-sco", (c1, v.SUBCLASS, c2)))

        # A class or property reached by several axioms is tried once, with its first rule.
        for cplan in classes.values():
            cplan.sup = _first_per_target(cplan.sup)
        for pplan in props.values():
            pplan.sup = _first_per_target(pplan.sup)
            pplan.inv = _first_per_target(pplan.inv)
        self._props = dict(props)
        self._classes = dict(classes)

    def property_plan(self, p: int) -> PropertyPlan | Literal[False]:
        plan = self._props.get(p)
        result: PropertyPlan | Literal[False] = False
        if plan is not None and not plan.empty():
            result = plan
        self.pcache[p] = result
        return result

    def class_plan(self, c: int) -> ClassPlan | Literal[False]:
        plan = self._classes.get(c)
        result: ClassPlan | Literal[False] = False
        if plan is not None and not plan.empty():
            result = plan
        self.ccache[c] = result
        return result
