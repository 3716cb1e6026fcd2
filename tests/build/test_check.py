"""The shapes as `milgraph validate` applies them: after OWL 2 RL reasoning and the rules, with
the ontology directory as background. A steward sees the shape's message at the file and line
of the broken record.

Only fixtures that are consistent under OWL 2 RL are used here: an inconsistent one (e.g.
observer-participant.ttl) is reported by the reasoner, and the temporary owlrl stand-in in
milgraph/reasoning does not terminate on inconsistencies (its fixpoint loop sees owlrl add a new
error node on every pass).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import SH, Graph, URIRef

from milgraph.build import validate_inputs

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SHAPES = Graph().parse(ROOT / "ontology" / "shapes.ttl")
MILSH = "https://w3id.org/milgraph/shapes#"


def test_good_fixtures_pass_milgraph_validate() -> None:
    problems = validate_inputs(sorted((FIXTURES / "good").glob("*.ttl")))
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize(
    ("fixture", "shape", "line"),
    [
        ("missing-source.ttl", "SourceRequired", 16),
        ("bad-iso-code.ttl", "NationIsoCode", 16),
        ("wrong-objective.ttl", "ObjectiveConcept", 17),
        ("exercise-without-participant.ttl", "ExerciseParticipant", 16),
        ("entry-into-force-before-signature.ttl", "EntryIntoForceNotBeforeSignatureShape", 16),
    ],
)
def test_bad_fixture_is_reported_where_it_is_broken(fixture: str, shape: str, line: int) -> None:
    path = FIXTURES / "bad" / fixture
    problems = [p for p in validate_inputs([path]) if p.is_violation]
    message = str(SHAPES.value(URIRef(MILSH + shape), SH.message))
    matching = [p for p in problems if p.message == message]
    assert matching, [str(p) for p in problems]
    assert matching[0].location.path.endswith(f"bad/{fixture}")
    # the record's first line (or, for a property result, the property's line within it)
    assert matching[0].location.line is not None
    assert line <= matching[0].location.line <= line + 2
