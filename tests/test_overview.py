"""The viewer's overview and expansion are right at any size, never cut by a row cap.

Each payload is compared with a reference computed in Python from every node and edge of the
store, read with plain queries without any row cap. The hub store is built so that a row cap
of 10 hides its best connected nodes from any whole-graph read; through query workers capped
at 10 rows, the network read in pages of 10 rows (:func:`kg._network.network`) still finds
them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pyoxigraph as ox
import pytest
from browse_data import build_store as build_browse_store
from helpers.webapp import build_store

from kg import _network, explore
from kg._entities import KINDS, PREFIXES, kind_of, node_id, select
from kg.mapping import base_iri
from kg.sparql import QueryRunner
from kg.store import EmbeddedStore, GraphStore
from webapp.browse_store import RunnerStore, StoreUnavailable

ORDER = {"agreement": 0, "org": 1, "area": 2, "person": 3, "release": 4}
#: every edge, written as plainly as possible (property paths, one pattern per relation)
EDGES = """SELECT DISTINCT ?rel ?s ?o ?label WHERE {
  { GRAPH ?g { ?s kg:party ?o } BIND("party" AS ?rel) }
  UNION { GRAPH ?g { ?s kg:coversArea ?o } BIND("covers" AS ?rel) }
  UNION { GRAPH ?g { ?o kg:hasSigning/prov:agent ?s } BIND("signed" AS ?rel) }
  UNION { GRAPH ?g { ?o kg:hasWitnessing/prov:agent ?s } BIND("witnessed" AS ?rel) }
  UNION { GRAPH ?g { ?m org:member ?s ; org:organization ?o ; org:role/skos:prefLabel ?label }
          BIND("role" AS ?rel) }
  UNION { GRAPH ?g { ?s a kg:Agreement ; prov:wasDerivedFrom ?o } BIND("stated in" AS ?rel) }
  UNION { GRAPH ?g { ?o a kg:Release ; dcterms:publisher ?s } BIND("published" AS ?rel) }
  UNION { GRAPH ?g { ?x kg:speaker ?s ; kg:inRelease ?o } BIND("quoted in" AS ?rel) }
}"""


def reference(
    store: GraphStore,
    limit: int = 150,
    types: set[str] | None = None,
    area: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    """The overview computed in Python from every node and edge (an uncapped store)."""
    classes = " ".join(f"<{cls}>" for _, cls in KINDS.values())
    nodes: dict[str, tuple[str, str | None]] = {}
    for r in select(
        store,
        f"SELECT ?e (MIN(?l) AS ?label) (MIN(?d) AS ?date) WHERE {{ VALUES ?cls {{ {classes} }} "
        "GRAPH ?g { ?e a ?cls ; rdfs:label ?l OPTIONAL { ?e dcterms:date|dcterms:issued ?d } } "
        "} GROUP BY ?e",
    ):
        nid = node_id(r["e"] or "")
        if nid:
            nodes[nid] = (r["label"] or nid, r["date"])
    edges: dict[tuple[str, str, str], set[str]] = {}
    for r in select(store, EDGES):
        s, o = node_id(r["s"] or ""), node_id(r["o"] or "")
        if s in nodes and o in nodes and r["rel"]:
            edges.setdefault((r["rel"], s, o), set()).add(r["label"] or r["rel"])
    types = types or set(ORDER)
    allowed = set(nodes)
    if area or since or until:

        def dated(n: str) -> bool:
            day = nodes[n][1]
            if not (since or until):
                return True
            d = date.fromisoformat(day[:10]) if day else None
            return d is not None and (since or d) <= d <= (until or d)

        covering = {s for rel, s, o in edges if rel == "covers" and o == area}
        seeds = {
            n
            for n in nodes
            if kind_of(n) == "agreement" and dated(n) and (area is None or n in covering)
        }
        allowed = seeds | ({area} & set(nodes) if area else set())
        if not area:
            allowed |= {n for n in nodes if kind_of(n) == "release" and dated(n)}
        allowed |= {x for _, s, o in edges if s in seeds or o in seeds for x in (s, o)}
    kept = {k: v for k, v in edges.items() if k[1] in allowed and k[2] in allowed}
    if "agreement" not in types and "org" in types:
        parties: dict[str, set[str]] = {}
        for rel, s, o in kept:
            if rel == "party":
                parties.setdefault(s, set()).add(o)
        for orgs in parties.values():
            kept.update({("partner", a, b): {"partner"} for a in orgs for b in orgs if a < b})
    visible = {n for n in allowed if kind_of(n) in types}
    kept = {k: v for k, v in kept.items() if k[1] in visible and k[2] in visible}
    degree: Counter[str] = Counter()
    for _, s, o in kept:
        degree[s] += 1
        degree[o] += 1
    ranked = sorted(visible, key=lambda n: (-degree[n], ORDER[kind_of(n)], nodes[n][0], n))
    shown = set(ranked[:limit])
    return {
        "nodes": {n: nodes[n][0] for n in shown},
        "degrees": {n: degree[n] for n in shown},
        "edges": {
            k: ", ".join(sorted(v)) for k, v in kept.items() if k[1] in shown and k[2] in shown
        },
        "total": len(visible),
    }


def comparable(payload: dict[str, Any]) -> dict[str, Any]:
    """An overview payload in the reference's shape."""
    return {
        "nodes": {n["id"]: n["label"] for n in payload["nodes"]},
        "degrees": {n["id"]: n["degree"] for n in payload["nodes"]},
        "edges": {(e["rel"], e["from"], e["to"]): e["label"] for e in payload["edges"]},
        "total": payload["total"],
    }


