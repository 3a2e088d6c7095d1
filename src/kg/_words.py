"""Facts in words: the sentences of :func:`kg.explore.entity`.

An agreement's and a release's own facts come from ``agreement_facts`` and ``release_facts``
(``(store, iri, label, base)`` -> ``(facts, details)``): the facts as short sentences about
the entity (each ``{"text", "parts"}``, a part linking onward when it has a ``url``) and the
same facts as structured values for the JSON twin. Organisations, people and areas, whose
lists can run to thousands of rows, are paged lists in :mod:`kg.explore`, which makes their
sentences with :func:`fact` and the small helpers here.
"""

from __future__ import annotations

import re
from typing import Any

from ._entities import labels, node_id, ref, select, sparql_iri
from .store import GraphStore

Fact = dict[str, Any]
ONT = "https://w3id.org/partnership-graph/ontology#"
_TYPE_WORDS = {
    "MemorandumOfUnderstanding": "Memorandum of Understanding",
    "CooperationAgreement": "Co-operation Agreement",
    "CollaborativeAgreement": "Collaborative Agreement",
    "FrameworkAgreement": "Framework Agreement",
    "LetterOfIntent": "Letter of Intent",
    "GenericAgreement": "Agreement",
}
_STATUS_WORDS = {
    "Signed": "signed",
    "Planned": "planned",
    "Proposed": "proposed",
    "NotRenewed": "not renewed",
    "Terminated": "terminated",
}


def duration_words(value: str) -> str:
    """An ISO 8601 duration in words.

    >>> duration_words("P3Y"), duration_words("P1Y6M"), duration_words("PT5H")
    ('3 years', '1 year and 6 months', 'PT5H')
    """
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", value)
    if not m or not any(m.groups()):
        return value
    words = [
        f"{n} {unit}{'s' if int(n) != 1 else ''}"
        for n, unit in zip(m.groups(), ("year", "month", "day"), strict=True)
        if n
    ]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def fact(*parts: str | dict[str, Any] | None) -> Fact:
    """A fact from text pieces and links (``ref`` dicts); ``None`` pieces are skipped."""
    out = []
    for p in parts:
        if p is None:
            continue
        out.append({"text": p} if isinstance(p, str) else {"text": p["label"], "url": p["url"]})
    return {"text": "".join(p["text"] for p in out), "parts": out}


def joined_links(items: list[dict[str, Any]]) -> list[str | dict[str, Any]]:
    """Links joined as "A, B and C" (a list of parts for :func:`fact`)."""
    out: list[str | dict[str, Any]] = []
    for i, item in enumerate(items):
        if i:
            out.append(" and " if i == len(items) - 1 else ", ")
        out.append(item)
    return out


def _refs(store: GraphStore, iris: list[str], base: str | None) -> dict[str, dict[str, Any]]:
    """Links for the entity IRIs among ``iris`` (others are left out)."""
    names = labels(store, iris)
    out = {}
    for iri in iris:
        nid = node_id(iri, base)
        if nid:
            out[iri] = ref(nid, names.get(iri))
    return out


def _out(store: GraphStore, iri: str) -> dict[str, list[str]]:
    """The entity's own values per predicate, across graphs."""
    rows = select(
        store,
        f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {sparql_iri(iri)} ?p ?o }} }} ORDER BY ?p ?o",
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["p"] or "", []).append(r["o"] or "")
    return out


def first_value(values: dict[str, list[str]], prop: str) -> str | None:
    found = values.get(prop)
    return found[0] if found else None


def on_day(day: str | None) -> str | None:
    return f" on {day}" if day else None


def agreement_facts(
    store: GraphStore, iri: str, label: str, base: str | None
) -> tuple[list[Fact], dict[str, Any]]:
    """An agreement: its type, status, date, place, term, parties, areas, signing, release."""
    v = _out(store, iri)
    kind = _TYPE_WORDS.get((first_value(v, ONT + "agreementType") or "#").rsplit("#", 1)[-1])
    status = _STATUS_WORDS.get((first_value(v, ONT + "status") or "#").rsplit("#", 1)[-1])
    day = first_value(v, "http://purl.org/dc/terms/date")
    term = first_value(v, "http://www.w3.org/2006/time#hasXSDDuration")
    places = labels(store, v.get(ONT + "signedAt", []))
    place = ", ".join(sorted(places.values())) or None
    linked = _refs(
        store,
        v.get(ONT + "party", [])
        + v.get(ONT + "coversArea", [])
        + v.get("http://www.w3.org/ns/prov#wasDerivedFrom", [])
        + v.get(ONT + "renews", []),
        base,
    )
    parties = sorted((linked[i] for i in v.get(ONT + "party", []) if i in linked), key=by_label)
    areas = sorted((linked[i] for i in v.get(ONT + "coversArea", []) if i in linked), key=by_label)
    sources = [
        linked[i] for i in v.get("http://www.w3.org/ns/prov#wasDerivedFrom", []) if i in linked
    ]
    renews = [linked[i] for i in v.get(ONT + "renews", []) if i in linked]
    start = first_value(v, "https://schema.org/startDate")
    end = first_value(v, "https://schema.org/endDate")
    people = _signing(store, iri, base)
    facts = [fact(f"It is a {kind or 'agreement'}", f" ({status})" if status else None, ".")]
    if day or place:
        verb = "was signed" if status in (None, "signed") else "is dated"
        facts.append(fact(f"It {verb}", on_day(day), f" in {place}" if place else None, "."))
    if term:
        facts.append(fact(f"It runs for {duration_words(term)} ({term})."))
    if start or end:
        facts.append(
            fact(
                "Its term",
                f" starts on {start}" if start else None,
                " and" if start and end else None,
                f" ends on {end}" if end else None,
                ".",
            )
        )
    if parties:
        facts.append(fact("It is between ", *joined_links(parties), "."))
    if areas:
        facts.append(fact("It covers ", *joined_links(areas), "."))
    for s in people:
        verb = "signed it" if s["kind"] == "signed" else "witnessed its signing"
        facts.append(
            fact(
                s["person"],
                f" {verb}",
                f" as {s['role']}" if s["role"] else None,
                " of " if s["organisation"] else None,
                s["organisation"],
                " on behalf of " if s["on_behalf_of"] else None,
                s["on_behalf_of"],
                ".",
            )
        )
    for r in renews:
        facts.append(fact("It renews ", r, "."))
    for r in sources:
        facts.append(fact("It is stated in the release ", r, "."))
    details = {
        "agreement_type": kind,
        "status": status,
        "date": day,
        "place": place,
        "duration": term,
        "start_date": start,
        "end_date": end,
        "parties": parties,
        "areas": areas,
        "signatories": [s for s in people if s["kind"] == "signed"],
        "witnesses": [s for s in people if s["kind"] == "witnessed"],
        "renews": renews,
        "sources": sources,
    }
    return facts, details


