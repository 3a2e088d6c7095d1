"""The fact changes behind :mod:`kg.curation`: one function per operation.

Each works on a copy of a release's :class:`~kg.facts.ReleaseFacts`. A fact that curation
creates or changes (a merged or former name kept as an alias, of an organisation or a person;
a new display name; the name of a split entity) gets evidence of method ``"curation"`` and
confidence 1: the span is the release text that named the entity, the decision is the
curator's. Facts that only follow an entity to its new key (its roles, party links, signings)
keep the evidence they were extracted with.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, TypeVar

from .facts import (
    Agreement,
    Evidence,
    Organisation,
    Person,
    ReleaseFacts,
    Signatory,
    Speaker,
    Witness,
    agreement_label,
    slug,
)

if TYPE_CHECKING:  # the rule type lives in kg.curation, which imports this module
    from .curation import Rule

__all__ = ["apply_rule", "mentions"]

_Attending = TypeVar("_Attending", Signatory, Witness)

CURATION = "curation"


def mentions(facts: ReleaseFacts, refs: list[str]) -> set[str]:
    """The references among ``refs`` (``org:key``, ``person:key``) that ``facts`` contain."""
    orgs = {f"org:{o.key}" for o in facts.organisations}
    people = {f"person:{p.key}" for p in facts.people}
    return {r for r in refs if r in orgs or r in people}


def apply_rule(rule: Rule, facts: ReleaseFacts) -> ReleaseFacts | None:
    """``facts`` changed by ``rule``, or None when the rule changes nothing in them.

    :param rule: a validated rule of :mod:`kg.curation`
    :param facts: one release's facts (not modified)
    """
    releases = rule.get("releases")
    if releases and facts.release.key not in releases:
        return None
    refs = rule.refs()
    if refs and not mentions(facts, refs):
        return None
    work = copy.deepcopy(facts)
    _OPERATIONS[rule.op](rule, work)
    return None if work == facts else work


def _split_ref(ref: str) -> tuple[str, str]:
    kind, _, key = ref.partition(":")
    return kind, key


def _curated(ev: Evidence) -> Evidence:
    return dataclasses.replace(ev, method=CURATION, confidence=1.0)


def _merge(rule: Rule, facts: ReleaseFacts) -> None:
    kind, into = _split_ref(rule.get("into"))
    for ref in rule.get("others"):
        _join(facts, kind, _split_ref(ref)[1], into)
    if rule.get("name"):
        _set_name(facts, kind, into, rule.get("name"))


def _split(rule: Rule, facts: ReleaseFacts) -> None:
    kind, key = _split_ref(rule.get("key"))
    _join(facts, kind, key, rule.get("new_key"))
    if rule.get("name"):
        _set_name(facts, kind, rule.get("new_key"), rule.get("name"))


def _rename(rule: Rule, facts: ReleaseFacts) -> None:
    kind, key = _split_ref(rule.get("key"))
    _set_name(facts, kind, key, rule.get("name"))


def _join(facts: ReleaseFacts, kind: str, old: str, new: str) -> None:
    """Make entity ``old`` the entity ``new``: rename its key, or fold it into ``new``."""
    if kind == "org":
        src = facts.organisation(old)
        if src is not None:
            _join_org(facts, src, facts.organisation(new), new)
    else:
        who = facts.person(old)
        if who is not None:
            _join_person(facts, who, facts.person(new), new)


def _join_org(facts: ReleaseFacts, src: Organisation, dst: Organisation | None, new: str) -> None:
    old = src.key
    if dst is None:
        _rekey(src, new)
    else:
        _keep_names(src, dst)
        facts.organisations.remove(src)
    swap = {old: new}
    if facts.release.publisher == old:
        facts.release.publisher = new
    for r in facts.roles:
        r.organisation = swap.get(r.organisation or "", r.organisation)
    for a in facts.agreements:
        a.parties = list(dict.fromkeys(swap.get(p, p) for p in a.parties))
        a.party_evidence = {swap.get(k, k): v for k, v in a.party_evidence.items()}
        for s in _attending(a):
            s.organisation = swap.get(s.organisation or "", s.organisation)
        for s in a.signatories:
            s.on_behalf_of = swap.get(s.on_behalf_of or "", s.on_behalf_of)
    for f in facts.org_facts:
        f.organisation = swap.get(f.organisation, f.organisation)
    for c in facts.contacts:
        c.organisation = swap.get(c.organisation or "", c.organisation)
    _dedupe(facts)


def _join_person(facts: ReleaseFacts, src: Person, dst: Person | None, new: str) -> None:
    old = src.key
    if dst is None:
        _rekey(src, new)
    else:
        _keep_names(src, dst)
        dst.evidence += [_curated(e) for e in src.evidence if _curated(e) not in dst.evidence]
        dst.honorific = dst.honorific or src.honorific
        facts.people.remove(src)
    for r in facts.roles:
        r.person = new if r.person == old else r.person
    for a in facts.agreements:
        for s in _attending(a):
            s.person = new if s.person == old else s.person
    for sp in facts.speakers:
        sp.person = new if sp.person == old else sp.person
    _dedupe(facts)


def _rekey(entity: Organisation | Person, key: str) -> None:
    """Give the entity the key ``key``; the span naming it now states the curator's decision."""
    entity.key = key
    entity.evidence[:1] = [_curated(e) for e in entity.evidence[:1]]


