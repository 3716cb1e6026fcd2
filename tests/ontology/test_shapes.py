"""SHACL shapes as stewards meet them: good records pass, each broken record gets exactly the
violation it deserves, with a message that says what is wrong and how to fix it.

Validation is set up as `milgraph validate` runs it: pyshacl, ont_graph = ontology + concepts,
inference = 'rdfs'.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from pyshacl import validate
from rdflib import RDF, SH, SKOS, BNode, Graph, URIRef
from rdflib.collection import Collection

from milgraph.namespaces import ID, MIL

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "milgraph.ttl"
CONCEPTS = ROOT / "ontology" / "concepts.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
MILSH = "https://w3id.org/milgraph/shapes#"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
DCT = "http://purl.org/dc/terms/"


class Result(NamedTuple):
    severity: str
    shape: str  # local name in milsh:, or "_" for a blank node
    focus: str  # IRI with the id/ base stripped
    path: str | None  # IRI, "<path expression>" for complex paths, or None (node shapes)
    message: str


@pytest.fixture(scope="module")
def ont_graph() -> Graph:
    return Graph().parse(ONTOLOGY).parse(CONCEPTS)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES)


def run(files: list[Path], ont_graph: Graph, shapes: Graph) -> list[Result]:
    data = Graph()
    for f in files:
        data.parse(f)
    _, report, _ = validate(data, shacl_graph=shapes, ont_graph=ont_graph, inference="rdfs",
                         advanced=True)
    out = []
    for r in report.objects(None, SH.result):  # top-level results, not sh:detail
        shape = report.value(r, SH.sourceShape)
        path = report.value(r, SH.resultPath)
        out.append(Result(
            severity=str(report.value(r, SH.resultSeverity)).removeprefix(str(SH)),
            shape=str(shape).removeprefix(MILSH) if isinstance(shape, URIRef) else "_",
            focus=str(report.value(r, SH.focusNode)).removeprefix(str(ID)),
            path=None if path is None else "<path expression>" if isinstance(path, BNode)
            else str(path),
            message=str(report.value(r, SH.resultMessage)),
        ))
    return sorted(out)


def violations(results: list[Result]) -> list[tuple[str, str, str | None]]:
    return sorted((r.shape, r.focus, r.path) for r in results if r.severity == "Violation")


def test_good_fixtures_conform_without_warnings(ont_graph: Graph, shapes: Graph) -> None:
    files = sorted((FIXTURES / "good").glob("*.ttl"))
    assert len(files) >= 2
    assert run(files, ont_graph, shapes) == []


M = str(MIL)
BAD: dict[str, list[tuple[str, str, str | None]]] = {
    "missing-label.ttl": [("LabelRequired", "nation/FIN", str(RDFS_LABEL))],
    "label-not-text.ttl": [("LabelIsText", "nation/FIN", str(RDFS_LABEL))],
    "missing-source.ttl": [("SourceRequired", "nation/FIN", DCT + "source")],
    "literal-source.ttl": [("SourceIsIRI", "nation/FIN", DCT + "source")],
    "bad-iso-code.ttl": [("NationIsoCode", "nation/FIN", M + "isoCode")],
    "bad-cow-code.ttl": [("NationCowCode", "nation/FIN", M + "cowCode")],
    "duplicate-iso-code.ttl": [("NationIsoCodeUnique", "nation/FIN", "<path expression>"),
                               ("NationIsoCodeUnique", "nation/FNL", "<path expression>")],
    "end-before-start.ttl": [("EndNotBeforeStartShape", "membership/NATO/FIN", None)],
    "string-date.ttl": [("StartDateFullShape", "membership/NATO/FIN", None)],
    "invalid-date.ttl": [("StartDateFullShape", "membership/NATO/FIN", None)],
    "partial-date-curated.ttl": [("StartDateFullShape", "membership/NATO/FIN", None)],
    "unparsed-date.ttl": [("StartDateType", "exercise/mme-88", M + "startDate")],
    "wrong-role.ttl": [("RoleConcept", "membership/NATO/FIN", M + "role")],
    "wrong-objective.ttl": [("ObjectiveConcept", "exercise/x-2024", M + "objective")],
    "membership-without-member.ttl": [("MembershipMember", "membership/NATO/FIN", M + "member")],
    "membership-two-members.ttl": [("MembershipMember", "membership/NATO/FIN", M + "member")],
    "unknown-member.ttl": [("MembershipMemberDescribed", "membership/NATO/FIN", M + "member")],
    "member-of-itself.ttl": [("MembershipNotOfItself", "membership/NATO/NATO", M + "member")],
    "adherence-without-agreement.ttl": [
        ("AdherenceAgreement", "adherence/new-start/USA", M + "agreement")],
    "entry-into-force-before-signature.ttl": [
        ("EntryIntoForceNotBeforeSignatureShape", "agreement/new-start", None)],
    # a node shape (sh:or: a participant, or participants flagged unknown by a research
    # dataset), so the result names the record, not a property
    "exercise-without-participant.ttl": [("ExerciseParticipant", "exercise/x-2024", None)],
    "observer-participant.ttl": [
        ("ExerciseObserverNotParticipant", "exercise/x-2024", M + "observer")],
    "type-clash.ttl": [("TrainingTypeClashShape", "training/x", None)],
    "security-partnership-defence.ttl": [
        ("SecurityPartnershipNoDefence", "org/X", M + "obligation")],
    # sh:equals reports both differing values: the phase's alliance and the organisation
    "phase-of-other-alliance.ttl": [
        ("MembershipPhaseOfSameAlliance", "membership/atop-1020/cow-AUH", "<path expression>"),
        ("MembershipPhaseOfSameAlliance", "membership/atop-1020/cow-AUH", "<path expression>")],
    "dataset-without-citation.ttl": [
        ("DatasetCitation", "dataset/mme-v7", DCT + "bibliographicCitation")],
}


def test_every_bad_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in (FIXTURES / "bad").glob("*.ttl")) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_fixture_gets_exactly_its_violation(
    name: str, ont_graph: Graph, shapes: Graph
) -> None:
    results = run([FIXTURES / "bad" / name], ont_graph, shapes)
    assert violations(results) == sorted(BAD[name])
    for r in results:
        if r.severity == "Violation":
            # the steward sees the shape's own message, not pyshacl's generic text
            expected = shapes.value(URIRef(MILSH + r.shape), SH.message)
            assert r.message == str(expected)


def test_messages_name_the_problem_and_the_fix(ont_graph: Graph, shapes: Graph) -> None:
    samples = {
        "end-before-start.ttl": ["mil:endDate is before mil:startDate", "remove the end date"],
        "string-date.ttl": ["xsd:date", "plain quotes is text"],
        "wrong-role.ttl": ["mil:RoleMember", "mil:RoleObserver"],
        "missing-source.ttl": ["dcterms:source", "cite"],
        "bad-iso-code.ttl": ["three capital letters", "\"FIN\""],
        "partial-date-curated.ttl": ["mil:ResearchDataset", "give the full day"],
    }
    for name, phrases in samples.items():
        (result,) = [r for r in run([FIXTURES / "bad" / name], ont_graph, shapes)
                     if r.severity == "Violation"]
        for phrase in phrases:
            assert phrase in result.message, (name, phrase)


WARNINGS = [
    ("Info", "AllianceObligationKnown", "org/Pact"),
    ("Warning", "AdherenceDatedShape", "adherence/accord/FIN"),
    ("Warning", "AgreementDatedShape", "agreement/accord"),
    ("Warning", "AgreementKindShape", "agreement/accord"),
    ("Warning", "ExerciseStart", "exercise/x"),
    ("Warning", "LabelOnePerLanguage", "nation/FIN"),
    ("Warning", "MeasureKindShape", "measure/m"),
    ("Warning", "MembershipStart", "membership/Pact/FIN"),
    ("Warning", "NationIdentifierShape", "nation/cow-BAV"),
    ("Warning", "OrganizationHasMemberships", "org/Forum"),
    ("Warning", "OrganizationKindShape", "org/Forum"),
    ("Warning", "SourceIsWebIRI", "nation/FIN"),
    ("Warning", "TrainingRecipient", "training/t"),
]


def test_incomplete_records_get_warnings_not_violations(ont_graph: Graph, shapes: Graph) -> None:
    results = run(sorted((FIXTURES / "warnings").glob("*.ttl")), ont_graph, shapes)
    assert sorted((r.severity, r.shape, r.focus) for r in results) == WARNINGS


def _shape_nodes(g: Graph) -> set:
    """Every node used as a shape: declared, targeted, or referenced by a shape parameter."""
    nodes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    nodes |= set(g.subjects(SH.path, None))
    for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        nodes |= set(g.objects(None, p))
    for p in (SH["or"], SH["and"], SH.xone):
        for lst in g.objects(None, p):
            nodes |= set(Collection(g, lst))
    return nodes


def test_every_shape_has_a_name_and_a_message(shapes: Graph) -> None:
    nodes = _shape_nodes(shapes)
    assert len(nodes) > 150
    missing = [n for n in nodes if shapes.value(n, SH.name) is None
               or shapes.value(n, SH.message) is None]
    assert missing == []


def test_shapes_use_only_defined_vocabulary(shapes: Graph, ont_graph: Graph) -> None:
    defined = {s for s in ont_graph.subjects() if isinstance(s, URIRef)}
    used = {t for triple in shapes for t in triple
            if isinstance(t, URIRef) and t.startswith(M)}
    assert sorted(used - defined) == []


@pytest.mark.parametrize(
    ("prop", "scheme"),
    [("role", "MembershipRoleScheme"), ("domain", "ExerciseDomainScheme"),
     ("purpose", "ExercisePurposeScheme"), ("objective", "ObjectiveScheme"),
     ("challenge", "ChallengeScheme"), ("principle", "TrustPrincipleScheme"),
     ("obligation", "AllianceObligationScheme"), ("dateKind", "DateKindScheme"),
     ("indicator", "IndicatorScheme")],
)
def test_concept_value_lists_match_their_scheme(
    prop: str, scheme: str, shapes: Graph, ont_graph: Graph
) -> None:
    (shape,) = [s for s in shapes.subjects(SH.path, MIL[prop]) if (s, SH["in"], None) in shapes]
    listed = set(Collection(shapes, shapes.value(shape, SH["in"])))
    assert listed == set(ont_graph.subjects(SKOS.inScheme, MIL[scheme]))


def test_concept_schemes_cover_the_properties_that_take_concepts(ont_graph: Graph) -> None:
    ranged = {p for p in ont_graph.subjects(URIRef("http://www.w3.org/2000/01/rdf-schema#range"),
                                            SKOS.Concept)}
    assert ranged == {MIL[p] for p in ("role", "domain", "purpose", "objective", "challenge",
                                       "principle", "obligation", "dateKind", "indicator")}
