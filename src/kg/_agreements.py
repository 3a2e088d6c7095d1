"""Agreements: which were signed (or planned, proposed, not renewed), between whom, when,
for how long, signed and witnessed by whom, covering which areas.

An agreement is created only by a body sentence that links an agreement noun ("a
Memorandum of Understanding", "two co-operation agreements") to a status verb ("signed",
"will sign", "agreed to explore", "did not renew"). Later sentences, highlights and captions
that refer to it ("the MOU was signed by ...") only add to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ._areas import areas
from ._dates import duration_between
from ._nouns import STATUS_RULES, TYPE_RULES, Context, Noun, nouns, rx
from ._signing import parties, signing, signing_cue
from ._terms import signing_date, signing_place, terms
from ._text import Sentence, evidence
from .facts import Agreement, Evidence, add_duration, slug

__all__ = ["STATUS_RULES", "TYPE_RULES", "Context", "build"]


@dataclass
class Draft:
    """An agreement being assembled, with where it was stated."""

    agreement: Agreement
    events: list[int] = field(default_factory=list)
    #: stated by "renewed": it renews an earlier agreement between the same parties
    renewal: bool = False


def build(ctx: Context) -> list[Agreement]:
    """Every agreement the body states, with its parties, signing and areas."""
    drafts: list[Draft] = []
    text = ctx.text
    for sent in ctx.sents:
        if sent.kind not in ("body", "caption", "highlights"):
            continue
        ns = nouns(text, sent.start, sent.end, ctx.place)
        events = _events(text, sent, ns)
        for status, verb, noun, passive in events:
            _apply(ctx, drafts, sent, ns, status, verb, noun, passive)
        if not events and drafts and sent.kind == "body" and signing_cue(text, sent):
            # "The documents were signed by ...": the latest agreement
            signing(ctx, drafts[-1].agreement, sent, None)
    agreements = [d.agreement for d in drafts]
    terms(ctx, agreements)
    areas(ctx, agreements)
    for a in agreements:
        _finish(ctx, a)
    keys: dict[str, int] = {}
    for a in agreements:
        keys[a.key] = keys.get(a.key, 0) + 1
        if keys[a.key] > 1:
            a.key = f"{a.key}-{keys[a.key]}"
    for d in drafts:
        if d.renewal:
            d.agreement.renewal = True
            _link_renewal(ctx, d.agreement, agreements)
    return agreements


def _link_renewal(ctx: Context, a: Agreement, agreements: list[Agreement]) -> None:
    """Point a renewal at the agreement it renews, when this release states that one too.

    The earlier agreement is the latest signed one, dated before ``a``, that shares a party
    with it. When the release only mentions it ("first signed in 2019"), ``renews`` stays
    empty and a note says so: linking across releases is the build's business.
    """
    earlier = [
        x
        for x in agreements
        if x is not a
        and x.status == "signed"
        and x.date
        and a.date
        and x.date < a.date
        and set(x.parties) & set(a.parties)
    ]
    if earlier:
        a.renews = max(earlier, key=lambda x: x.date or date.min).key
    elif a.status == "signed":
        ctx.unsure.append(
            f"a {a.type} signed {a.date} renews an earlier agreement this release does not state"
        )


#: a passive status verb: "was signed", "were formally signed"
_PASSIVE = re.compile(r"\b(?:was|were|been|be|is|are)\s+(?:\w+ly\s+)?$")
#: how far back :func:`_passive_before` looks first
_PASSIVE_WINDOW = 40


def _passive_before(text: str, lo: int, at: int) -> bool:
    """Whether ``text[lo:at]`` ends in a passive status verb's auxiliary (:data:`_PASSIVE`).

    Searched in the last :data:`_PASSIVE_WINDOW` characters when they hold three words or
    more: a match starting further back would span them, and it holds two at the most (the
    auxiliary and an adverb). Else in the whole text, as the pattern is written.
    """
    win = at - _PASSIVE_WINDOW
    if win > lo and len(text[win:at].split()) >= 3:
        return bool(_PASSIVE.search(text, win, at))
    return bool(_PASSIVE.search(text[lo:at]))


#: between a noun and its verb: "the MOU, which was signed", "the agreement, signed on"
_RELATIVE_GAP = re.compile(r"[^.;]*?(?:,\s*which|\s+that)\s+[^.;]*|\s*,\s*")
_STOP = re.compile(r"[.;]")
#: "signed an MOU with A and a collaborative agreement with B"
_AND_ANOTHER = re.compile(r"\band\s+(?:also\s+)?(?:a|an|another|one|the)\s+$")


def _events(
    text: str, sent: Sentence, ns: list[Noun]
) -> list[tuple[str, tuple[int, int], Noun, bool]]:
    """(status, verb span, noun, passive) for each status verb linked to an agreement noun."""
    out = []
    for m in rx()["status"].finditer(text, sent.start, sent.end):
        status = next(k for k, _ in STATUS_RULES if m.group(k.replace("-", "_")))
        fit = [n for n in ns if not (n.weak and status in ("signed", "terminated"))]
        after = [n for n in fit if n.start >= m.end() and n.start - m.end() <= 90]
        before = [n for n in fit if n.end <= m.start() and m.start() - n.end <= 70]
        passive = _passive_before(text, sent.start, m.start())
        if before and (passive or not after):
            gap = text[before[-1].end : m.start()]
            # "the MOU, which was signed", "the agreement, signed on 3 March 2024, runs"
            if passive or _RELATIVE_GAP.fullmatch(gap):
                out.append((status, (m.start(), m.end()), before[-1], True))
                continue
        if after:
            gap = text[m.end() : after[0].start]
            if not _STOP.search(gap):
                out.append((status, (m.start(), m.end()), after[0], False))
                # "signed an MOU with A and a collaborative agreement with B"
                prev = after[0]
                for n in [n for n in fit if n.start > prev.start]:
                    between = text[prev.end : n.start]
                    if _STOP.search(between) or rx()["status"].search(between):
                        break
                    if _AND_ANOTHER.search(between):
                        out.append((status, (m.start(), m.end()), n, False))
                        prev = n
    seen: set[int] = set()
    uniq = []
    for e in out:
        if e[2].start not in seen:
            seen.add(e[2].start)
            uniq.append(e)
    return uniq


def _apply(
    ctx: Context,
    drafts: list[Draft],
    sent: Sentence,
    ns: list[Noun],
    status: str,
    verb: tuple[int, int],
    noun: Noun,
    passive: bool,
) -> list[Draft]:
    """Create or extend the agreement(s) one event sentence states."""
    text = ctx.text
    titled = [n for n in ns if n.title and n.start >= noun.start]
    if noun.count > 1 and len(titled) >= 2:
        specs = [(n.type, n.title) for n in titled[: noun.count]]
    elif noun.count > 1:
        specs = [(noun.type, None)] * noun.count
    else:
        specs = [(noun.type, noun.title)]
    found = parties(ctx, sent, verb, noun, passive)
    renewal = text[verb[0] : verb[1]].lower().startswith("renew")
    signed_on = signing_date(ctx, sent, verb) if sent.kind == "body" else None
    day = signed_on[0] if signed_on else None
    back = [d for d in drafts if noun.type in ("agreement", d.agreement.type)]
    if noun.definite and noun.count > 1 and back and not titled:
        for earlier in back:
            earlier.agreement.evidence.append(evidence(text, sent.start, sent.end, "agreement-ref"))
            signing(ctx, earlier.agreement, sent, (verb, noun, passive))
        return back
    out: list[Draft] = []
    for i, (kind, title) in enumerate(specs):
        d = _match(drafts, kind, title, noun, [p for p, _ in found], i if noun.count > 1 else None)
        if (
            d
            and day
            and d.agreement.date
            and d.agreement.date != day
            and (renewal or not noun.definite)
        ):
            d = None  # the same parties' agreement of another day: a new one
        if d is None:
            if sent.kind != "body":
                continue
            a = Agreement(key="", type=kind, title=title, status=status)
            d = Draft(a, renewal=renewal)
            drafts.append(d)
        a = d.agreement
        d.events.append(sent.start)
        ev = evidence(
            text, sent.start, sent.end, f"agreement-{status}", 1.0 if sent.kind == "body" else 0.9
        )
        if ev not in a.evidence:
            a.evidence.append(ev)
        if sent.kind == "body" and len(d.events) == 1:
            a.status = status
        for key, pev in found:
            if key not in a.parties:
                a.parties.append(key)
                a.party_evidence[key] = pev
        if a.date is None and sent.kind == "body":
            a.date = day
            a.date_evidence = signed_on[1] if signed_on else None
            a.place = a.place or noun.place or signing_place(ctx, sent, verb)
        signing(ctx, a, sent, (verb, noun, passive))
        out.append(d)
    return out


def _match(
    drafts: list[Draft],
    kind: str,
    title: str | None,
    noun: Noun,
    parties: list[str],
    index: int | None,
) -> Draft | None:
    """The existing agreement an event refers to, if any."""
    if title:
        same = [d for d in drafts if d.agreement.title and slug(d.agreement.title) == slug(title)]
        if same:
            return same[0]
    if index is not None:
        same = [d for d in drafts if d.agreement.type == kind and not d.agreement.title]
        return same[index] if index < len(same) else None
    cands = [d for d in drafts if kind == "agreement" or d.agreement.type == kind]
    if not cands:
        return None
    if noun.definite or not parties:
        return cands[-1]
    for d in reversed(cands):
        if set(parties) <= set(d.agreement.parties) or not d.agreement.parties:
            return d
    return None


def _finish(ctx: Context, a: Agreement) -> None:
    """Order parties, fill the signing organisations, dates, place and the key."""
    text = ctx.text
    first: dict[str, int] = {}
    for start, _end, key in ctx.names.org_mentions(0, len(text)):
        first.setdefault(key, start)
    a.parties.sort(
        key=lambda k: (
            a.party_evidence[k].start if k in a.party_evidence else first.get(k, len(text))
        )
    )
    if not a.parties:
        for s in a.signatories:
            party = s.on_behalf_of or s.organisation
            if party and party not in a.parties:
                a.parties.append(party)
                a.party_evidence[party] = s.evidence[0]
    for s in a.signatories:
        if s.on_behalf_of is None and s.organisation in a.parties:
            s.on_behalf_of = s.organisation
        if s.organisation is None and s.on_behalf_of:
            s.organisation = s.on_behalf_of
    if len(a.parties) == 2 and len(a.signatories) == 2:
        for s, other in zip(a.signatories, a.signatories[::-1], strict=True):
            claimed = other.on_behalf_of or other.organisation
            if s.on_behalf_of is None and claimed in a.parties:
                rest = next(p for p in a.parties if p != claimed)
                s.on_behalf_of = rest
                s.organisation = s.organisation or rest
                who, whom = ctx.names.people[s.person].name, ctx.names.orgs[rest].name
                ctx.unsure.append(f"{who} taken to sign for {whom}")
                s.evidence = [
                    Evidence(ev.start, ev.end, ev.text, f"{ev.method}+party-by-elimination", 0.6)
                    for ev in s.evidence
                ]
    if a.date is None and a.status == "signed" and ctx.ref:
        a.date = ctx.ref
        ctx.unsure.append(f"signing date of a {a.type} taken from the release date")
        if ctx.dateline:
            a.date_evidence = evidence(ctx.text, *ctx.dateline, "date-from-release", 0.6)
            a.evidence.append(a.date_evidence)
    a.place = a.place or ctx.place
    a.start_date = a.date if a.status == "signed" else None
    if a.status != "signed":
        a.end_date = None
    elif a.start_date and a.duration and a.end_date is None:
        a.end_date = add_duration(a.start_date, a.duration)
    elif a.start_date and a.end_date and a.duration is None:
        a.duration = duration_between(a.start_date, a.end_date)
    if a.duration is None:
        a.duration_evidence = None  # an end date stated no whole term
    stem = f"{a.date.isoformat() if a.date else 'undated'}-{a.type}-{'-'.join(sorted(a.parties))}"
    a.key = slug(stem + (f"-{a.title}" if a.title else ""))
