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
from functools import cache

from ._names import Names, PersonMention
from ._text import Sentence, add_duration, evidence, find_duration, norm, number, parse_dates
from .facts import Agreement, Area, Evidence, Signatory, Witness, slug

#: (type code, pattern of its noun); earlier rows win where two match at one place
TYPE_RULES: tuple[tuple[str, str], ...] = (
    ("mou", r"memorand(?:um|a)\s+of\s+understanding|mous?"),
    ("letter-of-intent", r"letters?\s+of\s+intent|lois?"),
    ("framework", r"framework\s+(?:co-?operation\s+|collaboration\s+)?agreements?"),
    ("cooperation", r"co-?operation\s+agreements?"),
    ("collaboration", r"collaborat(?:ive|ion)\s+agreements?"),
    ("agreement", r"(?:partnership\s+)?agreements?"),
)
#: (status code, pattern of the verb); earlier rows win at one place
STATUS_RULES: tuple[tuple[str, str], ...] = (
    (
        "not-renewed",
        r"\b(?:did\s+not|didn['\u2019]t|will\s+not|won['\u2019]t|decided\s+not\s+to|chose\s+not\s+to|not\s+to)"
        r"\s+renew\b|\bnot\s+(?:be\s+)?renewed\b|\blapsed\b",
    ),
    ("terminated", r"\bterminat(?:ed|es|e)\b|\bwithdr(?:ew|awn)\s+from\b"),
    (
        "proposed",
        r"\bagreed\s+to\s+(?:explore|discuss|consider|study|work\s+towards)\b"
        r"|\b(?:will|to)\s+(?:explore|discuss)\s+(?:the\s+)?(?:possibility|feasibility|prospect)"
        r"|\bin\s+(?:talks|discussions|negotiations)\b|\bnegotiat(?:e|ing)\b",
    ),
    (
        "planned",
        r"\b(?:will|shall|would|plans?\s+to|planning\s+to|expects?\s+to|expected\s+to|set\s+to"
        r"|intends?\s+to|scheduled\s+to|(?:is|are)\s+to|agreed\s+to)\s+(?:\w+ly\s+)?"
        r"(?:sign|ink|enter\s+into|conclude)\b|\b(?:will|to)\s+be\s+signed\b",
    ),
    ("signed", r"\b(?:signed|inked|entered\s+into|concluded|sealed|renewed|executed)\b"),
)
_AREA_NOUN = (
    r"(?:areas?|sectors?|fields?|domains?|aspects?|priorities|themes?|pillars?|workstreams?"
    r"|topics?)"
)
_SUBJECT_GAP = re.compile(
    r"(?:[\s,]|\([^()]*\)|['\u2019]s\b|\b(?:today|yesterday|have|has|had|jointly|formally|officially"
    r"|recently|also|both|together|successfully|on\s+\w+(?:\s+\d+)?)\b)*",
    re.I,
)
_LIST_GAP = re.compile(
    r"(?:\s*\([^()]*\))?\s*(?:,|,?\s*and|&|,?\s*together\s+with|,?\s*as\s+well\s+as"
    r"|,?\s*along\s+with)?\s*(?:the\s+)?"
)


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    noun = "|".join(rf"(?P<{k.replace('-', '_')}>\b(?:{p})\b)" for k, p in TYPE_RULES)
    status = "|".join(rf"(?P<{k.replace('-', '_')}>{p})" for k, p in STATUS_RULES)
    cap = r"[A-Z][\w'\u2019&-]*"
    return {
        "noun": re.compile(noun, re.I),
        "partnership": re.compile(r"\bpartnerships?\b", re.I),
        "status": re.compile(status, re.I),
        "title_tail": re.compile(
            rf"\s+(?:on|for|regarding|concerning)\s+(?:the\s+)?{cap}(?:\s+(?:(?:of|and|the|in|on|for|&)\s+)*{cap})*"
        ),
        "signed_by": re.compile(r"\b(?:signed|inked|executed)\s+by\s+", re.I),
        "witness": re.compile(
            r"\b(?:witnessed\s+by|in\s+the\s+presence\s+of|witnesses\s+(?:included|were)"
            r"|witnessing\s+the\s+(?:signing|ceremony)\s+(?:was|were))\s+",
            re.I,
        ),
        "witnessed": re.compile(r"\bwitnessed\s+the\s+(?:signing|ceremony|signature)", re.I),
        "behalf_by": re.compile(r"\bon\s+behalf\s+of\s+(?:the\s+)?", re.I),
        "with": re.compile(
            r"\s*(?:\([^()]*\)\s*)?(?:\b\w+\b\s+){0,4}?(?:with|between|among|amongst)\s+(?:the\s+)?"
        ),
        "behalf": re.compile(
            r"\s*(?:\([^()]*\))?,?\s*(?:who\s+)?(?:signed\s+|signing\s+)?on\s+behalf\s+of\s+(?:the\s+)?"
        ),
        "enum": re.compile(
            r"(?:\((?:[ivx]{1,4}|[a-h]|\d{1,2})|(?<![\w(.,])(?:[a-h]|\d{1,2}))\)\s+"
        ),
        "prose": re.compile(
            rf"\b{_AREA_NOUN}\s*,?\s+(?:such\s+as|including|like|namely|of|covering|spanning)\s+"
            r"|\b(?:cover(?:s|ing)?|focus(?:es|ing)?\s+on|in)\s+(?:areas?\s+)?(?:such\s+as|including)\s+",
        ),
        "list_end": re.compile(
            r",\s+(?:which|where|with|while|so|as|among)\b|,?\s+and\s+(?:will|would|is|are|to|has"
            r"|have|can|may)\b|\s+(?:for|over|during)\s+(?:a|an|the)\s+(?:further\s+|next\s+)?"
            r"(?:period|term|\w+\s+years?)\b|\s+until\b|\s+(?:to|in\s+order\s+to|so\s+that|which|"
            r"that|through|over\s+the|for\s+the|by)\s+|[.;:)]|$"
        ),
        "bullet": re.compile(
            r"^[ \t]*(?:[-•*\u2013·]|\d{1,2}[.)]|\((?:[a-z]|[ivx]+|\d+)\)|[a-z][.)])"
            r"[ \t]+(\S[^\n]*)$",
            re.M,
        ),
    }


