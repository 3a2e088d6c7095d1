"""The result cache of the embedded store (``KG_CACHE_BYTES``) and the viewer's per-generation
payloads.

Caching is proved without timing: :attr:`kg.sparql.QueryRunner.executions` counts the jobs
handed to worker processes, and a cached answer still comes after every worker is killed.
Staleness is checked against the two ways the served store changes: a build publishing a new
generation (done in-process here by :func:`helpers.webapp.publish_generation`) and an update
with the token.
"""

from __future__ import annotations

import json
import os
import signal
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browse_data import TODAY
from browse_data import build_store as build_browse_store
from helpers.webapp import build_store, publish_generation, sample_quads

from kg import explore
from kg._result_cache import ENTRY_OVERHEAD, ResultCache
from kg.sparql import QueryRunner, serving_lock
from kg.store import EmbeddedStore
from webapp import close_app, create_app

LABELS = (
    "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
)
TOKEN = "cache-test-token"


def labels_of(body: bytes) -> set[str]:
    """The ``label`` values of a SPARQL JSON result."""
    return {row["label"]["value"] for row in json.loads(body)["results"]["bindings"]}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return build_store(tmp_path / "store", sample_quads())


@pytest.fixture
def served(store: Path) -> Iterator[Path]:
    """``store`` with its serve lock held by this process, as ``kg serve`` holds it."""
    with serving_lock(store):
        yield store


# -- the cache itself ---------------------------------------------------------------------------


def test_the_byte_bound_evicts_the_least_recently_used() -> None:
    cache: ResultCache[bytes] = ResultCache(3 * (ENTRY_OVERHEAD + 100))
    for key in "abc":
        assert cache.put("t", key, key.encode(), 100) is False, "no tag adopted yet"
    assert cache.get("t", "a") is None
    for key in "abc":
        assert cache.put("t", key, key.encode(), 100)
    assert cache.get("t", "a") == b"a"  # a is now the most recently used
    assert cache.put("t", "d", b"d", 100)
    assert cache.get("t", "b") is None, "b was the least recently used"
    assert {cache.get("t", k) for k in "acd"} == {b"a", b"c", b"d"}
    stats = cache.stats()
    assert stats.evictions == 1 and stats.entries == 3
    assert stats.bytes == 3 * (ENTRY_OVERHEAD + 100) <= cache.max_bytes
    assert cache.put("t", "huge", b"x", 10 * cache.max_bytes) is False
    assert cache.get("t", "a") == b"a", "an over-budget value evicts nothing"


def test_a_new_tag_empties_the_cache_and_a_stale_put_is_dropped() -> None:
    cache: ResultCache[str] = ResultCache(1 << 20)
    assert cache.get("gen-1", "q") is None
    assert cache.put("gen-1", "q", "old", 3)
    assert cache.get("gen-2", "q") is None, "another state: nothing of the old one is served"
    assert cache.put("gen-1", "q", "old", 3) is False, "an answer of the old state is dropped"
    assert cache.get("gen-2", "q") is None
    cache.invalidate()
    assert cache.put("gen-2", "q", "x", 1) is False and cache.stats().entries == 0


# -- the query runner ---------------------------------------------------------------------------


def test_a_repeated_query_is_served_from_the_cache_even_with_no_worker(served: Path) -> None:
    with QueryRunner(served, workers=2) as runner:
        first = runner.run(LABELS, format="json")
        assert first.status == 200 and "HKSTP" in labels_of(first.body)
        ran = runner.executions
        again = runner.run("  " + LABELS + "\n", format="json")  # the same text, trimmed
        assert runner.executions == ran, "answered without a worker"
        assert (again.status, again.body) == (200, first.body)
        assert (first.headers.pop("X-KG-Cache"), again.headers.pop("X-KG-Cache")) == ("miss", "hit")
        assert again.headers == first.headers
        for pid in runner.worker_pids():
            os.kill(pid, signal.SIGKILL)
        cached = runner.run(LABELS, format="json")
        assert cached.body == first.body and runner.executions == ran
        other = runner.run(LABELS, format="csv")  # another format is another answer
        assert other.status == 200 and other.content_type.startswith("text/csv")
        assert runner.executions > ran
        assert runner.cache_stats().hits == 2


def test_truncated_answers_are_cached_with_their_flag(served: Path) -> None:
    with QueryRunner(served, workers=1, row_limit=2) as runner:
        first = runner.run(LABELS, format="json")
        ran = runner.executions
        again = runner.run(LABELS, format="json")
        assert runner.executions == ran
        assert again.truncated and again.headers["X-KG-Truncated"] == "true"
        assert json.loads(again.body)["truncated"] is True and again.body == first.body


