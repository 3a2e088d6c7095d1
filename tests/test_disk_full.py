"""A full disk mid-ingest (RELIABILITY F4): a clean one-line error, no partial release, and
after space is freed the store opens, each release graph is whole or absent, and a rerun
completes the graph.

The disk is a small tmpfs mounted for the test (CI runs as root on Linux, as the README says);
a filler file takes all but a few KiB or MiB of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CASES

from kg.store import EmbeddedStore

DATA_GRAPHS = "https://w3id.org/partnership-graph/id/graph/"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test (needs root): {done.stderr}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for case in sorted(CASES.iterdir()):
        release = case / "release.txt"
        if release.is_file():
            shutil.copy(release, folder / f"{case.name}.txt")
            meta = case / "release.meta.json"
            if meta.is_file():
                shutil.copy(meta, folder / f"{case.name}.meta.json")
    return folder


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300
    )


def graph_sizes(store: Path) -> dict[str, int]:
    with EmbeddedStore(store, read_only=True) as s:
        _, rows = s.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), '{DATA_GRAPHS}')) }} GROUP BY ?g"
        )
    return {str(g): int(str(n)) for g, n in rows}


@pytest.mark.parametrize("left", [64 * 1024, 512 * 1024, 2 * 1024 * 1024])
def test_disk_full_mid_ingest(left: int, small_disk: Path, corpus: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert kg("--store", str(reference), "build", "--no-validate", str(corpus)).returncode == 0
    expected = graph_sizes(reference)

    store = small_disk / "store"
    first = next(iter(sorted(corpus.glob("*.txt"))))
    assert kg("--store", str(store), "build", "--no-validate", str(first)).returncode == 0
    before = kg("--store", str(store), "export").stdout

    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    with filler.open("wb") as handle:
        os.posix_fallocate(handle.fileno(), 0, max(0, free - left))
    done = kg("--store", str(store), "build", "--no-validate", str(corpus))
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in done.stderr
    if done.returncode != 0:
        assert done.returncode == 3 and len(errors) == 1, done.stderr
        assert "disk full" in errors[0] and str(store) in errors[0]
    filler.unlink()

    sizes = graph_sizes(store)  # the store opens once space is free again
    assert all(sizes[g] == expected[g] for g in sizes), "a release graph was written in part"
    if done.returncode != 0 and len(sizes) == 1:
        assert kg("--store", str(store), "export").stdout == before
    rerun = kg("--store", str(store), "build", "--no-validate", str(corpus))
    assert rerun.returncode == 0, rerun.stderr
    assert graph_sizes(store) == expected
    assert kg("--store", str(store), "validate").returncode == 0
