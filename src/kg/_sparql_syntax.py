"""Lexical inspection of SPARQL text before it reaches a query engine.

The query endpoint must refuse ``SERVICE`` (federation), ``LOAD`` and the like *before* a
query is evaluated, because pyoxigraph evaluates them from Rust with no timeout. pyoxigraph
exports no syntax tree, so this module scans the text with a tokenizer that follows the
terminals of the SPARQL 1.1 grammar (`section 19.8
<https://www.w3.org/TR/sparql11-query/#grammar>`_): strings, IRIs and comments are skipped,
everything else becomes keyword, name or punctuation tokens. The scanner is deliberately
strict: any character it does not understand is a :class:`~kg.errors.QueryError`, so text it
reads differently from pyoxigraph's parser is refused rather than waved through.

Full grammar checking is left to pyoxigraph itself, in the worker process that evaluates the
query: the parser that judges the query is then the one that runs it.

>>> info = inspect_query("PREFIX ex: <http://ex/> SELECT * { ?s ex:p ?o }")
>>> info.kind
'select'
>>> inspect_query("SELECT * { SERVICE <http://evil/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.errors.QueryError: SERVICE <http://evil/> is not allowed on this endpoint (line 1, column 12)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.errors import QueryError

__all__ = ["QueryInfo", "Token", "add_using", "inspect_query", "tokenize"]

_HEX4 = r"\\u[0-9A-Fa-f]{4}"
_HEX8 = r"\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_HEX4}|{_HEX8})*>)",
            rf"(?P<long>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_HEX4}|{_HEX8}))*'''"
            rf"|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ECHAR}|{_HEX4}|{_HEX8}))*\"\"\")",
            rf"(?P<string>'(?:[^'\\\r\n]|{_ECHAR}|{_HEX4}|{_HEX8})*'"
            rf"|\"(?:[^\"\\\r\n]|{_ECHAR}|{_HEX4}|{_HEX8})*\")",
            r"(?P<var>[?$]\w+)",
            r"(?P<bnode>_:[\w.\-]+)",
            r"(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w\-.:%]|\\[_~.\-!$&'()*+,;=/?#@%])*)",
            r"(?P<word>[A-Za-z_]\w*)",
            r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
            r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)",
            r"(?P<punct>\^\^|<<\(|\)>>|<<|>>|\{\||\|\}|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/!=<>|^~?])",
        ]
    )
)

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")
_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_UPDATE_FORMS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


@dataclass(frozen=True)
class Token:
    """One significant token: its kind (a group name of the scanner), text and position."""

    kind: str
    text: str
    offset: int
    depth: int  # curly-brace depth before the token

    @property
    def keyword(self) -> str:
        """The upper-cased text of a bare word (SPARQL keywords ignore case), else ``""``."""
        return self.text.upper() if self.kind == "word" else ""


@dataclass(frozen=True)
class QueryInfo:
    """What inspection learnt about a query or update.

    :param kind: ``select``, ``ask``, ``construct``, ``describe`` or ``update``
    :param services: the ``SERVICE`` IRIs the text names (all allowlisted, or it was refused)
    :param has_dataset: the text has ``FROM``/``FROM NAMED`` (queries) or ``USING``/``WITH``
        (updates)
    """

    kind: str
    services: tuple[str, ...] = ()
    has_dataset: bool = False
    tokens: tuple[Token, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_update(self) -> bool:
        """Whether this is a SPARQL 1.1 Update request rather than a query."""
        return self.kind == "update"

    @property
    def result_kind(self) -> str:
        """``solutions`` (SELECT), ``boolean`` (ASK), ``graph`` (CONSTRUCT, DESCRIBE), ``none``."""
        return {"select": "solutions", "ask": "boolean", "update": "none"}.get(self.kind, "graph")

    @property
    def uses_base(self) -> bool:
        """Whether the answer may depend on the base IRI: the text has a relative IRI, a
        ``BASE`` or an ``IRI``/``URI`` call (which resolve against it).

        >>> inspect_query("SELECT * { ?s <http://ex/p> ?o }").uses_base
        False
        >>> inspect_query("SELECT * { ?s <p> ?o }").uses_base
        True
        """
        for token in self.tokens:
            if token.keyword in ("BASE", "IRI", "URI"):
                return True
            if token.kind == "iri" and not _ABSOLUTE_IRI.fullmatch(token.text[1:-1]):
                return True
        return False


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _error(text: str, offset: int, message: str) -> QueryError:
    line, column = _position(text, offset)
    error = QueryError(f"{message} (line {line}, column {column})")
    error.line, error.column = line, column  # type: ignore[attr-defined]
    return error


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text into significant tokens, skipping whitespace and comments.

    :param text: the query or update text
    :return: the tokens, each with its offset and curly-brace depth
    :raises QueryError: on a character or construct the SPARQL terminals do not allow
        (unterminated string or IRI, stray backslash, unbalanced braces), with its position

    >>> [t.text for t in tokenize('ASK { ?s <p#x> "}" } # }')]
    ['ASK', '{', '?s', '<p#x>', '"}"', '}']
    """
    tokens: list[Token] = []
    depth, offset, end = 0, 0, len(text)
    while offset < end:
        match = _TOKEN.match(text, offset)
        if match is None:
            char = text[offset]
            what = {"'": "unterminated string", '"': "unterminated string"}.get(
                char, f"unexpected character {char!r}"
            )
            raise _error(text, offset, f"SPARQL syntax error: {what}")
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            token_text = match.group()
            if token_text in ("}", "|}"):
                depth -= 1
                if depth < 0:
                    raise _error(text, offset, "SPARQL syntax error: unbalanced '}'")
            tokens.append(Token(kind, token_text, offset, depth))
            if token_text in ("{", "{|"):
                depth += 1
        offset = match.end()
    if depth:
        raise _error(text, end, "SPARQL syntax error: unbalanced '{'")
    return tokens


