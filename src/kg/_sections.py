"""Cutting normalised release text into sections and reading its dateline (private).

Works from cues, in this order:

1. the *body* starts at the first paragraph that opens with a dateline
   ("(Hong Kong, 18 August 2023) -", "LONDON, 3 March 2024 -", "May 9, 2024 -");
   without one, after the title and its highlights;
2. the *masthead* is the run of leading paragraphs up to the last one holding a release
   cue ("Press Release", "For Immediate Release", "Media Statement", "Embargoed ...") or a
   line in a non-Latin script, plus date-only paragraphs right after it; without such a
   cue, a first line that is a one-word label ("Announcement") or an organisation's name
   ("Meridian Research Institute", or a short capitalised line the release names again
   below, such as "NHS Kestrel") with a headline after it, and date-only paragraphs at the
   very top, make the masthead;
3. the *title* is the first paragraph after the masthead (separator lines such as
   ``*****`` trimmed); *highlights* are the bullet paragraphs between it and the body;
4. after the body starts, paragraphs are body until an end mark ("###", "- End -",
   "Ends", "Ends/Thursday, May 9, 2024", "-30-"), an "About X" heading, a media-contact
   cue or "Notes to editors"; "Photo 1: ..." paragraphs are captions wherever they appear;
5. the release's date is the dateline's; without one, a date on a line of its own above the
   body ("18 August 2023", "Friday, August 18, 2023", "Published: 5 June 2024"), else the
   body's "today (May 9)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ._vocab import CONN, ORG_NOUNS

__all__ = ["Layout", "find_layout", "parse_date"]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"{_WEEKDAY}(?:{_DAY}\s+{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})"
)
_PLACE = r"[^\W\d_][^,\n()\u2013\u2014:]{0,40}?(?:,\s*[^\W\d_][^,\n()\u2013\u2014:]{0,30}?)?"
_DASH = r"\s*[\u2013\u2014:-]+"
_DATELINES = [
    # (Hong Kong, 18 August 2023) -
    re.compile(rf"(?P<dl>\(\s*(?:(?P<place>{_PLACE}),\s*)?(?P<date>{_DATE})\s*\))", re.I),
    # LONDON, 3 March 2024 -  |  Hong Kong, May 9, 2024:
    re.compile(rf"(?P<dl>(?P<place>{_PLACE}),\s*(?P<date>{_DATE})){_DASH}", re.I),
    # LONDON (3 March 2024) -
    re.compile(rf"(?P<dl>(?P<place>{_PLACE})\s*\((?P<date>{_DATE})\)){_DASH}", re.I),
    # May 9, 2024 -
    re.compile(rf"(?P<dl>(?P<date>{_DATE})){_DASH}", re.I),
    # HONG KONG - (place only, in capitals)
    re.compile(r"(?P<dl>(?P<place>[A-Z][A-Z .'\u2019&]{2,30}[A-Z]))\s*[\u2013\u2014-]\s"),
]
_DATE_RX = re.compile(_DATE, re.I)
_TODAY = re.compile(rf"\btoday\s*\((?P<date>{_DATE})\)", re.I)
_RELEASE_CUE = re.compile(
    r"(?:(?:joint\s+)?(?:press|media|news)\s+(?:release|statement|announcement)|"
    r"for\s+immediate\s+release|immediate\s+release|embargo)",
    re.I,
)
_NON_LATIN = re.compile(r"[\u0370-\u1fff\u2e80-\ua4ff\uac00-\ud7ff\uf900-\ufaff]")
_SEPARATOR = re.compile(r"[*=_~-]{3,}|(?:\*\s){2,}\*")
_BULLET = re.compile(r"[-•*▪\u2013·]\s+\S")
_END_MARK = re.compile(
    rf"#\s*#\s*#|-+\s*(?:the\s+)?ends?\s*-+|-30-|\(?ends?\)?\.?"
    rf"(?:\s*/\s*(?P<date>{_DATE}))?|end of (?:press |media )?release|nnnn",
    re.I,
)
_CAPTION = re.compile(
    r"(?:photo|picture|image|figure|fig\.|caption)s?\s*(?:\d+\s*[:\uff1a.\u2013-]|[:\uff1a])", re.I
)
_ABOUT = re.compile(r"about\s+(?:the\s+)?(?P<name>[^\n]{2,100}?)\s*:?", re.I)
_CONTACTS = re.compile(
    r"(?:media|press)\s+(?:contacts?|enquir(?:y|ies)|inquir(?:y|ies))\b"
    r"|for\s+(?:further\s+|more\s+)?(?:media|press)\s+(?:enquir|inquir|information|contact)"
    r"|for\s+(?:further|more)\s+information,?\s+(?:please\s+)?contact|contacts?\s*:",
    re.I,
)
_DATE_PREFIX = re.compile(r"(?:published|date|issued|released)(?:\s+on)?\s*:?\s*", re.I)
_LABEL = re.compile(r"[^\W\d_][^\W\d_&'\u2019-]{2,24}")
_NOTES = re.compile(r"(?:notes?\s+(?:to|for)\s+editors?|editors?['\u2019]?\s+notes?)\s*:?", re.I)


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """Parse one date as written in a release into ``(year or None, month, day)``.

    :param text: "18 August 2023", "Aug 18, 2023", "Thursday, May 9, 2024", "May 9",
        "2023-08-18"
    :returns: the parts, or None when ``text`` is not a valid date

    >>> parse_date("Thursday, May 9, 2024"), parse_date("18 Aug"), parse_date("31 June 2024")
    ((2024, 5, 9), (None, 8, 18), None)
    """
    text = text.strip()
    if not _DATE_RX.fullmatch(text):
        return None
    text = re.sub(rf"^{_WEEKDAY}", "", text, flags=re.I)
    year: int | None
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        words = re.findall(r"[a-z]+|\d+", text.lower())
        nums = [int(w) for w in words if w.isdigit()]
        month = next((_MONTHS.get(w[:3], 0) for w in words if w.isalpha() and len(w) > 2), 0)
        if not nums or not month:
            return None
        day, year = nums[0], (nums[1] if len(nums) > 1 else None)
    # a date without a year is checked against a leap year, so "29 February" passes
    return (year, month, day) if _valid(year or 2024, month, day) else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


@dataclass
class Layout:
    """What :func:`find_layout` found: sections as ``(kind, start, end, heading)``."""

    sections: list[tuple[str, int, int, str | None]] = field(default_factory=list)
    title: str | None = None
    issuer: str | None = None
    place: str | None = None
    date: tuple[int | None, int, int] | None = None
    dateline_span: tuple[int, int] | None = None
    #: a full date stated in an end mark ("Ends/Thursday, May 9, 2024")
    end_date: tuple[int | None, int, int] | None = None
    #: a full date on a line of its own above the body, when the dateline states one too
    head_date: tuple[int | None, int, int] | None = None


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str

    @property
    def first(self) -> str:
        return self.text.split("\n", 1)[0]


def _dateline(block: _Block) -> re.Match[str] | None:
    if len(block.text.split()) < 12:  # a dateline opens a paragraph of prose
        return None
    return next((m for rx in _DATELINES if (m := rx.match(block.text))), None)


def _about(line: str) -> str | None:
    """The X of an "About X" heading line, else None."""
    m = _ABOUT.fullmatch(line)
    name = m["name"] if m else ""
    if not name[:1].isupper() or name.endswith(".") or len(name.split()) > 12:
        return None
    return name


def _is_masthead(block: _Block) -> bool:
    return any(
        (_RELEASE_CUE.search(line) and len(line.split()) <= 8)
        or len(_NON_LATIN.findall(line)) > len(line) / 3
        for line in block.text.split("\n")
    )


def _is_label(line: str) -> bool:
    """A one-word label line ("Announcement", "NEWS")."""
    return bool(_LABEL.fullmatch(line))


def _is_issuer_line(line: str) -> bool:
    """A line that is an organisation's name: capitalised words ending in a head noun."""
    words = line.split()
    return (
        1 < len(words) <= 10
        and words[-1] in ORG_NOUNS
        and all(w[:1].isupper() or w in CONN for w in words)
    )


