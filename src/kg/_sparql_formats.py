"""Result formats of the SPARQL endpoint and content negotiation by ``Accept``.

SELECT and ASK results come as SPARQL JSON (the default), XML, CSV or TSV; CONSTRUCT and
DESCRIBE graphs as Turtle (the default), N-Triples, JSON-LD or RDF/XML. Every format is
written by pyoxigraph; this module only names them and picks one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["GRAPH_FORMATS", "PREFIXES", "SOLUTION_FORMATS", "Format", "negotiate"]


@dataclass(frozen=True)
class Format:
    """A result format: its ``?format=`` name, media type and pyoxigraph format name."""

    name: str
    media_type: str
    engine: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (UTF-8 for every format we write)."""
        return f"{self.media_type}; charset=utf-8"


SOLUTION_FORMATS = (
    Format("json", "application/sparql-results+json", "JSON", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "XML", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "CSV"),
    Format("tsv", "text/tab-separated-values", "TSV"),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", "TURTLE", ("application/x-turtle", "application/turtle")),
    Format("ntriples", "application/n-triples", "N_TRIPLES", ("text/plain",)),
    Format("jsonld", "application/ld+json", "JSON_LD", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", "RDF_XML", ("application/xml", "text/xml")),
)
PREFIXES = {
    "kg": "https://w3id.org/partnership-graph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
#: ``?format=`` spellings clients use (SPARQLWrapper sends ``format=rdf+xml``, ``json-ld``, ...)
_NAME_ALIASES = {
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "srj": "json",
    "srx": "xml",
}
_MEDIA_RANGE = re.compile(r"\s*([^\s;,/]+)/([^\s;,]+)\s*((?:;[^,]*)?)")


def _quality(media_type: str, ranges: Sequence[tuple[str, str, float]]) -> float:
    kind, sub = media_type.split("/")
    best, best_specificity = 0.0, -1
    for r_kind, r_sub, q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            specificity = 2
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif (r_kind, r_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best, best_specificity = q, specificity
    return best


def negotiate(result_kind: str, accept: str | None, name: str | None = None) -> Format | None:
    """Choose the result format (RFC 9110 section 12.5.1), or ``None`` if none is acceptable.

    :param result_kind: ``solutions`` or ``boolean`` (SELECT, ASK) or ``graph``
    :param accept: the ``Accept`` header; empty or absent means the default (JSON, Turtle)
    :param name: an explicit ``?format=`` name or media type, which wins over ``accept``
        when it names a format of this kind (``xml`` is RDF/XML for a graph)

    >>> negotiate("solutions", "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> negotiate("graph", "*/*").name, negotiate("graph", "image/png")
    ('turtle', None)
    >>> negotiate("graph", None, "xml").name, negotiate("solutions", "text/csv", "rdf+xml").name
    ('rdfxml', 'csv')
    """
    offers = GRAPH_FORMATS if result_kind == "graph" else SOLUTION_FORMATS
    if name:
        wanted = _NAME_ALIASES.get(name.lower(), name.lower())
        if result_kind == "graph":
            wanted = {"xml": "rdfxml", "json": "jsonld"}.get(wanted, wanted)
        for offer in offers:
            if wanted in (offer.name, offer.media_type, *offer.aliases):
                return offer
        # an unknown name (clients such as SPARQLWrapper send their own) leaves it to Accept
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for match in _MEDIA_RANGE.finditer(accept):
        q = re.search(r";\s*q\s*=\s*([0-9.]+)", match.group(3))
        try:
            ranges.append(
                (match.group(1).lower(), match.group(2).lower(), float(q[1]) if q else 1.0)
            )
        except ValueError:
            continue
    best, best_q = None, 0.0
    for offer in offers:
        for media_type in (offer.media_type, *offer.aliases):
            quality = _quality(media_type, ranges)
            if quality > best_q:
                best, best_q = offer, quality
    return best
