"""``kg build`` while ``kg serve`` runs on the same embedded store (issue 6, RELIABILITY.md F6).

A real ``python -m kg.cli serve`` process answers on loopback while a real ``kg build``
process adds releases. The build writes a new generation of the store and switches the store
path to it (:mod:`kg.generations`); the tests check what a client sees:

* no failed request on ``/sparql`` (the ``agreements`` named query) or ``/healthz``;
* every answer is the old graph's or the new graph's, old before the build, new once it has
  exited, and never old again after new;
* the export equals the same build's without a server, and old generations are removed;
* a build killed with SIGKILL leaves the served generation untouched, and a rerun completes;
* a reader opened before the switch keeps its generation, which outlives the switch until the
  reader closes.

Every wait is bounded by a deadline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CASES, SEED
from helpers.kgrun import kg
from helpers.served import build_command, get, kg_build, query_url, serving, wait_until

from kg.generations import collect_garbage, current_identity, generation_dirs
from kg.query import query_text
from kg.sparql import serving_lock
from kg.store import EmbeddedStore

AGREEMENTS = query_text("agreements")
NEW = ("hk-mou-signed-and-witnessed", "uk-cooperation", "three-parties")

Answer = frozenset[str]


@dataclass(frozen=True)
class Releases:
    """The release folders: ``base`` is served first, ``new`` is built while serving."""

    base: Path
    new: Path
    #: the agreements each graph answers, and the export of base + new built with no server
    old_answer: Answer
    new_answer: Answer
    export: bytes


def answer_of(body: bytes) -> Answer:
    """The agreement labels of a SPARQL JSON result."""
    return frozenset(row["agreement"]["value"] for row in json.loads(body)["results"]["bindings"])


def store_answer(store: Path) -> Answer:
    with EmbeddedStore(store, read_only=True) as opened:
        return answer_of(opened.query(AGREEMENTS, "json"))


def export(store: Path) -> bytes:
    with EmbeddedStore(store, read_only=True) as opened:
        return opened.export("nquads")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    root = tmp_path_factory.mktemp("releases")
    (root / "base").mkdir()
    (root / "new").mkdir()
    shutil.copy(SEED, root / "base" / "seed.txt")
    for name in NEW:  # each case is release.txt: give each its own file name (release id)
        shutil.copy(CASES / name / "release.txt", root / "new" / f"{name}.txt")
    alone = root / "alone"
    assert kg("--store", alone, "build", root / "base").code == 0
    old = store_answer(alone)
    assert kg("--store", alone, "build", root / "new").code == 0
    new = store_answer(alone)
    assert old < new, "the new releases add agreements"
    return Releases(root / "base", root / "new", old, new, export(alone))


def base_store(path: Path, releases: Releases) -> Path:
    """A store holding the base release, built with no server (a link to its generation)."""
    assert kg("--store", path, "build", releases.base).code == 0
    assert path.is_dir() and path.is_symlink()
    return path


def served_answer(base: str) -> tuple[int, Answer | None]:
    """The status and, when 200, the answer of the ``agreements`` query through ``/sparql``."""
    try:
        with urllib.request.urlopen(query_url(base, AGREEMENTS, format="json"), timeout=15) as r:
            return int(r.status), answer_of(r.read())
    except OSError as error:
        return int(getattr(error, "code", 0)), None


class Hammer:
    """A client thread asking ``/sparql`` and ``/healthz`` in turn until stopped (60 s at most).

    ``answers`` holds ``(started, finished, status, answer)`` per query, in order.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.answers: list[tuple[float, float, int, Answer | None]] = []
        self.health: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + 60
        while not self._stop.is_set() and time.monotonic() < deadline:
            started = time.monotonic()
            status, answer = served_answer(self.base)
            self.answers.append((started, time.monotonic(), status, answer))
            self.health.append(get(f"{self.base}/healthz"))

    def __enter__(self) -> Hammer:
        self._thread.start()
        wait_until(lambda: len(self.answers) >= 3, 20, "the first answers")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def saw(self, answer: Answer, after: float = 0.0) -> bool:
        """Whether an answer equal to ``answer`` came to a query started after ``after``."""
        return any(a == answer and started > after for started, _, _, a in list(self.answers))


