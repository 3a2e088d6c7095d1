"""The graph as networkx networks: organisations, people, agreements, areas and releases.

Every projection reads the store with a handful of SPARQL ``SELECT`` queries written against
the ontology (``GRAPH ?g { ... }`` patterns, so they work on a remote store whose default
graph is not the union of the release graphs), loads the answers into a :class:`GraphData`
and builds a networkx graph from it. Pass a :class:`GraphData` from :func:`load` instead of a
store to build several projections from one read.

Node ids are IRIs (strings). Every node has ``label``, ``type`` (``organisation``,
``person``, ``agreement``, ``area`` or ``release``) and ``iri``. Dates are
:class:`datetime.date` values and lists are Python lists; :mod:`kg.analysis` turns them into
GraphML/GEXF-safe strings on export.

**Which agreements count.** Only agreements with ``kg:status kg:Signed`` (in any release
graph); planned, proposed and terminated ones are left out.

**When an agreement is in force** (the ``as_of`` views):

* its start is ``schema:startDate``; failing that its signing date ``dcterms:date``; failing
  that the issue date (``dcterms:issued``) of the earliest release stating it, since a release
  reporting a signed agreement shows it was signed by then;
* its end is ``schema:endDate``; failing that the start plus its term
  (``time:hasXSDDuration``: a three-year MOU signed on 18 August 2023 ends on 18 August 2026);
  with neither, it is open-ended;
* it is in force on ``d`` when ``start <= d`` and (no end, or ``end >= d``);
* an agreement with no known start at all is never counted as in force on a given date
  (it still appears when ``as_of`` is ``None``).

Memberships (who holds which role where) are dated by ``kg:attestedOn``, the issue date of the
release that states them. With ``as_of``, only the memberships attested on or before that
date are kept (a later release cannot tell us who held a post earlier).

Example::

    >>> import tempfile
    >>> from kg.store import open_store
    >>> with tempfile.TemporaryDirectory() as tmp, open_store(tmp + "/s") as store:
    ...     g = org_network(store)
    >>> (g.number_of_nodes(), g.graph["projection"])
    (0, 'org_network')
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx

from .namespace import PREFIXES
from .store import GraphStore

__all__ = [
    "AgreementRecord",
    "GraphData",
    "MembershipRecord",
    "SigningRecord",
    "add_duration",
    "agreement_area_network",
    "duration_years",
    "load",
    "org_area_network",
    "org_network",
    "person_org_network",
    "typed_graph",
]

_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))

#: Labels of organisations, people and releases, and the issue date of each release.
_LABELS = """
SELECT ?s ?kind ?label ?issued WHERE {
  GRAPH ?g {
    { ?s a org:Organization ; skos:prefLabel ?label . BIND("organisation" AS ?kind) }
    UNION { ?s a foaf:Person ; foaf:name ?label . BIND("person" AS ?kind) }
    UNION { ?s a kg:Release . BIND("release" AS ?kind)
            OPTIONAL { ?s rdfs:label ?label } OPTIONAL { ?s dcterms:issued ?issued } }
  }
}"""

#: Signed agreements with their dates and term, and the releases stating them.
_AGREEMENTS = """
SELECT ?a ?label ?type ?typeLabel ?date ?start ?end ?duration ?release WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ; kg:status kg:Signed .
    OPTIONAL { ?a rdfs:label ?label }
    OPTIONAL { ?a kg:agreementType ?type }
    OPTIONAL { ?a dcterms:date ?date }
    OPTIONAL { ?a schema:startDate ?start }
    OPTIONAL { ?a schema:endDate ?end }
    OPTIONAL { ?a time:hasXSDDuration ?duration }
    OPTIONAL { ?a prov:wasDerivedFrom ?release }
  }
  OPTIONAL { GRAPH ?tg { ?type skos:prefLabel ?typeLabel } }
}"""

#: Parties and areas of signed agreements.
_LINKS = """
SELECT ?a ?kind ?x ?label WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ; kg:status kg:Signed .
    { ?a kg:party ?x . BIND("party" AS ?kind) }
    UNION { ?a kg:coversArea ?x . BIND("area" AS ?kind) OPTIONAL { ?x skos:prefLabel ?label } }
  }
}"""

#: Who signed or witnessed each signed agreement, in which role, for whom.
_SIGNINGS = """
SELECT ?a ?kind ?person ?role ?roleOrg ?behalf WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ; kg:status kg:Signed .
    { ?a kg:hasSigning ?x . BIND("signed" AS ?kind) }
    UNION { ?a kg:hasWitnessing ?x . BIND("witnessed" AS ?kind) }
    ?x prov:agent ?person .
    OPTIONAL { ?x kg:inCapacity ?m . ?m org:role/skos:prefLabel ?role .
               OPTIONAL { ?m org:organization ?roleOrg } }
    OPTIONAL { ?x kg:onBehalfOf ?behalf }
  }
}"""

#: Memberships (person, role, organisation) with the date and release attesting each.
_MEMBERSHIPS = """
SELECT ?m ?person ?role ?org ?on ?release WHERE {
  GRAPH ?g {
    ?m a org:Membership ; org:member ?person ; org:role ?r .
    OPTIONAL { ?r skos:prefLabel ?role }
    OPTIONAL { ?m org:organization ?org }
    OPTIONAL { ?m kg:attestedOn ?on }
    OPTIONAL { ?release a kg:Release }
  }
}"""


@dataclass
class AgreementRecord:
    """One signed agreement, merged over every release graph that states it."""

    iri: str
    label: str
    type: str | None = None
    #: the signing date (``dcterms:date``)
    signed: date | None = None
    #: the effective start and end (see the module docstring)
    start: date | None = None
    end: date | None = None
    #: the term as stated, ISO 8601 (``P3Y``)
    duration: str | None = None
    releases: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)

    @property
    def dated(self) -> date | None:
        """The date the edges of this agreement carry: signed, else its start."""
        return self.signed or self.start

    def in_force(self, on: date) -> bool:
        """True when the agreement is in force on ``on`` (start <= on <= end, end optional).

        >>> a = AgreementRecord("x", "X", start=date(2023, 8, 18), end=date(2026, 8, 18))
        >>> a.in_force(date(2026, 8, 18)), a.in_force(date(2026, 8, 19))
        (True, False)
        >>> AgreementRecord("y", "Y").in_force(date(2024, 1, 1))
        False
        """
        if self.start is None or self.start > on:
            return False
        return self.end is None or self.end >= on


@dataclass(frozen=True)
class SigningRecord:
    """A person's part in an agreement: ``kind`` is ``signed`` or ``witnessed``."""

    agreement: str
    kind: str
    person: str
    role: str | None
    role_organisation: str | None
    on_behalf_of: str | None


