"""Mapping facts to quads: ``ReleaseFacts -> [(s, p, o, g)]``.

Pure: no store, no files. Every quad lands in the release's own named graph, every term
comes from :mod:`kg.namespace`, every IRI is derived from keys (so rebuilding gives the same
graph), and every fact edge gets a ``kg:Evidence`` node naming the edge (``rdf:subject``,
``rdf:predicate``, ``rdf:object``) and the span of the release text that states it.

Example::

    >>> from kg.facts import ReleaseFacts, ReleaseInfo
    >>> quads = map_release(ReleaseFacts(ReleaseInfo(key="r1", title="A title")), text="A title")
    >>> str(quads[0][3])
    'https://w3id.org/partnership-graph/id/graph/r1'
"""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .facts import Agreement, Evidence, ReleaseFacts, agreement_label, slug
from .namespace import DCTERMS, FOAF, KG, ORG, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD

__all__ = [
    "DEFAULT_BASE",
    "Quad",
    "agreement_label",
    "base_iri",
    "graph_iri",
    "map_release",
    "nquads",
    "nquads_to_ntriples",
    "ntriples",
    "ntriples_to_nquads",
    "sentence_bounds",
]

#: The default base of data IRIs; override with ``KG_BASE_IRI``.
DEFAULT_BASE = "https://w3id.org/partnership-graph/id/"

Quad = tuple[Node, Node, Node, URIRef]

_TYPE_CONCEPTS = {
    "mou": KG.MemorandumOfUnderstanding,
    "cooperation": KG.CooperationAgreement,
    "collaboration": KG.CollaborativeAgreement,
    "framework": KG.FrameworkAgreement,
    "letter-of-intent": KG.LetterOfIntent,
    "agreement": KG.GenericAgreement,
}
_STATUS_CONCEPTS = {
    "signed": KG.Signed,
    "planned": KG.Planned,
    "proposed": KG.Proposed,
    "not-renewed": KG.NotRenewed,
    "terminated": KG.Terminated,
}


def base_iri(base: str | None = None) -> str:
    """The base for data IRIs: ``base``, else ``KG_BASE_IRI``, else :data:`DEFAULT_BASE`."""
    value = base or os.environ.get("KG_BASE_IRI") or DEFAULT_BASE
    return value if value.endswith(("/", "#")) else value + "/"


def graph_iri(release_key: str, base: str | None = None) -> URIRef:
    """The named graph that holds one release's facts."""
    return URIRef(f"{base_iri(base)}graph/{slug(release_key)}")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``: from the previous sentence end or paragraph
    break to the next one.

    >>> t = "First one. The MOU was signed by Dr Lee. Third."
    >>> s, e = sentence_bounds(t, 15, 18)
    >>> t[s:e]
    'The MOU was signed by Dr Lee.'
    """
    return _Sentences(text).bounds(start, end)


class _Sentences:
    """Where the sentences of one text end, found once: a release asks for the sentence of
    each of its evidence spans (:meth:`bounds`).

    A sentence ends at a ``.``, ``!`` or ``?`` followed by a space, a line break or the end of
    the text, unless the full stop ends an abbreviation (:func:`_is_abbrev`), and at a
    paragraph break (two line breaks).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        #: where each paragraph break (``"\n\n"``, overlapping ones too) starts
        self.breaks = [m.start() for m in re.finditer(r"(?=\n\n)", text)]
        #: the offset of each sentence-ending mark
        self.ends = [
            m.start()
            for m in re.finditer(r"[.!?](?=[ \n]|\Z)", text)
            if not _is_abbrev(text, m.start())
        ]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around ``text[start:end]`` (see :func:`sentence_bounds`)."""
        text, breaks, ends = self.text, self.breaks, self.ends
        # it starts just after the last break or sentence end (and its space) before start
        lo = 0
        before = bisect_right(breaks, start - 2)
        if before:
            lo = breaks[before - 1] + 2
        before = bisect_right(ends, start - 2)
        if before:
            lo = max(lo, ends[before - 1] + 2)
        # and ends at the first break, or just after the first sentence end, from end on
        hi = max(end, start)
        after = bisect_left(breaks, hi)
        stops = [len(text)]
        if after < len(breaks):
            stops.append(breaks[after])
        after = bisect_left(ends, hi)
        if after < len(ends):
            stops.append(ends[after] + 1)
        hi = min(stops)
        while lo < hi and text[lo].isspace():
            lo += 1
        return lo, hi


def _is_abbrev(text: str, dot: int) -> bool:
    """True when the full stop at ``dot`` ends an abbreviation like "Dr." or "No."."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:dot]
    return word in {"Dr", "Mr", "Ms", "Mrs", "Prof", "No", "St", "Co", "Ltd", "Inc"} or (
        len(word) == 1 and word.isupper()
    )


