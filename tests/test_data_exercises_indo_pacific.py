"""Known facts about the curated Indo-Pacific exercise editions, asked of the reasoned snapshot.

The Indo-Pacific series are curated in ``data/exercises.ttl`` (RIMPAC, Malabar, Talisman Sabre,
Cobra Gold, Balikatan) and ``data/exercises-indo-pacific.ttl`` (the other series); coverage,
sources and gaps per series are in ``docs/data-notes-exercises.md``. The bundled data is built
once into a snapshot under a temporary ``MILGRAPH_HOME`` with the real CLI, and every fact is a
SPARQL query on the *reasoned* snapshot, as an analyst would ask it. Editions are the curated
ones (not ``exercise/mme-*``), whose first day falls in 2010-2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from milgraph.snapshot import Snapshot, open_snapshot

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
ID = "https://w3id.org/milgraph/id/"
PREFIXES = """
PREFIX mil: <https://w3id.org/milgraph/ontology#>
PREFIX nation: <https://w3id.org/milgraph/id/nation/>
PREFIX series: <https://w3id.org/milgraph/id/exercise-series/>
PREFIX exercise: <https://w3id.org/milgraph/id/exercise/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/datasets is not present (imports are checked there)")

#: Curated editions per Indo-Pacific series (first day in 2010-2026), as listed in
#: docs/data-notes-exercises.md. A change here is a change of the notes too.
EDITIONS = {
    "aman-peace": 1, "ausindex": 3, "balikatan": 10, "carat-indonesia": 1, "cobra-gold": 13,
    "cope-north": 11, "cope-thunder": 2, "dharma-guardian": 4, "foal-eagle": 1,
    "freedom-shield": 3, "garuda-shakti": 1, "garuda-shield": 7, "hand-in-hand": 4,
    "harimau-shakti": 1, "jimex": 3, "kakadu": 2, "keen-edge": 1, "keen-sword": 7,
    "key-resolve": 2, "khaan-quest": 8, "komodo": 1, "lamitiye": 2, "malabar": 13,
    "mitra-shakti": 4, "nomadic-elephant": 2, "orient-shield": 5, "pacific-partnership": 4,
    "pacific-vanguard": 5, "pitch-black": 6, "red-flag-alaska": 4, "rimpac": 8, "sampriti": 4,
    "seacat": 5, "shared-destiny": 1, "simbex": 4, "surya-kiran": 4, "talisman-sabre": 8,
    "tiger-triumph": 3, "ulchi-freedom-guardian": 3, "ulchi-freedom-shield": 4,
    "vajra-prahar": 2, "yama-sakura": 8, "yudh-abhyas": 9,
}

#: The curated editions of the Indo-Pacific series, as a SPARQL pattern binding ?x and ?s.
_SERIES = " ".join(f"series:{slug}" for slug in EDITIONS)
CURATED = f"""
    ?x a mil:MilitaryExercise ; mil:partOfSeries ?s ; mil:startDate ?start .
    VALUES ?s {{ {_SERIES} }}
    FILTER(!STRSTARTS(STR(?x), "https://w3id.org/milgraph/id/exercise/mme-"))
    FILTER(YEAR(?start) >= 2010 && YEAR(?start) <= 2026)
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """MILGRAPH_HOME in a temporary directory, with the bundled snapshot built by the CLI."""
    path = tmp_path_factory.mktemp("milgraph-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MILGRAPH_HOME", str(path))
        from milgraph.cli import app

        # Validation is checked by tests/test_data_known_facts.py (`milgraph validate`).
        result = CliRunner().invoke(app, ["build", "--no-validate"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        yield path


@pytest.fixture(scope="module")
def snapshot(home: Path) -> Snapshot:
    return open_snapshot(home / "snapshots")


def select(snapshot: Snapshot, query: str) -> list[tuple[str | None, ...]]:
    rows = snapshot.store.query(PREFIXES + query)
    return [tuple(None if t is None else t.value.removeprefix(ID) for t in row) for row in rows]


def ask(snapshot: Snapshot, query: str) -> bool:
    return bool(snapshot.store.query(PREFIXES + query))


def nations(snapshot: Snapshot, edition: str, prop: str) -> set[str]:
    rows = select(snapshot, f"SELECT ?n WHERE {{ exercise:{edition} mil:{prop} ?n }}")
    return {n.removeprefix("nation/") for (n,) in rows}


def dates(snapshot: Snapshot, edition: str) -> tuple[str | None, str | None]:
    ((start, end),) = select(snapshot, f"""SELECT ?s ?e WHERE {{
        exercise:{edition} mil:startDate ?s OPTIONAL {{ exercise:{edition} mil:endDate ?e }} }}""")
    return start, end


def test_editions_per_series(snapshot: Snapshot) -> None:
    rows = select(snapshot, f"SELECT ?s (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {CURATED} }} GROUP BY ?s")
    found = {s.removeprefix("exercise-series/"): int(n) for s, n in rows}
    assert found == EDITIONS
    # The brief's target: at least 170 editions 2011-2025 across the Indo-Pacific files.
    ((n,),) = select(snapshot, f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {CURATED}
        FILTER(YEAR(?start) >= 2011 && YEAR(?start) <= 2025) }}""")
    assert int(n) >= 170


