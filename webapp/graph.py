"""``/graph``: the interactive network viewer and the JSON it draws from.

===========================  ====================================================================
``/graph``                   the viewer (``static/graph.js`` on vendored vis-network, no CDN)
``/graph/data.json``         a bounded overview: ``limit`` (default 150, at most 1000),
                             ``type`` (repeatable: org, person, agreement, area, release),
                             ``area`` (an area's node id), ``since`` and ``until`` (ISO dates)
``/graph/expand.json``       ``node`` (a node id), ``offset``, ``limit`` (default 20): the next
                             neighbours, with how many remain (``more``)
``/graph/edge.json``         ``rel``, ``from``, ``to``: the sentences stating an edge
===========================  ====================================================================

Bad parameters are 400 and unknown nodes or edges 404, with the JSON error envelope. The
overviews and expansions are cut from the store's :class:`kg._network.Network` (every node
and edge, :func:`network`), read once per store generation in whole reads (a query per class
and relation) and kept in the result cache as bytes (6.5 MB at 10,000 releases); from it an
expansion of the largest hub at any offset, or an overview with any filter, takes
milliseconds to a second. The payloads themselves are kept too
(:func:`webapp.browse_store.cached_json`). A served store has the first overview (and so the
network), the areas and the first expansion of the best connected nodes (``KG_WARM_HUBS`` of
them) computed before anyone asks (:mod:`webapp.warm`).
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, jsonify, render_template, request

from kg import explore
from kg._network import Network
from kg._network import network as read_network

from .browse_store import browse_store, cached_json, pinned, whole_store

bp = Blueprint("graph", __name__, url_prefix="/graph")

TYPES = ("org", "person", "agreement", "area", "release")


def _error(status: int, message: str) -> Response:
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = int(raw)  # ValueError -> 400 in the callers
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


def _date(name: str) -> date | None:
    raw = request.args.get(name)
    return date.fromisoformat(raw) if raw else None


def network() -> Network:
    """The store's nodes and edges, read once per store generation (without the query
    workers' row cap) and kept as bytes; the arrays of the answer are views of the kept bytes."""
    return Network.from_bytes(
        pinned(("graph.network",), lambda: read_network(whole_store()).to_bytes())
    )


def areas_json() -> bytes:
    """The areas for the viewer's filter (the overview of areas' nodes), as cached JSON."""
    return cached_json(
        ("graph.areas",),
        lambda: explore.overview(browse_store(), types={"area"}, limit=1000, net=network())[
            "nodes"
        ],
    )


def overview_json(
    limit: int = 150,
    types: frozenset[str] = frozenset(TYPES),
    area: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> bytes:
    """The overview payload for these parameters (the defaults: the viewer's first), as cached
    JSON."""
    return cached_json(
        ("graph.overview", limit, tuple(sorted(types)), area, since, until),
        lambda: explore.overview(
            browse_store(),
            limit=limit,
            types=set(types),
            area=area,
            since=since,
            until=until,
            net=network(),
        ),
    )


def expand_json(node: str, offset: int = 0, limit: int = 20) -> bytes:
    """A node's next neighbours (``null`` for an unknown node), as cached JSON; the viewer asks
    for 20 at a time from offset 0 first."""
    return cached_json(
        ("graph.expand", node, offset, limit),
        lambda: explore.expand(browse_store(), node, offset=offset, limit=limit, net=network()),
    )


def hubs(count: int) -> list[str]:
    """The ``count`` best connected nodes of the viewer's first overview, the best first."""
    nodes = json.loads(overview_json())["nodes"]
    ranked = sorted(nodes, key=lambda n: (-n.get("degree", 0), n["id"]))
    return [n["id"] for n in ranked[: max(0, count)]]


@bp.get("")
def viewer() -> str:
    """The viewer page; the areas for its filter come from the overview of areas."""
    areas = json.loads(areas_json())
    return render_template(
        "browse/graph.html", areas=sorted(areas, key=lambda a: a["label"].lower())
    )


@bp.get("/data.json")
def data() -> Response:
    """The overview payload."""
    try:
        limit = _int("limit", 150, 1, 1000)
        since, until = _date("since"), _date("until")
    except ValueError as exc:
        return _error(400, str(exc))
    types = set(request.args.getlist("type")) or set(TYPES)
    unknown = types - set(TYPES)
    if unknown:
        return _error(400, f"unknown type {sorted(unknown)[0]!r}; use one of {', '.join(TYPES)}")
    area = request.args.get("area") or None
    if area is not None and not explore.NODE_ID.match(area):
        return _error(400, "area must be an area's node id, like area/telehealth")
    body = overview_json(limit, frozenset(types), area, since, until)
    return Response(body, 200, mimetype="application/json")


@bp.get("/expand.json")
def expand() -> Response:
    """A node's next neighbours."""
    node = request.args.get("node", "")
    try:
        offset = _int("offset", 0, 0, 1_000_000)
        limit = _int("limit", 20, 1, 200)
    except ValueError as exc:
        return _error(400, str(exc))
    if not explore.NODE_ID.match(node):
        return _error(400, "node must be a node id, like org/department-of-health")
    body = expand_json(node, offset, limit)
    if body.strip() == b"null":
        return _error(404, f"no node {node!r} in the graph")
    return Response(body, 200, mimetype="application/json")


@bp.get("/edge.json")
def edge() -> Response:
    """The evidence of one edge."""
    rel, source, target = (request.args.get(k, "") for k in ("rel", "from", "to"))
    payload = explore.edge(browse_store(), rel, source, target)
    if payload is None:
        return _error(404, f"no edge {rel!r} from {source!r} to {target!r}")
    return jsonify(payload)
