"""The workbench and the views in real headless Chromium, against a live server on the bundled
data: what each page drew (``data-items``), no console error, no request off 127.0.0.1. Each
run writes screenshots to .milgraph/screenshots/; `make screenshots` refreshes the ones README.md
shows (docs/screenshots/)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.web import DESKTOP, PHONE, bundled_store, chromium, visit, web_server

__all__ = ["bundled_store", "chromium", "visit", "web_server"]  # fixtures used by name

NATO = "https://w3id.org/milgraph/id/org/NATO"


def run_query(page, text: str) -> None:
    """Type a query into YASQE the way a person does: select all, type, Ctrl+Enter."""
    editor = page.locator("#yasgui .yasqe .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.evaluate("document.getElementById('yasgui').dataset.ready = 'false'")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#yasgui[data-ready=true]", timeout=30_000)


def table_rows(page) -> int:
    """Rows the result table shows (all of them: the answers tested fit one page of 50)."""
    rows = page.locator("#yasgui .yasr table tbody tr")
    if rows.count() == 1 and "No data" in rows.first.inner_text():
        return 0
    return rows.count()


def test_workbench_types_and_runs_a_query(visit) -> None:
    v = visit()
    page = v.open("/", ready="#yasgui .CodeMirror")
    assert page.title() == "SPARQL workbench — milgraph"
    assert page.get_attribute("link[rel=icon]", "href")
    # The default tab declares the project's prefixes.
    assert "PREFIX mil: <https://w3id.org/milgraph/ontology#>" in page.evaluate(
        "window.milgraphYasgui.getTab().getQuery()")
    run_query(page, "PREFIX mil: <https://w3id.org/milgraph/ontology#>\n"
                    f"SELECT ?m WHERE {{ ?m mil:memberOf <{NATO}> }}")  # fmt: skip
    assert v.items("#yasgui") == table_rows(page) == 32  # NATO today
    # As of the day before Sweden's accession: the endpoint's asOf parameter
    page.fill("#as-of", "2024-03-06")
    page.dispatch_event("#as-of", "change")
    page.evaluate("document.getElementById('yasgui').dataset.ready = 'false'")
    page.locator("#yasgui .yasqe_queryButton").first.click()
    page.wait_for_selector("#yasgui[data-ready=true]")
    assert v.items("#yasgui") == table_rows(page) == 31
    sent = [u for u in v.requests if "/sparql?" in u]
    assert parse_qs(urlsplit(sent[-1]).query)["asOf"] == ["2024-03-06"]
    # Result IRIs open the views: a nation's timeline.
    href = page.locator("#yasgui table.dataTable a.iri").first.get_attribute("href")
    assert href.startswith("/ui/nation/")
    # CSV download and share link carry the query and the date.
    csv = page.get_attribute("#csv-link", "href")
    assert "format=csv" in csv and "asOf=2024-03-06" in csv
    page.click("#share-button")
    link = page.input_value("#share-link")
    assert "asOf=2024-03-06" in link and "query=" in link
    v.screenshot("workbench")
    v.check_clean()

    # The share link opens the same query and date in a fresh browser.
    other = visit()
    p2 = other.open(link.replace(other.base, ""), ready="#yasgui .CodeMirror")
    assert "mil:memberOf" in p2.evaluate("window.milgraphYasgui.getTab().getQuery()")
    assert p2.input_value("#as-of") == "2024-03-06"
    other.check_clean()


def test_workbench_asserted_only_and_named_query_tab(visit) -> None:
    v = visit()
    page = v.open("/", ready="#yasgui .CodeMirror")
    page.select_option("#inference", "false")
    assert page.is_disabled("#as-of")
    run_query(page, "PREFIX mil: <https://w3id.org/milgraph/ontology#>\n"
                    f"SELECT ?m WHERE {{ ?m mil:memberOf <{NATO}> }}")  # fmt: skip
    assert v.items("#yasgui") == 0  # memberOf is inferred: nothing asserted
    assert "inference=false" in [u for u in v.requests if "/sparql?" in u][-1]
    page.select_option("#inference", "true")
    # A named query opens as a tab with its parameters inlined, and runs.
    page.click("#named-queries details.nq:has(button[data-query=members-on-date]) summary")
    box = page.locator("details.nq:has(button[data-query=members-on-date])")
    box.locator("input[name=org]").fill("NATO")
    box.locator("input[name=date]").fill("1999-03-12")
    page.evaluate("document.getElementById('yasgui').dataset.ready = 'false'")
    box.locator("button[data-query=members-on-date]").click()
    page.wait_for_selector("#yasgui[data-ready=true]", timeout=30_000)
    assert v.items("#yasgui") == 19
    assert "VALUES (?org ?date)" in page.evaluate("window.milgraphYasgui.getTab().getQuery()")
    v.check_clean()


def test_network_slider_redraws_without_reload(visit) -> None:
    v = visit()
    page = v.open("/ui/network?asOf=1914-07-28")
    assert page.title() == "Alliance network — milgraph"
    before = int(page.get_attribute("#network", "data-edges"))
    nodes = int(page.get_attribute("#network", "data-nodes"))
    assert before > 0 and v.items("#network") == nodes + before
    page.evaluate("window.milgraphMarker = 'same document'")
    slider = page.locator("#date-slider")
    slider.focus()
    page.evaluate("document.getElementById('network').dataset.ready = 'false'")
    # move the slider to 1962 (days since 1816-01-01) as a drag would: input events
    page.evaluate("""() => { const s = document.getElementById('date-slider');
        s.value = String(Math.round((Date.UTC(1962, 9, 16) - Date.UTC(1816, 0, 1)) / 86400000));
        s.dispatchEvent(new Event('input', {bubbles: true})); }""")
    page.wait_for_selector("#network[data-ready=true][data-as-of='1962-10-16']")
    after = int(page.get_attribute("#network", "data-edges"))
    assert after > before
    assert page.evaluate("window.milgraphMarker") == "same document"  # no page reload
    assert "asOf=1962-10-16" in page.url
    # the keyboard moves it too (one day)
    page.evaluate("document.getElementById('network').dataset.ready = 'false'")
    slider.press("ArrowRight")
    page.wait_for_selector("#network[data-ready=true][data-as-of='1962-10-17']")
    # clicking an edge opens its explanation: a real mouse click on the midpoint of the edge
    # farthest from any node (so the click cannot land on a nation)
    pos = page.evaluate("""() => { const cy = window.milgraphNetwork.cy;
        const r = document.querySelector('#network').getBoundingClientRect();
        let best = null;
        cy.edges().forEach((e) => { const m = e.renderedMidpoint();
          const d = Math.min(...cy.nodes().map((n) => Math.hypot(n.renderedPosition().x - m.x, n.renderedPosition().y - m.y)));
          if (!best || d > best.d) best = {d, x: r.left + m.x, y: r.top + m.y}; });
        return best; }""")
    assert pos["d"] > 10
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#edge-explanation[data-ready=true]")
    assert v.items("#edge-explanation") > 1
    assert "alliedWith" in page.inner_text("#network-panel")
    v.screenshot("network")
    v.check_clean()


def test_map_draws_exercises_and_filters(visit) -> None:
    v = visit()
    page = v.open("/ui/map?year=2004")
    total = v.items("#map")
    assert total > 150  # MME: 204 exercises in 2004, 201 with coordinates
    assert page.locator("#map circle.marker").count() == total
    assert page.locator("#map path.country").count() > 150  # the bundled basemap
    page.select_option("#kind-filter", "sea")
    sea = v.items("#map")
    assert 0 < sea < total
    page.select_option("#nation-filter", "https://w3id.org/milgraph/id/nation/USA")
    both = v.items("#map")
    assert 0 < both <= sea
    page.locator("#map circle.marker").first.click()
    assert "Participants" in page.inner_text("#map-panel")
    page.select_option("#kind-filter", "")
    page.select_option("#nation-filter", "")
    v.screenshot("map")
    v.check_clean()


def test_nation_view(visit) -> None:
    v = visit()
    page = v.open("/ui/nation/FIN", ready="#timeline[data-ready=true]")
    page.wait_for_selector("#chart-exercises[data-ready=true]")
    assert page.title() == "Finland — milgraph"
    assert v.items("#timeline") > 10
    assert page.locator("#timeline .vis-item").count() > 0
    assert v.items("#chart-exercises") > 5 and v.items("#chart-relations") > 5
    v.screenshot("nation")
    v.check_clean()


def test_dyad_view(visit) -> None:
    v = visit()
    page = v.open("/ui/dyad/USA/JPN?from=1950&to=2024", ready="#profile[data-ready=true]")
    page.wait_for_selector("#chart-indicators[data-ready=true]")
    assert page.title() == "United States and Japan — milgraph"
    assert v.items("#chart-indicators") > 20
    assert v.items("#profile") > 10
    assert "Treaty of Mutual Cooperation and Security" in page.inner_text("#agreements")
    v.screenshot("dyad")
    v.check_clean()


def test_explain_view(visit) -> None:
    v = visit()
    page = v.open("/ui/explain?s=id:nation/SWE&p=mil:memberOf&o=id:org/NATO&asOf=2024-06-01")
    assert v.items("#explanation") >= 3
    text = page.inner_text("#explanation")
    assert "data/memberships-nato.ttl:" in text  # file and line of the asserted triple
    assert page.locator("#explanation ul.asserted a[href^='http']").count() >= 1  # sources
    v.screenshot("explain")
    v.check_clean()


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_offline(visit, path: str) -> None:
    v = visit()
    page = v.open(path, timeout=60_000)
    assert v.items("#swagger-ui" if path == "/docs" else "#redoc") > 10
    assert page.title().endswith("— milgraph")
    v.check_clean()


def test_browser_opening_data_urls_sees_pages(visit) -> None:
    v = visit()
    page = v.open("/sparql?query=" + "ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
                  ready="#yasgui[data-ready=true]")  # fmt: skip
    assert "ASK" in page.evaluate("window.milgraphYasgui.getTab().getQuery()")
    page = v.open("/void", ready="#document[data-ready=true]")
    assert v.items("#document") > 10 and "void:triples" in page.inner_text("#document")
    page = v.open("/api/queries/members-on-date?org=NATO&date=2023-04-04", ready="#rows[data-ready=true]")
    assert v.items("#rows") == 31
    v.check_clean()


@pytest.mark.parametrize(
    ("path", "ready", "name"),
    [
        ("/", "#yasgui .CodeMirror", "workbench-phone"),
        ("/ui/network?asOf=1962-10-16", "#network[data-ready=true]", None),
        ("/ui/map?year=1995", "#map[data-ready=true]", None),
        ("/ui/nation/FIN", "#timeline[data-ready=true]", None),
        ("/ui/dyad/USA/JPN", "#profile[data-ready=true]", None),
        ("/ui/explain?s=id:nation/FIN&p=mil:alliedWith&o=id:nation/SWE&asOf=2024-06-01",
         "#explanation[data-ready=true]", None),
    ],
)
def test_pages_fit_phone_width(visit, path: str, ready: str, name: str | None) -> None:
    v = visit(PHONE)
    page = v.open(path, ready=ready)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{path} scrolls sideways at phone width ({width}px)"
    if name:
        v.screenshot(name)
    v.check_clean()


def test_pages_fit_desktop(visit) -> None:
    v = visit(DESKTOP)
    for path in ("/", "/ui/map?year=2004", "/ui/nation/USA"):
        page = v.open(path, ready="#app [data-ready=true]")
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    v.check_clean()


def test_workbench_finds_things_by_name(visit) -> None:
    """The search box asks /api/search as one types; a hit opens its view or goes into the
    query as a whole IRI."""
    v = visit()
    page = v.open("/", ready="#yasgui .CodeMirror")
    page.fill("#find", "Malabr")  # a typo
    page.wait_for_selector("#find-box[data-ready=true][data-items]:not([data-items='0'])")
    first = page.locator("#find-results li").first
    assert first.locator("a").inner_text() == "Malabar"
    assert "ExerciseSeries" in first.inner_text()
    assert v.items("#find-box") == 8
    sent = [u for u in v.requests if "/api/search?" in u]
    assert parse_qs(urlsplit(sent[-1]).query)["q"] == ["Malabr"]
    href = first.locator("a").get_attribute("href")
    editor = page.locator("#yasgui .yasqe .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+End")
    first.locator("button").click()
    query = page.evaluate("window.milgraphYasgui.getTab().getQuery()")
    assert "<https://w3id.org/milgraph/id/exercise-series/malabar>" in query
    page.select_option("#find-type", "agreement")
    page.fill("#find", "vienna document")
    page.wait_for_selector("#find-results li:first-child a:text-matches('^Vienna Document')")
    v.screenshot("workbench-search")
    opened = page.goto(v.base + href, wait_until="load")
    assert opened is not None and opened.status == 200
    v.check_clean()
