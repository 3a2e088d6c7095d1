"""When and for how long: the signing date and place, the term and its end.

Dates come from the sentence that states the agreement (explicit dates in any common format,
"today (May 9)", "yesterday (January 17)" resolved with the dateline or the sidecar);
terms from the agreement's own sentences or those that refer to it ("five-year",
"(2024-2029)", "for a period of two years", "until 31 December 2027").
"""

from __future__ import annotations

import re
from datetime import date

from ._dates import find_duration, find_end, parse_dates
from ._nouns import Context, refs
from ._text import Sentence, evidence
from .facts import Agreement, Evidence

#: just before an end date ("until", "expiring on")
_END_CUE = re.compile(r"\b(?:until|till|through|to|expir\w*|end\w*)\s+(?:on\s+)?$", re.I)
#: a place after the status verb ("signed ... in Haikou")
_PLACE_AFTER = re.compile(r"[^.;]{0,60}?\bin\s+(?!the\b)([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\b")


def signing_date(
    ctx: Context, sent: Sentence, verb: tuple[int, int]
) -> tuple[date, Evidence] | None:
    """The date in ``sent`` nearest the status verb (not an end date), with its span."""
    text = ctx.text
    found = [
        d
        for d in parse_dates(text[sent.start : sent.end], ctx.ref, sent.start)
        if not _END_CUE.search(text[max(0, d[1] - 15) : d[1]])
    ]
    if not found:
        return None
    day, start, end = min(found, key=lambda d: min(abs(d[1] - verb[1]), abs(d[2] - verb[0])))
    return day, evidence(text, start, end, "signing-date")


def signing_place(ctx: Context, sent: Sentence, verb: tuple[int, int]) -> str | None:
    """The place after the status verb ("signed ... in Haikou"): not an organisation's name,
    unless that organisation is a place a post is held in ("Mayor of Leeds")."""
    m = _PLACE_AFTER.match(ctx.text, verb[1], sent.end)
    if not m or parse_dates(m.group(1), None):
        return None
    key = ctx.names.resolve(m.group(1))
    return m.group(1) if key is None or key in ctx.names.place_keys else None


def terms(ctx: Context, agreements: list[Agreement]) -> None:
    """Terms and end dates: in the agreement's own sentences first, then sentences that refer
    to it; for a release with one agreement, then a later sentence of the same or the next
    paragraph with no agreement noun ("The two sides will work together for a period of two
    years") -- a weaker rule, recorded as unsure."""
    for kind in ("body", "highlights"):
        for sent in ctx.sents:
            if sent.kind != kind:
                continue
            hits = [a for a in agreements if any(ev.start == sent.start for ev in a.evidence)]
            hits += refs(ctx, agreements, sent)
            for a in hits:
                _term(ctx, a, sent, "duration", 1.0)
    if len(agreements) != 1:
        return
    (a,) = agreements
    if a.duration or a.end_date:
        return
    own = [s for s in ctx.sents if any(ev.start == s.start for ev in a.evidence)]
    if not own:
        return
    first = own[0]
    for sent in ctx.sents:
        near = sent.kind == "body" and first.start < sent.start and sent.para <= first.para + 1
        if near and _term(ctx, a, sent, "duration-nearby", 0.7):
            what = a.duration or (a.end_date.isoformat() if a.end_date else "")
            ctx.unsure.append(f"term {what} of a {a.type} read from a nearby sentence")
            return


def _term(ctx: Context, a: Agreement, sent: Sentence, method: str, conf: float) -> bool:
    """Read a duration or an end date from ``sent`` into ``a``; whether one was found.

    The span stating a duration is the duration's evidence; the span stating an end date is,
    until a duration is stated, since the duration may be computed from it.
    """
    text = ctx.text
    got = False
    if a.duration is None:
        found = find_duration(text[sent.start : sent.end], sent.start)
        if found:
            a.duration = found[0]
            a.duration_evidence = evidence(text, found[1], found[2], method, conf)
            a.evidence.append(a.duration_evidence)
            got = True
    if a.end_date is None:
        end = find_end(text[sent.start : sent.end], sent.start)
        if end:
            a.end_date = end[0]
            stated = evidence(text, end[1], end[2], method.replace("duration", "end"), conf)
            a.evidence.append(stated)
            if a.duration is None:
                a.duration_evidence = stated
            got = True
    return got