@dataclass
class MembershipRecord:
    """A person holds ``role`` (in ``organisation``, when stated), attested on some dates."""

    iri: str
    person: str
    role: str
    organisation: str | None
    #: ``(attestedOn date or None, release IRI or None)`` pairs, one per release graph
    attested: list[tuple[date | None, str | None]] = field(default_factory=list)

    def dates(self, as_of: date | None = None) -> list[date]:
        """The attestation dates, on or before ``as_of`` when given, sorted."""
        return sorted(d for d, _ in self.attested if d and (as_of is None or d <= as_of))


@dataclass
class GraphData:
    """What the projections need, read from a store once by :func:`load`."""

    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    issued: dict[str, date] = field(default_factory=dict)
    agreements: dict[str, AgreementRecord] = field(default_factory=dict)
    signings: list[SigningRecord] = field(default_factory=list)
    memberships: dict[str, MembershipRecord] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The node's label, else the last segment of its IRI."""
        return self.labels.get(iri) or _local_name(iri)

    def selected(self, as_of: date | None = None) -> list[AgreementRecord]:
        """The agreements in force on ``as_of`` (all of them when None), sorted by IRI."""
        return [a for _, a in sorted(self.agreements.items()) if as_of is None or a.in_force(as_of)]


Source = GraphStore | GraphData


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


def add_duration(start: date, duration: str) -> date | None:
    """``start`` plus an ISO 8601 duration in years, months, weeks and days.

    Month arithmetic keeps the day of the month, falling back to the month's last day.
    Durations with a time part or fractions are not understood (None).

    >>> add_duration(date(2023, 8, 18), "P3Y")
    datetime.date(2026, 8, 18)
    >>> add_duration(date(2024, 2, 29), "P1Y6M")
    datetime.date(2025, 8, 29)
    >>> add_duration(date(2024, 1, 31), "P1M") , add_duration(date(2024, 1, 1), "PT5H")
    (datetime.date(2024, 2, 29), None)
    """
    m = _DURATION.fullmatch(duration.strip())
    if not m or not any(m.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in m.groups())
    y, mo = divmod(start.month - 1 + months + 12 * years, 12)
    year, month = start.year + y, mo + 1
    day = start.day
    while True:
        try:
            shifted = date(year, month, day)
            break
        except ValueError:
            day -= 1
    return shifted + timedelta(weeks=weeks, days=days)


