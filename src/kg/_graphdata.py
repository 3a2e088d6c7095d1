"""Reading what the network projections need: signed agreements, memberships, signings.

Five SPARQL ``SELECT`` queries written against the ontology, each inside ``GRAPH ?g { ... }``
(a remote store's default graph is not the union of the release graphs), merged over every
release graph into a :class:`GraphData`. The rules for effective start and end dates are
stated in :mod:`kg.networks`; public names are re-exported there and from :mod:`kg.analysis`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .facts import add_duration, parse_duration
from .namespace import PREFIXES
from .store import GraphStore

__all__ = [
    "AgreementRecord",
    "GraphData",
    "MembershipRecord",
    "SigningRecord",
    "add_duration",
    "duration_years",
    "load",
]

_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))

#: Labels of organisations, people and releases, and the issue date of each release.
_LABELS = """
SELECT ?s ?kind ?label ?issued WHERE {
  GRAPH ?g {
    { ?s a org:Organization ; skos:prefLabel ?label . BIND("organisation" AS ?kind) }
    UNION { ?s a foaf:Person ; foaf:name ?label . BIND("person" AS ?kind) }
    UNION { ?s a kg:Release . BIND("release" AS ?kind)
            OPTIONAL { ?s rdfs:label ?label } OPTIONAL { ?s dcterms:issued ?issued } }
  }
}"""

#: Signed agreements with their dates and term, and the releases stating them.
_AGREEMENTS = """
SELECT ?a ?label ?type ?typeLabel ?date ?start ?end ?duration ?release WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ; kg:status kg:Signed .
    OPTIONAL { ?a rdfs:label ?label }
    OPTIONAL { ?a kg:agreementType ?type }
    OPTIONAL { ?a dcterms:date ?date }
    OPTIONAL { ?a schema:startDate ?start }
    OPTIONAL { ?a schema:endDate ?end }
    OPTIONAL { ?a time:hasXSDDuration ?duration }
    OPTIONAL { ?a prov:wasDerivedFrom ?release }
  }
  OPTIONAL { GRAPH ?tg { ?type skos:prefLabel ?typeLabel } }
}"""

#: Parties and areas of signed agreements.
_LINKS = """
SELECT ?a ?kind ?x ?label WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ; kg:status kg:Signed .
    { ?a kg:party ?x . BIND("party" AS ?kind) }
    UNION { ?a kg:coversArea ?x . BIND("area" AS ?kind) OPTIONAL { ?x skos:prefLabel ?label } }
  }
}"""

#: Who signed or witnessed each signed agreement, in which role, for whom.
_SIGNINGS = """
SELECT ?a ?kind ?person ?role ?roleOrg ?behalf WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ; kg:status kg:Signed .
    { ?a kg:hasSigning ?x . BIND("signed" AS ?kind) }
    UNION { ?a kg:hasWitnessing ?x . BIND("witnessed" AS ?kind) }
    ?x prov:agent ?person .
    OPTIONAL { ?x kg:inCapacity ?m . ?m org:role/skos:prefLabel ?role .
               OPTIONAL { ?m org:organization ?roleOrg } }
    OPTIONAL { ?x kg:onBehalfOf ?behalf }
  }
}"""

#: Memberships (person, role, organisation) with the date and release attesting each.
_MEMBERSHIPS = """
SELECT ?m ?person ?role ?org ?on ?release WHERE {
  GRAPH ?g {
    ?m a org:Membership ; org:member ?person ; org:role ?r .
    OPTIONAL { ?r skos:prefLabel ?role }
    OPTIONAL { ?m org:organization ?org }
    OPTIONAL { ?m kg:attestedOn ?on }
    OPTIONAL { ?release a kg:Release }
  }
}"""


@dataclass
class AgreementRecord:
    """One signed agreement, merged over every release graph that states it."""

    iri: str
    label: str
    type: str | None = None
    #: the signing date (``dcterms:date``)
    signed: date | None = None
    #: the effective start and end (see the module docstring)
    start: date | None = None
    end: date | None = None
    #: the term as stated, ISO 8601 (``P3Y``)
    duration: str | None = None
    releases: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)

    @property
    def dated(self) -> date | None:
        """The date the edges of this agreement carry: signed, else its start."""
        return self.signed or self.start

    def in_force(self, on: date) -> bool:
        """True when the agreement is in force on ``on`` (start <= on <= end, end optional).

        >>> a = AgreementRecord("x", "X", start=date(2023, 8, 18), end=date(2026, 8, 18))
        >>> a.in_force(date(2026, 8, 18)), a.in_force(date(2026, 8, 19))
        (True, False)
        >>> AgreementRecord("y", "Y").in_force(date(2024, 1, 1))
        False
        """
        if self.start is None or self.start > on:
            return False
        return self.end is None or self.end >= on


@dataclass(frozen=True)
class SigningRecord:
    """A person's part in an agreement: ``kind`` is ``signed`` or ``witnessed``."""

    agreement: str
    kind: str
    person: str
    role: str | None
    role_organisation: str | None
    on_behalf_of: str | None


