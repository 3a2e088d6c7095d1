"""The store layer on a real on-disk Oxigraph store and a live Oxigraph server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from kg.errors import StoreError
from kg.mapping import nquads
from kg.store import EmbeddedStore, open_store

EX = "http://example.org/"
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")


def quad(s: str, o: str, g: URIRef = G1) -> tuple[URIRef, URIRef, Literal, URIRef]:
    return (URIRef(EX + s), URIRef(EX + "p"), Literal(o), g)


def test_replace_graph_replaces_the_whole_graph(store_location: tuple[str, str | None]) -> None:
    location, update = store_location
    with open_store(location, update_url=update) as store:
        store.replace_graph(G1, [quad("a", "old"), quad("b", "old too")])
        store.replace_graph(G2, [quad("c", "other", G2)])
        store.replace_graph(G1, [quad("a", 'new\nline "quoted"')])
        names, rows = store.select(
            f"SELECT ?s ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} ORDER BY ?s"
        )
        assert names == ["s", "o"]
        assert rows == [(EX + "a", 'new\nline "quoted"')]
        _, other = store.select(f"SELECT ?o WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}")
        assert other == [("other",)]


def test_export_is_sorted_and_independent_of_insertion_order(
    store_location: tuple[str, str | None], tmp_path: Path
) -> None:
    location, update = store_location
    quads = [quad(str(i), f"v{i}") for i in range(20)]
    with open_store(location, update_url=update) as store:
        store.replace_graph(G1, quads)
        first = store.export("nquads")
    with EmbeddedStore(tmp_path / "other") as other:
        other.replace_graph(G1, list(reversed(quads)))
        second = other.export("nquads")
    assert first == second
    lines = first.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == 20


def test_a_rejected_write_changes_nothing(store_location: tuple[str, str | None]) -> None:
    location, update = store_location
    with open_store(location, update_url=update) as store:
        store.replace_graph(G1, [quad("a", "kept")])
        before = store.export("nquads")
        bad = (Literal("a literal cannot be a subject"), URIRef(EX + "p"), Literal("y"), G1)
        with pytest.raises(StoreError):
            store.replace_graph(G1, [quad("b", "new"), bad])
        assert store.export("nquads") == before


def test_a_store_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "store"
    EmbeddedStore(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import pyoxigraph, sys; s = pyoxigraph.Store(sys.argv[1]); print('ready', flush=True);"
            " sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="locked by another process") as err:
            EmbeddedStore(path)
        assert str(path) in str(err.value)
    finally:
        holder.communicate("")


def test_an_unwritable_location_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError) as err:
        EmbeddedStore(blocker / "store")
    assert str(blocker / "store") in str(err.value)
    with pytest.raises(StoreError, match="not a directory"):
        EmbeddedStore(blocker)
    assert blocker.read_text() == "not a directory"


def test_read_only_store_must_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here"):
        EmbeddedStore(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


def test_remote_store_that_is_down_is_a_clear_error() -> None:
    from conftest import free_port

    port = free_port()
    store = open_store(
        f"http://127.0.0.1:{port}/query", update_url=f"http://127.0.0.1:{port}/update"
    )
    with pytest.raises(StoreError, match="unreachable"):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreError, match="unreachable"):
        store.replace_graph(G1, [quad("a", "b")])


LITERALS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ['a "quoted" word', "back\\slash", "two\nlines\r\n", " .\n<x> .", "\t\u00e9\u4e2d"]
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(LITERALS, min_size=1, max_size=4),
    lang=st.sampled_from([None, "en", "zh-hk"]),
)
def test_any_literal_round_trips_through_every_write_path(
    texts: list[str], lang: str | None
) -> None:
    """N-Triples text written by kg.store.ntriples reads back as the same terms, whether the
    store writes transactionally (a SPARQL update) or in bulk (N-Quads through bulk_load)."""
    quads = [
        (URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(text, lang=lang), G1)
        for i, text in enumerate(texts)
    ]
    quads.append((URIRef(EX + "s"), URIRef(EX + "n"), Literal(len(texts)), G1))
    expected = sorted((str(s), str(o), getattr(o, "language", None)) for s, _, o, _ in quads)
    for bulk in (False, True):
        store = EmbeddedStore(None, bulk=bulk)
        store.replace_graph(G2, [quad("other", "kept", G2)])
        store.replace_graph(G1, [quad("old", "gone")])
        store.replace_graph(G1, quads)
        found = sorted(
            (q.subject.value, q.object.value, getattr(q.object, "language", None))
            for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(G1)))
        )
        assert found == expected, bulk
        assert (
            len(list(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(str(G2)))))
            == 1
        )


def _graph_data(name: str, *values: str) -> tuple[URIRef, bytes]:
    graph = URIRef(EX + name)
    return graph, nquads([quad(f"{name}-{v}", v, graph) for v in values], graph).encode()


def _graph_contents(store: EmbeddedStore) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for q in store.oxigraph:
        found.setdefault(q.graph_name.value, []).append(q.object.value)
    return {g: sorted(values) for g, values in found.items()}


@pytest.mark.parametrize("bulk", [False, True], ids=["transactional", "bulk"])
@pytest.mark.parametrize("aside_bytes", [1, 64 << 20], ids=["aside-each", "aside-at-end"])
def test_write_graphs_adds_new_graphs_and_replaces_held_ones(
    tmp_path: Path, bulk: bool, aside_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New graphs stream in, graphs the store holds are replaced whole (kept aside in bulk,
    the stream ending whenever ``ASIDE_BYTES`` of them wait), others are left alone."""
    monkeypatch.setattr(EmbeddedStore, "ASIDE_BYTES", aside_bytes)
    with EmbeddedStore(tmp_path / "s", bulk=bulk) as store:
        store.replace_graphs([_graph_data("kept", "k"), _graph_data("old1", "x", "y")])
        store.replace_graphs([_graph_data("old2", "z")])
        incoming = [
            _graph_data("new1", "a"),
            _graph_data("old1", "b"),
            _graph_data("new2", "c", "d"),
            _graph_data("old2", "e"),
            _graph_data("new3", "f"),
        ]
        store.write_graphs(iter(incoming), checked=True, batch=2)
        assert _graph_contents(store) == {
            EX + "kept": ["k"],
            EX + "old1": ["b"],
            EX + "old2": ["e"],
            EX + "new1": ["a"],
            EX + "new2": ["c", "d"],
            EX + "new3": ["f"],
        }


def test_an_error_from_the_graphs_comes_back_after_the_whole_graphs_before_it(
    tmp_path: Path,
) -> None:
    """In bulk, an error raised while producing the graphs ends the stream after the last
    whole graph and is raised as it was, not as a read error of the store."""

    class Interrupted(Exception):
        pass

    def graphs() -> Iterator[tuple[URIRef, bytes]]:
        yield _graph_data("first", "a", "b")
        yield _graph_data("second", "c")
        raise Interrupted("the pool broke")

    with EmbeddedStore(tmp_path / "s", bulk=True) as store:
        with pytest.raises(Interrupted, match="the pool broke"):
            store.write_graphs(graphs())
        assert _graph_contents(store) == {EX + "first": ["a", "b"], EX + "second": ["c"]}


def test_bulk_write_graphs_parses_strictly_by_default(tmp_path: Path) -> None:
    """Not ``checked``: N-Quads with an IRI holding a space are a clear store error."""
    bad = (URIRef(EX + "g"), f'<{EX}a b> <{EX}p> "x" <{EX}g> .\n'.encode())
    with (
        EmbeddedStore(tmp_path / "s", bulk=True) as store,
        pytest.raises(StoreError, match="write rejected"),
    ):
        store.write_graphs(iter([bad]))
