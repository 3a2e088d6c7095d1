"""``/sparql``: the SPARQL 1.1 Protocol endpoint, its service description and its editor page.

Requests (SPARQL 1.1 Protocol, section 2): a query by ``GET ?query=``, by ``POST`` of an
``application/x-www-form-urlencoded`` form (``query=``) or by ``POST`` of
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri`` set the dataset.
Updates (``update=`` or ``application/sparql-update``, with ``using-graph-uri`` and
``using-named-graph-uri``) need ``Authorization: Bearer <KG_UPDATE_TOKEN>``; without a
configured token the endpoint is read-only and answers 403.

Responses: the format comes from ``Accept`` (or ``?format=json|xml|csv|tsv|turtle|ntriples|
jsonld|rdfxml``); 406 when nothing offered is acceptable. Errors are one line of
``text/plain``; a syntax error gives the parser's message and position. ``GET /sparql`` with no
query returns the editor to browsers and the service description (SPARQL 1.1 Service
Description, Turtle) to everyone else; ``/sparql/description`` always returns the latter.

When ``KG_STORE`` is a remote store's query endpoint URL the same checks run here and the
request is forwarded (:class:`kg._forward.RemoteRunner`); updates go to ``KG_UPDATE_URL``,
still only with the bearer token. With ``KG_RATE_LIMIT=on`` each client IP has a query-time
and an error allowance (:mod:`webapp.ratelimit`); past either it gets 429 with
``Retry-After``.
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from kg._forward import RemoteRunner
from kg.sparql import GRAPH_FORMATS, SOLUTION_FORMATS, QueryRunner, Result, negotiate
from webapp import examples
from webapp.ratelimit import RateLimiter, enabled

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


def _reply(result: Result) -> Response:
    response = Response(result.body, result.status, content_type=result.content_type)
    response.headers.update(result.headers)
    response.headers["Vary"] = "Accept"
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, message: str, **headers: str) -> Response:
    return _reply(Result.error(status, message, **headers))


def _runner() -> QueryRunner | RemoteRunner | None:
    runner: QueryRunner | RemoteRunner | None = current_app.extensions.get("kg.sparql")
    return runner


def _limiter() -> RateLimiter | None:
    """The app's per-client limiter, made on first use; ``None`` when limiting is off."""
    if not enabled(current_app.config.get("KG_RATE_LIMIT", "off")):
        return None
    limiter: RateLimiter = current_app.extensions.setdefault(
        "kg.ratelimit",
        RateLimiter(
            query_s=float(current_app.config.get("KG_RATE_QUERY_S", 60.0)),
            errors=float(current_app.config.get("KG_RATE_ERRORS", 30)),
        ),
    )
    return limiter


@bp.before_request
def _rate_limit() -> Response | None:
    """Refuse a client whose query-time or error allowance is spent (429, ``Retry-After``)."""
    limiter = _limiter()
    if limiter is None:
        return None
    client = request.remote_addr or "unknown"
    wait = limiter.retry_after(client)
    if wait is not None:
        return _error(
            429,
            f"too many requests from {client}: its query-time or error allowance is spent; "
            f"retry in {wait} s",
            **{"Retry-After": str(wait)},
        )
    g.kg_rate_started = time.monotonic()
    return None


@bp.after_request
def _rate_charge(response: Response) -> Response:
    """Charge the request's time, and an error when it failed, to its client."""
    started = g.pop("kg_rate_started", None)
    limiter = _limiter()
    if started is not None and limiter is not None:
        limiter.charge(
            request.remote_addr or "unknown",
            seconds=time.monotonic() - started,
            error=response.status_code >= 400,
        )
    return response


def _single(values: list[str], name: str) -> str | Response:
    if len(values) > 1:
        return _error(400, f"more than one {name} parameter (SPARQL 1.1 Protocol, section 2.1)")
    return values[0]


def _prefers_html() -> bool:
    """Whether the client names HTML at least as highly as anything else (a browser)."""
    html = other = 0.0
    for value, quality in request.accept_mimetypes:
        if value in ("text/html", "application/xhtml+xml"):
            html = max(html, quality)
        elif value != "*/*":
            other = max(other, quality)
    return html > 0 and html >= other


