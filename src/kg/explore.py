"""Browsing the graph: entity pages, search, the home page and the viewer's payloads.

A library, no web framework: the web app (``webapp/pages.py``, ``webapp/graph.py``) and the
notebooks call these functions and render what they return. Every value is a plain dict or
list, ready for JSON, built from SPARQL run through :class:`kg.store.GraphStore` only.

Entities are named by node id, the path of their IRI under the base (``org/department-of-health``
for ``https://w3id.org/partnership-graph/id/org/department-of-health``).

Example::

    >>> import tempfile
    >>> from kg.store import EmbeddedStore
    >>> with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(tmp + "/s") as store:
    ...     entity(store, "org/nobody") is None, home(store, today=date(2024, 1, 1))["counts"]
    (True, {'organisation': 0, 'person': 0, 'agreement': 0, 'area': 0, 'release': 0})
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ._entities import KINDS, NODE_ID, iri_of, kind_of, labels, ref, select, sparql_iri
from ._entities import evidence as _evidence
from ._entities import node_id as _node_id
from ._entities import sparql_string as _sparql_string
from ._network import edge, expand, overview, to_pyvis
from ._words import (
    agreement_facts,
    area_facts,
    duration_words,
    org_facts,
    person_facts,
    release_facts,
)
from .facts import add_duration
from .store import GraphStore

__all__ = [
    "KINDS",
    "NODE_ID",
    "describe",
    "duration_words",
    "edge",
    "entity",
    "expand",
    "home",
    "overview",
    "search",
    "to_pyvis",
]

_EVIDENCE_PATTERNS = {
    # which evidence nodes speak about the entity ?e, per kind
    "org": "{ GRAPH ?g { ?ev rdf:subject ?e } } UNION { GRAPH ?g { ?ev rdf:object ?e } }",
    "agreement": "GRAPH ?g { ?ev rdf:subject ?e }",
    "area": "GRAPH ?g { ?ev rdf:object ?e }",
    "person": "{ GRAPH ?g { ?ev rdf:subject ?e } } "
    "UNION { GRAPH ?g { ?ev rdf:object ?x . ?x prov:agent ?e } } "
    "UNION { GRAPH ?g { ?ev rdf:subject ?x . ?x org:member ?e } } "
    "UNION { GRAPH ?g { ?ev rdf:subject ?x . ?x kg:speaker ?e } }",
    "release": "GRAPH ?g { ?ev kg:inRelease ?e }",
}
_FACTS = {
    "org": org_facts,
    "person": person_facts,
    "agreement": agreement_facts,
    "area": area_facts,
    "release": release_facts,
}


def entity(store: GraphStore, nid: str, base: str | None = None) -> dict[str, Any] | None:
    """Everything a page shows about one entity, or None when the graph does not hold it.

    :param nid: a node id (``person/ronald-lam``)
    :param base: the base of data IRIs (default: :func:`kg.mapping.base_iri`)
    :returns: ``{"id", "iri", "kind", "type", "label", "url", "aliases", "facts",
        "details", "releases", "evidence"}``; each fact is ``{"text", "parts"}`` where a
        part links onward when it has a ``url``
    """
    iri = iri_of(nid, base)
    if iri is None:
        return None
    kind = kind_of(nid)
    term = sparql_iri(iri)
    rows = select(
        store,
        f"SELECT ?l WHERE {{ GRAPH ?g {{ {term} a {sparql_iri(KINDS[kind][1])} ; "
        "rdfs:label ?l } } ORDER BY ?l LIMIT 1",
    )
    if not rows:
        return None
    label = rows[0]["l"] or nid
    alias_rows = select(
        store, f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ {term} skos:altLabel ?a }} }} ORDER BY ?a"
    )
    facts, details = _FACTS[kind](store, iri, label, base)
    releases = _releases(store, iri, base)
    pattern = f"VALUES ?e {{ {term} }} {_EVIDENCE_PATTERNS[kind]}"
    return {
        "id": nid,
        "iri": iri,
        "kind": kind,
        "type": KINDS[kind][0],
        "label": label,
        "url": "/" + nid,
        "aliases": [r["a"] for r in alias_rows if r["a"]],
        "facts": facts,
        "details": details,
        "releases": releases,
        "evidence": _evidence(store, pattern, base, limit=300),
    }


def _releases(store: GraphStore, iri: str, base: str | None) -> list[dict[str, Any]]:
    """The releases whose graphs state something about the entity, newest first."""
    term = sparql_iri(iri)
    rows = select(
        store,
        "SELECT DISTINCT ?r ?date WHERE { GRAPH ?g { ?r a kg:Release . "
        f"{{ {term} ?p ?o }} UNION {{ ?s ?p {term} FILTER(?p NOT IN (rdf:subject, rdf:object)) }} "
        "OPTIONAL { ?r dcterms:issued ?date } } } ORDER BY DESC(?date) ?r LIMIT 200",
    )
    names = labels(store, [r["r"] for r in rows if r["r"]])
    out = []
    for r in rows:
        nid = _node_id(r["r"] or "", base)
        if nid and nid != _node_id(iri, base):
            out.append({**ref(nid, names.get(r["r"] or "")), "date": r["date"]})
    return out


def search(store: GraphStore, q: str, limit: int = 50, base: str | None = None) -> list[dict]:
    """Entities whose label or alias contains ``q`` (case-insensitive), best matches first.

    :param q: the search text; only letters, digits, spaces and ``'&.,()/+-`` are kept
    :param limit: at most this many results (capped at 200)
    :returns: links ``{"id", "label", "type", "url", "match"}``; ``match`` is the alias
        that matched when the label did not
    """
    needle = _sparql_string(q)
    if needle == '""':
        return []
    classes = " ".join(sparql_iri(cls) for _, cls in KINDS.values())
    rows = select(
        store,
        f"SELECT ?e (MIN(?label) AS ?l) (MIN(?hit) AS ?m) WHERE {{ VALUES ?cls {{ {classes} }} "
        "GRAPH ?g { ?e a ?cls ; rdfs:label ?label . "
        "{ ?e rdfs:label ?hit } UNION { ?e skos:altLabel ?hit } } "
        f"FILTER(CONTAINS(LCASE(STR(?hit)), {needle})) }} GROUP BY ?e "
        f"ORDER BY STRLEN(MIN(?hit)) ?l LIMIT {min(int(limit), 200) * 2}",
    )
    out = []
    for r in rows:
        nid = _node_id(r["e"] or "", base)
        if nid:
            item = {**ref(nid, r["l"]), "match": r["m"] if r["m"] != r["l"] else None}
            out.append(item)
    return out[: min(int(limit), 200)]


def home(
    store: GraphStore, *, today: date, latest: int = 10, base: str | None = None
) -> dict[str, Any]:
    """The home page: counts per type, the latest agreements, and agreements whose term has
    ended or ends within six months of ``today``.

    An agreement's end is its ``schema:endDate``, else its date plus its stated term
    (``time:hasXSDDuration``), marked ``"computed": true``.
    """
    counts = {word: 0 for word, _ in KINDS.values()}
    classes = " ".join(f"({sparql_iri(cls)} {_quoted(word)})" for word, cls in KINDS.values())
    for r in select(
        store,
        f"SELECT ?word (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES (?cls ?word) {{ {classes} }} "
        "GRAPH ?g { ?e a ?cls } FILTER(isIRI(?e)) } GROUP BY ?word",
    ):
        counts[r["word"] or ""] = int(r["n"] or 0)
    counts.pop("", None)
    agreements = _agreement_terms(store, base)
    newest = sorted(agreements, key=lambda a: (a["date"] or "", a["id"]), reverse=True)
    horizon = add_duration(today, "P6M") or today  # a fixed, valid duration: never None
    ending = []
    for a in sorted(agreements, key=lambda a: (a["end"] or "", a["id"])):
        if not a["end"]:
            continue
        end = date.fromisoformat(a["end"])
        if end <= horizon:
            ending.append({**a, "state": "ended" if end < today else "ends soon"})
    return {
        "today": today.isoformat(),
        "horizon": horizon.isoformat(),
        "counts": counts,
        "latest": newest[:latest],
        "ending": ending,
    }


def _quoted(word: str) -> str:
    return '"' + re.sub(r"[^a-z ]", "", word) + '"'


def _agreement_terms(store: GraphStore, base: str | None) -> list[dict[str, Any]]:
    rows = select(
        store,
        "SELECT ?a (MIN(?l) AS ?label) (MIN(?d) AS ?date) (MIN(?dur) AS ?term) "
        "(MIN(?end) AS ?stated_end) WHERE { GRAPH ?g { ?a a kg:Agreement ; rdfs:label ?l . "
        "OPTIONAL { ?a dcterms:date ?d } OPTIONAL { ?a time:hasXSDDuration ?dur } "
        "OPTIONAL { ?a schema:endDate ?end } } } GROUP BY ?a LIMIT 10000",
    )
    out = []
    for r in rows:
        nid = _node_id(r["a"] or "", base)
        if not nid:
            continue
        end, computed = r["stated_end"], False
        if not end and r["date"] and r["term"]:
            computed_end = add_duration(date.fromisoformat(r["date"]), r["term"])
            if computed_end:
                end, computed = computed_end.isoformat(), True
        out.append(
            {
                **ref(nid, r["label"]),
                "date": r["date"],
                "term": duration_words(r["term"]) if r["term"] else None,
                "end": end,
                "computed": computed,
            }
        )
    return out


def describe(store: GraphStore, nid: str, fmt: str = "turtle", base: str | None = None) -> bytes:
    """The entity's triples across all release graphs, as Turtle or JSON-LD (DESCRIBE-like).

    The entity's own statements, those of its signing and witnessing nodes, and the
    statements that point at it (evidence nodes aside).

    :param fmt: ``turtle`` or ``jsonld``
    :raises ValueError: when ``nid`` is not a node id or ``fmt`` is unknown
    """
    iri = iri_of(nid, base)
    if iri is None or fmt not in ("turtle", "jsonld"):
        raise ValueError(f"cannot describe {nid!r} as {fmt!r}")
    term = sparql_iri(iri)
    sparql = (
        "PREFIX kg: <https://w3id.org/partnership-graph/ontology#>\n"
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
        "CONSTRUCT { ?s ?p ?o } WHERE { "
        f"{{ GRAPH ?g {{ ?s ?p ?o FILTER(?s = {term}) }} }} "
        f"UNION {{ GRAPH ?g {{ {term} kg:hasSigning|kg:hasWitnessing ?s . ?s ?p ?o }} }} "
        f"UNION {{ GRAPH ?g {{ ?s ?p ?o FILTER(?o = {term} && ?p != rdf:subject "
        "&& ?p != rdf:object) } } }"
    )
    return store.query(sparql, fmt)