@dataclass
class _Builder:
    """Collects the quads of one release graph."""

    facts: ReleaseFacts
    text: str
    base: str
    graph: URIRef
    release: URIRef
    #: the quads in the order they were added, each once (a dict keeps that order)
    quads: dict[Quad, None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sentences = _Sentences(self.text)

    def iri(self, kind: str, *parts: str) -> URIRef:
        return URIRef(self.base + kind + "/" + "/".join(slug(p) for p in parts))

    def add(self, s: Node, p: Node, o: Node | None) -> None:
        if o is not None:
            self.quads[(s, p, o, self.graph)] = None

    def fact(self, s: Node, p: Node, o: Node, evidence: Iterable[Evidence]) -> None:
        """Add the edge and one evidence node per span stating it."""
        self.add(s, p, o)
        for ev in evidence:
            self.evidence(s, p, o, ev)

    def evidence(self, s: Node, p: Node, o: Node, ev: Evidence) -> None:
        digest = hashlib.sha256(
            "\x1f".join(
                [str(self.graph), s.n3(), p.n3(), o.n3(), str(ev.start), str(ev.end)]
            ).encode()
        ).hexdigest()[:20]
        node = URIRef(f"{self.base}evidence/{digest}")
        lo, hi = self.sentences.bounds(ev.start, ev.end)
        values = (
            KG.Evidence,
            s,
            p,
            o,
            self.release,
            _literal(ev.start),
            _literal(ev.end),
            _literal(ev.text),
            _literal(self.text[lo:hi]),
            _literal(lo),
            _literal(ev.method),
            _confidence(round(ev.confidence, 3)),
        )
        graph, quads = self.graph, self.quads
        for pred, obj in zip(_EVIDENCE, values, strict=True):
            if obj is not None:  # as add() does
                quads[(node, pred, obj, graph)] = None

    def aliases(self, node: URIRef, names: list[str], stated: dict[str, Evidence]) -> None:
        """``skos:altLabel`` for each other name, with the span stating it when there is one."""
        for alias in names:
            ev = stated.get(alias)
            self.fact(node, SKOS.altLabel, _literal(alias), [ev] if ev else [])

    def label(self, node: URIRef, cls: URIRef, label: str, *, pref: bool = False) -> None:
        self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, _literal(label))
        if pref:
            self.add(node, SKOS.prefLabel, _literal(label))


#: The predicates of an evidence node, in the order :meth:`_Builder.evidence` gives values.
_EVIDENCE = (
    RDF.type,
    RDF.subject,
    RDF.predicate,
    RDF.object,
    KG.inRelease,
    KG.startOffset,
    KG.endOffset,
    KG.exactText,
    KG.sentence,
    KG.sentenceStart,
    KG.method,
    KG.confidence,
)


@lru_cache(maxsize=8192, typed=True)
def _literal(value: str | int, datatype: URIRef | None = None) -> Literal:
    """``Literal(value, datatype=datatype)``, made once: names, labels, dates, offsets and
    methods recur within a release and across releases, and rdflib literals are slow to make.
    (``typed``: ``True`` and ``1`` are different literals.) One-off long texts, such as the
    release text, are made with ``Literal`` itself."""
    return Literal(value, datatype=datatype)


