"""``reason()``: OWL 2 RL closure and SPARQL rules, alternated to a fixpoint, noise removed."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyoxigraph as ox

from milgraph.errors import InputError, RuleLoopError
from milgraph.reasoning import consistency
from milgraph.reasoning.consistency import Inconsistency
from milgraph.reasoning.engine import Derived, Engine
from milgraph.reasoning.noise import CATEGORIES, NoiseFilter
from milgraph.reasoning.runner import RuleRunner
from milgraph.reasoning.terms import GeneralizedTriple, IntTriple, TermTable
from milgraph.rules import Rule

#: Rounds of SPARQL rules (each followed by OWL 2 RL) before giving up on a fixpoint.
MAX_RULE_ROUNDS = 100

#: Changes whenever the reasoner may give a different answer for the same input.
VERSION = "1.0"

AnyTriple = ox.Triple | GeneralizedTriple


@dataclass(frozen=True)
class Derivation:
    """How a triple was inferred: the rule (an OWL 2 RL rule name such as ``cax-sco``, or a
    SPARQL rule's name such as ``memberOf``) and the triples it matched. A premise is asserted,
    or has a derivation of its own; following them always ends at asserted triples (or at
    axioms, whose premises are empty)."""

    rule: str
    premises: tuple[AnyTriple, ...] = ()


def _decode(table: TermTable, derived: Derived) -> Derivation:
    rule, premises = derived
    return Derivation(rule, tuple(table.triple(p) for p in premises))


class _DerivationValues(ValuesView[Derivation]):
    def __init__(self, mapping: DerivationMap) -> None:
        super().__init__(mapping)
        self._derivations = mapping

    def __iter__(self) -> Iterator[Derivation]:
        m = self._derivations
        for t in m._keys:
            yield _decode(m._table, m._derived[t])


class DerivationMap(Mapping[AnyTriple, Derivation]):
    """Inferred triple -> Derivation, decoded on access (tens of thousands stay cheap)."""

    def __init__(self, table: TermTable, derived: dict[IntTriple, Derived],
                 keys: list[IntTriple]) -> None:
        self._table = table
        self._derived = derived
        self._keys = keys
        self._key_set = set(keys)

    def __getitem__(self, triple: AnyTriple) -> Derivation:
        t = self._table.encode_triple(triple)
        if t is None or t not in self._key_set:
            raise KeyError(triple)
        return _decode(self._table, self._derived[t])

    def __iter__(self) -> Iterator[AnyTriple]:
        table = self._table
        return (table.triple(t) for t in self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, triple: object) -> bool:
        if not isinstance(triple, ox.Triple | GeneralizedTriple | ox.Quad):
            return False
        t = self._table.encode_triple(triple)
        return t is not None and t in self._key_set

    def values(self) -> _DerivationValues:
        return _DerivationValues(self)


@dataclass
class ReasoningResult:
    """What ``reason()`` found. ``inferred`` holds no asserted triple and no noise."""

    inferred: list[ox.Triple]
    derivations: DerivationMap
    inconsistencies: list[Inconsistency]
    stats: dict[str, Any]
    _table: TermTable = field(repr=False, default_factory=TermTable)
    _derived: dict[IntTriple, Derived] = field(repr=False, default_factory=dict)
    #: Published inferred triples plus the noise triples their derivations rest on.
    _support: list[IntTriple] = field(repr=False, default_factory=list)
    _published: set[IntTriple] = field(repr=False, default_factory=set)

    def derivation(self, triple: AnyTriple) -> Derivation | None:
        """Derivation of any inferred triple, including noise used as a premise; None if the
        triple is asserted or unknown."""
        t = self._table.encode_triple(triple)
        if t is None:
            return None
        d = self._derived.get(t)
        return _decode(self._table, d) if d is not None else None

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies


def reason(
    triples: Iterable[ox.Triple | ox.Quad],
    *,
    rules: Sequence[Rule] = (),
    as_of: date | datetime | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReasoningResult:
    """OWL 2 RL closure of ``triples`` plus ``rules``, run to a fixpoint.

    ``as_of`` (a date or ``YYYY-MM-DD``) binds ``?asOf`` in the rules: the view on that date;
    without it, the rules give the "now/ongoing" view. Inconsistencies are reported in the
    result, never raised.
    """
    day = as_date(as_of)
    # The engine allocates millions of small acyclic tuples and sets; the cyclic garbage
    # collector would rescan them over and over (it doubles the run time on LUBM).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _reason(triples, rules, day, progress)
    finally:
        if paused:
            gc.enable()


def _reason(triples: Iterable[ox.Triple | ox.Quad], rules: Sequence[Rule],
            day: date | None, progress: Callable[[str], None] | None) -> ReasoningResult:
    say = progress or (lambda _msg: None)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    engine = Engine()
    engine.progress = progress
    engine.load(triples)
    engine.add_axioms()
    seconds["load"] = time.perf_counter() - t0
    say(f"loaded {engine.asserted} asserted triples")

    t = time.perf_counter()
    engine.close()
    seconds["owl"] = time.perf_counter() - t
    say(f"OWL 2 RL closure: {len(engine.derived)} triples derived")

    rounds = 0
    if rules:
        runner = RuleRunner(engine, rules, day)
        seconds["rules"] = 0.0
        while True:
            rounds += 1
            t = time.perf_counter()
            added = runner.run()
            seconds["rules"] += time.perf_counter() - t
            say(f"rules round {rounds}: {added} new triples")
            if not added:
                break
            if rounds >= MAX_RULE_ROUNDS:
                raise RuleLoopError(
                    f"the SPARQL rules still derive new triples after {rounds} rounds "
                    f"({', '.join(runner.last_rules)} in the last one); a rule that invents "
                    "new terms (BIND, blank nodes from changing data) never reaches a fixpoint")
            t = time.perf_counter()
            engine.type_new_literals()
            engine.close()
            seconds["owl"] += time.perf_counter() - t

    t = time.perf_counter()
    found = consistency.check(engine)
    seconds["check"] = time.perf_counter() - t

    t = time.perf_counter()
    result = _result(engine, found, seconds, rounds, day)
    seconds["output"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    say(f"{len(result.inferred)} inferred triples, {len(found)} inconsistencies")
    return result


def _result(engine: Engine, found: list[Inconsistency], seconds: dict[str, float],
            rounds: int, day: date | None) -> ReasoningResult:
    noise = NoiseFilter(engine)
    category = noise.category
    table = engine.table
    derived = engine.derived
    published: list[IntTriple] = []
    noise_counts = dict.fromkeys(CATEGORIES, 0)
    per_rule: Counter[str] = Counter()
    for t, (rule, _) in derived.items():
        cat = category(t)
        if cat is None:
            published.append(t)
            per_rule[rule] += 1
        else:
            noise_counts[cat] += 1
    published_set = set(published)
    # Noise triples that published derivations rest on, transitively (for explanations).
    support: dict[IntTriple, None] = {}
    stack = [p for t in published for p in derived[t][1]]
    while stack:
        p = stack.pop()
        if p in published_set or p in support or p not in derived:
            continue
        support[p] = None
        stack.extend(derived[p][1])
    terms: list[Any] = table.terms  # published triples are RDF triples (the noise filter)
    inferred = [ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in published]
    # The indexes are no longer needed; the term table and derivations are.
    engine.sp = {}
    engine.op = {}
    stats: dict[str, Any] = {
        "reasoner": f"milgraph OWL 2 RL {VERSION}",
        "asserted": engine.asserted,
        "inferred": len(published),
        "derived_total": len(derived),
        "noise": noise_counts,
        "per_rule": dict(sorted(per_rule.items())),
        "inconsistencies": len(found),
        "passes": engine.passes,
        "rule_rounds": rounds,
        "as_of": day.isoformat() if day else None,
        "seconds": seconds,
    }
    return ReasoningResult(
        inferred=inferred,
        derivations=DerivationMap(table, derived, published),
        inconsistencies=found,
        stats=stats,
        _table=table,
        _derived=derived,
        _support=published + list(support),
        _published=published_set,
    )


def as_date(value: date | datetime | str | None) -> date | None:
    """Normalise an ``as_of`` argument (a date, or an ISO ``YYYY-MM-DD`` string)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError("(as_of)", f"{value!r} is not a date",
                         "give the date as YYYY-MM-DD, e.g. 2014-03-18") from None
