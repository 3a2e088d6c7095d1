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
from .mapping import base_iri
from .store import GraphStore

__all__ = [
    "KINDS",
    "NODE_ID",
    "AgreementEnds",
    "agreement_ends",
    "counts",
    "describe",
    "duration_words",
    "edge",
    "ending",
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
