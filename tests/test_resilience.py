"""A build killed with SIGKILL at a random point: the store opens, every release graph is
wholly present or absent, and a rerun completes the graph (issue 6, RELIABILITY F1)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEED

from kg.build import build
from kg.cli import main
from kg.generations import build_target
from kg.store import EmbeddedStore

COPIES = 24
TRIALS = 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    meta = SEED.with_name(SEED.stem + ".meta.json")
    for i in range(COPIES):
        shutil.copy(SEED, folder / f"release-{i:03d}.txt")
        shutil.copy(meta, folder / f"release-{i:03d}.meta.json")
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, int]:
    """The export of an uninterrupted build, and the size of one release graph."""
    store = tmp_path_factory.mktemp("ref") / "store"
    assert main(["--store", str(store), "build", "--workers", "1", str(corpus)]) == 0
    with EmbeddedStore(store, read_only=True) as s:
        sizes = graph_sizes(s)
        return s.export("nquads"), next(iter(sizes.values()))


def graph_sizes(store: EmbeddedStore) -> dict[str, int]:
    _, rows = store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/partnership-graph/id/graph/')) } GROUP BY ?g"
    )
    return {g: int(n) for g, n in rows}  # type: ignore[arg-type]


@pytest.mark.parametrize("trial", range(TRIALS))
def test_sigkill_during_build_leaves_whole_graphs(
    trial: int, corpus: Path, reference: tuple[bytes, int], tmp_path: Path
) -> None:
    expected_export, graph_size = reference
    store = tmp_path / "store"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "--store",
            str(store),
            "build",
            "--workers",
            "1",
            "--checkpoint-every",
            "4",  # so kills land before, between and after published checkpoints
            str(corpus),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    # kill somewhere between start-up and the end of the build
    time.sleep(random.Random(trial).uniform(0.5, 2.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with EmbeddedStore(store) as s:  # opens after the kill, no stale lock
        sizes = graph_sizes(s)
    assert all(n == graph_size for n in sizes.values()), sizes
    assert main(["--store", str(store), "build", "--workers", "1", str(corpus)]) == 0
    with EmbeddedStore(store, read_only=True) as s:
        assert len(graph_sizes(s)) == COPIES
        assert s.export("nquads") == reference[0]
        assert s.export("nquads") == expected_export


def test_checkpoints_publish_what_a_long_build_has_written(
    corpus: Path, reference: tuple[bytes, int], tmp_path: Path
) -> None:
    """A build that dies after its second checkpoint leaves the 8 releases written by then,
    whole, as the store's current generation."""
    graph_size = reference[1]
    store = tmp_path / "store"
    published: list[int] = []
    with pytest.raises(KeyboardInterrupt), build_target(store) as target:
        writer = EmbeddedStore(target.path, bulk=True)

        def checkpoint() -> None:
            target.checkpoint(writer.oxigraph)
            published.append(len(graph_sizes(writer)))
            if len(published) == 2:
                raise KeyboardInterrupt  # as if killed here

        with writer:
            build(writer, [corpus], workers=1, checkpoint=checkpoint, checkpoint_every=4)
    assert published == [4, 8]
    with EmbeddedStore(store, read_only=True) as s:
        assert graph_sizes(s) and set(graph_sizes(s).values()) == {graph_size}
        assert len(graph_sizes(s)) == 8
    assert main(["--store", str(store), "build", "--workers", "1", str(corpus)]) == 0
    with EmbeddedStore(store, read_only=True) as s:
        assert len(graph_sizes(s)) == COPIES
        assert s.export("nquads") == reference[0]
