"""Writing projections out: GraphML and GEXF files, and an offline pyvis view.

Public through :mod:`kg.analysis`. Projections keep dates as :class:`datetime.date` and lists
as lists; :func:`exportable` turns them into values both file formats can hold.

pyvis needs care (see DESIGN.md, "Known pitfalls"): its page template loads Bootstrap from a
CDN whatever ``cdn_resources`` says, and it puts node labels, tooltips and the heading into
the page without escaping. :func:`to_pyvis` therefore renders with a copy of pyvis's template
stripped of every remote ``<script>``/``<link>``, inlines vis-network, uses integers as node
ids and passes labels and tooltips as plain text with any markup removed.
"""

from __future__ import annotations

import html
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader
from pyvis.network import Network

__all__ = ["exportable", "plain_text", "show", "to_gexf", "to_graphml", "to_pyvis"]

#: node colours by ``type`` (colour-blind safe, Okabe-Ito)
TYPE_COLOURS = {
    "organisation": "#0072B2",
    "person": "#E69F00",
    "agreement": "#009E73",
    "area": "#CC79A7",
    "release": "#999999",
}
_TEMPLATE = "kg-offline.html"
_REMOTE = re.compile(
    r"<(script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?https?://[^>]*>(?:\s*</script>)?",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>?")


def _safe_value(value: Any) -> str | int | float | bool | None:
    if value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "; ".join(str(_safe_value(v)) for v in items)
    return str(value)


def _safe_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: s for k, s in ((k, _safe_value(v)) for k, v in attrs.items()) if s is not None}


def exportable(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` whose attributes GraphML and GEXF can hold.

    Dates become ISO strings, lists ``"; "``-joined strings, missing values are dropped.

    >>> g = nx.Graph(as_of=date(2024, 1, 1))
    >>> g.add_edge("a", "b", first=date(2023, 8, 18), agreements=["x", "y"], last=None)
    >>> h = exportable(g)
    >>> h.graph, h.edges["a", "b"]
    ({'as_of': '2024-01-01'}, {'first': '2023-08-18', 'agreements': 'x; y'})
    """
    out = graph.__class__()
    out.graph.update(_safe_attrs(graph.graph))
    for node, attrs in graph.nodes(data=True):
        out.add_node(node, **_safe_attrs(attrs))
    if graph.is_multigraph():
        for u, v, key, attrs in graph.edges(keys=True, data=True):
            out.add_edge(u, v, key=key, **_safe_attrs(attrs))
    else:
        for u, v, attrs in graph.edges(data=True):
            out.add_edge(u, v, **_safe_attrs(attrs))
    return out


def to_graphml(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GraphML (Gephi, yEd, Cytoscape), attributes made safe first.

    :returns: the path written
    """
    nx.write_graphml(exportable(graph), str(path))
    return Path(path)


def to_gexf(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GEXF 1.2, Gephi's own format, attributes made safe first.

    Agreement nodes' ``start`` and ``end`` become GEXF time spells, so Gephi's timeline
    shows agreements coming into and out of force.

    :returns: the path written
    """
    nx.write_gexf(exportable(graph), str(path))
    return Path(path)


def plain_text(value: Any) -> str:
    """``value`` as text with any markup removed (pyvis renders some strings as HTML).

    >>> plain_text('Alpha <script>alert("x")</script><b>Beta</b> & <i')
    'Alpha alert("x")Beta &'
    """
    text = _TAG.sub("", str(value))
    return text.replace("<", "").replace(">", "").strip()


@cache
def _environment() -> Environment:
    """pyvis's templates, with its page template stripped of remote scripts and styles."""
    folder = Path(pyvis.__file__).parent / "templates"
    page = _REMOTE.sub("", (folder / "template.html").read_text(encoding="utf-8"))
    loader = ChoiceLoader([DictLoader({_TEMPLATE: page}), FileSystemLoader(str(folder))])
    return Environment(loader=loader)


def _tooltip(attrs: dict[str, Any], skip: tuple[str, ...]) -> str:
    lines = []
    for key, value in sorted(attrs.items()):
        shown = _safe_value(value)
        if key in skip or shown in (None, ""):
            continue
        lines.append(f"{key}: {plain_text(shown)}")
    return "\n".join(lines)


def to_pyvis(
    graph: nx.Graph,
    *,
    height: str = "600px",
    width: str = "100%",
    heading: str = "",
    select_menu: bool = False,
) -> Network:
    """An interactive vis-network view of ``graph`` that works offline.

    Nodes are coloured by ``type``, sized by degree and labelled with their ``label``;
    hovering shows the other attributes. Edges are as wide as their ``weight``; the
    parallel edges of a multigraph are merged into one, their relations listed. All text is
    plain (markup stripped), vis-network is inlined and nothing is loaded from the network.

    :param graph: any projection
    :param heading: a title above the view (plain text)
    :param select_menu: add pyvis's node picker
    :returns: a :class:`pyvis.network.Network`; ``.generate_html()`` gives the page, or
        pass it to :func:`show`
    """
    net = Network(
        height=height,
        width=width,
        directed=graph.is_directed(),
        cdn_resources="in_line",
        heading=html.escape(plain_text(heading)),
        select_menu=select_menu,
    )
    net.templateEnv = _environment()
    net.path = _TEMPLATE
    net.template = net.templateEnv.get_template(_TEMPLATE)
    ids = {node: i for i, node in enumerate(graph.nodes)}
    for node, attrs in graph.nodes(data=True):
        label = plain_text(attrs.get("label", node))
        kind = str(attrs.get("type", ""))
        title = "\n".join([label, _tooltip(attrs, ("label",))]).strip()
        net.add_node(
            ids[node],
            label=label,
            title=title,
            color=TYPE_COLOURS.get(kind, "#56B4E9"),
            value=graph.degree(node) + 1,
        )
    merged: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for u, v, attrs in graph.edges(data=True):
        a, b = ids[u], ids[v]
        pair = (a, b) if graph.is_directed() else (min(a, b), max(a, b))
        merged.setdefault(pair, []).append(attrs)
    for (a, b), group in merged.items():
        weight = sum(float(attrs.get("weight", 1)) for attrs in group)
        title = "\n\n".join(_tooltip(attrs, ()) for attrs in group).strip()
        net.add_edge(a, b, value=weight, title=title or None)
    return net


def show(graph: nx.Graph | Network, **options: Any) -> Any:
    """Display ``graph`` in a notebook: an ``IPython.display.HTML`` holding the offline
    pyvis page in a self-contained ``<iframe srcdoc>`` (no file, no server, no CDN).

    :param graph: a projection (passed to :func:`to_pyvis` with ``options``) or a pyvis
        network
    :returns: an object Jupyter displays
    """
    from IPython.display import HTML

    net = graph if isinstance(graph, Network) else to_pyvis(graph, **options)
    page = net.generate_html()
    height = re.sub(r"[^0-9a-z%.]", "", str(net.height)) or "600px"
    frame = (
        f'<div class="kg-network"><iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width: 100%; height: calc({height} + 40px); border: none" '
        'sandbox="allow-scripts"></iframe></div>'
    )
    return HTML(frame)
