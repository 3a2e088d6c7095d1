"""Who signs and who witnesses: parties, signatories (and for whom they sign), witnesses.

Read from the sentence that states the agreement or refers to it: the verb's subject ("A and
B signed"), "with/between ..." after the noun, "signed by X and Y", "signed on behalf of A by
X", "X, on behalf of A", "witnessed by X; Y; and Z", "X witnessed the signing".
"""

from __future__ import annotations

import re

from ._names import PersonMention
from ._nouns import Context, Noun, nouns, rx
from ._text import Sentence, evidence
from .facts import Agreement, Evidence, Signatory, Witness

#: (start, end, kind, value): kind "person" holds a PersonMention, kind "org" a key
Entity = tuple[int, int, str, PersonMention | str]

_SUBJECT_GAP = re.compile(
    r"\.?(?:[\s,]|\([^()]*\)|['\u2019]s\b|\b(?:today|yesterday|have|has|had|jointly|formally|officially"
    r"|recently|also|both|together|successfully|on\s+\w+(?:\s+\d+)?)\b)*",
    re.I,
)
_LIST_GAP = re.compile(
    r"\.?(?:\s*\([^()]*\))?\s*(?:,|,?\s*and|&|,?\s*together\s+with|,?\s*as\s+well\s+as"
    r"|,?\s*along\s+with)?\s*(?:the\s+)?"
)

_SIGNED = re.compile(r"\bsigned\b")
#: a word every cue of :func:`signing_cue` holds, looked for first
_SIGNING_WORDS = re.compile(r"signed|inked|executed|witness|presence", re.I)
#: "... by (its) Chief Executive": who signs for the organisation just named
_BY = re.compile(r"\s+by\s+(?:(?:the|its|their|his|her)\s+)?")


def _entities(ctx: Context, lo: int, hi: int) -> list[Entity]:
    """Organisation mentions (outside post titles) and people in ``text[lo:hi]``, in order."""
    persons = [p for p in ctx.names.persons if lo <= p.start < hi]
    out: list[Entity] = [(p.ext_start, p.ext_end, "person", p) for p in persons]
    text = ctx.text
    for s, e, key in ctx.names.org_mentions(lo, hi, heads=True):
        if any(p.ext_start <= s < p.ext_end for p in persons):
            continue
        if text[s - 1 : s] == "(" and text[e : e + 1] == ")":
            continue  # the acronym of a definition "Full Name (ACR)"
        out.append((s, e, "org", key))
    return sorted(out, key=lambda t: t[0])


def _walk_back(ctx: Context, ents: list[Entity], at: int) -> list[Entity]:
    """The run of entities ending just before ``at`` (a verb's subject)."""
    text = ctx.text
    got: list[Entity] = []
    cursor = at
    for s, e, kind, val in reversed([t for t in ents if t[1] <= at]):
        gap = text[e:cursor]
        ok = _SUBJECT_GAP.fullmatch(gap) if not got else _LIST_GAP.fullmatch(gap)
        if not ok:
            break
        got.append((s, e, kind, val))
        cursor = s
    return list(reversed(got))


def _walk_fwd(ctx: Context, ents: list[Entity], at: int) -> list[Entity]:
    """The run of entities starting just after ``at`` (a list after "with"/"between")."""
    got: list[Entity] = []
    cursor = at
    for s, e, kind, val in [t for t in ents if t[0] >= at]:
        if not _LIST_GAP.fullmatch(ctx.text[cursor:s]):
            break
        got.append((s, e, kind, val))
        cursor = e
    return got


def parties(
    ctx: Context, sent: Sentence, verb: tuple[int, int], noun: Noun, passive: bool
) -> list[tuple[str, Evidence]]:
    """Parties: the verb's subject, "with/between ..." after the noun, orgs "signed by"."""
    text = ctx.text
    ents = _entities(ctx, sent.start, sent.end)
    found: list[Entity] = []
    if not passive:
        found += _walk_back(ctx, ents, verb[0])
    m = rx()["with"].match(text, noun.end, sent.end)
    if m and m.end() - noun.end < 80:
        found += _walk_fwd(ctx, ents, m.end())
    sb = rx()["signed_by"].search(text, verb[0], sent.end)
    if sb:
        found += [t for t in _walk_fwd(ctx, ents, sb.end()) if t[2] == "org"]
    out: list[tuple[str, Evidence]] = []
    for s, e, kind, val in found:
        key = val if isinstance(val, str) and kind == "org" else None
        if key and key not in [k for k, _ in out]:
            out.append((key, org_evidence(ctx, s, e, key, "party")))
    return out


def org_evidence(ctx: Context, s: int, e: int, key: str, method: str) -> Evidence:
    """Evidence for an organisation mention; weaker when it is a bare head noun ("the Trust")."""
    if ctx.names.resolve(ctx.text[s:e]) == key:
        return evidence(ctx.text, s, e, method)
    name = ctx.names.orgs[key].name
    ctx.unsure.append(f"'the {ctx.text[s:e]}' ({method}) taken to be {name}")
    return evidence(ctx.text, s, e, f"{method}-definite-reference", 0.75)


