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

import json
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ._entities import (
    KINDS,
    NODE_ID,
    RELATION_WORDS,
    iri_of,
    kind_of,
    labels,
    ref,
    segments,
    select,
    sparql_iri,
    values,
)
from ._entities import node_id as _node_id
from ._entities import sparql_string as _sparql_string
from ._network import edge, expand, overview, to_pyvis
from ._words import (
    ONT,
    agreement_facts,
    by_label,
    duration_words,
    fact,
    first_value,
    joined_links,
    on_day,
    release_facts,
)
from .facts import add_duration, parse_duration
from .mapping import base_iri
from .store import GraphStore

__all__ = [
    "INCOMING_LINKS",
    "KINDS",
    "LISTS",
    "LIST_SIZE",
    "NODE_ID",
    "AgreementEnds",
    "agreement_ends",
    "counts",
    "describe",
    "duration_words",
    "edge",
    "ending",
    "entity",
    "entity_label",
    "entity_list",
    "expand",
    "home",
    "incoming_cut",
    "overview",
    "search",
    "to_pyvis",
]

_FACTS = {"agreement": agreement_facts, "release": release_facts}


#: rows each list shows on an entity page; :func:`entity_list` pages through the rest
LIST_SIZE = 50

Row = dict[str, str | None]
#: an item of a list (a dict, or an alias's text) and its sentence on the page (None: shown
#: as a source sentence)
Shown = tuple[Any, dict[str, Any] | None]


@dataclass(frozen=True)
class _List:
    """One list of an entity page, selected, ranked, counted and cut in SPARQL.

    ``rows(term)`` is a SELECT with one row per item of the entity ``term`` (grouped or
    distinct); ``order`` ranks them totally (it ends with the columns that key a row), so
    that ``LIMIT``/``OFFSET`` pages give every row once; ``make`` turns a page of rows into
    items, with the few lookups only those rows need (labels, an agreement's other parties).
    """

    title: str
    rows: Callable[[str], str]
    order: str
    make: Callable[[GraphStore, str, list[Row], str | None], list[Shown]]
    #: a query of the list's total, ``?n``, when cheaper than counting ``rows``
    count: Callable[[str], str] | None = None


def _agreements_of(predicate: str) -> Callable[[str], str]:
    """The agreements that ``predicate`` links to the entity, each with its latest date."""
    return lambda t: (
        f"SELECT ?a (MAX(?d) AS ?date) WHERE {{ GRAPH ?g {{ ?a {predicate} {t} }} "
        "OPTIONAL { GRAPH ?g2 { ?a dcterms:date ?d } } } GROUP BY ?a"
    )


def _partners_of(predicate: str) -> Callable[[str], str]:
    """The organisations party to the agreements that ``predicate`` links to the entity (the
    entity aside), each with how many of them it is party to."""
    return lambda t: (
        f"SELECT ?o (COUNT(DISTINCT ?a) AS ?shared) WHERE {{ GRAPH ?g {{ ?a {predicate} {t} }} "
        f"GRAPH ?g2 {{ ?a kg:party ?o }} FILTER(?o != {t}) }} GROUP BY ?o"
    )


def _links(store: GraphStore, iris: list[str | None], base: str | None) -> dict[str, dict]:
    """Links for the entity IRIs among ``iris``, by IRI (others are left out)."""
    names = labels(store, [i for i in iris if i])
    out = {}
    for iri in {i for i in iris if i}:
        nid = _node_id(iri, base)
        if nid:
            out[iri] = ref(nid, names.get(iri))
    return out


