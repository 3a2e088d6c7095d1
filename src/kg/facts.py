"""The facts a release states, as plain values.

This is the contract between :mod:`kg.extract` (which produces a :class:`ReleaseFacts`
from a :class:`kg.sources.Document`) and :mod:`kg.mapping` (which turns it into quads).
Nothing here knows about RDF or files.

Entities are referred to by *keys*: stable, lower-case slugs derived from the canonical
name (``"department-of-health"``, ``"ronald-lam"``). Mapping turns keys into IRIs under
the configured base, so the same name in two releases becomes the same node.

Every fact carries at least one :class:`Evidence`: character offsets into
``Document.text`` (the text as read, with personal contact data already removed), the
exact text of that span, the rule that found it and a confidence in ``[0, 1]``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AGREEMENT_STATUSES",
    "AGREEMENT_TYPES",
    "Agreement",
    "Area",
    "Contact",
    "Evidence",
    "OrgFact",
    "Organisation",
    "Person",
    "ReleaseFacts",
    "ReleaseInfo",
    "RoleHolding",
    "Signatory",
    "Speaker",
    "Technology",
    "Witness",
    "add_duration",
    "agreement_label",
    "parse_duration",
    "slug",
]

#: Agreement type codes -> human label. Mapping turns codes into SKOS concepts of
#: ``ontology/kg.ttl`` (``kg:MemorandumOfUnderstanding`` ...).
AGREEMENT_TYPES: dict[str, str] = {
    "mou": "Memorandum of Understanding",
    "cooperation": "Co-operation Agreement",
    "collaboration": "Collaborative Agreement",
    "framework": "Framework Agreement",
    "letter-of-intent": "Letter of Intent",
    "agreement": "Agreement",
}

#: Agreement status codes. Only ``signed`` is a signed agreement; the others are kept
#: (with their status) so hedged statements are not asserted as facts.
AGREEMENT_STATUSES = ("signed", "planned", "proposed", "not-renewed", "terminated")


def slug(text: str) -> str:
    """Return the key for a name: ASCII, lower case, words joined by ``-``.

    >>> slug("Hong Kong Science and Technology Parks Corporation")
    'hong-kong-science-and-technology-parks-corporation'
    >>> slug("Health Informatics & Technology Office")
    'health-informatics-and-technology-office'
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("&", " and ").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


@dataclass(frozen=True, order=True)
class Evidence:
    """Where a fact is stated: ``Document.text[start:end] == text``."""

    start: int
    end: int
    text: str
    method: str = "rule"
    confidence: float = 1.0


@dataclass
class Organisation:
    key: str
    name: str
    aliases: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    #: evidence per alias (the span defining or using it)
    alias_evidence: dict[str, Evidence] = field(default_factory=dict)


@dataclass
class Person:
    key: str
    name: str
    honorific: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    #: other names of the person (curation keeps a merged or former name here)
    aliases: list[str] = field(default_factory=list)
    #: evidence per alias (the span that named the person so)
    alias_evidence: dict[str, Evidence] = field(default_factory=dict)


@dataclass
class RoleHolding:
    """``person`` holds the post ``title`` in ``organisation`` (a key, or None)."""

    person: str
    title: str
    organisation: str | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Signatory:
    person: str
    role: str | None
    #: where the person holds the role (see DESIGN's named-query contract)
    organisation: str | None
    #: the party the person signs for, when different or stated
    on_behalf_of: str | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Witness:
    person: str
    role: str | None
    organisation: str | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Area:
    label: str
    #: the heading of the list it came from ("key areas", "application areas"), if any
    group: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Agreement:
    key: str
    type: str  # a key of AGREEMENT_TYPES
    title: str | None = None
    date: dt.date | None = None
    place: str | None = None
    duration: str | None = None  # ISO 8601, e.g. "P3Y"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = "signed"
    parties: list[str] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)
    witnesses: list[Witness] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    renews: str | None = None  # key of an earlier agreement, when stated
    #: the release says it renews an earlier agreement (linked by the build when that one
    #: is in the graph but not in this release)
    renewal: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    #: evidence per party key
    party_evidence: dict[str, Evidence] = field(default_factory=dict)
    #: the span stating ``date``, when the rule that found it has one (else ``evidence[0]``)
    date_evidence: Evidence | None = None
    #: the span stating the term: ``duration``, or the end date it is computed from
    duration_evidence: Evidence | None = None