def duration_years(duration: str | None) -> float | None:
    """An ISO 8601 duration in years (a month is 1/12, a day 1/365.25), for charts.

    >>> duration_years("P3Y"), duration_years("P18M"), duration_years("") is None
    (3.0, 1.5, True)
    """
    m = _DURATION.fullmatch((duration or "").strip())
    if not m or not any(m.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in m.groups())
    return years + months / 12 + (weeks * 7 + days) / 365.25


def load(store: GraphStore) -> GraphData:
    """Read what the projections need from ``store`` (five SELECT queries).

    :param store: an embedded or remote store
    :returns: the agreements, memberships, signings and labels, merged over all releases
    """
    data = GraphData()
    _, rows = store.select(_PREFIXES + _LABELS)
    for s, kind, label, issued in rows:
        if s is None or kind is None:
            continue
        data.kinds[s] = kind
        if label and (s not in data.labels or label < data.labels[s]):
            data.labels[s] = label
        d = _date(issued)
        if d and (s not in data.issued or d < data.issued[s]):
            data.issued[s] = d

    stated: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    _, rows = store.select(_PREFIXES + _AGREEMENTS)
    names = ("label", "type", "typeLabel", "date", "start", "end", "duration", "release")
    for a, *values in rows:
        if a is None:
            continue
        for name, value in zip(names, values, strict=True):
            if value:
                stated[a][name].add(value)
    for a, found in stated.items():
        data.agreements[a] = _agreement(a, found, data)
        data.kinds[a] = "agreement"

    _, rows = store.select(_PREFIXES + _LINKS)
    for a, kind, x, label in sorted(rows, key=lambda r: tuple(v or "" for v in r)):
        record = data.agreements.get(a or "")
        if record is None or x is None:
            continue
        target = record.parties if kind == "party" else record.areas
        if x not in target:
            target.append(x)
        if kind == "area":
            data.kinds[x] = "area"
            if label and (x not in data.labels or label < data.labels[x]):
                data.labels[x] = label

    _, rows = store.select(_PREFIXES + _SIGNINGS)
    signings = {SigningRecord(*row) for row in rows if row[0] in data.agreements and row[2]}  # type: ignore[arg-type]
    data.signings = sorted(signings, key=lambda s: tuple(v or "" for v in vars(s).values()))

    _, rows = store.select(_PREFIXES + _MEMBERSHIPS)
    for m, person, role, org, on, release in rows:
        if m is None or person is None:
            continue
        held = data.memberships.setdefault(
            m, MembershipRecord(m, person, role or _local_name(m), org)
        )
        when = _date(on) or data.issued.get(release or "")
        if (when, release) not in held.attested:
            held.attested.append((when, release))
            held.attested.sort(key=lambda p: (p[0] or date.max, p[1] or ""))
    return data


def _agreement(iri: str, values: dict[str, set[str]], data: GraphData) -> AgreementRecord:
    def first(name: str) -> str | None:
        return min(values[name]) if values.get(name) else None

    def earliest(name: str) -> date | None:
        dates = [d for d in map(_date, values.get(name, ())) if d]
        return min(dates) if dates else None

    releases = sorted(values.get("release", ()))
    signed = earliest("date")
    issued = [data.issued[r] for r in releases if r in data.issued]
    start = earliest("start") or signed or (min(issued) if issued else None)
    duration = first("duration")
    end = max((d for d in map(_date, values.get("end", ())) if d), default=None)
    if end is None and start and duration:
        end = add_duration(start, duration)
    type_iri = first("type")
    return AgreementRecord(
        iri=iri,
        label=first("label") or _local_name(iri),
        type=first("typeLabel") or (_local_name(type_iri) if type_iri else None),
        signed=signed,
        start=start,
        end=end,
        duration=duration,
        releases=releases,
    )


def _data(source: Source) -> GraphData:
    return source if isinstance(source, GraphData) else load(source)


def _add_node(graph: nx.Graph, data: GraphData, iri: str, kind: str, **extra: object) -> None:
    if iri not in graph:
        graph.add_node(iri, label=data.label(iri), type=kind, iri=iri, **extra)