@pytest.fixture(scope="module")
def browse_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    path = tmp_path_factory.mktemp("overview") / "store"
    build_browse_store(path).close()
    with EmbeddedStore(path, read_only=True) as store:
        yield store


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"limit": 1},
        {"limit": 4},
        {"limit": 9},
        {"types": {"org"}},
        {"types": {"org", "person"}, "limit": 5},
        {"types": {"agreement", "area"}},
        {"types": {"area"}, "limit": 1000},
        {"area": "area/telehealth"},
        {"area": "area/medical-robotics", "types": {"org"}},
        {"since": date(2024, 1, 1), "until": date(2025, 12, 31)},
        {"since": date(2023, 1, 1), "limit": 6},
        {"until": date(2022, 12, 31), "types": {"org", "release"}},
        {"area": "area/telehealth", "since": date(2023, 1, 1)},
    ],
)
def test_the_overview_is_the_reference_for_every_filter(
    browse_store: EmbeddedStore, params: dict[str, Any]
) -> None:
    payload = explore.overview(browse_store, **params)
    assert comparable(payload) == reference(browse_store, **params)
    assert payload["shown"] == len(payload["nodes"])
    assert payload["truncated"] == (payload["total"] > payload["shown"])


def hub_quads() -> list[ox.Quad]:
    """Twelve lone organisations named to sort first, forty agreements with a party each, and
    three hubs (parties to 30, 20 and 10 of the agreements) named to sort last."""
    root, kg = base_iri(), "https://w3id.org/partnership-graph/ontology#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = ox.NamedNode(root + "graph/hubs")
    quads = []

    def entity(nid: str, cls: str, name: str) -> ox.NamedNode:
        node = ox.NamedNode(root + nid)
        quads.append(ox.Quad(node, rdf_type, ox.NamedNode(cls), graph))
        quads.append(ox.Quad(node, label, ox.Literal(name), graph))
        return node

    org = KINDS["org"][1]
    for i in range(12):
        entity(f"org/lone-{i:02d}", org, f"Aardvark {i:02d}")
    hubs = [entity(f"org/hub-{i}", org, f"Zulu hub {i}") for i in range(3)]
    for i in range(40):
        agreement = entity(f"agreement/a-{i:02d}", KINDS["agreement"][1], f"Agreement {i:02d}")
        for h, hub in enumerate(hubs):
            if i < 30 - 10 * h:
                quads.append(ox.Quad(agreement, ox.NamedNode(kg + "party"), hub, graph))
    return quads


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunnerStore, GraphStore]]:
    """The hub store through query workers capped at 10 rows, and read directly (no cap)."""
    path = build_store(tmp_path_factory.mktemp("hubs") / "store", hub_quads())
    with (
        QueryRunner(path, workers=1, row_limit=10, cache_bytes=0) as runner,
        EmbeddedStore(path, read_only=True) as direct,
    ):
        yield RunnerStore(runner), direct


def test_capped_workers_still_give_the_true_best_connected(
    capped: tuple[RunnerStore, GraphStore],
) -> None:
    workers, direct = capped
    # ranked in Python from whole-graph reads cut at 10 rows, the hubs would be missed
    assert workers.runner.run(PREFIXES + EDGES).truncated
    with pytest.raises(StoreUnavailable, match="more rows"):
        reference(workers, limit=3)  # a page is never made from a cut answer
    with pytest.raises(StoreUnavailable, match="more rows"):
        _network.network(workers)  # nor the network
    net = _network.network(workers, row_cap=10)
    payload = explore.overview(workers, limit=3, net=net)
    assert comparable(payload) == reference(direct, limit=3)
    assert {n["id"] for n in payload["nodes"]} == {"org/hub-0", "org/hub-1", "org/hub-2"}
    assert payload["total"] == 55 and payload["truncated"]
    top = explore.overview(workers, limit=8, net=net)
    assert comparable(top) == reference(direct, limit=8)
    assert {e["to"] for e in top["edges"]} == {"org/hub-0", "org/hub-1", "org/hub-2"}


def test_expand_pages_through_more_neighbours_than_the_row_cap(
    capped: tuple[RunnerStore, GraphStore],
) -> None:
    workers, _ = capped
    net = _network.network(workers, row_cap=10)
    seen, offset = [], 0
    while offset is not None:
        page = explore.expand(workers, "org/hub-0", offset=offset, limit=7, net=net)
        assert page is not None and page["total"] == 30
        assert page["more"] == 30 - offset - len(page["nodes"][1:])
        batch = [n["id"] for n in page["nodes"][1:]]
        assert {(e["from"], e["to"]) for e in page["edges"]} == {(n, "org/hub-0") for n in batch}
        seen += batch
        offset = page["next_offset"]
    assert seen == [f"agreement/a-{i:02d}" for i in range(30)]