def _make_aliases(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    return [(r["alias"], fact(r["alias"] or "")) for r in rows if r["alias"]]


def _make_agreements(verb: str, partners: bool) -> Callable[..., list[Shown]]:
    """Agreements of an organisation (with their other parties) or an area."""

    def make(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
        others: dict[str, list[str]] = {}
        if partners and rows:
            for r in select(
                store,
                f"SELECT DISTINCT ?a ?o WHERE {{ {values('a', [r['a'] or '' for r in rows])} "
                f"GRAPH ?g {{ ?a kg:party ?o }} FILTER(?o != {term}) }}",
            ):
                others.setdefault(r["a"] or "", []).append(r["o"] or "")
        iris = [r["a"] for r in rows] + [o for found in others.values() for o in found]
        linked = _links(store, iris, base)
        out: list[Shown] = []
        for r in rows:
            a = linked.get(r["a"] or "")
            if a is None:
                continue
            item = {**a, "date": r["date"]}
            with_ = []
            if partners:
                found = (linked.get(o) for o in others.get(r["a"] or "", []))
                with_ = sorted((o for o in found if o), key=by_label)
                item["partners"] = with_
            said = fact(
                verb,
                a,
                on_day(r["date"]),
                *((" with ", *joined_links(with_)) if with_ else ()),
                ".",
            )
            out.append((item, said))
        return out

    return make


def _make_partners(verb: str) -> Callable[..., list[Shown]]:
    def make(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
        linked = _links(store, [r["o"] for r in rows], base)
        out: list[Shown] = []
        for r in rows:
            o = linked.get(r["o"] or "")
            if o is not None:
                n = int(r["shared"] or 0)
                item = {**o, "agreements": n}
                out.append((item, fact(o, f" {verb} {n} agreement{'' if n == 1 else 's'}.")))
        return out

    return make


def _make_people(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    linked = _links(store, [r["p"] for r in rows], base)
    out: list[Shown] = []
    for r in rows:
        p = linked.get(r["p"] or "")
        if p is not None:
            item = {"person": p, "role": r["role"], "attested_on": r["since"]}
            out.append((item, fact(p, f" is its {r['role']}.")))
    return out


def _make_roles(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    linked = _links(store, [r["org"] for r in rows], base)
    label = labels(store, [term[1:-1]]).get(term[1:-1], "")
    out: list[Shown] = []
    for r in rows:
        org = linked.get(r["org"] or "")
        item = {"role": r["role"], "organisation": org, "attested_on": r["attested"]}
        said = fact(
            f"{label} is {r['role']}",
            " of " if org else None,
            org,
            f" (as of {r['attested']})" if r["attested"] else None,
            ".",
        )
        out.append((item, said))
    return out


def _make_acts(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    linked = _links(store, [r[k] for r in rows for k in ("a", "for")], base)
    label = labels(store, [term[1:-1]]).get(term[1:-1], "")
    out: list[Shown] = []
    for r in rows:
        a = linked.get(r["a"] or "")
        if a is None:
            continue
        org = linked.get(r["for"] or "")
        values_ = (r["kind"], a, r["date"], r["role"], org)
        item = dict(
            zip(("kind", "agreement", "date", "role", "on_behalf_of"), values_, strict=True)
        )
        verb = "signed " if r["kind"] == "signed" else "witnessed the signing of "
        role = f" as {r['role']}" if r["role"] else None
        said = fact(
            f"{label} {verb}",
            a,
            on_day(r["date"]),
            role,
            *((" on behalf of ", org) if org else ()),
            ".",
        )
        out.append((item, said))
    return out


def _make_speeches(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    linked = _links(store, [r["r"] for r in rows], base)
    label = labels(store, [term[1:-1]]).get(term[1:-1], "")
    out: list[Shown] = []
    for r in rows:
        rel = linked.get(r["r"] or "")
        if rel is None:
            continue
        quote = f": \u201c{r['quote']}\u201d" if r["quote"] else "."
        out.append(
            ({"release": rel, "quote": r["quote"]}, fact(f"{label} is quoted in ", rel, quote))
        )
    return out


def _make_releases(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    linked = _links(store, [r["r"] for r in rows], base)
    out: list[Shown] = []
    for r in rows:
        rel = linked.get(r["r"] or "")
        if rel is not None:
            out.append(
                ({**rel, "date": r["date"]}, fact(rel, f" ({r['date']})" if r["date"] else None))
            )
    return out


#: the edges of each kind of entity ``?e`` that evidence nodes ``?ev`` state (in ``GRAPH ?g``)
_STATED = {
    "org": ["?ev rdf:subject ?e", "?ev rdf:object ?e"],
    "agreement": ["?ev rdf:subject ?e"],
    "area": ["?ev rdf:object ?e"],
    "person": [
        "?ev rdf:subject ?e",
        "?ev rdf:object ?x . ?x prov:agent ?e",
        "?ev rdf:subject ?x . ?x org:member ?e",
        "?ev rdf:subject ?x . ?x kg:speaker ?e",
    ],
    "release": ["?ev kg:inRelease ?e"],
}
#: a sentence of evidence ``?ev``: its release and first offset (``?ss``), the release's date
_SENTENCE = (
    "?ev kg:inRelease ?rel OPTIONAL { ?ev kg:sentenceStart ?ss } "
    "OPTIONAL { ?rel dcterms:issued ?d }"
)


def _about(kind: str, term: str) -> str:
    """The evidence about ``term``, an entity of ``kind``, with its sentence's release and
    start (``?start``, -1 when unknown): a union of one pattern per edge, each with the term
    written in and the sentence in the same pattern, so that Oxigraph starts each from the
    term (with ``VALUES ?e``, or the sentence joined after the union, it read every evidence
    node of the store: 20-40 s for a hub at 10,000 releases)."""
    branches = (re.sub(r"\?e\b", term, edge) for edge in _STATED[kind])
    union = " UNION ".join(f"{{ GRAPH ?g {{ {edge} . {_SENTENCE} }} }}" for edge in branches)
    return f"{union} BIND(COALESCE(?ss, -1) AS ?start)"


def _evidence_units(kind: str) -> Callable[[str], str]:
    """The sentences that state something about the entity: one row per release and sentence
    start, with the release's date and the evidence nodes (``?nodes``, space-separated)."""
    return lambda t: (
        "SELECT ?rel ?start (MAX(?d) AS ?date) "
        '(GROUP_CONCAT(STR(?ev); separator=" ") AS ?nodes) '
        f"WHERE {{ {_about(kind, t)} }} GROUP BY ?rel ?start"
    )


def _count_units(kind: str) -> Callable[[str], str]:
    return lambda t: (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?rel ?start WHERE { "
        f"{_about(kind, t)} }} }}"
    )


def _make_evidence(store: GraphStore, term: str, rows: list[Row], base: str | None) -> list[Shown]:
    """The sentences of the rows, as :func:`kg._entities.evidence` makes them (each stated
    span marked), in the rows' order. One pattern per release, starting from the release
    named, with the rows' evidence nodes as a filter: joined with VALUES, or with a pattern
    of its own as :func:`~kg._entities.evidence` joins one, Oxigraph read every evidence node
    of the store (0.3-60 s at 10,000 releases)."""
    if not rows:
        return []
    nodes = [sparql_iri(n) for r in rows for n in (r["nodes"] or "").split()]
    branches = " UNION ".join(
        f"{{ GRAPH ?g {{ ?ev kg:inRelease {rel} ; rdf:predicate ?p ; kg:sentence ?sentence ; "
        "kg:startOffset ?start ; kg:endOffset ?end ; kg:exactText ?exact "
        f"OPTIONAL {{ ?ev kg:sentenceStart ?ss }} }} BIND({rel} AS ?rel) }}"
        for rel in dict.fromkeys(sparql_iri(r["rel"] or "") for r in rows)
    )
    found = select(
        store,
        "SELECT DISTINCT ?ev ?rel ?p ?sentence ?ss ?start ?end ?exact WHERE { "
        f"{branches} FILTER(?ev IN ({', '.join(nodes)})) }} ORDER BY ?start",
    )
    names = labels(store, [r["rel"] or "" for r in rows])
    items: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for r in rows:  # in the rows' order
        rel_id = _node_id(r["rel"] or "", base)
        release = ref(rel_id, names.get(r["rel"] or "")) if rel_id else None
        items[r["rel"], r["start"]] = {"release": release, "sentence": "", "spans": [],
                                       "offsets": [], "relations": []}  # fmt: skip
    for r in found:
        item = items.get((r["rel"], r["ss"] or "-1"))
        if item is None:
            continue
        sentence, start, end = r["sentence"] or "", int(r["start"] or 0), int(r["end"] or 0)
        lo = start - int(r["ss"]) if r["ss"] else max(sentence.find(r["exact"] or ""), 0)
        lo = min(max(lo, 0), len(sentence))
        span = [lo, min(lo + end - start, len(sentence))]
        item["sentence"] = sentence
        if span not in item["spans"]:
            item["spans"].append(span)
            item["offsets"].append([start, end])
        word = RELATION_WORDS.get(r["p"] or "", "stated")
        if word not in item["relations"]:
            item["relations"].append(word)
    out: list[Shown] = []
    for item in items.values():
        item["spans"].sort()
        item["offsets"].sort()
        item["relations"].sort()
        item["segments"] = segments(item["sentence"], item["spans"])
        out.append((item, None))
    return out


_RELEASES = _List(
    "releases that state something about it",
    lambda t: (
        "SELECT ?r (MAX(?d) AS ?date) WHERE { { SELECT DISTINCT ?g WHERE { GRAPH ?g { "
        f"{{ {t} ?p ?o }} UNION {{ ?s ?p {t} FILTER(?p NOT IN (rdf:subject, rdf:object)) }} "
        f"}} }} }} GRAPH ?g {{ ?r a kg:Release OPTIONAL {{ ?r dcterms:issued ?d }} }} "
        f"FILTER(?r != {t}) }} GROUP BY ?r"
    ),
    "DESC(?date) ?r",
    _make_releases,
)
_ALIASES = _List(
    "other names",
    lambda t: f"SELECT DISTINCT ?alias WHERE {{ GRAPH ?g {{ {t} skos:altLabel ?alias }} }}",
    "?alias",
    _make_aliases,
)


def _common(kind: str) -> dict[str, _List]:
    return {
        "aliases": _ALIASES,
        "releases": _RELEASES,
        "evidence": _List(
            "source sentences",
            _evidence_units(kind),
            "DESC(?date) ?rel ?start",
            _make_evidence,
            _count_units(kind),
        ),
    }


#: the lists of each kind of entity page, by name (the name is the paged list's path,
#: ``/org/<slug>/agreements``). An agreement's and a release's own facts (parties, areas,
#: signatories; the agreements and names a release states) are what one or two releases say
#: about one agreement, so they are not lists here; their releases and sentences are.
LISTS: dict[str, dict[str, _List]] = {
    "org": {
        "agreements": _List(
            "agreements it is a party to",
            _agreements_of("kg:party"),
            "DESC(?date) ?a",
            _make_agreements("It is a party to ", partners=True),
        ),
        "partners": _List(
            "organisations party to its agreements",
            _partners_of("kg:party"),
            "DESC(?shared) ?o",
            _make_partners("is a party to"),
        ),
        "people": _List(
            "people who hold a role in it",
            lambda t: (
                f"SELECT ?p ?role (MAX(?on) AS ?since) WHERE {{ GRAPH ?g {{ "
                f"?m org:organization {t} ; org:member ?p ; org:role/skos:prefLabel ?role "
                "OPTIONAL { ?m kg:attestedOn ?on } } } GROUP BY ?p ?role"
            ),
            "DESC(?since) ?p ?role",
            _make_people,
        ),
        **_common("org"),
    },
    "person": {
        "roles": _List(
            "roles held",
            lambda t: (
                f"SELECT ?role ?org (MAX(?on) AS ?attested) WHERE {{ GRAPH ?g {{ "
                f"?m org:member {t} ; org:role/skos:prefLabel ?role "
                "OPTIONAL { ?m org:organization ?org } OPTIONAL { ?m kg:attestedOn ?on } } } "
                "GROUP BY ?role ?org"
            ),
            "DESC(?attested) ?role ?org",
            _make_roles,
        ),
        "agreements": _List(
            "agreements signed or witnessed",
            lambda t: (
                "SELECT ?kind ?a (MAX(?d) AS ?date) (MIN(?r) AS ?role) (MIN(?f) AS ?for) "
                f"WHERE {{ GRAPH ?g {{ ?a ?link ?x . ?x prov:agent {t} . "
                'VALUES (?link ?kind) { (kg:hasSigning "signed") (kg:hasWitnessing "witnessed") } '
                "OPTIONAL { ?a dcterms:date ?d } OPTIONAL { ?x prov:hadRole/skos:prefLabel ?r } "
                "OPTIONAL { ?x kg:onBehalfOf ?f } } } GROUP BY ?kind ?a"
            ),
            "DESC(?date) ?a ?kind",
            _make_acts,
        ),
        "speeches": _List(
            "releases that quote them",
            lambda t: (
                f"SELECT ?r ?quote (MAX(?d) AS ?date) WHERE {{ GRAPH ?g {{ ?sp kg:speaker {t} ; "
                "kg:inRelease ?r OPTIONAL { ?sp schema:text ?quote } "
                "OPTIONAL { ?r dcterms:issued ?d } } } GROUP BY ?r ?quote"
            ),
            "DESC(?date) ?r ?quote",
            _make_speeches,
        ),
        **_common("person"),
    },
    "area": {
        "agreements": _List(
            "agreements that cover it",
            _agreements_of("kg:coversArea"),
            "DESC(?date) ?a",
            _make_agreements("It is covered by ", partners=False),
        ),
        "organisations": _List(
            "organisations party to agreements that cover it",
            _partners_of("kg:coversArea"),
            "DESC(?shared) ?o",
            _make_partners("is a party to"),
        ),
        **_common("area"),
    },
    "agreement": _common("agreement"),
    "release": _common("release"),
}


def entity_label(store: GraphStore, nid: str, base: str | None = None) -> str | None:
    """The entity's label (its node id when it has none), or None when the graph does not
    hold it (or ``nid`` is not a node id)."""
    iri = iri_of(nid, base)
    if iri is None:
        return None
    rows = select(
        store,
        f"SELECT ?l WHERE {{ GRAPH ?g {{ {sparql_iri(iri)} a "
        f"{sparql_iri(KINDS[kind_of(nid)][1])} ; rdfs:label ?l }} }} ORDER BY ?l LIMIT 1",
    )
    return (rows[0]["l"] or nid) if rows else None


def _total(store: GraphStore, spec: _List, term: str) -> int:
    query = (
        spec.count(term) if spec.count else f"SELECT (COUNT(*) AS ?n) WHERE {{ {spec.rows(term)} }}"
    )
    rows = select(store, query)
    return int(rows[0]["n"] or 0) if rows else 0


def _cut(
    store: GraphStore, spec: _List, term: str, offset: int, size: int, base: str | None
) -> tuple[int, list[Shown]]:
    """How many rows the page of ``size`` rows from ``offset`` holds, and its items."""
    rows = select(
        store, f"{spec.rows(term)} ORDER BY {spec.order} LIMIT {int(size)} OFFSET {int(offset)}"
    )
    return len(rows), spec.make(store, term, rows, base)


def entity(store: GraphStore, nid: str, base: str | None = None) -> dict[str, Any] | None:
    """Everything a page shows about one entity, or None when the graph does not hold it.

    Every list (:data:`LISTS`: an organisation's agreements, partners and people, a person's
    roles, agreements and quotes, an area's agreements and organisations, and every
    entity's aliases, releases and source sentences) holds at most :data:`LIST_SIZE` rows,
    the first of its ranking (the newest first, or the most shared), selected, ranked and
    counted in SPARQL; ``lists`` gives each list's total and the path of its pages
    (:func:`entity_list`).

    :param nid: a node id (``person/ronald-lam``)
    :param base: the base of data IRIs (default: :func:`kg.mapping.base_iri`)
    :returns: ``{"id", "iri", "kind", "type", "label", "url", "aliases", "facts",
        "details", "releases", "evidence", "lists"}``; each fact is ``{"text", "parts"}``
        where a part links onward when it has a ``url``; ``lists`` maps a list's name to
        ``{"title", "total", "shown", "url"}``
    """
    label = entity_label(store, nid, base)
    iri = iri_of(nid, base)
    if label is None or iri is None:
        return None
    kind = kind_of(nid)
    term = sparql_iri(iri)
    shown: dict[str, list[Shown]] = {}
    lists = {}
    for name, spec in LISTS[kind].items():
        read, shown[name] = _cut(store, spec, term, 0, LIST_SIZE, base)
        lists[name] = {
            "title": spec.title,
            "total": _total(store, spec, term) if read >= LIST_SIZE else read,
            "shown": len(shown[name]),
            "url": f"/{nid}/{name}",
        }
    if kind in ("org", "person", "area"):
        facts, details = _listed_facts(store, iri, kind, shown)
    else:
        facts, details = _FACTS[kind](store, iri, label, base)
    return {
        "id": nid,
        "iri": iri,
        "kind": kind,
        "type": KINDS[kind][0],
        "label": label,
        "url": "/" + nid,
        "aliases": [item for item, _ in shown["aliases"]],
        "facts": facts,
        "details": details,
        "releases": [item for item, _ in shown["releases"]],
        "evidence": [item for item, _ in shown["evidence"]],
        "lists": lists,
    }


def _listed_facts(
    store: GraphStore, iri: str, kind: str, shown: dict[str, list[Shown]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The facts and details of an organisation, person or area: its own few values and the
    first rows of its lists."""
    own = _own(store, iri)
    facts: list[dict[str, Any]] = []
    details: dict[str, Any] = {}

    def listed(*names: str) -> None:
        for name in names:
            details[name] = [item for item, _ in shown[name]]
            facts.extend(said for _, said in shown[name] if said)

    if kind == "org":
        if shown["aliases"]:
            names = ", ".join(item for item, _ in shown["aliases"])
            facts.append(fact("It is also called ", names, "."))
        founded = first_value(own, "https://schema.org/foundingDate")
        sites = sorted(labels(store, own.get(ONT + "site", [])).values())
        stated = own.get(ONT + "statedCount", [])
        if founded:
            facts.append(fact(f"It was founded in {founded}."))
        if sites:
            facts.append(fact("Its sites: ", ", ".join(sites), "."))
        facts.extend(fact(f"It counts {c}.") for c in stated)
        details.update(founded=founded, sites=sites, counts=stated)
        listed("agreements", "partners", "people")
    elif kind == "person":
        details["honorific"] = first_value(own, "https://schema.org/honorificPrefix")
        listed("roles", "agreements", "speeches")
    else:
        listed("agreements")
        details["organisations"] = [item for item, _ in shown["organisations"]]
        if details["organisations"]:
            facts.append(
                fact(
                    "Organisations partnering in it: ", *joined_links(details["organisations"]), "."
                )
            )
    return facts, details


#: the entity's own values a page shows (the rest are its lists)
_OWN = ("https://schema.org/foundingDate", ONT + "site", ONT + "statedCount",
        "https://schema.org/honorificPrefix")  # fmt: skip


def _own(store: GraphStore, iri: str) -> dict[str, list[str]]:
    """The entity's own values of :data:`_OWN`, per predicate (at most :data:`LIST_SIZE`)."""
    rows = select(
        store,
        f"SELECT DISTINCT ?p ?o WHERE {{ {values('p', _OWN)} "
        f"GRAPH ?g {{ {sparql_iri(iri)} ?p ?o }} }} "
        f"ORDER BY ?p ?o LIMIT {LIST_SIZE * len(_OWN)}",
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["p"] or "", []).append(r["o"] or "")
    return {p: found[:LIST_SIZE] for p, found in out.items()}


def entity_list(
    store: GraphStore,
    nid: str,
    name: str,
    *,
    page: int = 1,
    size: int = LIST_SIZE,
    base: str | None = None,
) -> dict[str, Any] | None:
    """One page of one of an entity's lists (:data:`LISTS`), in the entity page's order.

    :param name: the list (``agreements``, ``partners``, ``evidence`` ...)
    :param page: the page number, from 1; a page past the last has no ``items``
    :returns: ``{"id", "label", "kind", "type", "url", "list", "title", "page", "pages",
        "size", "total", "items"}`` (``pages`` at least 1; each item is the list's item with
        its sentence, ``fact``, or a source sentence), or None when the graph does not hold
        the entity or its kind has no such list
    """
    kind = kind_of(nid)
    spec = LISTS.get(kind, {}).get(name)
    label = entity_label(store, nid, base) if spec else None
    iri = iri_of(nid, base)
    if spec is None or label is None or iri is None:
        return None
    page, size = max(1, int(page)), max(1, int(size))
    term = sparql_iri(iri)
    total = _total(store, spec, term)
    _, items = _cut(store, spec, term, (page - 1) * size, size, base) if total else (0, [])
    return {
        "id": nid,
        "label": label,
        "kind": kind,
        "type": KINDS[kind][0],
        "url": "/" + nid,
        "list": name,
        "title": spec.title,
        "page": page,
        "pages": max(1, -(-total // size)),
        "size": size,
        "total": total,
        "items": [
            {"alias": item, "fact": said} if isinstance(item, str) else {**item, "fact": said}
            for item, said in items
        ],
    }


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


def counts(store: GraphStore) -> dict[str, int]:
    """How many entities the graph holds of each kind (``organisation``, ``person``, ...)."""
    found = {word: 0 for word, _ in KINDS.values()}
    classes = " ".join(f"({sparql_iri(cls)} {_quoted(word)})" for word, cls in KINDS.values())
    for r in select(
        store,
        f"SELECT ?word (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES (?cls ?word) {{ {classes} }} "
        "GRAPH ?g { ?e a ?cls } FILTER(isIRI(?e)) } GROUP BY ?word",
    ):
        found[r["word"] or ""] = int(r["n"] or 0)
    found.pop("", None)
    return found


def home(
    store: GraphStore,
    *,
    today: date,
    latest: int = 10,
    ended: int = 10,
    soon: int = 50,
    base: str | None = None,
    row_cap: int | None = None,
    ends: AgreementEnds | None = None,
    totals: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The home page: counts per type, the latest agreements, the agreements whose term ends
    within six months of ``today`` and those that ended last, with how many there are of each.

    An agreement's end is its ``schema:endDate``, else its date plus its stated term
    (``time:hasXSDDuration``), marked ``"computed": true``. The lists are cut from
    :func:`agreement_ends` (one read of every agreement, which a server keeps per state of
    the store and reuses for every day and every page of :func:`ending`).

    :param latest: how many of the newest agreements to list
    :param ended: how many of the agreements that ended last (before ``today``) to list
    :param soon: at most how many of the agreements that end soon (``today`` to the horizon)
        to list, soonest first
    :param row_cap: read at most this many rows per query (the query workers' row cap); None
        reads each list with one query
    :param ends: :func:`agreement_ends` of ``store``, when already computed
    :param totals: :func:`counts` of ``store``, when already computed
    :returns: ``{"today", "horizon", "counts", "latest", "ending", "ended_total",
        "ends_soon_total"}``; ``ending`` holds the listed agreements of both kinds, by end
        date, each with its ``state`` (``ended`` or ``ends soon``)
    """
    if ends is None:
        ends = agreement_ends(store, base=base, row_cap=row_cap)
    lists = ends.home(today, latest=latest, ended=ended, soon=soon)
    return {
        "today": today.isoformat(),
        "horizon": lists["horizon"],
        "counts": counts(store) if totals is None else totals,
        "latest": lists["latest"],
        "ending": lists["ending"],
        "ended_total": lists["ended_total"],
        "ends_soon_total": lists["ends_soon_total"],
    }


def ending(
    store: GraphStore,
    *,
    today: date,
    page: int = 1,
    size: int = 50,
    base: str | None = None,
    row_cap: int | None = None,
    ends: AgreementEnds | None = None,
) -> dict[str, Any]:
    """One page of every agreement whose term has ended or ends within six months of
    ``today``, the latest end first (then by node id): a slice of :func:`agreement_ends`.

    :param page: the page number, from 1; a page past the last has no ``items``
    :param size: agreements per page
    :param row_cap: read at most this many rows per query (see :func:`home`)
    :param ends: :func:`agreement_ends` of ``store``, when already computed
    :returns: ``{"today", "horizon", "page", "pages", "size", "total", "ended_total",
        "items"}``; ``pages`` is at least 1, each item has its ``state``
    """
    if ends is None:
        ends = agreement_ends(store, base=base, row_cap=row_cap)
    return ends.page(today, page=page, size=size)


def agreement_ends(
    store: GraphStore, *, base: str | None = None, row_cap: int | None = None
) -> AgreementEnds:
    """Every agreement that is a node, with its end, read in one query (or ``row_cap`` rows
    at a time): what :func:`home` and :func:`ending` cut their lists from, for any day.

    The ends are computed in SPARQL (:func:`_terms`), the few in forms only Python reads
    here; the order is made here too (sorting in SPARQL would look up every IRI's text).
    """
    query = (
        "SELECT ?a ?label ?date ?term ?end ?computed ?finish ?stated_end "
        f"WHERE {{ {_terms(base)} }}"
    )
    return AgreementEnds.of(_agreements(_pages(store, query, "?a", row_cap), base))


def _end_key(agreement: dict[str, Any]) -> tuple[int, str]:
    """The order of the pages of :func:`ending`: the latest end first, then by node id."""
    return -_end_day(agreement).toordinal(), agreement["id"]


def _soonest_key(agreement: dict[str, Any]) -> tuple[int, str]:
    """The order of the home page's list: the soonest end first, then by node id."""
    return _end_day(agreement).toordinal(), agreement["id"]


def _end_day(agreement: dict[str, Any]) -> date:
    return _day(agreement["end"]) or date.max


#: what :class:`AgreementEnds` keeps of an agreement (its ``type`` and ``url`` follow from its
#: ``id``)
_FIELDS = ("id", "label", "date", "term", "end", "computed")


class AgreementEnds:
    """Every agreement with its end, in the order of :func:`ending`'s pages (those whose end
    Python cannot read as a date last), and the order of the newest: made once by
    :func:`agreement_ends`, then cut for any day and page.

    It travels as bytes (:meth:`to_bytes`, :meth:`from_bytes`): a first line with the counts
    and the newest order, then one agreement a line (a JSON array of its fields), so that a
    cached copy is about as large as its text and a page parses only the lines it shows (and
    the few a binary search looks at).
    """

    def __init__(self, lines: list[bytes], dated: int, newest: list[int]) -> None:
        #: one agreement a line (JSON); the first ``dated`` have an end, the latest first
        self.lines, self.dated, self.newest = lines, dated, newest

    @classmethod
    def of(cls, agreements: list[dict[str, Any]]) -> AgreementEnds:
        """The ends of ``agreements`` (as :func:`_agreements` makes them), put in order."""
        dated = sorted((a for a in agreements if _day(a["end"])), key=_end_key)
        undated = sorted((a for a in agreements if not _day(a["end"])), key=lambda a: a["id"])
        every = dated + undated
        newest = sorted(
            range(len(every)), key=lambda i: (every[i]["date"] or "", every[i]["id"]), reverse=True
        )
        fields = [[a[k] for k in _FIELDS] for a in every]
        lines = [json.dumps(f, ensure_ascii=False).encode() for f in fields]
        return cls(lines, len(dated), newest)

    def to_bytes(self) -> bytes:
        """The bytes :meth:`from_bytes` reads back."""
        head = json.dumps({"dated": self.dated, "newest": self.newest}).encode()
        return b"\n".join([head, *self.lines])

    @classmethod
    def from_bytes(cls, body: bytes) -> AgreementEnds:
        """The ends that :meth:`to_bytes` wrote."""
        head, *lines = body.split(b"\n")
        found = json.loads(head)
        return cls(lines, int(found["dated"]), list(found["newest"]))

    def _item(self, index: int) -> dict[str, Any]:
        nid, label, *rest = json.loads(self.lines[index])
        return {**ref(nid, label), **dict(zip(_FIELDS[2:], rest, strict=True))}

    def _first(self, day: date, after: bool = False) -> int:
        """The index of the first dated agreement that ends on or before ``day`` (with
        ``after``: before ``day``)."""
        target = -day.toordinal() + (1 if after else 0)
        return bisect_left(
            range(self.dated), target, key=lambda i: -_end_day(self._item(i)).toordinal()
        )

    def _due(self, today: date) -> tuple[date, int, int]:
        """The horizon, and the index of the first agreement due by it and of the first
        ended before ``today``: ``[start, ended)`` end soon, ``[ended, dated)`` have ended."""
        horizon = add_duration(today, "P6M") or today  # a fixed, valid duration
        return horizon, self._first(horizon), self._first(today, after=True)

    def _stated(self, index: int, today: date) -> dict[str, Any]:
        item = self._item(index)
        return {**item, "state": "ended" if _end_day(item) < today else "ends soon"}

    def page(self, today: date, *, page: int = 1, size: int = 50) -> dict[str, Any]:
        """Page ``page`` of the agreements ended or ending by six months after ``today``
        (:func:`ending`)."""
        page, size = max(1, int(page)), max(1, int(size))
        horizon, start, ended = self._due(today)
        total = self.dated - start
        first = start + (page - 1) * size
        return {
            "today": today.isoformat(),
            "horizon": horizon.isoformat(),
            "page": page,
            "pages": max(1, -(-total // size)),
            "size": size,
            "total": total,
            "ended_total": self.dated - ended,
            "items": [self._stated(i, today) for i in range(first, min(first + size, self.dated))],
        }

    def home(
        self, today: date, *, latest: int = 10, ended: int = 10, soon: int = 50
    ) -> dict[str, Any]:
        """The lists of :func:`home`: the newest, and the last ended with the soonest to end."""
        horizon, start, stop = self._due(today)
        past = [self._stated(i, today) for i in range(stop, min(stop + max(0, ended), self.dated))]
        coming = sorted((self._stated(i, today) for i in range(start, stop)), key=_soonest_key)
        return {
            "horizon": horizon.isoformat(),
            "latest": [self._item(i) for i in self.newest[: max(0, int(latest))]],
            "ending": sorted(past + coming[: max(0, int(soon))], key=_soonest_key),
            "ended_total": self.dated - stop,
            "ends_soon_total": stop - start,
        }


def _quoted(word: str) -> str:
    return '"' + re.sub(r"[^a-z ]", "", word) + '"'


#: an ISO 8601 duration of years, months, weeks and days, as :func:`kg.facts.parse_duration`
#: reads it (ASCII digits only: anything else is finished in Python)
_TERM = "^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?$"


def _valid_day(var: str) -> str:
    """True when ``?var`` is a date ``YYYY-MM-DD`` Python reads the same way, else false."""
    return (
        f'COALESCE(REGEX(?{var}, "^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$") '
        f'&& STR(xsd:date(?{var})) = ?{var} && SUBSTR(?{var}, 1, 4) != "0000", false)'
    )


def _padded(expr: str, width: int) -> str:
    """The integer ``expr`` as a string of at least ``width`` digits."""
    text = f"STR({expr})"
    return f'SUBSTR(CONCAT("{"0" * width}", {text}), STRLEN({text}) + 1)'


def _floor(expr: str) -> str:
    return f"xsd:integer(FLOOR({expr}))"


def _terms(base: str | None = None) -> str:
    """A group binding each agreement ``?a`` that is a node once, with its ``?label``,
    ``?day`` (its date), ``?term`` (its stated duration) and its end.

    The values are the smallest over the release graphs that type and label the agreement.
    ``?end`` is the stated ``schema:endDate`` (``?stated_end``), else the date plus the term,
    computed here (Oxigraph adds no duration to a date) as :func:`kg.facts.add_duration` does:
    the years and months first (the month moved on, the day kept or else the month's last
    day), then the weeks and days, counted on a day number (``?z``, days since 0000-03-01 in
    the proleptic Gregorian calendar); ``?computed`` says which. ``?finish`` marks the few
    agreements whose end Python must compute: a date, term or stated end in a form this query
    does not read (or an end past the year 9999, which Python refuses too).

    Each pattern is its own sub-select joined on ``?g ?a``, so Oxigraph joins them by hashing.
    """
    root = sparql_iri(base_iri(base))
    pattern = NODE_ID.pattern.removesuffix(r"\Z")

    def stated(var: str, predicate: str) -> str:
        return f"SELECT ?g ?a ?{var} WHERE {{ GRAPH ?g {{ ?a {predicate} ?{var} }} }}"

    def part(n: int) -> str:  # the n-th number of the term, 0 when absent
        return f'xsd:integer(CONCAT("0", REPLACE(?term_text, "{_TERM}", "${n}")))'

    months, days = f"({part(1)} * 12 + {part(2)})", f"({part(3)} * 7 + {part(4)})"
    leap = (
        "((?y - 4 * FLOOR(?y / 4) = 0 && ?y - 100 * FLOOR(?y / 100) != 0) "
        "|| ?y - 400 * FLOOR(?y / 400) = 0)"
    )
    last = f"IF(?mo = 2, IF({leap}, 29, 28), IF(?mo IN (4, 6, 9, 11), 30, 31))"
    era_days = " - ".join(
        [f"?doe + {_floor('?doe / 36524')}", _floor("?doe / 1460"), _floor("?doe / 146096")]
    )
    year_of_era = _floor(f"({era_days}) / 365")
    # the day number of ?y-?mo-?dd (the day no later than the month's last), plus the days
    # (H. Hinnant's days_from_civil and civil_from_days, with March the first month)
    day_number = (
        "BIND(?y - IF(?mo <= 2, 1, 0) AS ?yy) "
        f"BIND({_floor('?yy / 400')} AS ?era) BIND(?yy - 400 * ?era AS ?yoe) "
        f"BIND(?era * 146097 + 365 * ?yoe + {_floor('?yoe / 4')} - {_floor('?yoe / 100')} "
        f"+ {_floor('(153 * IF(?mo > 2, ?mo - 3, ?mo + 9) + 2) / 5')} "
        f"+ IF(?dd > ?last, ?last, ?dd) - 1 + {days} AS ?z) "
        f"BIND({_floor('?z / 146097')} AS ?z_era) BIND(?z - 146097 * ?z_era AS ?doe) "
        f"BIND({year_of_era} AS ?z_yoe) "
        f"BIND(?doe - 365 * ?z_yoe - {_floor('?z_yoe / 4')} + {_floor('?z_yoe / 100')} AS ?doy) "
        f"BIND({_floor('(5 * ?doy + 2) / 153')} AS ?mp) "
        "BIND(IF(?mp < 10, ?mp + 3, ?mp - 9) AS ?end_month) "
        "BIND(400 * ?z_era + ?z_yoe + IF(?end_month <= 2, 1, 0) AS ?end_year) "
        f"BIND(?doy - {_floor('(153 * ?mp + 2) / 5')} + 1 AS ?end_day) "
    )
    return (
        "{ SELECT ?a (MIN(?l) AS ?label) (MIN(?d) AS ?date) (MIN(?dur) AS ?term) "
        "(MIN(?e) AS ?stated) WHERE { "
        "{ SELECT DISTINCT ?g ?a WHERE { GRAPH ?g { ?a a kg:Agreement } "
        f"FILTER(STRSTARTS(STR(?a), STR({root})) "
        f'&& REGEX(SUBSTR(STR(?a), STRLEN(STR({root})) + 1), "^{pattern}$")) }} }} '
        f"{{ {stated('l', 'rdfs:label')} }} "
        f"OPTIONAL {{ {stated('d', 'dcterms:date')} }} "
        f"OPTIONAL {{ {stated('dur', 'time:hasXSDDuration')} }} "
        f"OPTIONAL {{ {stated('e', 'schema:endDate')} }} "
        "} GROUP BY ?a } "
        "BIND(STR(?date) AS ?day) BIND(STR(?term) AS ?term_text) "
        "BIND(IF(STRLEN(STR(?stated)) > 0, STR(?stated), ?none) AS ?stated_end) "
        f'BIND({_valid_day("day")} && COALESCE(REGEX(?term_text, "{_TERM}") '
        '&& ?term_text != "P", false) AS ?plain) '
        f"BIND(IF(?plain, xsd:integer(SUBSTR(?day, 6, 2)) - 1 + {months}, ?none) AS ?m0) "
        "BIND(xsd:integer(FLOOR(?m0 / 12)) AS ?carry) "
        "BIND(xsd:integer(SUBSTR(?day, 1, 4)) + ?carry AS ?y) "
        "BIND(?m0 - 12 * ?carry + 1 AS ?mo) "
        f"BIND(xsd:integer(SUBSTR(?day, 9, 2)) AS ?dd) BIND({last} AS ?last) "
        f"{day_number}"
        f'BIND(IF(?end_year <= 9999, CONCAT({_padded("?end_year", 4)}, "-", '
        f'{_padded("?end_month", 2)}, "-", {_padded("?end_day", 2)}), ?none) AS ?term_end) '
        "BIND(COALESCE(?stated_end, ?term_end) AS ?end) "
        "BIND(!BOUND(?stated_end) && BOUND(?end) AS ?computed) "
        f"BIND(IF(BOUND(?stated_end), !{_valid_day('stated_end')}, "
        "COALESCE(STRLEN(?day) > 0 && STRLEN(?term_text) > 0, false) "
        "&& !BOUND(?end)) AS ?finish)"
    )


def _pages(store: GraphStore, query: str, order: str, row_cap: int | None) -> list[dict[str, Any]]:
    """Every row of ``query``: with one query when ``row_cap`` is None or more than its rows,
    else ``row_cap`` rows at a time in ``order`` (which must order the rows totally), so none
    is cut by a row cap."""
    if row_cap is None:
        return select(store, query)
    rows = select(store, f"{query} LIMIT {row_cap}")  # unordered: sorting IRIs costs lookups
    if len(rows) < row_cap:
        return rows
    rows = []
    while True:
        batch = select(store, f"{query} ORDER BY {order} LIMIT {row_cap} OFFSET {len(rows)}")
        rows += batch
        if len(batch) < row_cap:
            return rows


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _computed_end(day: str | None, term: str | None) -> str | None:
    """``day`` plus ``term`` in Python (:func:`kg.facts.add_duration`), None when either
    cannot be read or the end would fall after the year 9999."""
    start, parts = _day(day), parse_duration(term)
    if start is None or parts is None or term is None:
        return None
    years, months = parts[0], parts[1]
    if start.year + years + (start.month - 1 + months) // 12 > 9999:
        return None
    try:
        end = add_duration(start, term)
    except OverflowError:
        return None
    return end.isoformat() if end else None


def _agreements(rows: list[dict[str, Any]], base: str | None) -> list[dict[str, Any]]:
    """Rows of :func:`_terms` as the home page's agreements (the ends marked ``?finish``
    computed here)."""
    out = []
    for r in rows:
        nid = _node_id(r["a"] or "", base)
        if not nid:
            continue
        end, computed = r["end"], r["computed"] == "true"
        if r["finish"] == "true":
            end = r["stated_end"] or _computed_end(r["date"], r["term"])
            computed = not r["stated_end"] and end is not None
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


#: at most this many statements pointing at an entity in :func:`describe`
INCOMING_LINKS = 1000
#: the statements pointing at ``?t`` that :func:`describe` gives (evidence nodes aside)
_INCOMING = "GRAPH ?g {{ ?s ?p {t} FILTER(?p != rdf:subject && ?p != rdf:object) }}"


def describe(store: GraphStore, nid: str, fmt: str = "turtle", base: str | None = None) -> bytes:
    """The entity's triples across all release graphs, as Turtle or JSON-LD (DESCRIBE-like).

    What a linked-data server does for a node with thousands of links (as DBpedia's and
    Pubby's pages cut the incoming ones): the entity's own description whole (the statements
    it is the subject of, and those of its signing and witnessing nodes: what releases state
    about it, a few per release) and at most :data:`INCOMING_LINKS` of the statements that
    point at it (evidence nodes aside), the first by predicate and subject; the rest are in
    the entity's paged lists (``/org/<slug>/agreements?page=N`` ...) and at ``/sparql``.
    :func:`incoming_cut` says whether and how many were left out (the web app sends it as
    ``X-KG-Truncated``). The term is written into each pattern (a ``FILTER(?s = <t>)`` over
    ``?s ?p ?o`` read the whole store: 6-7 s for a hub at 10,000 releases).

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
        f"{{ GRAPH ?g {{ {term} ?p ?o }} BIND({term} AS ?s) }} "
        f"UNION {{ GRAPH ?g {{ {term} kg:hasSigning|kg:hasWitnessing ?s . ?s ?p ?o }} }} "
        f"UNION {{ {{ SELECT DISTINCT ?s ?p WHERE {{ {_INCOMING.format(t=term)} }} "
        f"ORDER BY ?p ?s LIMIT {INCOMING_LINKS} }} BIND({term} AS ?o) }} }}"
    )
    return store.query(sparql, fmt)


def incoming_cut(store: GraphStore, nid: str, base: str | None = None) -> int | None:
    """How many statements point at the entity when :func:`describe` gives only the first
    :data:`INCOMING_LINKS` of them, else None."""
    iri = iri_of(nid, base)
    if iri is None:
        return None
    rows = select(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p WHERE { "
        f"{_INCOMING.format(t=sparql_iri(iri))} }} }}",
    )
    n = int(rows[0]["n"] or 0) if rows else 0
    return n if n > INCOMING_LINKS else None