@lru_cache(maxsize=256)
def _confidence(value: float) -> Literal:
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


def _date(value: date | None) -> Literal | None:
    return _literal(value.isoformat(), XSD.date) if value else None


def map_release(
    facts: ReleaseFacts, *, text: str, base: str | None = None, include_contacts: bool = False
) -> list[Quad]:
    """Map one release's facts to quads in its named graph, each once, in the order the
    mapping adds them (so the same facts always give the same list).

    :param facts: what :func:`kg.extract.extract` found
    :param text: the release text the evidence offsets refer to (``Document.text``)
    :param base: base of data IRIs (see :func:`base_iri`)
    :param include_contacts: keep media contacts' phone numbers and e-mail addresses
        (off by default: they are personal data)
    :returns: the quads
    """
    root = base_iri(base)
    info = facts.release
    b = _Builder(
        facts, text, root, graph_iri(info.key, root), URIRef(f"{root}release/{slug(info.key)}")
    )
    org = {o.key: b.iri("org", o.key) for o in facts.organisations}
    person = {p.key: b.iri("person", p.key) for p in facts.people}
    released_on = info.published

    rel = b.release
    b.label(rel, KG.Release, info.title or info.key)
    b.add(rel, DCTERMS.title, _literal(info.title) if info.title else None)
    b.add(rel, DCTERMS.issued, _date(info.published))
    b.add(rel, DCTERMS.publisher, org.get(info.publisher or ""))
    b.add(rel, SDO.url, _literal(info.url, XSD.anyURI) if info.url else None)
    b.add(rel, DCTERMS.language, _literal(info.language) if info.language else None)
    b.add(
        rel, KG.sourceFile, _literal(PurePath(info.source_file).name) if info.source_file else None
    )
    b.add(rel, KG.contentHash, _literal(info.content_hash) if info.content_hash else None)
    b.add(rel, SDO.text, Literal(text))

    for o in facts.organisations:
        node = org[o.key]
        b.label(node, ORG.Organization, o.name, pref=True)
        for ev in o.evidence[:1]:
            b.evidence(node, SKOS.prefLabel, _literal(o.name), ev)
        b.aliases(node, o.aliases, o.alias_evidence)

    for p in facts.people:
        node = person[p.key]
        b.label(node, FOAF.Person, p.name)
        b.add(node, RDF.type, PROV.Agent)
        b.add(node, FOAF.name, _literal(p.name))
        b.add(node, SDO.name, _literal(p.name))
        b.add(node, SDO.honorificPrefix, _literal(p.honorific) if p.honorific else None)
        for ev in p.evidence[:1]:
            b.evidence(node, FOAF.name, _literal(p.name), ev)
        b.aliases(node, p.aliases, p.alias_evidence)

    def membership(person_key: str, title: str, org_key: str | None) -> URIRef:
        role = b.iri("role", title)
        b.label(role, ORG.Role, title, pref=True)
        node = b.iri("membership", person_key, title, *([org_key] if org_key else []))
        b.add(node, RDF.type, ORG.Membership)
        b.add(node, RDFS.label, _literal(title + (f", {_name(facts, org_key)}" if org_key else "")))
        b.add(node, ORG.member, person[person_key])
        b.add(node, ORG.role, role)
        b.add(node, ORG.organization, org.get(org_key or ""))
        b.add(node, KG.attestedOn, _date(released_on))
        return node

    for r in facts.roles:
        if r.person in person:
            node = membership(r.person, r.title, r.organisation)
            b.fact(node, ORG.member, person[r.person], r.evidence)

    for a in facts.agreements:
        _map_agreement(b, a, org, person, membership)

    for s in facts.speakers:
        if s.person not in person:
            continue
        node = b.iri("speech", info.key, s.person)
        b.add(node, RDF.type, KG.Speech)
        b.add(
            node,
            RDFS.label,
            _literal(f"{_person_name(facts, s.person)} in {info.title or info.key}"),
        )
        b.add(node, KG.inRelease, rel)
        b.add(node, SDO.text, Literal(s.quote) if s.quote else None)
        b.fact(node, KG.speaker, person[s.person], s.evidence)

    for t in facts.technologies:
        node = b.iri("technology", t.label)
        b.label(node, KG.Technology, t.label, pref=True)
        b.fact(rel, KG.mentionsTechnology, node, t.evidence)

    for f in facts.org_facts:
        subject = org.get(f.organisation)
        if subject is None:
            continue
        if f.kind == "founded" and f.value.isdigit():
            b.fact(subject, SDO.foundingDate, _literal(f.value, XSD.gYear), f.evidence)
        elif f.kind == "location":
            site = b.iri("place", f.value)
            b.label(site, SDO.Place, f.value)
            b.fact(subject, KG.site, site, f.evidence)
        elif f.kind == "count":
            b.fact(subject, KG.statedCount, _literal(f.value), f.evidence)

    for c in facts.contacts:
        node = b.iri("contact", info.key, c.name)
        b.label(node, KG.ContactPoint, c.name)
        b.add(node, SDO.name, _literal(c.name))
        b.add(node, KG.contactFor, org.get(c.organisation or ""))
        if include_contacts:
            b.add(node, SDO.telephone, _literal(c.phone) if c.phone else None)
            b.add(node, SDO.email, _literal(c.email) if c.email else None)
        b.fact(rel, KG.mediaContact, node, c.evidence)

    return list(b.quads)


