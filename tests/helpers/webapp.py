"""Helpers for the web-app tests: small on-disk stores, a trap listener, a live server and
the Chromium that drives it (also used by ``scripts/screenshot.py``)."""

from __future__ import annotations

import gc
import os
import socket
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

EX = "http://example.org/"
RELEASE_GRAPHS = (f"{EX}release/1", f"{EX}release/2")

#: Debian's Chromium (Playwright cannot download browsers here)
CHROMIUM = "/usr/bin/chromium"
#: its flags: no sandbox (root in a container), no GPU, nothing that calls home
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def build_store(path: Path, quads: Iterable[ox.Quad]) -> Path:
    """Write ``quads`` into a new on-disk store at ``path`` and close it again."""
    store = ox.Store(str(path))
    store.extend(list(quads))
    store.flush()
    del store
    gc.collect()
    return path


def publish_generation(store: Path, update: str) -> None:
    """Write a new generation of ``store`` (a copy with ``update`` applied) and switch to it,
    as ``kg build`` does beside a server."""
    from kg.generations import build_target, current_identity

    before = current_identity(store)
    with build_target(store) as target:
        writer = ox.Store(str(target.path))
        writer.update(update)
        writer.flush()
        del writer
        gc.collect()
        target.publish()
    assert current_identity(store) != before


def sample_quads() -> list[ox.Quad]:
    """Two release graphs: three organisations, labels (one with markup), an agreement."""
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    org = ox.NamedNode("http://www.w3.org/ns/org#Organization")
    one, two = (ox.NamedNode(g) for g in RELEASE_GRAPHS)
    quads = []
    for i, name in enumerate(["Department of Health", "HKSTP", "<script>alert(1)</script>"]):
        node = ox.NamedNode(f"{EX}org/{i}")
        quads.append(ox.Quad(node, kind, org, one))
        quads.append(ox.Quad(node, label, ox.Literal(name, language="en"), one))
    agreement = ox.NamedNode(f"{EX}agreement/1")
    quads.append(ox.Quad(agreement, label, ox.Literal("MOU between DH and HKSTP"), two))
    quads.append(ox.Quad(agreement, ox.NamedNode(f"{EX}party"), ox.NamedNode(f"{EX}org/0"), two))
    return quads


def bulk_quads(count: int) -> list[ox.Quad]:
    """``count`` distinct triples in one graph: enough for a cartesian product that never ends."""
    graph = ox.NamedNode(f"{EX}bulk")
    return [
        ox.Quad(ox.NamedNode(f"{EX}s/{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(i), graph)
        for i in range(count)
    ]


def child_pids() -> set[int]:
    """Process ids whose parent is this process (zombies included), read from ``/proc``."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if int(fields[1]) == me:
            found.add(int(entry.name))
    return found


def pid_exists(pid: int) -> bool:
    """Whether ``pid`` names a process (a zombie counts: it has not been reaped)."""
    return Path(f"/proc/{pid}").exists()


@contextmanager
def trap_listener() -> Iterator[tuple[int, list[Any]]]:
    """A TCP listener on a free loopback port that records every connection it accepts."""
    connections: list[Any] = []
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except (TimeoutError, OSError):
                continue
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], connections
    finally:
        stop.set()
        thread.join(5)
        server.close()


@contextmanager
def live_server(
    store: Path, config: Mapping[str, Any] | None = None, *, threads: int | None = 8
) -> Iterator[str]:
    """The app on a real waitress server on a free loopback port; yields the base URL.

    :param threads: waitress request threads (None: :func:`webapp.serve.make_server`'s default)
    """
    from waitress import wasyncore

    from webapp import close_app
    from webapp.serve import make_server

    server, app = make_server(store, host="127.0.0.1", port=0, threads=threads, config=config)
    stop = threading.Event()

    def loop() -> None:
        # waitress's own run() cannot be stopped from another thread without racing select()
        # on closed sockets (EBADF, waitress#468): poll here, and close every channel in this
        # thread once asked to stop
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        for channel in list(server._map.values()):
            channel.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.task_dispatcher.shutdown()  # request threads finish their replies first
        stop.set()
        thread.join(5)
        close_app(app)


#: Pieces of SPARQL (and of broken SPARQL) that the fuzz tests join into random requests.
SPARQL_FUZZ_TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    "?g",
    "*",
    ".",
    ";",
    ",",
    "GRAPH",
    "OPTIONAL",
    "FILTER",
    "REGEX(?o, 'a')",
    "LIMIT 5",
    "ORDER BY",
    "GROUP BY",
    "COUNT(*)",
    "AS",
    "UNION",
    "PREFIX ex: <http://example.org/>",
    "ex:a",
    "<http://example.org/x>",
    '"lit"',
    '"x"@en',
    "42",
    "a",
    "BIND",
    "VALUES ?s { <urn:x> }",
    "SERVICE <http://127.0.0.1:9/sparql>",
    "FROM <http://127.0.0.1:9/data>",
    "LOAD <http://127.0.0.1:9/x>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DROP ALL",
    "#",
    "\\",
    "\x00",
    "\ud7ff",
    "%",
    "<http://example.org/org/1>",
    "'x'",
    '"y"@en',
    "SERVICE",
    "LOAD",
    "INSERT",
    "DATA",
    "PREFIX",
    "ex:",
    "1",
    "2.5",
    "COUNT",
    "DISTINCT",
    "LIMIT",
    "VALUES",
    "<<(",
    ")>>",
    "#c\n",
    "\\u0041",
    "'''",
    "^^",
    "@",
    "FROM",
    "NAMED",
    "MINUS",
    "EXISTS",
    "NOT",
    "<",
    ">",
    "=",
]
