"""Where the graph lives: an embedded Oxigraph store on disk, or a remote SPARQL 1.1 store.

Both kinds offer the same small interface (:class:`GraphStore`): replace release named graphs
(each given as N-Quads in that graph, see :func:`kg.mapping.nquads`), run a query and get its
results serialised or as rows, export the whole dataset. Mapping never touches a store; the web app
and the notebook API read through :mod:`kg.query`.

The embedded store is a pyoxigraph ``Store`` in a directory. It writes in one of two ways:

* transactionally (the default): pyoxigraph's ``update`` with ``DROP SILENT GRAPH`` then
  ``INSERT DATA`` for each graph of a call, which Oxigraph applies as one transaction, so a
  killed process leaves each graph wholly present or absent;
* in bulk (``bulk=True``): the graphs are dropped, then loaded with ``Store.bulk_load``, which
  skips the transaction and is about three times faster. A killed bulk load can leave part of
  a graph, so ``kg build`` bulk-loads only into a new store generation that nobody reads until
  it is published whole (:mod:`kg.generations`). :meth:`EmbeddedStore.write_graphs` streams
  many graphs through one bulk load: RocksDB then takes a few large sorted files instead of
  many small ones, and compaction has less to merge (about a third less CPU a release than
  bulk loads of 64 releases, into a store of 10,000).

:meth:`EmbeddedStore.dataset` gives the same store as an rdflib ``Dataset`` (through oxrdflib)
for notebook work; users' SPARQL never runs through rdflib's own engine.

Example::

    >>> import tempfile
    >>> from rdflib import Literal, URIRef
    >>> with tempfile.TemporaryDirectory() as tmp, open_store(tmp + "/s") as store:
    ...     g = URIRef("http://example.org/g")
    ...     store.replace_graph(g, [(URIRef("http://example.org/a"), URIRef("http://example.org/p"),
    ...                              Literal("x"), g)])
    ...     store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    (['o'], [('x',)])
"""

from __future__ import annotations

import contextlib
import io
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.term import Node

from ._lock import is_serving, serve_lock_path, serving_lock
from .errors import QueryError, StoreError
from .generations import Pin, pin
from .mapping import nquads, nquads_to_ntriples, ntriples

__all__ = [
    "EXPORT_FORMATS",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "EmbeddedStore",
    "GraphStore",
    "is_serving",
    "open_store",
    "serve_lock_path",
    "serving_lock",
]

#: ``kg export --format`` values -> pyoxigraph formats
EXPORT_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
#: formats for CONSTRUCT/DESCRIBE results -> pyoxigraph formats
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: tabular result formats -> pyoxigraph formats
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

Row = tuple[str | None, ...]


