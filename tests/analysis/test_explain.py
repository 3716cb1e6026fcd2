"""Explanations of inferred triples: every step checked against the definition of its rule.

For every inferred triple of the fixture world (the current view, and views as of several
days) the explanation tree is walked and each node verified: an asserted leaf is in the input
file it names; an inferred node's premises hold in that view and, with its conclusion, fit
the OWL 2 RL rule named (cax-sco, prp-dom, prp-inv1, …) or the body and head of the SPARQL
rule named, including the dates the temporal rules compare.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from datetime import date

import pyoxigraph as ox
import pytest

from milgraph import temporal
from milgraph.analysis.explain import explain, rule_shapes
from milgraph.analysis.models import Explanation, Node
from milgraph.namespaces import GRAPH_IRI, INFERRED_GRAPH
from milgraph.rules import Rule
from milgraph.temporal.dates import day, end_of, start_of
from tests.support.analysis import ID, MIL, world

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
TYPE = ox.NamedNode(RDF + "type")
STARTS = {"startDate", "signatureDate", "entryIntoForceDate"}
ENDS = {"endDate", "withdrawalDate", "suspensionDate", "terminationDate"}
DAYS = ["1961-06-01", "1990-01-01", "2024-01-01"]
#: What stands for "any term" in a rule's patterns (a WHERE blank node acts as a variable).
VAR = (ox.Variable, ox.BlankNode)


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


# --------------------------------------------------------------------------- the views


def holds_in(snapshot, when: str | None) -> Callable[[object], bool]:
    graphs = (
        [ox.DefaultGraph()]
        if when is None
        else [n(g) for g in temporal.graphs_as_of(snapshot, when)]
    )

    def holds(t: object) -> bool:
        if not isinstance(t, ox.Triple):
            return True  # a generalised premise (literal subject) the reasoner keeps apart
        return any(
            True
            for g in graphs
            for _ in snapshot.quads(t.subject, t.predicate, t.object, g)
        )

    return holds


def values(snapshot, holds, s, p) -> list:
    return [
        q.object
        for q in snapshot.quads(s, p, None, None)
        if holds(ox.Triple(q.subject, q.predicate, q.object))
    ]


# --------------------------------------------------------------------------- rule checks


def _t(s, p, o) -> ox.Triple:
    return ox.Triple(s, n(p) if isinstance(p, str) else p, n(o) if isinstance(o, str) else o)


def check_owl(rule: str, premises: list, t: ox.Triple, chain_list) -> None:
    """The conclusion follows from the premises by the OWL 2 RL rule (W3C rule tables)."""
    ps = set(premises)
    s, p, o = t.subject, t.predicate, t.object
    if rule in ("cax-sco", "cax-eqc1", "cax-eqc2"):
        assert p == TYPE
        axiom = {"cax-sco": RDFS + "subClassOf"}.get(rule, OWL + "equivalentClass")
        c1 = next(x.object for x in premises if x.predicate == TYPE and x.subject == s)
        pair = (c1, o) if rule != "cax-eqc2" else (o, c1)
        assert _t(pair[0], axiom, pair[1]) in ps
    elif rule in ("prp-dom", "prp-rng"):
        assert p == TYPE
        axiom = next(x for x in premises if x.predicate.value in (RDFS + "domain", RDFS + "range"))
        data = next(x for x in premises if x is not axiom)
        assert data.predicate == axiom.subject and axiom.object == o
        assert (data.subject if rule == "prp-dom" else data.object) == s
    elif rule in ("prp-spo1", "prp-eqp1", "prp-eqp2"):
        axiom_p = {"prp-spo1": RDFS + "subPropertyOf"}.get(rule, OWL + "equivalentProperty")
        data = next(x for x in premises if x.predicate.value != axiom_p)
        assert (data.subject, data.object) == (s, o)
        pair = (data.predicate, p) if rule != "prp-eqp2" else (p, data.predicate)
        assert _t(pair[0], axiom_p, pair[1]) in ps
    elif rule in ("prp-inv1", "prp-inv2"):
        axiom = next(x for x in premises if x.predicate.value == OWL + "inverseOf")
        data = next(x for x in premises if x is not axiom)
        assert (data.subject, data.object) == (o, s)
        p1, p2 = axiom.subject, axiom.object
        assert (data.predicate, p) == ((p1, p2) if rule == "prp-inv1" else (p2, p1))
    elif rule == "prp-symp":
        assert _t(p, RDF + "type", OWL + "SymmetricProperty") in ps
        assert ox.Triple(o, p, s) in ps
    elif rule == "prp-trp":
        assert _t(p, RDF + "type", OWL + "TransitiveProperty") in ps
        links = [x for x in premises if x.predicate == p]
        assert len(links) == 2 and links[0].object == links[1].subject
        assert (links[0].subject, links[1].object) == (s, o)
    elif rule == "prp-spo2":
        axiom = next(x for x in premises if x.predicate.value == OWL + "propertyChainAxiom")
        assert axiom.subject == p
        links = [x for x in premises if x is not axiom]
        assert [x.predicate for x in links] == chain_list(axiom.object)
        assert all(a.object == b.subject for a, b in itertools.pairwise(links))
        assert (links[0].subject, links[-1].object) == (s, o)
    elif rule == "scm-sco":
        a, b = premises
        assert a.predicate == b.predicate == p == n(RDFS + "subClassOf")
        assert a.object == b.subject and (a.subject, b.object) == (s, o)
    elif rule in ("scm-dom1", "scm-rng1"):
        axiom = n(RDFS + ("domain" if rule == "scm-dom1" else "range"))
        dom = next(x for x in premises if x.predicate == axiom)
        sco = next(x for x in premises if x.predicate.value == RDFS + "subClassOf")
        assert p == axiom and dom.subject == s and dom.object == sco.subject and sco.object == o
    elif rule in ("scm-dom2", "scm-rng2"):
        axiom = n(RDFS + ("domain" if rule == "scm-dom2" else "range"))
        dom = next(x for x in premises if x.predicate == axiom)
        spo = next(x for x in premises if x.predicate.value == RDFS + "subPropertyOf")
        assert p == axiom and spo.subject == s and spo.object == dom.subject and dom.object == o
    elif rule in ("scm-eqc1", "scm-eqp1"):
        eq, sub = {
            "scm-eqc1": (OWL + "equivalentClass", RDFS + "subClassOf"),
            "scm-eqp1": (OWL + "equivalentProperty", RDFS + "subPropertyOf"),
        }[rule]
        (axiom,) = premises
        assert axiom.predicate.value == eq and p.value == sub
        assert {(axiom.subject, axiom.object), (axiom.object, axiom.subject)} >= {(s, o)}
    elif rule in ("scm-eqc2", "scm-eqp2"):
        eq, sub = {
            "scm-eqc2": (OWL + "equivalentClass", RDFS + "subClassOf"),
            "scm-eqp2": (OWL + "equivalentProperty", RDFS + "subPropertyOf"),
        }[rule]
        assert p.value == eq
        assert ps == {_t(s, sub, o), _t(o, sub, s)}
    elif rule == "scm-spo":
        a, b = premises
        assert a.predicate == b.predicate == p == n(RDFS + "subPropertyOf")
        assert a.object == b.subject and (a.subject, b.object) == (s, o)
    elif rule in ("scm-cls", "scm-op", "scm-dp"):
        (axiom,) = premises
        kind = {"scm-cls": "Class", "scm-op": "ObjectProperty", "scm-dp": "DatatypeProperty"}[rule]
        assert axiom.predicate == TYPE and axiom.object == n(OWL + kind)
        assert axiom.subject in (s, o)
    else:
        pytest.fail(f"no check written for OWL 2 RL rule {rule}")


def check_sparql(
    shape: Rule, premises: list, t: ox.Triple, node: Node, when: str | None, snapshot, holds
) -> None:
    """Premises match the rule body under one binding whose head is the conclusion; the
    dates compared satisfy the rule's condition on that day."""
    (head,) = [h for h in shape.template if h[1] == t.predicate]
    binding: dict[object, object] = {}
    for var, term in zip(head, (t.subject, t.predicate, t.object), strict=True):
        if isinstance(var, VAR):
            binding[var] = term
        else:
            assert var == term

    def match(pattern, triple, b) -> dict | None:
        out = dict(b)
        for var, term in zip(
            pattern, (triple.subject, triple.predicate, triple.object), strict=True
        ):
            if isinstance(var, VAR):
                if out.setdefault(var, term) != term:
                    return None
            elif var != term:
                return None
        return out

    def solve(patterns, remaining, b) -> Iterator[tuple[dict, list]]:
        if not patterns:
            yield b, remaining
            return
        for i, triple in enumerate(remaining):
            nb = match(patterns[0], triple, b)
            if nb is not None:
                yield from solve(patterns[1:], remaining[:i] + remaining[i + 1 :], nb)

    solutions = list(solve(list(shape.required), list(premises), binding))
    assert solutions, f"{shape.name}: premises {premises} do not match the rule body"
    ok = False
    for b, rest in solutions:
        for pattern in shape.optional:
            for triple in list(rest):
                nb = match(pattern, triple, b)
                if nb is not None:
                    b = nb
                    rest.remove(triple)
                    break
        if rest:
            continue
        ok = True
        # absent optional dates: absent from the view too (OPTIONAL gave no row)
        for pattern in shape.optional:
            if isinstance(pattern[2], VAR) and pattern[2] not in b:
                subject = b.get(pattern[0]) if isinstance(pattern[0], VAR) else pattern[0]
                if subject is not None:
                    assert not values(snapshot, holds, subject, pattern[1]), (pattern, b)
        dates = {
            v.predicate.value.rsplit("#", 1)[-1]: v.object
            for v in premises
            if isinstance(v.object, ox.Literal) and v.predicate.value.endswith("Date")
        }
        if shape.uses_as_of and when is None:
            assert not (set(dates) & ENDS), f"{shape.name} in the current view needs no end date"
        if shape.uses_as_of and when is not None:
            d = day(date.fromisoformat(when))
            for name, lit in dates.items():
                if name in STARTS:
                    assert start_of(lit) <= d
                if name in ENDS:
                    assert d < end_of(lit)
            assert node.dates.get("asOf") == when
        break
    assert ok, f"{shape.name}: premises left over that no pattern of the rule matches"


