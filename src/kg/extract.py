"""Extraction: ``Document -> ReleaseFacts``, the second step of the data flow.

A pure function of the document (no I/O, no models): stdlib regular-expression rules that
read the text's own cues -- acronym definitions, honorific + name, appositive titles,
"signed by", "witnessed by", enumerations, datelines. The rules live in private modules:

- :mod:`kg._text`: zones, sentences, evidence spans, the dateline
- :mod:`kg._dates`: dates in any common format, durations and end dates
- :mod:`kg._vocab`: the words and patterns the name rules read
- :mod:`kg._orgs`: organisations, aliases, short names and head-noun references
- :mod:`kg._names`: people and their posts (long role chains, role-first, stacked honorifics)
- :mod:`kg._nouns`: agreement nouns and status verbs
- :mod:`kg._agreements`: which agreements a release states, their status and renewals
- :mod:`kg._signing`: parties, signatories (and for whom they sign), witnesses
- :mod:`kg._terms`: signing date and place, terms and end dates
- :mod:`kg._areas`: enumerated, bulleted and prose lists of areas
- :mod:`kg._details`: speakers, technologies, "About" facts, media contacts

Every fact carries :class:`~kg.facts.Evidence` with ``doc.text[start:end] == text``, the rule
that found it (``method``) and a ``confidence``. Rules weaker than a stated cue -- a party
named only by its head noun ("the Trust"), a signatory's party found by elimination, a term
read from a nearby sentence, a signing date taken from the release date, a person found
without an honorific -- give a confidence below 0.8 and add a line to ``facts.unsure``.

>>> from kg.sources import Document, Section
>>> text = ("(Singapore, 3 May 2024) - The Harbour Health Authority (HHA) and the Northbridge "
...         "Institute of Medicine signed a Memorandum of Understanding today.")
>>> facts = extract(Document("k", text, [Section("body", 0, len(text))]))
>>> [(a.type, a.date.isoformat(), a.parties) for a in facts.agreements]
[('mou', '2024-05-03', ['harbour-health-authority', 'northbridge-institute-of-medicine'])]
>>> agreement_label(facts.agreements[0], facts)
'Memorandum of Understanding between Harbour Health Authority and Northbridge Institute of Medicine'
"""

from __future__ import annotations

import re
from datetime import date

from ._agreements import Context, build
from ._details import about_facts, contacts, speakers, technologies
from ._names import Names
from ._text import dateline, evidence, norm, sentences, zones
from ._vocab import CONN
from .errors import InputError
from .facts import ReleaseFacts, ReleaseInfo, RoleHolding, Signatory, Witness, agreement_label, slug
from .sources import Document

__all__ = ["agreement_label", "extract", "require_agreement"]


def extract(doc: Document) -> ReleaseFacts:
    """The facts a release states.

    :param doc: the release as read (sections optional: without them the text is treated
        as body, with "Photo N:" captions, "About X" blocks and contacts guessed)
    :returns: organisations, people, roles, agreements (possibly none), speakers,
        technologies, "About" facts, contacts and the release's own description
    """
    text = doc.text
    zs = zones(doc)
    sents = sentences(text, zs)
    place, dl_date = dateline(doc)
    published = _iso(doc.meta.get("published"))
    ref = dl_date or published
    names = Names(text, place=place)
    _masthead_issuer(doc, zs, names)
    named = [(z.start, z.end) for z in zs if z.kind != "contacts"]
    names.find_acronyms(named)
    names.find_variants(named)
    names.find_people(named, sents)
    # not in the headline: it shortens names ("Acme and Beta Hospital sign ...")
    names.find_org_phrases([(z.start, z.end) for z in zs if z.kind not in ("contacts", "title")])
    names.resplit_titles()
    names.find_variants(named)
    unsure = names.unsure
    ctx = Context(text, sents, names, ref, place, unsure, doc.dateline_span)
    agreements = build(ctx)

    facts = ReleaseFacts(
        release=ReleaseInfo(
            key=doc.key,
            title=doc.title or doc.meta.get("title") or _title(doc, zs),
            published=published or dl_date,
            place=place,
            url=doc.meta.get("url"),
            language=doc.meta.get("language"),
            source_file=doc.source_file,
            content_hash=doc.content_hash,
        ),
        agreements=agreements,
        roles=_roles(text, names),
        speakers=speakers(text, sents, names),
        technologies=technologies(text, sents),
        org_facts=about_facts(text, zs, sents, names),
        contacts=contacts(text, zs, names),
    )
    facts.release.publisher = _publisher(doc, zs, names)
    facts.organisations = list(names.orgs.values())
    facts.people = list(names.people.values())
    facts.unsure = list(dict.fromkeys(unsure))
    _complete_roles(facts)
    return facts


