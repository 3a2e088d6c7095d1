"""Reading release files into :class:`Document` values.

The first step of the data flow: ``release file -> Document``. A release is a ``.txt``,
``.pdf`` or ``.html``/``.htm`` file with an optional ``<stem>.meta.json`` sidecar beside it.

A :class:`Document` holds the normalised text (PDF page markers dropped, personal contact
data removed unless asked for) and the sections found in it, as character ranges into that
text. Every evidence offset in the graph is an offset into ``Document.text``.

- :func:`read_release` reads a file (and its sidecar) and raises :class:`kg.errors.InputError`
  for anything it cannot read; :func:`read_text` is the pure core, for strings.
- Text is normalised as :mod:`kg._clean` describes (newlines, NFC, page markers, running
  headers, paragraphs split by a page break rejoined); PDFs go through :mod:`kg._pdf` and
  HTML through :mod:`kg._html` first.
- Unless ``include_contacts=True``, e-mail addresses and phone numbers are removed *before*
  offsets are fixed: contact-only lines ("Tel: ...", "Email: ...") are deleted, an address or
  number elsewhere becomes ``[e-mail removed]`` / ``[phone removed]``.
- Sections are cut from cues as :mod:`kg._sections` describes. ``body`` may come as several
  sections when captions interrupt it; read them with ``sections_of("body")``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from kg._clean import normalise
from kg._sections import find_layout
from kg.errors import InputError

__all__ = [
    "META_FIELDS",
    "SECTION_KINDS",
    "SUFFIXES",
    "Document",
    "Section",
    "read_release",
    "read_text",
]

#: The fields a ``<stem>.meta.json`` sidecar may hold.
META_FIELDS = ("url", "published", "publisher", "title", "language")
#: The release file extensions :func:`read_release` reads.
SUFFIXES = (".txt", ".pdf", ".html", ".htm")

#: The kinds of section a release is cut into.
SECTION_KINDS = (
    "masthead",  # issuer name block at the top ("衛生署 / Department of Health", "Press Release")
    "title",
    "highlights",  # bullet points under the title
    "body",  # dateline paragraph and the paragraphs after it
    "caption",  # "Photo 1: ..." lines
    "about",  # "About X" boilerplate blocks
    "contacts",  # "Media Contact(s):" / "Media enquiries" blocks
)


@dataclass(frozen=True)
class Section:
    kind: str  # one of SECTION_KINDS
    start: int
    end: int
    #: for "about" sections, the name after "About"
    heading: str | None = None


@dataclass
class Document:
    """A release as read: its text, sections and metadata.

    :param key: the release's stable id, the file stem (``000_6ab14cd06da14410``)
    :param text: the normalised text every evidence offset refers to
    :param sections: ordered, non-overlapping ranges of ``text``
    :param meta: the sidecar's fields (``url``, ``published``, ``publisher``, ``title``,
        ``language``), already validated
    """

    key: str
    text: str
    sections: list[Section] = field(default_factory=list)
    title: str | None = None
    #: (place, date) from the dateline, e.g. ("Hong Kong", date(2023, 8, 18))
    dateline_place: str | None = None
    dateline_date: date | None = None
    meta: dict[str, str] = field(default_factory=dict)
    source_file: str | None = None
    #: sha256 hex of the release file's bytes, then (when a sidecar exists) a NUL byte and
    #: the sidecar's bytes, so editing either one triggers a rebuild
    content_hash: str | None = None
    #: the issuer named in the masthead ("Department of Health"), else the sidecar's publisher
    publisher: str | None = None
    #: offsets of the dateline in ``text`` ("(Hong Kong, 18 August 2023)", "today (May 9)")
    dateline_span: tuple[int, int] | None = None

    def sections_of(self, kind: str) -> list[Section]:
        """The sections of one kind, in text order."""
        return [s for s in self.sections if s.kind == kind]

    def section_at(self, offset: int) -> Section | None:
        """The section holding ``offset``, if any."""
        return next((s for s in self.sections if s.start <= offset < s.end), None)

    def section_text(self, section: Section) -> str:
        """The text of ``section``."""
        return self.text[section.start : section.end]

    def paragraphs(self, kind: str | None = None) -> list[tuple[int, int]]:
        """``(start, end)`` of every paragraph (blank-line separated) in sections of ``kind``.

        :param kind: a :data:`SECTION_KINDS` member, or None for the whole text
        """
        spans = [(s.start, s.end) for s in self.sections if s.kind == kind] if kind else None
        return [
            (m.start(), m.end())
            for m in re.finditer(r".+(?:\n.+)*", self.text)
            if spans is None or any(a <= m.start() < b for a, b in spans)
        ]


def read_release(path: str | Path, *, include_contacts: bool = False) -> Document:
    """Read a release file and its optional ``<stem>.meta.json`` sidecar.

    :param path: a ``.txt``, ``.pdf``, ``.html`` or ``.htm`` file
    :param include_contacts: keep phone numbers and e-mail addresses (personal data)
    :returns: the :class:`Document`, keyed by the file stem
    :raises InputError: the path is missing, a directory, empty, binary, not UTF-8, of an
        unsupported type, a PDF without a text layer, HTML without main content, or its
        sidecar is not valid JSON or breaks the sidecar's schema
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not a release file")
    if suffix not in SUFFIXES:
        raise InputError(
            path,
            f"unsupported file type {suffix or '(none)'!r}; expected .txt, .pdf, .html or .htm",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise InputError(path, "empty file")
    sidecar = path.with_name(path.stem + ".meta.json")
    try:
        meta_bytes = sidecar.read_bytes() if sidecar.is_file() else None
    except OSError as exc:
        raise InputError(sidecar, f"cannot be read ({exc.strerror or exc})") from exc
    meta = _load_meta(meta_bytes, sidecar) if meta_bytes is not None else None
    if suffix == ".pdf":
        from kg._pdf import pdf_text

        text = pdf_text(raw, path)
    elif b"\0" in raw:
        raise InputError(path, "binary data (NUL bytes), not a text release")
    elif suffix == ".txt":
        text = _decode(raw, path, "utf-8")
    else:
        from kg._html import html_text

        text = html_text(_decode(raw, path, _declared_charset(raw)), path)
    doc = read_text(text, path.stem, meta=meta, include_contacts=include_contacts, where=path)
    digest = hashlib.sha256(raw)
    if meta_bytes is not None:
        digest.update(b"\0" + meta_bytes)
    doc.content_hash = digest.hexdigest()
    doc.source_file = str(path)
    return doc


#: Control, surrogate and private-use characters (Unicode categories Cc, Cs, Co, whose
#: ranges Unicode keeps fixed) but line breaks, tabs and form feeds: binary noise in a text
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


def read_text(
    text: str,
    key: str,
    *,
    meta: dict[str, Any] | None = None,
    include_contacts: bool = False,
    where: str | Path | None = None,
) -> Document:
    """Build a :class:`Document` from release text; no I/O.

    :param text: the release text (plain text, or what the PDF/HTML readers extracted)
    :param key: the release's stable id
    :param meta: sidecar fields (:data:`META_FIELDS`), validated here
    :param include_contacts: keep phone numbers and e-mail addresses
    :param where: the name errors give (default: ``key``)
    :returns: the document; ``content_hash`` is the sha256 of the text's UTF-8 bytes
    :raises InputError: the text is binary noise or empty, or ``meta`` is invalid

    >>> doc = read_text("DH signs MOU\\n\\nLONDON, 3 March 2024 — The DH and Acme Ltd"
    ...                 " signed a memorandum of understanding on digital health today.", "k")
    >>> doc.title, doc.dateline_place, doc.dateline_date, [s.kind for s in doc.sections]
    ('DH signs MOU', 'LONDON', datetime.date(2024, 3, 3), ['title', 'body'])
    """
    where = where if where is not None else key
    checked = _check_meta(meta, where) if meta is not None else {}
    controls = len(_CONTROLS.findall(text))
    if "\0" in text or controls > 0.1 * max(len(text.strip()), 1):
        raise InputError(where, f"binary data ({controls} control characters), not a text release")
    clean = normalise(text, redact=not include_contacts)
    if not any(c.isalnum() for c in clean):
        raise InputError(where, "no text (empty or only whitespace and page markers)")
    layout = find_layout(clean)
    published = date.fromisoformat(checked["published"][:10]) if "published" in checked else None
    return Document(
        key=key,
        text=clean,
        sections=[Section(kind, a, b, heading) for kind, a, b, heading in layout.sections],
        title=layout.title or checked.get("title"),
        dateline_place=layout.place,
        dateline_date=_resolve_date(layout.date, layout.end_date or layout.head_date, published),
        meta=checked,
        content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        publisher=layout.issuer or checked.get("publisher"),
        dateline_span=layout.dateline_span,
    )


def _resolve_date(
    parts: tuple[int | None, int, int] | None,
    end_date: tuple[int | None, int, int] | None,
    published: date | None,
) -> date | None:
    """The dateline's date; a missing year comes from the end mark or a date line above the
    body, else the sidecar."""
    if parts is None:
        return None
    year, month, day = parts
    if year is not None:
        return date(year, month, day)
    if end_date and end_date[0] is not None:
        year = end_date[0]
    elif published:
        year = published.year
        # a release dated "December 31" and published on 2 January belongs to the old year
        if date(year, month, day) - published > timedelta(days=60):
            year -= 1
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a year that has none
        return None


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    try:
        return raw.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise InputError(
            path,
            f"not valid {encoding.upper()} (byte 0x{bad} at offset {exc.start}); save it as UTF-8",
        ) from exc


def _declared_charset(raw: bytes) -> str:
    """The charset an HTML page declares in its first 2 kB, if Python knows it; else UTF-8."""
    import codecs

    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", raw[:2048], re.I)
    try:
        return codecs.lookup(m[1].decode()).name if m else "utf-8"
    except LookupError:
        return "utf-8"


def _load_meta(raw: bytes, sidecar: Path) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(sidecar, f"not valid JSON ({exc})") from exc
    return _check_meta(data, sidecar)


def _check_meta(data: object, where: str | Path) -> dict[str, str]:
    """Validate sidecar fields: a JSON object of strings, ``published`` an ISO date."""
    if not isinstance(data, dict):
        raise InputError(where, f"sidecar must be a JSON object, not {type(data).__name__}")
    unknown = sorted(set(data) - set(META_FIELDS))
    if unknown:
        raise InputError(where, f"unknown sidecar field(s) {unknown}; expected {list(META_FIELDS)}")
    meta = {k: v for k, v in data.items() if v is not None}
    for name, value in meta.items():
        if not isinstance(value, str):
            raise InputError(where, f"sidecar field {name!r} must be a string, not {value!r}")
    if "published" in meta:
        try:
            datetime.fromisoformat(meta["published"])
        except ValueError as exc:
            raise InputError(
                where,
                f"sidecar 'published' is not an ISO date: {meta['published']!r} (use YYYY-MM-DD)",
            ) from exc
    return meta