# --------------------------------------------------------------------------- walking trees


class Checker:
    def __init__(self, snapshot, when: str | None) -> None:
        self.snapshot = snapshot
        self.when = when
        self.holds = holds_in(snapshot, when)
        self.shapes = rule_shapes(snapshot)
        self.rules_seen: set[str] = set()

    def chain_list(self, head) -> list:
        out, node = [], head
        while node != n(RDF + "nil"):
            out.append(values(self.snapshot, lambda _t: True, node, n(RDF + "first"))[0])
            node = values(self.snapshot, lambda _t: True, node, n(RDF + "rest"))[0]
        return out

    def check(self, node: Node) -> None:
        t = node.triple
        assert self.holds(t), f"{t} is in the tree but does not hold"
        assert node.note not in ("cycle", "truncated", "no derivation recorded"), (t, node.note)
        if node.note == "explained above":
            return
        if node.rule is None:
            assert node.asserted, f"{t}: neither asserted nor derived"
            for a in node.asserted:
                assert a.graph == GRAPH_IRI + a.file
                assert any(
                    True
                    for _ in self.snapshot.quads(
                        t.subject, t.predicate, t.object, n(a.graph)
                    )
                )
            return
        self.rules_seen.add(node.rule)
        premises = [p.triple for p in node.premises]
        if node.rule in self.shapes:
            check_sparql(
                self.shapes[node.rule], premises, t, node, self.when, self.snapshot, self.holds
            )
        else:
            check_owl(node.rule, premises, t, self.chain_list)
        for p in node.premises:
            self.check(p)


