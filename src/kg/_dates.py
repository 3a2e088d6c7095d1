"""Dates, durations and end dates as releases state them.

Explicit dates in the common formats ("3 March 2024", "3rd March 2024", "March 3, 2024",
"2024-03-03"), relative ones resolved with a reference date ("today (May 9)", "yesterday
(January 17)", "on Friday (1 March)", "on Tuesday"), terms ("five-year", "(2024-2029)",
"over the next three years", "for a period of two years", "for a further three years") and
end dates ("until 31 December 2027", "from 15 March 2024 to 15 March 2029").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache, lru_cache

from .facts import add_duration

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
MONTH = (
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
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def number(word: str) -> int | None:
    """The value of a number word or digits (``"three"`` -> 3)."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


#: what each form of :func:`_date_re` can start with (a digit, a month, "today", "on" ...):
#: checked first, so the regex engine skips other places fast
_DATE_INITIALS = r"\djfmasondtyw"


@cache
def _date_re() -> re.Pattern[str]:
    d = r"(?P<{0}d>\d{{1,2}})(?:st|nd|rd|th)?"
    m = rf"(?P<{{0}}m>{MONTH})"
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
    return re.compile(rf"(?=[{_DATE_INITIALS}])(?:{'|'.join(f'(?:{f})' for f in forms)})", re.I)


#: every date states a digit, a day's name ("Tuesday", "today") or "tomorrow": a text
#: without one has no date (a fast answer for most sentences)
_DATE_CUE = re.compile(r"\d|day|tomorrow", re.I)


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
    if not _DATE_CUE.search(text):
        return out
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
#: every term states years, months or a bracketed span of years: a text without one of
#: these has no term (a fast answer for most sentences)
_DURATION_CUE = re.compile(r"year|month|\(", re.I)


@lru_cache(maxsize=256)
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
    if not _DURATION_CUE.search(text):
        return None
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


_UNTIL = re.compile(
    r"\b(?:until|till|through|up\s+to|expir(?:e|es|ing)\s+on|end(?:s|ing)?\s+on|valid\s+to)\s+",
    re.I,
)
#: "from 15 March 2024 to ...": an end date after a start date
_FROM_TO = re.compile(r"\bfrom\s+(?:\w+\s+){1,3}?\d{4}\s+(?:to|until|till|through)\s+", re.I)


@lru_cache(maxsize=256)
def find_end(text: str, offset: int = 0) -> tuple[date, int, int] | None:
    """An end date stated with a year after "until", "expires on" ... in ``text``.

    >>> find_end("runs until 31 December 2027 and covers")[0]
    datetime.date(2027, 12, 31)
    >>> find_end("runs until next year") is None
    True
    >>> find_end("effective from 15 March 2024 to 14 March 2029")[0]
    datetime.date(2029, 3, 14)
    """
    for m in [*_UNTIL.finditer(text), *_FROM_TO.finditer(text)]:
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
