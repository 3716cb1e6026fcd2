"""The OWL 2 RL forward chainer: dictionary-encoded triples, predicate indexes, a work queue.

How it runs (docs/reasoning.md has the full account):

1. Asserted triples are encoded to ints and indexed twice: ``sp[p][s] -> {o}`` and
   ``op[p][o] -> {s}``. Every triple goes on a work queue.
2. The T-box is closed first (the scm-* rules, :mod:`milgraph.reasoning.tbox`), then the A-box
   rules are compiled against it into per-predicate and per-class plans
   (:mod:`milgraph.reasoning.plans`): "a triple with predicate ``ub:headOf`` implies
   ``ub:worksFor``, its subject is a ``ub:Chair`` candidate ...".
3. The queue is drained one triple at a time (semi-naive: each triple is joined once, as the
   newest premise, against everything already known). A new conclusion is indexed at once,
   queued, and its first derivation (rule name + premise triples) is kept.
4. If the A-box ever entails a T-box triple (rare: e.g. ``owl:sameAs`` between classes), the
   plans are stale: the T-box is re-closed, plans rebuilt and every triple re-queued.

Schema triples never need joining against data here, because plans are rebuilt whenever the
schema changes; only data atoms trigger rules. Conclusions that say nothing (literal subjects,
``x owl:sameAs x`` ...) are still derived where owlrl derives them and a rule may use them, and
filtered out at the end (:mod:`milgraph.reasoning.noise`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from itertools import product
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from milgraph.reasoning import datatypes, vocab
from milgraph.reasoning.terms import LITERAL, IntTriple, Term, TermTable, literal_datatype

if TYPE_CHECKING:
    from milgraph.reasoning.plans import Plans

Premises = tuple[IntTriple, ...]
Derived = tuple[str, Premises]


class Vocab:
    """Ids of the vocabulary IRIs in one engine's term table (attribute names as in vocab.py)."""

    def __init__(self, table: TermTable) -> None:
        for name in dir(vocab):
            value = getattr(vocab, name)
            if name.isupper() and isinstance(value, str) and value.startswith("http"):
                setattr(self, name, table.iri(value))

    if TYPE_CHECKING:  # every attribute is a term id, set above from the names of vocab.py

        def __getattr__(self, name: str) -> int: ...