def _complete_roles(facts: ReleaseFacts) -> None:
    """Give a role the organisation its holder signs or witnesses for.

    DESIGN's contract: where a title names no organisation, the person holds it in the party
    they sign for. The agreement rules work that out; the role list must say the same, so
    the ``roles`` and ``signatories`` queries agree. A role the text states only in the
    signing gets added.
    """
    holdings = {(r.person, r.title): r for r in facts.roles}
    for agreement in facts.agreements:
        parts: list[Signatory | Witness] = [*agreement.signatories, *agreement.witnesses]
        for part in parts:
            if not part.role:
                continue
            held = holdings.get((part.person, part.role))
            if held is None:
                held = RoleHolding(part.person, part.role, part.organisation, list(part.evidence))
                holdings[(part.person, part.role)] = held
                facts.roles.append(held)
            elif held.organisation is None and part.organisation:
                held.organisation = part.organisation


def require_agreement(facts: ReleaseFacts) -> None:
    """Refuse a release that states no agreement.

    :raises InputError: naming the release's file (or key)
    """
    if not facts.agreements:
        where = facts.release.source_file or facts.release.key
        raise InputError(
            where,
            "states no agreement (no MOU, co-operation agreement, letter of intent or other "
            "agreement signed, planned or proposed was found)",
        )


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _title(doc: Document, zs: list) -> str | None:
    for z in zs:
        if z.kind == "title":
            return norm(doc.text[z.start : z.end]) or None
    return None


def _roles(text: str, names: Names) -> list[RoleHolding]:
    """One :class:`RoleHolding` per (person, title, organisation), evidence merged."""
    out: dict[tuple[str, str, str | None], RoleHolding] = {}
    for pm in sorted(names.persons, key=lambda p: p.start):
        if not pm.title:
            continue
        k = (pm.key, slug(pm.title), pm.org)
        ev = evidence(text, pm.ext_start, pm.ext_end, "appositive-title", 0.7 if pm.bare else 0.95)
        if k not in out:
            out[k] = RoleHolding(pm.key, pm.title, pm.org, [ev])
        elif ev not in out[k].evidence:
            out[k].evidence.append(ev)
    return list(out.values())


def _masthead_issuer(doc: Document, zs: list, names: Names) -> None:
    """Register the issuer the masthead names as an organisation, also when its name has no
    head noun ("NHS Kestrel" above the headline): the masthead says it is one. A name with a
    head noun is found with the other organisations."""
    heads = [z for z in zs if z.kind == "masthead"]
    words = (doc.publisher or "").split() if heads else []
    if not 0 < len(words) <= 8 or not all(w[:1].isupper() or w in CONN for w in words):
        return
    if names.org_phrase(" ".join(words)):
        return
    spelled = re.compile(r"\s+".join(map(re.escape, words)))
    for z in heads:
        if m := spelled.search(doc.text, z.start, z.end):
            ev = evidence(doc.text, m.start(), m.end(), "masthead-issuer", 0.9)
            names.add_org(ev.text, ev)
            return


def _publisher(doc: Document, zs: list, names: Names) -> str | None:
    """The issuer: the sidecar's ``publisher``, else the first organisation in the masthead."""
    name = doc.meta.get("publisher")
    if name:
        key = names.resolve(name)
        if key:
            return key
        m = re.search(r"\s+".join(map(re.escape, name.split())), doc.text)
        if m:
            return names.add_org(name, evidence(doc.text, m.start(), m.end(), "publisher"))
        return names.add_org(name, evidence(doc.text, 0, 0, "publisher-meta", 0.9))
    for z in zs:
        if z.kind == "masthead":
            hits = names.org_mentions(z.start, z.end)
            if hits:
                return hits[0][2]
    return None
