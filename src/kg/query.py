"""Running named and ad-hoc SPARQL queries against a store.

The eight named queries are a contract (names and columns are fixed, see DESIGN.md): they
ship as ``.rq`` files in ``kg/queries/``, each opening with a comment that states its
question. :func:`resolve` accepts a named query, a path to a ``.rq`` file or SPARQL text.

Example::

    >>> sorted(named_queries())[:3]
    ['agreements', 'aliases', 'areas']
    >>> named_queries()["parties"]
    'Which organisations are parties to each signed agreement?'
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

from .errors import QueryError
from .store import GRAPH_FORMATS, GraphStore

__all__ = [
    "NAMED_QUERIES",
    "OUTPUT_FORMATS",
    "QUERY_DIR",
    "format_results",
    "named_queries",
    "query_text",
    "resolve",
    "rows",
]

QUERY_DIR = Path(__file__).parent / "queries"
#: The contract: name -> CSV columns.
NAMED_QUERIES: dict[str, tuple[str, ...]] = {
    "agreements": ("agreement", "type", "date", "place", "duration"),
    "parties": ("agreement", "organisation"),
    "signatories": ("agreement", "person", "role", "organisation"),
    "witnesses": ("agreement", "person", "role", "organisation"),
    "areas": ("agreement", "area"),
    "roles": ("person", "role", "organisation"),
    "aliases": ("organisation", "alias"),
    "speakers": ("release", "person"),
}
OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "turtle", "jsonld")


@cache
def named_queries() -> dict[str, str]:
    """Every ``.rq`` file shipped with the package: name -> the question it answers."""
    out = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        out[path.stem] = first.lstrip("# ").split(":", 1)[-1].strip()
    return out


def query_text(name: str) -> str:
    """The SPARQL of a named query.

    :raises QueryError: when there is no such named query
    """
    path = QUERY_DIR / f"{name}.rq"
    if name not in named_queries() or not path.is_file():
        raise QueryError(f"no named query {name!r}; known: {', '.join(sorted(named_queries()))}")
    return path.read_text(encoding="utf-8")


def resolve(spec: str) -> str:
    """SPARQL for ``spec``: a named query, a ``.rq`` file, or the query text itself.

    :raises QueryError: when ``spec`` names a missing file or an unknown query
    """
    if spec in named_queries():
        return query_text(spec)
    if spec.endswith(".rq"):
        path = Path(spec)
        if not path.is_file():
            raise QueryError(f"{spec}: no such query file")
        return path.read_text(encoding="utf-8")
    if not any(word in spec.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        raise QueryError(
            f"{spec!r} is neither a named query ({', '.join(sorted(named_queries()))}), "
            "a .rq file nor SPARQL text"
        )
    return spec


def rows(store: GraphStore, spec: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """Run a SELECT (named, file or text); unbound values become ``""``."""
    names, raw = store.select(resolve(spec))
    return names, [tuple("" if v is None else v for v in row) for row in raw]


def format_results(store: GraphStore, spec: str, fmt: str = "table") -> str:
    """Run ``spec`` and render its results in ``fmt`` (one of :data:`OUTPUT_FORMATS`).

    SELECT results render as ``table``, ``csv``, ``tsv`` or ``json`` (SPARQL 1.1 JSON
    results); CONSTRUCT and DESCRIBE results as ``turtle`` or ``jsonld``.
    """
    if fmt not in OUTPUT_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    sparql = resolve(spec)
    if fmt in GRAPH_FORMATS or _is_graph_query(sparql):
        return store.query(sparql, fmt if fmt in GRAPH_FORMATS else "turtle").decode("utf-8")
    if fmt == "json":
        return store.query(sparql, "json").decode("utf-8")
    if _is_ask(sparql):
        answer = json.loads(store.query(sparql, "json"))["boolean"]
        return "true\n" if answer else "false\n"
    names, values = store.select(sparql)
    cells = [tuple("" if v is None else v for v in row) for row in values]
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(names)
        writer.writerows(cells)
        return buf.getvalue()
    return _table(names, cells)


_FORM = re.compile(
    r"""<[^<>\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\#[^\n]*|\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b""",
    re.IGNORECASE,
)


def _keyword(sparql: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE), skipping IRIs, strings, comments."""
    for match in _FORM.finditer(sparql):
        if match.group(1):
            return match.group(1).upper()
    return ""


def _is_graph_query(sparql: str) -> bool:
    return _keyword(sparql) in ("CONSTRUCT", "DESCRIBE")


def _is_ask(sparql: str) -> bool:
    return _keyword(sparql) == "ASK"


def _table(names: list[str], cells: list[tuple[str, ...]]) -> str:
    widths = [len(n) for n in names]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"
