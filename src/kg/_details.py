"""Speakers and quotes, technologies, "About ..." facts and media contacts."""

from __future__ import annotations

import re
from functools import cache

from ._areas import split_list
from ._names import ORG_NOUNS, Names
from ._text import Sentence, Zone, evidence, norm
from .facts import Contact, OrgFact, Speaker, Technology, slug

_SPEECH = (
    r"\b(?:said|says|remarked|noted|added|stated|commented|explained|emphasi[sz]ed|highlighted"
    r"|stressed|pointed\s+out|spoke|concluded|(?:delivered|delivering|gave|giving)\s+(?:a|an|his|her"
    r"|the|their|opening|welcome|closing)\s+(?:\w+\s+)?(?:speech|remarks|address))\b"
)

_LEAD_WORD = re.compile(r"^(?:the|and|or)\s+")
#: the heading of an "About X" block
_ABOUT_HEAD = re.compile(r"\s*About\s+(?:the\s+)?([^\n]+)")
#: a bold line in a contacts block: "**Acme Press Office**"
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_LINE = re.compile(r"[^\n]+")
#: a contacts block's own heading: "Media Contacts", "Enquiries"
_CONTACTS_HEAD = re.compile(r"(?:Media|Press)?\s*(?:Contacts?|Enquiries|Inquiries)\b", re.I)
_DIGIT_OR_AT = re.compile(r"\d|@")


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    return {
        "speech": re.compile(_SPEECH, re.I),
        "said_before": re.compile(r"(?:\b(?:said|says|added|noted|explained)\s*)$"),
        "speaking": re.compile(r"\bSpeaking\b[^.;]{0,120},\s*$"),
        "quote": re.compile(r"[\"\u201c]([^\"\u201d]{8,}?)[\"\u201d]"),
        "tech": re.compile(
            r"\btechnolog(?:y|ies)\s*,?\s+(?:such\s+as|including|like|namely|e\.g\.,?)\s+", re.I
        ),
        "list_end": re.compile(
            r",\s+(?:which|where|that|with|while|to)\b|\s+(?:to|which|that|in\s+order)\s+|[.;:)]|$"
        ),
        "founded": re.compile(
            r"\b(?:[Ee]stablished|[Ff]ounded|[Ss]et\s+up|[Ii]ncorporated|[Ff]ormed|[Cc]reated)"
            r"\s+in\s+((?:18|19|20)\d\d)\b"
        ),
        "count": re.compile(
            r"(?:\b(?:over|more\s+than|nearly|almost|about|around|some|approximately)\s+)?"
            r"\b(\d{1,3}(?:,\d{3})+|\d+)\+?\s+((?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*s)\b"
        ),
        "site_cue": re.compile(
            r"\b(?:locations?|sites?|campus(?:es)?|premises|offices|located|based|headquartered)\b"
        ),
        "site": re.compile(
            r"\b((?:[A-Z][\w-]*\s+)*[A-Z][\w-]*)\s+in\s+((?:[A-Z][\w-]*\s+)*[A-Z][\w-]*)"
        ),
        "detail": re.compile(r"^(?P<k>Tel|Phone|Mobile|T|M|E-?mail|E)\s*[:.]\s*(?P<v>.+)$", re.I),
    }


def speakers(text: str, sents: list[Sentence], names: Names) -> list[Speaker]:
    """People who said, remarked, noted ... or delivered a speech; one per person, with the
    first quotation attributed to them."""
    rx = _rx()
    out: dict[str, Speaker] = {}
    persons = sorted(names.persons, key=lambda p: p.start)
    for sent in sents:
        if sent.kind not in ("body", "caption", "highlights"):
            continue
        here = [p for p in persons if sent.start <= p.start < sent.end]
        for i, pm in enumerate(here):
            nxt = here[i + 1].start if i + 1 < len(here) else sent.end
            after = text[pm.ext_end : min(nxt, pm.ext_end + 160)]
            before = text[sent.start : pm.ext_start]
            verb = rx["speech"].search(after)
            if not (verb or rx["said_before"].search(before) or rx["speaking"].search(before)):
                continue
            para = [s for s in sents if s.para == sent.para]
            p_end = max(s.end for s in para)
            q = rx["quote"].search(text, pm.end, p_end) or rx["quote"].search(
                text, sent.start, pm.start
            )
            end = max(sent.end, q.end()) if q and q.start() >= pm.end else sent.end
            conf = 1.0 if sent.kind == "body" else 0.9
            ev = evidence(text, sent.start, end, "speech-verb", conf)
            sp = out.get(pm.key)
            if sp is None:
                out[pm.key] = Speaker(pm.key, norm(q.group(1)) if q else None, [ev])
            else:
                if sp.quote is None and q:
                    sp.quote = norm(q.group(1))
                if ev not in sp.evidence:
                    sp.evidence.append(ev)
    return list(out.values())


