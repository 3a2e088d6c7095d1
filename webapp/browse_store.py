"""The store the graph viewer and entity pages read: the app's query workers, as a GraphStore.

The pages read through the same killable worker pool as ``/sparql`` (``app.extensions
["kg.sparql"]``, a :class:`kg.sparql.QueryRunner`), so their queries obey the same time limit
and queue. :class:`RunnerStore` adapts that runner to the two read methods
:mod:`kg.explore` uses. For a remote store (``KG_STORE`` a URL) the pages use
:class:`kg.remote.RemoteStore`. A test may set ``KG_BROWSE_STORE`` to any open
:class:`~kg.store.GraphStore`.

:func:`cached_json` keeps a page's JSON (the viewer's overview, the home page's data) in the
runner's result cache (:meth:`kg.sparql.QueryRunner.memo`), so it is computed once per store
generation (and again after an update), not once per request; :func:`cached` keeps any bytes
so (every agreement's end, :func:`webapp.pages.agreement_ends`). A payload the warm-up is
still computing is answered 503 with ``Retry-After`` (never 504) once the client has waited
its time limit. The pages' reads come back as SPARQL TSV (the most compact answer to parse),
and the few reads that must be whole (every agreement) use :func:`whole_store`: no row cap,
and the answer is not kept beside the payload made from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from flask import current_app, jsonify
from rdflib import URIRef
from rdflib.term import Node
from werkzeug.exceptions import HTTPException

from kg.errors import StoreError
from kg.sparql import QueryRunner, Result
from kg.store import GraphStore, open_store

__all__ = [
    "RunnerStore",
    "StoreUnavailable",
    "browse_store",
    "cached",
    "cached_json",
    "pinned",
    "whole_store",
]


class StoreUnavailable(HTTPException):
    """The store did not answer (busy, timed out, or not configured): 503 or the runner's code."""

    code = 503
    description = "the graph store is not available"
    #: seconds for the ``Retry-After`` header, when the client should try again
    retry_after: str | None = None

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        headers = super().get_headers(*args, **kwargs)
        return headers + ([("Retry-After", self.retry_after)] if self.retry_after else [])


