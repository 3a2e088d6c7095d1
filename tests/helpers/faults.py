"""Trials of the faults in RELIABILITY.md's "Faults survived" table (F1-F8), shared by the
tests (CI counts) and ``python -m benchmarks.faults`` (CI or nightly counts).

Each fault is a class: its constructor prepares what every trial needs (a corpus, the golden
export, a running server) in a work directory, :meth:`Fault.trial` runs one trial and raises
(``AssertionError`` with the reason) when the fault was not survived, :meth:`Fault.close`
stops what the constructor started. :func:`run` runs a number of trials, several at once
where the fault allows it, and returns an :class:`Outcome` (survived / total, seconds, the
failures); a test asserts that the failures are none.

Trials are kept cheap rather than few:

* ``kg`` command lines run as children forked from a server process that has imported the
  package already (:class:`KgRunner`, multiprocessing's ``forkserver``), so a build or a
  ``kg validate`` starts in milliseconds instead of a second of imports. Each child runs
  :func:`kg.cli.main`, as the ``kg`` entry point does, in a process of its own, which is what
  a ``kill -9`` needs. Every tenth trial of F1 and F8 runs the real ``python -m kg.cli``
  instead, so the forked children are checked against the command itself.
* Corpora are a few copies of the seed release; builds use ``--workers 1`` and
  ``--no-validate`` (the per-release SHACL check writes nothing, so kills land where the
  writes are) and ``kg validate`` runs on what a kill left.
* Servers run with a low query time limit (``KG_QUERY_TIMEOUT_S``), and results are read back
  in this process (pyoxigraph, read-only) rather than through more subprocesses.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from conftest import CASES, SEED, free_port
from helpers.served import get, query_url, start_server, stop
from helpers.webapp import build_store, bulk_quads, sample_quads

from kg.generations import current_identity, generation_dirs
from kg.store import EmbeddedStore, is_serving

#: a cartesian product over the bulk graph of :func:`bulk_quads`: only the time limit ends it
ENDLESS = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/bulk> "
    "{ ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } }"
)
QUICK = "ASK { ?s ?p ?o }"
#: the summary ``kg build`` prints last, when no release failed
SUMMARY = re.compile(
    r"built (?P<built>\d+) release\(s\), skipped (?P<skipped>\d+) unchanged, failed 0;"
)
#: the named graphs of release files
DATA_GRAPHS = "https://w3id.org/partnership-graph/id/graph/"
#: the fractional part of the golden ratio: trial ``i`` takes ``(i * PHI) % 1`` of a range,
#: which spreads any number of trials evenly over it (a low-discrepancy sequence)
PHI = (math.sqrt(5) - 1) / 2


class TrialFailed(AssertionError):
    """A fault was not survived."""


def check(condition: object, message: str) -> None:
    """Raise :class:`TrialFailed` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise TrialFailed(message)


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> float:
    """Poll ``condition`` every 20 ms until true; the seconds it took (fails after
    ``seconds``)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise TrialFailed(f"not within {seconds} s: {what}")
        time.sleep(0.02)
    return time.monotonic() - started


def spread(number: int) -> float:
    """A fraction in [0, 1) for trial ``number``, evenly spread over the trials."""
    return (number * PHI) % 1.0


# -- running kg ------------------------------------------------------------------------------


def _kg_child(argv: list[str], out: str, err: str, crash: bool) -> None:
    """In a forked child: ``kg ARGV`` with stdout and stderr into files, then exit with its
    code; with ``crash``, SIGKILL itself right after (nothing runs after the command's last
    output: as if the machine stopped there)."""
    for fd, name in ((1, out), (2, err)):
        handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(handle, fd)
        os.close(handle)
    from kg.cli import main

    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    if crash:
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(code)


class KgProcess:
    """One ``kg`` command running: a forked child of :class:`KgRunner`, or the real command
    line (``python -m kg.cli``)."""

    def __init__(self, process: Any, out: Path, err: Path) -> None:
        self.process, self.out_path, self.err_path = process, out, err

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def kill(self) -> None:
        """SIGKILL it (if it still runs)."""
        with suppress(ProcessLookupError):  # it has exited already
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float = 120.0) -> int:
        """Its exit code (``-9`` when killed); fails after ``timeout`` seconds."""
        if isinstance(self.process, subprocess.Popen):
            try:
                return int(self.process.wait(timeout))
            except subprocess.TimeoutExpired:
                self.kill()
                self.process.wait()
                raise TrialFailed(f"kg did not finish within {timeout} s") from None
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.kill()
            self.process.join()
            raise TrialFailed(f"kg did not finish within {timeout} s")
        return int(self.process.exitcode)

    @property
    def running(self) -> bool:
        """Whether it has not exited yet."""
        if isinstance(self.process, subprocess.Popen):
            return self.process.poll() is None
        return bool(self.process.is_alive())

    @property
    def out(self) -> str:
        """What it wrote to stdout so far."""
        return _read(self.out_path)

    @property
    def err(self) -> str:
        """What it wrote to stderr so far."""
        return _read(self.err_path)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:  # the child failed before it opened its files
        return ""


class KgRunner:
    """Starts ``kg`` command lines cheaply: children forked from a server process that has
    imported :mod:`kg` (and its rdflib and pyoxigraph) once.

    :param logs: where each command's stdout and stderr files go
    """

    #: what the fork server imports once, before it forks any child
    PRELOAD: ClassVar[list[str]] = [
        "kg.cli",
        "kg.build",
        "kg.store",
        "kg.generations",
        "kg.validate",
        __name__,
    ]

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(self.PRELOAD)
        self._count = 0
        self._lock = threading.Lock()

    def _files(self) -> tuple[Path, Path]:
        with self._lock:
            self._count += 1
            number = self._count
        return self.logs / f"{number}.out", self.logs / f"{number}.err"

    def start(self, *args: str | Path, crash: bool = False, real: bool = False) -> KgProcess:
        """Start ``kg ARGS``: forked, or with ``real`` the command line in a new interpreter.

        :param crash: (forked only) SIGKILL the child as soon as the command returns
        """
        argv = [str(a) for a in args]
        out, err = self._files()
        if real:
            with out.open("wb") as stdout, err.open("wb") as stderr:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "kg.cli", *argv],
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    stderr=stderr,
                    env=dict(os.environ, PYTHONWARNINGS="ignore"),
                )
            return KgProcess(proc, out, err)
        child = self.context.Process(target=_kg_child, args=(argv, str(out), str(err), crash))
        child.start()
        return KgProcess(child, out, err)

    def run(self, *args: str | Path, timeout: float = 120.0) -> tuple[int, str, str]:
        """Run ``kg ARGS`` (forked) to the end: exit code, stdout, stderr."""
        proc = self.start(*args)
        code = proc.wait(timeout)
        return code, proc.out, proc.err


# -- reading stores --------------------------------------------------------------------------


#: the object of ``kg:builtWith``: the code fingerprint (:func:`kg.build.code_fingerprint`)
FINGERPRINT = re.compile(rb'(#builtWith> )"(?:[^"\\]|\\.)*"')


def export(store: Path) -> bytes:
    """The store's sorted N-Quads export, read in this process (read-only), with each code
    fingerprint replaced by a placeholder.

    The fingerprint hashes the source files of :mod:`kg`; colleagues editing them while trials
    run would otherwise make a build differ from the golden one by that literal alone.
    """
    with EmbeddedStore(store, read_only=True) as opened:
        data = opened.export("nquads")
    lines = FINGERPRINT.sub(rb'\1"(code fingerprint)"', data).splitlines(keepends=True)
    return b"".join(sorted(lines))


def export_hash(store: Path) -> str:
    """SHA-256 of :func:`export`."""
    return hashlib.sha256(export(store)).hexdigest()


def by_graph(nquads: bytes) -> dict[str, frozenset[bytes]]:
    """The lines of an N-Quads export, grouped by their graph IRI."""
    graphs: dict[str, set[bytes]] = {}
    for line in nquads.splitlines():
        graph = line.rstrip(b" .").rsplit(b" ", 1)[-1].decode()
        graphs.setdefault(graph, set()).add(line)
    return {graph: frozenset(lines) for graph, lines in graphs.items()}


def whole_graphs(store: Path, golden: dict[str, frozenset[bytes]]) -> dict[str, frozenset[bytes]]:
    """The store's graphs, checked to be each exactly as in ``golden`` (nothing partial)."""
    graphs = by_graph(export(store))
    for graph, lines in graphs.items():
        check(graph in golden, f"a graph the golden build has not: {graph}")
        check(
            lines == golden[graph],
            f"{graph} is partial: {len(lines)} of {len(golden[graph])} triples "
            f"({len(lines - golden[graph])} foreign)",
        )
    return graphs


