"""The graph viewer's payloads: a bounded overview, a node's neighbours, an edge's evidence.

Nodes are entities (``{"id", "label", "type", "group"}``, ``id`` a node id); edges are
``{"id", "from", "to", "label", "rel", "evidence"}`` where ``rel`` names the relation and
``evidence`` says whether a sentence states it. The server cuts large graphs down: the overview
keeps the ``limit`` best connected nodes and says how many exist (``total``, ``truncated``);
expansion sends ``limit`` neighbours at a time with the count still hidden (``more``).
When agreements are filtered out, organisations that share an agreement are joined by a
derived ``partner`` edge, so the organisation network stays readable.

Both are cut from a :class:`Network`: every node (its id, label and day) and every edge
between nodes, read once (:func:`network`, a query per relation and class) and kept by a
server per store generation as compact bytes (:meth:`Network.to_bytes`, about 60 bytes a
node and 13 an edge, read back without copying). Ranking, counting and paging are then
done in memory, in milliseconds for a page of the largest hub and well under a second for an
overview at 100,000 releases, where the same work in SPARQL took minutes (it looked up
every entity's label in every graph it appears in, and the text of every IRI it compared).
"""

from __future__ import annotations

import html
import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

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
from .mapping import base_iri
from .store import GraphStore

#: the relations: name -> triple patterns (one per sub-select) from ``?s`` to ``?o``
_RELATIONS = {
    "party": ["?s kg:party ?o"],
    "covers": ["?s kg:coversArea ?o"],
    "signed": ["?o kg:hasSigning ?via", "?via prov:agent ?s"],
    "witnessed": ["?o kg:hasWitnessing ?via", "?via prov:agent ?s"],
    "role": [
        "?m org:member ?s",
        "?m org:organization ?o",
        "?m org:role ?r",
        "?r skos:prefLabel ?label",
    ],
    "stated in": ["?s a kg:Agreement", "?s prov:wasDerivedFrom ?o"],
    "published": ["?o a kg:Release", "?o dcterms:publisher ?s"],
    "quoted in": ["?via kg:speaker ?s", "?via kg:inRelease ?o"],
}
#: every relation's code in a :class:`Network` (``partner`` is derived, never stored)
_RELS = (*_RELATIONS, "partner")
_PARTNER = _RELS.index("partner")
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
_KIND_OF_RANK = sorted(_ORDER, key=_ORDER.__getitem__)
Edge = tuple[str, str, str]  # (rel, from node id, to node id)


def _classes() -> str:
    return " ".join(sparql_iri(cls) for _, cls in KINDS.values())


def _nodes(store: GraphStore, base: str | None, iris: list[str]) -> dict[str, Any]:
    """Node id -> (label, date) for those of ``iris`` that are nodes.

    (The date is an ``OPTIONAL`` of its own, outside the typing graph's group: inside it,
    Oxigraph evaluated the group for every entity before joining the ``VALUES``, 20 s at
    10,000 releases instead of a millisecond.)
    """
    rows = select(
        store,
        f"SELECT ?e (MIN(?l) AS ?label) (MIN(?d) AS ?date) WHERE {{ {values('e', iris)} "
        f"VALUES ?cls {{ {_classes()} }} GRAPH ?g {{ ?e a ?cls ; rdfs:label ?l }} "
        "OPTIONAL { GRAPH ?g { ?e dcterms:date|dcterms:issued ?d } } } GROUP BY ?e",
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


def _rows(
    store: GraphStore, query: str, order: str, page: int | None
) -> list[dict[str, str | None]]:
    """Every row of ``query``: in one answer when ``page`` is None, else ``page`` rows at a
    time in ``order`` (which must order the rows totally), so none is cut by a row cap."""
    if page is None:
        return select(store, query)
    rows: list[dict[str, str | None]] = []
    while True:
        batch = select(store, f"{query} ORDER BY {order} LIMIT {page} OFFSET {len(rows)}")
        rows += batch
        if len(batch) < page:
            return rows


class _Texts(Sequence[str]):
    """``count`` strings from ``first`` of a :class:`Network`'s text, decoded when read."""

    def __init__(self, text: bytes | memoryview, ends: Sequence[int], first: int, count: int):
        self.text, self.ends, self.first, self.length = text, ends, first, count

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.length))]
        k = self.first + i
        return bytes(self.text[self.ends[k] : self.ends[k + 1]]).decode()


