"""The views' JSON endpoints, the pages and assets, and the browser rule, over real HTTP
(FastAPI TestClient on the bundled data; answers checked against /sparql on the same server)."""

from __future__ import annotations

import pytest

from tests.support.server import make_client, wait_ready
from tests.support.web import REPO, bundled_store

__all__ = ["bundled_store"]

ID = "https://w3id.org/milgraph/id/"
P = "PREFIX mil: <https://w3id.org/milgraph/ontology#>\n"
CHROME_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                 "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")  # fmt: skip
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NAVIGATE = {"Accept": CHROME_ACCEPT, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
            "Upgrade-Insecure-Requests": "1"}  # fmt: skip


@pytest.fixture(scope="module")
def client(bundled_store):
    with make_client(bundled_store) as c:
        wait_ready(c.get)
        yield c


def count(client, query: str, **params) -> int:
    r = client.get("/sparql", params={"query": P + query, **params},
                   headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# --------------------------------------------------------------------------- network


@pytest.mark.parametrize("day", ["1914-07-28", "1962-10-16", "2024-03-07"])
def test_network_edges_are_the_allied_pairs_of_the_day(client, day: str) -> None:
    r = client.get("/api/views/network", params={"asOf": day})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    pairs = count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?a mil:alliedWith ?b "
                          "FILTER(STR(?a) < STR(?b)) }", asOf=day)  # fmt: skip
    assert len(data["edges"]) == pairs > 0
    ids = {n["id"] for n in data["nodes"]}
    assert {e["source"] for e in data["edges"]} | {e["target"] for e in data["edges"]} == ids
    assert all(e["kind"] in data["kinds"] for e in data["edges"])
    assert all(set(e["alliances"]) <= set(data["alliances"]) for e in data["edges"])


def test_network_edge_kind_is_the_strongest_obligation(client) -> None:
    data = client.get("/api/views/network", params={"asOf": "2024-03-07"}).json()
    edge = next(e for e in data["edges"]
                if {e["source"], e["target"]} == {ID + "nation/FIN", ID + "nation/SWE"})  # fmt: skip
    assert ID + "org/NATO" in edge["alliances"]
    kinds = {k for a in edge["alliances"] for k in data["alliances"][a]["kinds"]}
    order = data["kinds"]
    assert edge["kind"] == min(kinds, key=order.index) if kinds else "unspecified"
    # the day before Sweden joined NATO, the pair was allied through other alliances only
    before = client.get("/api/views/network", params={"asOf": "2024-03-06"}).json()
    assert all(ID + "org/NATO" not in e["alliances"] for e in before["edges"]
               if {e["source"], e["target"]} == {ID + "nation/FIN", ID + "nation/SWE"})  # fmt: skip


def test_network_caches_and_revalidates(client) -> None:
    first = client.get("/api/views/network", params={"asOf": "1990-10-03"})
    again = client.get("/api/views/network", params={"asOf": "1990-10-03"},
                       headers={"If-None-Match": first.headers["etag"]})  # fmt: skip
    assert again.status_code == 304


# --------------------------------------------------------------------------- exercises


def test_exercises_of_a_year_with_coordinates(client) -> None:
    data = client.get("/api/views/exercises", params={"year": "2004"}).json()
    n = count(client, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a mil:MilitaryExercise ; "
                      "mil:startDate ?s FILTER(YEAR(?s) = 2004) }")  # fmt: skip
    assert data["count"] == len(data["exercises"]) == n
    located = [e for e in data["exercises"] if e["lat"] is not None]
    # MME gives geo:lat/geo:long; JME (data/imported/jme.ttl) names places only
    jme = count(client, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a mil:MilitaryExercise ; "
                        "mil:startDate ?s ; <http://purl.org/dc/terms/identifier> ?i "
                        "FILTER(YEAR(?s) = 2004 && STRSTARTS(?i, 'jme-v3:')) }")  # fmt: skip
    assert data["located"] == len(located) > 0.9 * (n - jme)
    assert all(-90 <= e["lat"] <= 90 and -180 <= e["long"] <= 180 for e in located)
    edged = next(e for e in data["exercises"] if e["iri"] == ID + "exercise/mme-2418")
    assert edged["label"] == "Edged Mallet 04" and edged["hosts"] == [ID + "nation/KEN"]
    assert set(edged["domains"]) == {"land", "sea"}
    assert data["nations"][ID + "nation/USA"] == "United States"