def test_every_edition_is_sourced_dated_and_named_after_its_first_year(snapshot: Snapshot) -> None:
    bad = select(snapshot, f"""SELECT ?x WHERE {{ {CURATED}
        FILTER(NOT EXISTS {{ ?x dcterms:source ?src }}
               || NOT EXISTS {{ ?x rdfs:label ?l }} || NOT EXISTS {{ ?x mil:participant ?p }}
               || DATATYPE(?start) != xsd:date
               || !STRENDS(STR(?x), CONCAT("-", STR(YEAR(?start))))
               || !STRSTARTS(STR(?x), CONCAT(REPLACE(STR(?s), "exercise-series/", "exercise/"), "-")))
    }}""")
    assert bad == []
    ends_before_start = select(snapshot, f"""SELECT ?x WHERE {{ {CURATED}
        ?x mil:endDate ?end FILTER(?end < ?start) }}""")
    assert ends_before_start == []


def test_hosts_take_part_and_observers_do_not(snapshot: Snapshot) -> None:
    host_not_participant = select(snapshot, f"""SELECT ?x ?h WHERE {{ {CURATED}
        ?x mil:host ?h FILTER NOT EXISTS {{ ?x mil:participant ?h }} }}""")
    assert host_not_participant == []
    observer_participant = select(snapshot, f"""SELECT ?x ?o WHERE {{ {CURATED}
        ?x mil:observer ?o . ?x mil:participant ?o }}""")
    assert observer_participant == []
    # Nations are the curated UN-list nodes, never new ones.
    unknown = select(snapshot, f"""SELECT DISTINCT ?n WHERE {{ {CURATED}
        {{ ?x mil:participant ?n }} UNION {{ ?x mil:observer ?n }}
        FILTER NOT EXISTS {{ ?n rdfs:label ?l }} }}""")
    assert unknown == []


def test_rimpac_2012_had_22_named_nations(snapshot: Snapshot) -> None:
    assert dates(snapshot, "rimpac-2012") == ("2012-06-29", "2012-08-03")
    assert nations(snapshot, "rimpac-2012", "host") == {"USA"}
    assert nations(snapshot, "rimpac-2012", "participant") == {
        "AUS", "CAN", "CHL", "COL", "FRA", "GBR", "IDN", "IND", "JPN", "KOR", "MEX", "MYS",
        "NLD", "NOR", "NZL", "PER", "PHL", "RUS", "SGP", "THA", "TON", "USA"}


def test_cobra_gold_2017_participants_and_observers(snapshot: Snapshot) -> None:
    assert dates(snapshot, "cobra-gold-2017") == ("2017-02-14", "2017-02-24")
    assert nations(snapshot, "cobra-gold-2017", "host") == {"THA", "USA"}
    assert {"THA", "USA", "SGP", "JPN", "IDN", "KOR", "MYS"} <= nations(
        snapshot, "cobra-gold-2017", "participant")
    assert {"MMR", "LAO", "VNM", "BRN", "PAK"} <= nations(snapshot, "cobra-gold-2017", "observer")


