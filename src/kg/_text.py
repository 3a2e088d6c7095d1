"""Text plumbing for :mod:`kg.extract`: zones, sentences, evidence spans, dates, durations.

Everything here works on offsets into ``Document.text`` so every :class:`Evidence` built
from it satisfies ``text[start:end] == evidence.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from .facts import Evidence
from .sources import Document

#: zone kinds in which facts may *create* agreements and people's roles
PRIMARY = ("body",)

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
}
_NUM = r"(?:\d{1,3}|" + "|".join(k for k in _NUMBERS if len(k) > 2) + r")"
_ABBREV = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "no",
    "nos",
    "ir",
    "hon",
    "e.g",
    "i.e",
    "vs",
    "mt",
    "jr",
    "sr",
    "approx",
    "dept",
}


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Zone:
    """A range of the text with its section kind."""

    kind: str
    start: int
    end: int
    heading: str | None = None


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text[start:end]`` in a zone of ``kind``."""

    start: int
    end: int
    kind: str
    para: int  # paragraph number, for quotes that run on


def number(word: str) -> int | None:
    """The value of a number word or digits (``"three"`` -> 3)."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


def evidence(text: str, start: int, end: int, method: str, confidence: float = 1.0) -> Evidence:
    """Evidence for ``text[start:end]`` with surrounding white space and ``,;`` trimmed."""
    while start < end and (text[start].isspace() or text[start] in ",;"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return Evidence(start, end, text[start:end], method, confidence)


def norm(text: str) -> str:
    """Collapse white space (names broken across lines) and strip markdown bold."""
    return " ".join(text.replace("**", " ").split())


# -- zones ------------------------------------------------------------------------------------

_CAPTION = re.compile(r"^[ \t]*Photo\s*\d*\s*:", re.M)
_ABOUT = re.compile(r"^[ \t]*About (?:the )?([A-Z][^\n]{2,120})[ \t]*$", re.M)
_CONTACTS = re.compile(
    r"^[ \t]*(?:Media|Press)?\s*(?:Contacts?|Enquiries|Inquiries)\b[^\n]{0,40}:?[ \t]*$",
    re.M | re.I,
)
_PARA = re.compile(r"\n[ \t]*\n")
_DATE_LINE = re.compile(
    r"^[ \t]*(?:(?:Published|Date|Issued|Released)(?:\s+on)?\s*:?\s*)?"
    rf"((?:\w+day,?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}))"
    r"[ \t]*$",
    re.M | re.I,
)
_DATELINE = re.compile(
    rf"(?:^|\n)[ \t]*\(?(?P<place>[A-Z][A-Za-z .'-]{{1,40}}?)[,(]?\s*\(?"
    rf"(?P<date>\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})\)?\s*[\u2013\u2014-]"
)


def zones(doc: Document) -> list[Zone]:
    """The document's sections, or a light guess at them when the reader gave none.

    Without sections the whole text is body, except "Photo N:" paragraphs (captions),
    "About X" blocks, a "Media Contact" block and dash bullets before the dateline.
    """
    text = doc.text
    if doc.sections:
        return [Zone(s.kind, s.start, s.end, s.heading) for s in doc.sections]
    marks: list[tuple[int, str, str | None]] = []
    for m in _CAPTION.finditer(text):
        end = _PARA.search(text, m.end())
        marks.append((m.start(), "caption", None))
        marks.append((end.start() if end else len(text), "body", None))
    for m in _ABOUT.finditer(text):
        marks.append((m.start(), "about", norm(m.group(1))))
    for m in _CONTACTS.finditer(text):
        marks.append((m.start(), "contacts", None))
    dl = _DATELINE.search(text)
    if dl:
        for m in re.finditer(r"^[ \t]*[-•*\u2013][ \t]+\S[^\n]*", text[: dl.start()], re.M):
            marks.append((m.start(), "highlights", None))
            marks.append((m.end(), "body", None))
    marks.sort(key=lambda t: t[0])
    out: list[Zone] = []
    pos, kind, heading = 0, "body", None
    sticky = False  # once in about/contacts, stay until another about/contacts mark
    for at, k, h in marks:
        if sticky and k == "body":
            continue
        if at > pos:
            out.append(Zone(kind, pos, at, heading))
        pos, kind, heading = at, k, h
        sticky = k in ("about", "contacts")
    out.append(Zone(kind, pos, len(text), heading))
    return [z for z in out if text[z.start : z.end].strip()]


def dateline(doc: Document) -> tuple[str | None, date | None]:
    """Dateline place and date: the reader's, else a guess from the text's first lines."""
    place, when = doc.dateline_place, doc.dateline_date
    if place and place.isupper():
        place = place.title()
    if place and when:
        return place, when
    m = _DATELINE.search(doc.text)
    if m:
        found = parse_dates(m.group("date"), None)
        raw = norm(m.group("place")).strip("( ")
        place = place or (raw.title() if raw.isupper() else raw)
        when = when or (found[0][0] if found else None)
    if when is None:  # a date on a line of its own near the top ("5 June 2024", "Published: ...")
        line = _DATE_LINE.search(doc.text, 0, min(len(doc.text), 800))
        found = parse_dates(line.group(1), None) if line else []
        when = found[0][0] if found else None
    return place, when


# -- sentences --------------------------------------------------------------------------------

_PAGE = re.compile(r"^\s*(?:Page\s+\d+\s+of\s+\d+|-\s*\d+\s*-|###+)\s*$", re.I)
_SENT_END = re.compile(r"[.!?][\"\u201d\u2019)]?\s+(?=[\"\u201c(]?[A-Z0-9])")


def sentences(text: str, zs: list[Zone]) -> list[Sentence]:
    """Split each zone into paragraphs and sentences.

    A paragraph that runs on over a page marker ("Page 2 of 5") is kept as one.
    """
    out: list[Sentence] = []
    para_no = 0
    for z in zs:
        paras: list[list[int]] = []
        pos = z.start
        for m in [*_PARA.finditer(text, z.start, z.end), None]:
            end = m.start() if m else z.end
            chunk = text[pos:end]
            if chunk.strip() and not _PAGE.match(chunk):
                prev = text[paras[-1][0] : paras[-1][1]].rstrip() if paras else ""
                if prev and prev[-1] not in '.!?:"\u201d' and chunk.lstrip()[:1].islower():
                    paras[-1][1] = end
                else:
                    paras.append([pos, end])
            pos = m.end() if m else z.end
        for ps, pe in paras:
            para_no += 1
            s = ps
            for m in _SENT_END.finditer(text, ps, pe):
                word = re.search(r"([\w.]+)[.!?]$", text[max(ps, m.start() - 12) : m.start() + 1])
                w = word.group(1).lower() if word else ""
                if w in _ABBREV or (len(w) == 1 and w.isalpha()):
                    continue
                out.append(Sentence(s, m.start() + 1, z.kind, para_no))
                s = m.end()
            if text[s:pe].strip():
                out.append(Sentence(s, pe, z.kind, para_no))
    return [_trim(text, s) for s in out]


def _trim(text: str, s: Sentence) -> Sentence:
    start, end = s.start, s.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, s.kind, s.para)


# -- dates and durations ----------------------------------------------------------------------


@cache
def _date_re() -> re.Pattern[str]:
    d = r"(?P<{0}d>\d{{1,2}})(?:st|nd|rd|th)?"
    m = rf"(?P<{{0}}m>{_MONTH})"
    y = r"(?P<{0}y>\d{{4}})"
    forms = [
        r"(?P<iso>(?P<isoy>\d{4})-(?P<isom>\d{2})-(?P<isod>\d{2}))",
        (d + r"\s+" + m + r",?\s+" + y).format("a"),
        (m + r"\s+" + d + r",?\s+" + y).format("b"),
        r"(?P<rel>today|yesterday|tomorrow)(?:\s*\((?:"
        + (d + r"\s+" + m).format("c")
        + "|"
        + (m + r"\s+" + d).format("e")
        + r")\))?",
        r"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s*\((?:"
        + (d + r"\s+" + m).format("f")
        + "|"
        + (m + r"\s+" + d).format("g")
        + r")\)",
        r"\bon\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!\s*\(|,?\s+\d)",
        r"\bon\s+(?:"
        + (d + r"\s+" + m).format("h")
        + "|"
        + (m + r"\s+" + d).format("i")
        + r")(?!,?\s+\d{4})",
    ]
    return re.compile("|".join(f"(?:{f})" for f in forms), re.I)


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_dates(text: str, ref: date | None, offset: int = 0) -> list[tuple[date, int, int]]:
    """Dates stated in ``text`` as ``(date, start, end)``; relative ones resolved with ``ref``.

    >>> parse_dates("signed today (August 18)", date(2023, 8, 18))
    [(datetime.date(2023, 8, 18), 7, 24)]
    >>> parse_dates("yesterday (January 17)", date(2024, 1, 18))[0][0]
    datetime.date(2024, 1, 17)
    >>> parse_dates("on 3 May 2024 and March 4, 2023", None)[1][0]
    datetime.date(2023, 3, 4)
    >>> parse_dates("signed on 2 April 2024 by", None)[0][0]
    datetime.date(2024, 4, 2)
    >>> parse_dates("signed at the hospital on Tuesday", date(2024, 6, 5))[0][0]
    datetime.date(2024, 6, 4)
    """
    out: list[tuple[date, int, int]] = []
    for m in _date_re().finditer(text):
        g = m.groupdict()
        found: date | None = None
        if g["iso"]:
            found = _mk(int(g["isoy"]), int(g["isom"]), int(g["isod"]))
        for k in "ab":
            if g[k + "y"]:
                found = _mk(
                    int(g[k + "y"]), _MONTHS[g[k + "m"].lower().rstrip(".")], int(g[k + "d"])
                )
        for k in "cefghi":
            if g[k + "m"] and ref:
                mon, day = _MONTHS[g[k + "m"].lower().rstrip(".")], int(g[k + "d"])
                found = _mk(ref.year, mon, day)
                if found and (found - ref).days > 180:
                    found = _mk(ref.year - 1, mon, day)
                elif found and (ref - found).days > 180 and k in "ce":
                    found = _mk(ref.year + 1, mon, day)
        if g["wd"] and ref:  # "on Tuesday": the latest Tuesday up to the release date
            back = (ref.weekday() - _WEEKDAYS.index(g["wd"].lower())) % 7
            found = ref - timedelta(days=back)
        if g["rel"] and not found and ref:
            shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[g["rel"].lower()]
            found = ref + timedelta(days=shift)
        if found:
            out.append((found, m.start() + offset, m.end() + offset))
    return out


_DURATION = re.compile(
    rf"(?:(?:over|for|during|in|within)\s+the\s+(?:next|coming|following|first)\s+(?P<a>{_NUM})\s+(?P<au>years?|months?)"
    rf"|(?P<b>{_NUM})-(?P<bu>year|month)\b"
    rf"|(?:period|term|duration)\s+of\s+(?P<c>{_NUM})\s+(?P<cu>years?|months?)"
    rf"|(?:valid|effective|in\s+force|run|runs|last|lasts|span|spans|renewed)\s+(?:for\s+)?(?P<d>{_NUM})\s+(?P<du>years?|months?)"
    rf"|\bfor\s+(?:(?:a|an)\s+)?(?:(?:further|another|additional|initial|first)\s+)?"
    rf"(?P<e>{_NUM})\s+(?P<eu>years?|months?)\b"
    r"|\((?P<f1>(?:19|20)\d\d)\s*[-\u2013\u2014/]\s*(?P<f2>(?:19|20)\d\d)\))",
    re.I,
)


def find_duration(text: str, offset: int = 0) -> tuple[str, int, int] | None:
    """The first agreement term stated in ``text`` as ISO 8601 ``(duration, start, end)``.

    >>> find_duration("over the next three years")[0]
    'P3Y'
    >>> find_duration("a five-year MOU (2024-2029)")[0]
    'P5Y'
    >>> find_duration("for a period of 18 months")[0]
    'P18M'
    >>> find_duration("renewed for a further three years")[0]
    'P3Y'
    """
    for m in _DURATION.finditer(text):
        g = m.groupdict()
        if g["f1"]:
            years = int(g["f2"]) - int(g["f1"])
            if 0 < years <= 30:
                return f"P{years}Y", m.start() + offset, m.end() + offset
            continue
        for k in "abcde":
            if g[k]:
                n = number(g[k])
                if n:
                    unit = "Y" if g[k + "u"].lower().startswith("y") else "M"
                    return f"P{n}{unit}", m.start() + offset, m.end() + offset
    return None


def add_duration(start: date, duration: str) -> date | None:
    """``start`` plus an ISO ``PnY``/``PnM`` duration (29 February falls back to the 28th).

    >>> add_duration(date(2023, 8, 18), "P3Y")
    datetime.date(2026, 8, 18)
    >>> add_duration(date(2024, 1, 31), "P1M")
    datetime.date(2024, 2, 29)
    """
    m = re.fullmatch(r"P(\d+)([YM])", duration)
    if not m:
        return None
    n = int(m.group(1))
    months = n * 12 if m.group(2) == "Y" else n
    y, mo = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, mo + 1
    for day in (start.day, 30, 29, 28):
        found = _mk(year, month, min(day, start.day))
        if found:
            return found
    return None


_UNTIL = re.compile(
    r"\b(?:until|till|through|up\s+to|expir(?:e|es|ing)\s+on|end(?:s|ing)?\s+on|valid\s+to)\s+",
    re.I,
)


def find_end(text: str, offset: int = 0) -> tuple[date, int, int] | None:
    """An end date stated with a year after "until", "expires on" ... in ``text``.

    >>> find_end("runs until 31 December 2027 and covers")[0]
    datetime.date(2027, 12, 31)
    >>> find_end("runs until next year") is None
    True
    >>> find_end("effective from 15 March 2024 to 14 March 2029")[0]
    datetime.date(2029, 3, 14)
    """
    span = re.compile(r"\bfrom\s+(?:\w+\s+){1,3}?\d{4}\s+(?:to|until|till|through)\s+", re.I)
    for m in [*_UNTIL.finditer(text), *span.finditer(text)]:
        found = parse_dates(text[m.end() : m.end() + 40], None, m.end() + offset)
        if found and found[0][1] == m.end() + offset:
            return found[0][0], m.start() + offset, found[0][2]
    return None


def duration_between(start: date, end: date) -> str | None:
    """The whole years or months from ``start`` to ``end`` (or to the day before ``end``).

    >>> duration_between(date(2024, 1, 1), date(2026, 12, 31))
    'P3Y'
    >>> duration_between(date(2024, 3, 3), date(2027, 12, 31)) is None
    True
    """
    for months in range(1, 361):
        got = add_duration(start, f"P{months}M")
        if got is None or got > end + timedelta(days=1):
            return None
        if got in (end, end + timedelta(days=1)):
            return f"P{months // 12}Y" if months % 12 == 0 else f"P{months}M"
    return None
