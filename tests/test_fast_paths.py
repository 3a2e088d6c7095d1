"""The faster forms of mapping and serialising give exactly what the plain forms give.

:class:`kg.mapping._Sentences` finds a text's sentence ends once and answers each evidence
span by bisection; :func:`kg.mapping._nt_term` escapes literals with ``str.replace``. Each
is checked here against the plain, character-by-character form it replaced.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef

from kg.mapping import _is_abbrev, _nt_term, _Sentences, sentence_bounds
from kg.namespace import XSD


def plain_sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, one character at a time (the reference)."""
    lo = start
    while lo > 0:
        ch = text[lo - 1]
        if ch == "\n" and lo >= 2 and text[lo - 2] == "\n":
            break
        if ch in " \n" and lo >= 2 and text[lo - 2] in ".!?" and not _is_abbrev(text, lo - 2):
            break
        lo -= 1
    hi = max(end, start)
    n = len(text)
    while hi < n:
        ch = text[hi]
        if ch == "\n" and hi + 1 < n and text[hi + 1] == "\n":
            break
        if ch in ".!?" and (hi + 1 == n or text[hi + 1] in " \n") and not _is_abbrev(text, hi):
            hi += 1
            break
        hi += 1
    while lo < hi and text[lo].isspace():
        lo += 1
    return lo, hi


#: texts made of what decides where a sentence ends: marks, spaces, line breaks, initials and
#: abbreviations
TEXTS = st.lists(
    st.sampled_from(["a", "b", " ", "\n", ".", "!", "?", "Dr", "No", "A", "x.y", "\n\n"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, data=st.data())
def test_sentence_bounds_equal_the_plain_scan(text: str, data: st.DataObject) -> None:
    sentences = _Sentences(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(0, len(text)))
    assert sentences.bounds(start, end) == plain_sentence_bounds(text, start, end)


def test_sentence_bounds_at_every_offset_of_a_release() -> None:
    text = (
        "Health Bureau and Acme Ltd. sign MOU\n\nHONG KONG, 3 March 2024 - Dr. Lee Ka-man,"
        " Director of Health, and Mr. A. Chan signed a memorandum today! It runs for three"
        " years. No. 5 Road is the venue.\nNext line? Yes.\n\n\nLast paragraph."
    )
    sentences = _Sentences(text)
    for start in range(len(text) + 1):
        for end in range(start, min(len(text), start + 30) + 1, 7):
            expected = plain_sentence_bounds(text, start, end)
            assert sentences.bounds(start, end) == expected
            assert sentence_bounds(text, start, end) == expected


def plain_nt_term(term: object) -> str:
    """A term as N-Triples, escaping with ``str.translate`` (the reference)."""
    escapes = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(escapes)}"'
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^<{term.datatype}>" if term.datatype else text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(term)


class _Name(URIRef):
    """A subclass of an rdflib term (written as the term it is)."""


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from('ab\\"\n\r\t \u00e9\u4e2d'), max_size=30),
    kind=st.sampled_from(["plain", "lang", "typed"]),
)
def test_literals_are_written_as_the_plain_escaping_writes_them(text: str, kind: str) -> None:
    term = (
        Literal(text)
        if kind == "plain"
        else Literal(text, lang="en")
        if kind == "lang"
        else Literal(text, datatype=XSD.token)
    )
    assert _nt_term(term) == plain_nt_term(term)


def test_other_terms_are_written_as_before() -> None:
    for term in (URIRef("http://example.org/a"), _Name("http://example.org/b"), BNode("b1")):
        assert _nt_term(term) == plain_nt_term(term)


def test_other_spaces_are_the_characters_the_space_table_replaces() -> None:
    """``_clean`` replaces spaces with a regular expression built from its translation table:
    over every code point, both give the same."""
    from kg._clean import _OTHER_SPACES, _SPACES

    for code in range(0x110000):
        char = chr(code)
        assert _OTHER_SPACES.sub(" ", char) == char.translate(_SPACES), hex(code)


def plain_redact_lines(lines: list[str]) -> list[str]:
    """:func:`kg._clean.redact_lines` without its shortcuts (the reference)."""
    import re

    from kg import _clean as c

    kept = []
    for line in lines:
        has_label = bool(c._PHONE_LABEL.search(line) or c._SHORT_LABEL.match(line))
        new = c._PHONE.sub(
            lambda m, labelled=has_label: (
                c.PHONE_REMOVED if c._is_phone(m.group(), labelled) else m.group()
            ),
            c._EMAIL.sub(c.EMAIL_REMOVED, line),
        )
        rest = new.replace(c.EMAIL_REMOVED, " ").replace(c.PHONE_REMOVED, " ")
        rest = c._SHORT_LABEL.sub(" ", c._EMAIL_LABEL.sub(" ", c._PHONE_LABEL.sub(" ", rest)))
        rest = re.sub(r"\b(?:and|or)\b|[/,;|&()\[\]<>.:\uff1a-]", " ", rest)
        if not (not rest.strip() and (new != line or has_label)):
            kept.append(new)
    return kept


LINE_PARTS = st.sampled_from(
    ["Tel:", "Email:", "E:", "Fax", "phone", " and ", " or ", "/", ",", "a.b@c.org", "x@y",
     "+852 2629 6633", "2629-6633", "(852) 2629 6633", "2023-2024", "555 123 4567", "Dr Lee",
     " ", "1", "12345678", "Press Office", ":", "\uff1a", "."]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.lists(LINE_PARTS, max_size=6).map("".join), max_size=5))
def test_redaction_equals_the_plain_redaction(lines: list[str]) -> None:
    from kg._clean import redact_lines

    assert redact_lines(lines) == plain_redact_lines(lines)


@pytest.mark.parametrize("by_graph", [False, True])
def test_the_pre_scan_tests_the_values_the_query_tests(by_graph: bool) -> None:
    """The personal-data constraint runs only when one of its candidates (the objects of the
    data: the query's ``REGEX`` tests ``?value``) matches its pattern; a subject or
    predicate that looks like an address is no candidate, and breaks nothing."""
    import pyoxigraph as ox

    from kg._shacl_sparql import compile_shapes, find_violations
    from kg.validate import shapes_graph

    checks = compile_shapes(shapes_graph(flat=False), by_graph=by_graph)
    (scan,) = [c for c in checks if c.needs is not None]
    assert scan.candidates is not None
    graph = ox.NamedNode("http://example.org/g") if by_graph else ox.DefaultGraph()
    who, says = ox.NamedNode("mailto:press@example.org"), ox.NamedNode("http://example.org/p")
    store = ox.Store()
    store.add(ox.Quad(who, says, ox.Literal("hello"), graph))
    store.add(ox.Quad(who, says, ox.NamedNode("http://example.org/o"), graph))
    listed = {row[0].value for row in store.query(scan.candidates)}  # type: ignore[union-attr]
    assert listed == {"hello", "http://example.org/o"}
    assert find_violations(store, (scan,)) == []
    store.add(ox.Quad(who, says, ox.Literal("write to press@example.org"), graph))
    (found,) = find_violations(store, (scan,))
    assert str(found.value) == "write to press@example.org"
