"""provenance.sqlite: written from a result, read back by triple, explanations end at
asserted triples."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.errors import SnapshotError
from milgraph.reasoning import (
    Explanation,
    GeneralizedTriple,
    ProvenanceStore,
    reason,
    write_provenance,
)
from milgraph.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reasoning"


def parse(*paths: Path) -> list[ox.Triple]:
    return [q.triple for p in paths for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    triples = parse(ROOT / "ontology" / "milgraph.ttl", FIXTURES / "rules-data.ttl",
                    FIXTURES / "classes.ttl", FIXTURES / "datatypes.ttl",
                    FIXTURES / "equality.ttl")
    result = reason(triples, rules=load_rules(ROOT / "ontology" / "rules"))
    path = tmp_path_factory.mktemp("prov") / "provenance.sqlite"
    write_provenance(path, result)
    with ProvenanceStore(path) as store:
        yield triples, result, store


def test_every_inferred_triple_has_its_derivation_on_disk(case) -> None:
    _triples, result, store = case
    assert result.inferred
    for t in result.inferred:
        assert store.derivation(t) == result.derivations[t], t
    assert len(store) >= len(result.inferred)


def test_asserted_and_unknown_triples_have_none(case) -> None:
    triples, _result, store = case
    assert store.derivation(triples[0]) is None
    unknown = ox.Triple(ox.NamedNode("http://example.org/nobody"),
                        ox.NamedNode("http://example.org/knows"), ox.Literal("x"))
    assert store.derivation(unknown) is None


def test_explanations_bottom_out_in_asserted_triples(case) -> None:
    triples, result, store = case
    asserted = set(triples)
    axioms = {"dt-type1", "dt-type2", "dt-disjoint", "cls-thing", "cls-nothing1", "prp-ap"}

    def leaves(node: Explanation) -> list[Explanation]:
        return [node] if not node.premises else [x for p in node.premises for x in leaves(p)]

    for t in result.inferred:
        tree = store.explain(t)
        assert tree.rule == result.derivations[t].rule
        for leaf in leaves(tree):
            assert leaf.triple in asserted or leaf.rule in axioms, (t, leaf)


def test_explanation_of_a_rule_conclusion_goes_through_owl(case) -> None:
    _triples, _result, store = case
    mil = "https://w3id.org/milgraph/ontology#"
    nid = "https://w3id.org/milgraph/id/"
    t = ox.Triple(ox.NamedNode(nid + "nation/AAA"), ox.NamedNode(mil + "exercisedWith"),
                  ox.NamedNode(nid + "nation/CCC"))
    text = "\n".join(store.explain(t).lines())
    assert "[exercisedWith]" in text and "[prp-spo1]" in text and "[asserted]" in text
    assert text.splitlines()[0].startswith(str(t))


def test_a_literal_premise_is_stored_and_explained(case) -> None:
    _triples, _result, store = case
    ex = "http://example.org/"
    d = store.derivation(ox.Triple(ox.NamedNode(ex + "zoe"),
                                   ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                   ox.NamedNode(ex + "Aged")))
    assert d is not None and d.rule == "cls-svf1"
    literal_premises = [p for p in d.premises if isinstance(p, GeneralizedTriple)]
    assert literal_premises
    assert store.derivation(literal_premises[0]).rule == "dt-type2"


def test_writing_replaces_an_old_file(case, tmp_path: Path) -> None:
    _triples, result, _store = case
    path = tmp_path / "p.sqlite"
    path.write_text("stale")
    write_provenance(path, result)
    with ProvenanceStore(path) as store:
        assert store.derivation(result.inferred[0]) is not None


def test_opening_a_missing_or_foreign_file_is_a_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not found"):
        ProvenanceStore(tmp_path / "missing.sqlite")
    (tmp_path / "junk.sqlite").write_text("this is not sqlite")
    with pytest.raises(SnapshotError, match="not a provenance file"):
        ProvenanceStore(tmp_path / "junk.sqlite")
