"""Worker processes that evaluate SPARQL with pyoxigraph, so a runaway query can be killed.

pyoxigraph cannot cancel a query (oxigraph#1926) and a thread cannot be stopped, so every
user query runs in a child process (``python -m kg._workers``) that the parent kills when the
time limit passes. A worker opens the store once, read-only, then answers jobs one at a time
over a pair of pipes (``multiprocessing.connection`` framing). It pins the generation the store
path names when it starts (:func:`kg.generations.pin`) and reports which one, so the parent can
retire it once a build has published a newer one. An update worker opens the store
read-write, applies one update, flushes and exits: the parent only starts it when no
read-only worker is running (RocksDB allows one writer and readers must not share the
directory with it).

Plain :mod:`subprocess` is used rather than :mod:`multiprocessing`'s spawn context: spawn
re-imports the parent's ``__main__`` (the whole CLI) in every child and starts a
resource-tracker helper; a worker here imports only ``pyoxigraph`` and the standard library,
and is the only process it leaves behind. A worker also exits by itself when its parent dies
(its pipe closes, or a watchdog sees the parent pid change).

Users' queries go to pyoxigraph's own query API only: nothing here imports rdflib (nor does
:mod:`kg.generations`).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

__all__ = ["WorkerError", "WorkerProcess", "execute"]

# One reply is a tuple: ("ok", body, truncated) | ("syntax", message) | ("error", message)
Reply = tuple[Any, ...]


class WorkerError(RuntimeError):
    """A worker could not start, died, or broke the pipe protocol."""


def _term(term: Any) -> str:
    """A term in the SPARQL TSV results syntax (N-Triples, ``<<( s p o )>>`` for triples)."""
    import pyoxigraph as ox

    if isinstance(term, ox.Triple):
        return f"<<( {_term(term.subject)} {_term(term.predicate)} {_term(term.object)} )>>"
    return str(term)


def _graphs(iris: list[str] | None) -> list[Any] | None:
    import pyoxigraph as ox

    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def execute(store: Any, job: dict[str, Any]) -> Reply:
    """Evaluate one query job against an open pyoxigraph store and serialise the result.

    SELECT results are capped at ``job["row_limit"]`` solutions, CONSTRUCT/DESCRIBE at
    ``job["triple_limit"]`` triples; one more is read to tell whether the cap cut anything.
    The capped solutions are written as SPARQL TSV (lossless for RDF terms) and re-read by
    pyoxigraph, so every output format comes from pyoxigraph's own serialisers.

    :param store: a :class:`pyoxigraph.Store`
    :param job: ``query``, ``format`` (a ``QueryResultsFormat``/``RdfFormat`` attribute name),
        ``base_iri``, ``default_graph``, ``named_graphs``, ``union``, ``row_limit``,
        ``triple_limit``
    :return: ``("ok", body, truncated)``, ``("syntax", message)`` or ``("error", message)``
    """
    import pyoxigraph as ox

    try:
        options: dict[str, Any] = {"base_iri": job.get("base_iri")}
        if job.get("default_graph") is not None or job.get("named_graphs") is not None:
            options["default_graph"] = _graphs(job.get("default_graph")) or []
            options["named_graphs"] = _graphs(job.get("named_graphs")) or []
        else:
            options["use_default_graph_as_union"] = bool(job.get("union"))
        result = store.query(job["query"], **options)
        if isinstance(result, ox.QueryBoolean):
            return (
                "ok",
                result.serialize(format=getattr(ox.QueryResultsFormat, job["format"])),
                False,
            )
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = list(islice(result, job["row_limit"] + 1))
            truncated = len(rows) > job["row_limit"]
            lines = ["\t".join(f"?{name}" for name in names)]
            for row in rows[: job["row_limit"]]:
                lines.append("\t".join("" if row[n] is None else _term(row[n]) for n in names))
            capped = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
            fmt = getattr(ox.QueryResultsFormat, job["format"])
            return ("ok", capped.serialize(format=fmt), truncated)
        triples = list(islice(result, job["triple_limit"] + 1))
        truncated = len(triples) > job["triple_limit"]
        fmt = getattr(ox.RdfFormat, job["format"])
        body = ox.serialize(
            triples[: job["triple_limit"]], format=fmt, prefixes=job.get("prefixes")
        )
        return ("ok", body or b"", truncated)
    except SyntaxError as error:
        return ("syntax", str(error))
    except (ValueError, OSError, TypeError) as error:
        return ("error", f"{type(error).__name__}: {error}")


def apply_update(store: Any, job: dict[str, Any]) -> Reply:
    """Apply one SPARQL update in a transaction, then flush it to disk."""
    try:
        store.update(job["update"], base_iri=job.get("base_iri"))
        store.flush()
        return ("ok", b"", False)
    except SyntaxError as error:
        return ("syntax", str(error))
    except (ValueError, OSError, TypeError) as error:
        return ("error", f"{type(error).__name__}: {error}")


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch, name="kg-parent-watchdog", daemon=True).start()


def main(argv: list[str]) -> int:
    """Worker entry point: ``python -m kg._workers query|update READ_FD WRITE_FD STORE``."""
    import pyoxigraph as ox

    from kg.generations import pin

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; it then stops us
    mode, read_fd, write_fd, path = argv[0], int(argv[1]), int(argv[2]), argv[3]
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    _watch_parent(os.getppid())
    try:
        if mode == "query":
            # hold on to the generation the store path names now (kg.generations)
            pinned = pin(path)
            store, generation = ox.Store.read_only(pinned.path), pinned.identity
        else:
            store, generation = ox.Store(path), None
    except OSError as error:
        outbox.send(("error", f"cannot open the store {path}: {error}"))
        return 1
    outbox.send(("ready", os.getpid(), generation))
    while True:
        try:
            job = inbox.recv()
        except EOFError:
            return 0
        if job is None:
            return 0
        outbox.send(execute(store, job) if mode == "query" else apply_update(store, job))
        if mode != "query":
            return 0


class WorkerProcess:
    """The parent's handle on one worker process.

    :param store: the on-disk store directory
    :param mode: ``query`` (read-only, many jobs) or ``update`` (read-write, one job)
    :param startup_timeout: seconds to wait for the worker to open the store
    :raises WorkerError: if the worker cannot start or cannot open the store
    """

    def __init__(self, store: str | os.PathLike[str], mode: str, startup_timeout: float) -> None:
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        to_child, from_child = os.pipe(), os.pipe()
        child_fds = (to_child[0], from_child[1])
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kg._workers", mode, *map(str, child_fds), str(store)],
                pass_fds=child_fds,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        except OSError as error:
            for fd in (*to_child, *from_child):
                os.close(fd)
            raise WorkerError(f"cannot start a query worker: {error}") from error
        for fd in child_fds:
            os.close(fd)
        self._tx = Connection(to_child[1], readable=False)
        self._rx = Connection(from_child[0], writable=False)
        reply = self._receive(startup_timeout)
        if reply is None or reply[0] != "ready":
            self.kill()
            reason = "timed out" if reply is None else reply[1]
            raise WorkerError(f"the query worker did not start: {reason}")
        #: (device, inode) of the store generation a query worker opened (None for updates)
        self.generation: tuple[int, int] | None = reply[2]

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    def _receive(self, timeout: float) -> Reply | None:
        try:
            if not self._rx.poll(timeout):
                return None
            reply: Reply = self._rx.recv()
            return reply
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self.kill()
            raise WorkerError(f"the query worker died (exit {self.process.poll()})") from error

    def call(self, job: dict[str, Any], timeout: float) -> Reply | None:
        """Send one job and wait for its reply; ``None`` when ``timeout`` passes first.

        :raises WorkerError: if the worker died
        """
        try:
            self._tx.send(job)
        except OSError as error:
            self.kill()
            raise WorkerError("the query worker is gone") from error
        return self._receive(timeout)

    def kill(self) -> None:
        """Kill the worker at once and reap it (no zombie, no orphan)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close()

    def stop(self, grace: float = 2.0) -> None:
        """Ask the worker to exit; kill it if it has not within ``grace`` seconds."""
        try:
            self._tx.send(None)
            self.process.wait(grace)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def _close(self) -> None:
        for conn in (getattr(self, "_tx", None), getattr(self, "_rx", None)):
            if conn is not None and not conn.closed:
                conn.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
