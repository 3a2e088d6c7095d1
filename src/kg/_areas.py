"""The areas an agreement covers: enumerations of any marker style and lists in prose.

"(i) a; (ii) b", "(a) ... (b) ...", "1) ... 2) ...", bullet lines ("-", "•", "1.") after a
colon, and prose lists ("covering areas such as X, Y and Z", "in the areas of X, Y and Z").
"""

from __future__ import annotations

import re

from ._dates import number
from ._nouns import AREA_NOUN, Context, refs, rx
from ._text import Sentence, evidence, norm
from .facts import Agreement, Area, slug

#: an area noun and the word before it, naming the group: "priority areas", "key themes"
_GROUP = re.compile(rf"(?:\b([a-z]+)\s+)?\b({AREA_NOUN})\b")
#: a verb that introduces a list of areas without an area noun
_LIST_CUE = re.compile(r"focus|cover|include|explore", re.I)
_LEAD_WORD = re.compile(r"^(?:the|and|or)\s+")
#: where an enumerated item ends, before the next marker / the last item ends
_ITEM_END = re.compile(r"[;.]|,\s+(?:which|where|with|while)\b|,?\s+(?:and|or)\s*$")
_LAST_ITEM_END = re.compile(r"[;.]|,\s+(?:which|where|with|while)\b|$")
#: the block of bullet lines after a heading sentence ending in a colon
_BULLET_BLOCK = re.compile(
    r"(?:\s*\n[ \t]*(?:[-\u2022*\u2013\u00b7]|\d{1,2}[.)]|\([a-z0-9]+\)|[a-z][.)])"
    r"[ \t]+[^\n]*)+"
)
#: where a bullet item's label ends: a dash, colon or semicolon, a final full stop or "and"
_BULLET_END = re.compile(r"\s[\u2013\u2014-]\s|:|;|\.$|,?\s+and$")
#: a list after a colon on the same line: "in three areas: X, Y and Z"
_INLINE = re.compile(
    rf"\b(?:{AREA_NOUN}|focus(?:es|ing)?\s+on|cover(?:s|ing)?|include(?:s|ing)?)"
    r"\s*:[ \t]*(?=\S)",
    re.I,
)
#: the separators of a list's items: semicolons when there are any, else commas
_SEMICOLONS = re.compile(r";\s*(?:and\s+|or\s+)?")
_COMMAS = re.compile(r",\s*(?:and\s+|or\s+)?")
_AND_OR = re.compile(r"\s+(?:and|or)\s+")


def areas(ctx: Context, agreements: list[Agreement]) -> None:
    """Areas from enumerations "(i) a; (ii) b", bullet lists after a colon, lists after a
    colon on the same line, and prose lists "covering areas such as X, Y and Z"."""
    if not agreements:
        return
    text = ctx.text
    current = agreements[0]
    for sent in ctx.sents:
        if sent.kind != "body":
            continue
        hits = refs(ctx, agreements, sent)
        mine = [a for a in agreements if any(ev.start == sent.start for ev in a.evidence)]
        current = (mine or hits or [current])[-1]
        targets = hits or [current]
        items = (
            _enumerated(text, sent)
            or _bulleted(text, sent)
            or _inline(text, sent)
            or _prose(text, sent)
        )
        if not items:
            continue
        head = text[sent.start : items[0][0]]
        groups = _GROUP.findall(head)
        group = None
        if groups:
            adj, noun = groups[-1]
            skip = {"the", "following", "these", "such", "other", "of", "in", "and", "key", "main"}
            group = (
                f"{adj} {noun}"
                if adj and (adj not in skip or adj == "key") and not number(adj)
                else noun
            )
        elif not hits and not _LIST_CUE.search(head):
            continue
        for s, e in items:
            label = norm(text[s:e])
            label = _LEAD_WORD.sub("", label).strip(" .,;")
            if not label or len(label.split()) > 10:
                continue
            for a in targets:
                if slug(label) not in {slug(x.label) for x in a.areas}:
                    a.areas.append(Area(label, group, [evidence(text, s, e, "area-list")]))


def _enumerated(text: str, sent: Sentence) -> list[tuple[int, int]]:
    if text.find(")", sent.start, sent.end) < 0:
        return []  # every marker holds one
    marks = list(rx()["enum"].finditer(text, sent.start, sent.end))
    if len(marks) < 2:
        return []
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else sent.end
        chunk = text[m.end() : end]
        cut = (_LAST_ITEM_END if i + 1 == len(marks) else _ITEM_END).search(chunk)
        stop = m.end() + (cut.start() if cut else len(chunk))
        out.append((m.end(), stop))
    return out


def _bulleted(text: str, sent: Sentence) -> list[tuple[int, int]]:
    if ":" not in text[sent.start : sent.end]:
        return []
    colon = text.index(":", sent.start)
    hi = sent.end
    if not text[colon + 1 : sent.end].strip():
        # the list is the block of bullet lines right after the heading sentence
        m = _BULLET_BLOCK.match(text, sent.end)
        hi = m.end() if m else sent.end
    out = []
    for m in rx()["bullet"].finditer(text, colon, hi):
        item = m.group(1)
        cut = _BULLET_END.search(item)
        e = m.start(1) + (cut.start() if cut else len(item))
        out.append((m.start(1), e))
    return out if len(out) >= 2 else []


def _inline(text: str, sent: Sentence) -> list[tuple[int, int]]:
    """A list on the same line after a colon: "in three areas: X, Y and Z"."""
    if text.find(":", sent.start, sent.end) < 0:
        return []
    m = _INLINE.search(text, sent.start, sent.end)
    if not m:
        return []
    end = rx()["list_end"].search(text, m.end(), sent.end)
    items = split_list(text, m.end(), end.start() if end else sent.end)
    return items if len(items) >= 2 else []


def _prose(text: str, sent: Sentence) -> list[tuple[int, int]]:
    m = rx()["prose"].search(text, sent.start, sent.end)
    if not m:
        return []
    end = rx()["list_end"].search(text, m.end(), sent.end)
    hi = end.start() if end else sent.end
    return split_list(text, m.end(), hi)


def split_list(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Split "X, Y and Z" (or "X; Y; and Z") in ``text[lo:hi]`` into item spans."""
    sep = _SEMICOLONS if ";" in text[lo:hi] else _COMMAS
    out = []
    pos = lo
    for m in sep.finditer(text[lo:hi]):
        out.append((pos, lo + m.start()))
        pos = lo + m.end()
    last = text[pos:hi]
    joins = list(_AND_OR.finditer(last))
    if joins and (out or sep is _COMMAS):
        out.append((pos, pos + joins[-1].start()))
        out.append((pos + joins[-1].end(), hi))
    else:
        out.append((pos, hi))
    return [(s, e) for s, e in out if text[s:e].strip()]