@dataclass
class Noun:
    """An agreement noun in the text."""

    start: int
    end: int
    type: str
    title: str | None
    plural: bool
    definite: bool
    count: int
    #: "a partnership": an agreement only when hedged ("agreed to explore a partnership")
    weak: bool = False


@dataclass
class Draft:
    """An agreement being assembled, with where it was stated."""

    agreement: Agreement
    events: list[int] = field(default_factory=list)


@dataclass
class Context:
    """What the agreement rules read: the text, sentences, names and reference dates."""

    text: str
    sents: list[Sentence]
    names: Names
    ref: date | None
    place: str | None
    unsure: list[str]


def nouns(text: str, lo: int, hi: int, place: str | None = None) -> list[Noun]:
    """The agreement nouns in ``text[lo:hi]`` with their type, title and determiner.

    :param place: the release's dateline place; a title does not run on into it
        ("the Co-operation Agreement on X in Beijing")
    """
    out = []
    rx = _rx()
    for m in [*rx["noun"].finditer(text, lo, hi), *rx["partnership"].finditer(text, lo, hi)]:
        if m.re is rx["partnership"] and any(n.start <= m.start() < n.end for n in out):
            continue  # "partnership agreement"
        weak = m.re is rx["partnership"]
        kind = (
            "agreement" if weak else next(k for k, _ in TYPE_RULES if m.group(k.replace("-", "_")))
        )
        word = m.group()
        if kind == "agreement" and re.search(r"\bin\s+$", text[max(lo, m.start() - 4) : m.start()]):
            continue  # "in agreement with"
        title = None
        end = m.end()
        if (
            word[0].isupper() and not word.isupper() and kind != "letter-of-intent"
        ) or kind == "mou":
            tail = rx["title_tail"].match(text, m.end(), hi)
            if tail and word[0].isupper() and not word.isupper():
                end = tail.end()
                nxt = re.search(
                    r",?\s+and\s+(?:the\s+)?(?:[A-Z][\w-]*\s+)?(?:Agreement|Memorandum|Letter)\b",
                    text[m.end() : end],
                )
                if nxt:
                    end = m.end() + nxt.start()
                at = re.search(r"\s+in\s+([A-Z][\w\s]*)$", text[m.end() : end])
                if at and place and norm(at.group(1)).lower() == place.lower():
                    end = m.end() + at.start()
                title = norm(text[m.start() : end])
        before = text[max(lo, m.start() - 40) : m.start()].split()[-3:]
        definite, count = False, 1
        for w in reversed(before):
            lw = w.lower().strip(",")
            if lw in ("a", "an", "one"):
                break
            if lw in ("the", "this", "that", "these", "those", "both", "its", "their", "said"):
                definite = True
                count = 2 if lw in ("these", "those", "both") else 1
                break
            if number(lw) and number(lw) != 1:
                count = number(lw) or 1
                break
        plural = word.lower().endswith("s") and not word.lower().endswith("us")
        out.append(Noun(m.start(), end, kind, title, plural, definite, count, weak))
    return sorted(out, key=lambda n: n.start)


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
            _signing(ctx, drafts[-1].agreement, sent, None)
    agreements = [d.agreement for d in drafts]
    _terms(ctx, agreements)
    _areas(ctx, agreements)
    for a in agreements:
        _finish(ctx, a)
    keys: dict[str, int] = {}
    for a in agreements:
        keys[a.key] = keys.get(a.key, 0) + 1
        if keys[a.key] > 1:
            a.key = f"{a.key}-{keys[a.key]}"
    return agreements


