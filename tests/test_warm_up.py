"""The result cache is warm before the first client asks, and never answers for an old state.

A served store (the test holds the serve lock, as ``kg serve`` does) on a real waitress
server (:func:`helpers.webapp.live_server`): the warm-up (:mod:`webapp.warm`) answers the
named queries, the viewer's first payloads and the home page's data (among others:
``test_warm_coverage.py``) into the cache at start and again after a build publishes a new
generation. ``X-KG-Cache`` says how each answer was
made (``hit``: from the cache; ``miss``: by a worker; ``shared``: by a worker for an identical
request in flight) and ``/healthz`` says whether the warm-up has run for the store's state
now. The warm-up's queries have their own, longer time limit; a client asking for what it
computes gets the answer or 503 with ``Retry-After``, never a timeout.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from browse_data import build_store as build_browse_store
from conftest import SEED
from helpers.webapp import build_store, bulk_quads, live_server, publish_generation

from kg.cli import main
from kg.query import NAMED_QUERIES, query_text
from kg.sparql import QueryRunner, serving_lock

NEW_ALIAS = (
    "PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "INSERT DATA { GRAPH <http://example.org/release/new> { <http://example.org/org/newco> "
    'a org:Organization ; skos:prefLabel "Newco Limited" ; skos:altLabel "NCL" } }'
)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed release, built by ``kg build``."""
    path = tmp_path_factory.mktemp("warm") / "store"
    assert main(["--store", str(path), "build", str(SEED)]) == 0
    return path


@pytest.fixture
def served(seed_store: Path) -> Iterator[str]:
    """The seed store on a live server holding its serve lock; yields the base URL."""
    with serving_lock(seed_store), live_server(seed_store, {"KG_QUERY_WORKERS": 2}) as base:
        yield base


def get(url: str, accept: str = "application/sparql-results+json") -> tuple[dict[str, str], bytes]:
    """Headers and body of a 200 answer."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def named(base: str, name: str) -> tuple[str, list[tuple[str, ...]]]:
    """How the cache answered the named query ``name``, and its rows."""
    headers, body = get(f"{base}/sparql?" + urllib.parse.urlencode({"query": query_text(name)}))
    bindings = json.loads(body)["results"]["bindings"]
    columns = NAMED_QUERIES[name]
    return headers["x-kg-cache"], [
        tuple(b.get(c, {}).get("value", "") for c in columns) for b in bindings
    ]


def health(base: str) -> dict[str, Any]:
    """The result cache's part of ``/healthz``."""
    cache: dict[str, Any] = json.loads(get(f"{base}/healthz", "application/json")[1])[
        "result_cache"
    ]
    return cache


def wait_warm(base: str, timeout: float = 60.0) -> dict[str, Any]:
    """``/healthz``'s cache figures once the warm-up has run for the store's state now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cache = health(base)
        if cache["warm"]:
            return cache
        time.sleep(0.05)
    raise AssertionError("the warm-up did not finish")


def test_the_first_requests_after_start_are_answered_from_the_cache(served: str) -> None:
    warmed = wait_warm(served)
    for name in NAMED_QUERIES:
        how, rows = named(served, name)
        assert how == "hit", name
    assert (
        rows
        and ("Hong Kong Science and Technology Parks Corporation", "HKSTP")
        in named(served, "aliases")[1]
    )
    for path in ("/graph/data.json", "/graph", "/", "/index.json"):
        get(served + path, "*/*")
    assert health(served)["misses"] == warmed["misses"], "the viewer's and home page were warm"
    home = json.loads(get(served + "/index.json", "application/json")[1])
    assert home["counts"]["agreement"] == 1 and home["latest"]
    assert home["ends_soon_total"] + home["ended_total"] >= len(home["ending"])
    # the first page of ended and ending agreements is warm too (the others are cut from the
    # same kept ends when first asked for)
    misses = health(served)["misses"]
    paged = json.loads(get(served + "/agreements/ending.json", "application/json")[1])
    assert paged["total"] == home["ends_soon_total"] + home["ended_total"]
    assert json.loads(get(served + "/agreements/ending.json", "*/*")[1]) == paged
    assert health(served)["misses"] == misses


def test_after_a_new_generation_the_new_answer_is_served_never_the_old(
    served: str, seed_store: Path
) -> None:
    wait_warm(served)
    how, before = named(served, "aliases")
    assert how == "hit" and ("Newco Limited", "NCL") not in before
    publish_generation(seed_store, NEW_ALIAS)
    how, after = named(served, "aliases")  # the warm-up may or may not have run yet
    assert ("Newco Limited", "NCL") in after and set(before) < set(after), how
    wait_warm(served)
    assert named(served, "aliases") == ("hit", after)


def test_identical_requests_in_flight_share_one_evaluation_and_no_queue_place(
    seed_store: Path,
) -> None:
    # one worker and no queue: a request that needed a place of its own would get 503
    with serving_lock(seed_store), QueryRunner(seed_store, workers=1, max_waiting=0) as runner:
        query, results = query_text("signatories"), []
        start = threading.Barrier(16)

        def client() -> None:
            start.wait()
            results.append(runner.run(query, format="json"))

        threads = [threading.Thread(target=client) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert [r.status for r in results] == [200] * 16
        assert runner.executions == 1
        assert len({r.body for r in results}) == 1
        assert {r.headers["X-KG-Cache"] for r in results} <= {"miss", "shared", "hit"}


def test_the_warm_up_has_its_own_longer_time_limit(tmp_path: Path) -> None:
    # a query that takes well over the clients' limit (0.05 s) but finishes
    path = build_store(tmp_path / "store", bulk_quads(1500))
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"
    with (
        serving_lock(path),
        QueryRunner(path, workers=1, timeout_s=0.05, warm_timeout_s=60) as runner,
    ):
        timed_out = runner.run(slow, format="json")
        assert timed_out.status == 504 and b"0.05 s" in timed_out.body
        runner.keep_warm([partial(runner.run, slow, format="json")])
        deadline = time.monotonic() + 60
        while not runner.is_warm() and time.monotonic() < deadline:
            time.sleep(0.05)
        answer = runner.run(slow, format="json")
        assert answer.status == 200 and answer.headers["X-KG-Cache"] == "hit"
        assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == str(1500**2)


def test_a_client_never_gets_a_timeout_for_what_the_warm_up_computes(tmp_path: Path) -> None:
    # clients' limit so short that every query of theirs times out; the warm-up's is long
    path = tmp_path / "store"
    build_browse_store(path).close()
    config = {"KG_QUERY_WORKERS": 2, "KG_QUERY_TIMEOUT_S": 0.001, "KG_WARM_TIMEOUT_S": 60}
    statuses: list[int] = []
    with serving_lock(path), live_server(path, config) as base:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/graph/data.json", timeout=30) as response:
                    statuses.append(response.status)
                    payload = json.loads(response.read())
                    break
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
                assert error.code == 503 and int(error.headers["Retry-After"]) >= 1
                assert json.loads(error.read())["status"] == 503
        assert statuses[-1] == 200 and payload["shown"] == 21
        wait_warm(base)
        assert get(base + "/graph", "*/*")[0]["content-type"].startswith("text/html")