def test_errors_are_not_cached(served: Path) -> None:
    with QueryRunner(served, workers=1) as runner:
        for _ in range(2):
            assert runner.run("SELECT * WHERE { ?s ?p }", format="json").status == 400
        ran = runner.executions
        assert runner.run("SELECT * WHERE { ?s ?p }", format="json").status == 400
        assert runner.executions == ran + 1, "a 400 from the engine is asked again"


def test_nothing_is_cached_when_off_or_without_the_serve_lock(store: Path) -> None:
    # without the serve lock a build may write the store in place: no answer may be kept
    with QueryRunner(store, workers=1) as runner:
        runner.run(LABELS, format="json")
        ran = runner.executions
        runner.run(LABELS, format="json")
        assert runner.executions == ran + 1
    with serving_lock(store), QueryRunner(store, workers=1, cache_bytes=0) as runner:
        runner.run(LABELS, format="json")
        ran = runner.executions
        runner.run(LABELS, format="json")
        assert runner.executions == ran + 1 and runner.cache_stats().entries == 0


def test_the_byte_bound_evicts_answers_of_the_runner(served: Path) -> None:
    queries = [LABELS + f" LIMIT {n}" for n in (1, 2, 3)]
    sizes = []
    with QueryRunner(served, workers=1) as probe:  # what each answer costs in the cache
        for query in queries:
            before = probe.cache_stats().bytes
            probe.run(query, format="json")
            sizes.append(probe.cache_stats().bytes - before)
    with QueryRunner(served, workers=1, cache_bytes=sizes[1] + sizes[2]) as runner:
        for query in queries:
            assert runner.run(query, format="json").status == 200
        stats = runner.cache_stats()
        assert stats.evictions == 1 and stats.entries == 2
        assert stats.bytes <= runner._cache.max_bytes
        ran = runner.executions
        runner.run(queries[-1], format="json")
        assert runner.executions == ran, "the newest answer is still kept"
        runner.run(queries[0], format="json")
        assert runner.executions == ran + 1, "the oldest was evicted and is asked again"


def test_a_new_generation_is_answered_never_the_stale_one(served: Path) -> None:
    with QueryRunner(served, workers=2) as runner:
        assert "HKSTP" in labels_of(runner.run(LABELS, format="json").body)
        runner.run(LABELS, format="json")
        publish_generation(
            served,
            "INSERT DATA { GRAPH <http://example.org/release/3> { <http://example.org/org/9> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "Newco" } }',
        )
        ran = runner.executions
        after = runner.run(LABELS, format="json")
        assert runner.executions == ran + 1, "the switch made the cached answer stale"
        assert "Newco" in labels_of(after.body)
        assert labels_of(runner.run(LABELS, format="json").body) == labels_of(after.body)
        assert runner.executions == ran + 1, "and the new answer is cached in turn"


# -- through the web app ------------------------------------------------------------------------


def _get(client: Any, query: str) -> Any:
    return client.get("/sparql?" + urllib.parse.urlencode({"query": query, "format": "json"}))


