"""Agreement nouns and status verbs: the vocabulary the agreement rules read.

An agreement noun ("a Memorandum of Understanding", "two co-operation agreements", "the
Co-operation Agreement on Regulation of Drugs") is found with its type, its own title and
its determiner; a status verb ("signed", "will sign", "agreed to explore", "did not renew")
with its status. The rules are data (:data:`TYPE_RULES`, :data:`STATUS_RULES`), compiled on
first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from ._dates import MONTH, number
from ._names import Names
from ._text import Sentence, norm
from .facts import Agreement, slug

#: (type code, pattern of its noun); earlier rows win where two match at one place
TYPE_RULES: tuple[tuple[str, str], ...] = (
    ("mou", r"memorand(?:um|a)\s+of\s+understanding|mous?"),
    ("letter-of-intent", r"letters?\s+of\s+intent|lois?"),
    ("framework", r"framework\s+(?:co-?operation\s+|collaboration\s+)?agreements?"),
    ("cooperation", r"co-?operation\s+agreements?"),
    ("collaboration", r"collaborat(?:ive|ion)\s+agreements?"),
    ("agreement", r"(?:partnership\s+)?agreements?"),
)
#: (status code, pattern of the verb); earlier rows win at one place
STATUS_RULES: tuple[tuple[str, str], ...] = (
    (
        "not-renewed",
        r"\b(?:did\s+not|didn['\u2019]t|will\s+not|won['\u2019]t|decided\s+not\s+to|chose\s+not\s+to|not\s+to)"
        r"\s+renew\b|\bnot\s+(?:be\s+)?renewed\b|\blapsed\b",
    ),
    ("terminated", r"\bterminat(?:ed|es|e)\b|\bwithdr(?:ew|awn)\s+from\b"),
    (
        "proposed",
        r"\bagreed\s+to\s+(?:explore|discuss|consider|study|work\s+towards)\b"
        r"|\b(?:will|to)\s+(?:explore|discuss)\s+(?:the\s+)?(?:possibility|feasibility|prospect)"
        r"|\bin\s+(?:talks|discussions|negotiations)\b|\bnegotiat(?:e|ing)\b",
    ),
    (
        "planned",
        r"\b(?:will|shall|would|plans?\s+to|planning\s+to|expects?\s+to|expected\s+to|set\s+to"
        r"|intends?\s+to|scheduled\s+to|(?:is|are)\s+to|agreed\s+to)\s+(?:\w+ly\s+)?"
        r"(?:sign|ink|enter\s+into|conclude)\b|\b(?:will|to)\s+be\s+signed\b",
    ),
    ("signed", r"\b(?:signed|inked|entered\s+into|concluded|sealed|renewed|executed)\b"),
)
AREA_NOUN = (
    r"(?:areas?|sectors?|fields?|domains?|aspects?|priorities|themes?|pillars?|workstreams?"
    r"|topics?)"
)


#: the letters the nouns of :data:`TYPE_RULES` start with, and the words of
#: :data:`STATUS_RULES` (each rule starts at a word boundary): the compiled patterns check
#: them first, so the regex engine skips other places fast (same matches, several times
#: faster). A new rule must add its first letter here.
NOUN_INITIALS = "mlfcap"
STATUS_INITIALS = "dwcnltaisper"


@cache
def rx() -> dict[str, re.Pattern[str]]:
    noun = "|".join(rf"(?P<{k.replace('-', '_')}>\b(?:{p})\b)" for k, p in TYPE_RULES)
    status = "|".join(rf"(?P<{k.replace('-', '_')}>{p})" for k, p in STATUS_RULES)
    cap = r"[A-Z][\w'\u2019&-]*"
    return {
        "noun": re.compile(rf"\b(?=[{NOUN_INITIALS}])(?:{noun})", re.I),
        "partnership": re.compile(r"\bpartnerships?\b"),
        "status": re.compile(rf"\b(?=[{STATUS_INITIALS}])(?:{status})", re.I),
        "title_tail": re.compile(
            rf"\s+(?:on|for|regarding|concerning)\s+(?:the\s+)?{cap}(?:\s+(?:(?:of|and|the|in|on|for|&)\s+)*{cap})*"
        ),
        "signed_by": re.compile(
            r"\b(?:signed|inked|executed)\s+(?:(?:today|yesterday|on\s+[\w ,]{3,30}?|in\s+[A-Z]\w+)"
            r"\s+)?by\s+",
            re.I,
        ),
        "witness": re.compile(
            r"\b(?:witnessed\s+by|in\s+the\s+presence\s+of|witnesses\s+(?:included|were)"
            r"|witnessing\s+the\s+(?:signing|ceremony)\s+(?:was|were))\s+",
            re.I,
        ),
        "witnessed": re.compile(r"\bwitnessed\s+the\s+(?:signing|ceremony|signature)", re.I),
        "behalf_by": re.compile(r"\bon\s+behalf\s+of\s+(?:the\s+)?", re.I),
        "with": re.compile(
            r"\s*(?:\([^()]*\)\s*)?(?:\b\w+\b\s+){0,4}?(?:with|between|among|amongst)\s+(?:the\s+)?"
        ),
        "behalf": re.compile(
            r"\s*(?:\([^()]*\))?,?\s*(?:who\s+)?(?:signed\s+|signing\s+)?on\s+behalf\s+of\s+(?:the\s+)?"
        ),
        "enum": re.compile(
            r"(?:\((?:[ivx]{1,4}|[a-h]|\d{1,2})|(?<![\w(.,])(?:[a-h]|\d{1,2}))\)\s+"
        ),
        "prose": re.compile(
            rf"\b{AREA_NOUN}\s*,?\s+(?:such\s+as|including|like|namely|of|covering|spanning)\s+"
            r"|\b(?:cover(?:s|ing)?|focus(?:es|ing)?\s+on|in)\s+(?:areas?\s+)?(?:such\s+as|including)\s+",
        ),
        "list_end": re.compile(
            r",\s+(?:which|where|with|while|so|as|among)\b|,?\s+and\s+(?:will|would|is|are|to|has"
            r"|have|can|may)\b|\s+(?:for|over|during)\s+(?:a|an|the)\s+(?:further\s+|next\s+)?"
            r"(?:period|term|\w+\s+years?)\b|\s+until\b|\s+(?:to|in\s+order\s+to|so\s+that|which|"
            r"that|through|over\s+the|for\s+the|by)\s+|[.;:)]|$"
        ),
        "bullet": re.compile(
            r"^[ \t]*(?:[-•*\u2013·]|\d{1,2}[.)]|\((?:[a-z]|[ivx]+|\d+)\)|[a-z][.)])"
            r"[ \t]+(\S[^\n]*)$",
            re.M,
        ),
    }


@dataclass(frozen=True)
class Noun:
    """An agreement noun in the text."""

    start: int
    end: int
    type: str
    title: str | None
    plural: bool
    definite: bool
    count: int
    #: "a partnership": an agreement only when hedged ("agreed to explore a partnership")
    weak: bool = False
    #: the place its title ran on into ("the Co-operation Agreement on X in Haikou")
    place: str | None = None


@dataclass
class Context:
    """What the agreement rules read: the text, sentences, names and reference dates."""

    text: str
    sents: list[Sentence]
    names: Names
    ref: date | None
    place: str | None
    unsure: list[str]
    #: the dateline's span, evidence for a date taken from the release's own date
    dateline: tuple[int, int] | None = None


def nouns(text: str, lo: int, hi: int, place: str | None = None) -> list[Noun]:
    """The agreement nouns in ``text[lo:hi]`` with their type, title and determiner.

    :param place: the release's dateline place; a title does not run on into it
        ("the Co-operation Agreement on X in Beijing"), nor into another place the text
        marks as one (see :func:`_is_place`)
    """
    return list(_nouns(text, lo, hi, place))


#: "in agreement with": "in" just before the noun
_IN_BEFORE = re.compile(r"\bin\s+$")
#: where a title runs on into the next agreement ("..., and the Agreement on ...")
_NEXT_NOUN = re.compile(
    r",?\s+and\s+(?:the\s+)?(?:[A-Z][\w-]*\s+)?(?:Agreement|Memorandum|Letter)\b"
)
#: "in Place" at the end of a title
_IN_AT_END = re.compile(r"\s+in\s+([A-Z][\w\s]*)$")


@lru_cache(maxsize=256)
def _nouns(text: str, lo: int, hi: int, place: str | None) -> tuple[Noun, ...]:
    """:func:`nouns`, kept: a sentence's nouns are read by every rule that reads it."""
    out: list[Noun] = []
    pats = rx()
    for m in [*pats["noun"].finditer(text, lo, hi), *pats["partnership"].finditer(text, lo, hi)]:
        if m.re is pats["partnership"] and any(n.start <= m.start() < n.end for n in out):
            continue  # "partnership agreement"
        weak = m.re is pats["partnership"]
        kind = (
            "agreement" if weak else next(k for k, _ in TYPE_RULES if m.group(k.replace("-", "_")))
        )
        word = m.group()
        if kind == "agreement" and _IN_BEFORE.search(text[max(lo, m.start() - 4) : m.start()]):
            continue  # "in agreement with"
        title = place_of = None
        end = m.end()
        if (
            word[0].isupper() and not word.isupper() and kind != "letter-of-intent"
        ) or kind == "mou":
            tail = pats["title_tail"].match(text, m.end(), hi)
            if tail and word[0].isupper() and not word.isupper():
                end = tail.end()
                nxt = _NEXT_NOUN.search(text[m.end() : end])
                if nxt:
                    end = m.end() + nxt.start()
                at = _IN_AT_END.search(text[m.end() : end])
                if at and place and norm(at.group(1)).lower() == place.lower():
                    end = m.end() + at.start()
                elif (
                    at
                    and (last := _PLACE_END.search(text, m.end(), end))
                    and _is_place(text, last.group(1), end)
                ):
                    end, place_of = last.start(), norm(last.group(1))
                title = norm(text[m.start() : end])
        before = text[max(lo, m.start() - 40) : m.start()].split()[-3:]
        definite, count = False, 1
        for w in reversed(before):
            lw = w.lower().strip(",")
            if lw in ("a", "an", "one"):
                break
            if lw in ("the", "this", "that", "these", "those", "both", "its", "their", "said"):
                definite = True
                count = 2 if lw in ("these", "those", "both") else 1
                break
            if number(lw) and number(lw) != 1:
                count = number(lw) or 1
                break
        plural = word.lower().endswith("s") and not word.lower().endswith("us")
        out.append(Noun(m.start(), end, kind, title, plural, definite, count, weak, place_of))
    return tuple(sorted(out, key=lambda n: n.start))


