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
from .facts import add_duration, parse_duration
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
    store: GraphStore,
    *,
    today: date,
    latest: int = 10,
    base: str | None = None,
    page: int | None = None,
) -> dict[str, Any]:
    """The home page: counts per type, the latest agreements, and agreements whose term has
    ended or ends within six months of ``today``.

    An agreement's end is its ``schema:endDate``, else its date plus its stated term
    (``time:hasXSDDuration``), marked ``"computed": true``. Both lists are chosen inside
    SPARQL (:func:`_terms`; the latest ranked there too, the ended and ending sorted here
    once all are read), so they are right at any number of agreements.

    :param latest: how many of the newest agreements to list
    :param page: read at most this many rows per query (the query workers' row cap); None
        reads each list with one query
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
    terms = _terms()
    horizon = add_duration(today, "P6M") or today  # a fixed, valid duration: never None
    h = _quoted_date(horizon)
    # ended or ending: an end by the horizon, or one Python must finish (see _terms)
    due = (
        f"SELECT * WHERE {{ {terms} FILTER(COALESCE(?end <= {h}, false) "
        f"|| (?finish && (BOUND(?stated_end) || COALESCE(?months_end <= {h}, true)))) }}"
    )
    ending = []
    for a in _agreements(_pages(store, due, "?end ?a", page), base):
        end = _day(a["end"])
        if end is not None and end <= horizon:
            ending.append({**a, "state": "ended" if end < today else "ends soon"})
    ending.sort(key=lambda a: (a["end"], a["id"]))
    return {
        "today": today.isoformat(),
        "horizon": horizon.isoformat(),
        "counts": counts,
        "latest": _newest(store, terms, latest, base, page),
        "ending": ending,
    }


def _quoted(word: str) -> str:
    return '"' + re.sub(r"[^a-z ]", "", word) + '"'


def _quoted_date(day: date) -> str:
    return f'"{day.isoformat()}"'


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


def _terms() -> str:
    """A group binding each agreement ``?a`` once, with its ``?label``, ``?day`` (its date),
    ``?term`` (its stated duration) and its end.

    The values are the smallest over the release graphs that type and label the agreement.
    ``?end`` is the stated ``schema:endDate`` (``?stated_end``), else the date plus a term of
    years and months, computed here (Oxigraph adds no duration to a date): the month moved on,
    the day kept or else the month's last day, as :func:`kg.facts.add_duration` does
    (``?months_end``); ``?computed`` says which. ``?finish`` marks the few agreements whose end
    Python must compute: a term with weeks or days (``?months_end`` is then a lower bound of
    the end), or a date, term or stated end in a form this query does not read.

    Each pattern is its own sub-select joined on ``?g ?a``, so Oxigraph joins them by hashing.
    """

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
    return (
        "{ SELECT ?a (MIN(?l) AS ?label) (MIN(?d) AS ?date) (MIN(?dur) AS ?term) "
        "(MIN(?e) AS ?stated) WHERE { "
        "{ SELECT DISTINCT ?g ?a WHERE { GRAPH ?g { ?a a kg:Agreement } } } "
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
        f'BIND(IF(?y <= 9999, CONCAT({_padded("?y", 4)}, "-", {_padded("?mo", 2)}, "-", '
        f"{_padded('IF(?dd > ?last, ?last, ?dd)', 2)}), ?none) AS ?months_end) "
        f"BIND(IF(?plain, {days}, ?none) AS ?days) "
        "BIND(COALESCE(?stated_end, IF(?days = 0, ?months_end, ?none)) AS ?end) "
        "BIND(!BOUND(?stated_end) && BOUND(?end) AS ?computed) "
        f"BIND(IF(BOUND(?stated_end), !{_valid_day('stated_end')}, "
        "COALESCE(STRLEN(?day) > 0 && STRLEN(?term_text) > 0, false) "
        "&& !COALESCE(?days = 0, false)) AS ?finish)"
    )


def _newest(
    store: GraphStore, terms: str, n: int, base: str | None, page: int | None
) -> list[dict[str, Any]]:
    """The ``n`` newest agreements of :func:`_terms`, by date then node id, both descending.

    They are ranked by IRI inside SPARQL and read at most ``page`` rows at a time; an agreement
    whose IRI is no node is left out after, and more are read when that leaves fewer than ``n``.
    """
    n = max(0, int(n))
    found: list[dict[str, Any]] = []
    offset, step = 0, max(1, min(n, page or n))
    while True:
        rows = select(
            store,
            f'SELECT * WHERE {{ {terms} }} ORDER BY DESC(COALESCE(?day, "")) DESC(?a) '
            f"LIMIT {step} OFFSET {offset}",
        )
        found += _agreements(rows, base)
        offset += len(rows)
        if len(found) >= n or len(rows) < step:
            return found[:n]
        step = min(2 * step, page or 2 * step)


def _pages(store: GraphStore, query: str, order: str, page: int | None) -> list[dict[str, Any]]:
    """Every row of ``query``: with one query when ``page`` is None or more than its rows,
    else ``page`` rows at a time in ``order`` (which must order the rows totally), so none is
    cut by a row cap."""
    if page is None:
        return select(store, query)
    rows = select(store, f"{query} LIMIT {page}")  # unordered: sorting IRIs costs lookups
    if len(rows) < page:
        return rows
    rows = []
    while True:
        batch = select(store, f"{query} ORDER BY {order} LIMIT {page} OFFSET {len(rows)}")
        rows += batch
        if len(batch) < page:
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
            end = r["stated_end"] or _computed_end(r["day"], r["term"])
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