def test_exercises_filters(client) -> None:
    every = client.get("/api/views/exercises", params={"year": "2004"}).json()["exercises"]
    usa = client.get("/api/views/exercises", params={"year": "2004", "nation": "usa"}).json()
    assert usa["exercises"] == [e for e in every
                                if ID + "nation/USA" in e["participants"] + e["hosts"]]  # fmt: skip
    sea = client.get("/api/views/exercises", params={"year": "2004", "kind": "sea"}).json()
    assert sea["exercises"] == [e for e in every if "sea" in e["domains"]]
    assert 0 < len(sea["exercises"]) < len(every)


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/api/views/network", {}, "asOf"),
        ("/api/views/network", {"asOf": "NaN"}, "not a date"),
        ("/api/views/network", {"asOf": "1990"}, "not a date"),
        ("/api/views/network", {"asOf": "2024-02-30"}, "asOf"),
        ("/api/views/network", {"asOf": "9" * 40}, "asOf"),
        ("/api/views/network", {"asOf": "1990-01-01'; DROP"}, "asOf"),
        ("/api/views/exercises", {"year": "NaN"}, "not a year"),
        ("/api/views/exercises", {"year": "1e309"}, "not a year"),
        ("/api/views/exercises", {"year": "99999"}, "year"),
        ("/api/views/exercises", {"year": "-5"}, "not a year"),
        ("/api/views/exercises", {"year": "0"}, "not a year"),
        ("/api/views/exercises", {}, "year"),
        ("/api/views/exercises", {"year": "2004", "nation": "USA> } ; DROP"}, "not a nation"),
        ("/api/views/exercises", {"year": "2004", "nation": "X" * 200}, "nation"),
        ("/api/views/exercises", {"year": "2004", "kind": "submarine"}, "not a domain"),
        ("/api/views/explain", {"s": "x" * 5000, "p": "mil:memberOf", "o": "id:org/NATO"}, "s is"),
        ("/api/views/explain", {"s": "id:nation/SWE", "p": "mil:memberOf", "o": "id:org/NATO",
                                "asOf": "yesterday"}, "asOf"),
        ("/api/views/queries/members-on-date/sparql", {"date": "1999-13-01"}, "date"),
        ("/api/views/queries/members-on-date/sparql", {"org": "NATO>"}, "org"),
        ("/api/views/queries/members-on-date/sparql", {"bogus": "1"}, "unknown parameter"),
    ],
)
def test_bad_parameters_are_clear_problems(client, path: str, params: dict, says: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 400 and says in body["detail"], body


def test_unknowns_are_404(client) -> None:
    r = client.get("/api/views/queries/no-such-query/sparql")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    r = client.get("/api/views/explain", params={"s": "id:nation/FIN", "p": "mil:memberOf",
                                                 "o": "id:org/NATO", "asOf": "1990-01-01"})  # fmt: skip
    assert r.status_code == 404 and "does not hold" in r.json()["detail"]


# --------------------------------------------------------------------------- explanations, queries


def test_explanation_has_file_lines_and_source_links(client) -> None:
    r = client.get("/api/views/explain", params={"s": "id:nation/SWE", "p": "mil:memberOf",
                                                 "o": "id:org/NATO", "asOf": "2024-06-01"})  # fmt: skip
    assert r.status_code == 200
    leaves = r.json()["explanation"]["premises"]
    lines = (REPO / "data/memberships-nato.ttl").read_text(encoding="utf-8").splitlines()
    for leaf in leaves:
        (entry,) = leaf["asserted"]
        assert entry["file"] == "data/memberships-nato.ttl"
        text = lines[entry["line"] - 1]
        prop = leaf["text"].split()[1]
        assert prop in text, (leaf["text"], text)  # the line that states the triple
        assert entry["links"] and all(u.startswith("https://") for u in entry["links"])


def test_dataset_sources_link_to_their_documents(client) -> None:
    r = client.get("/api/views/explain", params={"s": "id:nation/FIN", "p": "mil:alliedWith",
                                                 "o": "id:nation/SWE", "asOf": "2024-06-01"})  # fmt: skip
    found = []

    def walk(n):
        found.extend(n.get("asserted") or [])
        for p in n["premises"]:
            walk(p)

    doc = r.json()
    # the curated NATO derivation comes first; ATOP's records are among the others
    assert doc["explanation"] == doc["derivations"][0]
    for derivation in doc["derivations"]:
        walk(derivation)
    atop = [e for e in found if e["file"] == "data/imported/atop.ttl"]
    assert atop and all(e["line"] for e in atop)
    assert all(ID + "dataset/atop-5.1" in e["sources"] and "http://www.atopdata.org/" in e["links"]
               for e in atop)  # fmt: skip


def test_named_query_as_sparql_runs_like_its_rest_endpoint(client) -> None:
    r = client.get("/api/views/queries/members-on-date/sparql",
                   params={"org": "NATO", "date": "1999-03-12"})  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert "VALUES (?org ?date)" in body["sparql"]
    rows = client.get("/sparql", params={"query": body["sparql"]},
                      headers={"Accept": "application/sparql-results+json"}).json()  # fmt: skip
    assert body["rest"] == "/api/queries/members-on-date?org=NATO&date=1999-03-12"
    rest = client.get(body["rest"]).json()
    assert len(rows["results"]["bindings"]) == len(rest["rows"]) == 19
    # required parameters take the example their description gives
    assert "nation/FIN" in client.get("/api/views/queries/alliances-on-date/sparql").json()["sparql"]


def test_views_are_in_openapi_with_bounded_parameters(client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/views/network", "/api/views/exercises", "/api/views/nations",
                 "/api/views/explain", "/api/views/queries/{name}/sparql"):  # fmt: skip
        assert path in spec["paths"], path
    params = {p["name"]: p for p in spec["paths"]["/api/views/exercises"]["get"]["parameters"]}
    assert params["year"]["required"] and params["year"]["schema"]["maxLength"] == 8
    assert "maxLength" in params["nation"]["schema"]["anyOf"][0]


# --------------------------------------------------------------------------- pages and assets


@pytest.mark.parametrize(
    ("path", "title"),
    [("/ui/network", "Alliance network"), ("/ui/map", "Exercise map"),
     ("/ui/nation/FIN", "Nation FIN"), ("/ui/dyad/USA/JPN", "USA and JPN"),
     ("/ui/explain", "Explanation"), ("/docs", "API (Swagger UI)"),
     ("/redoc", "API reference (Redoc)"), ("/ui/query/members-on-date",
                                           "Members of an organisation on a date")],
)  # fmt: skip
def test_pages_have_title_favicon_and_local_assets_only(client, path: str, title: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert f"<title>{title} — milgraph</title>" in r.text
    assert '<link rel="icon" href="/ui/static/favicon.svg"' in r.text
    assert "http://" not in r.text and "https://" not in r.text.replace(
        "https://w3id.org/milgraph/", "")  # no asset from another host
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for asset in ("/ui/static/favicon.svg", path_script(r.text)):
        a = client.get(asset)
        assert a.status_code == 200, asset


def path_script(html: str) -> str:
    return html.split('<script type="module" src="', 1)[1].split('"', 1)[0]


def test_docs_assets_are_served_locally(client) -> None:
    assert client.get("/ui/static/swagger.js").status_code == 200
    assert client.get("/ui/static/swagger.css").status_code == 200
    redoc = client.get("/ui/static/vendor/redoc.standalone.js")
    assert redoc.status_code == 200 and "cdn.redoc.ly/redoc/logo" not in redoc.text
    assert client.get("/ui/static/countries-110m.json").json()["type"] == "Topology"
    assert client.get("/favicon.ico").headers["content-type"] == "image/svg+xml"
    assert client.get("/ui/static/../../pyproject.toml").status_code == 404


def test_root_is_the_workbench_for_browsers_and_links_for_clients(client) -> None:
    page = client.get("/", headers={"Accept": CHROME_ACCEPT})
    assert page.headers["content-type"].startswith("text/html") and "workbench.js" in page.text
    assert "members-on-date" in page.text  # the named queries are its examples
    links = client.get("/", headers={"Accept": "application/json"})
    assert links.json()["sparql"].endswith("/sparql")
    assert client.get("/").json()["workbench"]  # no Accept: JSON


# --------------------------------------------------------------------------- browser rule

ASK = {"query": "ASK { ?s ?p ?o }"}


@pytest.mark.parametrize("accept", [CHROME_ACCEPT, FIREFOX_ACCEPT, "text/html"])
@pytest.mark.parametrize("navigation", [
    {"Sec-Fetch-Mode": "navigate"},
    {"Upgrade-Insecure-Requests": "1"},  # a browser on plain http to another host: no Sec-Fetch
])  # fmt: skip
def test_browser_navigation_gets_pages(client, accept: str, navigation: dict) -> None:
    headers = {"Accept": accept, **navigation}
    for path, params, script in (("/sparql", ASK, "workbench.js"), ("/void", {}, "rdf.js"),
                                 ("/sparql", {}, "rdf.js"),
                                 ("/api/queries/members-on-date", {"org": "NATO"}, "query.js")):  # fmt: skip
        r = client.get(path, params=params, headers=headers)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith("text/html"), path
        assert script in r.text
        assert "Sec-Fetch-Mode" in r.headers["vary"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # explicit data types keep exact negotiation, even on a navigation
        ({"Accept": "application/sparql-results+json", "Sec-Fetch-Mode": "navigate"},
         "application/sparql-results+json"),
        ({"Accept": "text/csv", "Upgrade-Insecure-Requests": "1"}, "text/csv"),
        # HTML acceptable, but a data type preferred
        ({"Accept": "text/html;q=0.5, application/sparql-results+xml", "Sec-Fetch-Mode": "navigate"},
         "application/sparql-results+xml"),
        # text/html only via a wildcard is not explicit
        ({"Accept": "text/*, application/sparql-results+json;q=0.9", "Sec-Fetch-Mode": "navigate"},
         "text/csv"),
        # the browser's own Accept, but from fetch() in a page (not a navigation)
        ({"Accept": CHROME_ACCEPT, "Sec-Fetch-Mode": "cors"}, "application/sparql-results+xml"),
        ({"Accept": CHROME_ACCEPT, "Sec-Fetch-Mode": "no-cors", "Upgrade-Insecure-Requests": "1"},
         "application/sparql-results+xml"),
        # a client that sends the browser's Accept but no navigation headers
        ({"Accept": CHROME_ACCEPT}, "application/sparql-results+xml"),
        ({"Accept": "*/*"}, "application/sparql-results+json"),
    ],
)
def test_clients_keep_exact_negotiation(client, headers: dict, expected: str) -> None:
    r = client.get("/sparql", params=ASK, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


def test_html_without_navigation_is_still_not_acceptable(client) -> None:
    r = client.get("/sparql", params=ASK, headers={"Accept": "text/html"})
    assert r.status_code == 406  # curl -H 'Accept: text/html' gets no page
    r = client.get("/void", headers={"Accept": "text/html"})
    assert r.status_code == 406


def test_format_parameter_wins_over_the_page(client) -> None:
    r = client.get("/sparql", params={**ASK, "format": "csv"}, headers=NAVIGATE)
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/api/queries/members-on-date", params={"org": "NATO", "format": "json"},
                   headers=NAVIGATE)  # fmt: skip
    assert r.headers["content-type"].startswith("application/json")


def test_posts_and_unknown_queries_are_not_pages(client) -> None:
    r = client.post("/sparql", data=ASK, headers=NAVIGATE)
    assert not r.headers["content-type"].startswith("text/html")
    r = client.get("/api/queries/no-such-query", headers=NAVIGATE)
    assert r.status_code == 404


# --------------------------------------------------------------------------- nation indicators


def test_nation_indicators_per_year(client) -> None:
    data = client.get("/api/views/nations/FIN/indicators").json()
    years = {y["year"]: y for y in data["years"]}
    assert ID + "org/NATO" in years[2023]["alliances"]["facts"]  # joined 2023-04-04
    assert ID + "org/NATO" not in years[2022]["alliances"]["facts"]
    for year in (1995, 2004):
        fin = f"<{ID}nation/FIN>"
        n = count(client, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a mil:MilitaryExercise ; "
                          f"mil:startDate ?s . {{ ?e mil:participant {fin} }} UNION "
                          f"{{ ?e mil:host {fin} }} FILTER(YEAR(?s) = {year}) }}")  # fmt: skip
        assert years[year]["exercises"]["count"] == n
    # a year counts what held on any of its days: at least what held on its last day
    members = count(client, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ <{ID}nation/FIN> "
                            "mil:memberOf ?o . ?o a mil:Alliance }", asOf="1995-12-31")  # fmt: skip
    assert years[1995]["alliances"]["count"] >= members > 0
    window = client.get("/api/views/nations/FIN/indicators", params={"from": "1990", "to": "1999"})
    assert [y["year"] for y in window.json()["years"]] == list(range(1990, 2000))


@pytest.mark.parametrize(("params", "status"), [({"from": "NaN"}, 400), ({"to": "2024-13-01"}, 400),
                                                ({"from": "2000", "to": "1990"}, 400),
                                                ({"from": "1" * 50}, 400)])  # fmt: skip
def test_nation_indicators_bad_parameters(client, params: dict, status: int) -> None:
    r = client.get("/api/views/nations/FIN/indicators", params=params)
    assert r.status_code == status and r.headers["content-type"].startswith("application/problem")


def test_nation_indicators_unknown_nation(client) -> None:
    assert client.get("/api/views/nations/XXX/indicators").status_code == 404
    assert client.get("/api/views/nations/" + "X" * 100 + "/indicators").status_code == 400
