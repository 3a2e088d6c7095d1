"""People and the posts they hold, on top of the organisations of :mod:`kg._orgs`.

Cues, never name lists: honorific + name ("Dr Jane Doe", "Ir Professor Victor Lau", "Dr the
Hon Leung Ka-ho"), bare names before an appositive title, and the title beside a name on
either side ("the Director of Health, Dr X", "Mr X, Chairman of Y", "the XA Chairman, Mr Y"),
split into the post and the organisation it names.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from ._orgs import Orgs
from ._text import Sentence, evidence, norm
from ._vocab import (
    CONN,
    FUNCTION_WORDS,
    GOVERNED,
    LEGAL,
    MONTH_WORDS,
    NAME_HEADS,
    NAME_STOP,
    ORG_NOUNS,
    PLACE_POSTS,
    ROLE_NOUNS,
    TOK,
    TOKEN,
    is_capword,
    patterns,
)
from .facts import Person, slug

__all__ = ["FUNCTION_WORDS", "ORG_NOUNS", "ROLE_NOUNS", "Names", "PersonMention"]


@dataclass
class PersonMention:
    """A name in the text, resolved to a person key, with the post stated beside it."""

    start: int  # of the honorific, when there is one
    end: int
    key: str
    ext_start: int = -1  # the mention with its appositive title
    ext_end: int = -1
    title: str | None = None
    org: str | None = None
    bare: bool = False
    title_at: int = -1  # where the title starts in the text
    title_end: int = -1  # and where it ends


@dataclass
class Names(Orgs):
    """The organisations and people of one release, with every mention of them."""

    people: dict[str, Person] = field(default_factory=dict)
    persons: list[PersonMention] = field(default_factory=list)
    #: the dateline's place: a post "of" it is held in a place ("Mayor of Leeds")
    place: str | None = None
    #: organisations that are places a post is held in ("Leeds" of "Mayor of Leeds")
    place_keys: set[str] = field(default_factory=set)

    # -- people ---------------------------------------------------------------------------

    def find_people(self, spans: list[tuple[int, int]], sents: list[Sentence]) -> None:
        """Honorific + name mentions (and bare names before an appositive title)."""
        raw: list[tuple[int, int, str, list[str], bool]] = []
        rx = patterns()
        for lo, hi in spans:
            for m in _PERSON.finditer(self.text, lo, hi):
                toks = m.group("name").split()
                while toks and (
                    toks[-1] in NAME_STOP
                    or toks[-1] in ROLE_NOUNS
                    or toks[-1] in ORG_NOUNS
                    or toks[-1] in MONTH_WORDS
                ):
                    toks.pop()
                if not toks:
                    continue
                end = m.start("name") + _span_of(m.group("name"), toks)
                hon = norm(m.group("hon"))
                raw.append((m.start(), end, hon, toks, False))
            titled = rx["bare_titled"].finditer(self.text, lo, hi)
            for m in [*_BARE.finditer(self.text, lo, hi), *titled]:
                toks = m.group("name").split()
                prev = self.text[max(lo, m.start() - 30) : m.start()].split()[-1:]
                if (
                    prev
                    and prev[0][:1].isupper()
                    and not prev[0].endswith((",", ";", ":", ".", "!", "?", '"'))
                ):
                    continue  # inside a longer capitalised phrase
                if any(
                    t in FUNCTION_WORDS
                    or t in ROLE_NOUNS
                    or t in ORG_NOUNS
                    or t in MONTH_WORDS
                    or t in self._aliases
                    for t in toks
                ):
                    continue
                if any(a <= m.start() < b for a, b, *_ in raw):
                    continue
                if m.re is _BARE:
                    title = self._right_title(m.end("name"), hi)
                else:  # "the Trust's chief executive, Mark Ellery, said"
                    before = max(lo, m.start() - 200)
                    title = self._left_title(before, m.start(), False) or self._lower_title(
                        before, m.start()
                    )
                if title:
                    raw.append((m.start(), m.end("name"), "", toks, True))
        raw.sort()
        full: dict[str, list[str]] = {}
        for _, _, _, toks, _ in raw:
            if len(toks) >= 2:
                canon = self._match_full(full, toks) or slug(" ".join(toks))
                full.setdefault(canon, toks)
        for start, end, hon, toks, bare in raw:
            key = self._match_full(full, toks)
            conf = 0.7 if bare else 1.0
            if key is None:
                cands = [k for k, ft in full.items() if set(toks) <= set(ft)]
                if len(cands) == 1:
                    key = cands[0]
                elif cands:
                    key = self._nearest(cands, start, hon)
                else:
                    key = slug(" ".join(toks))
                    full[key] = toks
                    conf = 0.6
                    self.unsure.append(f"person known only as {hon} {' '.join(toks)}".strip())
            person = self.people.get(key)
            if person is None:
                person = self.people[key] = Person(key, " ".join(full[key]), hon or None)
                if bare:
                    self.unsure.append(f"person {person.name} found by a title, no honorific")
            ev = evidence(self.text, start, end, "bare-name" if bare else "honorific-name", conf)
            if len(person.evidence) < 4:
                person.evidence.append(ev)
            self.persons.append(PersonMention(start, end, key, bare=bare))
        self._roles(sents)

    def _match_full(self, full: dict[str, list[str]], toks: list[str]) -> str | None:
        for key, ft in full.items():
            if len(toks) >= 2 and (toks == ft or set(toks) <= set(ft) or set(ft) <= set(toks)):
                return key
        return None

    def _nearest(self, cands: list[str], at: int, hon: str) -> str:
        best = [p for p in self.persons if p.key in cands and p.start < at]
        same = [p for p in best if self.people[p.key].honorific == hon]
        pick = (same or best)[-1:] or []
        return pick[0].key if pick else cands[0]

    # -- posts ----------------------------------------------------------------------------

    def _roles(self, sents: list[Sentence]) -> None:
        """The title beside each person mention: before ("the Director of Health, Dr X")
        or after ("Mr X, Chairman of Y")."""
        ordered = sorted(self.persons, key=lambda p: p.start)
        sentence_at = _sentence_finder(sents)
        for i, pm in enumerate(ordered):
            sent = sentence_at(pm.start)
            lo = sent.start if sent else max(0, pm.start - 300)
            hi = sent.end if sent else min(len(self.text), pm.end + 300)
            prev_end = max([p.end for p in ordered[:i] if p.end <= pm.start] + [lo])
            nxt = [p.start for p in ordered[i + 1 :] if p.start >= pm.end]
            stop = min([hi, *nxt])
            pm.ext_start, pm.ext_end = pm.start, pm.end
            left = self._left_title(max(lo, prev_end), pm.start, not pm.bare) or self._lower_title(
                max(lo, prev_end), pm.start
            )
            if left:
                title, t0, t1 = left
                pm.ext_start = t0
            else:
                right = self._right_title(pm.end, stop)
                if not right:
                    continue
                title, t0, t1 = right
                pm.ext_end = t1
            pm.title, pm.org, org_span = self.split_title(title, t0)
            pm.title_at, pm.title_end = t0, t1
            if org_span and org_span[0] == t0:  # "the Trust's chief executive"
                self.title_spans.append((org_span[1], t1))
            else:
                self.title_spans.append((t0, org_span[0] if org_span else t1))

    def resplit_titles(self) -> None:
        """Split again the titles that named no organisation, now that organisations found
        by head noun are known too ("Orion Medtech President" once "Orion Medtech Inc" is)."""
        for pm in self.persons:
            if pm.title and pm.org is None and pm.title_end > pm.title_at >= 0:
                title = self.text[pm.title_at : pm.title_end]
                pm.title, pm.org, _ = self.split_title(title, pm.title_at)

    def _left_title(self, lo: int, at: int, honorific: bool) -> tuple[str, int, int] | None:
        """The title before a name: "the Director of Health, Dr X", or with no comma before
        an honorific when the title ends in a post noun ("GIP Executive Director Dr X")."""
        seg = self.text[lo:at]
        m = _COMMA_END.search(seg)
        tight = None
        if not m and honorific:
            tight = _TIGHT_END.search(seg)
            last = _LAST_WORD.findall(seg)
            if not tight or not last or not set(last[-1].split("-")) & ROLE_NOUNS:
                return None
        if not m and not tight:
            return None
        end = lo + (m or tight).start()  # type: ignore[union-attr]
        toks = list(TOKEN.finditer(self.text, lo, end))
        start = end
        for t in reversed(toks):
            w = t.group()
            if tight and w == ",":
                break
            if w in (",", "(", ")") or w in CONN or w == "at" or is_capword(w):
                start = t.start()
            else:
                break
        while self.text.count("(", start, end) != self.text.count(")", start, end):
            start = self.text.index(")", start, end) + 1  # "(left), the Director ..." cut
        span = self.text[start:end]
        cut = list(_COMMA_THE.finditer(span))
        if cut:
            start += cut[-1].end()
        while True:
            m2 = _LEFT_LEAD.match(self.text[start:end])
            if not m2 or m2.end() >= end - start:
                break
            start += m2.end()
        return self._checked(start, end)

    def _right_title(self, at: int, hi: int) -> tuple[str, int, int] | None:
        rx = patterns()
        m = rx["skip"].match(self.text, at, hi)
        pos = m.end() if m else at
        m = _COMMA_GAP.match(self.text, pos, hi)
        if not m:
            return None
        start = m.end()
        if self.text[start : start + 1].islower():  # "X, chief executive of the Trust,"
            return self._lower_right_title(start, hi)
        end = start
        for t in TOKEN.finditer(self.text, start, hi):
            w = t.group()
            if rx["hon_start"].match(self.text, t.start(), hi):
                break
            if w in (",", "(", ")") or w in CONN or w == "at" or is_capword(w):
                end = t.end()
            else:
                break
        while self.text.count("(", start, end) != self.text.count(")", start, end):
            end = self.text.rindex("(", start, end)  # "Director (front row, right)"
        span = self.text[start:end]
        if _AND_START.match(span):
            return None
        span = _RIGHT_CUT.split(span, 1)[0]
        end = start + len(span)
        if self.text.startswith("the ", start):
            start += 4
        while end > start:
            m2 = _RIGHT_TAIL.search(self.text[start:end])
            if not m2:
                break
            end = start + m2.start()
        return self._checked(start, end)

    def _lower_title(self, lo: int, at: int) -> tuple[str, int, int] | None:
        """A post in lower case before a name, with the organisation that holds it: "the
        Trust's chief executive, X", "the university's vice-chancellor, X", "the chief
        executive of the Trust, X", "the hospital's chief nurse, X". The post must hold a post
        noun (see :func:`_lower_post`)."""
        seg = self.text[max(lo, at - 200) : at]
        if not seg.rstrip().endswith(","):
            return None
        m = patterns()["lower_title"].search(seg)
        if not m or not (m["head"] or m["pos"] or m["of"]):
            return None
        if not _lower_post(m["post"].split()):
            return None
        if m["head"] and m["head"].capitalize() not in ORG_NOUNS:
            return None
        base = at - len(seg)
        start = base + m.start("head" if m["head"] else "pos" if m["pos"] else "post")
        if m["pos"] and (lead := _THE_LEAD.match(m["pos"])):
            start += len(lead.group())
        end = base + (m.end("of") if m["of"] else m.end("post"))
        return self.text[start:end], start, end

    def _lower_right_title(self, start: int, hi: int) -> tuple[str, int, int] | None:
        """A post in lower case after a name, with the organisation that holds it: "X, chief
        executive of the Trust," / "X, medical director at Northfield NHS Trust,"."""
        m = patterns()["lower_right"].match(self.text, start, hi)
        if not m or not _lower_post(m["post"].split()):
            return None
        owner = _THE_START.sub("", m["of"])
        head = owner in ORG_NOUNS or (owner.islower() and owner.capitalize() in NAME_HEADS)
        if not (self.resolve_ref(owner) or self.org_phrase(owner) or head):
            return None  # "the Trust", "the hospital" may name an organisation found later
        return self.text[start : m.end("of")], start, m.end("of")

    def _checked(self, start: int, end: int) -> tuple[str, int, int] | None:
        title = self.text[start:end].strip(" ,")
        words = set(_WORD.findall(title))
        words |= {part for w in words for part in w.split("-")}
        if not title or not words & ROLE_NOUNS or not is_capword(title):
            return None
        if len(title) > 120 or patterns()["hon_start"].search(title):
            return None
        return title, start, end

    def split_title(self, title: str, at: int) -> tuple[str, str | None, tuple[int, int] | None]:
        """Split "Chief Executive Officer of the ACME" into the post and the organisation.

        Tried in order: "ORG's ..." (possessive, "the Trust's chief executive"), "... of/at
        (the) ORG", "... of PLACE Province" (the government of a governed place), "... of
        PLACE" (the dateline's place, or a civic post's: see :meth:`_post_place`), "..., ORG",
        "ORG ..." (role-first, as in "the XA Chairman"). A title that names no organisation
        ("Director of Health") keeps it all. An organisation may be named by its head noun
        alone ("the Trust") when one organisation's name holds it. A post written in lower
        case is capitalised as titles are ("chief executive" -> "Chief Executive").
        """
        post, key, span = self._split_title(title, at)
        return (_capitalised(post) if post[:1].islower() else post), key, span

    def _split_title(self, title: str, at: int) -> tuple[str, str | None, tuple[int, int] | None]:
        poss = _POSSESSOR.match(title)
        if poss and not {w.strip(".") for w in poss[1].split()} & ROLE_NOUNS:
            owner, org_span = poss[1], (at, at + poss.end(1))
            key = self.resolve_ref(owner) or self.resolve_or_add(owner, *org_span)
            if key or owner.capitalize() in ORG_NOUNS:
                return norm(title[poss.end() :]), key, org_span if key else None
        cuts = [m for m in _OF_AT.finditer(title) if m.start() > 0]
        # a known organisation wins, however far along the chain it is ("Deputy Director
        # General of the X Office of the NCHT"); else the first organisation-like rest,
        # skipping a rest that lists places ("Hong Kong, Macao and Taiwan Office of ...")
        for m in cuts:
            key = self.resolve_ref(title[m.end() :])
            if key:
                return norm(title[: m.start()]), key, (at + m.end(), at + len(title))
        for m in cuts:
            rest = title[m.end() :]
            if ", " in rest and rest.split()[-1].rstrip(".") not in LEGAL:
                continue
            key = self.resolve_or_add(rest, at + m.end(), at + len(title))
            if key:
                return norm(title[: m.start()]), key, (at + m.end(), at + len(title))
        if cuts and _governed(rest := title[cuts[-1].end() :]):
            ev = evidence(self.text, at + cuts[-1].end(), at + len(title), "governed-place", 0.85)
            return norm(title[: cuts[-1].start()]), self.add_org(rest, ev), (ev.start, ev.end)
        if cuts and self._post_place(post := title[: cuts[-1].start()], rest):
            ev = evidence(self.text, at + cuts[-1].end(), at + len(title), "post-place", 0.85)
            key = self.add_org(rest, ev)
            self.place_keys.add(key)
            return norm(post), key, (ev.start, ev.end)
        for m in _COMMA_REST.finditer(title):
            rest = title[m.end() :]
            key = self.resolve(rest)
            words = rest.split()
            if not key and words and words[-1].rstrip(".") in LEGAL and self.org_phrase(rest):
                key = self.resolve_or_add(rest, at + m.end(), at + len(title))
            if key:
                return norm(title[: m.start()]), key, (at + m.end(), at + len(title))
        tokens = list(_NON_SPACE.finditer(title))
        for i in range(len(tokens) - 1, 0, -1):
            head = title[: tokens[i - 1].end()]
            key = self.resolve(head)
            if key:
                rest = title[tokens[i].start() :]
                if {part for w in rest.split() for part in w.split("-")} & ROLE_NOUNS:
                    return norm(rest), key, (at, at + len(head))
        return norm(title), None, None

    def _post_place(self, post: str, rest: str) -> bool:
        """Whether "``post`` of ``rest``" is a post held in a place ("Mayor of Leeds"): the
        rest is one to three capitalised words that name no organisation, post or month, and
        it is the dateline's place or the post is one held in a place ("Mayor of X")."""
        words = rest.split()
        if not 1 <= len(words) <= 3 or not all(_PLACE_WORD.fullmatch(w) for w in words):
            return False
        if any(w in ORG_NOUNS or w in ROLE_NOUNS or w in MONTH_WORDS for w in words):
            return False
        if self.place and rest.lower() == self.place.lower():
            return True
        return bool(set(_LETTERS.findall(post)) & PLACE_POSTS)


