"""What ``kg serve`` computes before anyone asks: the answers a client is likely to want first.

:func:`start` hands the app's query runner its warm-up tasks
(:meth:`kg.sparql.QueryRunner.keep_warm`), which run in the background when the server starts,
again whenever a build publishes a new generation (or an update is applied), and when the day
changes (the home page and the "in force today" example depend on it). In order, most asked
and dearest first:

1. the graph viewer's first overview and its list of areas;
2. every agreement's end (:func:`webapp.pages.agreement_ends`, one whole read), the home
   page's data (``/`` and ``/index.json``) and the first page of ``/agreements/ending``: the
   other pages are slices of the same read, made on first request in milliseconds;
3. the eight named queries in SPARQL JSON (the text of their ``.rq`` files, as the editor and
   the benchmarks send them; the cache key ignores the endpoint URL for them);
4. the editor's analytical examples with the server's defaults (:mod:`webapp.examples`: the
   largest hub's partners, the agreements in force today, the areas by year);
5. the first expansion (20 neighbours, as the viewer asks) of the ``KG_WARM_HUBS`` best
   connected nodes of the first overview: the nodes a user is most likely to open, and the
   dearest to expand.

Not warmed: filtered overviews (types, an area, dates) and other parameters, an open-ended
space where each answer costs as much as the first overview or more; they are kept once asked.
The warm-up's queries have their own time limit (``KG_WARM_TIMEOUT_S``), not the clients'.
Their answers go into the result cache under the state they were read from, so the first
client after a start or a build is answered from the cache, and an answer never outlives its
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
    from webapp import examples, graph, pages

    def viewer() -> None:
        with app.app_context():
            graph.overview_json()
            graph.areas_json()

    def home() -> None:
        with app.app_context():
            pages.home_data()
            pages.ending_page(1)

    def analytical() -> None:
        with app.app_context():
            for _, _, text in examples.current():
                runner.run(text, format="json")

    def hubs() -> None:
        with app.app_context():
            for node in graph.hubs(int(app.config.get("KG_WARM_HUBS") or 0)):
                graph.expand_json(node)

    named: list[Callable[[], object]] = [
        partial(runner.run, query_text(name), format="json") for name in NAMED_QUERIES
    ]
    return [viewer, home, *named, analytical, hubs]


def start(app: Flask) -> None:
    """Keep the result cache of ``app``'s embedded store warm (nothing for a remote store, or
    when ``KG_WARM_UP`` is off)."""
    from webapp.pages import today

    runner = app.extensions.get("kg.sparql")
    if isinstance(runner, QueryRunner) and app.config.get("KG_WARM_UP"):
        runner.keep_warm(tasks(app, runner), epoch=partial(today, app.config))
