"""Text normalisation and personal-data redaction for :mod:`kg.sources` (private).

Both steps run before any offset is fixed, so ``Document.text`` and every evidence span
are cut from their output.

Normalisation (:func:`normalise`):

- newlines become ``\\n``, the text is NFC-normalised, no-break and other Unicode spaces
  become plain spaces, zero-width characters and soft hyphens are dropped, runs of spaces
  collapse and every line is stripped;
- ``**bold**`` markers are dropped and a bold span wrapped over several lines becomes one line;
- page markers ("Page 2 of 5", "- 3 -", "3/5", a bare page number, a form feed) become page
  breaks; a block that repeats an earlier block next to a page break (a running header such
  as the issuer's name) is dropped;
- a paragraph split by a page break mid-sentence is rejoined with one space;
- paragraphs are separated by exactly one blank line.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise", "redact_lines"]

#: a page marker line: "Page 2 of 5", "page 3", "- 3 -", "3 / 5", "3"
_PAGE_MARK = re.compile(
    r"(?:page\s+\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?|[-\u2013\u2014]?\s*\d{1,3}\s*[-\u2013\u2014]?|\d{1,3}\s*/\s*\d{1,3})",
    re.IGNORECASE,
)
#: Zero-width characters and soft hyphens, dropped.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
#: Tabs and the space separators (Unicode category Zs, all below U+3001) made plain spaces.
_SPACES = str.maketrans(
    {c: " " for c in map(chr, range(0x3001)) if unicodedata.category(c) == "Zs"} | {"\t": " "}
)
#: The characters :data:`_SPACES` makes plain spaces, but the plain space: replaced with
#: ``re.sub``, which is several times faster than ``str.translate`` on a release's text.
_OTHER_SPACES = re.compile("[" + re.escape("".join(chr(c) for c in _SPACES if c != ord(" "))) + "]")
_RUN_OF_SPACES = re.compile(r" {2,}")
_BOLD = re.compile(r"\*\*((?:(?!\n[ \t]*\n)[^*])+)\*\*")
_TERMINAL = tuple('.!?:;"”\u2019)]')
_BULLET = re.compile(r"[-•*▪\u2013·]\s")
_BREAK = None  # a page break between blocks

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: a candidate phone number; :func:`_is_phone` decides
_PHONE = re.compile(
    r"(?<![\w/.,:+-])(?:\+\s?\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?"
    r"\d{2,5}(?:[ .-]\d{2,5}){0,4}(?![\w:-]|[.,]\d)"
)
#: what every candidate phone number (:data:`_PHONE`) has: two digits in a row
_TWO_DIGITS = re.compile(r"\d\d")
_PHONE_LABEL = re.compile(
    r"\b(?:tel(?:ephone)?|phone|mobile|mob|fax|cell|whatsapp|direct line|hotline)\b"
    r"\.?\s*[:\uff1a]?",
    re.IGNORECASE,
)
_EMAIL_LABEL = re.compile(r"\b(?:e-?mail|mail)\b\s*[:\uff1a]?", re.IGNORECASE)
_SHORT_LABEL = re.compile(r"^(?:[TEMF]|Tel|Fax)\s*[:\uff1a]", re.IGNORECASE)
EMAIL_REMOVED = "[e-mail removed]"
PHONE_REMOVED = "[phone removed]"


def _is_phone(match: str, line_has_label: bool) -> bool:
    digits = sum(c.isdigit() for c in match)
    if not 7 <= digits <= 15:
        return False
    if "+" in match or "(" in match:
        return True
    groups = re.split(r"[ .-]", match)
    if len(groups) == 1:  # an unbroken digit run is a phone number only beside a label
        return line_has_label
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", match):  # an ISO date
        return False
    # a run of years ("2023-2024", "2019 2020") is not a phone number
    return not all(len(g) == 4 and g[:2] in ("19", "20") for g in groups)


def _replace_phones(line: str, has_label: bool) -> str:
    if not _TWO_DIGITS.search(line):  # no candidate: most lines, and a quicker search
        return line
    return _PHONE.sub(
        lambda m: PHONE_REMOVED if _is_phone(m.group(), has_label) else m.group(), line
    )


def redact_lines(lines: list[str]) -> list[str]:
    """Replace e-mail addresses and phone numbers in ``lines``; drop contact-only lines.

    A line left with nothing but a contact label ("Tel:", "Email:"), placeholders and
    separators is dropped; elsewhere an address becomes ``[e-mail removed]`` and a number
    ``[phone removed]``.

    :param lines: stripped lines of text
    :returns: the lines that remain

    >>> redact_lines(["Angela Lau", "Tel: +852 2629 6633", "Write to a.b@c.org today."])
    ['Angela Lau', 'Write to [e-mail removed] today.']
    """
    kept = []
    for line in lines:
        has_label = bool(_PHONE_LABEL.search(line) or _SHORT_LABEL.match(line))
        new = _EMAIL.sub(EMAIL_REMOVED, line) if "@" in line else line  # an address has an @
        new = _replace_phones(new, has_label)
        if new == line and not has_label:  # nothing removed, no label: not a contact line
            kept.append(line)
            continue
        rest = new.replace(EMAIL_REMOVED, " ").replace(PHONE_REMOVED, " ")
        rest = _SHORT_LABEL.sub(" ", _EMAIL_LABEL.sub(" ", _PHONE_LABEL.sub(" ", rest)))
        rest = re.sub(r"\b(?:and|or)\b|[/,;|&()\[\]<>.:\uff1a-]", " ", rest)
        if rest.strip():  # something besides contact details and labels: kept
            kept.append(new)
    return kept


def _clean_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\f\n")
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text))
    text = _BOLD.sub(lambda m: " ".join(m.group(1).split()), text)
    lines = []
    for raw in _OTHER_SPACES.sub(" ", text).split("\n"):
        lines.append(raw if raw == "\f" else _RUN_OF_SPACES.sub(" ", raw).strip())
    return lines


def _blocks(lines: list[str]) -> list[list[str] | None]:
    """Group lines into blocks (paragraphs) with ``None`` for each page break."""
    items: list[list[str] | None] = []
    current: list[str] = []
    for line in [*lines, ""]:
        is_break = line == "\f" or bool(_PAGE_MARK.fullmatch(line))
        if line and not is_break:
            current.append(line)
            continue
        if current:
            items.append(current)
            current = []
        if is_break:
            items.append(_BREAK)
    return items


def _drop_running_heads(items: list[list[str] | None]) -> list[list[str] | None]:
    """Replace blocks that repeat next to page breaks (running headers/footers) by breaks."""

    def beside_break(i: int) -> bool:
        return (i > 0 and items[i - 1] is _BREAK) or i + 1 >= len(items) or items[i + 1] is _BREAK

    seen: dict[tuple[str, ...], int] = {}
    for block in items:
        if block is not _BREAK:
            seen[tuple(block)] = seen.get(tuple(block), 0) + 1
    out: list[list[str] | None] = []
    first: set[tuple[str, ...]] = set()
    for i, block in enumerate(items):
        if block is _BREAK:
            out.append(block)
            continue
        key = tuple(block)
        repeated = key in first or (seen[key] > 1 and i > 0)
        first.add(key)
        out.append(_BREAK if repeated and beside_break(i) else block)
    return out


def _continues(before: str, after: str) -> bool:
    """Whether ``after`` continues the sentence that ``before`` left unfinished."""
    if _BULLET.match(after) or not after[:1].isalnum():
        return False
    if before.endswith((",", "-", "\u2013")):
        return True
    return after[0].islower() and not before.endswith(_TERMINAL)


def normalise(text: str, *, redact: bool = False) -> str:
    """Return ``text`` normalised as the module docstring describes.

    :param text: the release text as decoded or extracted
    :param redact: also remove e-mail addresses and phone numbers (:func:`redact_lines`)

    >>> normalise("A sentence split\\r\\n\\nPage 2 of 5\\n\\nacross pages.\\n\\n\\n\\nNext.  ")
    'A sentence split across pages.\\n\\nNext.'
    """
    lines = _clean_lines(text)
    if redact:
        lines = redact_lines(lines)
    paragraphs: list[list[str]] = []
    after_break = False
    for block in _drop_running_heads(_blocks(lines)):
        if block is _BREAK:
            after_break = True
            continue
        if after_break and paragraphs and _continues(paragraphs[-1][-1], block[0]):
            paragraphs[-1][-1] += " " + block[0]
            paragraphs[-1].extend(block[1:])
        else:
            paragraphs.append(list(block))
        after_break = False
    return "\n\n".join("\n".join(p) for p in paragraphs)
