"""The home page, search and a page for every entity, each with a ``.json`` twin.

Routes (Datasette style: guessable URLs, the twin is the page's own dict as JSON):

==============================  =================================================================
``/`` and ``/index.json``       counts, latest agreements, the agreements that end within six
                                months and the ten that ended last, with how many there are of
                                each (``KG_TODAY`` in the config fixes "today" for tests)
``/agreements/ending[.json]``   every agreement ended or ending within six months, the latest end
                                first, ``page`` by page (50 a page; bad numbers 400, past the
                                last page 404)
``/search?q=``, ``/search.json``  entities whose name or alias contains ``q``
``/<kind>/<slug>[.json]``       ``org``, ``person``, ``agreement``, ``area``, ``release``: every
                                list on it (agreements, partners, people, roles, sentences ...)
                                the first 50 of its order, with its total
``/<kind>/<slug>/<list>[.json]``  all of one list, ``page`` by page (50 a page; bad numbers 400,
                                past the last page 404; :data:`kg.explore.LISTS` names them)
``/id/<kind>/<slug>``           the entity's IRI path: 303 to the page (HTML) or the ``.json``
                                twin, or the entity's triples as Turtle or JSON-LD, by
                                ``Accept`` or by a ``.ttl`` / ``.jsonld`` extension
==============================  =================================================================

Unknown entities are 404: an HTML page, or ``{"ok": false, "error": ..., "status": 404}``.
Every agreement's end is read once per store generation (:func:`agreement_ends`, kept in the
result cache); the home page's lists and each page of the ended and ending agreements are cut
from it for the day asked, and kept too (:func:`webapp.browse_store.cached_json`), so a page
costs a query only when the ends are not read yet. (``/agreements/...`` is plural, so no
entity route, ``/agreement/<slug>``, can take it.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as ResponseBase

from kg import explore

from .browse_store import browse_store, cached, cached_json, whole_store

bp = Blueprint("pages", __name__)

KIND_RULE = "<any(org, person, agreement, area, release):kind>"
#: agreements per page of ``/agreements/ending``
ENDING_PAGE_SIZE = 50
#: rows per page of an entity's lists (``/org/<slug>/agreements?page=N``)
LIST_PAGE_SIZE = explore.LIST_SIZE
#: the highest page number asked for that is not refused (400) outright
MAX_PAGE = 100_000
RDF_TYPES = {"turtle": "text/turtle; charset=utf-8", "jsonld": "application/ld+json"}


def today(config: Mapping[str, Any] | None = None) -> date:
    """Today, or the day ``KG_TODAY`` names (tests fix it), for the current app or ``config``."""
    configured = (current_app.config if config is None else config).get("KG_TODAY")
    if isinstance(configured, date):
        return configured
    return date.fromisoformat(configured) if configured else date.today()


def _error(status: int, message: str, as_json: bool) -> Response:
    """An error page, or ``{"ok": false, "error": ..., "status": ...}``."""
    if as_json:
        response = jsonify({"ok": False, "error": message, "status": status})
    else:
        title = "Not found" if status == 404 else "Bad request"
        page = render_template("browse/not_found.html", message=message, title=title)
        response = Response(page)
    response.status_code = status
    return response


def _not_found(message: str, as_json: bool) -> Response:
    return _error(404, message, as_json)


def agreement_ends() -> explore.AgreementEnds:
    """Every agreement with its end (:func:`kg.explore.agreement_ends`), read once per state of
    the store (by the server's warm-up, :mod:`webapp.warm`, or else by the first page that
    needs it) in one whole read: the home page and every page of the ended and ending
    agreements, for any day, are cut from it."""

    def compute() -> bytes:
        return explore.agreement_ends(whole_store()).to_bytes()

    return explore.AgreementEnds.from_bytes(cached(("agreement ends",), compute))


def home_data() -> bytes:
    """The home page's data as JSON, kept per store generation and day (and made by the
    server's warm-up, :mod:`webapp.warm`)."""
    day = today()

    def compute() -> dict[str, Any]:
        totals = json.loads(cached_json(("counts",), lambda: explore.counts(browse_store())))
        ends = agreement_ends()
        return explore.home(browse_store(), today=day, ends=ends, totals=totals)

    return cached_json(("home", day), compute)


@bp.get("/")
def home() -> str:
    """The home page."""
    return render_template("browse/home.html", data=json.loads(home_data()))


@bp.get("/index.json")
def home_json() -> Response:
    """The home page's data."""
    return Response(home_data(), 200, mimetype="application/json")


def ending_page(number: int) -> bytes:
    """Page ``number`` of the ended and ending agreements as JSON, a slice of
    :func:`agreement_ends` kept per store generation and day."""
    day = today()

    def compute() -> dict[str, Any]:
        ends = agreement_ends()
        return explore.ending(
            browse_store(), today=day, page=number, size=ENDING_PAGE_SIZE, ends=ends
        )

    return cached_json(("ending", day, number, ENDING_PAGE_SIZE), compute)


def _page_number(as_json: bool) -> int | Response:
    """The ``page`` asked for (1 when none), or the error response (400)."""
    raw = request.args.get("page") or "1"
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= number <= MAX_PAGE:
        return _error(400, f"page must be a whole number from 1 to {MAX_PAGE}", as_json)
    return number


