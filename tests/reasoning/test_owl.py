"""OWL 2 RL rule families on hand-made fixtures: the conclusion, its derivation's rule name,
and owlrl's closure (the oracle) equal to ours on each fixture."""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.reasoning import Derivation, GeneralizedTriple, reason
from tests.support.oracle import difference, owlrl_inferred

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reasoning"
PREFIXES = {
    "ex": "http://example.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def iri(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


def triple(s: str, p: str, o: str) -> ox.Triple:
    return ox.Triple(iri(s), iri(p), iri(o))


@functools.cache
def _parsed(name: str) -> tuple[ox.Triple, ...]:
    return tuple(q.triple for q in ox.parse(path=str(FIXTURES / name), format=ox.RdfFormat.TURTLE))


def fixture(name: str) -> list[ox.Triple]:
    """A fixture's triples; parsed once, so blank nodes are the same on every call."""
    return list(_parsed(name))


_results: dict[str, object] = {}


def reasoned(name: str):
    if name not in _results:
        _results[name] = reason(fixture(name))
    return _results[name]


CASES = [
    # table 5: properties
    ("properties.ttl", ("ex:ann", "rdf:type", "ex:Teacher"), "prp-dom"),
    ("properties.ttl", ("ex:math", "rdf:type", "ex:Course"), "prp-rng"),
    ("properties.ttl", ("ex:mary", "owl:sameAs", "ex:maria"), "prp-fp"),
    ("properties.ttl", ("ex:u1", "owl:sameAs", "ex:u2"), "prp-ifp"),
    ("properties.ttl", ("ex:carl", "ex:knows", "ex:ann"), "prp-symp"),
    ("properties.ttl", ("ex:a", "ex:partOf", "ex:c"), "prp-trp"),
    ("properties.ttl", ("ex:dan", "ex:worksFor", "ex:dept"), "prp-spo1"),
    ("properties.ttl", ("ex:kid", "ex:uncle", "ex:unc"), "prp-spo2"),
    ("properties.ttl", ("ex:book", "ex:creator", "ex:ann"), "prp-eqp1"),
    ("properties.ttl", ("ex:film", "ex:author", "ex:carl"), "prp-eqp2"),
    ("properties.ttl", ("ex:wheel", "ex:isPartOf", "ex:car"), "prp-inv1"),
    ("properties.ttl", ("ex:house", "ex:hasPart", "ex:door"), "prp-inv2"),
    ("keys.ttl", ("ex:p1", "owl:sameAs", "ex:p2"), "prp-key"),
    ("keys.ttl", ("ex:f1", "owl:sameAs", "ex:f2"), "prp-key"),
    # table 6: classes
    ("classes.ttl", ("ex:eve", "rdf:type", "ex:Mother"), "cls-int1"),
    ("classes.ttl", ("ex:ada", "rdf:type", "ex:Woman"), "cls-int2"),
    ("classes.ttl", ("ex:ada", "rdf:type", "ex:Parent"), "cls-int2"),
    ("classes.ttl", ("ex:tom", "rdf:type", "ex:Person"), "cls-uni"),
    ("classes.ttl", ("ex:joe", "rdf:type", "ex:Driver"), "cls-svf1"),
    ("classes.ttl", ("ex:liz", "rdf:type", "ex:PetOwner"), "cls-svf2"),
    ("classes.ttl", ("ex:pat", "rdf:type", "ex:Parent2"), "cax-eqc2"),
    ("classes.ttl", ("ex:kale", "rdf:type", "ex:Plant"), "cls-avf"),
    ("classes.ttl", ("ex:apple", "ex:colour", "ex:red"), "cls-hv1"),
    ("classes.ttl", ("ex:cherry", "rdf:type", "ex:RedThing"), "cls-hv2"),
    ("classes.ttl", ("ex:bea", "owl:sameAs", "ex:beatrice"), "cls-maxc2"),
    ("classes.ttl", ("ex:m1", "owl:sameAs", "ex:m2"), "cls-maxqc3"),
    ("classes.ttl", ("ex:h1", "owl:sameAs", "ex:h2"), "cls-maxqc4"),
    ("classes.ttl", ("ex:green", "rdf:type", "ex:Primary"), "cls-oo"),
    # table 7: class axioms
    ("class-axioms.ttl", ("ex:rex", "rdf:type", "ex:Animal"), "cax-sco"),
    ("class-axioms.ttl", ("ex:h", "rdf:type", "ex:Person"), "cax-eqc1"),
    ("class-axioms.ttl", ("ex:q", "rdf:type", "ex:Human"), "cax-eqc2"),
    # table 9: schema
    ("schema.ttl", ("ex:A", "rdfs:subClassOf", "ex:C"), "scm-sco"),
    ("schema.ttl", ("ex:E1", "rdfs:subClassOf", "ex:E2"), "scm-eqc1"),
    ("schema.ttl", ("ex:F1", "owl:equivalentClass", "ex:F2"), "scm-eqc2"),
    ("schema.ttl", ("ex:p1", "rdfs:subPropertyOf", "ex:p3"), "scm-spo"),
    ("schema.ttl", ("ex:q1", "rdfs:subPropertyOf", "ex:q2"), "scm-eqp1"),
    ("schema.ttl", ("ex:r1", "owl:equivalentProperty", "ex:r2"), "scm-eqp2"),
    ("schema.ttl", ("ex:d1", "rdfs:domain", "ex:DB"), "scm-dom1"),
    ("schema.ttl", ("ex:d3", "rdfs:domain", "ex:DC"), "scm-dom2"),
    ("schema.ttl", ("ex:g1", "rdfs:range", "ex:RB"), "scm-rng1"),
    ("schema.ttl", ("ex:g3", "rdfs:range", "ex:RC"), "scm-rng2"),
    ("schema.ttl", ("ex:HV1", "rdfs:subClassOf", "ex:HV2"), "scm-hv"),
    ("schema.ttl", ("ex:S1", "rdfs:subClassOf", "ex:S2"), "scm-svf1"),
    ("schema.ttl", ("ex:T1", "rdfs:subClassOf", "ex:T2"), "scm-svf2"),
    ("schema.ttl", ("ex:U1", "rdfs:subClassOf", "ex:U2"), "scm-avf1"),
    ("schema.ttl", ("ex:V2", "rdfs:subClassOf", "ex:V1"), "scm-avf2"),
    ("schema.ttl", ("ex:I", "rdfs:subClassOf", "ex:I1"), "scm-int"),
    ("schema.ttl", ("ex:Ua", "rdfs:subClassOf", "ex:U"), "scm-uni"),
    # table 4: equality
    ("equality.ttl", ("ex:x2", "owl:sameAs", "ex:x1"), "eq-sym"),
    ("equality.ttl", ("ex:y1", "owl:sameAs", "ex:y3"), "eq-trans"),
    ("equality.ttl", ("ex:x2", "ex:likes", "ex:tea"), "eq-rep-s"),
    ("equality.ttl", ("ex:fan", "ex:admires", "ex:x2"), "eq-rep-o"),
    ("equality.ttl", ("ex:s", "ex:pb", "ex:o"), "eq-rep-p"),
    # table 8 feeding table 6: a literal's datatype satisfies someValuesFrom xsd:integer
    ("datatypes.ttl", ("ex:zoe", "rdf:type", "ex:Aged"), "cls-svf1"),
]


@pytest.mark.parametrize(("name", "spo", "rule"), CASES, ids=[f"{c[2]}:{c[1][0]}" for c in CASES])
def test_rule_infers_with_named_derivation(name: str, spo: tuple[str, str, str], rule: str) -> None:
    result = reasoned(name)
    t = triple(*spo)
    assert t in set(result.inferred), f"{spo} not inferred from {name}"
    derivation = result.derivations[t]
    assert derivation.rule == rule, f"{spo}: derived by {derivation.rule}, expected {rule}"
    assert derivation.premises, "an inferred triple names its premises"
    assert not result.inconsistencies


def test_derivation_premises_are_the_matched_triples() -> None:
    result = reasoned("classes.ttl")
    d = result.derivations[triple("ex:joe", "rdf:type", "ex:Driver")]
    assert set(d.premises) == {
        triple("ex:Driver", "owl:someValuesFrom", "ex:Car"),
        triple("ex:Driver", "owl:onProperty", "ex:drives"),
        triple("ex:joe", "ex:drives", "ex:beetle"),
        triple("ex:beetle", "rdf:type", "ex:Car"),
    }
    chain = reasoned("properties.ttl").derivations[triple("ex:kid", "ex:uncle", "ex:unc")]
    assert triple("ex:kid", "ex:parent", "ex:dad") in chain.premises
    assert triple("ex:dad", "ex:brother", "ex:unc") in chain.premises


def test_literal_premise_is_a_generalized_triple_with_its_own_derivation() -> None:
    result = reasoned("datatypes.ttl")
    d = result.derivations[triple("ex:zoe", "rdf:type", "ex:Aged")]
    typing = GeneralizedTriple(ox.Literal("42", datatype=iri("xsd:int")), iri("rdf:type"),
                               iri("xsd:integer"))
    assert typing in d.premises
    assert result.derivation(typing) == Derivation("dt-type2", (
        GeneralizedTriple(typing.subject, iri("rdf:type"), iri("xsd:int")),))


def test_key_needs_every_key_property() -> None:
    inferred = set(reasoned("keys.ttl").inferred)
    assert triple("ex:p1", "owl:sameAs", "ex:p3") not in inferred
    assert triple("ex:f1", "owl:sameAs", "ex:f3") not in inferred
    assert triple("ex:f2", "owl:sameAs", "ex:f1") in inferred


def test_cardinality_qualification_is_respected() -> None:
    inferred = set(reasoned("classes.ttl").inferred)
    assert triple("ex:m1", "owl:sameAs", "ex:peer") not in inferred


def test_asserted_triples_are_never_inferred_and_noise_is_dropped() -> None:
    for name in ("properties.ttl", "classes.ttl", "schema.ttl", "datatypes.ttl"):
        asserted = set(fixture(name))
        result = reasoned(name)
        inferred = result.inferred
        assert not asserted & set(inferred)
        assert len(set(inferred)) == len(inferred)
        for t in inferred:
            assert isinstance(t.subject, ox.NamedNode | ox.BlankNode)
            assert not (t.subject == t.object and t.predicate == iri("owl:sameAs"))
            assert t.object != iri("owl:Thing"), t
            assert not t.subject.value.startswith(tuple(PREFIXES[p] for p in
                                                        ("rdf", "rdfs", "owl", "xsd"))), t
    # Reflexive schema triples are published: RDFS and SPARQL entailment expect them.
    schema = reasoned("schema.ttl")
    assert triple("ex:A", "rdfs:subClassOf", "ex:A") in set(schema.inferred)
    assert schema.derivations[triple("ex:A", "rdfs:subClassOf", "ex:A")].rule == "scm-cls"
    # x owl:sameAs x is not derived for every term (eq-ref), only where a rule gives it.
    equality = reasoned("equality.ttl")
    assert equality.derivation(triple("ex:tea", "owl:sameAs", "ex:tea")) is None
    assert equality.derivation(triple("ex:x2", "owl:sameAs", "ex:x2")).rule == "eq-rep-s"


def test_plain_literals_come_back_unchanged() -> None:
    result = reasoned("datatypes.ttl")
    assert result.stats["noise"]["literal-subject"] >= 3  # "42", "Zoe", "Zoé"@fr typed
    names = {t.object for t in fixture("datatypes.ttl") if t.predicate == iri("ex:name")}
    assert names == {ox.Literal("Zoe"), ox.Literal("Zoé", language="fr")}


def test_stats_count_rules_and_time() -> None:
    stats = reasoned("properties.ttl").stats
    assert stats["per_rule"]["prp-trp"] == 1
    assert stats["inferred"] == len(reasoned("properties.ttl").inferred)
    assert stats["seconds"]["total"] > 0
    assert stats["asserted"] == len(fixture("properties.ttl"))


def test_quads_are_accepted_and_their_graph_ignored() -> None:
    g = ox.NamedNode("http://example.org/graph")
    quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in fixture("class-axioms.ttl")]
    assert set(reason(quads).inferred) == set(reasoned("class-axioms.ttl").inferred)


