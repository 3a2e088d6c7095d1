"""Run the benchmarks of issue 6 and write ``BENCHMARKS.md``.

One command measures, for each corpus size, in one run:

- build throughput through ``kg build`` (``kg.build.build``, default workers) against the
  extract-only baseline (read + extract + map in the same process pool, no store), the
  store's size on disk and the build's peak memory (the whole process tree, sampled);
- p50/p95 latency of the eight named queries and three analytical ones through pyoxigraph
  directly (the baseline), the HTTP endpoint (``kg serve``: Flask on waitress), ``kg query``
  (a process per query, so start-up included) and rdflib's in-memory ``Dataset`` (the slow
  baseline, in a child process with a time limit per query);
- the endpoint under concurrent clients (threads with ``requests.Session``) for a fixed time;
- the graph viewer's first payload, when the app serves one.

Everything runs on loopback and every step has a time limit. Usage::

    .venv/bin/python -m benchmarks.run --sizes 1000 10000 [--out var/bench] [--md BENCHMARKS.md]

Figures are printed as Markdown and written to ``--md`` with the command, the machine and the
date.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox
import requests
from rdflib import URIRef
from rdflib.term import Node

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.cpu import STAGES, cpu_seconds, stage_costs
from benchmarks.generate import generate
from kg.build import build
from kg.store import GraphStore
from webapp.examples import ANALYTICAL as EXAMPLES
from webapp.examples import analytical

__all__ = ["analytical_queries", "main", "run_size"]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KG = str(BIN / "kg")

#: the day ``active-on`` asks about (within the synthetic corpora's years), also given to the
#: server as its "today" (``KG_TODAY``) so that its warm-up answers the same text
ACTIVE_ON = date(2022, 6, 30)


def analytical_queries(org: str) -> dict[str, str]:
    """The three analytical queries of issue 6: the web app's editor examples
    (:mod:`webapp.examples`), asked about ``org`` (the most frequent party) and
    :data:`ACTIVE_ON`."""
    return {name: text for name, _, text in analytical(org, ACTIVE_ON)}


# --- small helpers ---------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ms(seconds: float) -> str:
    """Seconds as a millisecond figure for the tables."""
    if seconds != seconds:  # NaN
        return "-"
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def ratio(a: float, b: float) -> str:
    """``a / b`` for the tables."""
    if a != a or b != b or b <= 0:
        return "-"
    return f"{a / b:.1f}x"


def du(path: Path) -> int:
    """Bytes of the files under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of ``proc`` and all its descendants."""
    total = 0
    with contextlib.suppress(psutil.Error):
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
    return total


class RssSampler:
    """Samples the resident memory of a process tree in a thread; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.proc = psutil.Process(pid)
        self.every = every
        self.peak_tree = 0
        self.peak_main = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak_tree = max(self.peak_tree, tree_rss(self.proc))
            with contextlib.suppress(psutil.Error):
                self.peak_main = max(self.peak_main, self.proc.memory_info().rss)
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_runs(
    fn: Callable[[], Any], reps: int, budget: float, warmup: int = 1
) -> tuple[list[float], Any]:
    """Run ``fn`` ``warmup`` times, then up to ``reps`` timed times within ``budget`` seconds."""
    last = None
    for _ in range(warmup):
        last = fn()
    times: list[float] = []
    stop_at = time.monotonic() + budget
    for _ in range(reps):
        started = time.perf_counter()
        last = fn()
        times.append(time.perf_counter() - started)
        if time.monotonic() > stop_at:
            break
    return times, last


# --- the measured steps -----------------------------------------------------------------------


