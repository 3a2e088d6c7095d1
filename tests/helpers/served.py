"""Helpers for tests that run ``kg serve`` and ``kg build`` as real processes on loopback:
start and stop a server, GET with the status only, poll with a deadline, export hashes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import free_port

from kg.store import EmbeddedStore

#: the servers' per-query limit and pool size
TIMEOUT_S, WORKERS = 1.0, 2


def export_hash(path: Path) -> str:
    """SHA-256 of the store's sorted N-Quads export (opened read-only, then closed)."""
    with EmbeddedStore(path, read_only=True) as opened:
        return hashlib.sha256(opened.export("nquads")).hexdigest()


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``check()`` every 50 ms until it is true; the seconds it took (fails after
    ``seconds``)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def get(url: str, timeout: float = 10.0) -> int:
    """The status of one GET (0 when no HTTP reply came at all)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)
    except OSError:
        return 0


def query_url(base: str, query: str, **params: str) -> str:
    """The ``/sparql`` GET URL of ``query`` (and any other protocol parameters)."""
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query, **params})


def start_server(
    store: Path, port: int, timeout_s: float = TIMEOUT_S, workers: int = WORKERS
) -> subprocess.Popen[bytes]:
    """``python -m kg.cli --store STORE serve --port PORT`` with a query time limit of
    ``timeout_s`` (default 1 s) and ``workers`` query workers (default 2)."""
    env = dict(
        os.environ,
        KG_QUERY_TIMEOUT_S=str(timeout_s),
        KG_QUERY_WORKERS=str(workers),
        PYTHONWARNINGS="ignore",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store), "serve", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server as Ctrl-C does (it stops its workers), killing it if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def warmed(base: str) -> bool:
    """Whether the server's warm-up (``webapp.warm``) has run for its store's state now."""
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
            return bool(json.load(response)["result_cache"]["warm"])
    except OSError:
        return False


@contextmanager
def serving(store: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A ``kg serve`` process answering on a free port, its result cache warmed (so no
    warm-up query holds a worker when the test starts); yields it and its base URL."""
    port = free_port()
    proc = start_server(store, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: warmed(base), 30, "kg serve answered /healthz, its cache warm")
        yield proc, base
    finally:
        stop(proc)


def build_command(store: Path, *args: str | Path) -> list[str]:
    """``python -m kg.cli --store STORE build ARGS`` as an argument list."""
    return [sys.executable, "-m", "kg.cli", "--store", str(store), "build", *map(str, args)]


def kg_build(store: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``kg build`` on ``store`` in a subprocess (60 s at most)."""
    return subprocess.run(
        build_command(store, *args),
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