def _add_agreement_node(graph: nx.Graph, a: AgreementRecord, **extra: object) -> None:
    graph.add_node(
        a.iri,
        label=a.label,
        type="agreement",
        iri=a.iri,
        agreement_type=a.type,
        signed=a.signed,
        start=a.start,
        end=a.end,
        duration=a.duration,
        **extra,
    )


def _link(graph: nx.Graph, u: str, v: str, a: AgreementRecord) -> None:
    """Count agreement ``a`` on the edge u-v, widening its first/last dates."""
    if graph.has_edge(u, v):
        attrs = graph.edges[u, v]
    else:
        graph.add_edge(u, v, weight=0, first=None, last=None, agreements=[])
        attrs = graph.edges[u, v]
    if a.iri in attrs["agreements"]:
        return
    attrs["agreements"] = sorted([*attrs["agreements"], a.iri])
    attrs["weight"] = len(attrs["agreements"])
    if a.dated:
        attrs["first"] = min(filter(None, (attrs["first"], a.dated)))
        attrs["last"] = max(filter(None, (attrs["last"], a.dated)))


def org_network(source: Source, as_of: date | None = None) -> nx.Graph:
    """Organisations linked when they are parties to the same signed agreement.

    Nodes: every party of a selected agreement (``label``, ``type="organisation"``, ``iri``,
    ``agreements``: how many selected agreements it is party to). Edges: one per pair of
    co-parties, with ``weight`` (number of shared agreements), ``first`` and ``last`` (the
    earliest and latest date of those agreements, see :attr:`AgreementRecord.dated`) and
    ``agreements`` (their IRIs, sorted). A three-party agreement adds a triangle.

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :param as_of: only agreements in force on this date (see the module docstring)
    :returns: an undirected :class:`networkx.Graph`
    """
    data = _data(source)
    graph = nx.Graph(projection="org_network", as_of=as_of)
    for a in data.selected(as_of):
        for org in a.parties:
            _add_node(graph, data, org, "organisation", agreements=0)
            graph.nodes[org]["agreements"] += 1
        for i, u in enumerate(a.parties):
            for v in a.parties[i + 1 :]:
                _link(graph, u, v, a)
    return graph


def org_area_network(source: Source, as_of: date | None = None) -> nx.Graph:
    """Bipartite: organisations and the areas their signed agreements cover.

    Organisation nodes have ``bipartite=0``, area nodes ``bipartite=1`` (networkx's
    convention). An edge organisation-area carries ``weight`` (how many of the
    organisation's agreements cover the area), ``first``, ``last`` and ``agreements``.
    Parties of agreements that name no area are isolated nodes.

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :param as_of: only agreements in force on this date
    :returns: an undirected :class:`networkx.Graph`
    """
    data = _data(source)
    graph = nx.Graph(projection="org_area_network", as_of=as_of)
    for a in data.selected(as_of):
        for org in a.parties:
            _add_node(graph, data, org, "organisation", bipartite=0)
            for area in a.areas:
                _add_node(graph, data, area, "area", bipartite=1)
                _link(graph, org, area, a)
    return graph


def agreement_area_network(source: Source, as_of: date | None = None) -> nx.Graph:
    """Bipartite: agreements (``bipartite=0``) and the areas they cover (``bipartite=1``).

    Agreement nodes carry ``agreement_type``, ``signed``, ``start``, ``end`` and
    ``duration``; every edge has ``weight`` 1, the agreement's date as ``first`` and ``last``
    and its IRI in ``agreements``.

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :param as_of: only agreements in force on this date
    :returns: an undirected :class:`networkx.Graph`
    """
    data = _data(source)
    graph = nx.Graph(projection="agreement_area_network", as_of=as_of)
    for a in data.selected(as_of):
        _add_agreement_node(graph, a, bipartite=0)
        for area in a.areas:
            _add_node(graph, data, area, "area", bipartite=1)
            _link(graph, a.iri, area, a)
    return graph