def _events(
    text: str, sent: Sentence, ns: list[Noun]
) -> list[tuple[str, tuple[int, int], Noun, bool]]:
    """(status, verb span, noun, passive) for each status verb linked to an agreement noun."""
    out = []
    for m in _rx()["status"].finditer(text, sent.start, sent.end):
        status = next(k for k, _ in STATUS_RULES if m.group(k.replace("-", "_")))
        fit = [n for n in ns if not (n.weak and status in ("signed", "terminated"))]
        after = [n for n in fit if n.start >= m.end() and n.start - m.end() <= 90]
        before = [n for n in fit if n.end <= m.start() and m.start() - n.end <= 70]
        passive = bool(
            re.search(
                r"\b(?:was|were|been|be|is|are)\s+(?:\w+ly\s+)?$", text[sent.start : m.start()]
            )
        )
        if before and (passive or not after):
            gap = text[before[-1].end : m.start()]
            # "the MOU, which was signed", "the agreement, signed on 3 March 2024, runs"
            if passive or re.fullmatch(r"[^.;]*?(?:,\s*which|\s+that)\s+[^.;]*|\s*,\s*", gap):
                out.append((status, (m.start(), m.end()), before[-1], True))
                continue
        if after:
            gap = text[m.end() : after[0].start]
            if not re.search(r"[.;]", gap):
                out.append((status, (m.start(), m.end()), after[0], False))
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
    parties = _parties(ctx, sent, verb, noun, passive)
    back = [d for d in drafts if noun.type in ("agreement", d.agreement.type)]
    if noun.definite and noun.count > 1 and back and not titled:
        for d in back:
            d.agreement.evidence.append(evidence(text, sent.start, sent.end, "agreement-ref"))
            _signing(ctx, d.agreement, sent, (verb, noun, passive))
        return back
    out = []
    for i, (kind, title) in enumerate(specs):
        d = _match(
            drafts, kind, title, noun, [p for p, _ in parties], i if noun.count > 1 else None
        )
        if d is None:
            if sent.kind != "body":
                continue
            a = Agreement(key="", type=kind, title=title, status=status)
            d = Draft(a)
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
        for key, pev in parties:
            if key not in a.parties:
                a.parties.append(key)
                a.party_evidence[key] = pev
        if a.date is None and sent.kind == "body":
            a.date = _date(ctx, sent, verb)
            a.place = a.place or _place(ctx, sent, verb)
        _signing(ctx, a, sent, (verb, noun, passive))
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


