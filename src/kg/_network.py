"""The graph viewer's payloads: a bounded overview, a node's neighbours, an edge's evidence.

Nodes are entities (``{"id", "label", "type", "group"}``, ``id`` a node id); edges are
``{"id", "from", "to", "label", "rel", "evidence"}`` where ``rel`` names the relation and
``evidence`` says whether a sentence states it. The server cuts large graphs down: the overview
keeps the ``limit`` best connected nodes and says how many exist (``total``, ``truncated``);
expansion sends ``limit`` neighbours at a time with the count still hidden (``more``).
When agreements are filtered out, organisations that share an agreement are joined by a
derived ``partner`` edge, so the organisation network stays readable.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import date
from typing import Any

from ._entities import (
    KINDS,
    evidence,
    iri_of,
    kind_of,
    labels,
    node_id,
    ref,
    select,
    sparql_iri,
    values,
)
from .store import GraphStore

_EDGE_QUERY = """SELECT DISTINCT ?rel ?s ?o ?label WHERE { %s {
  { GRAPH ?g { ?s kg:party ?o } BIND("party" AS ?rel) }
  UNION { GRAPH ?g { ?s kg:coversArea ?o } BIND("covers" AS ?rel) }
  UNION { GRAPH ?g { ?o kg:hasSigning ?x . ?x prov:agent ?s } BIND("signed" AS ?rel) }
  UNION { GRAPH ?g { ?o kg:hasWitnessing ?x . ?x prov:agent ?s } BIND("witnessed" AS ?rel) }
  UNION { GRAPH ?g { ?m org:member ?s ; org:organization ?o ; org:role/skos:prefLabel ?label }
          BIND("role" AS ?rel) }
  UNION { GRAPH ?g { ?s a kg:Agreement ; prov:wasDerivedFrom ?o } BIND("stated in" AS ?rel) }
  UNION { GRAPH ?g { ?o a kg:Release ; dcterms:publisher ?s } BIND("published" AS ?rel) }
  UNION { GRAPH ?g { ?x kg:speaker ?s ; kg:inRelease ?o } BIND("quoted in" AS ?rel) }
} %s } LIMIT 50000"""
#: relations whose edges carry evidence sentences
_EVIDENCED = {"party", "covers", "signed", "witnessed", "role", "quoted in", "stated in", "partner"}
_EVIDENCE_PATTERNS = {
    "party": "GRAPH ?g { ?ev rdf:subject $S ; rdf:predicate kg:party ; rdf:object $O }",
    "covers": "GRAPH ?g { ?ev rdf:subject $S ; rdf:predicate kg:coversArea ; rdf:object $O }",
    "signed": "GRAPH ?g { ?ev rdf:subject $O ; rdf:predicate kg:hasSigning ; rdf:object ?x . "
    "?x prov:agent $S }",
    "witnessed": "GRAPH ?g { ?ev rdf:subject $O ; rdf:predicate kg:hasWitnessing ; "
    "rdf:object ?x . ?x prov:agent $S }",
    "role": "GRAPH ?g { ?ev rdf:subject ?m ; rdf:predicate org:member ; rdf:object $S . "
    "?m org:organization $O }",
    "quoted in": "GRAPH ?g { ?ev rdf:subject ?x ; rdf:predicate kg:speaker ; rdf:object $S . "
    "?x kg:inRelease $O }",
    "stated in": "GRAPH ?g { ?ev rdf:subject $S ; rdf:predicate kg:agreementType ; "
    "kg:inRelease $O }",
    "published": "GRAPH ?g { ?ev kg:inRelease $O ; rdf:predicate dcterms:publisher }",
    "partner": "GRAPH ?g2 { ?a kg:party $S } GRAPH ?g3 { ?a kg:party $O } "
    "GRAPH ?g { ?ev rdf:subject ?a ; rdf:predicate kg:party ; rdf:object ?x } VALUES ?x { $S $O }",
}
_ORDER = {"agreement": 0, "org": 1, "area": 2, "person": 3, "release": 4}
Edge = tuple[str, str, str]  # (rel, from node id, to node id)


def _edges(store: GraphStore, base: str | None, around: str | None = None) -> dict[Edge, str]:
    """Every edge (or those touching the IRI ``around``) -> its label."""
    restrict, post = "", ""
    if around:
        restrict = values("n", [around])
        post = "FILTER(?s = ?n || ?o = ?n)"
    out: dict[Edge, str] = {}
    for r in select(store, _EDGE_QUERY % (restrict, post)):
        s, o = node_id(r["s"] or "", base), node_id(r["o"] or "", base)
        if s and o and r["rel"]:
            key = (r["rel"], s, o)
            label = r["label"] or r["rel"]
            out[key] = label if key not in out else ", ".join(sorted({out[key], label}))
    return out


def _nodes(store: GraphStore, base: str | None, iris: list[str] | None = None) -> dict[str, Any]:
    """Node id -> (label, date) for every entity, or for ``iris``.

    For every entity, each pattern is its own sub-select so that Oxigraph joins by hashing
    (one pass over each predicate, not one store lookup per entity and graph), and the
    smallest label is taken over a computed key, compared in memory (as in the named queries,
    ``kg/queries``): 1.4 s instead of 27 s at 10,000 releases.
    """
    classes = " ".join(sparql_iri(cls) for _, cls in KINDS.values())
    if iris is None:
        where = (
            f"{{ SELECT ?g ?e WHERE {{ VALUES ?cls {{ {classes} }} GRAPH ?g {{ ?e a ?cls }} }} }} "
            "{ SELECT ?g ?e ?l WHERE { GRAPH ?g { ?e rdfs:label ?l } } } "
            "OPTIONAL { SELECT ?g ?e ?d WHERE { GRAPH ?g { ?e dcterms:date|dcterms:issued ?d } } }"
        )
        label = 'SUBSTR(MIN(CONCAT("~", ?l)), 2)'
    else:
        where = (
            f"{values('e', iris)} VALUES ?cls {{ {classes} }} GRAPH ?g {{ ?e a ?cls ; "
            "rdfs:label ?l OPTIONAL { ?e dcterms:date|dcterms:issued ?d } }"
        )
        label = "MIN(?l)"
    rows = select(
        store,
        f"SELECT ?e ({label} AS ?label) (MIN(?d) AS ?date) WHERE {{ {where} }} "
        "GROUP BY ?e LIMIT 50000",
    )
    out = {}
    for r in rows:
        nid = node_id(r["e"] or "", base)
        if nid:
            out[nid] = (r["label"] or nid, r["date"])
    return out


def _node(nid: str, label: str) -> dict[str, str]:
    kind = kind_of(nid)
    return {"id": nid, "label": label, "type": KINDS[kind][0], "group": kind}


def _edge(key: Edge, label: str) -> dict[str, Any]:
    rel, s, o = key
    return {
        "id": f"{rel}|{s}|{o}",
        "from": s,
        "to": o,
        "label": label,
        "rel": rel,
        "evidence": rel in _EVIDENCED,
    }


def overview(
    store: GraphStore,
    *,
    limit: int = 150,
    types: set[str] | None = None,
    area: str | None = None,
    since: date | None = None,
    until: date | None = None,
    base: str | None = None,
) -> dict[str, Any]:
    """A readable overview: at most ``limit`` nodes, the best connected first.

    :param types: node kinds to show (``org``, ``person``, ``agreement``, ``area``, ``release``)
    :param area: an area's node id: only agreements covering it, and their neighbours
    :param since: only agreements (and releases) dated on or after this day, and their neighbours
    :param until: only agreements (and releases) dated on or before this day, and their neighbours
    :returns: ``{"nodes", "edges", "total", "shown", "truncated", "limit"}``
    """
    limit = max(1, min(int(limit), 1000))
    types = set(types) if types else set(_ORDER)
    edges = _edges(store, base)
    nodes = _nodes(store, base)
    allowed = set(nodes)
    if area or since or until:

        def dated(nid: str) -> bool:
            day = nodes[nid][1]
            if not (since or until):
                return True
            if not day:
                return False
            d = date.fromisoformat(day[:10])
            return (since is None or d >= since) and (until is None or d <= until)

        covering = {s for (rel, s, o) in edges if rel == "covers" and o == area}
        seeds = {
            n
            for n in nodes
            if kind_of(n) == "agreement" and dated(n) and (area is None or n in covering)
        }
        allowed = set(seeds)
        if area:
            allowed |= {area} & set(nodes)
        else:
            allowed |= {n for n in nodes if kind_of(n) == "release" and dated(n)}
        for _, s, o in edges:
            if s in seeds or o in seeds:
                allowed |= {s, o}
    kept_edges = {k: v for k, v in edges.items() if k[1] in allowed and k[2] in allowed}
    if "agreement" not in types and "org" in types:
        parties: dict[str, set[str]] = {}
        for rel, s, o in kept_edges:
            if rel == "party":
                parties.setdefault(s, set()).add(o)
        for orgs in parties.values():
            for a in orgs:
                for b in orgs:
                    if a < b:
                        kept_edges[("partner", a, b)] = "partner"
    visible = {n for n in allowed if kind_of(n) in types}
    kept_edges = {k: v for k, v in kept_edges.items() if k[1] in visible and k[2] in visible}
    degree: Counter[str] = Counter()
    for _, s, o in kept_edges:
        degree[s] += 1
        degree[o] += 1
    ranked = sorted(visible, key=lambda n: (-degree[n], _ORDER[kind_of(n)], nodes[n][0], n))
    shown = set(ranked[:limit])
    return {
        "nodes": [_node(n, nodes[n][0]) for n in sorted(shown)],
        "edges": [
            _edge(k, v) for k, v in sorted(kept_edges.items()) if k[1] in shown and k[2] in shown
        ],
        "total": len(visible),
        "shown": len(shown),
        "truncated": len(visible) > len(shown),
        "limit": limit,
    }


def expand(
    store: GraphStore, nid: str, *, offset: int = 0, limit: int = 20, base: str | None = None
) -> dict[str, Any] | None:
    """A node's neighbours, ``limit`` at a time from ``offset``, or None for an unknown node.

    :returns: ``{"node", "nodes", "edges", "total", "offset", "next_offset", "more"}``;
        ``more`` neighbours remain after this batch (the viewer shows "+more")
    """
    iri = iri_of(nid, base)
    if iri is None:
        return None
    own = _nodes(store, base, [iri])
    if nid not in own:
        return None
    edges = _edges(store, base, around=iri)
    neighbours = {o if s == nid else s for _, s, o in edges} - {nid}
    info = _nodes(store, base, [iri_of(n, base) or "" for n in neighbours])
    ordered = sorted(
        (n for n in neighbours if n in info),
        key=lambda n: (_ORDER[kind_of(n)], info[n][0].lower(), n),
    )
    offset, limit = max(0, int(offset)), max(1, min(int(limit), 200))
    batch = ordered[offset : offset + limit]
    chosen = set(batch) | {nid}
    nxt = offset + len(batch)
    return {
        "node": nid,
        "nodes": [_node(nid, own[nid][0])] + [_node(n, info[n][0]) for n in batch],
        "edges": [
            _edge(k, v) for k, v in sorted(edges.items()) if k[1] in chosen and k[2] in chosen
        ],
        "total": len(ordered),
        "offset": offset,
        "next_offset": nxt if nxt < len(ordered) else None,
        "more": len(ordered) - nxt,
    }


def edge(
    store: GraphStore, rel: str, source: str, target: str, base: str | None = None
) -> dict[str, Any] | None:
    """The sentences that state one edge, with links to their releases.

    :returns: ``{"id", "rel", "from", "to", "evidence", "releases"}`` or None when the
        relation or node ids are unknown
    """
    pattern = _EVIDENCE_PATTERNS.get(rel)
    s_iri, o_iri = iri_of(source, base), iri_of(target, base)
    if pattern is None or s_iri is None or o_iri is None:
        return None
    found = _nodes(store, base, [s_iri, o_iri])
    if source not in found or target not in found:
        return None
    pattern = pattern.replace("$S", sparql_iri(s_iri)).replace("$O", sparql_iri(o_iri))
    items = evidence(store, pattern, base, limit=50)
    releases: dict[str, dict[str, Any]] = {}
    for item in items:
        if item["release"]:
            releases.setdefault(item["release"]["id"], item["release"])
    for nid in (source, target):
        if kind_of(nid) == "release":
            releases.setdefault(nid, ref(nid, found[nid][0]))
    return {
        "id": f"{rel}|{source}|{target}",
        "rel": rel,
        "from": ref(source, found[source][0]),
        "to": ref(target, found[target][0]),
        "evidence": items,
        "releases": sorted(releases.values(), key=lambda r: r["id"]),
    }


_COLOURS = {
    "org": "#1f77b4",
    "person": "#ff7f0e",
    "agreement": "#2ca02c",
    "area": "#9467bd",
    "release": "#7f7f7f",
}


def to_pyvis(payload: dict[str, Any], height: str = "600px") -> Any:
    """A pyvis ``Network`` of a payload, for notebooks (vis-network inlined; pyvis's own
    template still links bootstrap from a CDN, so the web app never uses this).

    Titles are HTML-escaped because pyvis's template may insert them as HTML.
    """
    from pyvis.network import Network

    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    for n in payload["nodes"]:
        net.add_node(
            n["id"],
            label=n["label"],
            title=html.escape(f"{n['type']}: {n['label']}"),
            color=_COLOURS.get(n["group"], "#999999"),
        )
    for e in payload["edges"]:
        net.add_edge(e["from"], e["to"], label=e["label"], title=html.escape(e["label"]))
    net.toggle_physics(True)
    return net


__all__ = ["edge", "expand", "labels", "overview", "to_pyvis"]