def test_a_build_while_serving_switches_from_old_to_new_with_no_failure(
    releases: Releases, tmp_path: Path
) -> None:
    store = base_store(tmp_path / "store", releases)
    old, new = releases.old_answer, releases.new_answer
    with serving(store) as (_proc, base), Hammer(base) as hammer:
        started = time.monotonic()
        build = kg_build(store, releases.new)
        finished = time.monotonic()
        assert build.returncode == 0, build.stderr
        assert f"built {len(NEW)} release(s)" in build.stdout
        wait_until(lambda: hammer.saw(new, after=finished), 10, "an answer after the build")
        wait_until(lambda: len(generation_dirs(store)) == 1, 10, "the old generation removed")
        # the command line reads the current generation too (beside the running server)
        query = kg("--store", store, "query", "agreements", "--format", "csv")
        assert query.code == 0 and all(label in query.out for label in new)
        assert kg("--store", store, "validate").code == 0
    assert [s for _, _, s, _ in hammer.answers if s != 200] == []
    assert hammer.health and set(hammer.health) == {200}
    seen = [answer for _, _, _, answer in hammer.answers]
    assert set(seen) == {old, new}, "every answer is the old graph's or the new one's"
    switch = seen.index(new)
    assert seen[switch:] == [new] * (len(seen) - switch), "never old again after new"
    assert all(a == old for s, _, _, a in hammer.answers if s < started)
    assert all(a == new for s, _, _, a in hammer.answers if s > finished)
    assert store.is_symlink() and generation_dirs(store) == [store.resolve()]
    assert export(store) == releases.export


def test_a_killed_build_leaves_the_served_generation_and_a_rerun_completes(
    releases: Releases, tmp_path: Path
) -> None:
    store = base_store(tmp_path / "store", releases)
    served, before = current_identity(store), export(store)
    with serving(store) as (_proc, base), Hammer(base) as hammer:
        build = subprocess.Popen(
            build_command(store, releases.new),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # the build has copied the served generation and is about to write the copy
            wait_until(lambda: generation_dirs(store) != [], 20, "the new generation exists")
            time.sleep(0.1)
            build.send_signal(signal.SIGKILL)
        finally:
            build.wait(10)
        killed = time.monotonic()
        assert current_identity(store) == served, "the killed build switched nothing"
        assert export(store) == before
        assert served_answer(base) == (200, releases.old_answer)
        rerun = kg_build(store, releases.new)
        assert rerun.returncode == 0, rerun.stderr
        wait_until(lambda: hammer.saw(releases.new_answer), 10, "the rerun's graph is served")
        wait_until(lambda: len(generation_dirs(store)) == 1, 10, "the old generations removed")
    assert [s for _, _, s, _ in hammer.answers if s != 200] == []
    assert set(hammer.health) == {200}
    assert all(a == releases.old_answer for s, _, _, a in hammer.answers if s < killed)
    assert export(store) == releases.export


def test_a_reader_keeps_its_generation_until_it_closes(releases: Releases, tmp_path: Path) -> None:
    store = base_store(tmp_path / "store", releases)
    reader = EmbeddedStore(store, read_only=True)
    try:
        with serving_lock(store):  # as `kg serve` does: the build writes a new generation
            assert kg("--store", store, "build", releases.new).code == 0
        assert store_answer(store) == releases.new_answer
        assert answer_of(reader.query(AGREEMENTS, "json")) == releases.old_answer
        assert collect_garbage(store) == [], "a generation still read is kept"
        assert len(generation_dirs(store)) == 2
    finally:
        reader.close()
    assert [path.name for path in collect_garbage(store)] != []
    assert generation_dirs(store) == [store.resolve()]
    # without a server or reader, a build publishes a new generation and removes the old one
    current = os.readlink(store)
    assert kg("--store", store, "build", "--force", releases.new).code == 0
    assert os.readlink(store) != current and export(store) == releases.export
    assert generation_dirs(store) == [store.resolve()]
