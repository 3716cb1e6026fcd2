"""``explain`` lists every derivation of a rule's conclusion, curated ones first, through the
Python API, ``/api/explain`` and the CLI; and the pact kinds of the alliance rules."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from milgraph.analysis import explain
from milgraph.server.analysis import make_router
from tests.support.analysis import ID, world_pacts

USA_DEU = ("id:nation/USA", "mil:alliedWith", "id:nation/DEU")


def _records(node) -> set[str]:
    """Membership records among a derivation's direct premises."""
    return {p.triple.subject.value for p in node.premises
            if "/membership/" in p.triple.subject.value}


@pytest.mark.parametrize("as_of", [None, "1990-01-01"])
def test_every_derivation_is_listed_curated_first(as_of: str | None) -> None:
    result = explain(world_pacts(), *USA_DEU, as_of)
    assert result is not None
    every = result.derivations
    # NATO (curated, alliance-level obligation); ATOP 3180 through the USA's record and
    # through Germany's (each states defence)
    assert [d.origin for d in every] == ["curated", "dataset", "dataset"]
    assert all(d.rule == "alliedWith" for d in every)
    curated, dataset, _ = every
    # the curated one matched NATO's alliance-level obligation, the dataset one ATOP's records
    premises = {p.triple.subject.value + " " + p.triple.object.value for p in curated.premises}
    assert f"{ID}org/NATO https://w3id.org/milgraph/ontology#ObligationDefence" in premises
    assert _records(dataset) & {f"{ID}membership/atop-3180/USA/1949-04-04",
                                f"{ID}membership/atop-3180/DEU/1954-10-23"}
    assert result.root is curated


def test_before_the_dataset_record_only_one_derivation() -> None:
    # DEU joined the curated NATO on 1955-05-06 (world.ttl) and signed ATOP 3180 on
    # 1954-10-23: in between, only the dataset derivation holds.
    result = explain(world_pacts(), *USA_DEU, "1955-01-01")
    assert result is not None
    assert [d.origin for d in result.derivations] == ["dataset", "dataset"]


def test_asymmetric_pact_one_side_defends() -> None:
    snapshot = world_pacts()
    result = explain(snapshot, "id:nation/JPN", "mil:alliedWith", "id:nation/USA", "1985-06-01")
    assert result is not None
    obligations = {(p.triple.subject.value, p.triple.object.value)
                   for p in result.root.premises if p.triple.predicate.value.endswith("obligation")}
    # the USA's record binds it to defence; Japan's states consultation and non-aggression only
    assert (f"{ID}membership/atop-3375/USA/1960-01-19",
            "https://w3id.org/milgraph/ontology#ObligationDefence") in obligations
    assert explain(snapshot, "id:nation/JPN", "mil:consultationPartnerOf", "id:nation/USA",
                   "1985-06-01") is not None


def test_helsinki_is_non_aggression_not_an_alliance() -> None:
    snapshot = world_pacts()
    assert explain(snapshot, "id:nation/USA", "mil:alliedWith", "id:nation/SUN",
                   "1980-01-01") is None
    result = explain(snapshot, "id:nation/USA", "mil:nonAggressionPartnerOf", "id:nation/SUN",
                     "1980-01-01")
    assert result is not None and result.root.rule == "nonAggressionPartnerOf"


def test_http_and_cli_list_the_derivations(cli) -> None:
    snapshot = world_pacts()
    app = FastAPI()
    app.include_router(make_router(lambda _request: snapshot))
    client = TestClient(app)
    r = client.get("/api/explain", params={"s": USA_DEU[0], "p": USA_DEU[1], "o": USA_DEU[2],
                                           "asOf": "1990-01-01"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert [d["origin"] for d in doc["derivations"]] == ["curated", "dataset", "dataset"]
    assert doc["explanation"] == doc["derivations"][0]
    text = client.get("/api/explain", params={"s": USA_DEU[0], "p": USA_DEU[1],
                                              "o": USA_DEU[2], "asOf": "1990-01-01",
                                              "format": "text"}).text
    assert "Derivation 1 of 3 (curated):" in text and "Derivation 3 of 3 (dataset):" in text
    assert text.index("org:NATO") < text.index("atop-3180")
    result = cli("explain", *USA_DEU, "--as-of", "1990-01-01",
                 "--store", str(snapshot.path.parent))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Derivation 1 of 3 (curated):" in result.stdout
    assert result.stdout.index("org:NATO") < result.stdout.index("atop-3180")