def _entities(ctx: Context, lo: int, hi: int) -> list[tuple[int, int, str, object]]:
    """Organisation mentions (outside post titles) and people in ``text[lo:hi]``, in order."""
    persons = [p for p in ctx.names.persons if lo <= p.start < hi]
    out: list[tuple[int, int, str, object]] = [
        (p.ext_start, p.ext_end, "person", p) for p in persons
    ]
    text = ctx.text
    for s, e, key in ctx.names.org_mentions(lo, hi, heads=True):
        if any(p.ext_start <= s < p.ext_end for p in persons):
            continue
        if text[s - 1 : s] == "(" and text[e : e + 1] == ")":
            continue  # the acronym of a definition "Full Name (ACR)"
        out.append((s, e, "org", key))
    return sorted(out, key=lambda t: t[0])


def _walk_back(ctx: Context, ents: list, at: int) -> list:
    """The run of entities ending just before ``at`` (a verb's subject)."""
    text = ctx.text
    got = []
    cursor = at
    for s, e, kind, val in reversed([t for t in ents if t[1] <= at]):
        gap = text[e:cursor]
        ok = _SUBJECT_GAP.fullmatch(gap) if not got else _LIST_GAP.fullmatch(gap)
        if not ok:
            break
        got.append((s, e, kind, val))
        cursor = s
    return list(reversed(got))


def _walk_fwd(ctx: Context, ents: list, at: int) -> list:
    """The run of entities starting just after ``at`` (a list after "with"/"between")."""
    got = []
    cursor = at
    for s, e, kind, val in [t for t in ents if t[0] >= at]:
        if not _LIST_GAP.fullmatch(ctx.text[cursor:s]):
            break
        got.append((s, e, kind, val))
        cursor = e
    return got


def _parties(
    ctx: Context, sent: Sentence, verb: tuple[int, int], noun: Noun, passive: bool
) -> list[tuple[str, Evidence]]:
    """Parties: the verb's subject, "with/between ..." after the noun, orgs "signed by"."""
    text = ctx.text
    ents = _entities(ctx, sent.start, sent.end)
    found: list = []
    if not passive:
        found += _walk_back(ctx, ents, verb[0])
    m = _rx()["with"].match(text, noun.end, sent.end)
    if m and m.end() - noun.end < 80:
        found += _walk_fwd(ctx, ents, m.end())
    sb = _rx()["signed_by"].search(text, verb[0], sent.end)
    if sb:
        found += [t for t in _walk_fwd(ctx, ents, sb.end()) if t[2] == "org"]
    out: list[tuple[str, Evidence]] = []
    for s, e, kind, val in found:
        key = val if isinstance(val, str) and kind == "org" else None
        if key and key not in [k for k, _ in out]:
            out.append((key, _org_evidence(ctx, s, e, key, "party")))
    return out


def _org_evidence(ctx: Context, s: int, e: int, key: str, method: str) -> Evidence:
    """Evidence for an organisation mention; weaker when it is a bare head noun ("the Trust")."""
    if ctx.names.resolve(ctx.text[s:e]) == key:
        return evidence(ctx.text, s, e, method)
    name = ctx.names.orgs[key].name
    ctx.unsure.append(f"'the {ctx.text[s:e]}' ({method}) taken to be {name}")
    return evidence(ctx.text, s, e, f"{method}-definite-reference", 0.75)