@dataclass
class Speaker:
    person: str
    quote: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Technology:
    label: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class OrgFact:
    """A fact about an organisation from an "About ..." block.

    ``kind`` is one of ``founded`` (value: a year), ``location`` (a site name),
    ``count`` (value: "13,000 research professionals").
    """

    organisation: str
    kind: str
    value: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Contact:
    """A media contact. ``phone``/``email`` are only filled when the user opts in."""

    name: str
    organisation: str | None = None
    phone: str | None = None
    email: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ReleaseInfo:
    key: str  # the release's stable id (file stem)
    title: str | None = None
    publisher: str | None = None  # organisation key
    published: dt.date | None = None
    place: str | None = None  # dateline place
    url: str | None = None
    language: str | None = None
    source_file: str | None = None
    content_hash: str | None = None  # sha256 of the raw input bytes


@dataclass
class ReleaseFacts:
    release: ReleaseInfo
    organisations: list[Organisation] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    roles: list[RoleHolding] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    technologies: list[Technology] = field(default_factory=list)
    org_facts: list[OrgFact] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    #: human-readable notes on facts the extractor was unsure of
    unsure: list[str] = field(default_factory=list)

    def organisation(self, key: str) -> Organisation | None:
        return next((o for o in self.organisations if o.key == key), None)

    def person(self, key: str) -> Person | None:
        return next((p for p in self.people if p.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        return _jsonable(dataclasses.asdict(self))


def agreement_label(agreement: Agreement, facts: ReleaseFacts) -> str:
    """The agreement's human label: its own title, else "<Type> between A, B and C".

    Parties are named in the order of ``agreement.parties`` (extraction orders them by
    first mention in the text); an organisation missing from ``facts`` shows its key.

    >>> f = ReleaseFacts(ReleaseInfo("r"), organisations=[Organisation("a", "Alpha"),
    ...     Organisation("b", "Beta"), Organisation("c", "Gamma")])
    >>> agreement_label(Agreement("k", "mou", parties=["a", "b", "c"]), f)
    'Memorandum of Understanding between Alpha, Beta and Gamma'
    >>> agreement_label(Agreement("k", "cooperation", title="Co-operation Agreement on Drugs"), f)
    'Co-operation Agreement on Drugs'
    """
    if agreement.title:
        return agreement.title
    names = []
    for key in agreement.parties:
        org = facts.organisation(key)
        names.append(org.name if org else key)
    kind = AGREEMENT_TYPES.get(agreement.type, "Agreement")
    if not names:
        return kind
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{kind} between {joined}"


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


def parse_duration(value: str | None) -> tuple[int, int, int, int] | None:
    """(years, months, weeks, days) of an ISO 8601 date duration, or None.

    >>> parse_duration("P1Y6M"), parse_duration("PT5H")
    ((1, 6, 0, 0), None)
    """
    m = _DURATION.fullmatch((value or "").strip())
    if not m or not any(m.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in m.groups())
    return years, months, weeks, days


def add_duration(start: dt.date, duration: str) -> dt.date | None:
    """``start`` plus an ISO 8601 duration in years, months, weeks and days.

    Month arithmetic keeps the day of the month, falling back to the month's last day.
    Durations with a time part or fractions are not understood (None), nor ends past the
    year 9999 (None).

    >>> add_duration(dt.date(2023, 8, 18), "P3Y")
    datetime.date(2026, 8, 18)
    >>> add_duration(dt.date(2024, 2, 29), "P1Y6M")
    datetime.date(2025, 8, 29)
    >>> add_duration(dt.date(2024, 1, 31), "P1M"), add_duration(dt.date(2024, 1, 1), "PT5H")
    (datetime.date(2024, 2, 29), None)
    >>> add_duration(dt.date(2023, 8, 18), "P8000Y"), add_duration(dt.date(1, 1, 1), "P9999999D")
    (None, None)
    """
    parts = parse_duration(duration)
    if parts is None:
        return None
    years, months, weeks, days = parts
    y, mo = divmod(start.month - 1 + months + 12 * years, 12)
    year, month = start.year + y, mo + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return None
    shifted = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    try:
        return shifted + dt.timedelta(weeks=weeks, days=days)
    except OverflowError:
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