#: the letters an honorific or a name starts with: "person" and "bare" of
#: :func:`kg._vocab.patterns` check them first, so the regex engine skips other places fast
#: (same matches)
PERSON_INITIALS = "A-Zt"
_PERSON = re.compile(rf"(?=[{PERSON_INITIALS}])" + patterns()["person"].pattern)
#: a name's word (:data:`kg._vocab.TOK`) that never gives back a lower-case letter it took:
#: in a bare name what follows one (a space, a comma, a hyphen) never is one, so "bare" finds
#: the same names without backtracking through each word's letters
_TOK_POSSESSIVE = TOK.replace("[a-z]+", "[a-z]++").replace("[a-z]*", "[a-z]*+")
_BARE = re.compile(r"(?=[A-Z])" + patterns()["bare"].pattern.replace(TOK, _TOK_POSSESSIVE))

# the fixed patterns of the title rules, compiled once
#: a comma ending a text before a name: "the Director of Health, "
_COMMA_END = re.compile(r",\s*$")
#: spaces ending a text, after a word or ")": "GIP Executive Director "
_TIGHT_END = re.compile(r"(?<=[\w)])[ \t]+$")
#: the last word of a text, before trailing spaces
_LAST_WORD = re.compile(r"[A-Za-z][\w-]*(?=[ \t]*$)")
#: where a title before a name starts anew: ", the", ", and the"
_COMMA_THE = re.compile(r",\s+(?:and\s+)?(?=the\s)")
#: a joining word, or a word before "the", that does not start a title
_LEFT_LEAD = re.compile(r"(?:,|and|the|The|of|for|&)\s+|(?:[A-Z]\w*)\s+(?=the\s)")
#: the comma after a name, before its title
_COMMA_GAP = re.compile(r",\s+")
_AND_START = re.compile(r"and\b")
#: where a title after a name ends: another person or organisation follows
_RIGHT_CUT = re.compile(r",?\s+and\s+(?=the\s)|,\s+(?=the\s)|,\s+and\s")
#: a joining word or comma ending a title
_RIGHT_TAIL = re.compile(r"(?:,|\s(?:and|the|of|for|&))\s*$")
_THE_LEAD = re.compile(r"The\s+")
_THE_START = re.compile(r"^the\s+")
_WORD = re.compile(r"[A-Za-z][\w-]*")
_LETTERS = re.compile(r"[A-Za-z]+")
_NON_SPACE = re.compile(r"\S+")
#: a possessive owner leading a title: "the Trust's chief executive"
_POSSESSOR = re.compile(r"([^,]+?)['\u2019]s\s+(?=\S)")
#: where a title names its organisation: " of ", " at the "
_OF_AT = re.compile(r"\s+(?:of|at)\s+(?:the\s+)?")
#: a comma before an organisation in a title: "Chief Executive, the X"
_COMMA_REST = re.compile(r",\s+(?:the\s+)?")

