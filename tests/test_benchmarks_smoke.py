"""The benchmark corpus is a valid corpus: it builds without failures, deterministically,
and its recurring organisations and people become one node each across releases.

A correctness check of ``benchmarks/generate.py`` through the real build, not a timing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.generate import generate, make_world, render_release
from kg.build import build
from kg.query import rows
from kg.store import EmbeddedStore

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A 20-release corpus built into an on-disk store (through the process pool)."""
    root = tmp_path_factory.mktemp("bench-smoke")
    corpus = generate(root / "corpus", 20, seed=3)
    store = EmbeddedStore(root / "store")
    report = build(store, [corpus.directory])
    yield corpus, store, report
    store.close()


def test_generation_is_deterministic(tmp_path: Path) -> None:
    world = make_world(5, 50)
    assert render_release(world, 5, 7) == render_release(make_world(5, 50), 5, 7)
    a = generate(tmp_path / "a", 5, seed=5)
    b = generate(tmp_path / "b", 5, seed=5)
    for key in a.keys:
        for suffix in (".txt", ".meta.json"):
            assert (a.directory / (key + suffix)).read_bytes() == (
                b.directory / (key + suffix)
            ).read_bytes()


def test_every_release_has_a_valid_sidecar(built) -> None:  # type: ignore[no-untyped-def]
    corpus, _, _ = built
    for key in corpus.keys:
        meta = json.loads((corpus.directory / f"{key}.meta.json").read_text(encoding="utf-8"))
        assert set(meta) <= {"url", "published", "publisher", "title", "language"}


def test_corpus_builds_with_zero_failures(built) -> None:  # type: ignore[no-untyped-def]
    _, store, report = built
    assert report.failed == []
    assert len(report.built) == 20
    assert report.agreements >= 20
    _, agreements = rows(store, "agreements")
    assert len(agreements) >= 20
    _, parties = rows(store, "parties")
    assert len(parties) >= 40  # two or three parties each


def test_recurring_organisation_is_one_node(built) -> None:  # type: ignore[no-untyped-def]
    corpus, store, _ = built
    name, count = max(corpus.party_counts.items(), key=lambda kv: (kv[1], kv[0]))
    assert count >= 3, "the generator's skew should make one organisation recur"
    _, found = store.select(
        f"SELECT DISTINCT ?o ?g WHERE {{ GRAPH ?g {{ ?o <{SKOS_PREF}> {json.dumps(name)} }} }}"
    )
    iris = {o for o, _ in found}
    graphs = {g for _, g in found}
    assert len(iris) == 1, f"{name!r} became several nodes: {sorted(iris)}"  # type: ignore[type-var]
    assert len(graphs) >= 3
    iri = next(iter(iris))
    _, party_of = store.select(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a "
        f"<https://w3id.org/partnership-graph/ontology#party> <{iri}> }} }}"
    )
    assert int(party_of[0][0] or 0) >= 3


def test_recurring_people_are_one_node(built) -> None:  # type: ignore[no-untyped-def]
    _, store, _ = built
    _, found = store.select(
        f"SELECT ?name (COUNT(DISTINCT ?p) AS ?nodes) (COUNT(DISTINCT ?g) AS ?graphs) "
        f"WHERE {{ GRAPH ?g {{ ?p <{FOAF_NAME}> ?name }} }} GROUP BY ?name"
    )
    assert found, "no people in the graph"
    assert all(int(nodes or 0) == 1 for _, nodes, _ in found)
    assert any(int(graphs or 0) >= 2 for _, _, graphs in found), "nobody recurs"


def test_a_new_report_keeps_the_hand_written_part(tmp_path: Path) -> None:
    from benchmarks.run import HAND_WRITTEN, write_report

    md = tmp_path / "BENCHMARKS.md"
    write_report(md, "# Benchmarks\n\nfirst run\n")
    assert md.read_text().endswith(HAND_WRITTEN + "\n")
    md.write_text(md.read_text() + "\nReading the figures: by hand.\n")
    write_report(md, "# Benchmarks\n\nsecond run\n")
    text = md.read_text()
    assert "second run" in text and "first run" not in text
    assert text.endswith(HAND_WRITTEN + "\n\nReading the figures: by hand.\n")


def test_stage_costs_time_every_stage_of_the_builds_releases(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.cpu import STAGES, stage_costs

    corpus, _, report = built
    files = sorted(corpus.directory.glob("*.txt"))
    costs = stage_costs(files, tmp_path)
    assert costs["files"] == 20
    # the same graphs as the build's, less the one kg:builtWith triple the build adds to each
    assert costs["quads_per_release"] == report.triples / 20 - 1
    assert set(costs["ms"]) == set(STAGES)
    assert all(ms > 0 for ms in costs["ms"].values()), costs["ms"]
    assert list(tmp_path.iterdir()) == []  # the store it loaded is gone


def test_cpu_seconds_counts_waited_for_children_apart_from_this_process() -> None:
    import subprocess
    import sys

    from benchmarks.cpu import cpu_seconds

    before, before_children = cpu_seconds(), cpu_seconds(own=False)
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", busy], check=True)
    assert cpu_seconds(own=False) - before_children >= 0.3
    assert cpu_seconds() - before >= cpu_seconds(own=False) - before_children


def test_the_cpu_table_states_the_ceiling_the_cores_allow() -> None:
    import os

    from benchmarks.run import ceiling, cpu_table

    stages = {
        "quads_per_release": 500.0,
        "ms": dict.fromkeys(("read", "extract", "map", "serialise", "validate", "store"), 2.0),
    }
    result = {
        "size": 1000,
        "stages": stages,
        "build": {"cpu_ms": 25.0, "rate": 70.0},
        "extract": {"cpu_ms": 15.0},
    }
    cores = os.cpu_count() or 1
    assert ceiling(25.0) == cores * 40
    *_, row, blank = cpu_table([result])
    assert blank == ""  # the table ends before the text after it
    assert row.startswith("| 1,000 | 500 | 2.0 |")
    assert row.endswith(f"| 15.0 | 25.0 | 10.0 | {cores * 40} | 70 |")
    assert cpu_table([{**result, "stages": None}]) == []
