"""The faster forms of extraction's patterns find exactly what the plain forms find.

The date pattern, too, checks the first letters of its forms first (:data:`kg._dates.
_DATE_INITIALS`), and dates and terms are only looked for in a text holding a cue every one
of them holds (:data:`kg._dates._DATE_CUE`, :data:`kg._dates._DURATION_CUE`).

:func:`kg._nouns.rx` compiles the agreement-noun and status-verb rules behind a check of
their first letters (:data:`kg._nouns.NOUN_INITIALS`, :data:`kg._nouns.STATUS_INITIALS`);
those letters must be every letter a rule can start with, and each rule must start at a
word boundary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg._dates import _DATE_CUE, _DATE_INITIALS, _DURATION, _DURATION_CUE, _date_re
from kg._nouns import NOUN_INITIALS, STATUS_INITIALS, STATUS_RULES, TYPE_RULES, rx

CASES = Path(__file__).resolve().parent / "cases"


def _plain(key: str) -> re.Pattern[str]:
    if key == "noun":
        return re.compile(
            "|".join(rf"(?P<{k.replace('-', '_')}>\b(?:{p})\b)" for k, p in TYPE_RULES), re.I
        )
    return re.compile("|".join(rf"(?P<{k.replace('-', '_')}>{p})" for k, p in STATUS_RULES), re.I)


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("rules", "initials"), [(TYPE_RULES, NOUN_INITIALS), (STATUS_RULES, STATUS_INITIALS)]
)
def test_initials_are_the_rules_first_letters(
    rules: tuple[tuple[str, str], ...], initials: str
) -> None:
    first = set().union(*(_first_letters(pattern) for _, pattern in rules))
    assert first == set(initials)


def _first_letters(pattern: str) -> set[str]:
    """The letters (lower case) a match of ``pattern`` can start with, after word boundaries;
    fails when something else (a class, a dot) can start it."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]

    def first(items: list) -> set[str]:  # type: ignore[type-arg]
        for i, (op, av) in enumerate(items):
            if op is c.AT:
                assert av is c.AT_BOUNDARY, pattern
                continue
            if op is c.LITERAL:
                return {chr(av).lower()}
            if op is c.IN and av == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
                return {r"\d"}
            if op is c.SUBPATTERN:
                return first(list(av[-1]) + items[i + 1 :])
            if op is c.BRANCH:
                return set().union(*(first(list(b) + items[i + 1 :]) for b in av[1]))
            if op is c.MAX_REPEAT:
                low, _, sub = av
                got = first(list(sub) + items[i + 1 :])
                return got | (first(items[i + 1 :]) if low == 0 else set())
            raise AssertionError(f"{pattern}: cannot start with {op}")
        raise AssertionError(f"{pattern}: may match the empty string")

    return first(list(parser.parse(pattern)))


def test_status_rules_start_at_a_word_boundary() -> None:
    # the noun rules are wrapped in \b by rx(); a status rule must bring its own
    for _, pattern in STATUS_RULES:
        for branch in _top_branches(pattern):
            assert branch.startswith(r"\b"), branch