def _name(facts: ReleaseFacts, org_key: str | None) -> str:
    o = facts.organisation(org_key or "")
    return o.name if o else (org_key or "")


def _person_name(facts: ReleaseFacts, key: str) -> str:
    p = facts.person(key)
    return p.name if p else key


def _stated(a: Agreement, ev: Evidence | None) -> list[Evidence]:
    """The evidence of one of the agreement's edges: its own span, else the agreement's first."""
    return [ev] if ev else a.evidence[:1]


def _map_agreement(b: _Builder, a: Agreement, org: dict, person: dict, membership) -> None:  # type: ignore[type-arg]
    node = b.iri("agreement", a.key)
    b.label(node, KG.Agreement, agreement_label(a, b.facts))
    b.add(node, PROV.wasDerivedFrom, b.release)
    if a.type not in _TYPE_CONCEPTS or a.status not in _STATUS_CONCEPTS:
        raise ValueError(f"agreement {a.key!r}: unknown type {a.type!r} or status {a.status!r}")
    b.fact(node, KG.agreementType, _TYPE_CONCEPTS[a.type], a.evidence[:1])
    b.fact(node, KG.status, _STATUS_CONCEPTS[a.status], a.evidence[:1])
    if a.title:
        b.fact(node, DCTERMS.title, _literal(a.title), a.evidence[:1])
    if a.date:
        b.fact(
            node,
            DCTERMS.date,
            _literal(a.date.isoformat(), XSD.date),
            _stated(a, a.date_evidence),
        )
    if a.place:
        place = b.iri("place", a.place)
        b.label(place, SDO.Place, a.place)
        b.fact(node, KG.signedAt, place, a.evidence[:1])
    if a.duration:
        b.fact(
            node,
            TIME.hasXSDDuration,
            _literal(a.duration, XSD.duration),
            _stated(a, a.duration_evidence),
        )
    b.add(node, SDO.startDate, _date(a.start_date))
    b.add(node, SDO.endDate, _date(a.end_date))
    if a.renews:
        b.add(node, KG.renews, b.iri("agreement", a.renews))
    if a.renewal:
        b.fact(node, KG.isRenewal, _literal(True), a.evidence[:1])
    for key in a.parties:
        if key in org:
            b.fact(node, KG.party, org[key], _stated(a, a.party_evidence.get(key)))

    scheme = URIRef(b.base + "scheme/areas")
    b.add(scheme, RDF.type, SKOS.ConceptScheme)
    b.add(scheme, RDFS.label, _literal("Areas of partnership"))
    b.add(scheme, SKOS.prefLabel, _literal("Areas of partnership"))
    for area in a.areas:
        concept = b.iri("area", area.label)
        b.label(concept, SKOS.Concept, area.label, pref=True)
        b.add(concept, SKOS.inScheme, scheme)
        b.fact(node, KG.coversArea, concept, area.evidence)

    for role_cls, link, people in (
        (KG.Signing, KG.hasSigning, a.signatories),
        (KG.Witnessing, KG.hasWitnessing, a.witnesses),
    ):
        kind = "signing" if role_cls == KG.Signing else "witnessing"
        for s in people:
            if s.person not in person:
                continue
            assoc = URIRef(f"{node}/{kind}/{slug(s.person)}")
            b.add(assoc, RDF.type, role_cls)
            b.add(assoc, RDFS.label, _literal(f"{_person_name(b.facts, s.person)} ({kind})"))
            b.add(assoc, PROV.agent, person[s.person])
            if s.role:
                b.add(assoc, PROV.hadRole, b.iri("role", s.role))
                b.add(assoc, KG.inCapacity, membership(s.person, s.role, s.organisation))
            behalf = getattr(s, "on_behalf_of", None)
            if behalf in org:
                b.add(assoc, KG.onBehalfOf, org[behalf])
            b.fact(node, link, assoc, s.evidence)