@dataclass
class MembershipRecord:
    """A person holds ``role`` (in ``organisation``, when stated), attested on some dates."""

    iri: str
    person: str
    role: str
    organisation: str | None
    #: ``(attestedOn date or None, release IRI or None)`` pairs, one per release graph
    attested: list[tuple[date | None, str | None]] = field(default_factory=list)

    def dates(self, as_of: date | None = None) -> list[date]:
        """The attestation dates, on or before ``as_of`` when given, sorted."""
        return sorted(d for d, _ in self.attested if d and (as_of is None or d <= as_of))


@dataclass
class GraphData:
    """What the projections need, read from a store once by :func:`load`."""

    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    issued: dict[str, date] = field(default_factory=dict)
    agreements: dict[str, AgreementRecord] = field(default_factory=dict)
    signings: list[SigningRecord] = field(default_factory=list)
    memberships: dict[str, MembershipRecord] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The node's label, else the last segment of its IRI."""
        return self.labels.get(iri) or _local_name(iri)

    def selected(self, as_of: date | None = None) -> list[AgreementRecord]:
        """The agreements in force on ``as_of`` (all of them when None), sorted by IRI."""
        return [a for _, a in sorted(self.agreements.items()) if as_of is None or a.in_force(as_of)]


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def duration_years(duration: str | None) -> float | None:
    """An ISO 8601 duration in years (a month is 1/12, a day 1/365.25), for charts.

    >>> duration_years("P3Y"), duration_years("P18M"), duration_years("") is None
    (3.0, 1.5, True)
    """
    parts = parse_duration(duration)
    if parts is None:
        return None
    years, months, weeks, days = parts
    return years + months / 12 + (weeks * 7 + days) / 365.25


def load(store: GraphStore) -> GraphData:
    """Read what the projections need from ``store`` (five SELECT queries).

    :param store: an embedded or remote store
    :returns: the agreements, memberships, signings and labels, merged over all releases
    """
    data = GraphData()
    _, rows = store.select(_PREFIXES + _LABELS)
    for s, kind, label, issued in rows:
        if s is None or kind is None:
            continue
        data.kinds[s] = kind
        if label and (s not in data.labels or label < data.labels[s]):
            data.labels[s] = label
        d = _date(issued)
        if d and (s not in data.issued or d < data.issued[s]):
            data.issued[s] = d

    stated: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    _, rows = store.select(_PREFIXES + _AGREEMENTS)
    names = ("label", "type", "typeLabel", "date", "start", "end", "duration", "release")
    for a, *values in rows:
        if a is None:
            continue
        for name, value in zip(names, values, strict=True):
            if value:
                stated[a][name].add(value)
    for a, found in stated.items():
        data.agreements[a] = _agreement(a, found, data)
        data.kinds[a] = "agreement"

    _, rows = store.select(_PREFIXES + _LINKS)
    for a, kind, x, label in sorted(rows, key=lambda r: tuple(v or "" for v in r)):
        record = data.agreements.get(a or "")
        if record is None or x is None:
            continue
        target = record.parties if kind == "party" else record.areas
        if x not in target:
            target.append(x)
        if kind == "area":
            data.kinds[x] = "area"
            if label and (x not in data.labels or label < data.labels[x]):
                data.labels[x] = label

    _, rows = store.select(_PREFIXES + _SIGNINGS)
    signings = {SigningRecord(*row) for row in rows if row[0] in data.agreements and row[2]}  # type: ignore[arg-type]
    data.signings = sorted(signings, key=lambda s: tuple(v or "" for v in vars(s).values()))

    _, rows = store.select(_PREFIXES + _MEMBERSHIPS)
    for m, person, role, org, on, release in rows:
        if m is None or person is None:
            continue
        held = data.memberships.setdefault(
            m, MembershipRecord(m, person, role or _local_name(m), org)
        )
        when = _date(on) or data.issued.get(release or "")
        if (when, release) not in held.attested:
            held.attested.append((when, release))
            held.attested.sort(key=lambda p: (p[0] or date.max, p[1] or ""))
    return data


def _agreement(iri: str, values: dict[str, set[str]], data: GraphData) -> AgreementRecord:
    def first(name: str) -> str | None:
        return min(values[name]) if values.get(name) else None

    def earliest(name: str) -> date | None:
        dates = [d for d in map(_date, values.get(name, ())) if d]
        return min(dates) if dates else None

    releases = sorted(values.get("release", ()))
    signed = earliest("date")
    issued = [data.issued[r] for r in releases if r in data.issued]
    start = earliest("start") or signed or (min(issued) if issued else None)
    duration = first("duration")
    end = max((d for d in map(_date, values.get("end", ())) if d), default=None)
    if end is None and start and duration:
        end = add_duration(start, duration)
    type_iri = first("type")
    return AgreementRecord(
        iri=iri,
        label=first("label") or _local_name(iri),
        type=first("typeLabel") or (_local_name(type_iri) if type_iri else None),
        signed=signed,
        start=start,
        end=end,
        duration=duration,
        releases=releases,
    )
