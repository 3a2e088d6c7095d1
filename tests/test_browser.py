"""The pages and the viewer in headless Chromium (Playwright), against a live waitress server.

Every test fails on a console error, an uncaught page error, or a request that leaves
127.0.0.1. Chromium must be at ``/usr/bin/chromium``: when it is missing the tests fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browse_data import EVIL, build_store
from helpers.webapp import CHROMIUM, CHROMIUM_ARGS, live_server
from playwright.sync_api import Browser, Page, sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _live(path: Path, evil: bool) -> Iterator[str]:
    build_store(path, evil=evil).close()
    with live_server(path, {"KG_QUERY_WORKERS": 2, "KG_TODAY": "2025-03-01"}, threads=None) as url:
        yield url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _live(tmp_path_factory.mktemp("live") / "store", evil=False)


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _live(tmp_path_factory.mktemp("evil") / "store", evil=True)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that records console errors, page errors and off-machine requests."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def check(request: Any) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob"):
            return
        if url.hostname != "127.0.0.1":
            problems.append(f"left the machine: {request.url}")
        if url.path.endswith("/x"):
            problems.append(f"planted <img src=x> was loaded: {request.url}")

    tab.on("request", check)
    tab.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    assert problems == []


def _ready(page: Page) -> None:
    page.wait_for_selector("#network[data-ready='1']")


def _screen_point(page: Page, js_point: str) -> dict[str, float]:
    """The page coordinates of a canvas point computed by ``js_point`` (uses ``net``)."""
    return page.evaluate(
        "() => { const net = window.kgViewer.network; const p = " + js_point + ";"
        " if (!p) return null; const d = net.canvasToDOM(p);"
        " const r = document.getElementById('network').getBoundingClientRect();"
        " return {x: r.left + d.x, y: r.top + d.y}; }"
    )


def _node_point(page: Page, nid: str) -> dict[str, float]:
    return _screen_point(page, f"net.getPositions([{nid!r}])[{nid!r}]")


def _click_edge(page: Page, edge_id: str) -> None:
    """Click the edge through the real UI: at a point on it where no node is drawn."""
    point = page.evaluate(
        "([id]) => { const net = window.kgViewer.network; const e = window.kgViewer.edges.get(id);"
        " const pos = net.getPositions([e.from, e.to]);"
        " const r = document.getElementById('network').getBoundingClientRect();"
        " for (let k = 0; k <= 16; k++) { const t = 0.5 + (k % 2 ? 1 : -1) * Math.ceil(k / 2) / 20;"
        "  const c = {x: pos[e.from].x + t * (pos[e.to].x - pos[e.from].x),"
        "             y: pos[e.from].y + t * (pos[e.to].y - pos[e.from].y)};"
        "  const d = net.canvasToDOM(c);"
        "  if (net.getNodeAt(d) === undefined && net.getEdgeAt(d) === id)"
        "   return {x: r.left + d.x, y: r.top + d.y}; }"
        " return null; }",
        [edge_id],
    )
    assert point, f"no clickable point on {edge_id}"
    page.mouse.click(point["x"], point["y"])


PAGE_TYPES = {
    "/org/beta-science-park": "Beta Science Park",
    "/person/mallory-chan": "Mallory Chan",
    "/agreement/alpha-beta-mou-2022": "Memorandum of Understanding between",
    "/area/telehealth": "telehealth",
    "/release/r1-alpha-beta": "Alpha and Beta sign MOU",
}


def test_every_page_type_opens_with_its_neighbourhood(page: Page, site: str) -> None:
    page.goto(site + "/")
    assert "organisations" in page.inner_text(".counts")
    assert "ends soon" in page.inner_text("#ending")
    # the home page lists a few; its link opens the paged list of all of them
    page.click("#all-ending")
    page.wait_for_url("**/agreements/ending")
    assert "Ended or ending agreements" in page.inner_text("h1")
    assert page.locator("#ending-list li").count() == 2
    page.click("#ending-list a[href='/agreement/alpha-beta-mou-2022']")
    page.wait_for_url("**/agreement/alpha-beta-mou-2022")
    for path, heading in PAGE_TYPES.items():
        page.goto(site + path)
        assert heading in page.inner_text("h1")
        _ready(page)
        assert page.evaluate("window.kgViewer.nodes.length") > 1
        assert page.locator("blockquote.evidence mark").count() > 0


def test_search_then_follow_a_result(page: Page, site: str) -> None:
    page.goto(site + "/")
    page.fill("#home-q", "bsp")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=bsp")
    page.click("text=Beta Science Park")
    page.wait_for_url("**/org/beta-science-park")
    assert page.inner_text("h1") == "Beta Science Park"


def test_viewer_expand_more_and_edge_sentence(page: Page, site: str) -> None:
    page.goto(site + "/graph")
    _ready(page)
    assert "Showing all 21 nodes" in page.inner_text("#note")
    assert int(page.get_attribute("#network", "data-settle-ms") or "99999") < 2000
    # a bounded overview with a note, then expansion two neighbours at a time
    page.fill("#f-limit", "1")
    page.fill("#f-batch", "2")
    page.click("#filters button[type=submit]")
    page.wait_for_function("() => document.getElementById('note').textContent.includes('of 21')")
    _ready(page)
    only = page.evaluate("window.kgViewer.nodes.getIds()[0]")
    point = _node_point(page, only)
    page.mouse.dblclick(point["x"], point["y"])
    page.wait_for_function(f"() => window.kgViewer.nodes.get('more:{only}') !== null")
    _ready(page)
    assert page.evaluate("window.kgViewer.nodes.length") == 4  # node, 2 neighbours, "+N more"
    label = page.evaluate(f"window.kgViewer.nodes.get('more:{only}').label")
    assert label.startswith("+") and label.endswith(" more")
    more = _node_point(page, f"more:{only}")
    page.mouse.click(more["x"], more["y"])
    page.wait_for_function("() => window.kgViewer.nodes.length >= 5")
    # click a party edge and read its sentence in the panel
    page.fill("#f-limit", "150")
    page.click("#filters button[type=submit]")
    page.wait_for_function("() => window.kgViewer.nodes.length === 21")
    _ready(page)
    _click_edge(page, "party|agreement/beta-gamma-cooperation-2023|org/gamma-university")
    page.wait_for_selector("#panel blockquote mark")
    assert "Gamma University signed" in page.inner_text("#panel blockquote mark")
    assert page.get_attribute("#panel footer a", "href") == "/release/r2-beta-gamma"
    # click a node: its facts and a link to its page
    point = _node_point(page, "org/gamma-university")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#panel ul.facts li")
    assert "It is a party to" in page.inner_text("#panel")
    assert page.locator("#panel a[href='/org/gamma-university']").count() == 1
    # export the view
    with page.expect_download() as png:
        page.click("#export-png")
    assert png.value.suggested_filename == "partnership-graph.png"
    with page.expect_download() as js:
        page.click("#export-json")
    assert js.value.suggested_filename == "partnership-graph.json"


def test_viewer_search_and_type_filter(page: Page, site: str) -> None:
    page.goto(site + "/graph")
    _ready(page)
    for kind in ("person", "agreement", "area", "release"):
        page.uncheck(f"#filters input[value={kind}]")
    page.click("#filters button[type=submit]")
    page.wait_for_function("() => window.kgViewer.nodes.length === 5")
    rels = page.evaluate("window.kgViewer.edges.get().map(e => e.kg.rel)")
    assert set(rels) == {"partner"}
    page.fill("#find-q", "dana")
    page.click("#find button")
    page.click("#panel button[data-node='person/dana-wu']")
    page.wait_for_function("() => window.kgViewer.nodes.get('person/dana-wu') !== null")


def test_planted_markup_is_shown_as_text_everywhere(page: Page, evil_site: str) -> None:
    pages = [
        "/",
        "/agreements/ending",
        "/search?q=alpha",
        "/org/alpha-health-authority",
        "/person/mallory-chan",
        "/agreement/alpha-beta-mou-2022",
        "/area/telehealth",
        "/release/r1-alpha-beta",
    ]
    for path in pages:
        page.goto(evil_site + path)
        if page.locator("#network").count():
            _ready(page)
        assert page.evaluate("window.__pwned") is None, path
        assert "<script>window.__pwned=1</script>" in page.inner_text("main"), path
        assert page.locator("main script, main img").count() == 0, path
    page.goto(evil_site + "/graph")
    _ready(page)
    org = "org/alpha-health-authority"
    assert EVIL in page.evaluate(f"window.kgViewer.nodes.get('{org}').kg.label")
    point = _node_point(page, org)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")
    assert "<script>window.__pwned=1</script>" in page.inner_text("div.vis-tooltip")
    assert page.locator("div.vis-tooltip script, div.vis-tooltip img").count() == 0
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#panel ul.facts li")
    assert EVIL in page.inner_text("#panel h3")
    _click_edge(page, f"party|agreement/alpha-beta-mou-2022|{org}")
    page.wait_for_selector("#panel blockquote mark")
    assert "<script>window.__pwned=1</script>" in page.inner_text("#panel")
    person = "person/mallory-chan"
    point = _node_point(page, person)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#panel ul.facts li")
    assert EVIL in page.inner_text("#panel h3")
    assert page.locator("#panel script, #panel img, #network img").count() == 0
    assert page.evaluate("window.__pwned") is None
