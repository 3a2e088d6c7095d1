"""Organisations, found from the text's own cues, and every mention of them.

Cues, never name lists: acronym definitions ("Department of Health (DH)"), quoted short
names (``Meridian Diagnostics Pte Ltd ("Meridian")``), acronym variants ("ACMEC" beside
"ACME"), organisation head nouns ("... Authority", "... University"), and definite
references by head noun ("the Trust") to the one organisation whose name holds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ._text import evidence, norm
from ._vocab import (
    AGREEMENT_WORDS,
    CONN,
    FUNCTION_WORDS,
    HON_ONE,
    LEGAL,
    NAME_HEADS,
    ORG_NOUNS,
    ROLE_NOUNS,
    is_capword,
    patterns,
)
from .facts import Evidence, Organisation, slug

#: a leading "The"/"the" and the white space after it
_THE = re.compile(r"^[Tt]he\s+")
#: a trailing possessive ("Trust's", "Trusts'")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
#: where a name's core ends ("Department of Health": "Department")
_OF_PLACE = re.compile(r"\s+(?:of|for|in|on|at)\s+")
_WORD = re.compile(r"[^\s]+")
_AND = re.compile(r"\s+(?:and|&)\s+")
_AND_WORD = re.compile(r"\s(?:and|&)\s")


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and w not in CONN)


def _by_initials(short: str, long: str) -> int | None:
    """Start index in ``long`` of the last words whose initials spell ``short``."""
    want = re.sub(r"[^A-Z]", "", short.upper())
    words = list(re.finditer(r"\S+", long))
    for k in range(1, len(words) + 1):
        tail = words[-k:]
        got = "".join(w.group()[0] for w in tail if w.group() not in CONN).upper()
        if got == want and tail[0].group()[0].isupper():
            return tail[0].start()
    return None


def _schwartz_hearst(short: str, long: str) -> int | None:
    """Start index in ``long`` of the shortest long form of ``short`` (Schwartz & Hearst 2003)."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    return long.rfind(" ", 0, i + 1) + 1


