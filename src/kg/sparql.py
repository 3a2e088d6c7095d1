"""Safe SPARQL evaluation for a public endpoint: inspection, limits, worker pool, serve lock.

The pieces, in the order a request meets them:

* :func:`inspect_query` classifies the text and refuses ``SERVICE`` (unless allowlisted) and
  ``LOAD`` before anything is evaluated (see :mod:`kg._sparql_syntax`).
* :func:`negotiate` picks a result format from an HTTP ``Accept`` header (SPARQL 1.1
  Protocol section 2.1.5); ``None`` means 406.
* :class:`QueryRunner` evaluates the query with pyoxigraph in a pool of worker processes
  (2 x cores by default), each with the store open read-only. A query that passes the time
  limit has its worker killed and replaced; results are capped (10,000 solutions, 50,000
  triples) and a cut is always stated: ``X-KG-Truncated: true`` and, in JSON, a top-level
  ``"truncated": true`` member that SPARQL JSON clients ignore. At most 16 requests wait for a
  worker; the next one gets 503 with ``Retry-After``.
* Updates are off unless the runner is built with ``allow_updates``. Then each update waits for
  running queries to finish, stops every read-only worker, is applied by one short-lived
  read-write worker (one transaction, flushed), and new read-only workers open the store
  afterwards and so see the write. RocksDB never has a reader beside the writer. The update
  holds the store's build lock, so no ``kg build`` copies the store meanwhile (503 while a
  build runs).
* Generations: a ``kg build`` beside the server writes a copy of the store and switches the
  store path to it (:mod:`kg.generations`). Each worker pins the generation it opened; before a
  worker takes a query the runner checks that it still reads the current one, else retires it
  (after its in-flight query) and starts one on the new generation. Once no worker reads an old
  generation, it is removed.
* A result cache (:mod:`kg._result_cache`): while this process or another holds the serve
  lock, the store changes only when a build publishes a generation or this runner applies an
  update, so a 200 answer is kept (LRU, ``cache_bytes`` in all) under the key of its query
  (text, negotiated format, base IRI, dataset, limits) and the tag of the state it was read
  from: the generation its worker pinned and the runner's update count. A lookup under a newer
  tag empties the cache; an update empties it too. Without the serve lock (an in-place build
  could write the store) nothing is cached. :meth:`QueryRunner.memo` keeps other derived
  answers (the viewer's payloads) under the same tags. A cached answer is served before any
  worker or queue place is taken, and identical requests that miss at the same time share one
  evaluation (the others wait for it without a queue place); ``X-KG-Cache`` says ``hit``,
  ``miss`` or ``shared``. :meth:`QueryRunner.keep_warm` fills the cache in the background for
  each new state (``kg serve`` warms the named queries and the viewer: :mod:`webapp.warm`).
  The warm-up's own queries (fixed by the server, so trusted) have a longer time limit
  (``warm_timeout_s``) than clients' (``timeout_s``); a client waits for an identical
  evaluation in flight at most ``timeout_s``, then gets 503 with ``Retry-After``.
* :func:`serving_lock` is the advisory lock (``.<store-name>.serve.lock`` beside the store
  directory, as :func:`kg.store.serve_lock_path` names it) that ``kg serve`` holds for as
  long as it serves; a build that finds it held writes a new generation instead of the store
  itself.

Limits follow ``RELIABILITY.md``; every refusal is a :class:`Result` with a 4xx/5xx status and a
one-line ``text/plain`` message, so the web layer and the CLI can pass it on unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg._lock import building_lock, is_serving, serve_lock_path, serving_lock
from kg._result_cache import CacheStats, ResultCache
from kg._sparql_formats import GRAPH_FORMATS, PREFIXES, SOLUTION_FORMATS, Format, negotiate
from kg._sparql_syntax import QueryInfo, add_using, inspect_query
from kg._workers import WorkerError, WorkerProcess
from kg.errors import QueryError, StoreError
from kg.generations import collect_garbage, current_identity

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "Format",
    "QueryInfo",
    "QueryRunner",
    "Result",
    "check_query",
    "check_update",
    "inspect_query",
    "is_serving",
    "negotiate",
    "serve_lock_path",
    "serving_lock",
]

log = logging.getLogger(__name__)


@dataclass
class Result:
    """A finished request, shaped like an HTTP response.

    :param status: the HTTP status code
    :param content_type: the ``Content-Type`` value
    :param body: the serialised results, or a one-line message for errors
    :param truncated: whether the row or triple cap cut the results
    """

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, message: str, **headers: str) -> Result:
        """A ``text/plain`` error result."""
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode(), False, headers)


def check_query(
    query: str,
    accept: str | None,
    format: str | None,
    max_bytes: int,
    service_allowlist: Iterable[str] = (),
) -> tuple[QueryInfo, Format] | Result:
    """The checks every query meets before any engine sees it, embedded or remote.

    :return: the query's inspection and its negotiated result format; or a refusal: 413 for
        an over-long text, 400 for a lexical error, an update or a refused construct
        (``SERVICE``, ``LOAD``), 406 when no acceptable format exists
    """
    if len(query.encode("utf-8", "surrogatepass")) > max_bytes:
        return Result.error(413, f"query longer than {max_bytes} bytes")
    try:
        info = inspect_query(query, service_allowlist)
    except QueryError as error:
        return Result.error(400, str(error))
    if info.is_update:
        return Result.error(
            400, "this is an update: send it as update= or application/sparql-update"
        )
    fmt = negotiate(info.result_kind, accept, format)
    if fmt is None:
        offers = GRAPH_FORMATS if info.result_kind == "graph" else SOLUTION_FORMATS
        return Result.error(406, "acceptable: " + ", ".join(f.media_type for f in offers))
    return info, fmt


def check_update(
    update: str,
    using_graphs: Sequence[str],
    using_named_graphs: Sequence[str],
    max_bytes: int,
    service_allowlist: Iterable[str] = (),
) -> str | Result:
    """The checks every update meets before it is applied, embedded or remote.

    :return: the update text with the protocol's ``using-graph-uri`` and
        ``using-named-graph-uri`` applied; or a refusal: 413 for an over-long text, 400 for a
        lexical error, a query, a refused construct (``LOAD``, ``SERVICE``) or a dataset
        conflict
    """
    if len(update.encode("utf-8", "surrogatepass")) > max_bytes:
        return Result.error(413, f"update longer than {max_bytes} bytes")
    try:
        info = inspect_query(update, service_allowlist)
        if not info.is_update:
            raise QueryError("this is a query, not an update: send it as query=")
        return add_using(update, info, list(using_graphs), list(using_named_graphs))
    except QueryError as error:
        return Result.error(400, str(error))


class _Busy(Exception):
    pass


def _checked_iris(iris: Iterable[str] | None, what: str) -> list[str] | None:
    if iris is None:
        return None
    found = list(iris)
    for iri in found:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*", iri):
            raise QueryError(f"{what} is not an absolute IRI: {iri!r}")
    return found


class QueryRunner:
    """Evaluate SPARQL against an on-disk pyoxigraph store in killable worker processes.

    Workers start on demand, up to ``workers``, and open the store read-only once.

    :param store: the store directory (it must exist)
    :param workers: pool size; default 2 x CPU cores
    :param timeout_s: time limit per query or update, enforced by killing the worker
    :param row_limit: solutions returned at most by SELECT
    :param triple_limit: triples returned at most by CONSTRUCT and DESCRIBE
    :param max_waiting: requests that may wait for a worker; more get 503
    :param max_query_bytes: longest query or update text accepted (413 beyond)
    :param service_allowlist: IRI prefixes that ``SERVICE`` may call (default: none)
    :param union_default_graph: the default graph is the union of all graphs (each release is
        its own named graph) unless the query or the protocol names a dataset
    :param allow_updates: accept :meth:`update` calls at all
    :param cache_bytes: budget of the result cache (see the module docstring); 0 turns it off
    :param warm_timeout_s: time limit per query of the warm-up (:meth:`keep_warm`)
    :param worker_max_growth: a worker whose resident memory grew by more than this many
        bytes since it opened the store is replaced after its query (0: never): the engine's
        allocator keeps what a large query used, so without it one worker that ran the
        warm-up's whole-graph queries held 2.2 GB at 100,000 releases
    """

    def __init__(
        self,
        store: str | os.PathLike[str],
        *,
        workers: int | None = None,
        timeout_s: float = 5.0,
        row_limit: int = 10_000,
        triple_limit: int = 50_000,
        max_waiting: int = 16,
        max_query_bytes: int = 65_536,
        service_allowlist: Iterable[str] = (),
        union_default_graph: bool = True,
        allow_updates: bool = False,
        startup_timeout_s: float = 30.0,
        cache_bytes: int = 128 * 1024 * 1024,
        warm_timeout_s: float = 900.0,
        worker_max_growth: int = 256 * 1024 * 1024,
    ) -> None:
        self.store = str(store)
        self.worker_max_growth = int(worker_max_growth)
        #: each live worker's resident bytes once it had opened the store (see :meth:`_grown`)
        self._base_rss: weakref.WeakKeyDictionary[WorkerProcess, int] = weakref.WeakKeyDictionary()
        self.size = workers or 2 * (os.cpu_count() or 1)
        self.timeout_s, self.startup_timeout_s = float(timeout_s), float(startup_timeout_s)
        self.warm_timeout_s = float(warm_timeout_s)
        self.row_limit, self.triple_limit = int(row_limit), int(triple_limit)
        self.max_waiting, self.max_query_bytes = int(max_waiting), int(max_query_bytes)
        self.service_allowlist = tuple(service_allowlist)
        self.union_default_graph, self.allow_updates = union_default_graph, allow_updates
        self._cond = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._live: set[WorkerProcess] = set()
        self._busy = self._waiting = 0
        self._writing = self._closed = self._collecting = False
        self._cache: ResultCache[Result] = ResultCache(cache_bytes)
        #: updates applied so far (part of the cache tag); jobs handed to workers so far
        self._updates = self.executions = 0
        #: identical requests being answered now, by state and cache key (see :meth:`_once`)
        self._flights: dict[tuple[Hashable, Hashable], _Flight] = {}
        self._flights_lock = threading.Lock()
        #: derived values kept beside the result cache (see :meth:`pinned`): key -> (tag, value)
        self._pinned: dict[Hashable, tuple[Hashable, Result]] = {}
        #: the warm-up thread (:meth:`keep_warm`), the state it last warmed, its stop signal
        self._warmer: threading.Thread | None = None
        self._warmed: Hashable | None = None
        self._epoch: Callable[[], Hashable] | None = None
        self._stop = threading.Event()
        #: ``warming`` is set in the warm-up thread only
        self._thread = threading.local()
        self._finalizer = weakref.finalize(self, _kill_all, self._live)

    # -- pool ---------------------------------------------------------------------------------

    def _checkout(self) -> WorkerProcess | None:
        """An idle worker, or ``None`` meaning "start one"; waits when the pool is full."""
        with self._cond:
            if self._closed:
                raise _Busy("the query runner is closed")
            ready = not self._writing and (self._idle or self._busy < self.size)
            if not ready and self._waiting >= self.max_waiting:
                raise _Busy(f"{self._waiting} queries are already waiting")
            self._waiting += 1
            try:
                while self._closed is False:
                    if not self._writing:
                        if self._idle:
                            self._busy += 1
                            return self._idle.pop()
                        if self._busy + len(self._idle) < self.size:
                            self._busy += 1
                            return None
                    if not self._cond.wait(timeout=max(30.0, 3 * self.timeout_s)):
                        raise _Busy("no query worker became free in time")
                raise _Busy("the query runner is closed")
            finally:
                self._waiting -= 1

    def _checkin(self, worker: WorkerProcess | None) -> None:
        current = worker is not None and self._is_current(worker) and not self._grown(worker)
        with self._cond:
            self._busy -= 1
            keep = worker is not None and current and not self._closed and not self._writing
            if keep and worker is not None:
                self._idle.append(worker)
            self._cond.notify_all()
        if worker is not None and not keep:
            self._retire(worker)

    def _grown(self, worker: WorkerProcess) -> bool:
        """Whether the worker holds more than ``worker_max_growth`` bytes beyond what it held
        when it had opened the store (memory a large query left behind: the engine's
        allocator keeps it), so that it is replaced by a fresh one."""
        base, now = self._base_rss.get(worker), _rss(worker.pid)
        if self.worker_max_growth <= 0 or base is None or now is None:
            return False
        if now - base <= self.worker_max_growth:
            return False
        log.info("replacing query worker %d: it holds %d MiB", worker.pid, now >> 20)
        return True

    def _is_current(self, worker: WorkerProcess) -> bool:
        """Whether the worker reads the generation the store path names now."""
        return worker.generation is None or worker.generation == current_identity(self.store)

    def _retire(self, worker: WorkerProcess) -> None:
        """Stop a worker; once no worker reads an old generation, remove the old ones."""
        self._live.discard(worker)
        worker.stop()
        if worker.generation is not None and worker.generation != current_identity(self.store):
            now = current_identity(self.store)
            if all(w.generation in (None, now) for w in list(self._live)):
                self._collect_soon()

    def _collect_soon(self) -> None:
        """Remove unread old generations in the background (one pass at a time)."""
        with self._cond:
            if self._collecting:
                return
            self._collecting = True

        def collect() -> None:
            try:
                collect_garbage(self.store)
            finally:
                with self._cond:
                    self._collecting = False

        threading.Thread(target=collect, name="kg-generations", daemon=True).start()

    def _call(
        self,
        job: dict[str, Any],
        mode: str = "query",
        answered: Callable[[tuple[Any, ...], Any], None] | None = None,
    ) -> tuple[Any, ...] | Result:
        """Run one job on a worker, replacing the worker if it timed out or died.

        :param answered: called with the reply and the worker's generation while the worker is
            still checked out (so its generation is pinned and no update can run meanwhile)
        """
        worker: WorkerProcess | None = None
        if mode == "query":
            try:
                worker = self._checkout()
            except _Busy as busy:
                return Result.error(503, f"server busy: {busy}; try again", **{"Retry-After": "1"})
        if worker is not None and not self._is_current(worker):
            # a build published a new generation: read that one, and let the old one go
            with self._cond:
                stale = [w for w in self._idle if not self._is_current(w)]
                self._idle = [w for w in self._idle if w not in stale]
            for old in [*stale, worker]:
                self._retire(old)
            worker = None
        limit = self.warm_timeout_s if self._warming_here() else self.timeout_s
        try:
            for attempt in range(2):
                if worker is None:
                    worker = WorkerProcess(self.store, mode, self.startup_timeout_s)
                    self._live.add(worker)
                    base = _rss(worker.pid)
                    if base is not None:
                        self._base_rss[worker] = base
                try:
                    self.executions += 1
                    reply = worker.call(job, limit)
                except WorkerError:
                    self._live.discard(worker)
                    worker = None
                    if attempt or mode != "query":
                        raise
                    continue
                if reply is None:
                    worker.kill()
                    self._live.discard(worker)
                    worker = None
                    return Result.error(504, f"query timed out after {limit:g} s")
                if answered is not None:
                    answered(reply, worker.generation)
                return reply
            raise WorkerError("no worker answered")
        except WorkerError as error:
            return Result.error(503, f"store unavailable: {error}", **{"Retry-After": "5"})
        finally:
            if mode == "query":
                self._checkin(worker)
            elif worker is not None:
                self._live.discard(worker)
                worker.stop()

    # -- public API ---------------------------------------------------------------------------

    def run(
        self,
        query: str,
        accept: str | None = None,
        *,
        format: str | None = None,
        base_iri: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        row_limit: int | None = None,
        keep: bool = True,
    ) -> Result:
        """Evaluate a SPARQL query and serialise its results.

        :param query: the query text
        :param accept: the client's ``Accept`` header
        :param format: a ``?format=`` name (``json``, ``csv``, ``turtle``, ...) overriding it
        :param base_iri: base IRI for relative IRIs in the query (the endpoint URL)
        :param default_graphs: protocol ``default-graph-uri`` values (replace the query's
            ``FROM``; SPARQL 1.1 Protocol section 2.1.4)
        :param named_graphs: protocol ``named-graph-uri`` values
        :param row_limit: solutions returned at most, instead of the runner's ``row_limit``
            (for the server's own reads that are whole by design; never a client's)
        :param keep: keep the answer in the result cache (a read whose answer is only an
            input of a derived one, kept by :meth:`memo`, need not be kept itself)
        :return: 200 with results; 400 on a syntax error or a refused construct; 406 when no
            acceptable format exists; 413 for an over-long query; 503 when busy; 504 on timeout
        """
        checked = check_query(query, accept, format, self.max_query_bytes, self.service_allowlist)
        if isinstance(checked, Result):
            return checked
        info, fmt = checked
        protocol = default_graphs is not None or named_graphs is not None
        try:
            job: dict[str, Any] = {
                "query": query,
                "base_iri": base_iri,
                "default_graph": _checked_iris(default_graphs, "default-graph-uri")
                if protocol
                else None,
                "named_graphs": _checked_iris(named_graphs, "named-graph-uri")
                if protocol
                else None,
                "union": self.union_default_graph and not info.has_dataset,
                "row_limit": self.row_limit if row_limit is None else int(row_limit),
                "triple_limit": self.triple_limit,
            }
        except QueryError as error:
            return Result.error(400, str(error))
        job["format"] = fmt.engine
        if fmt.engine == "TURTLE":
            job["prefixes"] = PREFIXES
        key = (
            "query",
            query.strip(),
            fmt,
            base_iri if info.uses_base else None,  # the named queries' answers fit every URL
            _frozen(job["default_graph"]),
            _frozen(job["named_graphs"]),
            job["union"],
            job["row_limit"],
            self.triple_limit,
        )
        tag = self._cache_tag()
        if tag is None:
            return self._evaluate(job, fmt, None)
        if not keep:
            return self._once(tag, key, lambda: self._evaluate(job, fmt, None))
        hit = self._cache.get(tag, key)
        if hit is not None:
            return _marked(hit, "hit")
        return self._once(tag, key, lambda: self._evaluate(job, fmt, key))

    def _evaluate(self, job: dict[str, Any], fmt: Format, key: Hashable | None) -> Result:
        """Run a query job on a worker; keep a 200 answer under ``key`` (unless ``None``) for
        the state its worker read."""
        finished: list[Result] = []

        def answered(reply: tuple[Any, ...], generation: Any) -> None:
            result = self._finish(reply, fmt)
            finished.append(result)
            if key is not None and result.status == 200:
                state = (_frozen(generation), self._updates)
                self._cache.put(state, key, _copy(result), len(result.body) + len(job["query"]))

        reply = self._call(job, answered=answered)
        if isinstance(reply, Result):
            return reply
        return finished[0] if finished else self._finish(reply, fmt)

    def _once(self, tag: Hashable, key: Hashable, compute: Callable[[], Result]) -> Result:
        """``compute()`` for the first of concurrent identical requests under one state of the
        store; the others wait for that answer holding neither a worker nor a queue place.

        A client waits at most ``timeout_s``, then gets 503 with ``Retry-After`` (the
        evaluation goes on, and keeps its answer). The warm-up waits as long as it takes, and
        evaluates the request itself if the one it waited for failed (a client's, under the
        client time limit).

        :return: the answer, marked ``X-KG-Cache: miss`` (computed here) or ``shared``
        """
        while True:
            with self._flights_lock:
                flight = self._flights.get((tag, key))
                if flight is None:
                    flight = self._flights[(tag, key)] = _Flight()
                    break
            warming = self._warming_here()
            if not flight.done.wait(None if warming else self.timeout_s):
                return Result.error(
                    503,
                    "the answer is being computed; try again shortly",
                    **{"Retry-After": str(max(1, round(self.timeout_s)))},
                )
            if flight.result.status == 200 or not warming:
                return _marked(flight.result, "shared")
        try:
            flight.result = compute()
        finally:
            with self._flights_lock:
                del self._flights[(tag, key)]
            flight.done.set()
        return _marked(flight.result, "miss")

    # -- result cache -------------------------------------------------------------------------

    def _cache_tag(self) -> Hashable | None:
        """The store's state now, as the cache files it; ``None`` when nothing may be cached
        (the cache is off, or no serve lock is held, so a build could write in place)."""
        if self._cache.max_bytes <= 0:
            return None
        return self._state_tag()

    def _state_tag(self) -> Hashable | None:
        """The store's state now; ``None`` when no serve lock is held (a build could write in
        place, so nothing read may be kept)."""
        if not is_serving(self.store):
            return None
        return (current_identity(self.store), self._updates)

    def pinned(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        """Like :meth:`memo`, for a value derived from the whole store that most requests of a
        page need (the graph viewer's network): kept for the state it was read from outside
        the result cache, so neither its byte budget nor its LRU order can evict it, and kept
        even when the cache is off. One value per key; a new state of the store replaces it
        on first use. Concurrent requests for it share one ``compute()``.
        """
        tag = self._state_tag()
        if tag is None:
            return compute()
        with self._flights_lock:
            kept = self._pinned.get(key)
        if kept is not None and kept[0] == tag:
            return _marked(kept[1], "hit")

        def make() -> Result:
            result = compute()
            if result.status == 200 and self._state_tag() == tag:
                with self._flights_lock:
                    self._pinned[key] = (tag, _copy(result))
            return result

        return self._once(tag, ("pinned", key), make)

    def pinned_bytes(self) -> int:
        """The bytes of the values :meth:`pinned` keeps now."""
        with self._flights_lock:
            return sum(len(result.body) for _, result in self._pinned.values())

    def memo(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        """A derived answer (made by ``compute`` from queries run here), kept in the result
        cache under ``key`` for the state of the store it was read from.

        It is kept only when the state is the same before and after ``compute`` ran, so every
        query it made read that state. A non-200 result is returned but never kept.
        Concurrent requests for the same missing answer share one ``compute()``.
        """
        tag = self._cache_tag()
        if tag is None:
            return compute()
        hit = self._cache.get(tag, ("memo", key))
        if hit is not None:
            return _marked(hit, "hit")

        def make() -> Result:
            result = compute()
            if result.status == 200 and self._cache_tag() == tag:
                self._cache.put(tag, ("memo", key), _copy(result), len(result.body))
            return result

        return self._once(tag, ("memo", key), make)

    def keep_warm(
        self,
        tasks: Sequence[Callable[[], object]],
        poll_s: float = 0.25,
        epoch: Callable[[], Hashable] | None = None,
    ) -> None:
        """Fill the result cache in the background for every new state of the store.

        A daemon thread runs ``tasks`` (requests such as :meth:`run` of a named query or a
        :meth:`memo`, which keep their answers) one after the other: now, and again whenever
        the state the cache is filed under changes (a build published a generation, an update
        was applied) or ``epoch()`` does (the day, for answers that depend on it), checked
        every ``poll_s`` seconds. A pass that sees the state change stops and starts over on
        the new one. Nothing runs while nothing may be cached (no serve lock, or the cache is
        off). The tasks queue for workers like any request, with the warm-up's time limit
        (``warm_timeout_s``) per query.
        """
        if self._warmer is not None:
            raise RuntimeError("keep_warm was already called")
        self._epoch = epoch
        self._warmer = threading.Thread(
            target=self._warm, args=(tuple(tasks), poll_s), name="kg-warm-up", daemon=True
        )
        self._warmer.start()

    def _warm_state(self) -> Hashable | None:
        """What the warm-up warms for: the cache's tag and the epoch now (None: nothing)."""
        tag = self._cache_tag()
        if tag is None:
            return None
        return (tag, self._epoch() if self._epoch is not None else None)

    def _warm(self, tasks: tuple[Callable[[], object], ...], poll_s: float) -> None:
        self._thread.warming = True
        while not self._closed:
            state = self._warm_state()
            if state is not None and state != self._warmed:
                for task in tasks:
                    if self._closed or self._warm_state() != state:
                        break
                    try:
                        task()
                    except Exception:  # a failed task must not stop the warm-up of the rest
                        log.exception("warming the result cache failed")
                else:
                    self._warmed = state
                continue
            self._stop.wait(poll_s)

    def _warming_here(self) -> bool:
        """Whether the calling thread is the warm-up's (its queries get ``warm_timeout_s``)."""
        return bool(getattr(self._thread, "warming", False))

    def warming(self) -> bool:
        """Whether the warm-up is running and has not finished for the store's state now (so
        an answer that timed out for a client may still arrive through it)."""
        state = self._warm_state()
        return self._warmer is not None and not self._closed and state not in (None, self._warmed)

    def is_warm(self) -> bool:
        """Whether the warm-up (:meth:`keep_warm`) has run for the store's state now."""
        state = self._warm_state()
        return state is not None and state == self._warmed

    def cache_max_bytes(self) -> int:
        """The result cache's budget in bytes (0: off)."""
        return self._cache.max_bytes

    def cache_stats(self) -> CacheStats:
        """Hits, misses, entries and bytes of the result cache."""
        return self._cache.stats()

    def _finish(self, reply: tuple[Any, ...], fmt: Format) -> Result:
        if reply[0] == "syntax":
            return Result.error(400, f"SPARQL syntax error: {reply[1]}")
        if reply[0] != "ok":
            return Result.error(400, f"query failed: {reply[1]}")
        body, truncated = reply[1], bool(reply[2])
        if truncated and fmt.name == "json" and body.rstrip().endswith(b"}"):
            body = body.rstrip()[:-1] + b',"truncated":true}'
        headers = {"X-KG-Truncated": "true" if truncated else "false"}
        return Result(200, fmt.content_type, body, truncated, headers)

    def update(
        self,
        update: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
    ) -> Result:
        """Apply a SPARQL update as the store's single writer (see the module docstring).

        :return: 204 when applied; 403 when updates are off; 400 on a syntax error, a refused
            construct (``LOAD``, ``SERVICE``) or a dataset conflict; 413, 503, 504 as for
            :meth:`run`
        """
        if not self.allow_updates:
            return Result.error(403, "updates are not accepted by this endpoint (read-only)")
        text = check_update(
            update, using_graphs, using_named_graphs, self.max_query_bytes, self.service_allowlist
        )
        if isinstance(text, Result):
            return text
        with contextlib.ExitStack() as held:
            try:  # no build may copy or switch the store while it is written here
                held.enter_context(building_lock(self.store))
            except StoreError:
                return Result.error(
                    503, "a build is writing the store; try again", **{"Retry-After": "5"}
                )
            with self._cond:
                while self._writing or self._busy:
                    self._cond.wait()
                self._writing = True
                idle, self._idle = self._idle, []
            try:
                for worker in idle:
                    self._live.discard(worker)
                    worker.stop()
                reply = self._call({"update": text, "base_iri": base_iri}, mode="update")
            finally:
                with self._cond:
                    # the store may have changed: no cached answer survives (new tag too)
                    self._updates += 1
                    self._cache.invalidate()
                    self._writing = False
                    self._cond.notify_all()
        if isinstance(reply, Result):
            return reply
        if reply[0] == "ok":
            return Result(204, "text/plain; charset=utf-8", b"")
        prefix = "SPARQL syntax error" if reply[0] == "syntax" else "update failed"
        return Result.error(400, f"{prefix}: {reply[1]}")

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for health checks and tests)."""
        return sorted(worker.pid for worker in list(self._live))

    def close(self) -> None:
        """Stop every worker; the runner refuses work afterwards. Safe to call twice."""
        with self._cond:
            self._closed = True
            self._idle = []
            self._cond.notify_all()
        self._stop.set()
        self._finalizer()
        if self._warmer is not None and self._warmer is not threading.current_thread():
            self._warmer.join(5)

    def __enter__(self) -> QueryRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _rss(pid: int) -> int | None:
    """The resident bytes of process ``pid`` (Linux ``/proc``), None when unknown."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


_FAILED = Result.error(503, "the query failed; try again", **{"Retry-After": "1"})


@dataclass
class _Flight:
    """One evaluation that identical concurrent requests wait for (:meth:`QueryRunner._once`)."""

    done: threading.Event = field(default_factory=threading.Event)
    #: what the waiters get if the evaluation raised instead of answering
    result: Result = field(default_factory=lambda: _FAILED)


def _marked(result: Result, cache: str) -> Result:
    """A copy of ``result`` saying how the cache answered it (``X-KG-Cache``: ``hit``, ``miss``
    or ``shared``)."""
    marked = _copy(result)
    marked.headers["X-KG-Cache"] = cache
    return marked


def _frozen(value: Any) -> Any:
    """A hashable copy of a list (or tuple) of values; anything else unchanged."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _copy(result: Result) -> Result:
    """A result sharing the (immutable) body but with its own headers dict."""
    return Result(
        result.status, result.content_type, result.body, result.truncated, dict(result.headers)
    )


def _kill_all(workers: set[WorkerProcess]) -> None:
    for worker in list(workers):
        worker.stop(grace=0.5)
    workers.clear()