def release_graph(key: str) -> str:
    """The named graph of the release file ``<key>.txt`` (in N-Quads, with brackets)."""
    return f"<{DATA_GRAPHS}{key}>"


def copy_seed(folder: Path, names: Sequence[str]) -> Path:
    """Copies of the seed release (and its metadata) as ``folder/<name>.txt``."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = SEED.with_name(SEED.stem + ".meta.json")
    for name in names:
        shutil.copy(SEED, folder / f"{name}.txt")
        shutil.copy(meta, folder / f"{name}.meta.json")
    return folder


def tail(code: int, out: str, err: str) -> str:
    """A one-line account of a command's end: its exit code and its last words (no progress
    lines)."""
    words = [line for line in (err + out).splitlines() if line.strip() and not line.startswith("[")]
    return f"exit {code}: " + " | ".join(words[-4:])


def one_error_line(stderr: str, store: Path) -> None:
    """``stderr`` is a clean failure: no traceback, exactly one ``error:`` line, naming the
    store."""
    check("Traceback" not in stderr, f"a traceback: {stderr.splitlines()[-1]}")
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    check(len(errors) == 1, f"not one error line: {errors}")
    check(str(store) in errors[0], f"the error does not name the store: {errors[0]}")


def no_stale_lock(store: Path) -> None:
    """Neither the serve lock nor the build lock of ``store`` is held."""
    from kg._lock import building_lock

    check(not is_serving(store), "the serve lock is still held")
    with building_lock(store):
        pass


# -- the faults ------------------------------------------------------------------------------


class Fault:
    """One row of the table. Subclasses set the class attributes and :meth:`trial`.

    :param workdir: a directory of its own for the fault's files
    :param trials: how many trials :func:`run` will ask for (some faults size their
        corpus by it)
    """

    id: ClassVar[str]
    title: ClassVar[str]
    ci: ClassVar[int]
    nightly: ClassVar[int]
    #: trials run at once
    concurrency: ClassVar[int] = 1
    #: faults one trial inflicts (and survives or not) together
    per_trial: ClassVar[int] = 1

    def __init__(self, workdir: Path, trials: int) -> None:
        self.workdir, self.trials = workdir, trials
        self.kg = KgRunner(workdir / "logs")

    def trial(self, number: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop whatever the constructor started."""