def _escaped(text: str) -> str:
    """``text`` as the inside of an N-Triples string literal: backslashes, double quotes and
    line breaks escaped, everything else written as it is (as UTF-8)."""
    # str.replace scans in C: several times faster than str.translate on a release's text
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _nt_term(term: Node) -> str:
    # the exact types first: rdflib's terms are ABCs, whose isinstance() is slow when false
    if type(term) is URIRef:
        return f"<{term}>"
    if type(term) is Literal:
        return _nt_literal(term)
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return _nt_literal(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def _nt_literal(term: Literal) -> str:
    text = f'"{_escaped(str(term))}"'
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^<{term.datatype}>" if term.datatype else text


def ntriples(quads: Iterable[tuple[Node, ...]]) -> str:
    """The triples of ``quads`` (or triples) as N-Triples text, one line each; graph names
    are dropped. A line never contains a raw line break, so the text splits on them."""
    return "".join(f"{_nt_term(q[0])} {_nt_term(q[1])} {_nt_term(q[2])} .\n" for q in quads)


def nquads(quads: Iterable[tuple[Node, ...]], graph: URIRef) -> str:
    """The triples of ``quads`` (or triples) as N-Quads text, every line in ``graph``: how a
    build hands a release graph to the store (which loads it as it is) and to validation.

    >>> g, a = URIRef("http://example.org/g"), URIRef("http://example.org/a")
    >>> print(nquads([(a, RDFS.label, Literal("A")), (a, RDFS.label, Literal("B"), a)], g), end="")
    <http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" <http://example.org/g> .
    <http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "B" <http://example.org/g> .
    """
    end = f" {_nt_term(graph)} .\n"
    return "".join(f"{_nt_term(q[0])} {_nt_term(q[1])} {_nt_term(q[2])}{end}" for q in quads)


def nquads_to_ntriples(text: str, graph: URIRef) -> str:
    """:func:`nquads` text (every line in ``graph``) as N-Triples text, for a SPARQL
    ``INSERT DATA``. No line has a raw line break, so ``<graph> .`` then one ends a line."""
    return text.replace(f" {_nt_term(graph)} .\n", " .\n")


def ntriples_to_nquads(text: str, graph: URIRef) -> str:
    """N-Triples text (as :func:`ntriples` or a store writes it) as N-Quads in ``graph``."""
    return text.replace(" .\n", f" {_nt_term(graph)} .\n")
