"""The partnership graph: press releases about health-innovation partnerships as RDF."""

__version__ = "0.1.0"
