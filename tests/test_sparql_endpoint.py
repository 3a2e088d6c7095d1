"""The SPARQL endpoint ``/sparql``: protocol, formats, refusals, limits, editor, live clients."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import rdflib
from helpers.webapp import (
    EX,
    SPARQL_FUZZ_TOKENS,
    build_store,
    bulk_quads,
    child_pids,
    live_server,
    pid_exists,
    trap_listener,
)

from kg.errors import QueryError, StoreError
from kg.sparql import QueryRunner, inspect_query, is_serving, negotiate, serving_lock

SELECT_ALL = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
CONSTRUCT = "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"
SRX = "{http://www.w3.org/2005/sparql-results#}"
TOKEN = "s3cret-token"


def _count_triples(body: bytes, media_type: str) -> int:
    """Parse an RDF response with pyoxigraph's parser and count its triples."""
    import pyoxigraph as ox

    return len(list(ox.parse(body, format=ox.RdfFormat.from_media_type(media_type))))


def _get(client: Any, query: str, **headers: str) -> Any:
    return client.get("/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers)


# -- protocol: methods and formats ---------------------------------------------------------------


def test_get_query_returns_sparql_json_by_default(client: Any) -> None:
    response = _get(client, SELECT_ALL)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    data = response.get_json(force=True)
    assert data["head"]["vars"] == ["s", "label"]
    labels = {b["label"]["value"] for b in data["results"]["bindings"]}
    assert "HKSTP" in labels and "MOU between DH and HKSTP" in labels  # union default graph
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-KG-Truncated"] == "false"
    assert "truncated" not in data


def test_post_form_and_post_direct(client: Any) -> None:
    form = client.post("/sparql", data={"query": SELECT_ALL})
    direct = client.post("/sparql", data=SELECT_ALL, content_type="application/sparql-query")
    assert form.status_code == direct.status_code == 200
    assert form.get_json(force=True) == direct.get_json(force=True)
    assert "Access-Control-Allow-Origin" not in form.headers


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_formats_by_accept(client: Any, accept: str, mimetype: str) -> None:
    response = _get(client, SELECT_ALL, Accept=accept)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    body = response.get_data(as_text=True)
    if mimetype.endswith("xml"):
        results = ET.fromstring(body).findall(f"{SRX}results/{SRX}result")
        assert len(results) == 4
    elif mimetype.startswith("text/"):
        assert len(body.strip().splitlines()) == 5  # header + 4 rows


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_format_parameter_overrides_accept(client: Any, name: str) -> None:
    url = "/sparql?" + urllib.parse.urlencode({"query": SELECT_ALL, "format": name})
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert name in response.mimetype or (name == "tsv" and "tab-separated" in response.mimetype)


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask_formats(client: Any, accept: str) -> None:
    response = _get(client, f"ASK {{ <{EX}org/1> ?p ?o }}", Accept=accept)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if "json" in accept:
        assert json.loads(body)["boolean"] is True
    else:
        assert ET.fromstring(body).find(f"{SRX}boolean").text == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        (None, "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_construct_and_describe_formats(client: Any, accept: str | None, mimetype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    for query, expected in ((CONSTRUCT, 4), (f"DESCRIBE <{EX}agreement/1>", 2)):
        response = _get(client, query, **headers)
        assert response.status_code == 200, response.data
        assert response.mimetype == mimetype
        assert _count_triples(response.get_data(), mimetype) == expected


def test_not_acceptable_is_406(client: Any) -> None:
    assert _get(client, SELECT_ALL, Accept="image/png").status_code == 406
    assert _get(client, CONSTRUCT, Accept="application/sparql-results+json").status_code == 406


def test_protocol_dataset_replaces_the_default(client: Any) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    url = "/sparql?" + urllib.parse.urlencode(
        {"query": query, "default-graph-uri": f"{EX}release/2"}
    )
    data = client.get(url).get_json(force=True)
    assert data["results"]["bindings"][0]["n"]["value"] == "2"
    bad = "/sparql?" + urllib.parse.urlencode({"query": query, "default-graph-uri": "not an iri"})
    assert client.get(bad).status_code == 400


# -- protocol: malformed requests ----------------------------------------------------------------


def test_syntax_error_is_400_with_the_parsers_message_and_position(client: Any) -> None:
    response = _get(client, "SELECT * WHERE {\n  ?s ?p \n}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "syntax error" in text and re.search(r"\b3:\d+\b|line 3", text), text
    lexical = _get(client, "SELECT * { ?s ?p 'open }")
    assert lexical.status_code == 400
    assert "line 1, column 18" in lexical.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("get", {"query_string": "query=ASK{}&query=ASK{}"}, 400),
        ("get", {"query_string": "update=CLEAR ALL"}, 400),
        ("post", {"data": {"query": "ASK{}", "update": "CLEAR ALL"}}, 400),
        ("post", {"data": "ASK {}", "content_type": "text/plain"}, 415),
        ("post", {"data": "query=ASK%20%7B%7D"}, 415),
        (
            "post",
            {
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=UTF-16",
            },
            415,
        ),
        (
            "post",
            {"data": b"ASK { ?s ?p '\xff' }", "content_type": "application/sparql-query"},
            400,
        ),
        ("post", {"data": {"nothing": "here"}}, 400),
        ("put", {"query_string": "query=ASK{}"}, 405),
        ("delete", {}, 405),
        ("post", {"data": "CLEAR ALL", "content_type": "application/sparql-query"}, 400),
    ],
)
def test_malformed_requests_are_4xx(
    client: Any, method: str, kwargs: dict[str, Any], status: int
) -> None:
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == status, response.data
    assert response.mimetype == "text/plain"


# -- refusals: outbound network and updates ------------------------------------------------------

OUTBOUND = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * { ?x <p> ?y . { SELECT * { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "PREFIX t: <http://127.0.0.1:{port}/>\nSELECT * WHERE { SERVICE t: { ?s ?p ?o } }",
    "BASE <http://127.0.0.1:{port}/>\nSELECT * WHERE { SERVICE <x> { ?s ?p ?o } }",
    "ASK { # a comment } SERVICE\n SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "x" SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }',
    "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
]


def test_service_is_refused_and_no_connection_is_made(client: Any) -> None:
    with trap_listener() as (port, connections):
        for template in OUTBOUND:
            query = template.replace("{port}", str(port))
            for response in (
                _get(client, query),
                client.post("/sparql", data=query, content_type="application/sparql-query"),
            ):
                assert response.status_code == 400, (query, response.data)
        time.sleep(0.3)
    assert connections == []


def test_from_and_from_named_are_read_locally_never_fetched(client: Any) -> None:
    with trap_listener() as (port, connections):
        base = f"http://127.0.0.1:{port}"
        query = f"ASK FROM <{base}/a> FROM NAMED <{base}/b> {{ ?s ?p ?o }}"
        response = _get(client, query)
        assert response.status_code == 200
        assert response.get_json(force=True)["boolean"] is False  # no such local graph
        url = "/sparql?" + urllib.parse.urlencode(
            {
                "query": "ASK { ?s ?p ?o }",
                "default-graph-uri": f"{base}/c",
                "named-graph-uri": f"{base}/d",
            }
        )
        assert client.get(url).status_code == 200
        time.sleep(0.3)
    assert connections == []


def test_updates_are_refused_without_a_token(client: Any) -> None:
    before = _get(client, SELECT_ALL).get_json(force=True)
    for kwargs in (
        {"data": {"update": "CLEAR ALL"}},
        {"data": "CLEAR ALL", "content_type": "application/sparql-update"},
        {
            "data": "DROP ALL",
            "content_type": "application/sparql-update",
            "headers": {"Authorization": "Bearer x"},
        },
        {"data": "LOAD <http://example.org/x>", "content_type": "application/sparql-update"},
    ):
        assert client.post("/sparql", **kwargs).status_code == 403
    assert _get(client, SELECT_ALL).get_json(force=True) == before


def test_updates_with_a_token(make_app: Any) -> None:
    client = make_app(KG_UPDATE_TOKEN=TOKEN).test_client()
    insert = f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}new> <{EX}p> "added" }} }}'
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert (
        client.post("/sparql", data=insert, content_type="application/sparql-update").status_code
        == 401
    )
    wrong = {"Authorization": "Bearer nope"}
    assert (
        client.post(
            "/sparql", data=insert, content_type="application/sparql-update", headers=wrong
        ).status_code
        == 401
    )
    other_origin = {**auth, "Origin": "http://evil.example"}
    assert (
        client.post(
            "/sparql", data=insert, content_type="application/sparql-update", headers=other_origin
        ).status_code
        == 403
    )
    assert _get(client, f"ASK {{ <{EX}new> ?p ?o }}").get_json(force=True)["boolean"] is False
    response = client.post(
        "/sparql", data=insert, content_type="application/sparql-update", headers=auth
    )
    assert response.status_code == 204
    assert _get(client, f"ASK {{ <{EX}new> ?p ?o }}").get_json(force=True)["boolean"] is True
    form = client.post("/sparql", data={"update": f"DROP GRAPH <{EX}g>"}, headers=auth)
    assert form.status_code == 204
    assert _get(client, f"ASK {{ <{EX}new> ?p ?o }}").get_json(force=True)["boolean"] is False
    with trap_listener() as (port, connections):
        for update in (
            f"LOAD <http://127.0.0.1:{port}/data.ttl>",
            f"LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <{EX}g>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            "CLEAR GRAPH",
        ):
            response = client.post(
                "/sparql", data=update, content_type="application/sparql-update", headers=auth
            )
            assert response.status_code == 400, update
        time.sleep(0.3)
    assert connections == []