@functools.cache
def _inferred_now() -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in world().quads(None, None, None, n(INFERRED_GRAPH))
    ]


def _explain_all(when: str | None) -> Checker:
    snapshot = world()
    checker = Checker(snapshot, when)
    if when is None:
        triples = _inferred_now()
    else:
        triples = [
            t for t, d in temporal.store_of(snapshot).match() if day(date.fromisoformat(when)) in d
        ]
    assert triples
    for t in triples:
        result = explain(snapshot, t.subject, t.predicate, t.object, as_of=when)
        assert result is not None, f"{t} holds but has no explanation"
        assert not result.truncated
        checker.check(result.root)
    return checker


def test_every_inferred_triple_of_the_current_view_is_explained_correctly() -> None:
    checker = _explain_all(None)
    assert checker.rules_seen >= {
        "cax-sco", "prp-dom", "prp-rng", "prp-inv1", "prp-inv2", "prp-symp", "prp-spo1",
        "prp-spo2", "scm-sco", "scm-dom1", "scm-rng1",
        "memberOf", "partyTo", "alliedWith", "exercisedWith",
    }  # fmt: skip


@pytest.mark.parametrize("when", DAYS)
def test_every_time_dependent_triple_is_explained_correctly_as_of(when: str) -> None:
    checker = _explain_all(when)
    assert {"memberOf", "alliedWith", "prp-inv2", "prp-spo2"} <= checker.rules_seen