@dataclass
class Orgs:
    """The organisations of one release, their aliases, and the spans of post titles."""

    text: str
    orgs: dict[str, Organisation] = field(default_factory=dict)
    unsure: list[str] = field(default_factory=list)
    other_acronyms: set[str] = field(default_factory=set)
    _aliases: dict[str, str] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)
    title_spans: list[tuple[int, int]] = field(default_factory=list)
    #: names without their legal form ("Orion Medtech" for "Orion Medtech Inc")
    _short: dict[str, str] = field(default_factory=dict)
    #: what :meth:`resolve`, :meth:`org_mentions` and :meth:`head_refs` answered while the
    #: organisations, names and aliases stayed as they are (see :meth:`_changed`)
    _memo: dict[tuple[object, ...], object] = field(default_factory=dict, repr=False)

    def _changed(self) -> None:
        """Forget what :attr:`_memo` holds: an organisation, name or alias was added."""
        self._memo.clear()

    def add_org(self, name: str, ev: Evidence) -> str:
        """Register an organisation (or add evidence to it) and return its key."""
        name = norm(name)
        name = _THE.sub("", name)
        key = self.resolve(name) or slug(name)
        org = self.orgs.get(key)
        if org is None:
            org = self.orgs[key] = Organisation(key, name)
            self._changed()
            self._names[name.lower()] = key
            short = _without_legal_form(name)
            if short:
                self._names.setdefault(short.lower(), key)
                self._short[short] = key
        if len(org.evidence) < 3 and ev not in org.evidence:
            org.evidence.append(ev)
        return key

    def add_alias(self, key: str, alias: str, ev: Evidence) -> None:
        """Record ``alias`` for the organisation ``key``."""
        org = self.orgs[key]
        if alias not in org.aliases and alias != org.name:
            org.aliases.append(alias)
            org.alias_evidence[alias] = ev
        if alias not in self._aliases:
            self._aliases[alias] = key
            self._changed()

    def resolve(self, phrase: str) -> str | None:
        """The key of a known organisation named or aliased by ``phrase``."""
        memo = ("resolve", phrase)
        if memo in self._memo:
            return self._memo[memo]  # type: ignore[return-value]
        key = self._memo[memo] = self._resolve(phrase)
        return key

    def _resolve(self, phrase: str) -> str | None:
        p = _THE.sub("", norm(phrase))
        p = _POSSESSIVE.sub("", p)
        if p in self._aliases:
            return self._aliases[p]
        if p.lower() in self._names:
            return self._names[p.lower()]
        return slug(p) if slug(p) in self.orgs else None

    def resolve_ref(self, phrase: str) -> str | None:
        """:meth:`resolve`, or a head noun alone ("the Trust", "university's") naming the one
        organisation whose name holds it (see :meth:`head_refs`)."""
        key = self.resolve(phrase)
        if key:
            return key
        word = _POSSESSIVE.sub("", _THE.sub("", norm(phrase)))
        if " " in word or word.capitalize() not in ORG_NOUNS:
            return None
        return self.head_refs().get(word.lower())

    def org_phrase(self, phrase: str) -> bool:
        """Whether a capitalised phrase looks like an organisation's name."""
        words = norm(phrase).split()
        if not words or not is_capword(words[0]) or AGREEMENT_WORDS.search(phrase):
            return False
        if any(not is_capword(w) and w not in CONN for w in words):
            return False
        if any(w in ROLE_NOUNS for w in words):
            return False
        heads = [i for i, w in enumerate(words) if w.rstrip(".,") in ORG_NOUNS]
        if not heads:
            return False
        # "Government" alone, "Office" alone: too vague
        return len(words) >= 2

    def resolve_or_add(self, phrase: str, start: int, end: int, conf: float = 0.9) -> str | None:
        """Resolve ``phrase`` (``text[start:end]``) or register it when it names an organisation."""
        key = self.resolve(phrase)
        if key:
            return key
        if self.org_phrase(_THE.sub("", norm(phrase))):
            ev = evidence(self.text, start, end, "org-noun", conf)
            return self.add_org(ev.text, ev)
        return None

    def find_acronyms(self, spans: list[tuple[int, int]]) -> None:
        """Acronym definitions "Full Name (ACR)" in the given ranges."""
        rx = patterns()
        for lo, hi in spans:
            for m in rx["acr"].finditer(self.text, lo, hi):
                acr = m.group("acr").rstrip(".")
                if sum(c.isupper() for c in acr) < 2:
                    if re.search(r"[\"\u201c]", m.group()):
                        self._short_name(acr, lo, m)
                    continue
                win_lo = max(lo, self.text.rfind("\n\n", lo, m.start()) + 1, m.start() - 160)
                window = self.text[win_lo : m.start()].rstrip()
                words = list(re.finditer(r"\S+", window))[-(len(acr) + 5) :]
                if not words:
                    continue
                base = win_lo + words[0].start()
                long = self.text[base : win_lo + len(window)]
                at = _by_initials(acr, long)
                if at is None:
                    at = _schwartz_hearst(acr, long.replace("\n", " "))
                if at is None:
                    self.other_acronyms.add(acr)
                    continue
                name = long[at:]
                if re.match(r"(?:[Tt]he)\s", name):
                    name = name[4:]
                start = base + at + (len(long[at:]) - len(name))
                if not self.org_phrase(name):
                    self.other_acronyms.add(acr)
                    continue
                ev = evidence(self.text, start, m.end(), "acronym-definition")
                key = self.add_org(name, ev)
                self.add_alias(key, acr, ev)

    def _short_name(self, short: str, lo: int, m: re.Match[str]) -> None:
        """A quoted short name: ``Meridian Diagnostics Pte Ltd ("Meridian")``.

        The long form is the organisation-like phrase just before it that starts with the
        short name's first word.
        """
        win_lo = max(lo, m.start() - 160)
        window = self.text[win_lo : m.start()].rstrip()
        at = window.rfind(short.split()[0])
        if at < 0 or (at > 0 and window[at - 1].isalnum()):
            return
        name = window[at:]
        if not self.org_phrase(name) or len(name) <= len(short):
            return
        ev = evidence(self.text, win_lo + at, m.end(), "short-name-definition", 0.9)
        self.add_alias(self.add_org(name, ev), short, ev)

    def find_variants(self, spans: list[tuple[int, int]]) -> None:
        """Undefined all-capital tokens that are a known acronym plus a letter, or initials."""
        rx = patterns()
        #: name -> the first letter of its last word, and its initials
        shapes: dict[str, tuple[str, str]] = {}
        for lo, hi in spans:
            for m in rx["caps"].finditer(self.text, lo, hi):
                tok = m.group()
                if tok in self._aliases or tok in self.other_acronyms:
                    continue
                for key, org in list(self.orgs.items()):
                    shape = shapes.get(org.name)
                    if shape is None:
                        shape = shapes[org.name] = (org.name.split()[-1][0], _initials(org.name))
                    last_initial, initials = shape
                    if (tok[:-1] in org.aliases and last_initial == tok[-1]) or (
                        len(tok) >= 2 and initials == tok
                    ):
                        ev = evidence(self.text, m.start(), m.end(), "acronym-variant", 0.85)
                        self.add_alias(key, tok, ev)
                        break

    def find_org_phrases(self, spans: list[tuple[int, int]]) -> None:
        """Capitalised phrases with an organisation head noun, outside post titles."""
        titles = self.title_spans
        found = [
            m
            for lo, hi in spans
            for m in patterns()["phrase"].finditer(self.text, lo, hi)
            if not titles or not _overlaps(m.start(), m.end(), titles)
        ]
        # names that stand alone somewhere in the release: a cue to split "X and Y"
        alone = {
            norm(self.text[a:b]).lower()
            for m in found
            if not _AND_WORD.search(m.group())
            for a, b in _org_parts(self.text, m.start(), m.end())
        }

        def splits(left: str, right: str) -> bool:
            return self._splits(left, right, alone)

        resume = -1  # where a phrase goes on after a name with a comma list in it
        for m in found:
            parts = _org_parts(self.text, max(m.start(), resume), m.end(), splits)
            if (
                self.text.startswith(",", m.end())
                and parts
                and parts[-1][1] == m.end()
                and (listed := self._comma_list(m))
            ):
                parts[-1] = (parts[-1][0], listed)  # "Agency for Science, Technology and ..."
                resume = listed
            for start, end in parts:
                self.resolve_or_add(self.text[start:end], start, end, 0.85)

    def _comma_list(self, m: re.Match[str]) -> int | None:
        """Where a name ends that goes on past ``m`` with a comma list of subjects: "Agency for
        Science, Technology and Research", "Ministry of Health, Labour and Welfare".

        ``m`` must end in "HEAD of/for Subject" (an organisation head noun), and the list be
        capitalised words, none a head noun, post noun or function word, closed by "and".
        """
        tail = _SUBJECT_TAIL.search(m.group())
        if not tail or tail["head"] not in ORG_NOUNS:
            return None
        listed = _COMMA_LIST.match(self.text, m.end())
        if not listed:
            return None
        words = re.findall(r"[A-Z][\w-]*", listed.group())
        if len(words) > 8 or any(
            w in ORG_NOUNS or w in ROLE_NOUNS or w in FUNCTION_WORDS or _HONORIFIC.fullmatch(w)
            for w in words
        ):
            return None
        return listed.end()

    def _splits(self, left: str, right: str, alone: set[str]) -> bool:
        """Whether "``left`` and ``right``" names two organisations, not one.

        Both halves must look like organisations' names (or be known ones: "NHS Kestrel", the
        issuer the masthead names), and the second one either starts
        with its own article ("A Network of X and the B Society"), or one half is named on
        its own in this release (by an acronym definition, in a post's title, in another
        phrase), or the second one is a name of its own, ending in a head noun that ends
        names ("A Institute of X and B Corporation"). "Department of Health and Social Care"
        and "Ministry of Health and Family Welfare" stay whole: their second half has no head
        noun; "Department of Health and Human Services" too: "Services" names areas as well.
        """
        bare = _THE.sub("", right)
        if not all(self.org_phrase(h) or self.resolve(h) for h in (left, bare)):
            return False
        named = any(self.resolve(h) or h.lower() in alone for h in (left, bare))
        own = bare.split()[-1] in NAME_HEADS and len(bare.split()) >= 2
        return bare != right or named or own

    def org_mentions(self, lo: int, hi: int, *, heads: bool = False) -> list[tuple[int, int, str]]:
        """Every mention of a known organisation in ``text[lo:hi]`` as ``(start, end, key)``.

        :param heads: also definite references by head noun ("the Trust", "the hospital")
            to the one organisation whose name holds that noun (see :meth:`head_refs`)
        """
        memo = ("org_mentions", lo, hi, heads)
        if memo not in self._memo:
            self._memo[memo] = self._org_mentions(lo, hi, heads)
        return list(self._memo[memo])  # type: ignore[call-overload]

    def _org_mentions(self, lo: int, hi: int, heads: bool) -> list[tuple[int, int, str]]:
        out = []
        for start, end in self._spellings().find(self.text, lo, hi):
            key = self.resolve(self.text[start:end])
            if key:
                out.append((start, end, key))
        if heads:
            for s, e, key in self._head_mentions(lo, hi):
                if not any(s0 <= s < e0 for s0, e0, _ in out):
                    out.append((s, e, key))
            out.sort()
        return out

    def _head_mentions(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Definite references by head noun in ``text[lo:hi]``: "the Trust" or "the trust" for
        a noun of :meth:`head_refs`, written whole and not going on into a name ("the Trust
        Board"). The matches of :func:`_head_pattern`, found without compiling it."""
        refs = self.head_refs()
        out = []
        for m in _AFTER_THE.finditer(self.text, lo, hi):
            word = m.group()
            head = word[0].lower() + word[1:]
            key = refs.get(head)
            if (
                key
                and word[0] in (head[0], head[0].upper())
                and not _CAPITAL_NEXT.match(self.text, m.end(), hi)
            ):
                out.append((m.start(), m.end(), key))
        return out

    def head_refs(self) -> dict[str, str]:
        """Head noun (lower case) -> key, for nouns that only one organisation's name holds."""
        if ("head_refs",) not in self._memo:
            self._memo["head_refs",] = self._head_refs()
        return self._memo["head_refs",]  # type: ignore[return-value]

    def _head_refs(self) -> dict[str, str]:
        seen: dict[str, set[str]] = {}
        for org in self.orgs.values():
            core = _OF_PLACE.split(org.name)[0].split()
            heads = [w for w in core if w in ORG_NOUNS and w not in LEGAL]
            if heads:
                seen.setdefault(heads[-1].lower(), set()).add(org.key)
        return {w: next(iter(keys)) for w, keys in seen.items() if len(keys) == 1}

    def _spellings(self) -> _Spellings:
        names = {o.name for o in self.orgs.values()} | set(self._aliases) | set(self._short)
        return _spellings(tuple(sorted(names)))


#: the end of a name "HEAD of/for Subject" that a comma list may go on ("Agency for Science")
_SUBJECT_TAIL = re.compile(
    r"(?<![\w&'\u2019-])(?P<head>[A-Z][a-z]+)\s+(?:of|for)\s+(?:the\s+)?"
    r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*\Z"
)
_HONORIFIC = re.compile(HON_ONE)
_LIST_RUN = r"[A-Z][a-z][\w-]*(?:[ \t]+[A-Z][a-z][\w-]*)*"
#: ", Technology and Research": capitalised runs, the last after "and", the name ending there
_COMMA_LIST = re.compile(
    rf",[ \t]+(?:{_LIST_RUN},[ \t]+)*{_LIST_RUN},?[ \t]+(?:and|&)[ \t]+{_LIST_RUN}"
    r"(?![\w&'\u2019-]|[ \t]+(?:of|for|the|de)\b|[ \t]+[A-Z])"
)


def _without_legal_form(name: str) -> str | None:
    """The name without trailing legal-form words, when at least two words remain.

    >>> _without_legal_form("Meridian Diagnostics Pte Ltd")
    'Meridian Diagnostics'
    >>> _without_legal_form("Acme Ltd") is None
    True
    """
    words = name.split()
    while words and words[-1].rstrip(".,") in LEGAL - {"Corporation", "Company"}:
        words.pop()
    if len(words) < 2 or len(words) == len(name.split()):
        return None
    return " ".join(words).rstrip(",")


#: a character a name may not touch on either side
_NAME_GLUE = re.compile(r"[\w&]")
_SPACE_RUN = re.compile(r"\s+")


class _Spellings:
    r"""Where organisation names and aliases are written: the matches of the pattern
    ``(?<![\w&])(?:NAME|...)(?![\w&])``, the longest name tried first at each place and any
    white space between a name's words, found without compiling that pattern (which, with
    each release's own names, cost more than all the searches it served).
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        #: each name as its words, longest name (in characters) first
        self.spelled = [a.split() for a in sorted(names, key=len, reverse=True)]
        self.firsts = {words[0] for words in self.spelled if words}

    def find(self, text: str, lo: int, hi: int) -> list[tuple[int, int]]:
        """``(start, end)`` of each name in ``text[lo:hi]``, left to right, not overlapping."""
        if not all(self.spelled):  # a blank name matches everywhere: leave that to re
            body = "|".join(r"\s+".join(map(re.escape, w)) for w in self.spelled) or r"(?!x)x"
            rx = re.compile(rf"(?<![\w&])(?:{body})(?![\w&])")
            return [m.span() for m in rx.finditer(text, lo, hi)]
        starts: set[int] = set()
        for word in self.firsts:
            at = text.find(word, lo, hi)
            while at >= 0:
                starts.add(at)
                at = text.find(word, at + 1, hi)
        out: list[tuple[int, int]] = []
        pos = lo
        for at in sorted(starts):
            if at < pos or (at > 0 and _NAME_GLUE.match(text, at - 1)):
                continue
            end = next(
                (e for words in self.spelled if (e := _spelled_at(text, at, hi, words)) >= 0),
                -1,
            )
            if end >= 0:
                out.append((at, end))
                pos = end
        return out


def _spelled_at(text: str, at: int, hi: int, words: list[str]) -> int:
    """Where ``words``, written from ``at`` with white space between them and no word
    character or "&" right after, end in ``text[:hi]``; -1 when they are not written there."""
    end = at
    for i, word in enumerate(words):
        if i:
            gap = _SPACE_RUN.match(text, end, hi)
            if not gap:
                return -1
            end = gap.end()
        if not text.startswith(word, end, hi):
            return -1
        end += len(word)
    return -1 if _NAME_GLUE.match(text, end, hi) else end


@lru_cache(maxsize=64)
def _spellings(names: tuple[str, ...]) -> _Spellings:
    return _Spellings(names)


#: a word written after "the", whole: a definite reference when it is a head noun
_AFTER_THE = re.compile(r"(?<=\b[Tt]he\s)[\w&'\u2019-]+")
#: a capitalised word next: the head noun goes on into a name ("the Trust Board")
_CAPITAL_NEXT = re.compile(r"\s+[A-Z]")


def _head_pattern(heads: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern of definite head-noun references ("the Trust", "the hospital"), which
    :meth:`Orgs._head_mentions` matches without compiling it (kept to test that)."""
    head = "|".join(f"[{h[0].upper()}{h[0]}]{re.escape(h[1:])}" for h in heads) or r"(?!x)x"
    return re.compile(rf"(?<=\b[Tt]he\s)(?:{head})(?![\w&'\u2019-])(?!\s+[A-Z])")


#: a legal form written with a full stop after it ("Orion Medtech Inc.")
_ABBREVIATED_FORM = re.compile(r"\b(?:Inc|Corp|Co)$")


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``text[start:end]`` overlaps one of ``spans``."""
    return any(a < end and start < b for a, b in spans)


def _org_parts(
    text: str, start: int, end: int, splits: Callable[[str, str], bool] | None = None
) -> list[tuple[int, int]]:
    """Cut a capitalised phrase into organisation-name candidates.

    Drops leading function words and a leading post ("Chairman of the ..."), and splits
    "A Hospital and B University" in two, or "A Network of X and the B Society" when
    ``splits(left, right)`` says the halves name two organisations.
    """
    phrase = text[start:end]
    found = list(_WORD.finditer(phrase))
    words = [w.group() for w in found]
    i = 0
    while i < len(words) and (words[i] in FUNCTION_WORDS or words[i] in CONN):
        i += 1
    for j, w in enumerate(words):
        if w in ROLE_NOUNS:
            i = max(i, j + 1)
    while i < len(words) and words[i] in CONN:
        i += 1
    if i >= len(words):
        return []
    s = start + found[i].start()
    e = end
    if text[e - 2 : e] in ("'s", "\u2019s"):
        e -= 2
    elif text[e : e + 1] == "." and _ABBREVIATED_FORM.search(text[s:e]):
        e += 1  # "Orion Medtech Inc." is the name as written
    parts = []
    ands = list(_AND.finditer(text[s:e]))
    base = s
    for k, m2 in enumerate(ands):
        left = text[s : base + m2.start()].split()
        # the next conjunct only: "Ministry of Health and Family Welfare and the X Authority"
        right = text[base + m2.end() : base + ands[k + 1].start() if k + 1 < len(ands) else e]
        if not left or not right.split():
            continue
        if left[-1] in ORG_NOUNS or (splits and splits(" ".join(left), " ".join(right.split()))):
            parts.append((s, base + m2.start()))
            s = base + m2.end()
    parts.append((s, e))
    return parts