class _Discard(GraphStore):
    """A store that keeps nothing: the build's baseline (:func:`extract_only`)."""

    location = "(nowhere)"

    def __init__(self) -> None:
        self.graphs = 0

    def write_graphs(
        self, graphs: Iterable[tuple[URIRef, bytes]], *, checked: bool = False, batch: int = 64
    ) -> None:
        self.graphs += sum(1 for _ in graphs)

    def replace_graphs(self, graphs: Sequence[tuple[URIRef, bytes]]) -> None:
        self.graphs += len(graphs)

    def add_to_graph(self, graph: URIRef, quads: Iterable[tuple[Node, Node, Node, Node]]) -> None:
        pass

    def drop_graph(self, graph: URIRef) -> None:
        pass

    def query(self, sparql: str, result_format: str = "json") -> bytes:
        return b""

    def select(self, sparql: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        return [], []  # holds no release, no renewal, no ontology

    def export(self, fmt: str = "nquads") -> bytes:
        return b""


def extract_only(files: list[Path], workers: int | None) -> dict[str, Any]:
    """The build's baseline: ``kg.build.build`` itself (the same pool of workers reading,
    extracting, mapping and validating, in the same chunks), writing to a store that keeps
    nothing."""
    started, cpu = time.perf_counter(), cpu_seconds()
    report = build(_Discard(), files, workers=workers)
    seconds = time.perf_counter() - started
    return {
        "files": len(files),
        "ok": len(report.built),
        "quads": report.triples,
        "seconds": seconds,
        "rate": len(files) / seconds,
        "cpu_ms": (cpu_seconds() - cpu) * 1000 / max(1, len(files)),
    }


def kg_extract_cli(files: list[Path], n: int = 5) -> dict[str, Any]:
    """``kg extract FILE`` as a user runs it, one process per release (start-up included)."""
    times = []
    for f in files[:n]:
        started = time.perf_counter()
        subprocess.run([KG, "extract", str(f)], capture_output=True, timeout=120, check=False)
        times.append(time.perf_counter() - started)
    return {"p50": pct(times, 50), "rate": 1 / statistics.median(times) if times else 0.0}


_SUMMARY = re.compile(
    r"built (\d+) release\(s\), skipped (\d+) unchanged, failed (\d+); (\d+) agreement\(s\), "
    r"(\d+) triples in ([\d.]+) s"
)


def remove_store(store: Path) -> None:
    """Remove an embedded store: its link and every generation beside it (kg.generations)."""
    if store.is_symlink():
        store.unlink()
    shutil.rmtree(store, ignore_errors=True)
    for generation in store.parent.glob(f"{store.name}.gen-*"):
        shutil.rmtree(generation, ignore_errors=True)


def kg_build(store: Path, corpus: Path, timeout: float) -> dict[str, Any]:
    """``kg --store STORE build CORPUS`` in a child process, with its peak tree memory."""
    cmd = [KG, "--store", str(store), "build", str(corpus)]
    started, cpu = time.perf_counter(), cpu_seconds(own=False)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with RssSampler(proc.pid) as sampler:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise RuntimeError(f"kg build passed its {timeout:.0f} s limit") from None
    wall = time.perf_counter() - started
    cpu = cpu_seconds(own=False) - cpu  # the child and its pool, all waited for
    m = _SUMMARY.search(out)
    if not m:
        raise RuntimeError(f"kg build failed (exit {proc.returncode}): {err[-2000:]}")
    built, skipped, failed, agreements, triples = (int(x) for x in m.groups()[:5])
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    unsure = sum(1 for line in err.splitlines() if line.startswith("unsure:"))
    return {
        "exit": proc.returncode,
        "built": built,
        "skipped": skipped,
        "failed": failed,
        "agreements": agreements,
        "triples": triples,
        "seconds": wall,
        "inner_seconds": float(m.group(6)),
        "rate": (built + skipped) / wall if wall else 0.0,
        "cpu_ms": cpu * 1000 / max(1, built + skipped),
        "peak_tree_rss": sampler.peak_tree,
        "peak_main_rss": sampler.peak_main,
        "errors": errors[:5],
        "unsure": unsure,
    }


@dataclass
class Server:
    """A ``kg serve`` process on loopback."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path
    note: str = ""

    def stop(self) -> None:
        """Stop the server this run started (SIGTERM, then SIGKILL) and its workers."""
        children = []
        with contextlib.suppress(psutil.Error):
            children = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.wait(5)
            with contextlib.suppress(psutil.Error):
                child.kill()


def start_server(
    store: Path, log: Path, timeout: float = 60.0, env: dict[str, str] | None = None
) -> Server | str:
    """Start the endpoint on a free loopback port: ``kg serve``, else ``webapp.serve.serve``
    (the same waitress server, for when the CLI's entry is broken); the server, or why not.

    :param env: environment variables to set for it (``KG_CACHE_BYTES=0``: no result cache)
    """
    reasons = []
    for how in ("cli", "module"):
        port = free_port()
        if how == "cli":
            cmd = [KG, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(port)]
        else:
            code = f"from webapp.serve import serve; serve({str(store)!r}, '127.0.0.1', {port})"
            cmd = [sys.executable, "-c", code]
        started = _start(cmd, f"http://127.0.0.1:{port}", log, timeout, env or {})
        if isinstance(started, Server):
            if reasons:
                started.note = f"`kg serve` failed ({reasons[0]}); served by webapp.serve.serve"
            return started
        reasons.append(started)
    return "; ".join(reasons)


def _start(
    cmd: list[str], base: str, log: Path, timeout: float, env: dict[str, str]
) -> Server | str:
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            cmd, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **env}
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:]
            return f"{Path(cmd[0]).name} exited with {proc.returncode}: {' '.join(tail)}"
        with contextlib.suppress(requests.RequestException):
            r = requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=5)
            if r.status_code == 200:
                return Server(proc, base, log)
        time.sleep(0.3)
    proc.kill()
    proc.wait()
    return f"{Path(cmd[0]).name} did not answer within {timeout:.0f} s"


@dataclass
class QueryFigures:
    """Latencies (seconds) of one query through each path."""

    rows: int = 0
    direct: list[float] = field(default_factory=list)
    #: through a server with the result cache off (``KG_CACHE_BYTES=0``), and with it warm
    http_cold: list[float] = field(default_factory=list)
    http: list[float] = field(default_factory=list)
    http_rows_truncated: bool = False
    http_status: Counter[int] = field(default_factory=Counter)
    cli: list[float] = field(default_factory=list)
    rdflib: dict[str, Any] = field(default_factory=dict)


def wait_warm(base: str, timeout: float = 600.0) -> float | None:
    """Seconds until the server's warm-up has filled its result cache (``/healthz``), measured
    from now; ``None`` when it reports no warm-up or did not finish within ``timeout``."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        cache = requests.get(f"{base}/healthz", timeout=10).json().get("result_cache")
        if not cache:
            return None
        if cache["warm"]:
            return time.perf_counter() - started
        time.sleep(0.2)
    return None


def top_org_iri(store: ox.Store, name: str) -> str:
    """The IRI of the organisation whose preferred label is ``name`` (the most frequent party)."""
    q = (
        "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?o "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> " + json.dumps(name) + " } }"
    )
    found = [s["o"].value for s in store.query(q)]  # type: ignore[union-attr, index]
    if not found:
        raise RuntimeError(f"the most frequent party {name!r} is not in the graph")
    return sorted(found)[0]