#: the arrays of a :class:`Network`, in the order :meth:`Network.to_bytes` writes them
_ARRAYS: tuple[tuple[str, Literal["i", "b"]], ...] = (
    ("ends", "i"),
    ("expand_pos", "i"),
    ("overview_pos", "i"),
    ("src", "i"),
    ("dst", "i"),
    ("out_start", "i"),
    ("in_order", "i"),
    ("in_start", "i"),
    ("flags", "b"),
    ("rel", "b"),
)
_DAY = 8  # in ``flags``: the node has a day (the low bits are its kind's place in _ORDER)


class Network:
    """Every node and every edge between nodes, in arrays indexed by node and edge number.

    Nodes are numbered in node id order. Each node has its id, its smallest label (over the
    graphs that type it), its day (the first ten characters of its earliest ``dcterms:date``
    or ``dcterms:issued`` in a graph that types it, or none), and its place in the order of
    an expansion (kind, lower-cased label, id) and of an overview's ties (kind, label, id).
    Each edge ``(rel, src, dst)`` is there once, sorted by ``src`` (``out_start[i]`` is the
    first of node ``i``'s), with ``in_order`` listing the edges by ``dst`` (``in_start``);
    a role edge's labels, joined, are in ``roles`` by edge number.
    """

    ends: Sequence[int]
    expand_pos: Sequence[int]
    overview_pos: Sequence[int]
    src: Sequence[int]
    dst: Sequence[int]
    out_start: Sequence[int]
    in_order: Sequence[int]
    in_start: Sequence[int]
    flags: Sequence[int]
    rel: Sequence[int]

    def __init__(self, text: bytes | memoryview, arrays: dict[str, Any], roles: dict[int, str]):
        self.text, self.roles = text, roles
        for name, _ in _ARRAYS:
            setattr(self, name, arrays[name])
        self.size = len(self.flags)
        self.ids = _Texts(text, self.ends, 0, self.size)
        self.labels = _Texts(text, self.ends, self.size, self.size)
        self.days = _Texts(text, self.ends, 2 * self.size, self.size)

    @classmethod
    def of(
        cls,
        nodes: dict[str, tuple[str, str | None]],
        edges: dict[tuple[int, str, str], set[str]],
    ) -> Network:
        """The network of ``nodes`` (id -> label and day) and ``edges`` ((relation code, from,
        to) -> role labels) whose ends are both nodes."""
        ids = sorted(nodes)
        index = {nid: i for i, nid in enumerate(ids)}
        ranks = [_ORDER[kind_of(nid)] for nid in ids]
        texts = [*ids, *(nodes[n][0] for n in ids), *(nodes[n][1] or "" for n in ids)]
        ends, size = array("i", [0]), 0
        for t in texts:
            size += len(t.encode())
            ends.append(size)

        def places(key: Any) -> array[int]:
            out = array("i", bytes(4 * len(ids)))
            for place, i in enumerate(sorted(range(len(ids)), key=key)):
                out[i] = place
            return out

        keyed = sorted(
            (index[s], index[o], rel, labels)
            for (rel, s, o), labels in edges.items()
            if s in index and o in index
        )
        out_start = array("i", bytes(4 * (len(ids) + 1)))
        for s, _, _, _ in keyed:
            out_start[s + 1] += 1
        for i in range(len(ids)):
            out_start[i + 1] += out_start[i]
        in_order = array("i", sorted(range(len(keyed)), key=lambda k: keyed[k][1]))
        in_start = array("i", bytes(4 * (len(ids) + 1)))
        for _, o, _, _ in keyed:
            in_start[o + 1] += 1
        for i in range(len(ids)):
            in_start[i + 1] += in_start[i]
        arrays = {
            "ends": ends,
            "flags": array(
                "b",
                (
                    r | (_DAY if nodes[n][1] is not None else 0)
                    for r, n in zip(ranks, ids, strict=True)
                ),
            ),
            "expand_pos": places(lambda i: (ranks[i], nodes[ids[i]][0].lower(), ids[i])),
            "overview_pos": places(lambda i: (ranks[i], nodes[ids[i]][0], ids[i])),
            "rel": array("b", (e[2] for e in keyed)),
            "src": array("i", (e[0] for e in keyed)),
            "dst": array("i", (e[1] for e in keyed)),
            "out_start": out_start,
            "in_order": in_order,
            "in_start": in_start,
        }
        roles = {k: ", ".join(sorted(e[3])) for k, e in enumerate(keyed) if e[3]}
        return cls("".join(texts).encode(), arrays, roles)

    def to_bytes(self) -> bytes:
        """The network as bytes: a JSON head line (padded so that the arrays are aligned), the
        arrays (native byte order: the bytes stay in this process's cache), then the text."""
        head = json.dumps({"nodes": self.size, "edges": len(self.rel), "roles": self.roles})
        line = head.encode().ljust(-(-(len(head.encode()) + 1) // 8) * 8 - 1) + b"\n"
        parts = [line, *(getattr(self, name).tobytes() for name, _ in _ARRAYS)]
        return b"".join([*parts, bytes(self.text)])

    @classmethod
    def from_bytes(cls, blob: bytes) -> Network:
        """The network :meth:`to_bytes` wrote; the arrays are views of ``blob``, not copies."""
        view = memoryview(blob)
        at = blob.index(b"\n") + 1
        head = json.loads(blob[:at])
        n, m = head["nodes"], head["edges"]
        sizes = {"ends": 3 * n + 1, "flags": n, "expand_pos": n, "overview_pos": n}
        sizes |= {"rel": m, "src": m, "dst": m, "in_order": m, "out_start": n + 1}
        sizes |= {"in_start": n + 1}
        arrays: dict[str, Any] = {}
        for name, code in _ARRAYS:
            width = sizes[name] * array(code).itemsize
            arrays[name] = view[at : at + width].cast(code)
            at += width
        return cls(view[at:], arrays, {int(k): v for k, v in head["roles"].items()})

    def find(self, nid: str) -> int | None:
        """The number of node ``nid``, or None when it is not a node."""
        i = bisect_left(self.ids, nid)
        return i if i < self.size and self.ids[i] == nid else None

    def kind(self, i: int) -> str:
        return _KIND_OF_RANK[self.flags[i] & (_DAY - 1)]

    def day(self, i: int) -> str | None:
        return self.days[i] if self.flags[i] & _DAY else None

    def touching(self, i: int) -> Iterable[int]:
        """The numbers of the edges from or to node ``i`` (a self-loop twice)."""
        yield from range(self.out_start[i], self.out_start[i + 1])
        yield from self.in_order[self.in_start[i] : self.in_start[i + 1]]

    def label_of(self, k: int) -> str:
        """Edge ``k``'s label: its role's labels, else its relation."""
        return self.roles.get(k) or _RELS[self.rel[k]]

    def key(self, k: int) -> Edge:
        return _RELS[self.rel[k]], self.ids[self.src[k]], self.ids[self.dst[k]]


def network(store: GraphStore, *, base: str | None = None, row_cap: int | None = None) -> Network:
    """Every node and every edge between nodes of ``store``: a query per class and relation.

    :param row_cap: read at most this many rows per query, in pages (the query workers' row
        cap); None for a store that answers whole (a server reads the whole answers through
        :func:`webapp.browse_store.whole_store`, once per store generation)
    """
    root = base_iri(base)
    nodes: dict[str, tuple[str, str | None]] = {}
    for _, cls in KINDS.values():
        # one pattern per sub-select so that Oxigraph hashes the join (one pass over each)
        query = (
            "SELECT ?e (SUBSTR(MIN(CONCAT('~', ?l)), 2) AS ?name) WHERE { "
            f"{{ SELECT DISTINCT ?g ?e WHERE {{ GRAPH ?g {{ ?e a {sparql_iri(cls)} }} }} }} "
            "{ SELECT ?g ?e ?l WHERE { GRAPH ?g { ?e rdfs:label ?l } } } } GROUP BY ?e"
        )
        for r in _rows(store, query, "?e", row_cap):
            nid = node_id(r["e"] or "", base)
            if nid and r["name"] is not None:
                old = nodes.get(nid)
                nodes[nid] = (min(old[0], r["name"]) if old else r["name"], None)
    typed = f"VALUES ?cls {{ {_classes()} }} GRAPH ?g {{ ?e a ?cls }}"
    days = (
        "SELECT ?e (SUBSTR(STR(MIN(?d)), 1, 10) AS ?day) WHERE { "
        f"{{ SELECT DISTINCT ?g ?e WHERE {{ {typed} }} }} "
        "{ SELECT ?g ?e ?d WHERE { GRAPH ?g { ?e dcterms:date|dcterms:issued ?d } } } "
        "} GROUP BY ?e"
    )
    for r in _rows(store, days, "?e", row_cap):
        nid = node_id(r["e"] or "", base)
        if nid in nodes and r["day"] is not None:
            nodes[nid] = (nodes[nid][0], r["day"])
    edges: dict[tuple[int, str, str], set[str]] = {}
    for code, (rel, patterns) in enumerate(_RELATIONS.items()):
        parts = []
        for pattern in patterns:
            names = " ".join(sorted(set(re.findall(r"\?\w+", pattern))))
            parts.append(f"{{ SELECT ?g {names} WHERE {{ GRAPH ?g {{ {pattern} }} }} }}")
        head = "?s ?o ?label" if "?label" in " ".join(patterns) else "?s ?o"
        query = f"SELECT DISTINCT {head} WHERE {{ {' '.join(parts)} }}"
        for r in _rows(store, query, head, row_cap):
            s, o = r["s"] or "", r["o"] or ""
            if s.startswith(root) and o.startswith(root):
                found = edges.setdefault((code, s[len(root) :], o[len(root) :]), set())
                if "label" in r:
                    found.add(r["label"] or rel)
    return Network.of(nodes, edges)


@dataclass(frozen=True)
class _Scope:
    """The overview's filters: which nodes they keep.

    ``allowed`` nodes are every node, or with an area or dates: the agreements dated in the
    range (and covering the area), the area itself (else the releases dated in the range), and
    every neighbour of those agreements. ``visible`` nodes are the allowed nodes of ``types``.
    """

    types: frozenset[str]
    area: str | None
    since: date | None
    until: date | None

    def dated(self, net: Network, i: int) -> bool:
        day = net.day(i)
        if day is None:
            return False
        return (not self.since or day >= self.since.isoformat()) and (
            not self.until or day <= self.until.isoformat()
        )

    def allowed(self, net: Network) -> list[bool]:
        if not (self.area or self.since or self.until):
            return [True] * net.size
        area = net.find(self.area) if self.area else None
        agreement, release = _ORDER["agreement"], _ORDER["release"]
        covering = None
        if self.area:
            covering = set()
            if area is not None:
                covers = _RELS.index("covers")
                covering = {net.src[k] for k in net.touching(area) if net.rel[k] == covers}
        seeds = [
            i
            for i in (range(net.size) if covering is None else sorted(covering))
            if net.flags[i] & (_DAY - 1) == agreement
            and (not (self.since or self.until) or self.dated(net, i))
        ]
        allowed = [False] * net.size
        if area is not None:
            allowed[area] = True
        elif not self.area:
            for i in range(net.size):
                if net.flags[i] & (_DAY - 1) == release and self.dated(net, i):
                    allowed[i] = True
        for i in seeds:
            allowed[i] = True
            for k in net.touching(i):
                allowed[net.src[k]] = allowed[net.dst[k]] = True
        return allowed

    def edges(
        self, net: Network, visible: list[bool], allowed: list[bool]
    ) -> tuple[list[int], set[tuple[int, int]]]:
        """The numbers of the edges between visible nodes, and the derived ``partner`` edges
        (pairs of node numbers, the smaller first) when agreements are hidden."""
        src, dst = net.src, net.dst
        kept = [k for k in range(len(src)) if visible[src[k]] and visible[dst[k]]]
        partners: set[tuple[int, int]] = set()
        if "agreement" in self.types or "org" not in self.types:
            return kept, partners
        party, rel, start = _RELS.index("party"), net.rel, net.out_start
        for a in range(net.size):
            if allowed[a]:
                ends = {dst[k] for k in range(start[a], start[a + 1]) if rel[k] == party}
                ordered = sorted(x for x in ends if visible[x])
                partners.update((x, y) for n, x in enumerate(ordered) for y in ordered[n + 1 :])
        return kept, partners


def overview(
    store: GraphStore,
    *,
    limit: int = 150,
    types: set[str] | None = None,
    area: str | None = None,
    since: date | None = None,
    until: date | None = None,
    base: str | None = None,
    net: Network | None = None,
) -> dict[str, Any]:
    """A readable overview: at most ``limit`` nodes, the best connected first.

    The nodes are ranked by degree among the visible nodes, then kind, label and node id.

    :param types: node kinds to show (``org``, ``person``, ``agreement``, ``area``, ``release``)
    :param area: an area's node id: only agreements covering it, and their neighbours
    :param since: only agreements (and releases) dated on or after this day, and their neighbours
    :param until: only agreements (and releases) dated on or before this day, and their neighbours
    :param net: ``store``'s :func:`network`, when already read (else it is read now)
    :returns: ``{"nodes", "edges", "total", "shown", "truncated", "limit"}``; each node has
        its ``degree`` (edges to visible nodes), by which it was chosen
    """
    net = net or network(store, base=base)
    limit = max(1, min(int(limit), 1000))
    scope = _Scope(frozenset(types or _ORDER), area, since, until)
    allowed = scope.allowed(net)
    kinds = {_ORDER[k] for k in scope.types}
    visible = [allowed[i] and net.flags[i] & (_DAY - 1) in kinds for i in range(net.size)]
    kept, partners = scope.edges(net, visible, allowed)
    degree = [0] * net.size
    for k in kept:
        degree[net.src[k]] += 1
        degree[net.dst[k]] += 1
    for x, y in partners:
        degree[x] += 1
        degree[y] += 1
    place = net.overview_pos
    ranked = [i for i in range(net.size) if visible[i]]
    ranked.sort(key=lambda i: (-degree[i], place[i]))
    shown = set(ranked[:limit])
    edges = {
        net.key(k): net.label_of(k) for k in kept if net.src[k] in shown and net.dst[k] in shown
    }
    for x, y in partners:
        if x in shown and y in shown:
            edges[("partner", net.ids[x], net.ids[y])] = "partner"
    return {
        "nodes": [
            {**_node(net.ids[i], net.labels[i] or net.ids[i]), "degree": degree[i]}
            for i in sorted(shown)
        ],
        "edges": [_edge(k, v) for k, v in sorted(edges.items())],
        "total": len(ranked),
        "shown": len(shown),
        "truncated": len(ranked) > len(shown),
        "limit": limit,
    }


def expand(
    store: GraphStore,
    nid: str,
    *,
    offset: int = 0,
    limit: int = 20,
    base: str | None = None,
    net: Network | None = None,
) -> dict[str, Any] | None:
    """A node's neighbours, ``limit`` at a time from ``offset``, or None for an unknown node.

    The neighbours are ordered by kind, lower-cased label and node id.

    :param net: ``store``'s :func:`network`, when already read (else it is read now)
    :returns: ``{"node", "nodes", "edges", "total", "offset", "next_offset", "more"}``;
        ``more`` neighbours remain after this batch (the viewer shows "+more")
    """
    if iri_of(nid, base) is None:
        return None
    net = net or network(store, base=base)
    i = net.find(nid)
    if i is None:
        return None
    offset, limit = max(0, int(offset)), max(1, min(int(limit), 200))
    touching = list(net.touching(i))
    neighbours = {net.src[k] for k in touching} | {net.dst[k] for k in touching}
    neighbours.discard(i)
    batch = sorted(neighbours, key=net.expand_pos.__getitem__)[offset : offset + limit]
    ends = {i, *batch}
    edges = {
        net.key(k): net.label_of(k) for k in touching if net.src[k] in ends and net.dst[k] in ends
    }
    count, nxt = len(neighbours), offset + len(batch)
    return {
        "node": nid,
        "nodes": [_node(net.ids[n], net.labels[n] or net.ids[n]) for n in (i, *batch)],
        "edges": [_edge(k, v) for k, v in sorted(edges.items())],
        "total": count,
        "offset": offset,
        "next_offset": nxt if nxt < count else None,
        "more": max(count - nxt, 0),
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
