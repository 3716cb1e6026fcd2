"""Relationship profile and timeline on the real bundled data: United States – Japan checked
against ATOP and MME read directly from their CSV files, and against the curated facts."""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from datetime import date

import pytest

from milgraph.analysis import profile, timeline
from milgraph.importers.treaty_rules import TREATIES
from milgraph.temporal.dates import IntervalSet
from tests.support.analysis import ID, SHARED, bundled
from tests.temporal.test_bundled import atop_rows

MME = SHARED / "datasets" / "mme-v7" / "mme_v7.csv"


@functools.cache
def usa_japan() -> dict:
    return profile(bundled(), "USA", "JPN").to_json()


@functools.cache
def mme_together(a: str, b: str) -> dict[str, set[str]]:
    """MME exercises with both states among the participants, by start year."""
    out: dict[str, set[str]] = defaultdict(set)
    with MME.open(newline="", encoding="utf-8", errors="replace") as f:
        for r in csv.DictReader(f):
            states = {v.strip() for k, v in r.items() if k.startswith("State") and v}
            if a in states and b in states:
                out[r["s.year"]].add(ID + "exercise/mme-" + r["MMEID"].removeprefix("mme"))
    return out


def atop_shared(code_a: int, code_b: int) -> dict[str, list[dict]]:
    """ATOP alliances of two states with the days both were members, from the CSV."""
    days_a: dict[str, IntervalSet] = defaultdict(IntervalSet)
    days_b: dict[str, IntervalSet] = defaultdict(IntervalSet)
    for target, code in ((days_a, code_a), (days_b, code_b)):
        for atopid, days, _ in atop_rows()[code]:
            target[atopid] = target[atopid] | days
    return {
        ID + f"alliance/atop-{k}": (days_a[k] & days_b[k]).describe()
        for k in set(days_a) & set(days_b)
        if days_a[k] & days_b[k]
    }


def test_shared_alliances_and_organisations() -> None:
    orgs = {o["iri"]: o for o in usa_japan()["organizations"]}
    atop = {k: v["together"] for k, v in orgs.items() if "/alliance/atop-" in k}
    assert atop == atop_shared(2, 740)
    assert set(atop) == {ID + f"alliance/atop-{n}" for n in (1455, 2095, 3220, 3375, 3755)}
    assert orgs[ID + "org/UN"]["together"] == [{"from": "1956-12-18", "until": None}]
    assert orgs[ID + "org/ARF"]["together"] == [{"from": "1994-07-25", "until": None}]
    assert orgs[ID + "org/Quad"]["together"] == [{"from": "2017-11-12", "until": None}]
    assert not orgs[ID + "org/UN"]["alliance"] and orgs[ID + "alliance/atop-3375"]["alliance"]


def test_agreements() -> None:
    agreements = {a["iri"].rsplit("/", 1)[1]: a for a in usa_japan()["agreements"]}
    # the curated ones (the ADMM-Plus 2018 joint statement on practical CBMs in
    # data/cbm-asean.ttl: both took part), and the multilateral treaties of the UNODA import
    # both are party to
    curated = {"us-japan-security-treaty", "cues", "admm-plus-practical-cbm-statement-2018"}
    imported = {t.slug for t in TREATIES}
    assert curated | {"npt", "bwc", "cwc"} <= set(agreements)
    assert set(agreements) - curated <= imported
    treaty = agreements["us-japan-security-treaty"]
    assert treaty["status"] == "in force for both"
    assert treaty["inForceTogether"] == [{"from": "1960-06-23", "until": None}]
    assert treaty["dates"]["signatureDate"] == "1960-01-19"
    cues = agreements["cues"]
    assert cues["inForceTogether"] == []  # adopted by the navies, never in force
    assert cues["a"][0]["status"].startswith("adhering since 2014-04-22")


