"""``/sparql`` over a remote store (issue 6): checked locally, forwarded to a live Oxigraph server.

The seed release is built into the session's Oxigraph server with ``kg build --store URL
--update-url URL``, and into an embedded store; the same named queries sent through
``/sparql`` with SPARQLWrapper give the same rows on both. A remote that is down gives a clean
502, a remote that never answers a 504 within the time limit, and the endpoint serves again
as soon as the remote is back.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED, _oxigraph_binary, clear_remote, free_port
from helpers.webapp import live_server, trap_listener

from kg.cli import main
from kg.query import NAMED_QUERIES

TOKEN = "remote-s3cret"
EX = "http://example.org/"


def fetch(url: str, query: str, accept: str = "application/sparql-results+json") -> Any:
    """``(status, content type, body)`` of one GET of ``url/sparql?query=...``."""
    request = urllib.request.Request(
        f"{url}/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


def sparqlwrapper_rows(endpoint: str, query: str) -> list[tuple[str | None, ...]]:
    """The rows of ``query`` as SPARQLWrapper returns them (POST, JSON)."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    wrapper = SPARQLWrapper(endpoint)
    wrapper.setMethod(POST)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(JSON)
    data = wrapper.query().convert()
    names = data["head"]["vars"]
    return [
        tuple(b[n]["value"] if n in b else None for n in names) for b in data["results"]["bindings"]
    ]


@pytest.fixture(scope="module")
def remote(oxigraph_server: dict[str, str]) -> Iterator[dict[str, str]]:
    """The live Oxigraph server holding the seed release, built by ``kg build``."""
    clear_remote(oxigraph_server["update"])
    store = ["--store", oxigraph_server["query"], "--update-url", oxigraph_server["update"]]
    assert main([*store, "build", "--workers", "1", str(SEED)]) == 0
    yield oxigraph_server
    clear_remote(oxigraph_server["update"])


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store holding the seed release."""
    store = tmp_path_factory.mktemp("embedded") / "store"
    assert main(["--store", str(store), "build", "--workers", "1", str(SEED)]) == 0
    return store


@pytest.fixture(scope="module")
def remote_url(remote: dict[str, str]) -> Iterator[str]:
    """The app serving the remote store, updates enabled with a token."""
    with live_server(
        remote["query"], {"KG_UPDATE_URL": remote["update"], "KG_UPDATE_TOKEN": TOKEN}
    ) as url:
        yield url


def test_named_queries_give_the_same_rows_as_on_the_embedded_store(
    remote_url: str, embedded: Path
) -> None:
    from kg.query import query_text

    with live_server(embedded, {"KG_QUERY_WORKERS": 2}) as local_url:
        for name in NAMED_QUERIES:
            text = query_text(name)
            here = sparqlwrapper_rows(f"{local_url}/sparql", text)
            there = sparqlwrapper_rows(f"{remote_url}/sparql", text)
            assert sorted(there, key=repr) == sorted(here, key=repr), name
            if name in ("agreements", "parties", "signatories"):
                assert here, f"{name} found nothing in the seed"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_accept_is_negotiated_and_passed_on(remote_url: str, accept: str, media_type: str) -> None:
    status, content_type, body = fetch(
        remote_url, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3", accept
    )
    assert status == 200
    assert content_type.startswith(media_type)
    assert body


def test_construct_is_passed_on_as_rdf(remote_url: str) -> None:
    import pyoxigraph as ox

    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5"
    status, content_type, body = fetch(remote_url, query, "application/n-triples")
    assert status == 200 and content_type.startswith("application/n-triples")
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 5


def test_local_checks_run_before_anything_is_forwarded(remote_url: str) -> None:
    with trap_listener() as (port, connections):
        status, _, body = fetch(
            remote_url, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
        )
        assert status == 400 and b"SERVICE" in body
        time.sleep(0.3)
    assert connections == []
    status, _, body = fetch(remote_url, "SELECT * WHERE { ?s ?p ?o } # " + "x" * 70_000)
    assert status == 413
    status, _, body = fetch(remote_url, "DROP ALL")
    assert status == 400 and b"update" in body
    status, _, _ = fetch(remote_url, "SELECT * WHERE { ?s ?p ?o }", "image/png")
    assert status == 406


def test_a_remote_syntax_error_is_a_400_with_its_message(remote_url: str) -> None:
    status, content_type, body = fetch(remote_url, "SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert content_type.startswith("text/plain")
    assert body.startswith(b"the remote store refused the request (HTTP 400)")


def test_updates_need_the_token_then_go_to_the_update_endpoint(remote_url: str) -> None:
    update = f'INSERT DATA {{ GRAPH <{EX}remote-test> {{ <{EX}s> <{EX}p> "forwarded" }} }}'

    def post(headers: dict[str, str]) -> int:
        request = urllib.request.Request(
            f"{remote_url}/sparql",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            with error:
                return error.code

    ask = f"ASK {{ GRAPH <{EX}remote-test> {{ <{EX}s> <{EX}p> ?o }} }}"
    assert post({}) == 401
    assert b"false" in fetch(remote_url, ask)[2]
    assert post({"Authorization": f"Bearer {TOKEN}"}) == 204
    assert b"true" in fetch(remote_url, ask)[2]


def test_updates_are_refused_without_a_token(remote: dict[str, str]) -> None:
    with live_server(remote["query"], {"KG_UPDATE_URL": remote["update"]}) as url:
        request = urllib.request.Request(
            f"{url}/sparql",
            data=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        refused.value.close()
        assert fetch(url, "ASK { GRAPH ?g { ?s ?p ?o } }")[2].find(b"true") >= 0


@contextmanager
def small_oxigraph(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """An in-memory Oxigraph server on ``port``, stopped at the end."""
    proc = subprocess.Popen(
        [_oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "oxigraph did not start"
                time.sleep(0.05)
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


def test_a_remote_that_is_down_is_a_clean_502_and_service_resumes() -> None:
    port = free_port()
    with live_server(f"http://127.0.0.1:{port}/query", {"KG_QUERY_TIMEOUT_S": 3}) as url:
        with small_oxigraph(port):
            assert fetch(url, "ASK {}")[0] == 200
        started = time.monotonic()
        status, content_type, body = fetch(url, "ASK {}")
        assert status == 502 and content_type.startswith("text/plain")
        assert b"unreachable" in body and time.monotonic() - started < 3
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as health:
            assert health.status == 200
        with small_oxigraph(port):
            assert fetch(url, "ASK {}")[0] == 200


@contextmanager
def silent_listener() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a hung store)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    server.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


def test_a_remote_that_never_answers_is_a_504_within_the_limit() -> None:
    with (
        silent_listener() as port,
        live_server(f"http://127.0.0.1:{port}/query", {"KG_QUERY_TIMEOUT_S": 1}) as url,
    ):
        started = time.monotonic()
        status, _, body = fetch(url, "ASK {}")
        elapsed = time.monotonic() - started
        assert status == 504 and b"did not answer within 1 s" in body
        assert elapsed < 2.5
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as health:
            assert health.status == 200


def test_pages_read_the_remote_store_through_the_same_forwarding(remote_url: str) -> None:
    import re

    with urllib.request.urlopen(f"{remote_url}/", timeout=30) as home:
        html = home.read().decode()
    agreements = re.findall(r'href="(/agreement/[^"]+)"', html)
    assert agreements, "the home page lists no agreement"
    with urllib.request.urlopen(remote_url + agreements[0], timeout=30) as page:
        assert page.status == 200 and b"Memorandum" in page.read()