def direct_run(store: ox.Store, sparql: str) -> bytes:
    """pyoxigraph directly: evaluate and serialise as SPARQL JSON (what an endpoint must do)."""
    result = store.query(sparql)
    return bytes(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")  # type: ignore[union-attr]


def count_rows(body: bytes) -> int:
    """Solutions in a SPARQL JSON result."""
    return len(json.loads(body)["results"]["bindings"]) if body else 0


def http_run(session: requests.Session, base: str, sparql: str) -> requests.Response:
    """One GET of the endpoint, SPARQL JSON results."""
    return session.get(
        f"{base}/sparql",
        params={"query": sparql},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )


def cli_run(store: Path, spec: str) -> None:
    """``kg query SPEC --format csv`` in its own process."""
    r = subprocess.run(
        [KG, "--store", str(store), "query", spec, "--format", "csv"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if r.returncode != 0:
        raise RuntimeError(f"kg query failed: {r.stderr.decode()[-300:]}")


def load_test(
    base: str, queries: list[str], clients: int, seconds: float, server_pid: int
) -> dict[str, Any]:
    """``clients`` threads, each with its own session, round-robin over ``queries``.

    A client that gets 503 waits as ``Retry-After`` asks (bounded by the deadline), as a
    well-behaved SPARQL client does, instead of hammering the server; the 503s are counted.
    """
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        session = requests.Session()
        i = k
        while time.monotonic() < deadline:
            sparql = queries[i % len(queries)]
            i += 1
            started = time.perf_counter()
            wait = 0.0
            try:
                r = http_run(session, base, sparql)
                status = str(r.status_code)
                if r.status_code == 503:
                    wait = float(r.headers.get("Retry-After", "1") or 1)
            except (requests.RequestException, ValueError) as exc:
                status = type(exc).__name__
            took = time.perf_counter() - started
            with lock:
                statuses[status] += 1
                if status == "200":
                    latencies.append(took)
            if wait:
                time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
        session.close()

    with RssSampler(server_pid, every=0.5) as sampler:
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 90)
        wall = time.perf_counter() - started
    total = sum(statuses.values())
    ok = statuses.get("200", 0)
    return {
        "clients": clients,
        "seconds": wall,
        "requests": total,
        "ok": ok,
        "throughput": ok / wall,
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "statuses": dict(statuses),
        "shed": statuses.get("503", 0),
        "errors": total - ok,
        "server_peak_rss": sampler.peak_tree,
    }


def viewer_payload(base: str) -> dict[str, Any]:
    """Size and time of the graph viewer's first data payload, if the app serves one."""
    out: dict[str, Any] = {}
    with requests.Session() as s:
        for path in ("/graph/data.json", "/graph"):
            times: list[float] = []
            size, status = 0, 0
            for _ in range(5):
                started = time.perf_counter()
                r = s.get(base + path, timeout=60)
                times.append(time.perf_counter() - started)
                size, status = len(r.content), r.status_code
                if status != 200:
                    break
            out[path] = {"status": status, "bytes": size, "p50": pct(times, 50)}
    return out


# --- one size ---------------------------------------------------------------------------------


def run_size(size: int, args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    """Every figure for one corpus size."""
    work = Path(args.out)
    corpus_dir = work / f"corpus-{size}"
    store_dir = work / f"store-{size}"
    res: dict[str, Any] = {"size": size, "notes": []}

    started = time.perf_counter()
    corpus = generate(corpus_dir, size, args.seed)
    res["generate_seconds"] = time.perf_counter() - started
    top_name = max(corpus.party_counts.items(), key=lambda kv: (kv[1], kv[0]))
    res["top_party"] = {"name": top_name[0], "releases": top_name[1]}
    files = sorted(corpus_dir.glob("*.txt"))
    say(f"[{size}] corpus ready ({res['generate_seconds']:.1f} s); extract-only baseline")

    step = max(1, len(files) // args.extract_sample)
    sample = files[::step]
    res["extract"] = extract_only(sample, None)
    res["kg_extract_cli"] = kg_extract_cli(files)
    say(f"[{size}] CPU of each stage")
    res["stages"] = stage_costs(files[:: max(1, len(files) // args.stage_sample)], work)

    say(f"[{size}] kg build")
    remove_store(store_dir)
    res["build"] = kg_build(store_dir, corpus_dir, args.build_timeout)
    if size <= args.rebuild_max:
        res["rebuild"] = kg_build(store_dir, corpus_dir, args.build_timeout)
    else:
        res["rebuild"] = None
        res["notes"].append(f"unchanged rebuild not timed above {args.rebuild_max} releases")
    res["store_bytes"] = du(store_dir.resolve())  # the store path links to its generation

    store = ox.Store.read_only(str(store_dir))
    res["quads"] = len(store)
    res["graphs"] = sum(1 for _ in store.named_graphs())
    org = top_org_iri(store, res["top_party"]["name"])
    res["top_party"]["iri"] = org
    res["top_party"]["graphs_naming_it"] = next(
        iter(
            store.query(
                f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ <{org}> ?p ?o }} }}"
            )
        )
    )["n"].value  # type: ignore[index]

    from kg.query import NAMED_QUERIES, query_text

    queries = {name: query_text(name) for name in NAMED_QUERIES}
    queries.update(analytical_queries(org))
    figures = {name: QueryFigures() for name in queries}

    say(f"[{size}] pyoxigraph direct")
    for name, sparql in queries.items():
        times, body = timed_runs(
            lambda s=sparql, st=store: direct_run(st, s), args.reps, args.budget
        )
        figures[name].direct, figures[name].rows = times, count_rows(body)

    say(f"[{size}] kg query (one process per query)")
    startup, _ = timed_runs(lambda: cli_run(store_dir, "ASK {}"), args.cli_reps, args.budget)
    res["cli_startup"] = startup
    for name, sparql in queries.items():
        spec = name if name in NAMED_QUERIES else sparql
        figures[name].cli, _ = timed_runs(
            lambda s=spec: cli_run(store_dir, s), args.cli_reps, args.budget, warmup=0
        )

    say(f"[{size}] HTTP endpoint, result cache off")
    today = {"KG_TODAY": ACTIVE_ON.isoformat()}
    cold = start_server(
        store_dir, work / f"serve-{size}-cold.log", env={"KG_CACHE_BYTES": "0", **today}
    )
    if isinstance(cold, str):
        res["notes"].append(f"HTTP endpoint without cache not measured: {cold}")
    else:
        try:
            with requests.Session() as session:
                for name, sparql in queries.items():

                    def uncached(s: str = sparql, base: str = cold.base) -> None:
                        http_run(session, base, s)

                    figures[name].http_cold, _ = timed_runs(uncached, args.reps, args.budget)
        finally:
            cold.stop()

    say(f"[{size}] HTTP endpoint, result cache on")
    server = start_server(store_dir, work / f"serve-{size}.log", env=today)
    if isinstance(server, str):
        res["notes"].append(f"HTTP endpoint not measured: {server}")
        res["load"] = None
        res["viewer"] = None
    else:
        if server.note:
            res["notes"].append(server.note)
        try:
            res["warm_up_seconds"] = wait_warm(server.base)
            res["server_idle_rss"] = tree_rss(psutil.Process(server.proc.pid))
            with requests.Session() as session:
                for name, sparql in queries.items():
                    fig = figures[name]

                    def one(s: str = sparql, f: QueryFigures = fig) -> None:
                        r = http_run(session, server.base, s)
                        f.http_status[r.status_code] += 1
                        f.http_rows_truncated |= r.headers.get("X-KG-Truncated") == "true"

                    fig.http, _ = timed_runs(one, args.reps, args.budget)
            res["server_after_queries_rss"] = tree_rss(psutil.Process(server.proc.pid))
            named = [queries[n] for n in NAMED_QUERIES]
            res["loads"] = []
            for clients in args.clients:
                say(f"[{size}] {clients} clients for {args.load_seconds:.0f} s")
                res["loads"].append(
                    load_test(server.base, named, clients, args.load_seconds, server.proc.pid)
                )
            res["load"] = res["loads"][0]
            res["viewer"] = viewer_payload(server.base)
        finally:
            server.stop()

    if size <= args.rdflib_max:
        say(f"[{size}] rdflib in-memory baseline")
        res["rdflib"] = rdflib_baseline(store, queries, work, size, args)
        for name, fig in figures.items():
            fig.rdflib = res["rdflib"].get("queries", {}).get(name, {})
    else:
        res["notes"].append(
            f"rdflib baseline skipped above {args.rdflib_max} releases "
            f"({res['quads']:,} quads would need tens of GB in rdflib's in-memory store)"
        )
        res["rdflib"] = None
    del store  # closes it (pyoxigraph has no close())
    res["queries"] = {
        name: {
            "rows": f.rows,
            "direct": f.direct,
            "http_cold": f.http_cold,
            "http": f.http,
            "http_status": dict(f.http_status),
            "http_truncated": f.http_rows_truncated,
            "cli": f.cli,
            "rdflib": f.rdflib,
        }
        for name, f in figures.items()
    }
    return res


def rdflib_baseline(
    store: ox.Store, queries: dict[str, str], work: Path, size: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Dump the store as N-Quads and time the same queries on rdflib in a child process."""
    data = work / f"dump-{size}.nq"
    qfile = work / f"queries-{size}.json"
    out = work / f"rdflib-{size}.json"
    with data.open("wb") as fh:
        store.dump(fh, format=ox.RdfFormat.N_QUADS)
    # analytical queries first: the rdflib target is about them
    ordered = dict(sorted(queries.items(), key=lambda kv: kv[0] not in EXAMPLES))
    qfile.write_text(json.dumps(ordered), encoding="utf-8")
    out.unlink(missing_ok=True)
    limit = args.rdflib_load_timeout + len(queries) * (args.rdflib_timeout + 10)
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.rdflib_baseline",
        str(data),
        str(qfile),
        str(out),
        "--reps",
        str(args.rdflib_reps),
        "--timeout",
        str(args.rdflib_timeout),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    with RssSampler(proc.pid, every=1.0) as sampler:
        try:
            proc.wait(limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    result: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    result["peak_rss"] = sampler.peak_tree
    data.unlink(missing_ok=True)
    return result


# --- report -----------------------------------------------------------------------------------


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def markdown(results: list[dict[str, Any]], command: str, started: dt.datetime) -> str:
    """The report: machine, command, tables per size, verdicts."""
    mem = psutil.virtual_memory().total
    lines = [
        "# Benchmarks",
        "",
        "Measured by `benchmarks/run.py` (issue 6). Reproduce with:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"- Machine: {os.cpu_count()} cores (nproc), {mem / 2**30:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__}",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; corpus seed {results[0]['seed']}; load average "
        f"at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())} (the machine is shared "
        "with other work, so absolute latencies carry noise; ratios are taken in the same run)",
        "- Corpora: synthetic releases from `benchmarks/generate.py` (four house styles, "
        "Zipf-like recurring organisations, people changing posts over time).",
        "- Latencies in ms; pN = N-th percentile. Ratios are measured in the same run.",
        "",
        "## Build",
        "",
        "| releases | quads | built / failed | build rel/s | extract-only rel/s "
        "| build / extract | unchanged rebuild | store on disk | build peak RSS (tree) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        b, e, rb = r["build"], r["extract"], r["rebuild"]
        rebuild = f"{rb['seconds']:.1f} s ({rb['skipped']:,} skipped)" if rb else "not timed"
        lines.append(
            f"| {r['size']:,} | {r['quads']:,} | {b['built']:,} / {b['failed']} | "
            f"{b['rate']:.0f} | {e['rate']:.0f} | {b['rate'] / e['rate']:.2f} | "
            f"{rebuild} | {_mb(r['store_bytes'])} | "
            f"{_mb(b['peak_tree_rss'])} |"
        )
    lines += [
        "",
        "Build rate = releases / wall time of the whole `kg build` process (start-up, pool, "
        "bulk-loaded writes, checkpoints, ontology). Extract-only = `kg.build.build` itself "
        "(the same pool reading, extracting, mapping and validating, in the same chunks) "
        "writing to a store that keeps nothing, in this process: the baseline the store's "
        "cost is measured against.",
    ]
    lines += cpu_table(results)
    for r in results:
        cli = r["kg_extract_cli"]
        lines.append(
            f"- {r['size']:,}: `kg extract FILE` as a separate process takes "
            f"{ms(cli['p50'])} ms per release (p50, start-up included); the most frequent "
            f"party ({r['top_party']['name']}) is a party in {r['top_party']['releases']:,} "
            f"releases and its one IRI appears in {r['top_party']['graphs_naming_it']} "
            "named graphs."
        )
    for r in results:
        lines += ["", f"## Queries at {r['size']:,} releases", ""]
        lines += [
            "| query | rows | pyoxigraph p50 / p95 | HTTP cold p50 / p95 | cold / pyoxigraph "
            "(p50) | HTTP warm p50 / p95 | `kg query` p50 / p95 | rdflib p50 | "
            "rdflib / pyoxigraph |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, q in r["queries"].items():
            d50, d95 = pct(q["direct"], 50), pct(q["direct"], 95)
            h50, h95 = pct(q["http"], 50), pct(q["http"], 95)
            cold = q.get("http_cold") or [float("nan")]
            o50, o95 = pct(cold, 50), pct(cold, 95)
            c50, c95 = pct(q["cli"], 50), pct(q["cli"], 95)
            rq = q["rdflib"] or {}
            if rq.get("times"):
                r50 = pct(rq["times"], 50)
                rdf, rdr = ms(r50), ratio(r50, d50)
            elif rq.get("timed_out"):
                rdf, rdr = f"> {rq['timeout'] * 1000:.0f}", f"> {rq['timeout'] / d50:.0f}x"
            else:
                rdf, rdr = "-", "-"
            trunc = " (truncated)" if q["http_truncated"] else ""
            bad = {k: v for k, v in q["http_status"].items() if str(k) != "200"}
            status = f" {bad}" if bad else ""
            lines.append(
                f"| {name} | {q['rows']:,} | {ms(d50)} / {ms(d95)} | {ms(o50)} / {ms(o95)} | "
                f"{ratio(o50, d50)} | {ms(h50)} / {ms(h95)}{trunc}{status} | "
                f"{ms(c50)} / {ms(c95)} | {rdf} | {rdr} |"
            )
        lines.append("")
        lines.append(
            "HTTP cold: a server with the result cache off (`KG_CACHE_BYTES=0`); HTTP warm: the "
            "default server, measured once its warm-up had filled the cache"
            + (
                f" ({r['warm_up_seconds']:.1f} s after it answered)."
                if r.get("warm_up_seconds") is not None
                else "."
            )
        )
        lines.append(
            f"`kg query 'ASK {{}}'` (start-up + open store + trivial query): "
            f"p50 {ms(pct(r['cli_startup'], 50))} ms."
        )
        rd = r.get("rdflib")
        if rd:
            lines.append(
                f"rdflib: loading {r['quads']:,} quads took "
                f"{rd.get('load_seconds', float('nan')):.0f} s, "
                f"peak {_mb(rd.get('peak_rss', 0))}."
            )
        for note in r["notes"]:
            lines.append(f"- Note: {note}")
        loads = r.get("loads") or []
        if loads:
            lines += [
                "",
                f"Endpoint under load ({loads[0]['seconds']:.0f} s per run, the 8 named queries "
                "round-robin, clients honour `Retry-After`):",
                "",
                "| clients | requests | 200 OK/s | p50 | p99 | 503 (shed) | other errors | "
                "server peak RSS (tree) |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
            ]
            for load in loads:
                other = {k: v for k, v in load["statuses"].items() if k not in ("200", "503")}
                lines.append(
                    f"| {load['clients']} | {load['requests']:,} | {load['throughput']:.1f} | "
                    f"{ms(load['p50'])} | {ms(load['p99'])} | {load['shed']:,} | "
                    f"{sum(other.values())} {json.dumps(other) if other else ''} | "
                    f"{_mb(load['server_peak_rss'])} |"
                )
        viewer = r.get("viewer")
        if viewer:
            lines += ["", "Graph viewer:", ""]
            for path, v in viewer.items():
                lines.append(
                    f"- `{path}`: HTTP {v['status']}, {v['bytes']:,} bytes, p50 {ms(v['p50'])} ms"
                )
    lines += ["", "## Targets (issue 6)", "", *verdicts(results)]
    return "\n".join(lines) + "\n"


def ceiling(cpu_ms: float) -> float:
    """The most releases per second this machine's cores can build at ``cpu_ms`` a release."""
    return (os.cpu_count() or 1) * 1000 / cpu_ms if cpu_ms > 0 else float("inf")


def cpu_table(results: list[dict[str, Any]]) -> list[str]:
    """Where the build's CPU goes, per release, and the throughput it allows on this machine."""
    measured = [r for r in results if r.get("stages") and "cpu_ms" in r["build"]]
    if not measured:
        return []
    cores = os.cpu_count() or 1
    lines = [
        "",
        "### Where the build's CPU goes",
        "",
        "CPU ms per release. The stages are timed one by one in one process over a sample "
        "(`benchmarks/cpu.py`); *store* there is the sample's bulk load into a fresh store. "
        "The last columns are whole runs: the baseline's CPU (the pool and this process, no "
        "store), `kg build`'s CPU (the process and its workers), and what the store adds at "
        f"this size (their difference). A build bound by CPU on {cores} cores cannot go faster "
        f"than {cores} * 1000 / (build CPU) releases/s: the ceiling.",
        "",
        "| releases | quads a release | "
        + " | ".join(STAGES)
        + " | baseline CPU | build CPU | store at this size | ceiling rel/s | build rel/s |",
        "| ---: | ---: | " + " | ".join("---:" for _ in STAGES) + " | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for r in measured:
        st, b, e = r["stages"], r["build"], r["extract"]
        lines.append(
            f"| {r['size']:,} | {st['quads_per_release']:.0f} | "
            + " | ".join(f"{st['ms'][stage]:.1f}" for stage in STAGES)
            + f" | {e['cpu_ms']:.1f} | {b['cpu_ms']:.1f} | {b['cpu_ms'] - e['cpu_ms']:.1f} | "
            f"{ceiling(b['cpu_ms']):.0f} | {b['rate']:.0f} |"
        )
    return [*lines, ""]


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    """One line per target of issue 6: met, missed or not measured, with the figure."""
    from kg.query import NAMED_QUERIES

    out = ["| target | figure | verdict |", "| --- | --- | --- |"]
    by = {r["size"]: r for r in results}
    largest = results[-1]

    rates = ", ".join(f"{r['build']['rate']:.0f} at {r['size']:,}" for r in results)
    ceilings = [
        f"{ceiling(r['build']['cpu_ms']):.0f} at {r['size']:,}"
        for r in results
        if "cpu_ms" in r["build"]
    ]
    if ceilings:
        rates += f" (CPU ceiling on {os.cpu_count()} cores: {', '.join(ceilings)})"
    ok = all(r["build"]["rate"] >= 100 for r in results)
    out.append(f"| build ≥ 100 releases/s | {rates} | {'met' if ok else 'MISSED'} |")

    r10 = by.get(10000)
    if r10 and any(r10["queries"][n]["http"] for n in NAMED_QUERIES):
        worst = max((pct(r10["queries"][n]["http"], 95), n) for n in NAMED_QUERIES)
        out.append(
            f"| named queries p95 < 50 ms at 10k (endpoint) | worst {worst[1]} "
            f"{ms(worst[0])} ms | {'met' if worst[0] < 0.05 else 'MISSED'} |"
        )
    else:
        out.append("| named queries p95 < 50 ms at 10k (endpoint) | not measured | - |")

    if largest["queries"] and any(q.get("http_cold") for q in largest["queries"].values()):
        worst_ratio = max(
            (pct(q["http_cold"], 50) / pct(q["direct"], 50), n)
            for n, q in largest["queries"].items()
            if q.get("http_cold") and q["direct"]
        )
        out.append(
            f"| endpoint (cache off) within 1.5x raw pyoxigraph (p50, {largest['size']:,}) | worst "
            f"{worst_ratio[1]} {worst_ratio[0]:.1f}x | "
            f"{'met' if worst_ratio[0] <= 1.5 else 'MISSED'} |"
        )
    else:
        out.append("| endpoint within 1.5x raw pyoxigraph | not measured | - |")

    rd = [r for r in results if r.get("rdflib")]
    if rd:
        r = rd[-1]
        parts, good = [], True
        for n in EXAMPLES:
            q = r["queries"][n]
            d50 = pct(q["direct"], 50)
            rq = q["rdflib"] or {}
            if rq.get("times"):
                f = pct(rq["times"], 50) / d50
                parts.append(f"{n} {f:.0f}x")
            elif rq.get("timed_out"):
                f = rq["timeout"] / d50
                parts.append(f"{n} > {f:.0f}x")
            else:
                f = 0.0
                parts.append(f"{n} not run")
            good &= f >= 20
        out.append(
            f"| aggregates ≥ 20x faster than rdflib in-memory ({r['size']:,}) | "
            f"{', '.join(parts)} | {'met' if good else 'MISSED'} |"
        )
    else:
        out.append("| aggregates ≥ 20x faster than rdflib | not measured | - |")

    loads = [(r["size"], load) for r in results for load in r.get("loads") or []]
    if loads:
        errs = ", ".join(
            f"{load['errors']:,} of {load['requests']:,} ({load['shed']:,} were 503) with "
            f"{load['clients']} clients at {s:,}"
            for s, load in loads
        )
        out.append(
            f"| zero errors under concurrency | {errs} | "
            f"{'met' if all(load['errors'] == 0 for _, load in loads) else 'MISSED'} |"
        )
    else:
        out.append("| zero errors under concurrency | not measured | - |")

    viewer = [(r["size"], r["viewer"]) for r in results if r.get("viewer")]
    data = [(s, v["/graph/data.json"]) for s, v in viewer if v["/graph/data.json"]["status"] == 200]
    if data:
        s, v = data[-1]
        verdict = ("met" if v["bytes"] < 2**20 else "MISSED") if s >= 100000 else "not at 100k"
        out.append(
            f"| viewer first payload < 1 MB at 100k | {v['bytes']:,} bytes at {s:,} | {verdict} |"
        )
    else:
        out.append("| viewer first payload < 1 MB at 100k | no `/graph/data.json` served | - |")

    rss = [
        (r["quads"], max(load["server_peak_rss"] for load in r["loads"]), r["size"])
        for r in results
        if r.get("loads")
    ]
    big = [x for x in rss if x[0] >= 1_000_000]
    if big:
        q, peak, s = big[0]
        out.append(
            f"| server < 1 GB RSS at 1M triples | {_mb(peak)} peak under load at {q:,} quads "
            f"({s:,} releases) | {'met' if peak < 2**30 else 'MISSED'} |"
        )
    else:
        out.append("| server < 1 GB RSS at 1M triples | no run reached 1M quads | - |")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: run the sizes, print the report, write it to ``--md``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", default=str(ROOT / "var" / "bench"), help="work directory")
    parser.add_argument("--md", default=str(ROOT / "BENCHMARKS.md"), help="report to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reps", type=int, default=30, help="timed runs per query and path")
    parser.add_argument("--cli-reps", type=int, default=5, help="timed `kg query` runs")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query and path")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[32, 16], help="concurrent clients per load run"
    )
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--extract-sample", type=int, default=10000)
    parser.add_argument(
        "--stage-sample", type=int, default=400, help="releases timed stage by stage"
    )
    parser.add_argument(
        "--reuse",
        type=int,
        nargs="*",
        default=[],
        help="sizes whose results-SIZE.json from an earlier run are reported again, not re-run",
    )
    parser.add_argument("--build-timeout", type=float, default=3600.0)
    parser.add_argument(
        "--rebuild-max", type=int, default=10**9, help="largest size whose no-op rebuild is timed"
    )
    parser.add_argument("--rdflib-max", type=int, default=10000, help="largest size for rdflib")
    parser.add_argument("--rdflib-reps", type=int, default=3)
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, help="seconds per query")
    parser.add_argument("--rdflib-load-timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)

    def say(msg: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    results = []
    for size in args.sizes:
        saved = Path(args.out) / f"results-{size}.json"
        if size in args.reuse and saved.is_file():
            say(f"[{size}] figures reused from {saved}")
            results.append(json.loads(saved.read_text()))
            continue
        r = run_size(size, args, say)
        r["seed"] = args.seed
        results.append(r)
        (Path(args.out) / f"results-{size}.json").write_text(json.dumps(r, default=str, indent=1))
    command = ".venv/bin/python -m benchmarks.run " + shlex.join(argv or sys.argv[1:])
    report = markdown(results, command, started)
    print(report)
    write_report(Path(args.md), report)
    return 0


#: the line of BENCHMARKS.md after which the text is written by hand and kept by each run
HAND_WRITTEN = "<!-- written by hand below this line: benchmarks.run keeps it -->"


def write_report(path: Path, report: str) -> None:
    """Write the measured report to ``path``, keeping what follows :data:`HAND_WRITTEN` there."""
    kept = ""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if HAND_WRITTEN in old:
            kept = old[old.index(HAND_WRITTEN) :]
    path.write_text(report.rstrip("\n") + "\n\n" + (kept or HAND_WRITTEN + "\n"), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