@bp.route("/sparql/", methods=["GET", "POST"])
@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The protocol endpoint: dispatch a query or an update, or show the landing page."""
    params: MultiDict[str, str] = MultiDict(request.args)
    text: str | None = None
    operation = "query"
    if request.method == "GET":
        if "update" in params:
            return _error(400, "an update must be sent by POST (SPARQL 1.1 Protocol, 2.2)")
        if "query" not in params:
            return _landing()
    else:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            return _error(415, f"charset {charset} is not supported: send UTF-8")
        if request.mimetype == FORM:
            form = request.form
            if "query" in form and "update" in form:
                return _error(400, "a request carries a query or an update, not both")
            params.update(form)
            operation = "update" if "update" in form else "query"
            if operation not in form:
                return _error(400, "the form has no query= or update= field")
        elif request.mimetype in ("application/sparql-query", "application/sparql-update"):
            try:
                text = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                return _error(400, "the request body is not UTF-8")
            operation = "update" if request.mimetype.endswith("update") else "query"
        else:
            return _error(
                415,
                f"Content-Type must be {FORM}, application/sparql-query or "
                f"application/sparql-update, not {request.mimetype or 'missing'}",
            )
    if text is None:
        found = _single(params.getlist(operation), operation)
        if isinstance(found, Response):
            return found
        text = found
    runner = _runner()
    if runner is None:
        return _error(503, "no store is configured for this endpoint (KG_STORE)")
    if operation == "update":
        return _update(runner, text, params)
    if request.method == "GET" and "format" not in params and _prefers_html():
        return _editor(text)
    protocol = "default-graph-uri" in params or "named-graph-uri" in params
    result = runner.run(
        text,
        request.headers.get("Accept"),
        format=params.get("format"),
        base_iri=request.base_url,
        default_graphs=params.getlist("default-graph-uri") if protocol else None,
        named_graphs=params.getlist("named-graph-uri") if protocol else None,
    )
    return _reply(result)


def _update(runner: QueryRunner | RemoteRunner, text: str, params: MultiDict[str, str]) -> Response:
    token = current_app.config.get("KG_UPDATE_TOKEN")
    if not token:
        return _error(403, "this endpoint is read-only: SPARQL Update is not accepted")
    given = request.headers.get("Authorization", "")
    scheme, _, credential = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credential.strip().encode(), str(token).encode()
    ):
        return _error(401, "an update needs a valid bearer token", **{"WWW-Authenticate": "Bearer"})
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        return _error(403, f"updates from another origin ({origin}) are refused")
    result = runner.update(
        text,
        base_iri=request.base_url,
        using_graphs=params.getlist("using-graph-uri"),
        using_named_graphs=params.getlist("using-named-graph-uri"),
    )
    return _reply(result)


def _landing() -> Response:
    if _prefers_html():
        return _editor("")
    return description()


@bp.get("/sparql/description")
def description() -> Response:
    """The SPARQL 1.1 Service Description of this endpoint (Turtle unless asked otherwise)."""
    import pyoxigraph as ox

    endpoint_iri = url_for("sparql.endpoint", _external=True)
    service = ox.BlankNode("service")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(SD + term)

    runner = _runner()
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint_iri)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
    ]
    if current_app.config.get("KG_UPDATE_TOKEN"):
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if current_app.config.get("KG_UNION_DEFAULT_GRAPH") and isinstance(runner, QueryRunner):
        triples.append(ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")))
    if runner is not None and runner.service_allowlist:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)))
    for name in ("SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)))
    limits = (
        f"Read-only unless an update token is configured. Query time limit "
        f"{current_app.config['KG_QUERY_TIMEOUT_S']} s; at most "
        f"{current_app.config['KG_ROW_LIMIT']} solutions or "
        f"{current_app.config['KG_TRIPLE_LIMIT']} triples per response (X-KG-Truncated)."
    )
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    triples.append(ox.Triple(service, comment, ox.Literal(limits, language="en")))
    fmt = negotiate("graph", request.headers.get("Accept")) or GRAPH_FORMATS[0]
    prefixes = {"sd": SD} if fmt.engine == "TURTLE" else None
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt.engine), prefixes=prefixes)
    return _reply(Result(200, fmt.content_type, body or b""))


def _named_queries() -> list[tuple[str, str, str]]:
    """``(name, question, text)`` of each shipped named query (:mod:`kg.query`), the eight of
    the contract first; empty when none are installed."""
    try:
        from kg.query import NAMED_QUERIES, named_queries, query_text

        questions = named_queries()
        order = [n for n in NAMED_QUERIES if n in questions]
        order += sorted(set(questions) - set(order))
        return [(name, questions[name], query_text(name)) for name in order]
    except (ImportError, OSError, ValueError, IndexError):
        return []


def _editor(query: str) -> Response:
    """The query editor page, with ``query`` filled in (and run by the page's script)."""
    from kg._sparql_formats import PREFIXES

    prefixes = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
    html = render_template(
        "sparql/editor.html",
        query=query,
        prefixes=prefixes,
        examples=_named_queries() + examples.current(),
        solution_formats=SOLUTION_FORMATS,
        graph_formats=GRAPH_FORMATS,
        share_base=url_for("sparql.endpoint") + "?" + urlencode({"query": ""}),
    )
    response = Response(html, 200, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response