def test_an_update_with_the_token_invalidates_the_endpoint_cache(served: Path) -> None:
    app = create_app(
        {"TESTING": True, "KG_STORE": str(served), "KG_QUERY_WORKERS": 2, "KG_UPDATE_TOKEN": TOKEN}
    )
    try:
        client, runner = app.test_client(), app.extensions["kg.sparql"]
        before = _get(client, LABELS)
        assert before.status_code == 200 and "Updated" not in labels_of(before.data)
        ran = runner.executions
        assert _get(client, LABELS).data == before.data and runner.executions == ran
        update = client.post(
            "/sparql",
            data={
                "update": "INSERT DATA { GRAPH <http://example.org/release/1> { "
                '<http://example.org/org/7> <http://www.w3.org/2000/01/rdf-schema#label> "Updated" '
                "} }"
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert update.status_code == 204
        after = _get(client, LABELS)
        assert after.status_code == 200 and "Updated" in labels_of(after.data)
    finally:
        close_app(app)


@pytest.fixture
def browse_served(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """The browsing releases' store, served (serve lock held) by a web app."""
    path = tmp_path / "browse"
    build_browse_store(path).close()
    with serving_lock(path):
        app = create_app(
            {
                "TESTING": True,
                "KG_STORE": str(path),
                "KG_QUERY_WORKERS": 2,
                "KG_TODAY": TODAY.isoformat(),
            }
        )
        try:
            yield path, app
        finally:
            close_app(app)


def test_viewer_and_home_payloads_are_computed_once_per_generation(
    browse_served: tuple[Path, Any],
) -> None:
    path, app = browse_served
    client, runner = app.test_client(), app.extensions["kg.sparql"]
    urls = ("/graph/data.json", "/graph/data.json?type=org&limit=5", "/index.json")
    first = {url: client.get(url) for url in urls}
    assert all(r.status_code == 200 and r.mimetype == "application/json" for r in first.values())
    assert len(first["/graph/data.json"].get_json()["nodes"]) == 21
    with EmbeddedStore(path, read_only=True) as reader:
        assert first["/graph/data.json"].get_json() == explore.overview(reader)
        assert first["/index.json"].get_json() == explore.home(reader, today=TODAY)
    assert client.get("/").status_code == 200 and client.get("/graph").status_code == 200
    ran = runner.executions
    for url in urls:
        assert client.get(url).data == first[url].data
    assert client.get("/").status_code == 200 and client.get("/graph").status_code == 200
    assert runner.executions == ran, "every payload came from the cache"

    publish_generation(path, "CLEAR ALL")
    overview = client.get("/graph/data.json").get_json()
    assert overview["nodes"] == [] and runner.executions > ran, "recomputed after the switch"
    home = client.get("/index.json").get_json()
    assert set(home["counts"].values()) == {0} and home["latest"] == []
    ran = runner.executions
    assert client.get("/graph/data.json").get_json() == overview and runner.executions == ran


def test_a_pinned_value_is_kept_per_state_beside_the_cache(served: Path) -> None:
    from kg.sparql import Result

    computed: list[int] = []

    def network() -> Result:  # stands for the viewer's network: read from the whole store
        computed.append(1)
        body = runner.run(LABELS, format="json").body
        return Result(200, "application/octet-stream", bytes(body))

    # kept although the result cache is off, and outside its bytes and entries
    with QueryRunner(served, workers=1, cache_bytes=0) as runner:
        first = runner.pinned("net", network)
        assert runner.pinned("net", network).body == first.body and len(computed) == 1
        assert runner.pinned_bytes() == len(first.body)
        assert runner.cache_stats().entries == 0 and runner.cache_stats().bytes == 0
        publish_generation(
            served,
            "INSERT DATA { GRAPH <http://example.org/release/3> { <http://example.org/org/9> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "Newco" } }',
        )
        after = runner.pinned("net", network)
        assert len(computed) == 2, "a new generation replaces it"
        assert "Newco" in labels_of(after.body) and "Newco" not in labels_of(first.body)
        assert runner.pinned_bytes() == len(after.body)


def test_nothing_is_pinned_without_the_serve_lock(store: Path) -> None:
    from kg.sparql import Result

    calls: list[int] = []

    def value() -> Result:
        calls.append(1)
        return Result(200, "application/octet-stream", b"x")

    with QueryRunner(store, workers=1) as runner:
        runner.pinned("k", value)
        runner.pinned("k", value)
        assert len(calls) == 2 and runner.pinned_bytes() == 0


def test_the_viewer_reads_the_network_once_per_generation_with_the_cache_off(
    tmp_path: Path,
) -> None:
    path = tmp_path / "browse"
    build_browse_store(path).close()
    with serving_lock(path):
        app = create_app(
            {"TESTING": True, "KG_STORE": str(path), "KG_QUERY_WORKERS": 2, "KG_CACHE_BYTES": 0}
        )
        try:
            client, runner = app.test_client(), app.extensions["kg.sparql"]
            overview = client.get("/graph/data.json").get_json()
            hub = overview["nodes"][0]["id"]
            assert client.get(f"/graph/expand.json?node={hub}").status_code == 200
            ran = runner.executions
            assert client.get("/graph/data.json?type=org").status_code == 200
            assert client.get(f"/graph/expand.json?node={hub}&offset=1").status_code == 200
            assert runner.executions == ran, "cut from the pinned network: no query"
            assert runner.pinned_bytes() > 0 and runner.cache_stats().entries == 0
        finally:
            close_app(app)


@pytest.mark.parametrize(("keep_s", "reads"), [(300.0, 1), (0, 2)])
def test_a_remote_stores_network_is_kept_for_a_while(keep_s: float, reads: int) -> None:
    from webapp.browse_store import RunnerStore, pinned

    remote = RunnerStore(object())  # what browse_store() gives for a remote store's runner
    app = create_app({"TESTING": True, "KG_BROWSE_STORE": remote, "KG_REMOTE_KEEP_S": keep_s})
    calls: list[int] = []

    def network() -> bytes:
        calls.append(1)
        return b"net"

    with app.app_context():
        assert pinned("graph.network", network) == b"net"
        assert pinned("graph.network", network) == b"net"
    assert len(calls) == reads
