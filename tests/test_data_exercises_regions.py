"""Exercise editions 2011-2025 outside the Indo-Pacific, asked of the reasoned snapshot.

The curated files ``data/exercises-europe.ttl``, ``-eurasia.ttl``, ``-africa-middle-east.ttl``
and ``-americas.ttl`` are built with the rest of the bundled data by the real CLI into a
temporary ``MILGRAPH_HOME``; every check is a SPARQL query an analyst would ask of the
*reasoned* graph (hosts are participants, ``mil:participatedIn``, ``mil:seriesParticipant``
and ``mil:exercisedWith`` are derived). The facts are the ones the cited sources state
(docs/data-notes-exercises.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from milgraph.snapshot import Snapshot, open_snapshot

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    "exercises-europe.ttl",
    "exercises-eurasia.ttl",
    "exercises-africa-middle-east.ttl",
    "exercises-americas.ttl",
]
ID = "https://w3id.org/milgraph/id/"
PREFIXES = """
PREFIX mil: <https://w3id.org/milgraph/ontology#>
PREFIX nation: <https://w3id.org/milgraph/id/nation/>
PREFIX ex: <https://w3id.org/milgraph/id/exercise/>
PREFIX series: <https://w3id.org/milgraph/id/exercise-series/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshot]:
    """The bundled graph, built and reasoned by ``milgraph build`` in a temporary home."""
    home = tmp_path_factory.mktemp("milgraph-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MILGRAPH_HOME", str(home))
        from milgraph.cli import app

        result = CliRunner().invoke(app, ["build", "--no-validate"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        yield open_snapshot(home / "snapshots")


def values(snapshot: Snapshot, query: str) -> set[str]:
    """The single column of a SELECT, IRIs shortened to their part after ``id/``."""
    return {row[0].value.removeprefix(ID) for row in snapshot.store.query(PREFIXES + query)}


def nations(snapshot: Snapshot, edition: str, prop: str = "mil:participant") -> set[str]:
    return {n.removeprefix("nation/") for n in values(
        snapshot, f"SELECT ?n WHERE {{ ex:{edition} {prop} ?n }}")}


def curated() -> ox.Store:
    store = ox.Store()
    for name in FILES:
        store.bulk_load(path=ROOT / "data" / name, format=ox.RdfFormat.TURTLE)
    return store


def test_the_four_regional_files_hold_at_least_150_sourced_editions() -> None:
    store = curated()
    editions = {r[0].value for r in store.query(PREFIXES + """
        SELECT ?e WHERE { ?e a mil:MilitaryExercise ; mil:partOfSeries ?s ;
                            rdfs:label ?l ; dcterms:source ?src }""")}
    assert len(editions) >= 150
    unsourced = list(store.query(PREFIXES + """SELECT ?x WHERE {
        { ?x a mil:MilitaryExercise } UNION { ?x a mil:ExerciseSeries }
        FILTER NOT EXISTS { ?x dcterms:source ?src } }"""))
    assert unsourced == []
    years = {int(e.rsplit("-", 1)[1]) for e in editions}
    assert min(years) >= 2011 and max(years) <= 2025


def test_baltops_2023_has_the_twenty_nations_and_days_the_us_navy_gave(snapshot: Snapshot) -> None:
    assert nations(snapshot, "baltops-2023") == {
        "BEL", "CAN", "DNK", "EST", "FIN", "FRA", "DEU", "ITA", "LVA", "LTU", "NLD", "NOR",
        "POL", "PRT", "ROU", "ESP", "SWE", "TUR", "GBR", "USA"}
    assert values(snapshot, "SELECT ?d WHERE { ex:baltops-2023 mil:startDate ?d }") == {
        "2023-06-04"}
    assert values(snapshot, "SELECT ?d WHERE { ex:baltops-2023 mil:endDate ?d }") == {
        "2023-06-16"}


def test_baltops_editions_from_both_files_share_the_series(snapshot: Snapshot) -> None:
    years = values(snapshot, """SELECT ?y WHERE { ?e mil:partOfSeries series:baltops ;
        mil:startDate ?d FILTER(YEAR(?d) >= 2015) BIND(STR(YEAR(?d)) AS ?y) }""")
    assert {"2015", "2017", "2018", "2019", "2020", "2022", "2023", "2024", "2025"} <= years


def test_russias_exercises_in_2021(snapshot: Snapshot) -> None:
    """"RUS exercises in 2021": curated editions from data/exercises.ttl and the new files."""
    found = values(snapshot, """SELECT ?e WHERE { nation:RUS mil:participatedIn ?e .
        ?e mil:startDate ?d FILTER(YEAR(?d) = 2021) }""")
    assert {"exercise/zapad-2021", "exercise/joint-sea-2021",
            "exercise/peace-mission-2021"} <= found


def test_usa_exercises_in_2015_are_no_longer_empty(snapshot: Snapshot) -> None:
    found = values(snapshot, """SELECT ?e WHERE { ?e mil:participant nation:USA ;
        mil:startDate ?d FILTER(YEAR(?d) = 2015) }""")
    assert {"exercise/baltops-2015", "exercise/saber-strike-2015", "exercise/flintlock-2015",
            "exercise/rapid-trident-2015"} <= found


def test_peace_mission_2018_brought_india_and_pakistan_together(snapshot: Snapshot) -> None:
    assert {"IND", "PAK", "RUS", "CHN"} <= nations(snapshot, "peace-mission-2018")
    assert nations(snapshot, "peace-mission-2018", "mil:host") == {"RUS"}
    assert nations(snapshot, "peace-mission-2021") >= {"BLR", "UZB"}
    series_partners = values(
        snapshot, "SELECT ?n WHERE { series:peace-mission mil:seriesParticipant ?n }")
    assert {"nation/IND", "nation/PAK", "nation/BLR"} <= series_partners
    assert values(snapshot, "SELECT ?x WHERE { nation:IND mil:exercisedWith ?x }") >= {
        "nation/PAK"}


def test_hosts_are_participants_after_reasoning(snapshot: Snapshot) -> None:
    assert nations(snapshot, "mosi-2023", "mil:host") == {"ZAF"}
    assert nations(snapshot, "mosi-2023") == {"ZAF", "RUS", "CHN"}
    assert values(snapshot, "SELECT ?e WHERE { nation:ZAF mil:hosted ?e }") >= {
        "exercise/mosi-2023", "exercise/shared-accord-2017"}


def test_observers_are_kept_apart_from_participants(snapshot: Snapshot) -> None:
    observers = nations(snapshot, "kavkaz-2020", "mil:observer")
    assert observers == {"AZE", "IDN", "KAZ", "TJK", "LKA"}
    assert not observers & nations(snapshot, "kavkaz-2020")
    assert nations(snapshot, "justified-accord-2023", "mil:observer") == {
        "BEL", "BWA", "BRA", "MDG", "NLD", "TZA"}


def test_steadfast_jazz_2013_is_all_28_allies_and_three_partners(snapshot: Snapshot) -> None:
    members = values(snapshot, """SELECT ?n WHERE { ?m a mil:Membership ; mil:member ?n ;
        mil:organization <https://w3id.org/milgraph/id/org/NATO> ; mil:startDate ?d
        FILTER(?d <= "2013-11-02"^^<http://www.w3.org/2001/XMLSchema#date>) }""")
    assert len(members) == 28
    took_part = nations(snapshot, "steadfast-jazz-2013")
    assert took_part == {m.removeprefix("nation/") for m in members} | {"FIN", "SWE", "UKR"}


def test_csto_and_sco_exercises_name_their_member_contingents(snapshot: Snapshot) -> None:
    assert nations(snapshot, "interaction-2019") == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    # Armenia froze its CSTO participation: the 2023 and 2024 editions are without it.
    assert "ARM" not in nations(snapshot, "interaction-2023")
    assert "ARM" not in nations(snapshot, "indestructible-brotherhood-2024")


def test_editions_per_series_in_africa_and_the_americas(snapshot: Snapshot) -> None:
    rows = snapshot.store.query(PREFIXES + """
        SELECT ?s (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e mil:partOfSeries ?s ;
            dcterms:source ?src FILTER(!CONTAINS(STR(?src), "id/dataset/")) }
        GROUP BY ?s""")
    per_series = {r[0].value.removeprefix(f"{ID}exercise-series/"): int(r[1].value)
                  for r in rows}
    for slug in ("african-lion", "flintlock", "obangame-express", "cutlass-express",
                 "phoenix-express", "eager-lion", "unitas", "panamax", "tradewinds",
                 "fuerzas-comando"):
        assert per_series.get(slug, 0) >= 3, slug
    assert per_series["african-lion"] == 5  # 2021-2025


def test_an_edition_known_only_to_the_month_says_so_and_has_no_start(
        snapshot: Snapshot) -> None:
    undated = values(snapshot, """SELECT ?e WHERE { ?e mil:partOfSeries ?s ;
        dcterms:description ?d FILTER(STRSTARTS(STR(?d), "Only the"))
        FILTER NOT EXISTS { ?e mil:startDate ?x } }""")
    assert "exercise/defender-europe-2022" in undated
    no_start = values(snapshot, """SELECT ?e WHERE { ?e a mil:MilitaryExercise ;
        mil:partOfSeries ?s FILTER NOT EXISTS { ?e mil:startDate ?x }
        FILTER NOT EXISTS { ?e dcterms:source ?ds . ?ds a mil:ResearchDataset } }""")
    assert no_start == undated
