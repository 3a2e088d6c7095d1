"""What ``kg serve`` computes before anyone asks: the answers a client is likely to want first.

:func:`start` hands the app's query runner its warm-up tasks
(:meth:`kg.sparql.QueryRunner.keep_warm`), which run in the background when the server starts
and again whenever a build publishes a new generation (or an update is applied): the graph
viewer's first overview and its list of areas, then the home page's data (``/`` and
``/index.json``) (first: on a large store they take longest, and they are what people open
first), then the eight named queries in SPARQL JSON (the text of their ``.rq`` files, as the
editor and the benchmarks send them; the cache key ignores the endpoint URL for them). The
pages of ``/agreements/ending`` are not warmed: each is kept once it is first asked for. The
warm-up's queries have their own time limit (``KG_WARM_TIMEOUT_S``), not the clients'. Their
answers go into the result cache under the state they were read from, so the first client
after a start or a build is answered from the cache, and an answer never outlives its
generation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Flask

from kg.query import NAMED_QUERIES, query_text
from kg.sparql import QueryRunner

__all__ = ["start", "tasks"]


def tasks(app: Flask, runner: QueryRunner) -> list[Callable[[], object]]:
    """The warm-up requests of ``app``, in the order they run."""
    from webapp import graph, pages

    def viewer() -> None:
        with app.app_context():
            graph.overview_json()
            graph.areas_json()

    def home() -> None:
        with app.app_context():
            pages.home_data()

    named: list[Callable[[], object]] = [
        partial(runner.run, query_text(name), format="json") for name in NAMED_QUERIES
    ]
    return [viewer, home, *named]


def start(app: Flask) -> None:
    """Keep the result cache of ``app``'s embedded store warm (nothing for a remote store, or
    when ``KG_WARM_UP`` is off)."""
    runner = app.extensions.get("kg.sparql")
    if isinstance(runner, QueryRunner) and app.config.get("KG_WARM_UP"):
        runner.keep_warm(tasks(app, runner))