def signing_cue(text: str, sent: Sentence) -> bool:
    """Whether a sentence states a signing or witnessing without an agreement noun."""
    rx = _rx()
    return any(
        rx[k].search(text, sent.start, sent.end) for k in ("signed_by", "witness", "witnessed")
    ) or bool(
        re.search(r"\bsigned\b", text[sent.start : sent.end])
        and rx["behalf_by"].search(text, sent.start, sent.end)
    )


def _signing(
    ctx: Context, a: Agreement, sent: Sentence, event: tuple[tuple[int, int], Noun, bool] | None
) -> None:
    """Signatories ("signed by A and B", "A and B signed") and witnesses ("witnessed by")."""
    text = ctx.text
    rx = _rx()
    ents = _entities(ctx, sent.start, sent.end)
    wit_lo = wit_hi = -1
    w = rx["witness"].search(text, sent.start, sent.end)
    if w:
        wit_lo = w.end()
        stops = [n.start for n in nouns(text, w.end(), sent.end)]
        sb = rx["signed_by"].search(text, w.end(), sent.end)
        wit_hi = min(stops + ([sb.start()] if sb else []) + [sent.end])
        for s, _e, kind, pm in ents:
            if kind == "person" and wit_lo <= s < wit_hi:
                _add_witness(ctx, a, pm)
    signers: list[PersonMention] = []
    sb = rx["signed_by"].search(text, sent.start, sent.end)
    if sb:
        hi = wit_lo if wit_lo > sb.end() else sent.end
        signers += [pm for s, e, kind, pm in ents if kind == "person" and sb.end() <= s < hi]
    if event and not event[2]:
        verb = event[0]
        signers += [t[3] for t in _walk_back(ctx, ents, verb[0]) if t[2] == "person"]
    # "X, Y and Z witnessed the signing"
    wd = rx["witnessed"].search(text, sent.start, sent.end)
    if wd:
        for t in _walk_back(ctx, ents, wd.start()):
            if t[2] == "person" and isinstance(t[3], PersonMention):
                _add_witness(ctx, a, t[3])
    behalf_of: dict[int, str] = {}
    # "signed on behalf of the Trust by its Chief Executive, Dame P. H."
    for m in rx["behalf_by"].finditer(text, sent.start, sent.end):
        org = next((t for t in ents if t[0] == m.end() and t[2] == "org"), None)
        by = (
            re.compile(r"\s+by\s+(?:(?:the|its|their|his|her)\s+)?").match(text, org[1], sent.end)
            if org
            else None
        )
        pm = next((t[3] for t in ents if by and t[0] == by.end() and t[2] == "person"), None)
        if org and isinstance(pm, PersonMention) and isinstance(org[3], str):
            behalf_of[pm.start] = org[3]
            if pm not in signers:
                signers.append(pm)
            if org[3] not in a.parties:
                a.parties.append(org[3])
                a.party_evidence[org[3]] = _org_evidence(ctx, org[0], org[1], org[3], "party")
    for pm in signers:
        if wit_lo <= pm.start < wit_hi:
            continue
        behalf = behalf_of.get(pm.start)
        m = rx["behalf"].match(text, pm.ext_end, sent.end)
        if m and behalf is None:
            nxt = [t for t in ents if t[0] >= m.end() and t[2] == "org"]
            if nxt and nxt[0][0] == m.end():
                behalf = nxt[0][3]
        _add_signatory(ctx, a, pm, behalf)


def _add_signatory(ctx: Context, a: Agreement, pm: PersonMention, behalf: object) -> None:
    ev = evidence(ctx.text, pm.ext_start, pm.ext_end, "signed-by", 0.7 if pm.bare else 1.0)
    for s in a.signatories:
        if s.person == pm.key:
            s.role = s.role or pm.title
            s.organisation = s.organisation or pm.org
            s.on_behalf_of = s.on_behalf_of or (behalf if isinstance(behalf, str) else None)
            if ev not in s.evidence:
                s.evidence.append(ev)
            return
    a.signatories.append(
        Signatory(pm.key, pm.title, pm.org, behalf if isinstance(behalf, str) else None, [ev])
    )


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


