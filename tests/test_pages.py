"""Entity pages, their .json twins, IRI content negotiation, home, search and the viewer's JSON.

The app runs on helper-free hand-made releases (``browse_data``): read through the real query
workers, as ``kg serve`` does. The last tests repeat the page checks on the real seed release.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browse_data import EVIL, TODAY, build_store
from rdflib import Graph, URIRef

from kg import explore
from kg.cli import main as kg_main
from kg.mapping import base_iri
from kg.store import EmbeddedStore
from webapp import close_app, create_app

PAGES = {
    "org/alpha-health-authority": [
        "Alpha Health Authority",
        "It is also called AHA.",
        " is its Director of Health.",
    ],
    "org/beta-science-park": ["It is a party to", "Gamma University"],
    "person/mallory-chan": ["Mallory Chan is Director of Health of", "Alpha and Beta sign MOU"],
    "person/carol-sun": ["witnessed the signing of", "Secretary for Innovation"],
    "agreement/alpha-beta-mou-2022": [
        "It is a Memorandum of Understanding (signed).",
        "It was signed on 2022-03-15 in Riverton.",
        "It runs for 3 years (P3Y).",
    ],
    "agreement/beta-gamma-cooperation-2023": ["ends on 2025-06-30", "Dana Wu"],
    "area/telehealth": ["It is covered by", "Beta Science Park"],
    "release/r1-alpha-beta": ["It was published on 2022-03-15 by", "It names ", "Bob Lee"],
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browse") / "store"
    build_store(path).close()
    return path


@pytest.fixture(scope="module")
def browse_app(store_path: Path) -> Iterator[Any]:
    app = create_app(
        {
            "TESTING": True,
            "KG_STORE": str(store_path),
            "KG_QUERY_WORKERS": 2,
            "KG_TODAY": TODAY.isoformat(),
        }
    )
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def reader(store_path: Path, browse_app: Any) -> Iterator[EmbeddedStore]:
    """A second read-only view of the same store, to compare the pages with the library."""
    with EmbeddedStore(store_path, read_only=True) as store:
        yield store


@pytest.fixture
def web(browse_app: Any) -> Any:
    return browse_app.test_client()


@pytest.mark.parametrize("nid", sorted(PAGES))
def test_every_page_type_states_its_facts(web: Any, nid: str) -> None:
    response = web.get("/" + nid)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in PAGES[nid]:
        assert text in page, text
    assert 'id="network"' in page and f'data-node="{nid}"' in page
    assert "<mark>" in page  # source sentences with the stated part highlighted
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("nid", sorted(PAGES))
def test_json_twin_is_the_page_dict(web: Any, reader: EmbeddedStore, nid: str) -> None:
    twin = web.get(f"/{nid}.json")
    assert twin.status_code == 200 and twin.mimetype == "application/json"
    data = explore.entity(reader, nid)
    assert twin.get_json() == json.loads(json.dumps(data))
    page = web.get("/" + nid).get_data(as_text=True)
    for fact in data["facts"]:
        for part in fact["parts"]:
            assert _escaped(part["text"]) in page


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def test_evidence_spans_mark_exactly_the_stated_part(reader: EmbeddedStore) -> None:
    data = explore.entity(reader, "agreement/alpha-beta-mou-2022")
    assert data is not None
    marked = {seg["text"] for item in data["evidence"] for seg in item["segments"] if seg["mark"]}
    assert "Mr Bob Lee, Chief Executive Officer of the BSP" in marked
    for item in data["evidence"]:
        for (lo, hi), (start, end) in zip(item["spans"], item["offsets"], strict=True):
            assert hi - lo == end - start
        assert "".join(seg["text"] for seg in item["segments"]) == item["sentence"]


@pytest.mark.parametrize(
    "nid",
    [
        "org/beta-science-park",
        "agreement/alpha-beta-mou-2022",
        "person/bob-lee",
        "area/telehealth",
        "release/r2-beta-gamma",
    ],
)
def test_the_iri_resolves_by_accept_header_and_extension(web: Any, nid: str) -> None:
    iri = URIRef(base_iri() + nid)
    page = web.get(f"/id/{nid}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/{nid}")
    twin = web.get(f"/id/{nid}", headers={"Accept": "application/json"})
    assert twin.status_code == 303 and twin.headers["Location"].endswith(f"/{nid}.json")
    for accept, ext, fmt in (
        ("text/turtle", "ttl", "turtle"),
        ("application/ld+json", "jsonld", "json-ld"),
    ):
        for response in (
            web.get(f"/id/{nid}", headers={"Accept": accept}),
            web.get(f"/id/{nid}.{ext}"),
        ):
            assert response.status_code == 200, response.data
            assert response.mimetype == accept
            with warnings.catch_warnings():
                # rdflib 7.6's JSON-LD parser uses its own deprecated ConjunctiveGraph
                warnings.simplefilter("ignore", DeprecationWarning)
                graph = Graph().parse(data=response.data, format=fmt)
            assert (iri, None, None) in graph
            assert "Vary" in response.headers


def test_unknown_entities_are_404(web: Any) -> None:
    assert web.get("/org/nobody").status_code == 404
    assert b"Not found" in web.get("/org/nobody").data
    for url in (
        "/org/nobody.json",
        "/id/org/nobody.ttl",
        "/person/Bad..Slug.json",
        "/graph/expand.json?node=org/nobody",
        "/graph/edge.json?rel=party&from=org/nobody&to=org/beta-science-park",
        "/graph/edge.json?rel=nonsense&from=org/a&to=org/b",
    ):
        response = web.get(url)
        assert response.status_code == 404, url
        assert response.get_json() == {
            "ok": False,
            "error": response.get_json()["error"],
            "status": 404,
        }
    assert web.get("/widget/x").status_code == 404
    for url in (
        "/graph/data.json?limit=0",
        "/graph/data.json?since=yesterday",
        "/graph/data.json?type=spaceship",
        "/graph/expand.json?node=<x>",
        "/graph/data.json?area=%22%20}",
    ):
        response = web.get(url)
        assert response.status_code == 400, url
        assert response.get_json()["ok"] is False


def test_search_matches_names_and_aliases(web: Any) -> None:
    found = web.get("/search.json?q=aha").get_json()["results"]
    assert [r["id"] for r in found] == ["org/alpha-health-authority"]
    assert found[0]["match"] == "AHA"
    page = web.get("/search?q=beta").get_data(as_text=True)
    assert 'href="/org/beta-science-park"' in page
    for hostile in ('"', "\\", "\\u0022 } ", 'x" } ; DROP ALL #', "' OR ''='", "<script>"):
        response = web.get("/search.json", query_string={"q": hostile})
        assert response.status_code == 200 and response.get_json()["results"] == []


def test_home_counts_and_terms_ending_within_six_months(web: Any, reader: EmbeddedStore) -> None:
    data = web.get("/index.json").get_json()
    assert data["counts"] == {
        "organisation": 5,
        "person": 6,
        "agreement": 3,
        "area": 4,
        "release": 3,
    }
    assert data["latest"][0]["id"] == "agreement/digital-health-framework-2025"
    ending = {a["id"]: a for a in data["ending"]}
    assert set(ending) == {"agreement/alpha-beta-mou-2022", "agreement/beta-gamma-cooperation-2023"}
    assert ending["agreement/alpha-beta-mou-2022"]["end"] == "2025-03-15"
    assert ending["agreement/alpha-beta-mou-2022"]["computed"] is True
    assert {a["state"] for a in ending.values()} == {"ends soon"}
    assert (data["ends_soon_total"], data["ended_total"]) == (2, 0)
    later = explore.home(reader, today=date(2025, 7, 1))
    assert {a["state"] for a in later["ending"]} == {"ended"}
    assert (later["ends_soon_total"], later["ended_total"]) == (0, 2)
    # only the agreements that ended last are listed, the latest end first on the page
    last = explore.home(reader, today=date(2025, 7, 1), ended=1)
    assert [a["id"] for a in last["ending"]] == ["agreement/beta-gamma-cooperation-2023"]
    assert last["ended_total"] == 2
    page = web.get("/").get_data(as_text=True)
    assert "ends soon" in page and "<strong>5</strong> organisations" in page
    assert 'href="/agreements/ending"' in page and "All 2 ended or ending agreements" in page


def test_ended_and_ending_agreements_are_paged(
    web: Any, reader: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = web.get("/agreements/ending.json").get_json()
    expected = explore.ending(reader, today=TODAY)
    assert data == {**expected, "prev": None, "next": None}
    assert [a["id"] for a in data["items"]] == [
        "agreement/beta-gamma-cooperation-2023",  # ends 2025-06-30: the latest end first
        "agreement/alpha-beta-mou-2022",
    ]
    assert (data["total"], data["pages"], data["page"]) == (2, 1, 1)
    page = web.get("/agreements/ending").get_data(as_text=True)
    assert 'href="/agreement/alpha-beta-mou-2022"' in page and 'rel="next"' not in page
    # one a page: prev and next links, and together the pages are the whole list
    monkeypatch.setattr("webapp.pages.ENDING_PAGE_SIZE", 1)
    first = web.get("/agreements/ending.json?page=1").get_json()
    second = web.get("/agreements/ending.json?page=2").get_json()
    assert (first["prev"], first["next"]) == (None, "/agreements/ending.json?page=2")
    assert (second["prev"], second["next"]) == ("/agreements/ending.json?page=1", None)
    assert first["items"] + second["items"] == data["items"]
    html = web.get("/agreements/ending?page=2").get_data(as_text=True)
    assert 'rel="prev" href="/agreements/ending?page=1"' in html
    assert 'href="/agreement/alpha-beta-mou-2022"' in html
    for url in ("/agreements/ending.json?page=3", "/agreements/ending?page=3"):
        response = web.get(url)
        assert response.status_code == 404, url
    assert web.get("/agreements/ending.json?page=3").get_json()["ok"] is False
    assert web.get("/agreements/ending.json?page=").get_json()["page"] == 1
    for bad in ("0", "-1", "x", "1.5", " 1", "1000001", "9" * 40):
        for path in ("/agreements/ending", "/agreements/ending.json"):
            response = web.get(path, query_string={"page": bad})
            assert response.status_code == 400, (path, bad)
        assert response.get_json()["status"] == 400
    # the entity routes keep their own paths: there is no agreement called "ending"
    assert web.get("/agreement/ending").status_code == 404


def test_overview_is_bounded_and_says_so(web: Any) -> None:
    small = web.get("/graph/data.json?limit=5").get_json()
    assert len(small["nodes"]) == 5 and small["truncated"] and small["total"] == 21
    shown = {n["id"] for n in small["nodes"]}
    assert all(e["from"] in shown and e["to"] in shown for e in small["edges"])
    whole = web.get("/graph/data.json").get_json()
    assert not whole["truncated"] and len(whole["nodes"]) == 21
    assert {n["group"] for n in whole["nodes"]} == {"org", "person", "agreement", "area", "release"}
    assert {"party", "covers", "signed", "witnessed", "role", "stated in"} <= {
        e["rel"] for e in whole["edges"]
    }


def test_overview_filters_by_type_area_and_date(web: Any) -> None:
    orgs = web.get("/graph/data.json?type=org").get_json()
    assert {n["group"] for n in orgs["nodes"]} == {"org"}
    assert {e["rel"] for e in orgs["edges"]} == {"partner"}
    robotics = web.get("/graph/data.json?area=area/medical-robotics").get_json()
    agreements = {n["id"] for n in robotics["nodes"] if n["group"] == "agreement"}
    assert agreements == {"agreement/beta-gamma-cooperation-2023"}
    recent = web.get("/graph/data.json?since=2024-01-01&until=2025-12-31").get_json()
    assert {n["id"] for n in recent["nodes"] if n["group"] == "agreement"} == {
        "agreement/digital-health-framework-2025"
    }
    assert "org/gamma-university" not in {n["id"] for n in recent["nodes"]}


def test_expand_pages_through_neighbours(web: Any) -> None:
    first = web.get("/graph/expand.json?node=org/beta-science-park&limit=2").get_json()
    total = first["total"]
    assert total > 2 and len(first["nodes"]) == 3
    assert first["more"] == total - 2 and first["next_offset"] == 2
    rest = web.get("/graph/expand.json?node=org/beta-science-park&offset=2&limit=50").get_json()
    assert rest["more"] == 0 and rest["next_offset"] is None
    seen = {n["id"] for n in first["nodes"][1:]} | {n["id"] for n in rest["nodes"][1:]}
    assert len(seen) == total


def test_edge_evidence_gives_the_sentence_and_release(web: Any) -> None:
    data = web.get(
        "/graph/edge.json?rel=party&from=agreement/alpha-beta-mou-2022&to=org/beta-science-park"
    ).get_json()
    item = data["evidence"][0]
    assert "signed a Memorandum of Understanding today" in item["sentence"]
    assert {"text": "the Beta Science Park (BSP)", "mark": True} in item["segments"]
    assert item["release"]["url"] == "/release/r1-alpha-beta"
    signed = web.get(
        "/graph/edge.json?rel=signed&from=person/dana-wu&to=agreement/beta-gamma-cooperation-2023"
    ).get_json()
    assert any(s["mark"] and "Dana Wu" in s["text"] for s in signed["evidence"][0]["segments"])
    partner = web.get(
        "/graph/edge.json?rel=partner&from=org/alpha-health-authority&to=org/beta-science-park"
    ).get_json()
    assert partner["evidence"] and partner["releases"][0]["id"] == "release/r1-alpha-beta"


def test_markup_in_names_is_escaped_in_html(tmp_path: Path) -> None:
    with build_store(tmp_path / "evil", evil=True) as store:
        app = create_app({"TESTING": True, "KG_BROWSE_STORE": store})
        web = app.test_client()
        for url in (
            "/",
            "/org/alpha-health-authority",
            "/person/mallory-chan",
            "/agreement/alpha-beta-mou-2022",
            "/release/r1-alpha-beta",
            "/area/telehealth",
            "/search?q=alpha",
        ):
            page = web.get(url).get_data(as_text=True)
            assert "<script>window" not in page and "<img src=x" not in page, url
            assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page, url
        payload = web.get("/graph/data.json").get_json()
        assert any(EVIL in n["label"] for n in payload["nodes"])


@pytest.fixture(scope="module")
def seed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    path = tmp_path_factory.mktemp("seed") / "store"
    assert kg_main(["--store", str(path), "build", "data/releases"]) == 0
    app = create_app(
        {"TESTING": True, "KG_STORE": str(path), "KG_QUERY_WORKERS": 2, "KG_TODAY": "2026-03-01"}
    )
    yield app, path
    close_app(app)


def test_every_seed_entity_has_a_page_and_a_twin(seed_app: tuple[Any, Path]) -> None:
    app, _ = seed_app
    web = app.test_client()
    nodes = web.get("/graph/data.json?limit=1000").get_json()["nodes"]
    assert {n["group"] for n in nodes} == {"org", "person", "agreement", "area", "release"}
    for node in nodes:
        assert web.get("/" + node["id"]).status_code == 200, node
        assert web.get(f"/{node['id']}.json").get_json()["label"] == node["label"]
    dh = web.get("/org/department-of-health.json").get_json()
    assert "DH" in dh["aliases"]
    assert any(
        "Hong Kong Science and Technology Parks Corporation" in f["text"] for f in dh["facts"]
    )
    home = web.get("/index.json").get_json()
    assert home["counts"]["agreement"] == 1
    assert [a["state"] for a in home["ending"]] == ["ends soon"]  # the MOU ends 2026-08-18


def test_to_pyvis_inlines_vis_network_and_escapes_titles(tmp_path: Path) -> None:
    with build_store(tmp_path / "evil", evil=True) as store:
        net = explore.to_pyvis(explore.overview(store))
    page = net.generate_html()
    assert "@version 9.1.2" in page  # vis-network itself is inlined (pyvis's template still
    # links bootstrap from jsDelivr: fine in a notebook, never served by the web app)
    assert "<script>window" not in page and "<img src=x" not in page
    assert "\\u0026lt;script\\u0026gt;window.__pwned=1" in page  # escaped title, as JSON