def _top_branches(pattern: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(pattern):
        if ch == "(" and pattern[i - 1 : i] != "\\":
            depth += 1
        elif ch == ")" and pattern[i - 1 : i] != "\\":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
    return [*out, pattern[start:]]


@pytest.mark.parametrize("key", ["noun", "status"])
def test_the_cases_give_the_same_matches(key: str) -> None:
    for path in sorted(CASES.glob("*/release.*")):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _found(rx()[key], text) == _found(_plain(key), text), path


#: words the rules read, and near misses
VOCABULARY = (
    "a the MOU mous memorandum Memoranda of understanding letter letters intent LOI "
    "framework co-operation cooperation collaborative collaboration partnership agreement "
    "agreements signed will sign not renew renewed did didn't lapsed terminated withdrew "
    "from agreed to explore in talks negotiating is are be inked sealed executed Acme "
    "in-agreement xsigned unsigned re-signed , . ( )"
)


def _texts(vocabulary: str, seps: list[str], size: int) -> st.SearchStrategy[str]:
    """Up to ``size`` words of ``vocabulary`` joined by one of ``seps``."""
    words = st.lists(st.sampled_from(vocabulary.split()), max_size=size)
    return st.builds(lambda ws, sep: sep.join(ws), words, st.sampled_from(seps))


@settings(max_examples=300, deadline=None)
@given(_texts(VOCABULARY, [" ", "\n", "-", ""], 30))
def test_random_texts_give_the_same_matches(text: str) -> None:
    for key in ("noun", "status"):
        assert _found(rx()[key], text) == _found(_plain(key), text)


def _mention_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern :class:`kg._orgs._Spellings` stands for."""
    alts = sorted(names, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, a.split())) for a in alts) or r"(?!x)x"
    return re.compile(rf"(?<![\w&])(?:{body})(?![\w&])")


NAME_WORDS = st.sampled_from(["NHS", "Acme", "Acme-Beta", "AcmeC", "Trust", "Ltd.", "&", "A", ""])
GAPS = st.sampled_from([" ", "  ", "\n", " \t", "", "x", "&", ",", "-"])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(NAME_WORDS, min_size=1, max_size=3).map(" ".join), max_size=5),
    st.lists(st.tuples(NAME_WORDS, GAPS), max_size=25),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_spellings_find_what_the_pattern_finds(
    names: list[str], pieces: list[tuple[str, str]], cut_lo: int, cut_hi: int
) -> None:
    from kg._orgs import _Spellings

    text = "".join(w + g for w, g in pieces)
    lo, hi = min(cut_lo, len(text)), max(len(text) - cut_hi, 0)
    key = tuple(sorted(set(names)))
    want = [m.span() for m in _mention_pattern(key).finditer(text, lo, hi)]
    assert _Spellings(key).find(text, lo, hi) == want


def test_date_initials_are_the_forms_first_letters() -> None:
    prefix = f"(?=[{_DATE_INITIALS}])"
    assert _date_re().pattern.startswith(prefix)
    letters = _DATE_INITIALS.removeprefix(r"\d")
    assert _first_letters(_date_re().pattern[len(prefix) :]) == {r"\d", *letters}


DATE_VOCABULARY = (
    "on today yesterday tomorrow Tuesday Friday ( ) 3 17th 2024 2024-03-03 March May Sept. "
    "until for a the next three five-year years months period of valid (2024-2029) 18"
)


@settings(max_examples=500, deadline=None)
@given(_texts(DATE_VOCABULARY, [" ", ", ", "-", ""], 12))
def test_every_date_and_term_holds_its_cue(text: str) -> None:
    plain = re.compile(_date_re().pattern[len(f"(?=[{_DATE_INITIALS}])") :], re.I)
    assert [m.span() for m in plain.finditer(text)] == [m.span() for m in _date_re().finditer(text)]
    for m in plain.finditer(text):
        assert _DATE_CUE.search(m.group())
    for m in _DURATION.finditer(text):
        assert _DURATION_CUE.search(m.group())


# -- people, head-noun references, sentences, the per-release memo -------------------------

PEOPLE_VOCABULARY = (
    "Dr Dr. Mr Mrs Ms Prof Prof. Professor Ir Sir Dame the The Hon Honourable Associate "
    "Emeritus Madam Lord Jane Doe McAdam O'Neil Ka-ho Leung J. A a said , . ( ) Chairman "
    "chief executive of at Trust Hospital and Acme"
)


def test_person_patterns_find_what_the_plain_ones_find_in_the_cases() -> None:
    from kg._names import _BARE, _PERSON, _TOK_POSSESSIVE
    from kg._vocab import TOK, patterns

    assert _TOK_POSSESSIVE != TOK
    assert _TOK_POSSESSIVE in _BARE.pattern

    for path in sorted(CASES.glob("*/release.*")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for fast, key in ((_PERSON, "person"), (_BARE, "bare")):
            want = [(m.span(), m.groupdict()) for m in patterns()[key].finditer(text)]
            assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == want, path


@settings(max_examples=500, deadline=None)
@given(_texts(PEOPLE_VOCABULARY, [" ", ", ", "\n", "-", ""], 14), st.integers(0, 6))
def test_person_patterns_find_what_the_plain_ones_find(text: str, lo: int) -> None:
    from kg._names import _BARE, _PERSON
    from kg._vocab import patterns

    for fast, key in ((_PERSON, "person"), (_BARE, "bare")):
        want = [(m.span(), m.groupdict()) for m in patterns()[key].finditer(text, lo)]
        assert [(m.span(), m.groupdict()) for m in fast.finditer(text, lo)] == want


HEAD_WORDS = st.sampled_from(
    ["the", "The", "THE", "Trust", "trust", "Trusts", "TRUST", "hospital", "Hospital", "Board"]
)
HEAD_GAPS = st.sampled_from([" ", "  ", "\n", "", "-", "'", "\u2019s", ", ", "&"])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(HEAD_WORDS, HEAD_GAPS), max_size=12),
    st.sets(st.sampled_from(["trust", "hospital", "board"])),
    st.integers(0, 10),
    st.integers(0, 10),
)
def test_head_mentions_are_the_head_pattern_s_matches(
    pieces: list[tuple[str, str]], heads: set[str], cut_lo: int, cut_hi: int
) -> None:
    from kg._orgs import Orgs, _head_pattern

    text = "".join(w + g for w, g in pieces)
    lo, hi = min(cut_lo, len(text)), max(len(text) - cut_hi, 0)
    orgs = Orgs(text)
    orgs._memo["head_refs",] = {h: f"key-{h}" for h in heads}
    rx = _head_pattern(tuple(sorted(heads)))
    want = [(m.start(), m.end(), f"key-{m.group().lower()}") for m in rx.finditer(text, lo, hi)]
    assert orgs._head_mentions(lo, hi) == want


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 8)), max_size=8),
    st.booleans(),
    st.integers(-2, 50),
)
def test_sentence_finder_finds_the_first_sentence_holding_a_place(
    spans: list[tuple[int, int]], in_order: bool, at: int
) -> None:
    from kg._names import _sentence_finder
    from kg._text import Sentence

    sents = [Sentence(s, s + n, "body", 0) for s, n in spans]
    if in_order:
        sents.sort(key=lambda s: s.start)
    want = next((s for s in sents if s.start <= at < s.end), None)
    assert _sentence_finder(sents)(at) is want


def test_the_memo_forgets_when_an_organisation_or_alias_is_added() -> None:
    from kg._orgs import Orgs
    from kg._text import evidence

    text = "The Acme Trust (AT) said the Trust and AT would sign."
    orgs = Orgs(text)
    assert orgs.resolve("AT") is None
    assert orgs.org_mentions(0, len(text), heads=True) == []
    key = orgs.add_org("Acme Trust", evidence(text, 4, 14, "test"))
    assert orgs.resolve("Acme Trust") == key
    assert orgs.resolve("AT") is None
    orgs.add_alias(key, "AT", evidence(text, 4, 19, "test"))
    assert orgs.resolve("AT") == key
    got = orgs.org_mentions(0, len(text), heads=True)
    assert [text[s:e] for s, e, _ in got] == ["Acme Trust", "AT", "Trust", "AT"]
    got.clear()  # callers may change what they get
    assert len(orgs.org_mentions(0, len(text), heads=True)) == 4


PASSIVE_VOCABULARY = (
    "was were been be is are formally officially jointly-ly ly signed the MOU Acme , . being "
    "wasn't abe island"
)


@settings(max_examples=500, deadline=None)
@given(
    _texts(PASSIVE_VOCABULARY, [" ", "  ", "\n", " \t ", "          ", ""], 30),
    st.integers(0, 8),
    st.integers(0, 8),
)
def test_passive_before_is_the_pattern_s_search(text: str, cut_lo: int, cut_hi: int) -> None:
    from kg._agreements import _PASSIVE, _passive_before

    lo, at = min(cut_lo, len(text)), max(len(text) - cut_hi, 0)
    assert _passive_before(text, lo, at) == bool(_PASSIVE.search(text[lo:at]))


SIGNING_VOCABULARY = (
    "signed SIGNED inked executed by today on 3 March in Leeds witnessed Witnesses included "
    "were witnessing the signing ceremony signature was in presence of on behalf Acme"
)


@settings(max_examples=500, deadline=None)
@given(_texts(SIGNING_VOCABULARY, [" ", "\n", ", ", ""], 14))
def test_every_signing_cue_holds_a_signing_word(text: str) -> None:
    from kg._signing import _SIGNING_WORDS

    for key in ("signed_by", "witness", "witnessed"):
        for m in rx()[key].finditer(text):
            assert _SIGNING_WORDS.search(m.group()), (key, m.group())
    for m in re.finditer(r"\bsigned\b", text):
        assert _SIGNING_WORDS.search(m.group())