def _skip_prologue(tokens: Sequence[Token], start: int) -> int:
    index = start
    while index < len(tokens):
        keyword = tokens[index].keyword
        if keyword == "BASE":
            index += 2
        elif keyword == "PREFIX":
            index += 3
        else:
            break
    return index


def _allowed(iri: str, allowlist: Iterable[str]) -> bool:
    return "\\" not in iri and any(iri.startswith(prefix) for prefix in allowlist if prefix)


def inspect_query(text: str, service_allowlist: Iterable[str] = ()) -> QueryInfo:
    """Classify a query or update and refuse what must never be evaluated.

    Refused (a :class:`~kg.errors.QueryError` naming the construct and its position):
    ``SERVICE`` unless its endpoint IRI starts with an entry of ``service_allowlist``
    (``SERVICE ?var`` and prefixed names are always refused), and ``LOAD`` in any update.
    ``FROM`` and ``FROM NAMED`` are allowed: pyoxigraph reads them as graphs of the store and
    never fetches them (``tests/test_sparql_endpoint.py`` proves it with a trap listener).

    :param text: the query or update text
    :param service_allowlist: IRI prefixes of federated endpoints that may be called
    :return: the query's kind and what it names
    :raises QueryError: on a lexical error, an unknown query form or a refused construct
    """
    tokens = tokenize(text)
    allowlist = tuple(service_allowlist)
    services: list[str] = []
    for index, token in enumerate(tokens):
        keyword = token.keyword
        if keyword == "LOAD":
            raise _error(text, token.offset, "LOAD is not allowed on this endpoint")
        if keyword == "SERVICE":
            target = tokens[index + 1] if index + 1 < len(tokens) else None
            if target is not None and target.keyword == "SILENT":
                target = tokens[index + 2] if index + 2 < len(tokens) else None
            name = target.text if target is not None else "without an endpoint"
            if target is None or target.kind != "iri" or not _allowed(name[1:-1], allowlist):
                raise _error(text, token.offset, f"SERVICE {name} is not allowed on this endpoint")
            services.append(name[1:-1])
    first = _skip_prologue(tokens, 0)
    if first >= len(tokens):
        raise _error(text, len(text), "SPARQL syntax error: no query or update found")
    keyword = tokens[first].keyword
    if keyword in _QUERY_FORMS:
        kind = _QUERY_FORMS[keyword]
        has_dataset = any(t.keyword == "FROM" and t.depth == 0 for t in tokens)
    elif keyword in _UPDATE_FORMS:
        kind = "update"
        has_dataset = any(t.keyword in ("USING", "WITH") and t.depth == 0 for t in tokens)
    else:
        raise _error(
            text,
            tokens[first].offset,
            f"SPARQL syntax error: expected SELECT, ASK, CONSTRUCT, DESCRIBE or an update, "
            f"found {tokens[first].text!r}",
        )
    return QueryInfo(kind, tuple(services), has_dataset, tuple(tokens))


def add_using(
    text: str, info: QueryInfo, graphs: Sequence[str], named_graphs: Sequence[str]
) -> str:
    """Apply the protocol's ``using-graph-uri``/``using-named-graph-uri`` to an update.

    SPARQL 1.1 Protocol section 2.2.3: the parameters give the dataset of every
    ``DELETE``/``INSERT ... WHERE`` operation, as ``USING``/``USING NAMED`` would; an update
    that also has ``USING`` or ``WITH`` is an error. Each such operation gets the clauses
    inserted before its ``WHERE``; data-only operations are unchanged.

    :raises QueryError: when the update has its own ``USING`` or ``WITH``

    >>> text = "INSERT { ?s a <C> } WHERE { ?s a <D> }"
    >>> add_using(text, inspect_query(text), ["http://g"], [])
    'INSERT { ?s a <C> } USING <http://g> WHERE { ?s a <D> }'
    """
    if not graphs and not named_graphs:
        return text
    if info.has_dataset:
        raise QueryError(
            "the update has USING or WITH and the request also gives using-graph-uri or "
            "using-named-graph-uri (SPARQL 1.1 Protocol, section 2.2.3)"
        )
    for iri in (*graphs, *named_graphs):
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise QueryError(f"not an absolute IRI: {iri!r}")
    clauses = [f"USING <{iri}>" for iri in graphs]
    clauses += [f"USING NAMED <{iri}>" for iri in named_graphs]
    insert = " ".join(clauses) + " "
    pieces, last = [], 0
    previous: Token | None = None
    for token in info.tokens:
        # every top-level WHERE but the one of the DELETE WHERE shorthand
        is_where = token.keyword == "WHERE" and token.depth == 0
        if is_where and (previous is None or previous.keyword != "DELETE"):
            pieces += [text[last : token.offset], insert]
            last = token.offset
        previous = token
    return "".join(pieces) + text[last:]
