"""Text plumbing for :mod:`kg.extract`: zones, sentences, evidence spans, the dateline.

Everything here works on offsets into ``Document.text`` so every :class:`Evidence` built
from it satisfies ``text[start:end] == evidence.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ._dates import MONTH, parse_dates
from .facts import Evidence
from .sources import Document

#: zone kinds in which facts may *create* agreements and people's roles
PRIMARY = ("body",)

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
    rf"((?:\w+day,?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH},?\s+\d{{4}}|{MONTH}\s+\d{{1,2}},?\s+\d{{4}}))"
    r"[ \t]*$",
    re.M | re.I,
)
_DATELINE = re.compile(
    rf"(?:^|\n)[ \t]*\(?(?P<place>[A-Z][A-Za-z .'-]{{1,40}}?)[,(]?\s*\(?"
    rf"(?P<date>\d{{1,2}}\s+{MONTH}\s+\d{{4}}|{MONTH}\s+\d{{1,2}},?\s+\d{{4}})\)?\s*[\u2013\u2014-]"
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
#: the word a full stop ends, to tell an abbreviation ("Dr.", "e.g.") from a sentence's end
_LAST_WORD = re.compile(r"([\w.]+)[.!?]$")


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
                word = _LAST_WORD.search(text[max(ps, m.start() - 12) : m.start() + 1])
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