class RunnerStore(GraphStore):
    """A read-only GraphStore over a :class:`kg.sparql.QueryRunner`.

    :param runner: the app's query runner
    :param whole: read whole answers (no row cap) and keep none of them in the result cache:
        for the server's own reads of every agreement or entity, made once per state of the
        store to derive a payload that is kept instead (:func:`whole_store`)
    """

    def __init__(self, runner: Any, whole: bool = False) -> None:
        self.runner, self.whole = runner, whole
        self.location = "query workers"

    def _result(self, sparql: str, fmt: str) -> Result:
        if self.whole:
            result: Result = self.runner.run(sparql, format=fmt, row_limit=2**62, keep=False)
        else:
            result = self.runner.run(sparql, format=fmt)
        if result.status != 200:
            raise _unavailable(result)
        return result

    def select(self, sparql: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """The rows of a SELECT query (read as SPARQL TSV, the most compact answer).

        :raises StoreUnavailable: (500) when the row cap cut the answer: a page never works
            from part of one
        """
        import pyoxigraph as ox

        result = self._result(sparql, "tsv")
        if result.truncated:
            raise StoreUnavailable("the answer has more rows than the query workers return")
        solutions = ox.parse_query_results(bytes(result.body), ox.QueryResultsFormat.TSV)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreUnavailable("expected the rows of a SELECT query")
        names = [v.value for v in solutions.variables]
        rows = [tuple(None if t is None else t.value for t in row) for row in solutions]
        return names, rows

    def query(self, sparql: str, result_format: str = "json") -> bytes:
        return bytes(self._result(sparql, result_format).body)

    def replace_graphs(self, graphs: Sequence[tuple[URIRef, bytes]]) -> None:
        raise StoreError("the web app reads the store; it does not write it")

    def add_to_graph(self, graph: URIRef, quads: Iterable[tuple[Node, Node, Node, Node]]) -> None:
        raise StoreError("the web app reads the store; it does not write it")

    def drop_graph(self, graph: URIRef) -> None:
        raise StoreError("the web app reads the store; it does not write it")

    def export(self, fmt: str = "nquads") -> bytes:
        raise StoreError("export with `kg export`, not through the web app")


def browse_store() -> GraphStore:
    """The current app's store for browsing (made once per app).

    :raises StoreUnavailable: when the app has no store configured
    """
    app = current_app
    store: GraphStore | None = app.config.get("KG_BROWSE_STORE") or app.extensions.get("kg.browse")
    if store is None:
        runner = app.extensions.get("kg.sparql")
        location = app.config.get("KG_STORE")
        if runner is not None:
            store = RunnerStore(runner)
        elif location and "://" in str(location):
            store = open_store(str(location), read_only=True)
        else:
            raise StoreUnavailable("no store configured (set KG_STORE)")
        app.extensions["kg.browse"] = store
    return store


def whole_store() -> GraphStore:
    """The store for the server's own reads of whole answers (see :class:`RunnerStore`'s
    ``whole``): the app's query workers without their row cap, else :func:`browse_store`."""
    store = browse_store()
    if isinstance(store, RunnerStore) and isinstance(store.runner, QueryRunner):
        return RunnerStore(store.runner, whole=True)
    return store


def cached_json(key: Hashable, compute: Callable[[], Any]) -> bytes:
    """The JSON serialisation of ``compute()``, kept per state of the store when the pages read
    the app's embedded query runner (computed afresh otherwise).

    :param key: names the payload and every parameter it depends on
    :param compute: makes the payload from :func:`browse_store` (may raise
        :class:`StoreUnavailable`; nothing is kept then)
    """
    # the bytes ``jsonify`` would send (compact unless the app is in debug mode)
    return cached(key, lambda: jsonify(compute()).get_data())


def cached(key: Hashable, compute: Callable[[], bytes]) -> bytes:
    """The bytes ``compute()`` makes, kept like :func:`cached_json`'s."""

    def make() -> Result:
        return Result(200, "application/octet-stream", compute())

    store = browse_store()
    if not (isinstance(store, RunnerStore) and isinstance(store.runner, QueryRunner)):
        return make().body
    try:
        result = store.runner.memo(key, make)
    except StoreUnavailable as error:
        if error.code != 504 or not store.runner.warming():
            raise
        # the warm-up, with its longer time limit, may still compute it: not a timeout yet
        result = Result.error(503, "the graph is being prepared; try again shortly")
        result.headers["Retry-After"] = str(max(1, round(store.runner.timeout_s)))
    if result.status != 200:
        raise _unavailable(result)
    return result.body


def pinned(key: Hashable, compute: Callable[[], bytes]) -> bytes:
    """The bytes ``compute()`` makes from the whole store, kept for the store's state beside
    the result cache (:meth:`kg.sparql.QueryRunner.pinned`): for a value most requests of a
    page need, such as the graph viewer's network, that must not be evicted by other answers
    nor be recomputed when the cache is off. A remote store's state cannot be watched, so
    there the value is kept for ``KG_REMOTE_KEEP_S`` seconds (0: never kept)."""

    def make() -> Result:
        return Result(200, "application/octet-stream", compute())

    store = browse_store()
    runner = store.runner if isinstance(store, RunnerStore) else None
    if isinstance(runner, QueryRunner):
        result = runner.pinned(key, make)
        if result.status != 200:
            raise _unavailable(result)
        return result.body
    if runner is None:  # a store given by a test (KG_BROWSE_STORE): always read afresh
        return compute()
    keep_s = float(current_app.config.get("KG_REMOTE_KEEP_S") or 0)
    kept: dict[Hashable, tuple[float, bytes]] = current_app.extensions.setdefault("kg.pinned", {})
    now = time.monotonic()
    found = kept.get(key)
    if found is not None and now - found[0] < keep_s:
        return found[1]
    body = compute()
    if keep_s > 0:
        kept[key] = (now, body)
    return body


def _unavailable(result: Result) -> StoreUnavailable:
    """The error a page answers for a failed query or payload (503, 504, else 500)."""
    error = StoreUnavailable(result.body.decode("utf-8", "replace").strip())
    error.code = result.status if result.status in (503, 504) else 500
    error.retry_after = result.headers.get("Retry-After")
    return error