# -- limits --------------------------------------------------------------------------------------


def test_timeout_kills_the_worker_and_the_next_query_is_served(tmp_path: Path) -> None:
    store = build_store(tmp_path / "bulk", bulk_quads(3000))
    before = child_pids()
    runner = QueryRunner(store, workers=1, timeout_s=1.0)
    try:
        assert runner.run("ASK { ?s ?p ?o }").status == 200
        [worker] = runner.worker_pids()
        started = time.monotonic()
        result = runner.run("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        elapsed = time.monotonic() - started
        assert result.status == 504 and b"timed out" in result.body
        assert 0.9 < elapsed < 2.5
        assert not pid_exists(worker), "the timed-out worker was not killed and reaped"
        assert runner.run("ASK { ?s ?p ?o }").status == 200
        assert runner.worker_pids() and runner.worker_pids() != [worker]
    finally:
        runner.close()
    assert child_pids() - before == set(), "worker processes outlived the runner"


def test_timeout_through_the_app(make_app: Any, tmp_path: Path) -> None:
    store = build_store(tmp_path / "bulk", bulk_quads(2000))
    client = make_app(KG_STORE=str(store), KG_QUERY_TIMEOUT_S=0.5).test_client()
    response = _get(client, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert response.status_code == 504
    assert _get(client, "ASK {}").status_code == 200


def test_row_cap_is_stated_never_silent(make_app: Any) -> None:
    client = make_app(KG_ROW_LIMIT=2, KG_TRIPLE_LIMIT=3).test_client()
    response = _get(client, SELECT_ALL)
    data = response.get_json(force=True)
    assert len(data["results"]["bindings"]) == 2
    assert data["truncated"] is True and response.headers["X-KG-Truncated"] == "true"
    csv = _get(client, SELECT_ALL, Accept="text/csv")
    assert csv.headers["X-KG-Truncated"] == "true"
    assert len(csv.get_data(as_text=True).strip().splitlines()) == 3
    graph = _get(client, CONSTRUCT, Accept="application/n-triples")
    assert graph.headers["X-KG-Truncated"] == "true"
    assert len(graph.get_data(as_text=True).strip().splitlines()) == 3
    exact = _get(client, SELECT_ALL + " LIMIT 2")
    assert exact.headers["X-KG-Truncated"] == "false" and "truncated" not in exact.get_json(
        force=True
    )


def test_request_size_limits(client: Any) -> None:
    padding = "#" + "x" * 70_000 + "\n"
    too_long = padding + "ASK {}"
    direct = client.post("/sparql", data=too_long, content_type="application/sparql-query")
    assert direct.status_code == 413
    assert client.post("/sparql", data={"query": too_long}).status_code == 413
    assert _get(client, too_long).status_code == 413
    huge = b"ASK {} #" + b"x" * (1024 * 1024 + 10)
    response = client.post("/sparql", data=huge, content_type="application/sparql-query")
    assert response.status_code == 413
    assert (
        client.post("/sparql", data={"query": "ASK {}", "pad": "x" * (1024 * 1024)}).status_code
        == 413
    )


def test_queue_limit_answers_503_with_retry_after(make_app: Any, tmp_path: Path) -> None:
    store = build_store(tmp_path / "bulk", bulk_quads(2000))
    app = make_app(KG_STORE=str(store), KG_QUERY_WORKERS=1, KG_QUERY_QUEUE=0, KG_QUERY_TIMEOUT_S=2)
    runner = app.extensions["kg.sparql"]
    assert app.test_client().get("/sparql?query=ASK{}").status_code == 200  # worker started
    slow = threading.Thread(
        target=lambda: _get(
            app.test_client(), "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        )
    )
    slow.start()
    deadline = time.monotonic() + 5
    while runner._busy == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    response = _get(app.test_client(), "ASK {}")
    slow.join()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert _get(app.test_client(), "ASK {}").status_code == 200


# -- pages: service description, editor, health, errors ------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/sparql/description"])
def test_service_description(client: Any, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef("http://localhost/sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in graph


def test_editor_page_is_self_contained_and_strict(client: Any) -> None:
    response = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html and "<style" not in html
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        fetched.close()
    names = re.findall(r'class="example"[^>]*>(\w+)</button>', html)
    shipped = sorted(p.stem for p in (Path(__file__).parents[1] / "src/kg/queries").glob("*.rq"))
    assert sorted(names) == shipped
    assert 'id="prefixes"' in html and 'id="share"' in html


def test_editor_escapes_the_query_it_is_given(client: Any) -> None:
    planted = "</textarea><script>alert(1)</script>"
    response = _get(client, planted, Accept="text/html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;/textarea&gt;&lt;script&gt;" in html


def test_editor_script_never_writes_html() -> None:
    static = Path(__file__).parents[1] / "webapp" / "static" / "sparql"
    for script in static.glob("*.js"):
        text = script.read_text()
        assert (
            "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text
        )
        assert "http://" not in text and "https://" not in text


def test_healthz_and_json_error_envelope(client: Any) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["ok"] is True
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.get_json() == {"ok": False, "error": missing.get_json()["error"], "status": 404}


def test_app_without_a_store(make_app: Any) -> None:
    client = make_app(KG_STORE=None).test_client()
    assert _get(client, "ASK {}").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch, make_app: Any) -> None:
    monkeypatch.setenv("KG_ROW_LIMIT", "1")
    monkeypatch.setenv("KG_SERVICE_ALLOWLIST", "https://query.wikidata.org/ http://x/")
    app = make_app()
    runner = app.extensions["kg.sparql"]
    assert app.config["KG_ROW_LIMIT"] == 1 and runner.row_limit == 1
    assert runner.service_allowlist == ("https://query.wikidata.org/", "http://x/")
    assert make_app(KG_ROW_LIMIT=7).extensions["kg.sparql"].row_limit == 7  # test config wins


def test_get_helper_runs_one_request_without_a_server(webapp_store: Path) -> None:
    from webapp import get

    status, headers, body = get(
        webapp_store, "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    )
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert json.loads(body)["boolean"] is True


# -- no rdflib evaluation, ever ------------------------------------------------------------------


def test_rdflib_never_evaluates_a_user_query(monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    import pyoxigraph as ox
    import rdflib.plugins.sparql.evaluate as rdflib_evaluate
    import rdflib.plugins.sparql.update as rdflib_update

    from kg._workers import execute

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("rdflib's SPARQL engine ran a user query")

    monkeypatch.setattr(rdflib_evaluate, "evalQuery", forbidden)
    monkeypatch.setattr(rdflib_update, "evalUpdate", forbidden)
    for query in (SELECT_ALL, CONSTRUCT, "ASK {}", f"DESCRIBE <{EX}org/1>"):
        assert _get(client, query).status_code == 200
    store = ox.Store()  # the worker's code path, in this process
    job = {"query": "SELECT * { ?s ?p ?o }", "format": "JSON", "row_limit": 5, "triple_limit": 5}
    assert execute(store, job)[0] == "ok"
    probe = "import sys, kg._workers, kg.sparql; print('rdflib' in sys.modules)"
    import subprocess

    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "the worker side imports rdflib"


# -- the library: inspection, negotiation, serve lock --------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("SELECT * {}", "select"),
        ("PREFIX a: <http://a/> BASE <http://b/> ask {}", "ask"),
        ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://a>", "describe"),
        ("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }", "update"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update"),
        ("CLEAR ALL ; DROP SILENT GRAPH <http://g>", "update"),
    ],
)
def test_inspect_query_kinds(text: str, kind: str) -> None:
    assert inspect_query(text).kind == kind


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "SERVICE <http://x/> {}" }',
        "SELECT * { ?s ?p '''a\nSERVICE <http://x/> { }''' }",
        "SELECT * { ?s <http://x/SERVICE> ?o } # SERVICE <http://x/> {}",
        "PREFIX service: <http://x/> SELECT * { ?s service:load ?o . ?service ?load ?x }",
        "SELECT * { ?s ?p ?o FILTER(?s<?p&&?o>?s) }",
    ],
)
def test_inspect_query_ignores_keywords_in_strings_iris_comments_and_names(text: str) -> None:
    assert inspect_query(text).kind == "select"


def test_inspect_query_allowlist() -> None:
    allow = ["https://query.wikidata.org/"]
    query = "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert inspect_query(query, allow).services == ("https://query.wikidata.org/sparql",)
    with pytest.raises(QueryError):
        inspect_query(query.replace("query.wikidata.org", "query.wikidata.org.evil.com"), allow)
    with pytest.raises(QueryError):
        inspect_query("SELECT * { SERVICE <https://query.wikidata.org/\\u0073> {} }", allow)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "SELEC * {}",
        "SELECT * { ?s ?p ?o",
        "SELECT * { ?s ?p ?o } }",
        "SELECT * { ?s ?p 'a\nb' }",
    ],
)
def test_inspect_query_errors_have_positions(text: str) -> None:
    with pytest.raises(QueryError, match=r"line \d+, column \d+"):
        inspect_query(text)


def test_using_parameters_cannot_inject() -> None:
    from kg._sparql_syntax import add_using

    text = "INSERT { ?s a <C> } WHERE { ?s a <D> }"
    with pytest.raises(QueryError):
        add_using(text, inspect_query(text), ["http://g> } ; DROP ALL ; INSERT { <a> <b> <c"], [])


def test_negotiate_prefers_quality_then_specificity() -> None:
    assert negotiate("solutions", None).name == "json"  # type: ignore[union-attr]
    assert negotiate("boolean", "application/*;q=0.5, text/csv").name == "csv"  # type: ignore[union-attr]
    assert negotiate("graph", "text/*").name == "turtle"  # type: ignore[union-attr]
    assert negotiate("graph", "application/rdf+xml;q=0.1, application/ld+json").name == "jsonld"  # type: ignore[union-attr]
    assert negotiate("solutions", "text/turtle") is None


def test_serving_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    from kg.store import serve_lock_path

    store = tmp_path / "store"
    assert not is_serving(store)
    with serving_lock(store) as lock:
        assert lock == serve_lock_path(store.resolve())
        assert is_serving(store)
        with pytest.raises(StoreError, match="in use"), serving_lock(store):
            pass
    assert not is_serving(store)


# -- a standard client against a live waitress server --------------------------------------------


@pytest.fixture
def live_url(webapp_store: Path) -> Any:
    with live_server(webapp_store, {"KG_UPDATE_TOKEN": TOKEN, "KG_QUERY_WORKERS": 2}) as url:
        yield url


def test_sparqlwrapper_against_a_live_server(live_url: str) -> None:
    from SPARQLWrapper import (
        CSV,
        GET,
        JSON,
        JSONLD,
        N3,
        POST,
        RDFXML,
        TSV,
        TURTLE,
        XML,
        SPARQLWrapper,
    )
    from SPARQLWrapper.Wrapper import POSTDIRECTLY, URLENCODED

    endpoint = f"{live_url}/sparql"
    for method, request_kind in ((GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)):

        def client(query: str, fmt: str, method: str = method, kind: str = request_kind) -> Any:
            wrapper = SPARQLWrapper(endpoint)
            wrapper.setMethod(method)
            wrapper.setRequestMethod(kind)
            wrapper.setQuery(query)
            wrapper.setReturnFormat(fmt)
            return wrapper.query()

        rows = client(SELECT_ALL, JSON).convert()["results"]["bindings"]
        assert len(rows) == 4
        xml = client(SELECT_ALL, XML).convert()
        assert len(xml.getElementsByTagName("result")) == 4
        assert len(client(SELECT_ALL, CSV).convert().decode().strip().splitlines()) == 5
        assert len(client(SELECT_ALL, TSV).convert().decode().strip().splitlines()) == 5
        assert client("ASK { ?s ?p ?o }", JSON).convert()["boolean"] is True
        assert client("ASK { ?s ?p ?o }", XML).convert().getElementsByTagName("boolean")
        for fmt, media_type in (
            (RDFXML, "application/rdf+xml"),
            (XML, "application/rdf+xml"),
            (TURTLE, "text/turtle"),
            (N3, "text/turtle"),
            (JSONLD, "application/ld+json"),
        ):
            result = client(CONSTRUCT, fmt)
            assert result.info()["content-type"].startswith(media_type)
            assert _count_triples(result.response.read(), media_type) == 4
        described = client(f"DESCRIBE <{EX}agreement/1>", TURTLE).convert()
        assert _count_triples(described, "text/turtle") == 2


def test_sparqlwrapper_update_and_errors_against_a_live_server(live_url: str) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

    wrapper = SPARQLWrapper(f"{live_url}/sparql")
    wrapper.setMethod(POST)
    wrapper.setQuery(f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}live> <{EX}p> "1" }} }}')
    with pytest.raises(Unauthorized) as refused:
        wrapper.query()
    _close_http_error(refused.value)
    wrapper.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    wrapper.query().response.close()
    reader = SPARQLWrapper(f"{live_url}/sparql")
    reader.setQuery(f"ASK {{ <{EX}live> ?p ?o }}")
    reader.setReturnFormat(JSON)
    assert reader.query().convert()["boolean"] is True
    reader.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed) as bad:
        reader.query()
    _close_http_error(bad.value)