def _named_below(line: str, blocks: list[_Block]) -> bool:
    """A short line of capitalised words that the release names again below the headline:
    the issuer's name ("NHS Kestrel" above the headline, "NHS Kestrel and ..." in the body),
    with or without an organisation head noun. A headline is not repeated word for word."""
    words = line.split()
    if not 1 < len(words) <= 6 or words[-1] in CONN:
        return False
    if not all(w[:1].isupper() or w in CONN for w in words):
        return False
    spelled = r"\s+".join(map(re.escape, words))
    again = re.compile(rf"(?<![\w&'\u2019-]){spelled}(?![\w&'\u2019-])")
    return any(again.search(b.text) for b in blocks[2:])


def _leads_headline(blocks: list[_Block], dated: int | None) -> bool:
    """Whether the first block is a label or the issuer's name above the headline: one line,
    and the next block that is not a date is a headline, not the dateline. The issuer's name
    ends in an organisation head noun, or the release names it again below the headline."""
    first = blocks[0].text
    if "\n" in first or not (
        _is_label(first) or _is_issuer_line(first) or _named_below(first, blocks)
    ):
        return False
    nxt = next((i for i in range(1, len(blocks)) if _date_line(blocks[i].text) is None), None)
    if nxt is None or nxt == dated:
        return False
    head = blocks[nxt].text
    return not _is_bullets(blocks[nxt]) and 1 < len(head.split()) <= 40 and head[-1] != "."


def _date_line(line: str) -> tuple[int | None, int, int] | None:
    """The date of a line that states only a date ("5 June 2024", "Published: 5 June 2024")."""
    m = _DATE_PREFIX.match(line)
    return parse_date(line[m.end() :] if m else line)


def _head_date(blocks: list[_Block]) -> tuple[tuple[int | None, int, int], int, int] | None:
    """The date on a line of its own above the body, with the line's span: the first full
    date, else the first year-less one."""
    found: list[tuple[tuple[int | None, int, int], int, int]] = []
    for block in blocks:
        pos = block.start
        for line in block.text.split("\n"):
            if len(line) <= 60 and (parts := _date_line(line)):
                found.append((parts, pos, pos + len(line)))
            pos += len(line) + 1
    return next((f for f in found if f[0][0] is not None), found[0] if found else None)