# --------------------------------------------------------------------------- behaviours


def explained(s: str, p: str, o: str, when: str | None = None) -> Explanation:
    result = explain(world(), s, p, o, as_of=when)
    assert result is not None
    return result


def test_an_asserted_triple_explains_itself_with_its_file_and_source() -> None:
    result = explained("id:membership/NATO/FIN", "mil:startDate", '"2023-04-04"^^xsd:date')
    root = result.root
    assert root.rule is None and root.premises == []
    assert [(a.file, a.sources) for a in root.asserted] == [
        ("data/world.ttl", ["https://www.nato.int/cps/en/natohq/topics_52044.htm"])
    ]


def test_a_triple_that_does_not_hold_has_no_explanation() -> None:
    assert explain(world(), "nation:SWE", "mil:memberOf", "org:NATO", "2024-03-06") is None
    assert explain(world(), "nation:SWE", "mil:memberOf", "org:WarsawPact") is None


def test_temporal_rule_lists_the_dates_it_compared() -> None:
    node = explained("nation:FIN", "mil:memberOf", "org:NATO", "2024-01-01").root
    assert node.rule == "memberOf"
    assert node.dates == {"startDate": "2023-04-04", "endDate": None, "asOf": "2024-01-01"}
    assert node.period == [{"from": "2023-04-04", "until": None}]
    node = explained("nation:RUS", "mil:partyTo", "id:agreement/new-start", "2020-01-01").root
    assert node.dates["suspensionDate"] == "2023-02-21"
    assert node.period == [{"from": "2011-02-05", "until": "2023-02-21"}]
    text = explained(
        "nation:FRA", "mil:memberOf", "id:alliance/atop-9999", "1965-03-31"
    ).to_text()
    assert "1965-03 (partial: holds until the day before 1965-04-01)" in text
    assert "1960 (partial: counts from 1960-01-01)" in text


def test_explanation_as_of_a_day_follows_that_days_facts() -> None:
    # FIN was affiliated with NATO as a partner in 2000 and as a member in 2024
    partner = explained("nation:FIN", "mil:affiliatedWith", "org:NATO", "2000-01-01")
    member = explained("nation:FIN", "mil:affiliatedWith", "org:NATO", "2024-01-01")

    def records(e: Explanation) -> set[str]:
        out = set()

        def walk(node: Node) -> None:
            out.update(
                x.value
                for x in (node.triple.subject, node.triple.object)
                if isinstance(x, ox.NamedNode) and "/membership/" in x.value
            )
            for p in node.premises:
                walk(p)

        walk(e.root)
        return out

    assert records(partner) == {ID + "membership/NATO/FIN/1994-05-09"}
    assert records(member) == {ID + "membership/NATO/FIN"}


def test_limits_cut_the_tree_with_a_marker() -> None:
    result = explain(world(), "nation:DEU", "mil:alliedWith", "nation:USA", max_depth=1)
    assert result is not None and result.truncated
    assert {p.note for p in result.root.premises} == {"truncated"}
    assert "truncated" in result.to_text()


def test_json_and_text_forms() -> None:
    result = explained("nation:DEU", "mil:alliedWith", "nation:USA", "1990-01-01")
    doc = result.to_json()
    assert doc["holds"] and doc["asOf"] == "1990-01-01"
    assert doc["explanation"]["rule"] == "alliedWith"
    assert doc["explanation"]["ruleKind"] == "sparql"
    assert doc["rules"]["alliedWith"].startswith("ontology/rules/allied-with.rq")
    kinds = {p["ruleKind"] for p in doc["explanation"]["premises"]}
    assert kinds == {"asserted", "sparql"}
    text = result.to_text()
    assert (
        text.splitlines()[0] == "nation:DEU mil:alliedWith nation:USA holds as of 1990-01-01."
    )
    assert "[asserted in data/world.ttl" in text
    assert MIL not in text  # compact names throughout
