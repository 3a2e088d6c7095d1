"""What a served store answers without its engine: the agreement ends read once per generation,
and what the warm-up (:mod:`webapp.warm`) prepares beyond the named queries.

Proved without timing: :attr:`kg.sparql.QueryRunner.executions` counts the jobs handed to
worker processes, so an answer that leaves it unchanged came from the result cache (or from a
payload kept there). The app is driven in-process on the browsing releases' store, its serve
lock held as ``kg serve`` holds it; :func:`webapp.warm.start` starts the warm-up as
:func:`webapp.serve.make_server` does.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browse_data import TODAY
from browse_data import build_store as build_browse_store
from helpers.webapp import publish_generation

from kg import explore
from kg._entities import select
from kg.query import NAMED_QUERIES, query_text
from kg.sparql import QueryRunner, serving_lock
from kg.store import EmbeddedStore
from webapp import close_app, create_app, examples, warm

LABELS = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """The browsing releases' store, its serve lock held."""
    path = tmp_path / "browse"
    build_browse_store(path).close()
    with serving_lock(path):
        yield path


def app_for(store: Path, **config: Any) -> Any:
    return create_app(
        {
            "TESTING": True,
            "KG_STORE": str(store),
            "KG_QUERY_WORKERS": 2,
            "KG_TODAY": TODAY.isoformat(),
            **config,
        }
    )


def wait_warm(runner: QueryRunner, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not runner.is_warm():
        assert time.monotonic() < deadline, "the warm-up did not finish"
        time.sleep(0.05)


def test_the_pages_of_any_day_are_slices_of_one_read_per_generation(store: Path) -> None:
    # no warm-up: the first page that needs the ends reads them, once
    app = app_for(store)
    try:
        client, runner = app.test_client(), app.extensions["kg.sparql"]
        first = client.get("/agreements/ending.json?page=1").get_json()
        assert first["total"] > 1 and first["items"]
        ran = runner.executions
        with EmbeddedStore(store, read_only=True) as reader:
            for day in (TODAY, TODAY + timedelta(days=400), date(2020, 1, 1)):
                app.config["KG_TODAY"] = day.isoformat()
                expected = explore.ending(reader, today=day, size=1)
                for number in range(1, 4):
                    page = client.get(f"/agreements/ending.json?page={number}")
                    if number > max(1, -(-expected["total"] // 50)):
                        assert page.status_code == 404
                        continue
                    assert (
                        page.get_json()["items"]
                        == explore.ending(reader, today=day, page=number)["items"]
                    )
                assert client.get("/agreements/ending?page=1").status_code == 200
        assert runner.executions == ran, "every page of every day came from the one read"

        # the home page reads the counts once more, and its lists from the same ends
        app.config["KG_TODAY"] = TODAY.isoformat()
        home = client.get("/index.json").get_json()
        assert runner.executions == ran + 1
        assert home["ended_total"] + home["ends_soon_total"] == first["total"]

        publish_generation(store, "CLEAR ALL")
        after = client.get("/agreements/ending.json?page=1").get_json()
        assert after["total"] == 0 and after["items"] == [], "read again for the new generation"
        assert runner.executions > ran + 1
    finally:
        close_app(app)


def test_after_the_warm_up_what_users_open_first_needs_no_engine(store: Path) -> None:
    app = app_for(store, KG_WARM_HUBS=3)
    try:
        client, runner = app.test_client(), app.extensions["kg.sparql"]
        warm.start(app)
        wait_warm(runner)
        with app.app_context():
            shown = examples.current()
        assert [name for name, _, _ in shown] == ["partners-of", "active-on", "areas-by-year"]
        overview = client.get("/graph/data.json").get_json()
        hubs = sorted(overview["nodes"], key=lambda n: (-n["degree"], n["id"]))[:3]
        ran = runner.executions

        for path in ("/", "/index.json", "/graph", "/agreements/ending?page=1"):
            assert client.get(path).status_code == 200, path
        assert client.get("/agreements/ending.json?page=2").status_code in (200, 404)
        for name in NAMED_QUERIES:
            answer = client.get("/sparql?" + urllib.parse.urlencode({"query": query_text(name)}))
            assert answer.headers["X-KG-Cache"] == "hit", name
        for name, _, text in shown:  # as the editor sends an example
            answer = client.post(
                "/sparql",
                data={"query": text},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert answer.status_code == 200 and answer.headers["X-KG-Cache"] == "hit", name
            assert json.loads(answer.data)["results"]["bindings"], name
        for hub in hubs:
            expanded = client.get(
                "/graph/expand.json?" + urllib.parse.urlencode({"node": hub["id"], "limit": 20})
            )
            assert expanded.status_code == 200 and expanded.get_json()["node"] == hub["id"]
        editor = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "active-on" in editor and TODAY.isoformat() in editor
        assert runner.executions == ran, "every answer came from the cache"

        # a hub's next batch is cut from the network the warm-up read: no query either
        later = "/graph/expand.json?" + urllib.parse.urlencode({"node": hubs[0]["id"], "offset": 1})
        assert client.get(later).status_code == 200 and runner.executions == ran
        assert client.get(later).get_json()["offset"] == 1 and runner.executions == ran
    finally:
        close_app(app)


def test_partners_of_names_the_organisation_party_to_most_signed_agreements(store: Path) -> None:
    with EmbeddedStore(store, read_only=True) as reader:
        hub = examples.largest_hub(reader)
        assert hub is not None
        (name, _, text), *_ = examples.analytical(hub, TODAY)
        assert name == "partners-of" and f"<{hub}>" in text
        counts = select(
            reader,
            "SELECT ?o (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a kg:Agreement ; "
            "kg:status kg:Signed ; kg:party ?o } } GROUP BY ?o",
        )
    most = max(int(r["n"] or 0) for r in counts)
    assert {r["o"] for r in counts if int(r["n"] or 0) == most} >= {hub}
    # without a hub, or with an IRI that could break out of its brackets, no partners-of
    for org in (None, hub + "> } <x"):
        assert [n for n, _, _ in examples.analytical(org, TODAY)] == ["active-on", "areas-by-year"]


def test_the_warm_up_runs_again_when_the_day_changes(store: Path) -> None:
    day, runs = [TODAY], []
    with QueryRunner(store, workers=1) as runner:
        runner.keep_warm([lambda: runs.append(day[0])], poll_s=0.02, epoch=lambda: day[0])
        wait_warm(runner)
        assert runs == [TODAY]
        day[0] = TODAY + timedelta(days=1)
        assert not runner.is_warm() and runner.warming()
        wait_warm(runner)
        assert runs == [TODAY, TODAY + timedelta(days=1)]


@pytest.mark.parametrize("growth", [0, 1])
def test_a_worker_that_grew_past_its_allowance_is_replaced(store: Path, growth: int) -> None:
    with QueryRunner(store, workers=1, cache_bytes=0, worker_max_growth=growth) as runner:
        assert runner.run(LABELS, format="json").status == 200
        first = runner.worker_pids()
        assert runner.run(LABELS + " LIMIT 5", format="json").status == 200
        if growth:  # (a query always leaves a worker more than one byte over its start)
            assert first == runner.worker_pids() == [], "stopped after each query"
        else:
            assert len(first) == 1 and runner.worker_pids() == first, "0: never replaced"