def technologies(text: str, sents: list[Sentence]) -> list[Technology]:
    """Technologies listed after a cue: "technologies such as X, Y and Z"."""
    rx = _rx()
    out: dict[str, Technology] = {}
    for sent in sents:
        if sent.kind == "contacts":
            continue
        for m in rx["tech"].finditer(text, sent.start, sent.end):
            end = rx["list_end"].search(text, m.end(), sent.end)
            for s, e in split_list(text, m.end(), end.start() if end else sent.end):
                ev = evidence(text, s, e, "technology-list")
                label = _LEAD_WORD.sub("", norm(ev.text))
                if label and len(label.split()) <= 6:
                    tech = out.setdefault(slug(label), Technology(label))
                    tech.evidence.append(ev)
    return list(out.values())


def about_facts(text: str, zs: list[Zone], sents: list[Sentence], names: Names) -> list[OrgFact]:
    """Founding year, counts and sites stated in "About X" blocks."""
    rx = _rx()
    out: list[OrgFact] = []
    for z in zs:
        if z.kind != "about":
            continue
        key = names.resolve(z.heading) if z.heading else None
        if key is None:
            head = _ABOUT_HEAD.match(text[z.start : z.end])
            if head:
                s = z.start + head.start(1)
                key = names.resolve(head.group(1)) or names.add_org(
                    head.group(1).strip(),
                    evidence(text, s, s + len(head.group(1)), "about-heading", 0.8),
                )
        if key is None:
            continue
        for m in rx["founded"].finditer(text, z.start, z.end):
            out.append(
                OrgFact(key, "founded", m.group(1), [evidence(text, m.start(), m.end(), "founded")])
            )
        for m in rx["count"].finditer(text, z.start, z.end):
            noun = m.group(2)
            if noun.split()[-1] in ("years", "months", "days", "hours", "times", "minutes"):
                continue
            value = f"{m.group(1)} {noun}"
            out.append(OrgFact(key, "count", value, [evidence(text, m.start(), m.end(), "count")]))
        for sent in sents:
            if not (z.start <= sent.start < z.end) or not rx["site_cue"].search(
                text, sent.start, sent.end
            ):
                continue
            for m in rx["site"].finditer(text, sent.start, sent.end):
                value = norm(m.group())
                if names.resolve(m.group(1)) or m.group(1).split()[0] in ("Through", "Our", "The"):
                    continue
                out.append(
                    OrgFact(
                        key,
                        "location",
                        value,
                        [evidence(text, m.start(), m.end(), "location", 0.8)],
                    )
                )
    return out


def contacts(text: str, zs: list[Zone], names: Names) -> list[Contact]:
    """Media contacts: organisation lines (bold or with a head noun), then names under them."""
    rx = _rx()
    out: list[Contact] = []
    for z in zs:
        if z.kind != "contacts":
            continue
        items: list[tuple[int, int, bool]] = []
        bold = [(m.start(1), m.end(1)) for m in _BOLD.finditer(text[z.start : z.end])]
        bold = [(z.start + s, z.start + e) for s, e in bold]
        items += [(s, e, True) for s, e in bold]
        for m in _LINE.finditer(text[z.start : z.end]):
            s, e = z.start + m.start(), z.start + m.end()
            if m.group().strip() and not any(bs - 2 <= s < be + 2 for bs, be in bold):
                items.append((s, e, False))
        items.sort()
        org: str | None = None
        last: Contact | None = None
        for s, e, is_bold in items:
            line = norm(text[s:e])
            if _CONTACTS_HEAD.match(line):
                continue
            d = rx["detail"].match(line)
            if d:
                if last is not None:
                    if d.group("k").lower().startswith("e"):
                        last.email = last.email or d.group("v").strip()
                    else:
                        last.phone = last.phone or d.group("v").strip()
                continue
            words = line.split()
            ev = evidence(text, s, e, "contact")
            if is_bold or any(w in ORG_NOUNS for w in words) or names.resolve(line):
                org = names.resolve(line) or names.add_org(
                    line, evidence(text, s, e, "contact-org", 0.8)
                )
            elif (
                2 <= len(words) <= 4
                and all(w[:1].isupper() for w in words)
                and not _DIGIT_OR_AT.search(line)
            ):
                last = Contact(line, org, evidence=[ev])
                out.append(last)
    return out