class Engine:
    """Index + rules + work queue. Use through :func:`milgraph.reasoning.reason`."""

    def __init__(self) -> None:
        self.table = TermTable()
        self.v = Vocab(self.table)
        v = self.v
        self.sp: dict[int, dict[int, set[int]]] = {v.TYPE: {}}
        self.op: dict[int, dict[int, set[int]]] = {v.TYPE: {}}
        #: inferred triple -> (rule, premises): the first derivation found, in insertion order.
        self.derived: dict[IntTriple, Derived] = {}
        self.asserted = 0
        self.queue: deque[IntTriple] = deque()
        self.schema_predicates = frozenset(self.table.iri(p) for p in vocab.SCHEMA_PREDICATES)
        self.schema_types = frozenset(self.table.iri(c) for c in vocab.SCHEMA_TYPES)
        self.known_datatypes = {self.table.iri(d): d for d in datatypes.KNOWN}
        #: (literal id, datatype IRI) whose lexical form is not in the datatype (dt-not-type).
        self.ill_typed: list[tuple[int, str]] = []
        self._untyped_literals: list[int] = []
        self.full_eq_ref = False
        #: A T-box triple was derived since the plans were built.
        self.dirty = False
        self.passes = 0
        self.plans: Plans | None = None  # set by close()
        self.progress: Callable[[str], None] | None = None

    # ------------------------------------------------------------------ loading

    def encode(self, term: Term) -> int:
        table = self.table
        n = len(table)
        i = table.encode(term)
        if i == n and table.flags[i] & LITERAL:
            self._untyped_literals.append(i)
        return i

    def load(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        """Index asserted triples (a Quad's graph is ignored; duplicates count once)."""
        encode = self.encode
        get = self.table.ids.get
        insert = self._insert
        queue = self.queue
        n = 0
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            si = get(s)
            if si is None:
                si = encode(s)
            pi = get(p)
            if pi is None:
                pi = encode(p)
            oi = get(o)
            if oi is None:
                oi = encode(o)
            key = (si, pi, oi)
            if insert(key):
                queue.append(key)
                n += 1
        self.asserted += n

    def add_axioms(self) -> None:
        """owlrl's one-time rules: built-in vocabulary facts (all noise, but rules may use them)."""
        v = self.v
        emit = self.emit
        emit(v.THING, v.TYPE, v.CLASS, "cls-thing", ())
        emit(v.NOTHING, v.TYPE, v.CLASS, "cls-nothing1", ())
        for ap in vocab.ANNOTATION_PROPERTIES:
            emit(self.table.iri(ap), v.TYPE, v.ANNOTATION_PROPERTY, "prp-ap", ())
        for dt in self.known_datatypes:
            emit(dt, v.TYPE, v.DATATYPE, "dt-type1", ())
        # Disjoint value spaces, for cax-dw. owlrl adds the primitive pairs of datatypes in
        # use; we add them all, with derived datatypes (xsd:integer ⊥ xsd:string), so that a
        # string where a range says integer is caught even if no integer literal exists.
        for a_iri, b_iri in datatypes.DISJOINT_ALL:
            emit(self.table.iri(a_iri), v.DISJOINT_WITH, self.table.iri(b_iri), "dt-disjoint", ())
        self.type_new_literals()
        # owl:sameAs used as a term (e.g. owl:onProperty owl:sameAs) makes eq-ref matter.
        same = v.SAME_AS
        self.full_eq_ref = any(same in d for d in self.sp.values()) or any(
            same in d for d in self.op.values()
        )

    def type_new_literals(self) -> None:
        """dt-type2 for literals seen since the last call, their supertypes, dt-not-type."""
        v = self.v
        table = self.table
        emit = self.emit
        known = self.known_datatypes
        for lit in self._untyped_literals:
            term: Any = table.terms[lit]  # a literal (the ids listed are)
            dt_iri = literal_datatype(term)
            dt = table.iri(dt_iri)
            if dt not in known:
                continue
            emit(lit, v.TYPE, dt, "dt-type2", ())
            if not datatypes.is_valid_lexical(term.value, dt_iri):
                self.ill_typed.append((lit, dt_iri))
            for sup_iri in datatypes.SUPERTYPES.get(dt_iri, ()):
                sup = table.iri(sup_iri)
                emit(lit, v.TYPE, sup, "dt-type2", ((lit, v.TYPE, dt),))
                emit(sup, v.TYPE, v.DATATYPE, "dt-type2", ())
        self._untyped_literals.clear()

    # ------------------------------------------------------------------ index

    def _insert(self, t: IntTriple) -> bool:
        s, p, o = t
        d = self.sp.get(p)
        if d is None:
            self.sp[p] = {s: {o}}
            self.op[p] = {o: {s}}
            return True
        objs = d.get(s)
        if objs is None:
            d[s] = {o}
        elif o in objs:
            return False
        else:
            objs.add(o)
        r = self.op[p]
        subs = r.get(o)
        if subs is None:
            r[o] = {s}
        else:
            subs.add(s)
        return True

    def emit(self, s: int, p: int, o: int, rule: str, premises: Premises) -> bool:
        """Add an inferred triple unless known; keep its derivation; queue it. True if new."""
        # ``_insert`` inlined: this is the engine's hottest call (calling it measured ~10%
        # slower on the LUBM closure).
        d = self.sp.get(p)
        if d is None:
            self.sp[p] = {s: {o}}
            self.op[p] = {o: {s}}
        else:
            objs = d.get(s)
            if objs is None:
                d[s] = {o}
            elif o in objs:
                return False
            else:
                objs.add(o)
            r = self.op[p]
            subs = r.get(o)
            if subs is None:
                r[o] = {s}
            else:
                subs.add(s)
        t = (s, p, o)
        self.derived[t] = (rule, premises)
        self.queue.append(t)
        if p in self.schema_predicates or (p == self.v.TYPE and o in self.schema_types):
            self.dirty = True  # the plans no longer match the T-box
        return True

    def contains(self, s: int, p: int, o: int) -> bool:
        d = self.sp.get(p)
        return d is not None and o in d.get(s, ())

    def objects(self, s: int, p: int) -> set[int] | tuple[()]:
        d = self.sp.get(p)
        return d.get(s, ()) if d is not None else ()

    def subjects(self, p: int, o: int) -> set[int] | tuple[()]:
        r = self.op.get(p)
        return r.get(o, ()) if r is not None else ()

    def all_triples(self) -> list[IntTriple]:
        return [(s, p, o) for p, d in self.sp.items() for s, objs in d.items() for o in objs]

    def __len__(self) -> int:
        return sum(len(objs) for d in self.sp.values() for objs in d.values())

    # ------------------------------------------------------------------ fixpoint

    def close(self) -> None:
        """Run every rule to a fixpoint over what is indexed and queued."""
        from milgraph.reasoning.plans import Plans
        from milgraph.reasoning.tbox import close_tbox

        while True:
            if self.plans is None or self.dirty:
                if self.plans is not None:
                    # Inference changed the schema: plans are stale. Re-run everything.
                    self._say("schema changed by inference: re-closing the T-box, re-running")
                    self.queue.extend(self.all_triples())
                close_tbox(self)
                self.plans = Plans(self)
                self.passes += 1
                self.dirty = False
            self._drain()
            if not self.dirty:
                return

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def _drain(self) -> None:
        v = self.v
        TYPE = v.TYPE
        SAME = v.SAME_AS
        THING = v.THING
        sp = self.sp
        op = self.op
        types = sp[TYPE]
        emit = self.emit
        queue = self.queue
        popleft = queue.popleft
        plans = self.plans
        if plans is None:
            raise RuntimeError("the engine's plans are built by close()")
        pplan = plans.property_plan
        cplan = plans.class_plan
        pcache = plans.pcache
        ccache = plans.ccache
        full_eq_ref = self.full_eq_ref
        chain = self._chain
        key_check = self._key_check
        same_as_triple = self._same_as

        while queue:
            t = popleft()
            s, p, o = t
            if full_eq_ref:
                emit(s, SAME, s, "eq-ref", (t,))
                emit(p, SAME, p, "eq-ref", (t,))
                emit(o, SAME, o, "eq-ref", (t,))

            pl = pcache.get(p)
            if pl is None:
                pl = pplan(p)
            if pl is not False:
                for c, prem in pl.dom:
                    emit(s, TYPE, c, "prp-dom", (prem, t))
                for c, prem in pl.rng:
                    emit(o, TYPE, c, "prp-rng", (prem, t))
                for q, rule, prem in pl.sup:
                    emit(s, q, o, rule, (prem, t))
                for q, rule, prem in pl.inv:
                    emit(o, q, s, rule, (prem, t))
                if pl.sym is not None:
                    emit(o, p, s, "prp-symp", (pl.sym, t))
                if pl.trans is not None:
                    prem = pl.trans
                    for z in tuple(sp[p].get(o, ())):
                        emit(s, p, z, "prp-trp", (prem, t, (o, p, z)))
                    for w in tuple(op[p].get(s, ())):
                        emit(w, p, o, "prp-trp", (prem, (w, p, s), t))
                if pl.fp is not None:
                    prem = pl.fp
                    for y2 in tuple(sp[p][s]):
                        if y2 != o:
                            emit(o, SAME, y2, "prp-fp", (prem, t, (s, p, y2)))
                            emit(y2, SAME, o, "prp-fp", (prem, (s, p, y2), t))
                if pl.ifp is not None:
                    prem = pl.ifp
                    for x2 in tuple(op[p][o]):
                        if x2 != s:
                            emit(s, SAME, x2, "prp-ifp", (prem, t, (x2, p, o)))
                            emit(x2, SAME, s, "prp-ifp", (prem, (x2, p, o), t))
                for spec in pl.chains:
                    chain(t, spec)
                for r, y, prems in pl.svf:
                    if y == THING:
                        emit(s, TYPE, r, "cls-svf2", (*prems, t))
                    else:
                        ot = types.get(o)
                        if ot is not None and y in ot:
                            emit(s, TYPE, r, "cls-svf1", (*prems, t, (o, TYPE, y)))
                if pl.hv:
                    for r, prems in pl.hv.get(o, ()):
                        emit(s, TYPE, r, "cls-hv2", (*prems, t))
                if pl.avf:
                    st = types.get(s)
                    if st is not None:
                        for r, y, prems in pl.avf:
                            if r in st:
                                emit(o, TYPE, y, "cls-avf", (*prems, (s, TYPE, r), t))
                if pl.maxc:
                    st = types.get(s)
                    if st is not None:
                        for r, cc, rule, prems in pl.maxc:
                            if r not in st:
                                continue
                            if cc is not None and cc not in types.get(o, ()):
                                continue
                            for y2 in tuple(sp[p][s]):
                                if y2 == o or (cc is not None and cc not in types.get(y2, ())):
                                    continue
                                extra = () if cc is None else ((o, TYPE, cc), (y2, TYPE, cc))
                                base = (*prems, (s, TYPE, r), t, (s, p, y2), *extra)
                                emit(o, SAME, y2, rule, base)
                                emit(y2, SAME, o, rule, base)
                if pl.keys:
                    st = types.get(s)
                    if st is not None:
                        for c, props, prem in pl.keys:
                            if c in st:
                                key_check(s, c, props, prem)

            if p == TYPE:
                cp = ccache.get(o)
                if cp is None:
                    cp = cplan(o)
                if cp is not False:
                    for d, rule, prem in cp.sup:
                        emit(s, TYPE, d, rule, (prem, t))
                    if cp.int1:
                        st = types[s]
                        for i, members, prem in cp.int1:
                            for m in members:
                                if m not in st:
                                    break
                            else:
                                emit(s, TYPE, i, "cls-int1",
                                     (prem, *((s, TYPE, m) for m in members)))
                    for r, pp, prems in cp.svf:
                        r_op = op.get(pp)
                        if r_op is not None:
                            for u in tuple(r_op.get(s, ())):
                                emit(u, TYPE, r, "cls-svf1", (*prems, (u, pp, s), t))
                    for pp, y, prems in cp.avf:
                        d_sp = sp.get(pp)
                        if d_sp is not None:
                            for val in tuple(d_sp.get(s, ())):
                                emit(val, TYPE, y, "cls-avf", (*prems, t, (s, pp, val)))
                    for pp, val, prems in cp.hv:
                        emit(s, pp, val, "cls-hv1", (*prems, t))
                    for pp, cc, rule, prems in cp.maxc:
                        self._max_card_subject(s, o, pp, cc, rule, prems)
                    for r, pp, rule, prems in cp.maxqc_filler:
                        self._max_card_filler(s, o, r, pp, rule, prems)
                    for props, prem in cp.keys:
                        key_check(s, o, props, prem)

            if p == SAME:
                same_as_triple(t)
            same = sp.get(SAME)
            if same:
                ys = same.get(s)
                if ys:
                    for y in tuple(ys):
                        if y != s:
                            emit(y, p, o, "eq-rep-s", ((s, SAME, y), t))
                ys = same.get(p)
                if ys:
                    for y in tuple(ys):
                        if y != p:
                            emit(s, y, o, "eq-rep-p", ((p, SAME, y), t))
                ys = same.get(o)
                if ys:
                    for y in tuple(ys):
                        if y != o:
                            emit(s, p, y, "eq-rep-o", ((o, SAME, y), t))

    # ------------------------------------------------------------------ rule helpers

    def _same_as(self, t: IntTriple) -> None:
        """eq-sym, eq-trans, and eq-rep-* over what is already known about the left term."""
        x, SAME, y = t
        if x == y:
            return
        emit = self.emit
        emit(y, SAME, x, "eq-sym", (t,))
        for z in tuple(self.objects(y, SAME)):
            if z != x:
                emit(x, SAME, z, "eq-trans", (t, (y, SAME, z)))
        for w in tuple(self.subjects(SAME, x)):
            if w != y:
                emit(w, SAME, y, "eq-trans", ((w, SAME, x), t))
        for q, d in list(self.sp.items()):
            objs = d.get(x)
            if objs:
                for o in tuple(objs):
                    emit(y, q, o, "eq-rep-s", (t, (x, q, o)))
        by_subject = self.sp.get(x)
        if by_subject:
            for s, objs in list(by_subject.items()):
                for o in tuple(objs):
                    emit(s, y, o, "eq-rep-p", (t, (s, x, o)))
        for q, r in list(self.op.items()):
            subs = r.get(x)
            if subs:
                for s in tuple(subs):
                    emit(s, q, y, "eq-rep-o", (t, (s, q, x)))

    def _chain(self, t: IntTriple, spec: tuple) -> None:
        """prp-spo2: the new triple at position k of a property chain; walk both ways."""
        q, links, k, prem = spec
        a, _, b = t
        left: dict[int, Premises] = {a: ()}
        op = self.op
        for j in range(k - 1, -1, -1):
            pj = links[j]
            r = op.get(pj)
            if not r:
                return
            nxt: dict[int, Premises] = {}
            for node, path in left.items():
                for u in r.get(node, ()):
                    if u not in nxt:
                        nxt[u] = ((u, pj, node), *path)
            if not nxt:
                return
            left = nxt
        right: dict[int, Premises] = {b: ()}
        sp = self.sp
        for j in range(k + 1, len(links)):
            pj = links[j]
            d = sp.get(pj)
            if not d:
                return
            nxt = {}
            for node, path in right.items():
                for w in d.get(node, ()):
                    if w not in nxt:
                        nxt[w] = (*path, (node, pj, w))
            if not nxt:
                return
            right = nxt
        emit = self.emit
        for u0, lp in list(left.items()):
            for un, rp in list(right.items()):
                emit(u0, q, un, "prp-spo2", (prem, *lp, t, *rp))

    def _key_check(self, x: int, c: int, props: tuple[int, ...], prem: IntTriple) -> None:
        """prp-key: another instance of ``c`` with the same values for all key properties."""
        TYPE = self.v.TYPE
        SAME = self.v.SAME_AS
        values = [tuple(self.objects(x, p)) for p in props]
        if not all(values):
            return
        for combo in product(*values):
            for y in tuple(self.subjects(props[0], combo[0])):
                if y == x or not self.contains(y, TYPE, c):
                    continue
                if all(self.contains(y, props[i], combo[i]) for i in range(1, len(props))):
                    premises = (
                        prem, (x, TYPE, c), (y, TYPE, c),
                        *((x, p, z) for p, z in zip(props, combo, strict=True)),
                        *((y, p, z) for p, z in zip(props, combo, strict=True)),
                    )
                    self.emit(x, SAME, y, "prp-key", premises)
                    self.emit(y, SAME, x, "prp-key", premises)

    def _max_card_subject(
        self, u: int, r: int, pp: int, cc: int | None, rule: str, prems: Premises
    ) -> None:
        """cls-maxc2 / cls-maxqc3 / cls-maxqc4 fired by ``u rdf:type r``."""
        TYPE = self.v.TYPE
        SAME = self.v.SAME_AS
        values = tuple(self.objects(u, pp))
        if cc is not None:
            values = tuple(y for y in values if self.contains(y, TYPE, cc))
        if len(values) < 2:
            return
        for y1 in values:
            for y2 in values:
                if y1 != y2:
                    extra = () if cc is None else ((y1, TYPE, cc), (y2, TYPE, cc))
                    self.emit(y1, SAME, y2, rule,
                              (*prems, (u, TYPE, r), (u, pp, y1), (u, pp, y2), *extra))

    def _max_card_filler(
        self, y1: int, cc: int, r: int, pp: int, rule: str, prems: Premises
    ) -> None:
        """cls-maxqc3 fired by ``y1 rdf:type cc`` (the qualifying class)."""
        TYPE = self.v.TYPE
        SAME = self.v.SAME_AS
        for u in tuple(self.subjects(pp, y1)):
            if not self.contains(u, TYPE, r):
                continue
            for y2 in tuple(self.objects(u, pp)):
                if y2 != y1 and self.contains(y2, TYPE, cc):
                    base = (*prems, (u, TYPE, r), (u, pp, y1), (y1, TYPE, cc), (u, pp, y2),
                            (y2, TYPE, cc))
                    self.emit(y1, SAME, y2, rule, base)
                    self.emit(y2, SAME, y1, rule, base)
