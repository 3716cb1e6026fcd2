"""Run SPARQL rules against the engine's closure: pyoxigraph evaluates, the engine records.

The closure is copied to an in-memory pyoxigraph store, restricted to the predicates the rules
mention, and kept up to date by deltas. A rule is re-run only when a triple with one of its
predicates arrived since its last run (same input, same answer). Its matches come back as
``SELECT *`` solutions, which are encoded to ids once and then instantiated on ints: template
→ conclusions, WHERE patterns → premises.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import islice
from typing import Any, cast

import pyoxigraph as ox

from milgraph.reasoning.engine import Engine
from milgraph.reasoning.terms import BNODE, IRI, IntTriple
from milgraph.rules import Pattern, Rule
from milgraph.store.oxigraph import OxigraphStore

#: A compiled pattern position: ``int >= 0`` a term id, ``int < 0`` variable ``~i`` of the
#: solution, ``str`` a template blank node label.
Slot = int | str


class RuleRunner:
    def __init__(self, engine: Engine, rules: Sequence[Rule], day: date | None) -> None:
        self.engine = engine
        self.rules = rules
        self.day = day
        self.store = OxigraphStore.memory()
        self.loaded_derived = 0
        self.loaded_all = False
        #: Triples copied to the store, per predicate id: a rule's input "version".
        self.loaded = Counter[int]()
        self.last_input: dict[str, tuple[int, ...]] = {}
        self.last_rules: list[str] = []
        table = engine.table
        self.rule_predicates: dict[str, tuple[int, ...] | None] = {
            r.name: None if r.predicates is None else tuple(sorted(table.iri(p)
                                                                   for p in r.predicates))
            for r in rules}
        self.predicates: frozenset[int] | None = None
        if all(p is not None for p in self.rule_predicates.values()):
            self.predicates = frozenset(
                i for ps in self.rule_predicates.values() for i in (ps or ()))

    # ------------------------------------------------------------------ store

    def _sync(self) -> None:
        e = self.engine
        flags = e.table.flags
        terms = e.table.terms
        wanted = self.predicates
        if not self.loaded_all:
            if wanted is None:
                source: Iterable[IntTriple] = e.all_triples()
            else:
                source = [(s, p, o) for p in wanted for s, objs in e.sp.get(p, {}).items()
                          for o in objs]
            self.loaded_all = True
        else:
            source = islice(e.derived, self.loaded_derived, None)
            if wanted is not None:
                source = [t for t in source if t[1] in wanted]
        self.loaded_derived = len(e.derived)
        batch = [t for t in source if flags[t[0]] & (IRI | BNODE) and flags[t[1]] & IRI]
        if batch:
            default = ox.DefaultGraph()
            table: list[Any] = terms  # the flags above say these may stand there
            self.store.extend([ox.Quad(table[s], table[p], table[o], default)
                               for s, p, o in batch])
            self.loaded.update(p for _, p, _ in batch)

    def _input_version(self, rule: Rule) -> tuple[int, ...]:
        preds = self.rule_predicates[rule.name]
        if preds is None:
            return (self.loaded.total(),)
        return tuple(self.loaded[p] for p in preds)

    # ------------------------------------------------------------------ rules

    def run(self) -> int:
        """One round: each rule whose input changed, each seeing the previous ones' output.
        Returns the number of new triples."""
        added = 0
        self.last_rules = []
        for rule in self.rules:
            self._sync()
            version = self._input_version(rule)
            if self.last_input.get(rule.name) == version:
                continue
            self.last_input[rule.name] = version
            n = self._run_rule(rule)
            if n:
                added += n
                self.last_rules.append(rule.name)
        self._sync()
        return added

    def _compile(self, patterns: Iterable[Pattern], index: dict[str, int],
                 template: bool) -> list[tuple[Slot, Slot, Slot]]:
        ids = self.engine.table.ids
        encode = self.engine.encode
        out: list[tuple[Slot, Slot, Slot]] = []
        for pattern in patterns:
            slots: list[Slot] = []
            for term in pattern:
                if isinstance(term, ox.Variable):
                    i = index.get(term.value)
                    if i is None:  # never bound: the pattern never instantiates
                        break
                    slots.append(~i)
                elif isinstance(term, ox.BlankNode):
                    if not template:  # a WHERE blank node is a variable we cannot see
                        break
                    slots.append(term.value)
                else:
                    i = encode(term) if template else ids.get(term)
                    if i is None:  # a constant absent from the graph: cannot match
                        break
                    slots.append(i)
            else:
                out.append((slots[0], slots[1], slots[2]))
        return out

    def _run_rule(self, rule: Rule) -> int:
        e = self.engine
        sp = e.sp
        get = e.table.ids.get
        encode = e.encode
        flags = e.table.flags
        emit = e.emit
        solutions = self.store.query(rule.select_query(self.day))
        if not isinstance(solutions, ox.QuerySolutions):  # a SELECT answers solutions
            raise TypeError(f"rule {rule.name}: the SELECT form answered {solutions!r}")
        names = [v.value for v in solutions.variables]
        index = {name: i for i, name in enumerate(names)}
        template = self._compile(rule.template, index, template=True)
        # WHERE patterns compile to ids only: a blank node there ends the pattern (_compile)
        patterns = cast(list[tuple[int, int, int]], self._compile(rule.patterns, index,
                                                               template=False))  # fmt: skip
        added = 0
        for solution in solutions:
            values: list[int | None] = []
            for term in solution:
                if term is None:
                    values.append(None)
                else:
                    i = get(term)
                    values.append(encode(term) if i is None else i)
            bnodes: dict[str, int] = {}
            premises: tuple[IntTriple, ...] | None = None
            for slots in template:
                triple: list[int] = []
                for x in slots:
                    if isinstance(x, str):
                        b = bnodes.get(x)
                        if b is None:
                            b = bnodes[x] = encode(_skolem(rule.name, x, names, solution))
                        triple.append(b)
                    elif x < 0:
                        v = values[~x]
                        if v is None:
                            break
                        triple.append(v)
                    else:
                        triple.append(x)
                else:
                    s, p, o = triple
                    if not flags[s] & (IRI | BNODE) or not flags[p] & IRI:
                        continue  # CONSTRUCT drops triples RDF cannot hold
                    d = sp.get(p)
                    if d is not None and o in d.get(s, ()):
                        continue
                    if premises is None:
                        premises = self._premises(patterns, values)
                    if emit(s, p, o, rule.name, premises):
                        added += 1
        return added

    def _premises(self, patterns: list[tuple[int, int, int]],
                  values: list[int | None]) -> tuple[IntTriple, ...]:
        """The WHERE patterns instantiated with the match, those present in the closure."""
        sp = self.engine.sp
        out: list[IntTriple] = []
        for slots in patterns:
            triple: list[int] = []
            for x in slots:
                v = values[~x] if x < 0 else x
                if v is None:
                    break
                triple.append(v)
            else:
                s, p, o = triple
                d = sp.get(p)
                if d is not None and o in d.get(s, ()):
                    out.append((s, p, o))
        return tuple(dict.fromkeys(out))


def _skolem(rule: str, label: str, names: list[str], solution: ox.QuerySolution) -> ox.BlankNode:
    """A template blank node's id from the rule and the match: re-running the rule makes the
    same node, so the fixpoint is reached and equal inputs give equal snapshots."""
    key = "\n".join([rule, label, *(f"{n}={solution[n]}" for n in sorted(names))])
    return ox.BlankNode("r" + hashlib.sha256(key.encode()).hexdigest()[:32])