def by_label(item: dict[str, Any]) -> tuple[str, str]:
    return (str(item.get("label", "")).lower(), str(item.get("id", "")))


def _signing(store: GraphStore, iri: str, base: str | None) -> list[dict[str, Any]]:
    rows = select(
        store,
        "SELECT DISTINCT ?kind ?p ?role ?org ?for WHERE { GRAPH ?g { "
        f"{sparql_iri(iri)} ?link ?x . ?x prov:agent ?p . "
        'VALUES (?link ?kind) { (kg:hasSigning "signed") (kg:hasWitnessing "witnessed") } '
        "OPTIONAL { ?x prov:hadRole/skos:prefLabel ?role } "
        "OPTIONAL { ?x kg:inCapacity/org:organization ?org } "
        "OPTIONAL { ?x kg:onBehalfOf ?for } } } ORDER BY ?kind ?p",
    )
    linked = _refs(store, [r[k] or "" for r in rows for k in ("p", "org", "for") if r[k]], base)
    return [
        {
            "kind": r["kind"],
            "person": linked.get(r["p"] or ""),
            "role": r["role"],
            "organisation": linked.get(r["org"] or ""),
            "on_behalf_of": linked.get(r["for"] or "") if r["for"] != r["org"] else None,
        }
        for r in rows
        if r["p"] in linked
    ]


def release_facts(
    store: GraphStore, iri: str, label: str, base: str | None
) -> tuple[list[Fact], dict[str, Any]]:
    """A release: its date, publisher, source, the agreements and people it states, its text."""
    v = _out(store, iri)
    term = sparql_iri(iri)
    issued = first_value(v, "http://purl.org/dc/terms/issued")
    url = first_value(v, "https://schema.org/url")
    named = select(
        store,
        f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ {term} a kg:Release . ?x a ?cls "
        "VALUES ?cls { kg:Agreement org:Organization foaf:Person } } } ORDER BY ?x LIMIT 1000",
    )
    techs = sorted(labels(store, v.get(ONT + "mentionsTechnology", [])).values())
    publisher = v.get("http://purl.org/dc/terms/publisher", [])
    linked = _refs(store, [r["x"] or "" for r in named] + publisher, base)
    by_kind: dict[str, list[dict[str, Any]]] = {"agreement": [], "org": [], "person": []}
    for r in named:
        item = linked.get(r["x"] or "")
        if item:
            by_kind[item["id"].split("/", 1)[0]].append(item)
    for items in by_kind.values():
        items.sort(key=by_label)
    pub = linked.get(publisher[0]) if publisher else None
    facts = []
    if issued or pub:
        facts.append(fact("It was published", on_day(issued), " by " if pub else None, pub, "."))
    if url:
        facts.append(fact(f"Its source is {url}."))
    for a in by_kind["agreement"]:
        facts.append(fact("It states ", a, "."))
    if by_kind["org"]:
        facts.append(fact("It names ", *joined_links(by_kind["org"]), "."))
    if by_kind["person"]:
        facts.append(fact("It names ", *joined_links(by_kind["person"]), "."))
    if techs:
        facts.append(fact("It mentions ", ", ".join(techs), "."))
    details = {
        "title": first_value(v, "http://purl.org/dc/terms/title"),
        "issued": issued,
        "publisher": pub,
        "source_url": url,
        "source_file": first_value(v, ONT + "sourceFile"),
        "language": first_value(v, "http://purl.org/dc/terms/language"),
        "agreements": by_kind["agreement"],
        "organisations": by_kind["org"],
        "people": by_kind["person"],
        "technologies": techs,
        "text": first_value(v, "https://schema.org/text"),
    }
    return facts, details
