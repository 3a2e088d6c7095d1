"""A build killed with SIGKILL at a random point: the store opens, every release graph is
wholly present or absent, and a rerun completes the graph (issue 6, RELIABILITY F1); what a
build acknowledged survives a kill right after (RELIABILITY F8). The trials are in
``helpers.faults``, shared with ``python -m benchmarks.faults``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEED
from helpers.faults import AcknowledgedThenKilled, BuildKilled, run
from rdflib import URIRef

from kg.build import BuildReport, Prepared, _Writer, build
from kg.cli import main
from kg.generations import build_target, generation_dirs
from kg.store import EmbeddedStore

COPIES = 24


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


def test_f1_sigkill_during_build_leaves_whole_graphs(tmp_path: Path) -> None:
    """RELIABILITY F1 at its CI count: each kill leaves whole graphs, a store that opens and
    validates, and a rebuild that converges to the golden export (see BuildKilled)."""
    outcome = run(BuildKilled, BuildKilled.ci, tmp_path)
    assert outcome.failures == [], outcome


def test_f8_acknowledged_graphs_survive_an_immediate_kill(tmp_path: Path) -> None:
    """RELIABILITY F8 at its CI count: what a build acknowledged is there after a kill."""
    outcome = run(AcknowledgedThenKilled, AcknowledgedThenKilled.ci, tmp_path)
    assert outcome.failures == [], outcome


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
            # the build's own generation and the checkpoint just published; older ones gone
            # (removed in the background)
            target.wait_for_collector()
            assert generation_dirs(store) == sorted([target.path, store.resolve()])
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


def test_a_build_killed_after_its_last_checkpoint_is_completed_by_the_next(
    corpus: Path, reference: tuple[bytes, int], tmp_path: Path
) -> None:
    """The last checkpoint can publish every release before the renewal links and the
    ontology are written; the next build, which skips every release as unchanged, still
    writes and publishes them (an F1 trial found this)."""
    store = tmp_path / "store"
    with pytest.raises(KeyboardInterrupt), build_target(store) as target:
        writer = EmbeddedStore(target.path, bulk=True)

        def checkpoint() -> None:
            target.checkpoint(writer.oxigraph)
            if len(graph_sizes(writer)) == COPIES:
                raise KeyboardInterrupt  # as if killed right after the last checkpoint

        with writer:
            build(writer, [corpus], workers=1, checkpoint=checkpoint, checkpoint_every=4)
    with EmbeddedStore(store, read_only=True) as s:
        assert len(graph_sizes(s)) == COPIES
        assert s.export("nquads") != reference[0]  # no ontology graph yet
    assert main(["--store", str(store), "build", "--workers", "1", str(corpus)]) == 0
    with EmbeddedStore(store, read_only=True) as s:
        assert s.export("nquads") == reference[0]


class _StreamRecorder(EmbeddedStore):
    """An in-memory bulk store that records how many graphs each write_graphs call took."""

    def __init__(self) -> None:
        super().__init__(None, bulk=True)
        self.streams: list[int] = []

    def write_graphs(self, graphs, *, checked=False, batch=64):  # type: ignore[no-untyped-def]
        taken = list(graphs)
        self.streams.append(len(taken))
        super().write_graphs(iter(taken), checked=checked, batch=batch)


def _prepared(number: int) -> Prepared:
    graph = URIRef(f"http://example.org/graph/{number}")
    data = f'<http://example.org/r{number}> <http://example.org/p> "x" <{graph}> .\n'.encode()
    return Prepared(f"r{number}.txt", f"r{number}", graph, data, 1, f"hash{number}", 1, [])


@pytest.mark.parametrize(
    ("total", "every", "streams"),
    [
        # half of what is left, at least 64 releases: the last stream is short
        (1000, None, [500, 250, 125, 64, 61]),
        (100, None, [64, 36]),
        # and a stream never runs past a checkpoint
        (1000, 300, [300, 300, 200, 100, 64, 36]),
    ],
)
def test_a_build_writes_in_streams_that_shorten_towards_its_end(
    total: int, every: int | None, streams: list[int]
) -> None:
    store = _StreamRecorder()
    checkpoints: list[int] = []
    report = BuildReport()
    writer = _Writer(
        store,
        {},
        report,
        (lambda: checkpoints.append(len(report.built))) if every else None,
        every or 5000,
        checked=True,
    )
    writer.write_all((_prepared(n) for n in range(total)), total, None)
    assert store.streams == streams
    assert sum(streams) == len(report.built) == len(store.graphs()) == total
    assert checkpoints == list(range(every, total, every)) if every else checkpoints == []
