"""The SPARQL editor page in headless Chromium (Playwright), against a live waitress server.

Open ``/sparql``, click a named-query example, see its rows in the results table, the
download links and the shareable URL, and follow both. The ``page`` fixture of
``test_browser`` fails the test on any console error, page error, HTTP error or request that
leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from browse_data import build_store
from helpers.webapp import live_server
from playwright.sync_api import Page
from test_browser import browser, page  # noqa: F401  (fixtures: Chromium, a watched page)

EXAMPLE = "parties"


@pytest.fixture(scope="module")
def editor_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("editor") / "store"
    build_store(path).close()
    with live_server(path, {"KG_QUERY_WORKERS": 2}) as url:
        yield url


def _expected_rows(site: str, query: str) -> list[list[str]]:
    """The example's rows as the endpoint gives them to a plain client."""
    request = urllib.request.Request(
        f"{site}/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.load(response)
    names = data["head"]["vars"]
    return [[b[n]["value"] if n in b else "" for n in names] for b in data["results"]["bindings"]]


def _table(tab: Page) -> list[list[str]]:
    return tab.evaluate(
        "() => Array.from(document.querySelectorAll('#results tbody tr'),"
        " tr => Array.from(tr.cells, td => td.textContent))"
    )


def test_run_an_example_then_download_and_share(page: Page, editor_site: str) -> None:  # noqa: F811
    page.goto(editor_site + "/sparql")
    assert page.inner_text("h1") == "SPARQL query"
    example = page.locator("button.example", has_text=EXAMPLE)
    query = example.get_attribute("data-query") or ""
    assert query.strip()
    expected = _expected_rows(editor_site, query)
    assert expected, "the example finds nothing in the test store"

    example.click()
    page.wait_for_function(
        "() => /result\\(s\\) in/.test(document.getElementById('status').textContent)"
    )
    assert page.input_value("#query") == query
    assert page.inner_text("#status").startswith(f"{len(expected)} result(s)")
    headings = page.evaluate(
        "Array.from(document.querySelectorAll('#results th'), th => th.textContent)"
    )
    assert headings == ["agreement", "organisation"]
    assert _table(page) == expected
    assert page.locator("#highlight .tok-keyword").count() > 0  # the query is highlighted

    # download links: the table formats shown, each a working URL for this query
    assert page.is_visible("#downloads")
    formats = {
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "json": "application/sparql-results+json",
    }
    for name, media_type in formats.items():
        link = page.locator(f"a.download[data-format='{name}']")
        assert link.is_visible()
        href = link.get_attribute("href") or ""
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        assert params == {"query": [query], "format": [name]}
        reply = page.request.get(editor_site + href)
        assert reply.status == 200 and reply.headers["content-type"].startswith(media_type)
    assert page.locator("a.download[data-format='turtle']").is_hidden()  # a SELECT: no RDF

    # the shareable URL names the query; opening it shows and runs the same query
    share = page.get_attribute("#share", "href") or ""
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(share).query) == {"query": [query]}
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query) == {"query": [query]}
    page.goto(editor_site + share)
    page.wait_for_function(
        "() => /result\\(s\\) in/.test(document.getElementById('status').textContent)"
    )
    assert page.input_value("#query") == query
    assert _table(page) == expected