def _is_bullets(block: _Block) -> bool:
    return all(_BULLET.match(line) for line in block.text.split("\n"))


def _issuer(blocks: list[_Block]) -> str | None:
    lines = [
        line
        for b in blocks
        for line in b.text.split("\n")
        if not _RELEASE_CUE.search(line) and not _date_line(line) and not _SEPARATOR.fullmatch(line)
    ]
    latin = [line for line in lines if not _NON_LATIN.search(line)]
    return next(iter(latin or lines), None)


def _trim_separators(block: _Block) -> _Block | None:
    """The block without leading/trailing separator lines such as ``*****``."""
    lines = block.text.split("\n")
    start, end = block.start, block.end
    while lines and _SEPARATOR.fullmatch(lines[0]):
        start += len(lines.pop(0)) + 1
    while lines and _SEPARATOR.fullmatch(lines[-1]):
        end -= len(lines.pop()) + 1
    return _Block(start, end, "\n".join(lines)) if lines else None


def _head(blocks: list[_Block], layout: Layout) -> int:
    """Fill masthead, title and highlights; return the index of the body's first block."""
    dated = next((i for i, b in enumerate(blocks[:12]) if _dateline(b)), None)
    scope = blocks[: dated if dated is not None else 8]
    strong = [i for i, b in enumerate(scope) if _is_masthead(b)]
    lead = not strong and bool(scope) and _leads_headline(blocks, dated)
    i = strong[-1] + 1 if strong else int(lead)
    while i < len(scope) and _date_line(scope[i].text) is not None:
        i += 1
    if i:
        layout.sections.append(("masthead", blocks[0].start, blocks[i - 1].end, None))
        label = lead and _is_label(blocks[0].text)  # a label names no issuer
        layout.issuer = _issuer(blocks[int(label) : i])
    while i < len(blocks) and _SEPARATOR.fullmatch(blocks[i].text):
        i += 1
    title = _trim_separators(blocks[i]) if i < len(blocks) and i != dated else None
    if title and not _is_bullets(title) and len(title.text.split()) <= 40 and title.text[-1] != ".":
        layout.sections.append(("title", title.start, title.end, None))
        layout.title = " ".join(title.text.split())
        i += 1
    bullets = []
    while i < len(blocks) and (dated is None or i < dated):
        if _is_bullets(blocks[i]):
            bullets.append(blocks[i])
        elif not (_SEPARATOR.fullmatch(blocks[i].text) or _date_line(blocks[i].text) is not None):
            break
        i += 1
    if bullets:
        layout.sections.append(("highlights", bullets[0].start, bullets[-1].end, None))
    return dated if dated is not None else i


def find_layout(text: str) -> Layout:
    """Cut normalised release text into sections and read its dateline.

    :param text: the output of :func:`kg._clean.normalise`
    :returns: the sections (ordered, non-overlapping) and the dateline parts
    """
    layout = Layout()
    blocks = [_Block(m.start(), m.end(), m.group()) for m in re.finditer(r".+(?:\n.+)*", text)]
    if not blocks:
        return layout
    body_start = _head(blocks, layout)
    mode: str | None = "body"
    heading: str | None = None
    for n, block in enumerate(blocks[body_start:]):
        kind: str | None
        if n == 0 and (m := _dateline(block)):
            found = m.groupdict()
            layout.place = found["place"].strip() if found.get("place") else None
            layout.date = parse_date(found["date"]) if found.get("date") else None
            layout.dateline_span = (block.start + m.start("dl"), block.start + m.end("dl"))
        if m := _END_MARK.fullmatch(block.first):
            mode = None
            if m["date"] and layout.end_date is None:
                layout.end_date = parse_date(m["date"])
            continue
        starts = True
        if _CAPTION.match(block.first):
            kind = "caption"
        else:
            if name := _about(block.first):
                mode, heading = "about", name
            elif _CONTACTS.match(block.first):
                mode, heading = "contacts", None
            else:
                starts = False
                if _NOTES.fullmatch(block.first):
                    mode = None
            kind = mode
        if kind is None:
            continue
        last = layout.sections[-1] if layout.sections else None
        if last and last[0] == kind and not starts:
            layout.sections[-1] = (kind, last[1], block.end, last[3])
        else:
            layout.sections.append((kind, block.start, block.end, heading))
    if layout.date is None and layout.sections:
        body = next((s for s in layout.sections if s[0] == "body"), None)
        if body and (m := _TODAY.search(text, body[1], body[2])):
            layout.date = parse_date(m["date"])
            layout.dateline_span = (m.start(), m.end())
    head = _head_date(blocks[:body_start])
    if head and layout.date is None:
        layout.date, layout.dateline_span = head[0], (head[1], head[2])
    elif head and head[0][0] is not None:
        layout.head_date = head[0]  # the year of a dateline that states none
    return layout
