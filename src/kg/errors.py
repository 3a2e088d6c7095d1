"""Exceptions raised by the ``kg`` package.

Each subclasses the built-in a caller would catch anyway::

    KgError
    ├── InputError (ValueError)        a release file cannot be read or states no agreement
    ├── QueryError (ValueError)        unknown named query, SPARQL syntax error, refused query
    ├── ValidationError (ValueError)   the graph breaks the SHACL shapes
    └── StoreError (OSError)           the store cannot be opened, locked, written or reached

Every message names what was found and where (the release file, the query, the store path),
so the command line can print it as one line.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError", "KgError", "QueryError", "StoreError", "ValidationError"]


class KgError(Exception):
    """Base class of every error the ``kg`` package raises on purpose."""


class InputError(KgError, ValueError):
    """A release file that cannot be ingested.

    :param path: the offending file
    :param problem: what is wrong with it, in a few words
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class QueryError(KgError, ValueError):
    """A query that is unknown, malformed or refused."""


class ValidationError(KgError, ValueError):
    """The graph does not conform to ``ontology/shapes.ttl``.

    :param messages: one line per violation, naming the release and the fact
    """

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__(f"{len(messages)} SHACL violation(s): " + "; ".join(messages[:5]))


class StoreError(KgError, OSError):
    """The store cannot be opened, written, locked or reached."""