def test_schema_entailed_by_data_is_used() -> None:
    """owl:sameAs between classes copies a subclass axiom: the T-box is re-closed mid-run."""
    data = [
        *fixture("class-axioms.ttl"),
        triple("ex:Canine", "owl:sameAs", "ex:Dog"),
        triple("ex:wolf", "rdf:type", "ex:Canine"),
    ]
    result = reason(data)
    assert triple("ex:Canine", "rdfs:subClassOf", "ex:Animal") in set(result.inferred)
    assert triple("ex:wolf", "rdf:type", "ex:LivingThing") in set(result.inferred)
    assert result.stats["passes"] >= 2


ORACLE_FIXTURES = ["properties.ttl", "classes.ttl", "class-axioms.ttl", "schema.ttl",
                   "equality.ttl", "datatypes.ttl"]


@pytest.mark.parametrize("name", ORACLE_FIXTURES)
def test_fixture_closure_equals_owlrl(name: str) -> None:
    theirs, _noise = owlrl_inferred(fixture(name))
    diff = difference(reasoned(name).inferred, theirs)
    assert not diff, f"{name}: {diff}"


def test_progress_is_reported_and_garbage_collection_restored() -> None:
    import gc

    messages: list[str] = []
    assert gc.isenabled()
    reason(fixture("properties.ttl"), progress=messages.append)
    assert gc.isenabled()
    assert any("asserted" in m for m in messages)
    assert messages[-1].endswith("0 inconsistencies")
