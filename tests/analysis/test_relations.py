"""Relationship profiles and timelines on the fixture world: exact answers."""

from __future__ import annotations

import pytest

from milgraph.analysis import parse_bound as bound
from milgraph.analysis import profile, resolve_nation, timeline
from milgraph.errors import AmbiguousNation, NationNotFound, QueryError
from tests.support.analysis import ID, world, world_full_dates


def nation(code: str) -> str:
    return f"{ID}nation/{code}"


# --------------------------------------------------------------------------- nations


@pytest.mark.parametrize(
    ("code", "iri"),
    [
        ("FIN", "FIN"),
        ("fin", "FIN"),
        ("375", "FIN"),
        ("GDR", "DDR"),  # COW abbreviation
        ("id:nation/SWE", "SWE"),
        (f"<{ID}nation/POL>", "POL"),
        (f"{ID}nation/JPN", "JPN"),
    ],
)
def test_nations_by_iso_cow_or_iri(code: str, iri: str) -> None:
    assert resolve_nation(world(), code).iri == nation(iri)


def test_cow_code_of_several_states_is_resolved_by_date_or_refused_with_choices() -> None:
    with pytest.raises(AmbiguousNation) as info:
        resolve_nation(world(), "365")
    assert [c.iri for c in info.value.choices] == [nation("RUS"), nation("SUN")]
    assert info.value.choices[1].statehood == [{"from": "1922-12-30", "until": "1991-12-26"}]
    assert "give an ISO code or IRI" in str(info.value)
    assert resolve_nation(
        world(),
        "365",
        start=bound("1980", end=False, name="from"),
        end=bound("1990", end=True, name="to"),
    ).iri == nation("SUN")
    assert resolve_nation(world(), "365", start=bound("2000", end=False, name="from")).iri == (
        nation("RUS")
    )
    # both existed in 1991: still ambiguous
    with pytest.raises(AmbiguousNation):
        resolve_nation(
            world(),
            "365",
            start=bound("1991", end=False, name="from"),
            end=bound("1992", end=True, name="to"),
        )


def test_unknown_nation() -> None:
    with pytest.raises(NationNotFound, match="no nation has the code 'XYZ'"):
        resolve_nation(world(), "XYZ")
    with pytest.raises(NationNotFound):
        resolve_nation(world(), "id:org/NATO")


# --------------------------------------------------------------------------- profile


def test_usa_japan_profile() -> None:
    p = profile(world(), "USA", "JPN", "2020", "2022").to_json()
    assert (p["a"]["code"], p["b"]["code"]) == ("USA", "JPN")
    assert p["organizations"] == []
    (treaty,) = p["agreements"]
    assert treaty["iri"] == ID + "agreement/us-japan-security-treaty"
    assert treaty["kinds"] == ["DefenceTreaty"]
    assert treaty["status"] == "in force for both"
    assert treaty["inForceTogether"] == [{"from": "2020-01-01", "until": "2023-01-01"}]
    assert treaty["a"][0]["period"] == [{"from": "1960-06-23", "until": None}]
    assert {y: [e["iri"] for e in xs] for y, xs in p["exercises"].items()} == {
        "2020": [ID + "exercise/keen-sword-2020"],
        "2022": [ID + "exercise/keen-sword-2022"],
    }
    assert p["exercises"]["2022"][0]["hosts"] == [nation("JPN")]
    assert [(t["iri"], t["direction"]) for t in p["training"]] == [
        (ID + "training/us-imet", "USA → JPN")
    ]
    rows = {r["year"]: r for r in p["indicators"]}
    assert sorted(rows) == [2020, 2021, 2022]
    assert [rows[y]["jointExercises"]["count"] for y in (2020, 2021, 2022)] == [1, 0, 1]
    assert rows[2022]["jointExercises"]["facts"] == [ID + "exercise/keen-sword-2022"]
    assert [rows[y]["agreementsInForce"]["count"] for y in (2020, 2021, 2022)] == [1, 1, 1]
    assert rows[2021]["agreementsInForce"]["records"] == [
        ID + "adherence/us-japan-security-treaty/JPN",
        ID + "adherence/us-japan-security-treaty/USA",
    ]
    assert all(rows[y]["sharedAlliances"]["count"] == 0 for y in rows)
    assert all(rows[y]["trainingExchanges"]["count"] == 1 for y in rows)


def test_partial_exercise_dates_count_in_their_year() -> None:
    p = profile(world(), "JPN", "USA", "1986", "1986").to_json()
    assert [e["iri"] for e in p["exercises"]["1986"]] == [ID + "exercise/mme-fixture-1"]
    assert p["exercises"]["1986"][0]["startDate"] == "1986-10"


def test_alliance_periods_and_indicators_link_the_records() -> None:
    p = profile(world(), "DEU", "USA", "1955", "1956").to_json()
    (nato,) = p["organizations"]
    assert (nato["label"], nato["alliance"]) == ("NATO", True)
    assert nato["together"] == [{"from": "1955-05-06", "until": "1957-01-01"}]
    rows = {r["year"]: r for r in p["indicators"]}
    assert rows[1955]["sharedAlliances"] == {
        "count": 1,
        "facts": [ID + "org/NATO"],
        "records": [ID + "membership/NATO/DEU", ID + "membership/NATO/USA"],
    }


