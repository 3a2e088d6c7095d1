"""The partnership graph's web app: the SPARQL endpoint (and, beside it, the graph viewer and
entity pages), one Flask app built by :func:`create_app`.

Configuration is read in three layers, later ones winning (Flask tutorial style): the defaults
below, then ``KG_*`` environment variables (JSON values are decoded, anything else is a
string), then the ``test_config`` mapping.

==========================  =========  ==========================================================
key                         default    meaning
==========================  =========  ==========================================================
``KG_STORE``                ``None``   the embedded store directory the endpoint reads, or a
                                       remote store's query endpoint URL (queries are checked
                                       here, then forwarded: :mod:`kg._forward`)
``KG_UPDATE_URL``           ``None``   the remote store's update endpoint (updates need a token)
``KG_QUERY_TIMEOUT_S``      5          per-query limit; the worker process is killed after it
``KG_ROW_LIMIT``            10000      solutions per SELECT (truncation is always reported)
``KG_TRIPLE_LIMIT``         50000      triples per CONSTRUCT/DESCRIBE
``KG_QUERY_WORKERS``        2 x cores  query worker processes
``KG_QUERY_QUEUE``          16         requests that may wait for a worker (then 503)
``KG_QUERY_MAX_BYTES``      65536      longest query or update text (then 413)
``KG_UPDATE_TOKEN``         ``None``   bearer token that enables SPARQL Update; unset = read-only
``KG_SERVICE_ALLOWLIST``    ``()``     IRI prefixes ``SERVICE`` may call (space/comma separated)
``KG_UNION_DEFAULT_GRAPH``  ``True``   the default graph is the union of the release graphs
``KG_CACHE_BYTES``          128 MiB    result cache of the embedded store (LRU by bytes; entries
                                       last until the store changes: a new generation or an
                                       update); 0 turns it off
``KG_WORKER_MAX_GROWTH``    256 MiB    a query worker whose resident memory grew by more than
                                       this since it opened the store is replaced after its
                                       query (what a large query used stays with the process);
                                       0 never replaces one
``KG_WARM_UP``              ``True``   a served store (``kg serve``) answers the named queries
                                       and the viewer's first payloads into the cache at start
                                       and after each new generation (:mod:`webapp.warm`)
``KG_WARM_TIMEOUT_S``       900        per-query limit of those warm-up queries (fixed by the
                                       server; at 100,000 releases one takes about 2 minutes);
                                       clients keep ``KG_QUERY_TIMEOUT_S``
``KG_WARM_HUBS``            5          the warm-up also expands this many of the best connected
                                       nodes of the viewer's first overview
``KG_RATE_LIMIT``           ``"off"``  ``on``: a token bucket per client IP on ``/sparql``
``KG_RATE_QUERY_S``         60         with it on: seconds of query time per client per 60 s
``KG_RATE_ERRORS``          30         with it on: error replies per client per minute
``KG_TODAY``                ``None``   the day the pages and the ``active-on`` example take as
                                       today (ISO date; unset: the real day), for reproducible
                                       demos and benchmarks
``MAX_CONTENT_LENGTH``      1 MiB      request body limit (413)
==========================  =========  ==========================================================

Nothing happens at import time. :func:`serve` runs the app on waitress (never Flask's
development server); :func:`get` answers one request without a server, as
``datasette --get`` does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

__all__ = ["close_app", "create_app", "get", "serve"]

DEFAULTS: dict[str, Any] = {
    "KG_STORE": None,
    "KG_UPDATE_URL": None,
    "KG_QUERY_TIMEOUT_S": 5.0,
    "KG_ROW_LIMIT": 10_000,
    "KG_TRIPLE_LIMIT": 50_000,
    "KG_QUERY_WORKERS": None,
    "KG_QUERY_QUEUE": 16,
    "KG_QUERY_MAX_BYTES": 65_536,
    "KG_UPDATE_TOKEN": None,
    "KG_SERVICE_ALLOWLIST": (),
    "KG_UNION_DEFAULT_GRAPH": True,
    "KG_CACHE_BYTES": 128 * 1024 * 1024,
    "KG_REMOTE_KEEP_S": 300.0,
    "KG_WORKER_MAX_GROWTH": 256 * 1024 * 1024,
    "KG_WARM_UP": True,
    "KG_WARM_TIMEOUT_S": 900.0,
    "KG_WARM_HUBS": 5,
    "KG_RATE_LIMIT": "off",
    "KG_RATE_QUERY_S": 60.0,
    "KG_RATE_ERRORS": 30,
    "KG_TODAY": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1000,
}

#: Content-Security-Policy of every page: no inline script or style, nothing from elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in DEFAULTS:
        if key.startswith("KG_") and key in environ:
            raw = environ[key]
            try:
                found[key] = json.loads(raw)
            except ValueError:
                found[key] = raw
    return found


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app.

    :param test_config: settings that win over the defaults and the environment
    :return: the Flask app; its query runner (``app.extensions["kg.sparql"]``) starts worker
        processes on the first query. Call :func:`close_app` to stop them.
    """
    from kg.sparql import QueryRunner
    from webapp import graph, health, pages, sparql

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(_from_environment(os.environ))
    if test_config is not None:
        app.config.update(test_config)
    allowlist = app.config["KG_SERVICE_ALLOWLIST"]
    if isinstance(allowlist, str):
        allowlist = allowlist.replace(",", " ").split()
    store = app.config["KG_STORE"]
    if store and "://" not in str(store):
        app.extensions["kg.sparql"] = QueryRunner(
            store,
            workers=app.config["KG_QUERY_WORKERS"],
            timeout_s=float(app.config["KG_QUERY_TIMEOUT_S"]),
            row_limit=int(app.config["KG_ROW_LIMIT"]),
            triple_limit=int(app.config["KG_TRIPLE_LIMIT"]),
            max_waiting=int(app.config["KG_QUERY_QUEUE"]),
            max_query_bytes=int(app.config["KG_QUERY_MAX_BYTES"]),
            service_allowlist=allowlist,
            union_default_graph=bool(app.config["KG_UNION_DEFAULT_GRAPH"]),
            allow_updates=bool(app.config["KG_UPDATE_TOKEN"]),
            cache_bytes=int(app.config["KG_CACHE_BYTES"]),
            warm_timeout_s=float(app.config["KG_WARM_TIMEOUT_S"]),
            worker_max_growth=int(app.config["KG_WORKER_MAX_GROWTH"]),
        )
    elif store:
        from kg._forward import RemoteRunner

        app.extensions["kg.sparql"] = RemoteRunner(
            str(store),
            update_url=app.config["KG_UPDATE_URL"],
            timeout_s=float(app.config["KG_QUERY_TIMEOUT_S"]),
            workers=app.config["KG_QUERY_WORKERS"],
            max_waiting=int(app.config["KG_QUERY_QUEUE"]),
            max_query_bytes=int(app.config["KG_QUERY_MAX_BYTES"]),
            service_allowlist=allowlist,
            allow_updates=bool(app.config["KG_UPDATE_TOKEN"]),
        )
    app.register_blueprint(health.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(graph.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)
    return app


def close_app(app: Flask) -> None:
    """Stop the app's query worker processes (the app answers 503 to queries afterwards)."""
    runner = app.extensions.get("kg.sparql")
    if runner is not None:
        runner.close()


def _http_error(error: HTTPException) -> Response:
    """One error shape: plain text on the SPARQL endpoint (as SPARQL clients expect), the JSON
    envelope ``{"ok": false, "error": ..., "status": ...}`` everywhere else."""
    status = error.code or 500
    message = error.description or error.name
    if request.path == "/sparql" or request.path.startswith("/sparql/"):
        response = Response(f"{message}\n", status, content_type="text/plain; charset=utf-8")
    else:
        body = json.dumps({"ok": False, "error": message, "status": status})
        response = Response(body, status, content_type="application/json")
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


from webapp.serve import get, serve  # noqa: E402  (serve.py imports create_app lazily)