def signing_cue(text: str, sent: Sentence) -> bool:
    """Whether a sentence states a signing or witnessing without an agreement noun."""
    if not _SIGNING_WORDS.search(text, sent.start, sent.end):
        return False
    pats = rx()
    return any(
        pats[k].search(text, sent.start, sent.end) for k in ("signed_by", "witness", "witnessed")
    ) or bool(
        _SIGNED.search(text[sent.start : sent.end])
        and pats["behalf_by"].search(text, sent.start, sent.end)
    )


def signing(
    ctx: Context, a: Agreement, sent: Sentence, event: tuple[tuple[int, int], Noun, bool] | None
) -> None:
    """Signatories ("signed by A and B", "A and B signed") and witnesses ("witnessed by")."""
    text = ctx.text
    pats = rx()
    ents = _entities(ctx, sent.start, sent.end)
    wit_lo = wit_hi = -1
    w = pats["witness"].search(text, sent.start, sent.end)
    if w:
        wit_lo = w.end()
        stops = [n.start for n in nouns(text, w.end(), sent.end)]
        sb = pats["signed_by"].search(text, w.end(), sent.end)
        wit_hi = min(stops + ([sb.start()] if sb else []) + [sent.end])
        for s, _e, _kind, val in ents:
            if isinstance(val, PersonMention) and wit_lo <= s < wit_hi:
                _add_witness(ctx, a, val)
    signers: list[PersonMention] = []
    sb = pats["signed_by"].search(text, sent.start, sent.end)
    if sb:
        hi = wit_lo if wit_lo > sb.end() else sent.end
        signers += [
            val
            for s, _e, _kind, val in ents
            if isinstance(val, PersonMention) and sb.end() <= s < hi
        ]
    if event and not event[2]:
        verb = event[0]
        signers += [
            val for *_, val in _walk_back(ctx, ents, verb[0]) if isinstance(val, PersonMention)
        ]
    # "X, Y and Z witnessed the signing"
    wd = pats["witnessed"].search(text, sent.start, sent.end)
    if wd:
        for t in _walk_back(ctx, ents, wd.start()):
            if t[2] == "person" and isinstance(t[3], PersonMention):
                _add_witness(ctx, a, t[3])
    behalf_of: dict[int, str] = {}
    # "signed on behalf of the Trust by its Chief Executive, Dame P. H."
    for m in pats["behalf_by"].finditer(text, sent.start, sent.end):
        org = next((t for t in ents if t[0] == m.end() and t[2] == "org"), None)
        by = _BY.match(text, org[1], sent.end) if org else None
        pm = next((t[3] for t in ents if by and t[0] == by.end() and t[2] == "person"), None)
        if org and isinstance(pm, PersonMention) and isinstance(org[3], str):
            behalf_of[pm.start] = org[3]
            if pm not in signers:
                signers.append(pm)
            if org[3] not in a.parties:
                a.parties.append(org[3])
                a.party_evidence[org[3]] = org_evidence(ctx, org[0], org[1], org[3], "party")
    for pm in signers:
        if wit_lo <= pm.start < wit_hi:
            continue
        behalf = behalf_of.get(pm.start)
        mb = pats["behalf"].match(text, pm.ext_end, sent.end)
        if mb and behalf is None:
            nxt = [(s, val) for s, _e, _kind, val in ents if s >= mb.end() and isinstance(val, str)]
            if nxt and nxt[0][0] == mb.end():
                behalf = nxt[0][1]
        _add_signatory(ctx, a, pm, behalf)


def _add_signatory(ctx: Context, a: Agreement, pm: PersonMention, behalf: str | None) -> None:
    ev = evidence(ctx.text, pm.ext_start, pm.ext_end, "signed-by", 0.7 if pm.bare else 1.0)
    for s in a.signatories:
        if s.person == pm.key:
            s.role = s.role or pm.title
            s.organisation = s.organisation or pm.org
            s.on_behalf_of = s.on_behalf_of or behalf
            if ev not in s.evidence:
                s.evidence.append(ev)
            return
    a.signatories.append(Signatory(pm.key, pm.title, pm.org, behalf, [ev]))


def _add_witness(ctx: Context, a: Agreement, pm: PersonMention) -> None:
    ev = evidence(ctx.text, pm.ext_start, pm.ext_end, "witnessed-by", 0.7 if pm.bare else 1.0)
    for w in a.witnesses:
        if w.person == pm.key:
            w.role = w.role or pm.title
            w.organisation = w.organisation or pm.org
            if ev not in w.evidence:
                w.evidence.append(ev)
            return
    a.witnesses.append(Witness(pm.key, pm.title, pm.org, [ev]))
    if not pm.title:
        ctx.unsure.append(f"witness role not stated for {ctx.names.people[pm.key].name}")
