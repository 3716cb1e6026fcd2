"""Point-in-time views (asOf) on the fixture world: edges of every kind, through the Python API.

Each check is a SPARQL query answered by the snapshot's precomputed view for that day.
"""

from __future__ import annotations

import pytest

from milgraph import temporal
from milgraph.errors import QueryError
from tests.support.analysis import ID, MIL, PREFIXES, local, world, world_full_dates


def members(org: str, day: str) -> list[str]:
    q = PREFIXES + f"SELECT ?x WHERE {{ ?x mil:memberOf <{ID}{org}> }}"
    return sorted(local(r["x"].value) for r in temporal.query(world(), q, as_of=day))


def ask(pattern: str, day: str | None) -> bool:
    return bool(temporal.query(world(), PREFIXES + f"ASK {{ {pattern} }}", as_of=day))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("1949-08-23", []),
        ("1949-08-24", ["FRA", "USA"]),  # day of entry into force of the treaty
        ("1955-05-05", ["FRA", "USA"]),
        ("1955-05-06", ["DEU", "FRA", "USA"]),  # day of accession
        ("2023-04-03", ["DEU", "FRA", "USA"]),
        ("2023-04-04", ["DEU", "FIN", "FRA", "USA"]),
        ("2024-03-06", ["DEU", "FIN", "FRA", "USA"]),
        ("2024-03-07", ["DEU", "FIN", "FRA", "SWE", "USA"]),
        ("2150-01-01", ["DEU", "FIN", "FRA", "SWE", "USA"]),  # ongoing: no end date
    ],
)
def test_nato_members_on_the_edges(day: str, expected: list[str]) -> None:
    assert members("org/NATO", day) == expected


def test_day_of_withdrawal_is_the_first_day_out() -> None:
    assert members("org/WarsawPact", "1990-09-23") == ["DDR", "POL", "SUN"]
    assert members("org/WarsawPact", "1990-09-24") == ["POL", "SUN"]
    assert members("org/WarsawPact", "1991-06-30") == ["POL", "SUN"]
    assert members("org/WarsawPact", "1991-07-01") == []


def test_partner_role_is_affiliation_not_membership() -> None:
    fin = "id:nation\\/FIN"
    assert ask(f"{fin} mil:affiliatedWith id:org\\/NATO", "2000-01-01")
    assert not ask(f"{fin} mil:memberOf id:org\\/NATO", "2000-01-01")
    assert ask(f"{fin} mil:memberOf id:org\\/NATO", "2023-04-04")


def test_owl_consequences_follow_the_date() -> None:
    # inverse (prp-inv), symmetric alliedWith (prp-symp), chain affiliatedWith (prp-spo2)
    assert not ask("id:org\\/NATO mil:hasMember id:nation\\/FIN", "2023-04-03")
    assert ask("id:org\\/NATO mil:hasMember id:nation\\/FIN", "2023-04-04")
    assert ask("id:nation\\/USA mil:alliedWith id:nation\\/DEU", "1955-05-06")
    assert ask("id:nation\\/DEU mil:alliedWith id:nation\\/USA", "1955-05-06")
    assert not ask("id:nation\\/DEU mil:alliedWith id:nation\\/USA", "1955-05-05")
    assert ask("id:nation\\/DDR mil:alliedWith id:nation\\/POL", "1990-09-23")
    assert not ask("id:nation\\/DDR mil:alliedWith id:nation\\/POL", "1990-09-24")


def test_party_status_edges() -> None:
    inf, new_start = "id:agreement\\/inf-treaty", "id:agreement\\/new-start"
    assert not ask(f"id:nation\\/USA mil:partyTo {inf}", "1988-05-31")
    assert ask(f"id:nation\\/USA mil:partyTo {inf}", "1988-06-01")
    assert ask(f"id:nation\\/USA mil:partyTo {inf}", "2019-08-01")
    assert not ask(f"id:nation\\/USA mil:partyTo {inf}", "2019-08-02")  # terminated
    assert ask(f"id:nation\\/SUN mil:partyTo {inf}", "1991-12-25")
    assert not ask(f"id:nation\\/SUN mil:partyTo {inf}", "1991-12-26")  # withdrawal
    assert ask(f"id:nation\\/RUS mil:partyTo {inf}", "1991-12-26")  # succession
    assert ask(f"id:nation\\/RUS mil:partyTo {new_start}", "2023-02-20")
    assert not ask(f"id:nation\\/RUS mil:partyTo {new_start}", "2023-02-21")  # suspension
    assert ask(f"id:nation\\/USA mil:partyTo {new_start}", "2023-02-21")