def test_partnership_is_affiliation_membership_is_together() -> None:
    p = profile(world(), "FIN", "USA").to_json()
    (nato,) = p["organizations"]
    assert nato["together"] == [{"from": "2023-04-04", "until": None}]
    assert nato["affiliatedTogether"] == [{"from": "1994-05-09", "until": None}]
    roles = {(r["iri"], r.get("role")) for r in nato["a"]}
    assert roles == {
        (ID + "membership/NATO/FIN/1994-05-09", "https://w3id.org/milgraph/ontology#RolePartner"),
        (ID + "membership/NATO/FIN", None),
    }


def test_agreement_status_per_side_and_measures() -> None:
    p = profile(world(), "USA", "SUN", "1985", "1990").to_json()
    (inf,) = p["agreements"]
    assert inf["status"] == "in force for both"
    assert inf["inForceTogether"] == [{"from": "1988-06-01", "until": "1991-01-01"}]
    assert [m["iri"] for m in p["measures"]] == [ID + "measure/moscow-washington-hotline"]
    assert p["measures"][0]["kinds"] == ["Hotline"]
    rows = {r["year"]: r for r in p["indicators"]}
    assert [rows[y]["agreementsInForce"]["count"] for y in range(1985, 1991)] == [0, 0, 0, 1, 1, 1]
    assert all(rows[y]["activeMeasures"]["count"] == 1 for y in range(1985, 1991))
    later = profile(world(), "USA", "SUN", "1985", "1991").to_json()
    assert later["agreements"][0]["status"] == "USA: in force; SUN: withdrawn"
    assert later["agreements"][0]["inForceTogether"] == [
        {"from": "1988-06-01", "until": "1991-12-26"}
    ]


def test_an_adherence_that_ended_is_no_longer_in_force() -> None:
    p = profile(world_full_dates(), "POL", "DDR", "1989", "1991").to_json()
    (npt,) = p["agreements"]
    assert npt["status"] == "POL: in force; DDR: no longer a party"
    assert npt["inForceTogether"] == [{"from": "1989-01-01", "until": "1990-10-03"}]
    t = timeline(world_full_dates(), "DDR").to_json()
    events = [(e["date"], e["label"]) for e in t["events"]]
    assert ("1990-10-03", "ceased to be a party to Treaty on the Non-Proliferation of Nuclear "
            "Weapons") in events  # fmt: skip


def test_profile_refuses_bad_requests() -> None:
    with pytest.raises(QueryError, match="same nation"):
        profile(world(), "FIN", "375")
    with pytest.raises(QueryError, match="YYYY"):
        profile(world(), "FIN", "SWE", "2020/01")
    with pytest.raises(QueryError, match="after"):
        profile(world(), "FIN", "SWE", "2020", "2019")


def test_profile_text() -> None:
    text = profile(world(), "DEU", "USA", "1989", "1990").to_text()
    assert text.splitlines()[0] == "Germany (DEU) and United States (USA) (1989 to 1990)"
    assert "NATO (alliance): both members from 1989-01-01 until 1991-01-01" in text
    assert "  1989:   1    0    0    0    0" in text


# --------------------------------------------------------------------------- timeline


def test_timeline_of_a_state_that_ceased_to_exist() -> None:
    t = timeline(world(), "SUN").to_json()
    assert [(e["date"], e["label"]) for e in t["events"]] == [
        ("1922-12-30", "entered the state system"),
        ("1955-06-04", "joined Warsaw Pact"),
        ("1963-08-30", "Moscow–Washington hotline established"),
        ("1987-12-08", "signed INF Treaty"),
        ("1988-06-01", "INF Treaty entered into force for it"),
        ("1991-07-01", "left Warsaw Pact"),
        ("1991-12-26", "withdrew from INF Treaty"),
        ("1991-12-26", "left the state system"),
    ]
    assert (t["events"][0]["related"], t["events"][0]["relatedLabel"]) == (None, None)
    assert t["events"][1]["fact"] == ID + "membership/WarsawPact/SUN"
    assert t["events"][1]["related"] == ID + "org/WarsawPact"
    assert t["events"][1]["relatedLabel"] == "Warsaw Pact"
    assert t["undated"] == []


def test_timeline_window_and_roles() -> None:
    t = timeline(world(), "FIN", "1990", "2023").to_json()
    assert [(e["date"], e["label"]) for e in t["events"]] == [
        ("1994-05-09", "joined NATO (partner)"),
        ("2023-04-04", "left NATO (partner)"),
        ("2023-04-04", "joined NATO"),
    ]
    t = timeline(world(), "JPN").to_json()
    assert ("1986-10", "took part in An MME-style exercise with a partial date") in [
        (e["date"], e["label"]) for e in t["events"]
    ]
    assert ("2022-11-10", "hosted Keen Sword 23") in [(e["date"], e["label"]) for e in t["events"]]