def test_talisman_sabre_2019_and_the_quad_at_malabar_2020(snapshot: Snapshot) -> None:
    assert dates(snapshot, "talisman-sabre-2019") == ("2019-07-11", "2019-07-24")
    assert nations(snapshot, "talisman-sabre-2019", "observer") == {"IND", "KOR"}
    assert nations(snapshot, "malabar-2020", "participant") == {"AUS", "IND", "JPN", "USA"}
    assert nations(snapshot, "malabar-2020", "host") == {"IND"}


def test_keen_sword_25_and_the_korean_peninsula_series(snapshot: Snapshot) -> None:
    # Keen Sword 25 started in 2024: the IRI carries the year of the first day.
    assert dates(snapshot, "keen-sword-2024") == ("2024-10-23", "2024-11-01")
    assert nations(snapshot, "keen-sword-2024", "participant") == {"AUS", "CAN", "JPN", "USA"}
    assert nations(snapshot, "ulchi-freedom-guardian-2017", "host") == {"KOR", "USA"}
    # Ulchi Freedom Guardian runs to 2017, Ulchi Freedom Shield from 2022: two series.
    years = select(snapshot, """SELECT ?s (MIN(YEAR(?d)) AS ?first) (MAX(YEAR(?d)) AS ?last) WHERE {
        VALUES ?s { series:ulchi-freedom-guardian series:ulchi-freedom-shield }
        ?x mil:partOfSeries ?s ; mil:startDate ?d } GROUP BY ?s ORDER BY ?s""")
    assert years == [("exercise-series/ulchi-freedom-guardian", "2011", "2017"),
                     ("exercise-series/ulchi-freedom-shield", "2022", "2025")]


def test_china_india_hand_in_hand_2019(snapshot: Snapshot) -> None:
    assert dates(snapshot, "hand-in-hand-2019") == ("2019-12-07", "2019-12-20")
    assert nations(snapshot, "hand-in-hand-2019", "host") == {"IND"}
    assert nations(snapshot, "hand-in-hand-2019", "participant") == {"CHN", "IND"}


def test_usa_exercises_in_2015(snapshot: Snapshot) -> None:
    rows = select(snapshot, """SELECT DISTINCT ?x WHERE {
        ?x a mil:MilitaryExercise ; mil:participant nation:USA ; mil:startDate ?d
        FILTER(YEAR(?d) = 2015) }""")
    found = {x.removeprefix("exercise/") for (x,) in rows}
    assert {"cobra-gold-2015", "balikatan-2015", "cope-north-2015", "talisman-sabre-2015",
            "malabar-2015", "khaan-quest-2015", "yudh-abhyas-2015"} <= found


def test_derived_exercise_partners(snapshot: Snapshot) -> None:
    # mil:exercisedWith is derived from shared participation, in both directions.
    for a, b in [("IND", "JPN"), ("CHN", "IND"), ("IND", "MNG"), ("AUS", "IND"), ("IDN", "USA")]:
        assert ask(snapshot, f"ASK {{ nation:{a} mil:exercisedWith nation:{b} . "
                             f"nation:{b} mil:exercisedWith nation:{a} }}"), (a, b)
    # India and Mongolia: Nomadic Elephant among the shared editions.
    shared = select(snapshot, """SELECT ?x WHERE { ?x mil:partOfSeries series:nomadic-elephant ;
        mil:participant nation:IND , nation:MNG }""")
    assert len(shared) == EDITIONS["nomadic-elephant"]
    # Observers are recorded apart from participants: Myanmar observed Cobra Gold 2013-2020.
    observed = select(snapshot, """SELECT ?x WHERE { ?x mil:partOfSeries series:cobra-gold ;
        mil:observer nation:MMR }""")
    assert len(observed) >= 5