def _date(ctx: Context, sent: Sentence, verb: tuple[int, int]) -> date | None:
    text = ctx.text
    found = [
        d
        for d in parse_dates(text[sent.start : sent.end], ctx.ref, sent.start)
        if not re.search(
            r"\b(?:until|till|through|to|expir\w*|end\w*)\s+(?:on\s+)?$",
            text[max(0, d[1] - 15) : d[1]],
            re.I,
        )
    ]
    if not found:
        return None
    return min(found, key=lambda d: min(abs(d[1] - verb[1]), abs(d[2] - verb[0])))[0]


def _place(ctx: Context, sent: Sentence, verb: tuple[int, int]) -> str | None:
    m = re.compile(r"[^.;]{0,60}?\bin\s+(?!the\b)([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\b").match(
        ctx.text, verb[1], sent.end
    )
    if m and not ctx.names.resolve(m.group(1)) and not parse_dates(m.group(1), None):
        return m.group(1)
    return None


def _refs(ctx: Context, agreements: list[Agreement], sent: Sentence) -> list[Agreement]:
    """The agreements a sentence refers to by an agreement noun."""
    out: list[Agreement] = []
    for n in nouns(ctx.text, sent.start, sent.end, ctx.place):
        if n.weak:
            continue
        if n.title:
            hit = [a for a in agreements if a.title and slug(a.title) == slug(n.title)]
        elif n.type == "agreement" and (n.plural or n.count > 1):
            hit = list(agreements)
        else:
            hit = [a for a in agreements if a.type == n.type or n.type == "agreement"]
            if len(hit) > 1:
                hit = []
        out += [a for a in hit if a not in out]
    return out


def _terms(ctx: Context, agreements: list[Agreement]) -> None:
    """Durations: in the agreement's own sentences first, then sentences that refer to it."""
    text = ctx.text
    for kind in ("body", "highlights"):
        for sent in ctx.sents:
            if sent.kind != kind:
                continue
            refs = [a for a in agreements if any(ev.start == sent.start for ev in a.evidence)]
            refs += _refs(ctx, agreements, sent)
            for a in refs:
                if a.duration is None:
                    found = find_duration(text[sent.start : sent.end], sent.start)
                    if found:
                        a.duration = found[0]
                        a.evidence.append(evidence(text, found[1], found[2], "duration"))


def _areas(ctx: Context, agreements: list[Agreement]) -> None:
    """Areas from enumerations "(i) a; (ii) b", bullet lists after a colon, and prose lists
    "covering areas such as X, Y and Z"."""
    if not agreements:
        return
    text = ctx.text
    current = agreements[0]
    for sent in ctx.sents:
        if sent.kind != "body":
            continue
        refs = _refs(ctx, agreements, sent)
        mine = [a for a in agreements if any(ev.start == sent.start for ev in a.evidence)]
        current = (mine or refs or [current])[-1]
        targets = refs or [current]
        items = _enumerated(text, sent) or _bulleted(text, sent) or _prose(text, sent)
        if not items:
            continue
        head = text[sent.start : items[0][0]]
        groups = re.findall(rf"(?:\b([a-z]+)\s+)?\b({_AREA_NOUN})\b", head)
        group = None
        if groups:
            adj, noun = groups[-1]
            skip = {"the", "following", "these", "such", "other", "of", "in", "and", "key", "main"}
            group = (
                f"{adj} {noun}"
                if adj and (adj not in skip or adj == "key") and not number(adj)
                else noun
            )
        elif not refs and not re.search(r"focus|cover|include|explore", head, re.I):
            continue
        for s, e in items:
            label = norm(text[s:e])
            label = re.sub(r"^(?:the|and|or)\s+", "", label).strip(" .,;")
            if not label or len(label.split()) > 10:
                continue
            for a in targets:
                if slug(label) not in {slug(x.label) for x in a.areas}:
                    a.areas.append(Area(label, group, [evidence(text, s, e, "area-list")]))