def _close_http_error(error: BaseException) -> None:
    """Close the HTTP response SPARQLWrapper leaves open inside the error it raises."""
    context = error.__context__
    if context is not None and hasattr(context, "close"):
        context.close()


# -- fuzz: no request text makes the endpoint fail with a 5xx ------------------------------------


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from helpers.webapp import sample_quads

    from webapp import close_app, create_app

    store = build_store(tmp_path_factory.mktemp("fuzz") / "store", sample_quads())
    app = create_app({"TESTING": True, "KG_STORE": str(store), "KG_QUERY_WORKERS": 2})
    yield app.test_client()
    close_app(app)


def test_fuzzed_queries_never_give_a_5xx(fuzz_client: Any) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    texts = st.one_of(
        st.lists(st.sampled_from(SPARQL_FUZZ_TOKENS), max_size=25).map(" ".join),
        st.text(max_size=80),
    )

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=texts, direct=st.booleans())
    def check(text: str, direct: bool) -> None:
        if direct:
            response = fuzz_client.post(
                "/sparql",
                data=text.encode("utf-8", "surrogatepass"),
                content_type="application/sparql-query",
            )
        else:
            response = fuzz_client.post("/sparql", data={"query": text})
        assert response.status_code < 500, (text, response.data)
        response.close()

    check()


def test_serve_refuses_a_store_that_is_in_use(webapp_store: Path) -> None:
    from webapp import serve

    with serving_lock(webapp_store), pytest.raises(StoreError, match="in use"):
        serve(webapp_store, port=0)
