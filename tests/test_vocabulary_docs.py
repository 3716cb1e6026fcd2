"""The generated vocabulary reference (docs/vocabulary.html) and the hand-written guide cover
every term, and the committed HTML is what the current ontology renders to."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph

from milgraph.namespaces import MIL
from milgraph.vocabulary_docs import CONCEPTS_PATH, ONTOLOGY_PATH, axiom_notes, render_html

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = render_html(tmp_path_factory.mktemp("docs") / "vocabulary.html")
    return out.read_text(encoding="utf-8")


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_page_documents_every_term_and_concept(rendered: str) -> None:
    ontology = Graph().parse(ONTOLOGY_PATH)
    concepts = Graph().parse(CONCEPTS_PATH)
    text = _text(rendered)
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            assert str(term) in text, term  # pyLODE prints each term's IRI
            assert str(ontology.value(term, RDFS.comment)) in text, term
    for c in concepts.subjects(RDF.type, SKOS.Concept):
        local = str(c).removeprefix(str(MIL))
        assert f'id="{local}"' in rendered and f"mil:{local}" in text, c
        assert str(concepts.value(c, SKOS.definition)) in text, c
    assert "<title>milgraph ontology</title>" in rendered


def test_page_states_the_owl_axioms(rendered: str) -> None:
    text = _text(rendered)
    assert "Entailed by the property chain: mil:hasMembership then mil:organization." in text
    assert "Entailed by the property chain: mil:adherence then mil:adherent." in text
    assert "Inverse of mil:predecessorOf." in text
    assert "Characteristics: asymmetric, irreflexive" in text
    assert "Disjoint with mil:participant" in text


def test_axiom_notes_cover_every_axiom() -> None:
    g = Graph().parse(ONTOLOGY_PATH)
    notes = axiom_notes(g)
    for p in g.subjects(OWL.propertyChainAxiom, None):
        assert any(n.startswith("Entailed by the property chain") for n in notes[p])
    for p in g.subjects(RDF.type, OWL.FunctionalProperty):
        assert any("functional" in n for n in notes[p])


def test_committed_html_is_up_to_date(rendered: str) -> None:
    committed = (ROOT / "docs" / "vocabulary.html").read_text(encoding="utf-8")
    assert committed == rendered, "run: .venv/bin/python -m milgraph.vocabulary_docs"


def test_guide_mentions_every_term_and_concept() -> None:
    guide = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    vocab = Graph().parse(ONTOLOGY_PATH).parse(CONCEPTS_PATH)
    missing = sorted(
        str(t).removeprefix(str(MIL)) for t in set(vocab.subjects())
        if str(t).startswith(str(MIL)) and f"mil:{str(t).removeprefix(str(MIL))}" not in guide
    )
    assert missing == []


# --- the guide's SPARQL examples, run on the fixtures after reasoning ---------------------

PREFIXES = """PREFIX mil:    <https://w3id.org/milgraph/ontology#>
PREFIX skos:   <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd:    <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs:   <http://www.w3.org/2000/01/rdf-schema#>
PREFIX nation: <https://w3id.org/milgraph/id/nation/>
PREFIX org:    <https://w3id.org/milgraph/id/org/>
"""
B = "https://w3id.org/milgraph/id/"
EXPECTED = {
    "nato-members-now": [(f"{B}nation/FIN", "Finland"), (f"{B}nation/SWE", "Sweden"),
                         (f"{B}nation/USA", "United States of America")],
    "nato-members-on-date": [(f"{B}nation/USA",)],
    "agreements-in-force": [
        (f"{B}agreement/hotline-mou-1963", "Memorandum of Understanding Regarding the "
         "Establishment of a Direct Communications Link"),
        (f"{B}agreement/new-start", "New START")],
    "agreement-history": [
        (f"{B}agreement/hotline-mou-1963", "1963-06-20", None, None, None),
        (f"{B}agreement/inf-treaty", "1988-06-01", None, "2019-08-02", "2019-08-02"),
        (f"{B}agreement/new-start", "2011-02-05", None, None, None)],
    "party-on-date": False,
    "co-participants": [(f"{B}nation/AUS", "1"), (f"{B}nation/CAN", "1"), (f"{B}nation/EGY", "1"),
                        (f"{B}nation/GBR", "1"), (f"{B}nation/JPN", "1"), (f"{B}nation/NLD", "1")],
    "allies": [(f"{B}nation/SWE",), (f"{B}nation/USA",)],
    "exercises-per-year": [("1980", "3"), ("2024", "1")],
    "cultural-challenges": [(f"{B}exercise/rimpac-2024",
                             "https://w3id.org/milgraph/ontology#ChallengeLanguageBarriers")],
}


def _examples() -> dict[str, str]:
    guide = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", guide, flags=re.S)
    return {re.match(r"# example: (\S+)", b).group(1): b for b in blocks}


@pytest.fixture(scope="module")
def reasoned_store():
    """Fixtures + vocabulary, closed under OWL 2 RL (owlrl) and the rules, in Oxigraph."""
    import owlrl
    import pyoxigraph as ox
    from rdflib import Literal as RdfLiteral

    g = Graph().parse(ONTOLOGY_PATH).parse(CONCEPTS_PATH)
    for f in sorted((ROOT / "tests" / "fixtures" / "shapes" / "good").glob("*.ttl")):
        g.parse(f)
    rules = [p.read_text() for p in sorted((ROOT / "ontology" / "rules").glob("*.rq"))]
    for _ in range(5):
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
        clean = Graph()
        for t in g:
            if not isinstance(t[0], RdfLiteral):
                clean.add(t)
        store = ox.Store()
        store.load(clean.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        before = len(g)
        for rule in rules:
            g.parse(data=store.query(rule).serialize(format=ox.RdfFormat.N_TRIPLES).decode(),
                    format="nt")
        if len(g) == before:
            return store
    raise AssertionError("rules did not reach a fixpoint")


def test_every_example_has_an_expected_answer() -> None:
    assert sorted(_examples()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_guide_example_answers(name: str, reasoned_store) -> None:
    result = reasoned_store.query(PREFIXES + _examples()[name])
    if isinstance(EXPECTED[name], bool):
        assert bool(result) is EXPECTED[name]
        return
    rows = [tuple(None if v is None else v.value for v in row) for row in result]
    assert sorted(rows, key=str) == sorted(EXPECTED[name], key=str)
