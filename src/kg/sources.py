"""Reading release files into :class:`Document` values.

The first step of the data flow: ``release file -> Document``. A release is a ``.txt``,
``.pdf`` or ``.html`` file with an optional ``<stem>.meta.json`` sidecar beside it.

A :class:`Document` holds the normalised text (PDF page markers dropped, personal contact
data removed unless asked for) and the sections found in it, as character ranges into that
text. Every evidence offset in the graph is an offset into ``Document.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["SECTION_KINDS", "Document", "Section"]

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
    content_hash: str | None = None  # sha256 hex of the raw input bytes

    def sections_of(self, kind: str) -> list[Section]:
        return [s for s in self.sections if s.kind == kind]

    def section_at(self, offset: int) -> Section | None:
        return next((s for s in self.sections if s.start <= offset < s.end), None)