def _paged(data: dict[str, Any], number: int, path: str, as_json: bool) -> Response | dict:
    """``data`` (a page ``number`` of ``data["pages"]``) with its ``prev`` and ``next`` links
    under ``path``, or 404 past the last page."""
    if number > data["pages"]:
        return _error(404, f"no page {number}: there are {data['pages']}", as_json)
    path += ".json" if as_json else ""
    data["prev"] = f"{path}?page={number - 1}" if number > 1 else None
    data["next"] = f"{path}?page={number + 1}" if number < data["pages"] else None
    return data


def _ending(as_json: bool) -> Response | dict[str, Any]:
    """One page of the ended and ending agreements, or the error response (400, 404)."""
    number = _page_number(as_json)
    if isinstance(number, Response):
        return number
    return _paged(json.loads(ending_page(number)), number, "/agreements/ending", as_json)


@bp.get("/agreements/ending")
def ending() -> Response | str:
    """The agreements ended or ending within six months, a page at a time."""
    data = _ending(as_json=False)
    if isinstance(data, Response):
        return data
    return render_template("browse/ending.html", data=data)


@bp.get("/agreements/ending.json")
def ending_json() -> Response:
    """A page of the ended and ending agreements as JSON."""
    data = _ending(as_json=True)
    return data if isinstance(data, Response) else jsonify(data)


def _search() -> dict[str, Any]:
    q = request.args.get("q", "")[:200]
    return {"q": q, "results": explore.search(browse_store(), q) if q.strip() else []}


@bp.get("/search")
def search() -> str:
    """Search by name or alias."""
    return render_template("browse/search.html", data=_search())


@bp.get("/search.json")
def search_json() -> Response:
    """Search results as JSON."""
    return jsonify(_search())


@bp.get(f"/{KIND_RULE}/<slug>")
def entity(kind: str, slug: str) -> Response | str:
    """The page of one entity."""
    data = explore.entity(browse_store(), f"{kind}/{slug}")
    if data is None:
        return _not_found(f"no {kind} {slug!r} in the graph", as_json=False)
    return render_template("browse/entity.html", data=data)


@bp.get(f"/{KIND_RULE}/<slug>.json")
def entity_json(kind: str, slug: str) -> Response:
    """The entity page's data."""
    data = explore.entity(browse_store(), f"{kind}/{slug}")
    if data is None:
        return _not_found(f"no {kind} {slug!r} in the graph", as_json=True)
    return jsonify(data)


def _entity_list(kind: str, slug: str, name: str, as_json: bool) -> Response | dict[str, Any]:
    """One page of one of an entity's lists, or the error response (400, 404)."""
    number = _page_number(as_json)
    if isinstance(number, Response):
        return number
    nid = f"{kind}/{slug}"
    data = explore.entity_list(browse_store(), nid, name, page=number, size=LIST_PAGE_SIZE)
    if data is None:
        return _not_found(f"no list {name!r} of {kind} {slug!r} in the graph", as_json)
    return _paged(data, number, f"/{nid}/{name}", as_json)


@bp.get(f"/{KIND_RULE}/<slug>/<name>")
def entity_list(kind: str, slug: str, name: str) -> Response | str:
    """A page of one of an entity's lists (``?page=N``)."""
    data = _entity_list(kind, slug, name, as_json=False)
    if isinstance(data, Response):
        return data
    return render_template("browse/entity_list.html", data=data)


@bp.get(f"/{KIND_RULE}/<slug>/<name>.json")
def entity_list_json(kind: str, slug: str, name: str) -> Response:
    """A page of one of an entity's lists as JSON."""
    data = _entity_list(kind, slug, name, as_json=True)
    return data if isinstance(data, Response) else jsonify(data)


def _rdf(kind: str, slug: str, fmt: str) -> Response:
    nid = f"{kind}/{slug}"
    store = browse_store()
    if explore.entity_label(store, nid) is None:
        return _not_found(f"no {kind} {slug!r} in the graph", as_json=True)
    body, cut = explore.describe(store, nid, fmt), explore.incoming_cut(store, nid)
    response = Response(body, content_type=RDF_TYPES[fmt])
    response.headers["Vary"] = "Accept"
    if cut:
        response.headers["X-KG-Truncated"] = (
            f"the first {explore.INCOMING_LINKS} of {cut} statements pointing at it; "
            f"its lists page through the rest (/{nid}/agreements ...) "
        )
    return response


@bp.get(f"/id/{KIND_RULE}/<slug>")
def resolve(kind: str, slug: str) -> ResponseBase:
    """The entity's IRI: a page for browsers, RDF for RDF clients (303 See Other)."""
    best = request.accept_mimetypes.best_match(
        ["text/html", "text/turtle", "application/ld+json", "application/json"],
        default="text/html",
    )
    if best == "text/turtle":
        return _rdf(kind, slug, "turtle")
    if best == "application/ld+json":
        return _rdf(kind, slug, "jsonld")
    target = f"/{kind}/{slug}" + (".json" if best == "application/json" else "")
    response = redirect(target, code=303)
    response.headers["Vary"] = "Accept"
    return response


@bp.get(f"/id/{KIND_RULE}/<slug>.ttl")
def resolve_turtle(kind: str, slug: str) -> Response:
    """The entity's triples as Turtle."""
    return _rdf(kind, slug, "turtle")


@bp.get(f"/id/{KIND_RULE}/<slug>.jsonld")
def resolve_jsonld(kind: str, slug: str) -> Response:
    """The entity's triples as JSON-LD."""
    return _rdf(kind, slug, "jsonld")