def _keep_names(src: Organisation | Person, dst: Organisation | Person) -> None:
    """Keep the name and aliases of ``src``, merged into ``dst``, as aliases of ``dst``."""
    for alias in [src.name, *src.aliases]:
        if alias != dst.name:
            _add_alias(dst, alias, src.alias_evidence.get(alias) or next(iter(src.evidence), None))


def _add_alias(entity: Organisation | Person, alias: str, ev: Evidence | None) -> None:
    """Add ``alias`` to the entity's aliases, stated by ``ev`` (as curation) when known."""
    if alias in entity.aliases:
        return
    entity.aliases.append(alias)
    if ev is not None:
        entity.alias_evidence[alias] = _curated(ev)


def _dedupe(facts: ReleaseFacts) -> None:
    """Fold facts that became the same fact when two keys became one."""
    roles: dict[tuple[str, str, str | None], list[Evidence]] = {}
    kept = []
    for r in facts.roles:
        ident = (r.person, slug(r.title), r.organisation)
        if ident in roles:
            roles[ident] += [e for e in r.evidence if e not in roles[ident]]
        else:
            roles[ident] = r.evidence
            kept.append(r)
    facts.roles = kept
    for a in facts.agreements:
        a.signatories = _by_person(a.signatories)
        a.witnesses = _by_person(a.witnesses)
    speakers: dict[str, int] = {}
    out: list[Speaker] = []
    for sp in facts.speakers:
        if sp.person in speakers:
            first = out[speakers[sp.person]]
            first.quote = first.quote or sp.quote
            first.evidence += [e for e in sp.evidence if e not in first.evidence]
        else:
            speakers[sp.person] = len(out)
            out.append(sp)
    facts.speakers = out


def _attending(a: Agreement) -> list[Signatory | Witness]:
    return [*a.signatories, *a.witnesses]


def _by_person(people: list[_Attending]) -> list[_Attending]:
    out: dict[str, _Attending] = {}
    for s in people:
        first = out.setdefault(s.person, s)
        if first is not s:
            first.role = first.role or s.role
            first.organisation = first.organisation or s.organisation
            first.evidence += [e for e in s.evidence if e not in first.evidence]
    return list(out.values())


def _set_name(facts: ReleaseFacts, kind: str, key: str, name: str) -> None:
    """Give entity ``key`` the display name ``name``; the old name stays as an alias."""
    entity = facts.organisation(key) if kind == "org" else facts.person(key)
    if entity is None or entity.name == name:
        return
    _add_alias(entity, entity.name, next(iter(entity.evidence), None))
    if name in entity.aliases:
        entity.aliases.remove(name)
        entity.alias_evidence.pop(name, None)
    entity.name = name
    entity.evidence[:1] = [_curated(e) for e in entity.evidence[:1]]


def _agreements(rule: Rule, facts: ReleaseFacts) -> list[Agreement]:
    """The agreements a retraction names (by key, label or title), else all of them."""
    wanted = rule.get("agreement")
    if wanted is None:
        return list(facts.agreements)
    return [
        a
        for a in facts.agreements
        if slug(wanted) in {slug(a.key), slug(agreement_label(a, facts)), slug(a.title or "")}
    ]


def _retract(rule: Rule, facts: ReleaseFacts) -> None:
    fact = rule.get("fact")
    org = _split_ref(rule.get("organisation") or ":")[1] or None
    person = _split_ref(rule.get("person") or ":")[1] or None
    chosen = _agreements(rule, facts)
    if fact == "agreement":
        facts.agreements = [a for a in facts.agreements if all(a is not c for c in chosen)]
    elif fact == "party":
        for a in chosen:
            a.parties = [p for p in a.parties if p != org]
            a.party_evidence.pop(org or "", None)
    elif fact == "role":
        title = slug(rule.get("title"))

        def held(who: str, what: str | None, where: str | None) -> bool:
            return who == person and slug(what or "") == title and org in (None, where)

        facts.roles = [r for r in facts.roles if not held(r.person, r.title, r.organisation)]
        for a in facts.agreements:
            for s in _attending(a):
                if held(s.person, s.role, s.organisation):
                    s.role, s.organisation = None, None
    elif fact == "alias":
        found = facts.organisation(org or "")
        if found is not None:
            alias = rule.get("alias").casefold()
            for name in [n for n in found.aliases if n.casefold() == alias]:
                found.aliases.remove(name)
                found.alias_evidence.pop(name, None)
    elif fact == "speaker":
        facts.speakers = [s for s in facts.speakers if s.person != person]
    elif fact == "signatory":
        for a in chosen:
            a.signatories = [s for s in a.signatories if s.person != person]
    elif fact == "witness":
        for a in chosen:
            a.witnesses = [s for s in a.witnesses if s.person != person]
    elif fact == "area":
        area = rule.get("area").casefold()
        for a in chosen:
            a.areas = [x for x in a.areas if x.label.casefold() != area]


_OPERATIONS = {"merge": _merge, "split": _split, "rename": _rename, "retract": _retract}