#: one word of a place's name ("Leeds", "Kuala", "Saint-Denis")
_PLACE_WORD = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)*")

#: lower-case words that never stand in a post ("the partners and staff, X")
_NOT_POST = frozenset(
    {"or", "to", "with", "by", "from", "said", "says", "who", "which", "was", "is"}
)


def _sentence_finder(sents: list[Sentence]) -> Callable[[int], Sentence | None]:
    """A function giving the first of ``sents`` that holds a place in the text, or None; by
    bisection when the sentences are in order and apart, as :func:`kg._text.sentences` gives
    them."""
    if any(a.end > b.start for a, b in pairwise(sents)):
        return lambda at: next((s for s in sents if s.start <= at < s.end), None)
    starts = [s.start for s in sents]

    def sentence_at(at: int) -> Sentence | None:
        i = bisect_right(starts, at) - 1
        return sents[i] if i >= 0 and at < sents[i].end else None

    return sentence_at


def _lower_post(words: list[str]) -> bool:
    """Whether lower-case words name a post: a post noun among the words before any "of" or
    "for" ("chief executive", "vice-chancellor", "chief nurse", "lead research nurse",
    "director of nursing", "head of research and development"), no other joining words
    before it, and no organisation's head noun at the end ("head office").

    >>> [_lower_post(p.split()) for p in ("chief nurse", "dean of nursing", "head office")]
    [True, True, False]
    >>> [_lower_post(p.split()) for p in ("partners and staff", "nurse", "director of")]
    [False, False, False]
    """
    if any(w in _NOT_POST for w in words) or words[-1] in CONN:
        return False
    if words[-1].capitalize() in ORG_NOUNS:
        return False
    cut = next((i for i, w in enumerate(words) if w in CONN), len(words))
    if cut < len(words) and words[cut] not in ("of", "for"):
        return False
    if any(w in CONN and w not in ("of", "for", "and") for w in words[cut:]):
        return False
    return any(_post_noun(w) for w in words[:cut])


def _post_noun(word: str) -> bool:
    """Whether a lower-case word is a post noun ("chief", "vice-chancellor", "co-founder")."""
    return word.title() in ROLE_NOUNS or any(p.capitalize() in ROLE_NOUNS for p in word.split("-"))


def _capitalised(post: str) -> str:
    """A post written in lower case, capitalised as titles are ("chief executive of
    research" -> "Chief Executive of Research"); joining words stay in lower case, and words
    already capitalised stay as written ("chief executive of NHS Kestrel")."""
    return " ".join(w if w in CONN or not w[:1].islower() else w.title() for w in post.split())


def _governed(phrase: str) -> bool:
    """Whether ``phrase`` names a governed place: "Guangdong Province", "Shenzhen Municipality"."""
    words = phrase.split()
    return len(words) >= 2 and words[-1] in GOVERNED and all(is_capword(w) for w in words)


def _span_of(text: str, toks: list[str]) -> int:
    """Length of the prefix of ``text`` that holds ``toks``."""
    pos = 0
    for t in toks:
        pos = text.index(t, pos) + len(t)
    return pos