#: the last "in Place" of an agreement's title: one to three capitalised words
_PLACE_END = re.compile(r"\s+in\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)*(?:\s+[A-Z][a-z]+){0,2})$")
#: when a signing happened, right after its place ("in Haikou yesterday", "on 8 June")
_WHEN = re.compile(
    rf"\s*,?\s*(?:today|yesterday|this\s+(?:morning|afternoon|evening|week)\b|last\s+week\b"
    rf"|on\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}|{MONTH}\s+\d|[A-Z][a-z]+day\b)"
    rf"|\(?\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}|\(?{MONTH}\s+\d)",
    re.I,
)


def _is_place(text: str, name: str, end: int) -> bool:
    """Whether ``name``, after "in" at the end of an agreement's title ending at ``end``, is the
    place of the signing rather than part of the title ("... on Medical Services in Haikou",
    not "... on Co-operation in Oncology"): no word of it is written in lower case anywhere
    in the release (as "oncology" would be), and the text says when it was signed right
    after it ("in Haikou yesterday") or names it as a place elsewhere ("talks in Haikou")."""
    for word in name.split():
        if re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", text):
            return False
    if _WHEN.match(text, end):
        return True
    spelled = r"\s+".join(map(re.escape, name.split()))
    return bool(re.search(rf"(?<=[a-z,] )in\s+{spelled}(?![\w-]|\s+[A-Z])", text))


def refs(ctx: Context, agreements: list[Agreement], sent: Sentence) -> list[Agreement]:
    """The agreements a sentence refers to by an agreement noun."""
    out: list[Agreement] = []
    for n in nouns(ctx.text, sent.start, sent.end, ctx.place):
        if n.weak:
            continue
        if n.title:
            hit = [a for a in agreements if a.title and slug(a.title) == slug(n.title)]
        elif n.type == "agreement" and (n.plural or n.count > 1):
            hit = list(agreements)
        else:
            hit = [a for a in agreements if a.type == n.type or n.type == "agreement"]
            if len(hit) > 1:
                hit = []
        out += [a for a in hit if a not in out]
    return out
