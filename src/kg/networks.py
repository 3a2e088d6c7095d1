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

from datetime import date

import networkx as nx

from ._graphdata import (
    AgreementRecord,
    GraphData,
    MembershipRecord,
    SigningRecord,
    add_duration,
    duration_years,
    load,
)
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

Source = GraphStore | GraphData


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