def _enumerated(text: str, sent: Sentence) -> list[tuple[int, int]]:
    marks = list(_rx()["enum"].finditer(text, sent.start, sent.end))
    if len(marks) < 2:
        return []
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else sent.end
        chunk = text[m.end() : end]
        cut = re.search(r"[;.]|,\s+(?:which|where|with|while)\b|,?\s+(?:and|or)\s*$", chunk)
        if i + 1 == len(marks):
            cut = re.search(r"[;.]|,\s+(?:which|where|with|while)\b|$", chunk)
        stop = m.end() + (cut.start() if cut else len(chunk))
        out.append((m.end(), stop))
    return out


def _bulleted(text: str, sent: Sentence) -> list[tuple[int, int]]:
    if ":" not in text[sent.start : sent.end]:
        return []
    colon = text.index(":", sent.start)
    hi = sent.end
    if not text[colon + 1 : sent.end].strip():
        # the list is the block of bullet lines right after the heading sentence
        block = re.compile(
            r"(?:\s*\n[ \t]*(?:[-\u2022*\u2013\u00b7]|\d{1,2}[.)]|\([a-z0-9]+\)|[a-z][.)])"
            r"[ \t]+[^\n]*)+"
        )
        m = block.match(text, sent.end)
        hi = m.end() if m else sent.end
    out = []
    for m in _rx()["bullet"].finditer(text, colon, hi):
        item = m.group(1)
        cut = re.search(r"\s[\u2013\u2014-]\s|:|;|\.$|,?\s+and$", item)
        e = m.start(1) + (cut.start() if cut else len(item))
        out.append((m.start(1), e))
    return out if len(out) >= 2 else []


def _prose(text: str, sent: Sentence) -> list[tuple[int, int]]:
    m = _rx()["prose"].search(text, sent.start, sent.end)
    if not m:
        return []
    end = _rx()["list_end"].search(text, m.end(), sent.end)
    hi = end.start() if end else sent.end
    return split_list(text, m.end(), hi)


def split_list(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Split "X, Y and Z" (or "X; Y; and Z") in ``text[lo:hi]`` into item spans."""
    sep = r";\s*(?:and\s+|or\s+)?" if ";" in text[lo:hi] else r",\s*(?:and\s+|or\s+)?"
    out = []
    pos = lo
    for m in re.finditer(sep, text[lo:hi]):
        out.append((pos, lo + m.start()))
        pos = lo + m.end()
    last = text[pos:hi]
    m = list(re.finditer(r"\s+(?:and|or)\s+", last))
    if m and (out or sep.startswith(",")):
        out.append((pos, pos + m[-1].start()))
        out.append((pos + m[-1].end(), hi))
    else:
        out.append((pos, hi))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _finish(ctx: Context, a: Agreement) -> None:
    """Order parties, fill the signing organisations, dates, place and the key."""
    text = ctx.text
    first = {}
    for s, _e, key in ctx.names.org_mentions(0, len(text)):
        first.setdefault(key, s)
    a.parties.sort(
        key=lambda k: (
            a.party_evidence[k].start if k in a.party_evidence else first.get(k, len(text))
        )
    )
    if not a.parties:
        for s in a.signatories:
            key = s.on_behalf_of or s.organisation
            if key and key not in a.parties:
                a.parties.append(key)
                a.party_evidence[key] = s.evidence[0]
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
    if a.date is None and a.status == "signed" and ctx.ref:
        a.date = ctx.ref
        ctx.unsure.append(f"signing date of a {a.type} taken from the release date")
    a.place = a.place or ctx.place
    a.start_date = a.date if a.status == "signed" else None
    if a.start_date and a.duration:
        a.end_date = add_duration(a.start_date, a.duration)
    stem = f"{a.date.isoformat() if a.date else 'undated'}-{a.type}-{'-'.join(sorted(a.parties))}"
    a.key = slug(stem + (f"-{a.title}" if a.title else ""))
