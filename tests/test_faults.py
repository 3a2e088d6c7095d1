"""Faults a running ``kg serve`` must survive (RELIABILITY.md F2, F3, F6, F7), at CI trial counts
cut to fit about a minute; every wait is bounded by a deadline.

* F2: ``kg serve`` (a real process) killed with SIGKILL mid-query, then restarted: serving again
  within 5 s, no stale lock, no worker left behind, the export hash unchanged.
* F3: the store opened, queried and closed 50 times: the same export hash every time.
* F6: ``kg build`` on the store being served writes a new generation and switches the server to
  it, 5 times, while a client hammering ``/sparql`` and ``/healthz`` sees no failed request; the
  export equals the same build's without a server, and the old generations are removed.
* F7: query workers killed at the time limit: no orphan or zombie in the server's process tree
  (read from ``/proc``), the pool back to its size, the next requests served.
"""

from __future__ import annotations

import hashlib
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import SEED, free_port
from helpers.served import (
    TIMEOUT_S,
    WORKERS,
    export_hash,
    get,
    kg_build,
    query_url,
    serving,
    start_server,
    stop,
    wait_until,
)
from helpers.webapp import build_store, bulk_quads, sample_quads

from kg.generations import generation_dirs
from kg.sparql import is_serving
from kg.store import EmbeddedStore

#: a cartesian product over the bulk graph: never finishes, so only the time limit ends it
ENDLESS = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/bulk> "
    "{ ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } }"
)
QUICK = "ASK { ?s ?p ?o }"
#: trials in CI (RELIABILITY.md asks 20 / 5 / 50 of F2 / F6 / F7: the rest run nightly)
F2_TRIALS, F6_TRIALS, F7_TRIALS, F3_CYCLES = 4, 5, 5, 50


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store: the sample release graphs and a bulk graph for endless queries."""
    return build_store(
        tmp_path_factory.mktemp("faults") / "store", sample_quads() + bulk_quads(300)
    )


def children(pid: int) -> dict[int, str]:
    """``{child pid: state}`` of the processes whose parent is ``pid`` (``Z`` = zombie)."""
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


def in_threads(urls: list[str], into: list[int]) -> list[threading.Thread]:
    """Start one thread per URL, each appending the status of its GET to ``into``."""

    def fetch(url: str) -> None:
        into.append(get(url, timeout=15))

    threads = [threading.Thread(target=fetch, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    return threads


def test_f2_sigkill_mid_query_then_restart(store: Path) -> None:
    before = export_hash(store)
    for _trial in range(F2_TRIALS):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(store, port)
        try:
            wait_until(lambda b=base: get(f"{b}/healthz", 1) == 200, 20, "first start")
            assert get(query_url(base, QUICK)) == 200
            reply: list[int] = []
            (slow,) = in_threads([query_url(base, ENDLESS)], reply)
            wait_until(lambda p=proc: len(children(p.pid)) >= 1, 5, "a worker runs the query")
            time.sleep(0.2)  # the query is in the worker now
            workers = set(children(proc.pid))
            proc.kill()
            proc.wait(10)
            slow.join(15)
            assert reply == [0], "the killed server cannot have answered"
            # the workers notice their parent is gone and exit (no orphans left running)
            wait_until(
                lambda w=workers: not any(Path(f"/proc/{p}").exists() for p in w),
                5,
                "the killed server's workers exit",
            )
            assert not is_serving(store), "the kernel dropped the serve lock with the process"
            restarted = time.monotonic()
            proc = start_server(store, port)
            wait_until(lambda b=base: get(query_url(b, QUICK), 1) == 200, 5, "restart serves")
            assert time.monotonic() - restarted < 5
        finally:
            stop(proc)
        assert not is_serving(store)
        assert export_hash(store) == before


def test_f3_reopen_cycles_keep_the_export_hash(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    build_store(copy, sample_quads())
    golden = export_hash(copy)
    for cycle in range(F3_CYCLES):
        with EmbeddedStore(copy, read_only=cycle % 2 == 1) as opened:
            _, rows = opened.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            assert int(rows[0][0] or 0) == len(sample_quads())
            assert hashlib.sha256(opened.export("nquads")).hexdigest() == golden, cycle


def test_f6_build_while_serving_switches_generation_and_no_request_fails(
    tmp_path: Path,
) -> None:
    served, alone = tmp_path / "served", tmp_path / "alone"
    for path in (served, alone):
        build_store(path, sample_quads() + bulk_quads(300))
    assert kg_build(alone, str(SEED)).returncode == 0  # the same build, with no server
    expected = export_hash(alone)
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    with serving(served) as (_proc, base):
        stop_hammer = threading.Event()
        statuses: list[int] = []

        def hammer() -> None:
            deadline = time.monotonic() + 60
            while not stop_hammer.is_set() and time.monotonic() < deadline:
                statuses.append(get(query_url(base, QUICK)))
                statuses.append(get(f"{base}/healthz"))

        thread = threading.Thread(target=hammer)
        thread.start()
        try:
            for _attempt in range(F6_TRIALS):
                # --force: every trial writes, so every trial switches to a new generation
                build = kg_build(served, "--force", str(SEED))
                assert build.returncode == 0, build.stderr
                assert "built 1 release(s)" in build.stdout
                assert served.is_symlink(), "the store path names the current generation"
        finally:
            stop_hammer.set()
            thread.join(30)
        assert len(statuses) >= 10
        assert [s for s in statuses if s != 200] == []
        with urllib.request.urlopen(query_url(base, graphs) + "&format=csv", timeout=10) as reply:
            assert reply.read().split()[-1] == b"5"  # 2 sample + bulk + the release + ontology
        assert export_hash(served) == expected
        wait_until(
            lambda: generation_dirs(served) == [served.resolve()], 10, "old generations removed"
        )


def test_f7_workers_killed_at_the_limit_leave_no_orphans(store: Path) -> None:
    with serving(store) as (proc, base):
        for _trial in range(F7_TRIALS):
            replies: list[int] = []
            started = time.monotonic()
            # each differs (a comment): identical requests in flight share one worker
            endless = [query_url(base, f"# {i}\n{ENDLESS}") for i in range(WORKERS)]
            slow = in_threads(endless, replies)
            wait_until(lambda: len(children(proc.pid)) == WORKERS, 5, "both workers busy")
            busy = set(children(proc.pid))
            for thread in slow:
                thread.join(15)
            assert replies == [504] * WORKERS
            assert time.monotonic() - started < TIMEOUT_S + 3
            assert not any(Path(f"/proc/{pid}").exists() for pid in busy), "killed, not reaped"
            tree = children(proc.pid)
            assert "Z" not in tree.values(), f"zombie workers: {tree}"
            assert all(children(pid) == {} for pid in tree), "a worker started processes"
            # the next requests are served, and the pool grows back to its size; each query
            # differs (a comment) so the result cache cannot answer it without a worker
            fresh = [query_url(base, f"# {_trial}-{i}\n{QUICK}") for i in range(2 * WORKERS)]
            for thread in in_threads(fresh, replies):
                thread.join(15)
            assert replies[WORKERS:] == [200] * (2 * WORKERS)
            tree = children(proc.pid)
            assert len(tree) <= WORKERS and "Z" not in tree.values(), tree
        wait_until(lambda: len(children(proc.pid)) == WORKERS, 5, "the pool is back to its size")
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as health:
            assert b'"workers":2' in health.read().replace(b" ", b"")
        last = set(children(proc.pid))
    wait_until(
        lambda: not any(Path(f"/proc/{pid}").exists() for pid in last), 5, "workers stop with it"
    )
