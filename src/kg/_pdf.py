"""The text layer of a PDF release, via pdfminer.six (private; used by :mod:`kg.sources`).

Each page's text boxes become paragraphs (a box's wrapped lines joined by spaces, a
hyphen at a line end joined to a lower-case continuation, bullet lines kept as lines).
Running headers and footers -- lines among the first or last two of a page that recur, digits
aside, on at least half the pages -- are dropped from every page. Pages are separated by a
form feed, which :func:`kg._clean.normalise` treats as a page break, unless a page's last line
runs to the right margin without ending a sentence: then the paragraph goes on over the page.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from kg.errors import InputError

__all__ = ["pdf_text"]

_EDGE = 2  # how many lines at the top and bottom of a page may be header or footer
_BULLET = re.compile(r"[-\u2022*\u25aa\u2013\u00b7]\s")


def _pages(data: bytes, path: Path) -> list[list[list[tuple[str, float]]]]:
    """Pages -> boxes -> lines as ``(text, right edge)``."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    pages = []
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            boxes = []
            for element in page:
                if isinstance(element, LTTextContainer):
                    lines = [
                        (" ".join(line.get_text().split()), line.x1)
                        for line in element
                        if isinstance(line, LTTextLine)
                    ]
                    if lines := [(t, x) for t, x in lines if t]:
                        boxes.append(lines)
            pages.append(boxes)
    # pdfminer raises many exception types (PDFSyntaxError, PSEOF, KeyError, TypeError ...)
    # on malformed input; any of them means the file cannot be read as a PDF.
    except Exception as exc:
        raise InputError(path, f"cannot be parsed as PDF ({type(exc).__name__}: {exc})") from exc
    return pages


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _running(pages: list[list[list[tuple[str, float]]]]) -> set[str]:
    """Normalised lines that recur at a page's top or bottom on at least half the pages."""
    counts: Counter[str] = Counter()
    for boxes in pages:
        lines = [t for box in boxes for t, _ in box]
        counts.update({_key(t) for t in lines[:_EDGE] + lines[-_EDGE:]})
    need = max(2, (len(pages) + 1) // 2)
    return {k for k, n in counts.items() if n >= need} if len(pages) > 1 else set()


def _join(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not out or _BULLET.match(line):
            out.append(line)
        elif out[-1].endswith("-") and out[-1][-2:-1].isalpha() and line[:1].islower():
            out[-1] = out[-1][:-1] + line
        else:
            out[-1] += " " + line
    return "\n".join(out)


def pdf_text(data: bytes, path: Path) -> str:
    """Extract a release's text from PDF bytes.

    :param data: the file's bytes
    :param path: the file, for error messages
    :returns: text with paragraphs separated by blank lines and pages by form feeds
    :raises InputError: the file is not a PDF, cannot be parsed or has no text layer
    """
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError(path, "not a PDF (no %PDF- header)")
    pages = _pages(data, path)
    running = _running(pages)
    result = ""
    runs_on = False
    for boxes in pages:
        total = sum(len(b) for b in boxes)
        seen = 0
        kept_boxes = []
        for box in boxes:
            kept = []
            for text, x1 in box:
                at_edge = seen < _EDGE or seen >= total - _EDGE
                seen += 1
                if not (at_edge and _key(text) in running):
                    kept.append((text, x1))
            if kept:
                kept_boxes.append(kept)
        if not kept_boxes:
            continue
        if result:
            result += " " if runs_on else "\n\f\n"
        result += "\n\n".join(_join([t for t, _ in box]) for box in kept_boxes)
        right = max(x for box in kept_boxes for _, x in box)
        last, last_x = kept_boxes[-1][-1]
        runs_on = last_x > right - 15 and not last.endswith(tuple('.!?:;"\u201d)'))
    if not any(c.isalnum() for c in result):
        raise InputError(path, "PDF has no text layer (a scan?); run OCR on it first")
    return result