@pytest.mark.parametrize(
    ("day", "ddr", "pol"),
    [
        ("1970-03-04", False, False),
        ("1970-03-05", True, True),
        ("1990-10-02", True, True),
        ("1990-10-03", False, True),  # the GDR ceased to exist: end date, exclusive
        (None, False, True),  # the current view
    ],
)
def test_end_date_of_an_adherence_ends_the_party_relation(day, ddr: bool, pol: bool) -> None:
    q = PREFIXES + "SELECT ?x WHERE { ?x mil:partyTo id:agreement\\/npt }"
    parties = {local(r["x"].value) for r in temporal.query(world_full_dates(), q, as_of=day)}
    assert parties == {x for x, on in (("DDR", ddr), ("POL", pol)) if on}


def test_signed_agreement_record_exists_before_entry_into_force() -> None:
    pattern = "id:adherence\\/inf-treaty\\/USA mil:signatureDate ?d"
    assert not ask(pattern, "1987-12-07")
    assert ask(pattern, "1987-12-08")
    assert not ask("id:nation\\/USA mil:partyTo id:agreement\\/inf-treaty", "1987-12-08")


def test_states_that_ceased_to_exist() -> None:
    assert ask("id:nation\\/SUN mil:statehood ?p", "1991-12-25")
    assert not ask("id:nation\\/SUN mil:statehood ?p", "1991-12-26")
    assert ask("id:nation\\/RUS mil:statehood ?p", "1991-12-26")
    assert not ask("id:nation\\/DDR mil:statehood ?p", "1990-10-03")
    assert ask("id:nation\\/DDR mil:statehood ?p", "1990-10-02")
    # the nation itself (its name, codes) is not time-bounded
    assert ask("id:nation\\/DDR a mil:Nation", "2000-01-01")


def test_records_outside_their_period_are_not_in_the_view() -> None:
    q = PREFIXES + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a mil:Membership }"
    count = lambda day: int(next(iter(temporal.query(world(), q, as_of=day)))["n"].value)  # noqa: E731
    assert count("1949-08-24") == 2
    assert count("1989-06-01") == 7  # NATO 3, Warsaw Pact 3, OSCE 1 (USA)
    # the ordinary view holds every record
    assert int(next(iter(world().query(q)))["n"].value) == 13


@pytest.mark.parametrize(
    ("day", "fra", "usa"),
    [
        ("1959-12-31", False, False),
        ("1960-01-01", True, False),  # gYear start: from its first day
        ("1962-07-15", True, True),
        ("1964-12-31", True, True),  # gYear end: until the last day of that year
        ("1965-01-01", True, False),
        ("1965-03-31", True, False),  # gYearMonth end: until the last day of that month
        ("1965-04-01", False, False),
    ],
)
def test_partial_dates(day: str, fra: bool, usa: bool) -> None:
    assert members("alliance/atop-9999", day) == [x for x, on in (("FRA", fra), ("USA", usa)) if on]


def test_days_api_gives_the_periods() -> None:
    import pyoxigraph as ox

    t = ox.Triple(
        ox.NamedNode(ID + "nation/FRA"),
        ox.NamedNode("https://w3id.org/milgraph/ontology#memberOf"),
        ox.NamedNode(ID + "alliance/atop-9999"),
    )
    assert temporal.days(world(), t).describe() == [{"from": "1960-01-01", "until": "1965-04-01"}]
    static = ox.Triple(t.subject, ox.NamedNode(MIL + "isoCode"), ox.Literal("FRA"))
    assert temporal.days(world(), static) is None


def test_bad_dates_are_refused_with_the_expected_form() -> None:
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        temporal.query(world(), "ASK {}", as_of="12/03/1999")
    with pytest.raises(QueryError, match="default-graph-uri"):
        temporal.query(world(), "ASK {}", as_of="1999-03-12", default_graph=["urn:x"])


def test_view_uses_a_logarithmic_number_of_graphs() -> None:
    epochs = world().manifest["temporal"]["counts"]["epochs"]
    graphs = temporal.graphs_as_of(world(), "1999-03-12")
    assert graphs[0] == temporal.STATIC_GRAPH
    assert len(graphs) <= 2 + epochs.bit_length()
