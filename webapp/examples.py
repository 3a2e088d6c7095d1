"""The SPARQL editor's analytical examples: questions with a parameter, filled in by the server.

The three analytical questions of issue 6 (``benchmarks/run.py`` times the same texts) take a
parameter, so no fixed text can answer every user. The editor offers each with the default the
server picks, and the server's warm-up (:mod:`webapp.warm`) answers exactly those texts into the
result cache, so the example a user clicks first is answered from the cache at any size:

* ``partners-of``: the organisations that signed agreements with the largest hub, the
  organisation party to the most signed agreements (found once per state of the store);
* ``active-on``: the signed agreements in force today (``KG_TODAY`` in the config fixes
  "today" for tests); the warm-up answers it again when the day changes;
* ``areas-by-year``: no parameter.

Any other organisation or day is an ordinary query, under the clients' time limit.
"""

from __future__ import annotations

import json
from datetime import date

from kg._entities import PREFIXES, node_id, select
from kg.store import GraphStore

__all__ = ["ANALYTICAL", "analytical", "current", "largest_hub"]

#: name -> (question, text); ``{org}`` is an organisation's IRI, ``{day}`` an ISO date
ANALYTICAL: dict[str, tuple[str, str]] = {
    "partners-of": (
        "Which organisations signed agreements with the largest hub, and how often?",
        PREFIXES
        + """# partners-of: Which organisations signed agreements with {org}, and how often?
SELECT ?partner (COUNT(DISTINCT ?a) AS ?agreements) WHERE {{
  GRAPH ?g {{
    ?a a kg:Agreement ; kg:status kg:Signed ; kg:party <{org}> , ?p .
    ?p skos:prefLabel ?partner .
    FILTER(?p != <{org}>)
  }}
}} GROUP BY ?partner ORDER BY DESC(?agreements) ?partner""",
    ),
    "active-on": (
        "Which signed agreements are in force today?",
        PREFIXES
        + """# active-on: Which signed agreements were in force on {day}?
SELECT ?agreement ?start ?end WHERE {{
  GRAPH ?g {{
    ?a a kg:Agreement ; kg:status kg:Signed ; rdfs:label ?agreement .
    OPTIONAL {{ ?a schema:startDate ?s0 }}
    OPTIONAL {{ ?a dcterms:date ?d }}
    OPTIONAL {{ ?a schema:endDate ?end }}
  }}
  BIND(COALESCE(?s0, ?d) AS ?start)
  FILTER(BOUND(?start) && ?start <= "{day}"^^xsd:date
         && (!BOUND(?end) || ?end >= "{day}"^^xsd:date))
}} ORDER BY ?start ?agreement""",
    ),
    "areas-by-year": (
        "How many signed agreements cover each area, per year of signing?",
        PREFIXES
        + """# areas-by-year: How many signed agreements cover each area, per year of signing?
SELECT ?year ?area (COUNT(DISTINCT ?a) AS ?agreements) WHERE {{
  GRAPH ?g {{
    ?a a kg:Agreement ; kg:status kg:Signed ; dcterms:date ?d ;
       kg:coversArea/skos:prefLabel ?area .
  }}
  BIND(YEAR(?d) AS ?year)
}} GROUP BY ?year ?area ORDER BY ?year DESC(?agreements) ?area""",
    ),
}


def largest_hub(store: GraphStore) -> str | None:
    """The IRI of the organisation party to the most signed agreements (the smallest IRI among
    equals), or None when no signed agreement names a party."""
    rows = select(
        store,
        "SELECT ?o (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a kg:Agreement ; "
        "kg:status kg:Signed ; kg:party ?o } FILTER(isIRI(?o)) } "
        "GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1",
    )
    return rows[0]["o"] if rows and rows[0]["o"] else None


def analytical(org: str | None, day: date) -> list[tuple[str, str, str]]:
    """``(name, question, text)`` of each analytical example, filled with ``org`` and ``day``
    (``partners-of`` left out without an organisation, or with an IRI that is no node's)."""
    out = []
    for name, (question, text) in ANALYTICAL.items():
        if "{org}" in text and (org is None or node_id(org) is None):
            continue  # (a node's IRI cannot break out of its brackets)
        out.append((name, question, text.format(org=org, day=day.isoformat())))
    return out


def current() -> list[tuple[str, str, str]]:
    """The analytical examples as the current app's editor offers them now: the largest hub
    found once per state of the store (left out when the store cannot say in time, or is a
    remote one), today's date."""
    from kg.remote import RemoteStore
    from webapp.browse_store import StoreUnavailable, browse_store, cached_json
    from webapp.pages import today

    hub = None
    try:
        if not isinstance(browse_store(), RemoteStore):  # (its answers are not cached here)
            found = cached_json(("largest hub",), lambda: largest_hub(browse_store()))
            hub = json.loads(found)
    except StoreUnavailable:
        pass
    return analytical(hub, today())