@dataclass
class Outcome:
    """What :func:`run` saw: faults survived of those inflicted, seconds, and each failed
    trial's ``(number, reason)``."""

    fault: str
    title: str
    survived: int
    total: int
    seconds: float
    failures: list[tuple[int, str]] = field(default_factory=list)


def run(fault: type[Fault], count: int, workdir: Path) -> Outcome:
    """Inflict ``fault`` ``count`` times (at least) and count the times it was survived."""
    started = time.perf_counter()
    trials = -(-count // fault.per_trial)
    workdir.mkdir(parents=True, exist_ok=True)
    subject = fault(workdir, trials)
    failures: list[tuple[int, str]] = []

    def one(number: int) -> None:
        try:
            subject.trial(number)
        except Exception as error:  # every failure is a fault not survived
            if isinstance(error, TrialFailed):
                reason = str(error)
            else:
                reason = traceback.format_exc().strip().splitlines()[-1]
            failures.append((number, reason[:600] or repr(error)))

    try:
        with ThreadPoolExecutor(fault.concurrency) as pool:
            list(pool.map(one, range(trials)))
    finally:
        subject.close()
    failures.sort()
    total = trials * fault.per_trial
    return Outcome(
        fault.id,
        fault.title,
        total - len(failures) * fault.per_trial,
        total,
        time.perf_counter() - started,
        failures,
    )


class BuildKilled(Fault):
    """F1: ``kill -9`` during ``kg build`` at a random time.

    A build of :attr:`COPIES` releases with ``--checkpoint-every 2`` is killed at a time spread
    over its measured length; odd trials start from a store that holds a few releases already
    (so kills also land in the copy of the current generation). Then: every graph is whole or
    absent, the store opens, no lock is left, ``kg validate`` passes, and a rebuild gives the
    golden export with no generation left over.
    """

    id, title, ci, nightly, concurrency = "F1", "kill -9 during kg build", 50, 500, 2
    COPIES, SEEDED = 6, 3
    BUILD = ("build", "--workers", "1", "--checkpoint-every", "2", "--no-validate")

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        names = [f"release-{i:03d}" for i in range(self.COPIES)]
        self.corpus = copy_seed(workdir / "corpus", names)
        golden = workdir / "golden" / "store"
        code, _, err = self.kg.run("--store", golden, *self.BUILD, self.corpus)
        assert code == 0, err
        self.golden = export(golden)
        #: export hashes of killed stores that ``kg validate`` passed (the same data validates
        #: the same way, and a handful of checkpoint states recur across trials)
        self.valid: set[str] = set()
        self.lock = threading.Lock()
        started = time.monotonic()  # the fork server runs now: time a forked build
        code, _, err = self.kg.run("--store", workdir / "timed" / "store", *self.BUILD, self.corpus)
        assert code == 0, err
        #: how long an uninterrupted build takes
        self.length = time.monotonic() - started
        self.graphs = by_graph(self.golden)
        self.template = workdir / "seeded"
        seeded = copy_seed(workdir / "seeded-corpus", names[: self.SEEDED])
        code, _, err = self.kg.run("--store", self.template / "store", *self.BUILD, seeded)
        assert code == 0, err

    def trial(self, number: int) -> None:
        folder = self.workdir / f"trial-{number}"
        if number % 2:
            shutil.copytree(self.template, folder, symlinks=True)
        store = folder / "store"
        # where to kill: after `lines` progress lines (one per release read), then `jitter` of
        # a release's time, so kills land before, during and after each batch and checkpoint
        # however slow the machine is at the moment
        point = spread(number) * (self.COPIES + 1)
        lines, jitter = int(point), point - int(point)
        build = self.kg.start("--store", store, *self.BUILD, self.corpus, real=number % 10 == 9)
        wait_for(lambda: build.err.count("\n") >= lines or not build.running, 120, "build progress")
        time.sleep(jitter * self.length / self.COPIES)
        build.kill()
        build.wait()
        no_stale_lock(store)
        if os.path.lexists(store):  # else the kill came before anything was published
            whole_graphs(store, self.graphs)
            self._validate(store)
        code, out, err = self.kg.run("--store", store, *self.BUILD, self.corpus)
        check(code == 0, f"the rebuild failed: {tail(code, out, err)}")
        check(export(store) == self.golden, "the rebuild does not converge to the golden export")
        left = generation_dirs(store)
        check(left == [store.resolve()], f"generations left over: {[p.name for p in left]}")
        shutil.rmtree(folder)

    def _validate(self, store: Path) -> None:
        """``kg validate`` passes on ``store`` (run once per distinct export)."""
        digest = export_hash(store)
        with self.lock:
            if digest in self.valid:
                return
        code, out, err = self.kg.run("--store", store, "validate")
        check(code == 0, f"kg validate after the kill: {tail(code, out, err)}")
        with self.lock:
            self.valid.add(digest)


class AcknowledgedThenKilled(Fault):
    """F8: ``kg build`` prints its summary (exit 0) and is SIGKILLed at once: every graph it
    acknowledged is in the store, whole.

    Each trial adds one release to the corpus and builds the corpus (the others are skipped
    as unchanged). The forked build kills itself right after printing (nothing, not even the
    interpreter's exit, runs after its last word, as if the machine stopped there); every
    tenth trial runs the real command and kills it the moment the summary appears.
    """

    id, title, ci, nightly, concurrency = "F8", "acknowledged ingest, then kill", 20, 20, 2
    BUILD = ("build", "--workers", "1", "--no-validate")

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        self.chains = [_Chain(workdir / f"chain-{c}") for c in range(self.concurrency)]
        self.names = [f"release-{i:03d}" for i in range(-(-trials // self.concurrency))]
        golden = workdir / "golden"
        code, _, err = self.kg.run(
            "--store", golden / "store", *self.BUILD, copy_seed(golden / "corpus", self.names)
        )
        assert code == 0, err
        self.graphs = by_graph(export(golden / "store"))

    def trial(self, number: int) -> None:
        chain = self.chains[number % self.concurrency]
        with chain.lock:
            name = self.names[chain.built]
            copy_seed(chain.corpus, [name])
            chain.built += 1
            store = chain.folder / "store"
            args = ("--store", store, *self.BUILD, chain.corpus)
            if number % 10 == 9:
                summary = self._real_build_killed(args)
            else:
                build = self.kg.start(*args, crash=True)
                check(build.wait() == -signal.SIGKILL, "the build was not killed")
                summary = build.out.strip()
            # every release of the corpus built or skipped as unchanged, none failed (more are
            # built than the new one when a colleague's edit changed the code fingerprint)
            said = SUMMARY.match(summary)
            check(
                said
                and int(said["built"]) >= 1
                and int(said["built"]) + int(said["skipped"]) == chain.built,
                f"not acknowledged: {summary!r}",
            )
            acknowledged = {release_graph(n) for n in self.names[: chain.built]}
            graphs = whole_graphs(store, self.graphs)
            missing = acknowledged - set(graphs)
            check(not missing, f"acknowledged but missing: {sorted(missing)}")
            no_stale_lock(store)

    def _real_build_killed(self, args: tuple[str | Path, ...]) -> str:
        """``python -m kg.cli ARGS`` killed as soon as its summary line is written."""
        proc = self.kg.start(*args, real=True)
        deadline = time.monotonic() + 60
        while "release(s)" not in proc.out and proc.process.poll() is None:
            check(time.monotonic() < deadline, "no summary within 60 s")
            time.sleep(0.002)
        proc.kill()
        proc.wait()
        return proc.out.strip()


@dataclass
class _Chain:
    """A store that successive trials build on, one trial at a time."""

    folder: Path
    built: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def corpus(self) -> Path:
        return self.folder / "corpus"


class _Server:
    """A ``kg serve`` process of a store on a fixed port (restarted on that port)."""

    def __init__(self, store: Path, timeout_s: float, workers: int) -> None:
        self.store, self.timeout_s, self.workers = store, timeout_s, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def start(self) -> float:
        """Start it; the seconds until it answered a query (fails after 20 s)."""
        started = time.monotonic()
        self.proc = start_server(self.store, self.port, self.timeout_s, self.workers)
        url = query_url(self.base, QUICK)
        wait_for(lambda: get(url, 1) == 200, 20, "kg serve answered a query")
        return time.monotonic() - started

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def children(pid: int) -> dict[int, str]:
    """``{child pid: state}`` of the processes whose parent is ``pid`` (``Z`` = zombie,
    ``R`` = running)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(entry.name)] = fields[0]
    return found


def fetch_all(urls: Sequence[str], timeout: float = 15) -> tuple[list[threading.Thread], list[int]]:
    """GET every URL at once, each in a thread; the threads and the list their statuses go
    to (in completion order)."""
    statuses: list[int] = []

    def fetch(url: str) -> None:
        statuses.append(get(url, timeout))

    threads = [threading.Thread(target=fetch, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    return threads, statuses


def gone(pids: set[int]) -> bool:
    """Whether none of ``pids`` exists any more (not even as a zombie)."""
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


class ServerKilled(Fault):
    """F2: ``kg serve`` SIGKILLed while a worker runs a query, then restarted on the same port:
    no reply came from the killed server, its workers exit, no lock is left, the restart
    serves a query within 5 s, the export hash is unchanged.

    Each trial kills the server the previous trial of its chain restarted; two chains (two
    stores, two ports) run at once.
    """

    id, title, ci, nightly, concurrency = "F2", "kill -9 of kg serve mid-query", 20, 200, 2
    RESTART_S = 5.0

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        self.servers = []
        for c in range(self.concurrency):
            store = build_store(workdir / f"store-{c}", sample_quads() + bulk_quads(300))
            self.servers.append(_Server(store, timeout_s=30, workers=2))
        self.golden = export_hash(self.servers[0].store)

    def trial(self, number: int) -> None:
        server = self.servers[number % self.concurrency]
        with server.lock:
            if server.proc is None:
                server.start()
            proc = server.proc
            assert proc is not None
            check(get(query_url(server.base, QUICK)) == 200, "not serving before the kill")
            query = f"# trial {number}\n{ENDLESS}"
            threads, replies = fetch_all([query_url(server.base, query)], timeout=60)
            wait_for(lambda: "R" in children(proc.pid).values(), 10, "a worker runs the query")
            workers = set(children(proc.pid))
            proc.kill()
            proc.wait(10)
            server.proc = None
            threads[0].join(60)
            check(replies == [0], f"the killed server answered: {replies}")
            wait_for(lambda: gone(workers), 5, "the killed server's workers exit")
            no_stale_lock(server.store)
            took = server.start()
            check(took < self.RESTART_S, f"restart took {took:.1f} s")
            check(export_hash(server.store) == self.golden, "the export hash changed")

    def close(self) -> None:
        for server in self.servers:
            server.stop()
            no_stale_lock(server.store)


class ReopenCycles(Fault):
    """F3: the store opened (read-write and read-only in turn), queried and closed: the same
    export hash every time. Four copies of the store are cycled at once."""

    id, title, ci, nightly, concurrency = "F3", "store reopen cycles", 200, 2000, 4
    COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        self.stores = [
            build_store(workdir / f"store-{c}", sample_quads()) for c in range(self.concurrency)
        ]
        self.locks = [threading.Lock() for _ in self.stores]
        self.golden = export_hash(self.stores[0])

    def trial(self, number: int) -> None:
        copy = number % self.concurrency
        with (
            self.locks[copy],
            EmbeddedStore(
                self.stores[copy], read_only=(number // self.concurrency) % 2 == 1
            ) as opened,
        ):
            _, rows = opened.select(self.COUNT)
            check(int(rows[0][0] or 0) == len(sample_quads()), f"count {rows}")
            digest = hashlib.sha256(opened.export("nquads")).hexdigest()
            check(digest == self.golden, "the export hash changed")


@contextmanager
def tmpfs(mount: Path, size: str, *options: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``mount`` for the block (needs root, as CI has)."""
    mount.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise TrialFailed(f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def remount_read_only(mount: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True)
    check(done.returncode == 0, f"cannot remount {mount} read-only: {done.stderr!r}")


class DiskFull(Fault):
    """F4: the disk fills during ``kg build`` (a small tmpfs, a filler file leaving a few
    KiB to a few MiB): a clean one-line error naming the store, or success; once space is
    freed the store opens with every graph whole, its hash unchanged if the build failed,
    and a rerun completes it and validates."""

    id, title, ci, nightly, concurrency = "F4", "disk full mid-ingest", 3, 20, 2
    LEFT = (64 * 1024, 512 * 1024, 2 * 1024 * 1024)
    BUILD = ("build", "--no-validate")

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        self.corpus = workdir / "corpus"
        self.corpus.mkdir()
        for case in sorted(CASES.iterdir()):
            for source, suffix in (("release.txt", ".txt"), ("release.meta.json", ".meta.json")):
                if (case / source).is_file():
                    shutil.copy(case / source, self.corpus / f"{case.name}{suffix}")
        code, _, err = self.kg.run("--store", workdir / "golden", *self.BUILD, self.corpus)
        assert code == 0, err
        self.graphs = by_graph(export(workdir / "golden"))
        self.golden = export(workdir / "golden")

    def left(self, number: int) -> int:
        """Bytes left free in trial ``number``: the three above, then 16 KiB to 8 MiB."""
        if number < len(self.LEFT):
            return self.LEFT[number]
        return int(16 * 1024 * 2 ** (9 * spread(number)))

    def trial(self, number: int) -> None:
        with tmpfs(self.workdir / f"disk-{number}", "48m") as disk:
            store = disk / "store"
            first = min(self.corpus.glob("*.txt"))
            code, out, err = self.kg.run("--store", store, *self.BUILD, first)
            check(code == 0, f"the first build failed: {tail(code, out, err)}")
            before = export(store)
            filler = disk / "filler"
            with filler.open("wb") as handle:
                free = shutil.disk_usage(disk).free
                os.posix_fallocate(handle.fileno(), 0, max(1, free - self.left(number)))
            code, out, err = self.kg.run("--store", store, *self.BUILD, self.corpus)
            if code != 0:
                check(code == 3, f"not exit 3: {tail(code, out, err)}")
                one_error_line(err, store)
                check("disk full" in err, f"not said disk full: {tail(code, out, err)}")
            filler.unlink()
            after = export(store)
            whole_graphs(store, self.graphs)
            if code != 0:
                check(after in (before, self.golden), "a failed build changed the store")
            code, out, err = self.kg.run("--store", store, *self.BUILD, self.corpus)
            check(code == 0, f"the rerun failed: {tail(code, out, err)}")
            check(export(store) == self.golden, "the rerun does not give the golden export")
            code, out, err = self.kg.run("--store", store, "validate")
            check(code == 0, f"kg validate: {tail(code, out, err)}")


class ReadOnlyStore(Fault):
    """F5: ``kg build`` into a store it cannot write: beneath a regular file, on a read-only
    file system (a new store), and an existing store whose file system became read-only.
    A one-line error naming the store (exit 3), nothing created, the existing store
    unchanged and still readable."""

    id, title, ci, nightly = "F5", "unwritable or read-only store", 3, 3

    def trial(self, number: int) -> None:
        folder = self.workdir / f"trial-{number}"
        folder.mkdir()
        kind = number % 3
        if kind == 0:
            blocker = folder / "file"
            blocker.write_text("x")
            self._refused(blocker / "store", folder)
            check(blocker.read_text() == "x", "the blocking file changed")
            return
        with tmpfs(folder / "disk", "16m") as disk:
            store = disk / "store"
            if kind == 1:
                remount_read_only(disk)
                self._refused(store, disk)
                return
            code, out, err = self.kg.run("--store", store, "build", "--no-validate", SEED)
            check(code == 0, f"the first build failed: {tail(code, out, err)}")
            before = export(store)
            remount_read_only(disk)
            self._refused(store, disk)
            check(export(store) == before, "the read-only store changed")

    def _refused(self, store: Path, folder: Path) -> None:
        """A build into ``store`` fails cleanly and leaves ``folder`` as it was."""
        entries = sorted(os.listdir(folder))
        code, out, err = self.kg.run("--store", store, "build", "--no-validate", SEED)
        check(code == 3, f"not exit 3: {tail(code, out, err)}")
        one_error_line(err, store)
        check(sorted(os.listdir(folder)) == entries, f"a partial directory in {folder}")


class BuildWhileServing(Fault):
    """F6: ``kg build --force`` of the store being served, while a client hammers
    ``/sparql`` and ``/healthz``: the build succeeds and switches the served generation with
    no failed request meanwhile; the export equals the same build's without a server, and the
    old generations are removed."""

    id, title, ci, nightly = "F6", "build while serving", 5, 5

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        served, alone = workdir / "served", workdir / "alone"
        for path in (served, alone):
            build_store(path, sample_quads() + bulk_quads(300))
        code, _, err = self.kg.run("--store", alone, "build", SEED)
        assert code == 0, err
        self.golden = export_hash(alone)
        self.server = _Server(served, timeout_s=5, workers=2)
        self.server.start()
        self.statuses: list[int] = []
        self.stopping = threading.Event()
        self.hammer = threading.Thread(target=self._hammer, daemon=True)
        self.hammer.start()

    def _hammer(self) -> None:
        base = self.server.base
        while not self.stopping.is_set():
            self.statuses.append(get(query_url(base, QUICK)))
            self.statuses.append(get(f"{base}/healthz"))

    def trial(self, number: int) -> None:
        store = self.server.store
        before, seen = current_identity(store), len(self.statuses)
        code, out, err = self.kg.run("--store", store, "build", "--force", SEED)
        check(code == 0, f"the build failed: {tail(code, out, err)}")
        check("built 1 release(s)" in out, f"nothing built: {out!r}")
        check(store.is_symlink(), "the store path does not name a generation")
        check(current_identity(store) != before, "no new generation was published")
        wait_for(lambda: len(self.statuses) >= seen + 4, 10, "requests during the build")
        failed = [s for s in self.statuses[seen:] if s != 200]
        check(not failed, f"failed requests during the build: {failed}")
        check(export_hash(store) == self.golden, "the export differs from a build alone")
        wait_for(lambda: generation_dirs(store) == [store.resolve()], 10, "old generations gone")

    def close(self) -> None:
        self.stopping.set()
        self.hammer.join(30)
        self.server.stop()


class WorkerTimedOut(Fault):
    """F7: query workers killed at the time limit. Each trial fills the pool of four workers
    with endless queries, so all four are killed at once (four faults): every request gets
    504 within the limit, the killed workers are reaped (no zombie, no orphan, no
    grandchild), the next requests are served, and the pool grows back to its size."""

    id, title, ci, nightly = "F7", "query worker killed at timeout", 50, 50
    WORKERS, TIMEOUT_S = 4, 0.5
    per_trial = WORKERS

    def __init__(self, workdir: Path, trials: int) -> None:
        super().__init__(workdir, trials)
        store = build_store(workdir / "store", sample_quads() + bulk_quads(300))
        self.server = _Server(store, timeout_s=self.TIMEOUT_S, workers=self.WORKERS)
        self.server.start()

    def trial(self, number: int) -> None:
        proc, base, size = self.server.proc, self.server.base, self.WORKERS
        assert proc is not None
        # distinct texts: identical requests in flight would share one evaluation
        endless = [query_url(base, f"# {number}-{i}\n{ENDLESS}") for i in range(size)]
        started = time.monotonic()
        threads, replies = fetch_all(endless)
        wait_for(
            lambda: list(children(proc.pid).values()).count("R") == size,
            5,
            "every worker of the pool runs an endless query",
        )
        busy = set(children(proc.pid))
        for thread in threads:
            thread.join(15)
        took = time.monotonic() - started
        check(replies == [504] * size, f"replies {replies}")
        check(took < self.TIMEOUT_S + 5, f"the 504s took {took:.1f} s")
        check(gone(busy), "killed workers not reaped")
        tree = children(proc.pid)
        check("Z" not in tree.values(), f"zombie workers: {tree}")
        check(all(children(pid) == {} for pid in tree), "a worker started processes")
        # the next requests are served (distinct again, so no cache answers them)
        fresh = [query_url(base, f"# {number}-{i}\n{QUICK}") for i in range(2 * size)]
        threads, replies = fetch_all(fresh)
        for thread in threads:
            thread.join(15)
        check(replies == [200] * (2 * size), f"after the kill: {replies}")
        wait_for(lambda: len(children(proc.pid)) == size, 5, "the pool back to its size")
        check("Z" not in children(proc.pid).values(), "zombie workers")

    def close(self) -> None:
        proc = self.server.proc
        last = set(children(proc.pid)) if proc else set()
        self.server.stop()
        wait_for(lambda: gone(last), 5, "the workers stop with the server")


#: every fault, in the table's order
FAULTS: tuple[type[Fault], ...] = (
    BuildKilled,
    ServerKilled,
    ReopenCycles,
    DiskFull,
    ReadOnlyStore,
    BuildWhileServing,
    WorkerTimedOut,
    AcknowledgedThenKilled,
)


def table(outcomes: Sequence[Outcome]) -> str:
    """A Markdown table of the outcomes: survived/total and seconds per fault."""
    lines = ["| Id | Fault | Survived / total | Seconds |", "| --- | --- | ---: | ---: |"]
    for o in outcomes:
        lines.append(f"| {o.fault} | {o.title} | {o.survived}/{o.total} | {o.seconds:.1f} |")
    return "\n".join(lines)
