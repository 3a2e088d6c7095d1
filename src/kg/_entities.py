"""Entity IRIs, safe SPARQL terms, labels and evidence: the helpers of :mod:`kg.explore`.

Browsing reads the graph only through :meth:`kg.store.GraphStore.select` and
:meth:`~kg.store.GraphStore.query`. Nothing a user types is pasted into SPARQL as is: an entity
is named by its *node id*, the path of its IRI under the base (``org/department-of-health``),
which must match :data:`NODE_ID`; IRIs are serialised by :func:`sparql_iri` (which refuses any
character the SPARQL ``IRIREF`` production forbids) and search text by :func:`sparql_string`
(which keeps letters, digits and a little punctuation, so no quote, backslash or ``\\u`` escape
can reach the parser).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .mapping import base_iri
from .store import GraphStore

#: node-id prefix -> (type word shown to people, class IRI in the ontology's data shape)
KINDS: dict[str, tuple[str, str]] = {
    "org": ("organisation", "http://www.w3.org/ns/org#Organization"),
    "person": ("person", "http://xmlns.com/foaf/0.1/Person"),
    "agreement": ("agreement", "https://w3id.org/partnership-graph/ontology#Agreement"),
    "area": ("area", "http://www.w3.org/2004/02/skos/core#Concept"),
    "release": ("release", "https://w3id.org/partnership-graph/ontology#Release"),
}
#: a node id: a kind and one slug as :func:`kg.facts.slug` makes it
NODE_ID = re.compile(r"(org|person|agreement|area|release)/([a-z0-9][a-z0-9-]{0,199})\Z")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SEARCH_KEEP = re.compile(r"[^\w '&.,()/+-]", re.UNICODE)

PREFIXES = """\
PREFIX kg: <https://w3id.org/partnership-graph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: evidence predicates -> the relation in words
RELATION_WORDS = {
    "https://w3id.org/partnership-graph/ontology#party": "party",
    "https://w3id.org/partnership-graph/ontology#coversArea": "covers area",
    "https://w3id.org/partnership-graph/ontology#hasSigning": "signed",
    "https://w3id.org/partnership-graph/ontology#hasWitnessing": "witnessed",
    "https://w3id.org/partnership-graph/ontology#speaker": "spoke",
    "https://w3id.org/partnership-graph/ontology#agreementType": "agreement",
    "https://w3id.org/partnership-graph/ontology#status": "status",
    "https://w3id.org/partnership-graph/ontology#signedAt": "place",
    "https://w3id.org/partnership-graph/ontology#mentionsTechnology": "technology",
    "https://w3id.org/partnership-graph/ontology#site": "site",
    "https://w3id.org/partnership-graph/ontology#statedCount": "count",
    "http://www.w3.org/ns/org#member": "role",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "name",
    "http://www.w3.org/2004/02/skos/core#altLabel": "alias",
    "http://xmlns.com/foaf/0.1/name": "name",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/title": "title",
    "http://www.w3.org/2006/time#hasXSDDuration": "term",
    "https://schema.org/foundingDate": "founded",
}


def node_id(iri: str, base: str | None = None) -> str | None:
    """The node id of an entity IRI (``org/x``), or None when it is not a browsable entity.

    >>> node_id("https://w3id.org/partnership-graph/id/org/dh")
    'org/dh'
    >>> node_id("https://w3id.org/partnership-graph/id/agreement/a/signing/b") is None
    True
    """
    root = base_iri(base)
    if not iri.startswith(root):
        return None
    rest = iri[len(root) :]
    return rest if NODE_ID.match(rest) else None


def iri_of(nid: str, base: str | None = None) -> str | None:
    """The IRI of a node id, or None when ``nid`` is not a well-formed node id."""
    return base_iri(base) + nid if NODE_ID.match(nid) else None


def kind_of(nid: str) -> str:
    """The kind prefix of a node id (``org``, ``person`` ...)."""
    return nid.split("/", 1)[0]


def sparql_iri(iri: str) -> str:
    """``<iri>`` for a SPARQL query.

    :raises ValueError: when the IRI holds a character ``IRIREF`` forbids
    """
    if _IRI_FORBIDDEN.search(iri) or "\\u" in iri:
        raise ValueError(f"not a safe IRI: {iri!r}")
    return f"<{iri}>"


def search_text(text: str, limit: int = 100) -> str:
    """Search text reduced to characters that are safe in a SPARQL string, lower-cased.

    >>> search_text('  Dr "Lam" \\\\u0022; <x>  ')
    'dr lam u0022 x'
    """
    kept = _SEARCH_KEEP.sub(" ", text[:limit])
    return " ".join(kept.split()).lower()


def sparql_string(text: str) -> str:
    """A SPARQL string literal of :func:`search_text` of ``text`` (never holds ``"`` or ``\\``)."""
    return '"' + search_text(text) + '"'


def values(var: str, iris: Iterable[str]) -> str:
    """``VALUES ?var { <a> <b> }``."""
    return f"VALUES ?{var} {{ {' '.join(sparql_iri(i) for i in iris)} }}"