def test_exercises_per_year_match_mme() -> None:
    exercises = usa_japan()["exercises"]
    expected = mme_together("United States", "Japan")
    for year in range(1980, 2011):
        ours = {e["iri"] for e in exercises.get(str(year), []) if "/exercise/mme-" in e["iri"]}
        assert ours == expected.get(str(year), set()), year
    assert sum(len(v) for v in expected.values()) > 100
    curated = {
        y: sorted(e["iri"].rsplit("/", 1)[1] for e in xs if "/exercise/mme-" not in e["iri"])
        for y, xs in exercises.items()
    }
    for year in range(2010, 2025, 2):
        assert f"rimpac-{year}" in curated[str(year)]
    # curated Indo-Pacific editions both took part in (data/exercises*.ttl)
    assert curated["2024"] == [
        "cobra-gold-2024", "cope-north-2024", "garuda-shield-2024", "keen-edge-2024",
        "keen-sword-2024", "khaan-quest-2024", "malabar-2024", "orient-shield-2024",
        "pacific-vanguard-2024", "pitch-black-2024", "rimpac-2024", "yama-sakura-2024"]


def test_indicators() -> None:
    rows = {r["year"]: r for r in usa_japan()["indicators"]}
    mme = mme_together("United States", "Japan")
    r1985 = rows[1985]
    assert r1985["sharedAlliances"]["facts"] == [ID + "alliance/atop-3375"]
    in_force = r1985["agreementsInForce"]["facts"]
    assert ID + "agreement/us-japan-security-treaty" in in_force
    assert ID + "agreement/npt" in in_force  # USA 1970, Japan 1976 (UNODA import)
    assert ID + "agreement/cwc" not in in_force  # in force from 1997
    assert {i.rsplit("/", 1)[1] for i in in_force} - {"us-japan-security-treaty"} <= {
        t.slug for t in TREATIES}
    assert set(r1985["jointExercises"]["facts"]) == mme["1985"]
    assert r1985["jointExercises"]["count"] == len(mme["1985"])
    assert r1985["activeMeasures"]["count"] == 0
    r2024 = rows[2024]
    assert r2024["sharedAlliances"]["facts"] == [
        ID + "alliance/atop-3375",
        ID + "alliance/atop-3755",
    ]
    assert r2024["jointExercises"]["count"] == 12
    assert r2024["activeMeasures"]["facts"] == [ID + "measure/cues-encounter-procedures"]
    # the membership records behind the alliance count are listed with it
    records = r2024["sharedAlliances"]["records"]
    assert any(r.startswith(ID + "membership/atop-3375/USA/") for r in records)
    assert any(r.startswith(ID + "membership/atop-3375/JPN/") for r in records)


def test_cow_number_resolved_by_the_period() -> None:
    # COW 365 is the USSR in 1985 and Russia in 2000
    soviet = profile(bundled(), "2", "365", "1985", "1985").to_json()
    assert soviet["b"]["iri"] == ID + "nation/SUN"
    agreements = {a["iri"].rsplit("/", 1)[1]: a for a in soviet["agreements"]}
    assert "inf-treaty" not in agreements  # signed in December 1987
    assert agreements["abm-treaty"]["status"] == "in force for both"
    assert agreements["abm-treaty"]["inForceTogether"] == [
        {"from": "1985-01-01", "until": "1986-01-01"}
    ]
    russia = profile(bundled(), "2", "365", "2000", "2000").to_json()
    assert russia["b"]["iri"] == ID + "nation/RUS"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "FIN",
            [
                ("1917-12-06", "entered the state system"),
                ("1955-12-14", "joined United Nations"),
                ("2023-04-04", "joined North Atlantic Treaty Organization"),
            ],
        ),
        (
            "DDR",
            [
                ("1954-03-25", "entered the state system"),
                ("1990-10-03", "left the state system"),
            ],
        ),
    ],
)
def test_timeline_events(code: str, expected: list[tuple[str, str]]) -> None:
    events = [(e["date"], e["label"]) for e in timeline(bundled(), code).to_json()["events"]]
    for event in expected:
        assert event in events
    firsts = [_first_day(d) for d, _ in events]
    assert firsts == sorted(firsts)


def _first_day(text: str) -> date:
    """First day of a full or partial date (the order the timeline promises)."""
    parts = [int(x) for x in text.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])
