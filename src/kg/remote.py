"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, GraphDB, Neptune ...).

Queries go to the query endpoint and writes to the update endpoint over the SPARQL 1.1
Protocol, with the standard library's HTTP client and a timeout. Replacing release graphs is
one update request (``DROP SILENT GRAPH`` + ``INSERT DATA`` for each graph of a batch), which
a conforming store applies atomically.

Example (Oxigraph server)::

    store = RemoteStore("http://127.0.0.1:7878/query", update_url="http://127.0.0.1:7878/update")
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from .errors import QueryError, StoreError
from .store import (
    EXPORT_FORMATS,
    GRAPH_FORMATS,
    GraphStore,
    Row,
    insert_data,
    ntriples,
    replace_data,
    sorted_nquads,
)

__all__ = ["RemoteStore"]

_ACCEPT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class RemoteStore(GraphStore):
    """A store reached over the SPARQL 1.1 Protocol.

    :param query_url: the query endpoint
    :param update_url: the update endpoint (needed to build; reads work without it)
    :param timeout: seconds to wait for each request
    """

    def __init__(self, query_url: str, *, update_url: str | None = None, timeout: float = 60.0):
        self.location = query_url
        self.query_url = query_url
        self.update_url = update_url
        self.timeout = timeout

    def _post(self, url: str, body: str, content_type: str, accept: str = "*/*") -> bytes:
        request = urllib.request.Request(
            url,
            data=body.encode("utf-8"),
            headers={"Content-Type": content_type, "Accept": accept},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            message = f"{url}: HTTP {exc.code}: {detail[0] if detail else exc.reason}"
            if 400 <= exc.code < 500 and url == self.query_url:
                raise QueryError(message) from exc
            raise StoreError(message) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"{url}: store unreachable: {reason}") from exc

    def _update(self, update: str) -> None:
        if not self.update_url:
            raise StoreError(f"{self.query_url}: no update endpoint given (--update-url)")
        self._post(self.update_url, update, "application/sparql-update")

    def replace_graphs(self, graphs: Sequence[tuple[URIRef, bytes]]) -> None:
        self._update(replace_data(graphs))

    def add_to_graph(self, graph: URIRef, quads: Iterable[tuple[Node, Node, Node, Node]]) -> None:
        self._update(insert_data([(graph, ntriples(quads))], replace=False))

    def drop_graph(self, graph: URIRef) -> None:
        self._update(f"DROP SILENT GRAPH <{graph}>")

    def query(self, sparql: str, result_format: str = "json") -> bytes:
        accept = _ACCEPT.get(result_format, _ACCEPT["json"])
        if result_format in GRAPH_FORMATS:
            accept += ", application/n-triples;q=0.5"
        return self._post(self.query_url, sparql, "application/sparql-query", accept)

    def select(self, sparql: str) -> tuple[list[str], list[Row]]:
        data = json.loads(self.query(sparql, "json"))
        if "results" not in data:
            raise QueryError("expected a SELECT query")
        names = list(data["head"]["vars"])
        rows = [
            tuple(b[n]["value"] if n in b else None for n in names)
            for b in data["results"]["bindings"]
        ]
        return names, rows

    def export(self, fmt: str = "nquads") -> bytes:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"unknown export format {fmt!r}; use one of {sorted(EXPORT_FORMATS)}")
        data = json.loads(self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "json"))
        quads = [
            ox.Quad(_term(b["s"]), _term(b["p"]), _term(b["o"]), _term(b["g"]))  # type: ignore[arg-type]
            for b in data["results"]["bindings"]
        ]
        if fmt in ("turtle", "ntriples"):
            triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
            return bytes(ox.serialize(triples, format=EXPORT_FORMATS[fmt]) or b"")
        out = bytes(ox.serialize(quads, format=EXPORT_FORMATS[fmt]) or b"")
        return sorted_nquads(out) if fmt == "nquads" else out


def _term(binding: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)