class GraphStore(ABC):
    """What the rest of ``kg`` needs from a store."""

    location: str

    def replace_graph(self, graph: URIRef, quads: Iterable[tuple[Node, Node, Node, Node]]) -> None:
        """Replace the named graph ``graph`` by the triples of ``quads`` in one transaction."""
        self.replace_graphs([(graph, nquads(quads, graph).encode("utf-8"))])

    @abstractmethod
    def replace_graphs(self, graphs: Sequence[tuple[URIRef, bytes]]) -> None:
        """Replace each named graph by the triples of its N-Quads, all of whose lines are in
        that graph (:func:`kg.mapping.nquads`, UTF-8).

        One transaction for the whole call where the store offers one, so each graph is
        wholly replaced or left as it was.
        """

    def write_graphs(
        self, graphs: Iterable[tuple[URIRef, bytes]], *, checked: bool = False, batch: int = 64
    ) -> None:
        """Replace each named graph of ``graphs`` by its N-Quads (as :meth:`replace_graphs`),
        taking them as they come: a generator of any length needs memory for one batch only.

        Here in calls of :meth:`replace_graphs` of ``batch`` graphs each, so each batch is
        one transaction where the store offers them.

        :param checked: every graph's N-Quads were already parsed strictly (by validation),
            so a bulk load may skip checking them again
        """
        part: list[tuple[URIRef, bytes]] = []
        for item in graphs:
            part.append(item)
            if len(part) >= batch:
                self.replace_graphs(part)
                part = []
        if part:
            self.replace_graphs(part)

    @abstractmethod
    def add_to_graph(self, graph: URIRef, quads: Iterable[tuple[Node, Node, Node, Node]]) -> None:
        """Add the triples of ``quads`` to ``graph`` (kept), in one transaction."""

    @abstractmethod
    def drop_graph(self, graph: URIRef) -> None:
        """Remove one named graph (no error when absent)."""

    @abstractmethod
    def query(self, sparql: str, result_format: str = "json") -> bytes:
        """Run a query and serialise its results.

        :param result_format: for SELECT/ASK one of :data:`RESULT_FORMATS`; for
            CONSTRUCT/DESCRIBE one of :data:`GRAPH_FORMATS` (N-Triples when a tabular
            format is asked for)
        """

    @abstractmethod
    def select(self, sparql: str) -> tuple[list[str], list[Row]]:
        """Run a SELECT; the variable names and rows of lexical values (None when unbound)."""

    @abstractmethod
    def export(self, fmt: str = "nquads") -> bytes:
        """The whole dataset in ``fmt`` (N-Quads lines sorted, so exports compare as text)."""

    def flush(self) -> None:  # noqa: B027 - optional hook
        """Make the writes so far durable (a remote store does this itself)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def insert_data(graphs: Sequence[tuple[URIRef, str]], *, replace: bool = True) -> str:
    """One SPARQL update that replaces each graph by its N-Triples text (or adds it).

    N-Triples lines are valid SPARQL triples, so the text goes in as it is.
    """
    parts = []
    for graph, text in graphs:
        if replace:
            parts.append(f"DROP SILENT GRAPH <{graph}>")
        parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{text}}} }}")
    return " ;\n".join(parts)


def replace_data(graphs: Sequence[tuple[URIRef, bytes]]) -> str:
    """:func:`insert_data` replacing graphs given as N-Quads, as
    :meth:`GraphStore.replace_graphs` takes them."""
    return insert_data([(g, nquads_to_ntriples(data.decode("utf-8"), g)) for g, data in graphs])


def sorted_nquads(data: bytes) -> bytes:
    """Sort N-Quads lines so two exports of the same graph are byte-identical."""
    lines = sorted(line for line in data.decode("utf-8").splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


class EmbeddedStore(GraphStore):
    """An Oxigraph store in a directory on disk.

    :param path: the store directory (created when missing, unless ``read_only``);
        ``None`` for a store in memory (tests, ``kg eval``)
    :param read_only: open without taking the write lock; the reader pins the generation it
        opens (:func:`kg.generations.pin`), so a build publishing a new one meanwhile does not
        change what it reads
    :param bulk: write graphs with ``bulk_load``, without transactions (only for a store that
        nobody reads before it is complete: see the module's documentation)
    :raises StoreError: when the directory cannot be created or written, or another
        process holds the store
    """

    def __init__(
        self, path: str | Path | None, *, read_only: bool = False, bulk: bool = False
    ) -> None:
        self._pin: Pin | None = None
        self.bulk = bulk
        if path is None:
            self.path, self.location, self.read_only = Path(":memory:"), ":memory:", False
            self._ox = ox.Store()
            return
        self.path = Path(path)
        self.location = str(self.path)
        self.read_only = read_only
        created = not self.path.exists()
        try:
            if read_only:
                if created:
                    raise StoreError(f"{self.path}: no store here (run `kg build` first)")
                # a reader holds on to the generation it opened (kg.generations)
                self._pin = pin(self.path)
                self._ox = ox.Store.read_only(self._pin.path)
            else:
                if self.path.exists() and not self.path.is_dir():
                    raise StoreError(f"{self.path}: not a directory, cannot hold a store")
                self._ox = ox.Store(str(self.path))
        except OSError as exc:
            if self._pin is not None:
                self._pin.close()
            if created and not read_only:
                shutil.rmtree(self.path, ignore_errors=True)
            raise StoreError(f"{self.path}: cannot open store: {_reason(exc)}") from exc

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._ox

    def dataset(self) -> Dataset:
        """The store as an rdflib ``Dataset`` (oxrdflib), sharing this pyoxigraph store."""
        from oxrdflib import OxigraphStore

        return Dataset(store=OxigraphStore(store=self._ox))

    def replace_graphs(
        self, graphs: Sequence[tuple[URIRef, bytes]], *, checked: bool = False
    ) -> None:
        if not self.bulk:
            self._write(replace_data(graphs))
            return
        present = [g for g, _ in graphs if self._holds(g)]
        if present:  # a release built before: its old triples go first
            self._write(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in present))
        self._write(b"".join(data for _, data in graphs), bulk=True, lenient=checked)

    #: bytes of N-Quads of graphs the store already holds that :meth:`write_graphs` keeps
    #: aside while it streams new ones, before it ends the stream to replace them
    ASIDE_BYTES = 64 << 20

    def write_graphs(
        self, graphs: Iterable[tuple[URIRef, bytes]], *, checked: bool = False, batch: int = 64
    ) -> None:
        """In bulk, new graphs stream through one bulk load; the few the store already holds
        are kept aside and replaced (dropped, then loaded) whenever about
        :attr:`ASIDE_BYTES` of them wait, and at the end. Not atomic: see the module's
        documentation.

        An error raised by ``graphs`` ends the stream after the last whole graph, and is
        raised again once the load is done.
        """
        if not self.bulk:
            super().write_graphs(graphs, checked=checked, batch=batch)
            return
        source = iter(graphs)
        while True:
            aside = _Aside()
            feed = _Feed(self._new_graphs(source, aside))
            try:
                self._write(io.BufferedReader(feed, 1 << 20), bulk=True, lenient=checked)
            except StoreError:
                if feed.error is None:
                    raise
            if feed.error is not None:
                raise feed.error
            for start in range(0, len(aside.graphs), batch):
                self.replace_graphs(aside.graphs[start : start + batch], checked=checked)
            if not aside.full:
                return

    def _new_graphs(self, source: Iterator[tuple[URIRef, bytes]], aside: _Aside) -> Iterator[bytes]:
        """The N-Quads of the graphs of ``source`` the store does not hold; those it holds go
        to ``aside``, and the stream stops once they reach :attr:`ASIDE_BYTES`."""
        for graph, data in source:
            if not self._holds(graph):
                yield data
                continue
            aside.graphs.append((graph, data))
            aside.size += len(data)
            if aside.size >= self.ASIDE_BYTES:
                aside.full = True
                return

    def _holds(self, graph: URIRef) -> bool:
        try:
            return self._ox.contains_named_graph(ox.NamedNode(graph))
        except OSError as exc:
            raise StoreError(f"{self.path}: read failed: {_reason(exc)}") from exc

    def drop_graph(self, graph: URIRef) -> None:
        self._write(f"DROP SILENT GRAPH <{graph}>")

    def add_to_graph(self, graph: URIRef, quads: Iterable[tuple[Node, Node, Node, Node]]) -> None:
        self._write(insert_data([(graph, ntriples(quads))], replace=False))

    def _write(
        self, change: str | bytes | io.BufferedReader, *, bulk: bool = False, lenient: bool = False
    ) -> None:
        """Apply a SPARQL update, or bulk-load N-Quads (``bulk``; ``lenient``: without
        checking IRIs again)."""
        if self.read_only:
            raise StoreError(f"{self.path}: store is open read-only")
        try:
            if bulk:
                self._ox.bulk_load(change, ox.RdfFormat.N_QUADS, lenient=lenient)
            else:
                self._ox.update(str(change))
        except SyntaxError as exc:
            raise StoreError(f"{self.path}: write rejected, nothing written: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: write failed: {_reason(exc)}") from exc

    def flush(self) -> None:
        """Make the writes so far durable.

        Each write is already one transaction that a killed process does not tear (RocksDB's
        write-ahead log); flushing once per build instead of once per release keeps builds fast.
        """
        if self.read_only:
            return
        try:
            self._ox.flush()
        except OSError as exc:
            raise StoreError(f"{self.path}: flush failed: {_reason(exc)}") from exc

    def _run(self, sparql: str) -> Any:
        try:
            return self._ox.query(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: query failed: {_reason(exc)}") from exc

    def query(self, sparql: str, result_format: str = "json") -> bytes:
        result = self._run(sparql)
        if isinstance(result, ox.QueryTriples):
            target = GRAPH_FORMATS.get(result_format, ox.RdfFormat.N_TRIPLES)
            return bytes(ox.serialize(result, format=target) or b"")
        if result_format not in RESULT_FORMATS:
            raise QueryError(f"unknown result format {result_format!r}")
        return bytes(result.serialize(format=RESULT_FORMATS[result_format]))

    def select(self, sparql: str) -> tuple[list[str], list[Row]]:
        result = self._run(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows = [tuple(None if t is None else t.value for t in solution) for solution in result]
        return names, rows

    def export(self, fmt: str = "nquads") -> bytes:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"unknown export format {fmt!r}; use one of {sorted(EXPORT_FORMATS)}")
        target = EXPORT_FORMATS[fmt]
        if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
            # graph-less formats: the union of all graphs, as triples
            triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self._ox}
            data = ox.serialize(sorted(triples, key=str), format=target)
        else:
            data = self._ox.dump(format=target)
        out = bytes(data or b"")
        return sorted_nquads(out) if target == ox.RdfFormat.N_QUADS else out

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs())

    def close(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            if not self.read_only:
                self._ox.flush()
        with contextlib.suppress(AttributeError):
            del self._ox
        if self._pin is not None:
            self._pin.close()
            self._pin = None


@dataclass
class _Aside:
    """Graphs a store already holds, kept aside while new ones stream (:meth:`write_graphs`)."""

    graphs: list[tuple[URIRef, bytes]] = field(default_factory=list)
    size: int = 0  # bytes of their N-Quads
    full: bool = False  # the stream stopped early for them: more graphs may follow


class _Feed(io.RawIOBase):
    """Chunks of bytes one after another, as a file to read: how a bulk load takes them.

    An error raised while getting the next chunk ends the file there and is kept in
    :attr:`error`, for the caller to raise once the load is done (the loader would turn it
    into a read error).
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self.chunks = chunks
        self.pending = memoryview(b"")
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            if self.error is not None:
                return 0
            try:
                self.pending = memoryview(next(self.chunks))
            except StopIteration:
                return 0
            except BaseException as exc:  # kept, and raised again by the caller
                self.error = exc
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _reason(exc: OSError) -> str:
    text = str(exc)
    low = text.lower()
    if "lock" in low:
        return "locked by another process (is a build or `kg serve` running?)"
    if "permission denied" in low or "read-only file system" in low:
        return "permission denied (not writable)"
    if "no space" in low:
        return "disk full"
    return text.splitlines()[0] if text else type(exc).__name__


def open_store(
    location: str | Path,
    *,
    update_url: str | None = None,
    read_only: bool = False,
    bulk: bool = False,
) -> GraphStore:
    """Open the store at ``location``: a directory (embedded) or a query endpoint URL.

    :param location: store directory, or ``http(s)://`` SPARQL query endpoint
    :param update_url: the SPARQL update endpoint of a remote store
    :param read_only: do not take the embedded store's write lock
    :param bulk: an embedded store writes without transactions (see :class:`EmbeddedStore`)
    :raises StoreError: when it cannot be opened
    """
    text = str(location)
    if text.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(text, update_url=update_url)
    return EmbeddedStore(text, read_only=read_only, bulk=bulk)