def select(store: GraphStore, body: str) -> list[dict[str, str | None]]:
    """Run ``PREFIXES + body`` and return its rows as dicts."""
    names, rows = store.select(PREFIXES + body)
    return [dict(zip(names, row, strict=True)) for row in rows]


def labels(store: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """The ``rdfs:label`` of each IRI (the smallest when releases disagree)."""
    todo = sorted({i for i in iris if i})
    out: dict[str, str] = {}
    for i in range(0, len(todo), 300):
        chunk = todo[i : i + 300]
        rows = select(
            store,
            f"SELECT ?x (MIN(?l) AS ?label) WHERE {{ {values('x', chunk)} "
            "GRAPH ?g { ?x rdfs:label ?l } } GROUP BY ?x",
        )
        out.update({r["x"]: r["label"] for r in rows if r["x"] and r["label"]})
    return out


def ref(nid: str, label: str | None) -> dict[str, str]:
    """A link to an entity: ``{"id", "label", "type", "url"}``."""
    return {"id": nid, "label": label or nid, "type": KINDS[kind_of(nid)][0], "url": "/" + nid}


def evidence(
    store: GraphStore, pattern: str, base: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The sentences stating the edges that ``pattern`` selects (a group binding ``?ev``).

    Spans in one sentence are merged into one item whose ``segments`` alternate plain and
    stated (``mark``) text, so a page can highlight exactly what the release states.

    Two reads: the evidence nodes ``pattern`` selects (the first ``limit`` by graph), then
    their values, one branch per graph naming it (about 300 bytes of query a node). Joined in
    one query, Oxigraph read the values of every evidence node in the store first (about a
    minute at 10,000 releases for one edge); a named graph holds a few dozen.

    :param pattern: binds ``?ev`` and its graph ``?g`` (``GRAPH ?g { ... }``)
    :returns: items ``{"release", "sentence", "segments", "spans", "offsets", "relations"}``;
        ``spans`` are offsets into ``sentence``, ``offsets`` into the release text
    """
    nodes: dict[str, list[str]] = {}
    for found in select(
        store, f"SELECT DISTINCT ?ev ?g WHERE {{ {pattern} }} ORDER BY ?g ?ev LIMIT {int(limit)}"
    ):
        if found["ev"] and found["g"]:
            nodes.setdefault(found["g"], []).append(sparql_iri(found["ev"]))
    if not nodes:
        return []
    branches = " UNION ".join(
        f"{{ GRAPH {sparql_iri(graph)} {{ ?ev a kg:Evidence ; rdf:predicate ?p ; "
        "kg:inRelease ?rel ; kg:sentence ?sentence ; kg:startOffset ?start ; kg:endOffset ?end ; "
        "kg:exactText ?exact . OPTIONAL { ?ev kg:sentenceStart ?ss } } "
        f"FILTER(?ev IN ({', '.join(evs)})) }}"
        for graph, evs in nodes.items()
    )
    rows = select(
        store,
        "SELECT DISTINCT ?ev ?p ?rel ?sentence ?ss ?start ?end ?exact WHERE { "
        f"{branches} }} ORDER BY ?rel ?ss ?start",
    )
    release_labels = labels(store, {r["rel"] for r in rows if r["rel"]})
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        sentence, start, end = r["sentence"] or "", int(r["start"] or 0), int(r["end"] or 0)
        exact = r["exact"] or ""
        lo = start - int(r["ss"]) if r["ss"] is not None else max(sentence.find(exact), 0)
        lo = min(max(lo, 0), len(sentence))
        hi = min(lo + (end - start), len(sentence))
        key = (r["rel"] or "", r["ss"] or "", sentence)
        item = groups.get(key)
        if item is None:
            rel_id = node_id(r["rel"] or "", base)
            item = groups[key] = {
                "release": ref(rel_id, release_labels.get(r["rel"] or "")) if rel_id else None,
                "sentence": sentence,
                "spans": [],
                "offsets": [],
                "relations": [],
            }
        if [lo, hi] not in item["spans"]:
            item["spans"].append([lo, hi])
            item["offsets"].append([start, end])
        word = RELATION_WORDS.get(r["p"] or "", "stated")
        if word not in item["relations"]:
            item["relations"].append(word)
    out = list(groups.values())
    for item in out:
        item["spans"].sort()
        item["offsets"].sort()
        item["relations"].sort()
        item["segments"] = segments(item["sentence"], item["spans"])
    return out


def segments(text: str, spans: list[list[int]]) -> list[dict[str, Any]]:
    """``text`` cut into plain and marked segments; overlapping spans are merged.

    >>> segments("The MOU was signed.", [[4, 7], [5, 18]])
    [{'text': 'The ', 'mark': False}, {'text': 'MOU was signed', 'mark': True}, \
{'text': '.', 'mark': False}]
    """
    merged: list[list[int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    out: list[dict[str, Any]] = []
    pos = 0
    for lo, hi in merged:
        if lo > pos:
            out.append({"text": text[pos:lo], "mark": False})
        if hi > lo:
            out.append({"text": text[lo:hi], "mark": True})
        pos = max(pos, hi)
    if pos < len(text):
        out.append({"text": text[pos:], "mark": False})
    return out