def person_org_network(source: Source, as_of: date | None = None) -> nx.Graph:
    """Bipartite: who holds which role where (persons ``bipartite=0``, organisations 1).

    One edge per person and organisation, with ``roles`` (the titles, sorted), ``weight``
    (how many distinct roles), ``first`` and ``last`` (the earliest and latest
    ``kg:attestedOn`` date), ``memberships`` (the ``org:Membership`` IRIs) and ``releases``
    (the releases attesting them). Every person node has ``roles``, all their titles,
    including those the releases state without an organisation.

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :param as_of: only memberships attested on or before this date
    :returns: an undirected :class:`networkx.Graph`
    """
    data = _data(source)
    graph = nx.Graph(projection="person_org_network", as_of=as_of)
    for m in sorted(data.memberships.values(), key=lambda m: m.iri):
        dates = m.dates(as_of)
        if as_of is not None and not dates:
            continue
        _add_node(graph, data, m.person, "person", bipartite=0, roles=[])
        person = graph.nodes[m.person]
        person["roles"] = sorted({*person["roles"], m.role})
        if m.organisation is None:
            continue
        _add_node(graph, data, m.organisation, "organisation", bipartite=1)
        if not graph.has_edge(m.person, m.organisation):
            graph.add_edge(m.person, m.organisation, roles=[], memberships=[], releases=[])
            graph.edges[m.person, m.organisation].update(first=None, last=None)
        e = graph.edges[m.person, m.organisation]
        e["roles"] = sorted({*e["roles"], m.role})
        e["weight"] = len(e["roles"])
        e["memberships"] = sorted({*e["memberships"], m.iri})
        kept = [r for d, r in m.attested if r and (as_of is None or (d and d <= as_of))]
        e["releases"] = sorted({*e["releases"], *kept})
        if dates:
            e["first"] = min(filter(None, (e["first"], dates[0])))
            e["last"] = max(filter(None, (e["last"], dates[-1])))
    return graph


def typed_graph(source: Source, as_of: date | None = None) -> nx.MultiDiGraph:
    """The whole typed graph: organisations, people, agreements, areas and releases.

    Directed edges, keyed and labelled by ``relation``:

    ========================  ===========  ===============================================
    from -> to                relation     attributes
    ========================  ===========  ===============================================
    agreement -> organisation ``party``
    agreement -> area         ``covers``
    agreement -> release      ``stated_in``
    person -> agreement       ``signed``   ``role``, ``on_behalf_of`` (organisation IRI)
    person -> agreement       ``witnessed`` ``role``
    person -> organisation    ``member``   ``role``, ``first``, ``last``, ``releases``
    ========================  ===========  ===============================================

    A person holding two roles in one organisation has two ``member`` edges (keys
    ``member:<role>``). Every edge has ``weight`` 1. Nodes appear with their first edge.

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :param as_of: only agreements in force, and memberships attested, by this date
    :returns: a :class:`networkx.MultiDiGraph`
    """
    data = _data(source)
    graph = nx.MultiDiGraph(projection="typed_graph", as_of=as_of)
    kept = data.selected(as_of)
    kept_iris = {a.iri for a in kept}

    def edge(u: str, v: str, relation: str, key: str | None = None, **attrs: object) -> None:
        clean = {k: val for k, val in attrs.items() if val is not None}
        graph.add_edge(u, v, key=key or relation, relation=relation, weight=1, **clean)

    for a in kept:
        _add_agreement_node(graph, a)
        for org in a.parties:
            _add_node(graph, data, org, "organisation")
            edge(a.iri, org, "party")
        for area in a.areas:
            _add_node(graph, data, area, "area")
            edge(a.iri, area, "covers")
        for release in a.releases:
            _add_node(graph, data, release, "release", issued=data.issued.get(release))
            edge(a.iri, release, "stated_in")
    for s in data.signings:
        if s.agreement in kept_iris:
            _add_node(graph, data, s.person, "person")
            extra = {"on_behalf_of": s.on_behalf_of} if s.kind == "signed" else {}
            edge(s.person, s.agreement, s.kind, role=s.role, **extra)
    for m in sorted(data.memberships.values(), key=lambda m: m.iri):
        dates = m.dates(as_of)
        if m.organisation is None or (as_of is not None and not dates):
            continue
        _add_node(graph, data, m.person, "person")
        _add_node(graph, data, m.organisation, "organisation")
        releases = sorted({r for d, r in m.attested if r and (as_of is None or (d and d <= as_of))})
        edge(
            m.person,
            m.organisation,
            "member",
            key=f"member:{m.role}",
            role=m.role,
            first=dates[0] if dates else None,
            last=dates[-1] if dates else None,
            releases=releases,
        )
    return graph
