"""Entity pages are bounded at any size: each list shows the first rows of its order with its
total, and ``/<kind>/<slug>/<list>?page=N`` pages through all of it, every row once.

The store holds one hub organisation party to more agreements than a page holds (the page
size is made small here), each with its own date, an area they all cover, and the pages are
compared with a reference computed in Python from every row of the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg import explore
from kg._entities import KINDS
from kg.mapping import base_iri
from kg.store import EmbeddedStore
from webapp import close_app, create_app

SIZE = 7
AGREEMENTS = 23
KG = "https://w3id.org/partnership-graph/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DATE = ox.NamedNode("http://purl.org/dc/terms/date")


def _day(i: int) -> str:
    return f"20{10 + i % 13:02d}-{1 + i % 12:02d}-{1 + i % 27:02d}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = base_iri()
    hub, area = ox.NamedNode(root + "org/hub"), ox.NamedNode(root + "area/care")
    party, covers = ox.NamedNode(KG + "party"), ox.NamedNode(KG + "coversArea")
    quads = []
    for node, kind, name in ((hub, "org", "Hub"), (area, "area", "Care")):
        g = ox.NamedNode(root + "graph/r0")
        quads += [ox.Quad(node, RDF_TYPE, ox.NamedNode(KINDS[kind][1]), g),
                  ox.Quad(node, LABEL, ox.Literal(name), g)]  # fmt: skip
    for i in range(AGREEMENTS):
        g = ox.NamedNode(root + f"graph/r{i}")
        a = ox.NamedNode(root + f"agreement/a{i:02d}")
        other = ox.NamedNode(root + f"org/p{i % 5}")
        quads += [
            ox.Quad(a, RDF_TYPE, ox.NamedNode(KINDS["agreement"][1]), g),
            ox.Quad(a, LABEL, ox.Literal(f"Agreement {i}"), g),
            ox.Quad(a, party, hub, g),
            ox.Quad(a, party, other, g),
            ox.Quad(a, covers, area, g),
            ox.Quad(other, RDF_TYPE, ox.NamedNode(KINDS["org"][1]), g),
            ox.Quad(other, LABEL, ox.Literal(f"Partner {i % 5}"), g),
        ]
        if i % 6:  # some agreements have no date: listed last
            quads.append(ox.Quad(a, DATE, ox.Literal(_day(i), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#date")), g))  # fmt: skip
    path = tmp_path_factory.mktemp("paging") / "store"
    store = ox.Store(str(path))
    store.extend(quads)
    store.flush()
    del store
    return path


def expected_agreements() -> list[str]:
    """The hub's agreements in the page's order: the newest date first, undated last, then
    by IRI."""
    by_date: dict[str, list[str]] = {}
    for i in range(AGREEMENTS):
        if i % 6:
            by_date.setdefault(_day(i), []).append(f"agreement/a{i:02d}")
    newest = [a for day in sorted(by_date, reverse=True) for a in sorted(by_date[day])]
    return newest + sorted(f"agreement/a{i:02d}" for i in range(AGREEMENTS) if not i % 6)


@pytest.fixture(scope="module")
def web(store_path: Path) -> Iterator[Any]:
    app = create_app({"TESTING": True, "KG_STORE": str(store_path), "KG_QUERY_WORKERS": 2})
    yield app.test_client()
    close_app(app)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explore, "LIST_SIZE", SIZE)
    monkeypatch.setattr("webapp.pages.LIST_PAGE_SIZE", SIZE)


def test_the_page_shows_the_first_rows_in_order_with_the_total(web: Any) -> None:
    data = web.get("/org/hub.json").get_json()
    ids = [a["id"] for a in data["details"]["agreements"]]
    assert ids == expected_agreements()[:SIZE]
    assert data["lists"]["agreements"] == {
        "title": "agreements it is a party to",
        "total": AGREEMENTS,
        "shown": SIZE,
        "url": "/org/hub/agreements",
    }
    assert data["lists"]["partners"]["total"] == 5
    html = web.get("/org/hub").get_data(as_text=True)
    assert f"{AGREEMENTS} (the first {SIZE} shown here)" in html
    assert 'href="/org/hub/agreements"' in html
    assert html.count("It is a party to") == SIZE
    area = web.get("/area/care.json").get_json()
    assert [a["id"] for a in area["details"]["agreements"]] == expected_agreements()[:SIZE]
    assert area["lists"]["agreements"]["total"] == AGREEMENTS


@pytest.mark.parametrize("path", ["/org/hub/agreements", "/area/care/agreements"])
def test_the_pages_together_give_every_row_once(web: Any, path: str) -> None:
    seen: list[str] = []
    pages = -(-AGREEMENTS // SIZE)
    for number in range(1, pages + 1):
        data = web.get(f"{path}.json?page={number}").get_json()
        assert (data["page"], data["pages"], data["total"]) == (number, pages, AGREEMENTS)
        assert data["prev"] == (f"{path}.json?page={number - 1}" if number > 1 else None)
        assert data["next"] == (f"{path}.json?page={number + 1}" if number < pages else None)
        seen += [item["id"] for item in data["items"]]
        html = web.get(f"{path}?page={number}").get_data(as_text=True)
        for item in data["items"]:  # the HTML shows the same rows
            assert f'href="{item["url"]}"' in html
    assert seen == expected_agreements()
    assert web.get(f"{path}.json?page={pages + 1}").status_code == 404
    assert web.get(f"{path}?page={pages + 1}").status_code == 404
    for bad in ("0", "-1", "x", "1.5", "1000001"):
        for suffix in ("", ".json"):
            assert web.get(path + suffix, query_string={"page": bad}).status_code == 400


def test_partners_are_ranked_by_shared_agreements(web: Any) -> None:
    data = web.get("/org/hub/partners.json").get_json()
    shared = [item["agreements"] for item in data["items"]]
    assert shared == sorted(shared, reverse=True) and sum(shared) == AGREEMENTS
    assert [i["id"] for i in data["items"]][:3] == ["org/p0", "org/p1", "org/p2"]


def test_unknown_lists_and_entities_are_404(web: Any) -> None:
    for url in ("/org/hub/roles.json", "/org/nobody/agreements", "/area/care/partners.json"):
        assert web.get(url).status_code == 404, url


def test_rdf_of_a_hub_is_cut_and_says_so(
    web: Any, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(explore, "INCOMING_LINKS", 5)
    response = web.get("/id/org/hub.ttl")
    assert response.status_code == 200
    assert "5 of 23" in response.headers["X-KG-Truncated"]
    with EmbeddedStore(store_path, read_only=True) as store:
        assert explore.incoming_cut(store, "org/hub") == AGREEMENTS
        assert explore.incoming_cut(store, "org/p1") is None
