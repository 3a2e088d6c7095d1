"""The notebook API: the partnership graph as pandas DataFrames and networkx networks.

A small, flat API for analysts; everything is importable from here::

    from kg.analysis import open_store, query_df, org_network, partners, to_pyvis

* **Data frames.** :func:`query_df` runs a named query (``"agreements"``), a ``.rq`` file
  or SPARQL text and types each column from the SPARQL results' datatypes; :func:`agreement_table`
  lists signed agreements with their effective start and end and whether each is in force.
* **Networks.** :func:`org_network`, :func:`person_org_network`, :func:`org_area_network`,
  :func:`agreement_area_network` and :func:`typed_graph` (from :mod:`kg.networks`, where the
  rules for ``as_of`` and missing dates are written down) project the graph onto networkx.
* **Analysis.** :func:`partners`, :func:`brokers`, :func:`communities` and
  :func:`rank_by_active_agreements`, for what networkx does not do in one call.
* **Export and display.** :func:`to_graphml` and :func:`to_gexf` for Gephi, :func:`to_pyvis`
  for an interactive view that works offline, and :func:`show` to put it in a notebook.

Queries go to the store's own SPARQL engine (pyoxigraph, or the remote endpoint), never to
rdflib's; :func:`dataset` hands out an rdflib ``Dataset`` for anything else.

Example::

    >>> import tempfile
    >>> from kg.namespace import XSD
    >>> with tempfile.TemporaryDirectory() as tmp, open_store(tmp + "/s") as store:
    ...     df = query_df(store, "SELECT (1 AS ?n) ('2023-08-18'^^<%sdate> AS ?d) {}" % XSD)
    >>> df
       n          d
    0  1 2023-08-18
    >>> df["n"].dtype, df["d"].dtype.kind
    (Int64Dtype(), 'M')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from rdflib import Dataset

from ._export import show, to_gexf, to_graphml, to_pyvis
from .errors import QueryError
from .networks import (
    GraphData,
    agreement_area_network,
    duration_years,
    load,
    org_area_network,
    org_network,
    person_org_network,
    typed_graph,
)
from .query import resolve
from .store import EmbeddedStore, GraphStore
from .store import open_store as _open_store

__all__ = [
    "GraphData",
    "agreement_area_network",
    "agreement_table",
    "brokers",
    "communities",
    "dataset",
    "duration_years",
    "load",
    "open_store",
    "org_area_network",
    "org_network",
    "partners",
    "person_org_network",
    "query_df",
    "rank_by_active_agreements",
    "show",
    "to_gexf",
    "to_graphml",
    "to_pyvis",
    "typed_graph",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + t
    for t in [
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}
_FLOATS = {_XSD + "decimal", _XSD + "double", _XSD + "float"}
#: columns of the named queries that hold ISO dates as plain strings (the CSV contract)
_NAMED_DATES = {"agreements": ("date",)}


def open_store(
    location: str | Path, update_url: str | None = None, *, read_only: bool = False
) -> GraphStore:
    """Open a store: an embedded store directory, or a remote SPARQL query endpoint URL.

    :param location: a directory (created when missing), or ``http(s)://.../query``
    :param update_url: the remote store's SPARQL update endpoint
    :param read_only: open an embedded store without its write lock (only when no build
        or ``kg serve`` is writing to it)
    :returns: a :class:`kg.store.GraphStore`; use it in a ``with`` block or ``close()`` it
    :raises kg.errors.StoreError: when the store cannot be opened
    """
    return _open_store(location, update_url=update_url, read_only=read_only)


def dataset(store: GraphStore) -> Dataset:
    """The embedded store as an rdflib ``Dataset`` (through oxrdflib), for anything else.

    Prefer :func:`query_df` for SPARQL: ``Dataset.query`` may fall back to rdflib's own
    engine, which fetches ``FROM`` graphs and ``SERVICE`` calls from the network.

    :raises TypeError: for a remote store (use :func:`query_df` there)
    """
    if not isinstance(store, EmbeddedStore):
        raise TypeError(f"{store.location}: only an embedded store has an rdflib Dataset")
    return store.dataset()


def query_df(
    store: GraphStore, name_or_sparql: str, *, parse_dates: Sequence[str] | None = None
) -> pd.DataFrame:
    """Run a SELECT query and return its results as a typed DataFrame.

    Each column is typed from the datatypes the store reports for its values: integers as
    ``Int64``; ``xsd:decimal``, ``xsd:double`` and ``xsd:float`` as ``Float64``;
    ``xsd:date`` and ``xsd:dateTime`` as ``datetime64``; ``xsd:boolean`` as ``boolean``.
    Durations stay ISO 8601 strings (``P3Y``; see :func:`duration_years`), IRIs are strings,
    and a column mixing datatypes stays strings. Unbound values are missing (``<NA>``,
    ``NaT``). The named queries return dates as plain strings (their CSV contract), so the
    ``date`` column of ``agreements`` is parsed as well.

    :param store: from :func:`open_store`
    :param name_or_sparql: a named query, a ``.rq`` file or SPARQL text
    :param parse_dates: columns of plain ``YYYY-MM-DD`` strings to parse as dates
    :returns: one row per solution, columns in the query's order
    :raises kg.errors.QueryError: on a syntax error, an unknown name or a non-SELECT query

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, open_store(tmp + "/s") as store:
    ...     query_df(store, "SELECT ?x ?y WHERE { VALUES (?x ?y) { (1.5 'P3Y') (UNDEF 'P1M') } }")
          x    y
    0   1.5  P3Y
    1  <NA>  P1M
    """
    sparql = resolve(name_or_sparql)
    raw = store.query(sparql, "json")
    try:
        results = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QueryError("query_df needs a SELECT query (this one returned a graph)") from exc
    if "boolean" in results:
        raise QueryError("query_df needs a SELECT query (this one is an ASK)")
    names: list[str] = results["head"]["vars"]
    bindings: list[dict[str, dict[str, str]]] = results["results"]["bindings"]
    columns = {name: _column([b.get(name) for b in bindings]) for name in names}
    frame = pd.DataFrame(columns, columns=names)
    if parse_dates is None:
        parse_dates = _NAMED_DATES.get(name_or_sparql, ())
    for name in parse_dates:
        if name in frame:
            frame[name] = pd.to_datetime(frame[name].replace("", None), format="ISO8601")
    return frame


def _column(terms: list[dict[str, str] | None]) -> pd.Series:
    bound = [t for t in terms if t is not None]
    values = [None if t is None else t["value"] for t in terms]
    types = {t.get("datatype") for t in bound if t.get("type") in ("literal", "typed-literal")}
    if not bound or (len(types) > 1 and not types <= _INTEGERS | _FLOATS):
        return pd.Series(values, dtype="object" if not bound else None)
    if any(t.get("type") not in ("literal", "typed-literal") for t in bound):
        return pd.Series(values)
    if types <= _INTEGERS:
        return pd.Series(values, dtype="Int64")
    if types <= _INTEGERS | _FLOATS:
        return pd.Series([None if v is None else float(v) for v in values], dtype="Float64")
    kind = next(iter(types))
    if kind == _XSD + "date":
        return pd.to_datetime(pd.Series([v and v[:10] for v in values]), format="ISO8601")
    if kind == _XSD + "dateTime":
        utc = any(v and re.search(r"(Z|[+-]\d\d:\d\d)$", v) for v in values)
        return pd.to_datetime(pd.Series(values), format="ISO8601", utc=utc)
    if kind == _XSD + "boolean":
        return pd.Series(
            [None if v is None else v in ("true", "1") for v in values], dtype="boolean"
        )
    return pd.Series(values)


_AGREEMENT_COLUMNS = [
    "agreement",
    "type",
    "signed",
    "start",
    "end",
    "duration",
    "years",
    "parties",
    "areas",
    "active",
    "iri",
]


def agreement_table(source: GraphStore | GraphData, on: date | None = None) -> pd.DataFrame:
    """Every signed agreement with its dates, term, parties and areas, one row each.

    ``start`` and ``end`` are the effective dates (see :mod:`kg.networks`: the stated start,
    else the signing date; the stated end, else start plus term); ``active`` says whether
    the agreement is in force on ``on`` (default: today).

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :returns: columns agreement, type, signed, start, end, duration, years, parties, areas,
        active, iri; sorted by start
    """
    data = source if isinstance(source, GraphData) else load(source)
    on = on or date.today()
    rows = [
        {
            "agreement": a.label,
            "type": a.type,
            "signed": a.signed,
            "start": a.start,
            "end": a.end,
            "duration": a.duration,
            "years": duration_years(a.duration),
            "parties": sorted(data.label(p) for p in a.parties),
            "areas": sorted(data.label(x) for x in a.areas),
            "active": a.in_force(on),
            "iri": a.iri,
        }
        for a in data.selected()
    ]
    frame = pd.DataFrame(rows, columns=_AGREEMENT_COLUMNS)
    for name in ("signed", "start", "end"):
        frame[name] = pd.to_datetime(frame[name])
    frame = frame.astype({"years": "Float64", "active": "boolean"})
    return frame.sort_values(["start", "agreement"], na_position="last", ignore_index=True)


def _node(graph: nx.Graph, organisation: str) -> str:
    """The node for an IRI or a label (case-insensitive)."""
    if organisation in graph:
        return organisation
    wanted = organisation.casefold()
    found = [n for n, label in graph.nodes(data="label") if str(label).casefold() == wanted]
    if len(found) == 1:
        return found[0]
    labels = sorted(str(label) for _, label in graph.nodes(data="label"))
    raise KeyError(f"no single node {organisation!r}; known: {', '.join(labels) or 'none'}")


def partners(source: GraphStore | GraphData | nx.Graph, organisation: str) -> pd.DataFrame:
    """The partners of one organisation: who it shares signed agreements with.

    :param source: a store or :class:`GraphData` (its :func:`org_network` is used), or an
        organisation network already built (e.g. one ``as_of`` a date)
    :param organisation: the organisation's IRI or full name (case-insensitive)
    :returns: columns partner, agreements (how many shared), first, last, iri; most shared
        first
    :raises KeyError: when no single node has that IRI or name
    """
    graph = source if isinstance(source, nx.Graph) else org_network(source)
    node = _node(graph, organisation)
    rows = [
        {
            "partner": graph.nodes[other].get("label", other),
            "agreements": attrs.get("weight", 1),
            "first": attrs.get("first"),
            "last": attrs.get("last"),
            "iri": other,
        }
        for other, attrs in graph[node].items()
    ]
    frame = pd.DataFrame(rows, columns=["partner", "agreements", "first", "last", "iri"])
    frame["first"] = pd.to_datetime(frame["first"])
    frame["last"] = pd.to_datetime(frame["last"])
    frame = frame.sort_values(["agreements", "partner"], ascending=[False, True])
    return frame.reset_index(drop=True)


def brokers(graph: nx.Graph, k: int = 10, *, weight: str | None = None) -> pd.DataFrame:
    """The ``k`` nodes with the highest betweenness centrality: who links otherwise
    separate parts of the network.

    :param graph: any projection
    :param k: how many to return
    :param weight: an edge attribute to use as a *distance* (None: every edge counts 1;
        note that ``weight`` in the projections counts agreements, so larger means closer)
    :returns: columns node, label, type, betweenness (normalised); highest first, ties by
        label

    >>> g = nx.path_graph(["a", "b", "c"])
    >>> brokers(g, 1)[["node", "betweenness"]].to_dict("records")
    [{'node': 'b', 'betweenness': 1.0}]
    """
    simple = nx.Graph(graph) if graph.is_multigraph() else graph
    scores = nx.betweenness_centrality(simple, weight=weight, normalized=True)
    rows = [
        {
            "node": node,
            "label": graph.nodes[node].get("label", node),
            "type": graph.nodes[node].get("type"),
            "betweenness": score,
        }
        for node, score in scores.items()
    ]
    frame = pd.DataFrame(rows, columns=["node", "label", "type", "betweenness"])
    frame = frame.sort_values(["betweenness", "label"], ascending=[False, True])
    return frame.head(k).reset_index(drop=True)


def communities(
    graph: nx.Graph, *, method: str = "greedy", weight: str | None = "weight", seed: int = 0
) -> list[set[str]]:
    """Groups of nodes more densely linked to each other than to the rest.

    :param graph: any projection (directed graphs are treated as undirected)
    :param method: ``"greedy"`` (Clauset-Newman-Moore greedy modularity) or ``"louvain"``
    :param weight: the edge attribute weighting links (None: unweighted)
    :param seed: the Louvain method's random seed, for repeatable results
    :returns: the communities, largest first (ties by their smallest node id); every node
        is in exactly one; a graph without edges gives one community per node

    >>> g = nx.barbell_graph(3, 0)
    >>> communities(g)
    [{0, 1, 2}, {3, 4, 5}]
    """
    simple = (
        nx.Graph(graph.to_undirected()) if graph.is_directed() or graph.is_multigraph() else graph
    )
    if simple.number_of_edges() == 0:
        found: Iterable[Iterable[Any]] = [{n} for n in simple]
    elif method == "greedy":
        found = nx.community.greedy_modularity_communities(simple, weight=weight)
    elif method == "louvain":
        found = nx.community.louvain_communities(simple, weight=weight, seed=seed)
    else:
        raise ValueError(f"unknown method {method!r}; use 'greedy' or 'louvain'")
    groups = [set(c) for c in found]
    return sorted(groups, key=lambda c: (-len(c), min(str(n) for n in c)))


def rank_by_active_agreements(
    source: GraphStore | GraphData, on: date | None = None
) -> pd.DataFrame:
    """Organisations ranked by how many signed agreements they have in force on a date.

    Every party to a signed agreement is listed, with 0 when none is in force.

    :param source: a store, or the :class:`GraphData` from :func:`load`
    :param on: the date (default: today)
    :returns: columns organisation, active, agreements (labels of those in force), iri;
        most active first, ties by name
    """
    data = source if isinstance(source, GraphData) else load(source)
    on = on or date.today()
    active: dict[str, list[str]] = {}
    for a in data.selected():
        for org in a.parties:
            active.setdefault(org, [])
            if a.in_force(on):
                active[org].append(a.label)
    rows = [
        {
            "organisation": data.label(o),
            "active": len(labels),
            "agreements": sorted(labels),
            "iri": o,
        }
        for o, labels in active.items()
    ]
    frame = pd.DataFrame(rows, columns=["organisation", "active", "agreements", "iri"])
    frame = frame.sort_values(["active", "organisation"], ascending=[False, True])
    return frame.reset_index(drop=True)
