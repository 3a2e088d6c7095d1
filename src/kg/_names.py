"""Organisations, people and the posts they hold, found from the text's own cues.

Cues, never name lists: acronym definitions ("Department of Health (DH)"), acronym variants
("ACMEC" beside "ACME"), organisation head nouns ("... Authority", "... University"),
honorific + name ("Dr Jane Doe"), appositive titles on either side of a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from ._text import Sentence, evidence, norm
from .facts import Evidence, Organisation, Person, slug


def _words(text: str) -> frozenset[str]:
    """A word list written as one string (rules as data)."""
    return frozenset(text.split())


#: words that make a capitalised phrase an organisation's name
ORG_NOUNS = _words(
    """
    Corporation Company Council Department Authority Hospital Hospitals University Institute
    Institution Bureau Commission Board Agency Centre Center Foundation Trust Society
    Association College Ltd Limited Inc Incorporated plc PLC LLP Group Office Ministry
    School Academy Laboratory Laboratories Alliance Federation Fund Bank Administration
    Consortium Organisation Organization Clinic Clinics Polytechnic Service Services Network
    Partners Pte Corp Holdings Pharmaceuticals Therapeutics Biotech Technologies Cluster
    Government Directorate Secretariat Unit Registry Council Commission Hub Institutes
    Relations Communications
    """
)
#: legal-form suffixes: a comma before them still ends a title ("CEO, Acme Ltd")
_LEGAL = _words(
    """
    Ltd Limited Inc plc PLC LLP Pte Corp Corporation Company
    """
)
#: words that make a capitalised phrase a post's title
ROLE_NOUNS = _words(
    """
    Chairman Chairperson Chairwoman Chair Chief Executive Director Secretary President Head
    Officer Manager Professor Dean Minister Commissioner Controller Principal Vice Deputy
    Founder CEO COO CFO CTO CMO CIO CSO Partner Lead Leader Consultant Governor Provost
    Registrar Superintendent Adviser Advisor Ambassador Mayor Member Trustee Convenor
    Treasurer Permanent Undersecretary Counsellor Consul Administrator Coordinator Co-ordinator
    Chancellor Vice-Chancellor Vice-President Co-founder Surgeon Physician Senior
    Acting Assistant
    """
)
_CONN = frozenset({"of", "and", "for", "the", "&", "de", "in", "on"})
#: capitalised words that start sentences but never names
FUNCTION_WORDS = _words(
    """
    The A An This That These Those In On At By With Through For From To As Both Today
    Yesterday Under Meanwhile Also And But Speaking Witnessed Photo About During After
    Before Following Our We Its Their His Her If When While More Further Its It He She They
    Mr Ms Dr Mrs Page Tel Email Fax Media Contact Contacts Press Release For Immediate Under
    Also Between Among Each Since Some All Such Other Following Last Next
    """
)
#: tokens that end a name ("Dr Tan On Monday" is rare; "Mr Ray The" is a sentence break)
_NAME_STOP = _words(
    """
    The A An And But In On At By With For From As Today Yesterday Photo Page Tel Email
    """
)
_MONTH_WORDS = _words(
    """
    January February March April May June July August September October November December
    """
)
_POSTNOMINALS = (
    "JP|SBS|BBS|MH|GBS|GBM|OBE|MBE|CBE|KBE|DBE|PhD|MD|FRCP|FRCS|FHKAM|OStJ|SC|KC|QC|BH|PDSM"
)
_AGREEMENT_WORDS = re.compile(r"Memorandum|Agreement|Letter of Intent|Understanding", re.I)

#: one honorific; they stack ("Ir Professor", "Professor Sir", "Dr the Hon", "the Hon Mrs")
_HON_ONE = (
    r"(?:[Tt]he\s+Hon(?:ourable|\.)?|(?:Associate|Assistant|Adjunct|Clinical|Emeritus|Honorary)"
    r"\s+Professor|Professor|Prof\.?|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Sir|Dame|Ir|Mdm\.?|Madam"
    r"|Lord|Lady|Baroness|Baron)"
)
#: honorifics that may follow another one
_HON_NEXT = r"(?:the\s+Hon(?:ourable|\.)?|Sir|Dame|Dr\.?|Prof\.?|Professor|Mr\.?|Mrs\.?|Ms\.?)"
_HON = rf"(?:{_HON_ONE}(?:\s+{_HON_NEXT}(?=\s+[A-Z]))*)"
_TOK = r"(?:(?:Mc|Mac|O['\u2019])?[A-Z][a-z]+(?:[-'\u2019][A-Za-z][a-z]*)*|[A-Z]\.)"
_TOKEN = re.compile(r"[A-Za-z][\w&'\u2019.-]*[\w&]|[A-Za-z]|\S")


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    """The compiled patterns, built on first use."""
    word = r"[A-Z][A-Za-z0-9&'\u2019-]*"
    gap = r"[ \t]*\n?[ \t]*"
    return {
        "acr": re.compile(
            r"\(\s*(?:the\s+)?[\"\u201c]?(?P<acr>[A-Z][A-Za-z0-9&*.-]{1,11})[\"\u201d]?\s*\)"
        ),
        "caps": re.compile(r"(?<![\w&])[A-Z][A-Z&]{1,9}(?![\w&])"),
        "phrase": re.compile(
            rf"(?<![\w&'\u2019-]){word}(?:{gap}(?:(?:of|and|for|the|de|&){gap})*{word})*"
        ),
        "person": re.compile(
            rf"(?<![\w])(?P<hon>{_HON})\s+(?P<name>{_TOK}(?:[ \t]+{_TOK}){{0,3}})"
        ),
        "bare": re.compile(
            rf"(?<![\w&'\u2019.-])(?P<name>{_TOK}(?:[ \t]+{_TOK}){{1,2}}),"
            r"[ \t]+(?=(?:the[ \t]+)?[A-Z])"
        ),
        "skip": re.compile(
            rf"(?:\s*\([^()\n]{{0,40}}\))*(?:,\s*(?:{_POSTNOMINALS})\b)*(?:\s*\([^()\n]{{0,40}}\))*"
        ),
        "hon_start": re.compile(rf"{_HON}\s+[A-Z]"),
    }


def _is_capword(tok: str) -> bool:
    return tok[:1].isupper()


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and w not in _CONN)


def _by_initials(short: str, long: str) -> int | None:
    """Start index in ``long`` of the last words whose initials spell ``short``."""
    want = re.sub(r"[^A-Z]", "", short.upper())
    words = list(re.finditer(r"\S+", long))
    for k in range(1, len(words) + 1):
        tail = words[-k:]
        got = "".join(w.group()[0] for w in tail if w.group() not in _CONN).upper()
        if got == want and tail[0].group()[0].isupper():
            return tail[0].start()
    return None


def _schwartz_hearst(short: str, long: str) -> int | None:
    """Start index in ``long`` of the shortest long form of ``short`` (Schwartz & Hearst 2003)."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    return long.rfind(" ", 0, i + 1) + 1


@dataclass
class PersonMention:
    """A name in the text, resolved to a person key, with the post stated beside it."""

    start: int  # of the honorific, when there is one
    end: int
    key: str
    ext_start: int = -1  # the mention with its appositive title
    ext_end: int = -1
    title: str | None = None
    org: str | None = None
    bare: bool = False


@dataclass
class Names:
    """The organisations and people of one release, with every mention of them."""

    text: str
    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    unsure: list[str] = field(default_factory=list)
    other_acronyms: set[str] = field(default_factory=set)
    _aliases: dict[str, str] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)
    _org_conf: dict[str, float] = field(default_factory=dict)
    persons: list[PersonMention] = field(default_factory=list)
    title_spans: list[tuple[int, int]] = field(default_factory=list)

    # -- organisations --------------------------------------------------------------------

    def add_org(self, name: str, ev: Evidence) -> str:
        """Register an organisation (or add evidence to it) and return its key."""
        name = norm(name)
        name = re.sub(r"^[Tt]he\s+", "", name)
        key = self.resolve(name) or slug(name)
        org = self.orgs.get(key)
        if org is None:
            org = self.orgs[key] = Organisation(key, name)
            self._names[name.lower()] = key
        if len(org.evidence) < 3 and ev not in org.evidence:
            org.evidence.append(ev)
        return key

    def add_alias(self, key: str, alias: str, ev: Evidence) -> None:
        """Record ``alias`` for the organisation ``key``."""
        org = self.orgs[key]
        if alias not in org.aliases and alias != org.name:
            org.aliases.append(alias)
            org.alias_evidence[alias] = ev
        self._aliases.setdefault(alias, key)

    def resolve(self, phrase: str) -> str | None:
        """The key of a known organisation named or aliased by ``phrase``."""
        p = re.sub(r"^(?:[Tt]he)\s+", "", norm(phrase))
        p = re.sub(r"['\u2019]s?$", "", p)
        if p in self._aliases:
            return self._aliases[p]
        if p.lower() in self._names:
            return self._names[p.lower()]
        return slug(p) if slug(p) in self.orgs else None

    def org_phrase(self, phrase: str) -> bool:
        """Whether a capitalised phrase looks like an organisation's name."""
        words = norm(phrase).split()
        if not words or not _is_capword(words[0]) or _AGREEMENT_WORDS.search(phrase):
            return False
        if any(not _is_capword(w) and w not in _CONN for w in words):
            return False
        if any(w in ROLE_NOUNS for w in words):
            return False
        heads = [i for i, w in enumerate(words) if w.rstrip(".,") in ORG_NOUNS]
        if not heads:
            return False
        # "Government" alone, "Office" alone: too vague
        return len(words) >= 2

    def resolve_or_add(self, phrase: str, start: int, end: int, conf: float = 0.9) -> str | None:
        """Resolve ``phrase`` (``text[start:end]``) or register it when it names an organisation."""
        key = self.resolve(phrase)
        if key:
            return key
        if self.org_phrase(re.sub(r"^[Tt]he\s+", "", norm(phrase))):
            ev = evidence(self.text, start, end, "org-noun", conf)
            return self.add_org(ev.text, ev)
        return None

    def find_acronyms(self, spans: list[tuple[int, int]]) -> None:
        """Acronym definitions "Full Name (ACR)" in the given ranges."""
        rx = _rx()
        for lo, hi in spans:
            for m in rx["acr"].finditer(self.text, lo, hi):
                acr = m.group("acr").rstrip(".")
                if sum(c.isupper() for c in acr) < 2:
                    if re.search(r"[\"\u201c]", m.group()):
                        self._short_name(acr, lo, m)
                    continue
                win_lo = max(lo, self.text.rfind("\n\n", lo, m.start()) + 1, m.start() - 160)
                window = self.text[win_lo : m.start()].rstrip()
                words = list(re.finditer(r"\S+", window))[-(len(acr) + 5) :]
                if not words:
                    continue
                base = win_lo + words[0].start()
                long = self.text[base : win_lo + len(window)]
                at = _by_initials(acr, long)
                if at is None:
                    at = _schwartz_hearst(acr, long.replace("\n", " "))
                if at is None:
                    self.other_acronyms.add(acr)
                    continue
                name = long[at:]
                if re.match(r"(?:[Tt]he)\s", name):
                    name = name[4:]
                start = base + at + (len(long[at:]) - len(name))
                if not self.org_phrase(name):
                    self.other_acronyms.add(acr)
                    continue
                ev = evidence(self.text, start, m.end(), "acronym-definition")
                key = self.add_org(name, ev)
                self.add_alias(key, acr, ev)

    def _short_name(self, short: str, lo: int, m: re.Match[str]) -> None:
        """A quoted short name: ``Meridian Diagnostics Pte Ltd ("Meridian")``.

        The long form is the organisation-like phrase just before it that starts with the
        short name's first word.
        """
        win_lo = max(lo, m.start() - 160)
        window = self.text[win_lo : m.start()].rstrip()
        at = window.rfind(short.split()[0])
        if at < 0 or (at > 0 and window[at - 1].isalnum()):
            return
        name = window[at:]
        if not self.org_phrase(name) or len(name) <= len(short):
            return
        ev = evidence(self.text, win_lo + at, m.end(), "short-name-definition", 0.9)
        self.add_alias(self.add_org(name, ev), short, ev)

    def find_variants(self, spans: list[tuple[int, int]]) -> None:
        """Undefined all-capital tokens that are a known acronym plus a letter, or initials."""
        rx = _rx()
        for lo, hi in spans:
            for m in rx["caps"].finditer(self.text, lo, hi):
                tok = m.group()
                if tok in self._aliases or tok in self.other_acronyms:
                    continue
                ev = evidence(self.text, m.start(), m.end(), "acronym-variant", 0.85)
                for key, org in list(self.orgs.items()):
                    last = org.name.split()[-1]
                    if (tok[:-1] in org.aliases and last[0] == tok[-1]) or (
                        len(tok) >= 2 and _initials(org.name) == tok
                    ):
                        self.add_alias(key, tok, ev)
                        break

    def find_org_phrases(self, spans: list[tuple[int, int]]) -> None:
        """Capitalised phrases with an organisation head noun, outside post titles."""
        for lo, hi in spans:
            for m in _rx()["phrase"].finditer(self.text, lo, hi):
                if any(a < m.end() and m.start() < b for a, b in self.title_spans):
                    continue
                for start, end in _org_parts(self.text, m.start(), m.end()):
                    self.resolve_or_add(self.text[start:end], start, end, 0.85)

    def org_mentions(self, lo: int, hi: int, *, heads: bool = False) -> list[tuple[int, int, str]]:
        """Every mention of a known organisation in ``text[lo:hi]`` as ``(start, end, key)``.

        :param heads: also definite references by head noun ("the Trust", "the hospital")
            to the one organisation whose name holds that noun (see :meth:`head_refs`)
        """
        rx, head_rx = self._mention_re()
        out = []
        for m in rx.finditer(self.text, lo, hi):
            key = self.resolve(m.group())
            if key:
                out.append((m.start(), m.end(), key))
        if heads:
            refs = self.head_refs()
            for m in head_rx.finditer(self.text, lo, hi):
                key = refs.get(m.group().lower())
                if key and not any(s <= m.start() < e for s, e, _ in out):
                    out.append((m.start(), m.end(), key))
            out.sort()
        return out

    def head_refs(self) -> dict[str, str]:
        """Head noun (lower case) -> key, for nouns that only one organisation's name holds."""
        seen: dict[str, set[str]] = {}
        for org in self.orgs.values():
            core = re.split(r"\s+(?:of|for|in|on|at)\s+", org.name)[0].split()
            heads = [w for w in core if w in ORG_NOUNS and w not in _LEGAL]
            if heads:
                seen.setdefault(heads[-1].lower(), set()).add(org.key)
        return {w: next(iter(keys)) for w, keys in seen.items() if len(keys) == 1}

    def _mention_re(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        names = tuple(sorted({o.name for o in self.orgs.values()} | set(self._aliases)))
        return _mention_patterns(names, tuple(sorted(self.head_refs())))

    # -- people ---------------------------------------------------------------------------

    def find_people(self, spans: list[tuple[int, int]], sents: list[Sentence]) -> None:
        """Honorific + name mentions (and bare names before an appositive title)."""
        raw: list[tuple[int, int, str, list[str], bool]] = []
        rx = _rx()
        for lo, hi in spans:
            for m in rx["person"].finditer(self.text, lo, hi):
                toks = m.group("name").split()
                while toks and (
                    toks[-1] in _NAME_STOP
                    or toks[-1] in ROLE_NOUNS
                    or toks[-1] in ORG_NOUNS
                    or toks[-1] in _MONTH_WORDS
                ):
                    toks.pop()
                if not toks:
                    continue
                end = m.start("name") + _span_of(m.group("name"), toks)
                hon = norm(m.group("hon"))
                raw.append((m.start(), end, hon, toks, False))
            for m in rx["bare"].finditer(self.text, lo, hi):
                toks = m.group("name").split()
                prev = self.text[max(lo, m.start() - 30) : m.start()].split()[-1:]
                if (
                    prev
                    and prev[0][:1].isupper()
                    and not prev[0].endswith((",", ";", ":", ".", "!", "?", '"'))
                ):
                    continue  # inside a longer capitalised phrase
                if any(
                    t in FUNCTION_WORDS
                    or t in ROLE_NOUNS
                    or t in ORG_NOUNS
                    or t in _MONTH_WORDS
                    or t in self._aliases
                    for t in toks
                ):
                    continue
                if any(a <= m.start() < b for a, b, *_ in raw):
                    continue
                title, *_ = self._right_title(m.end("name"), hi) or (None,)
                if title:
                    raw.append((m.start(), m.end("name"), "", toks, True))
        raw.sort()
        full: dict[str, list[str]] = {}
        for _, _, _, toks, _ in raw:
            if len(toks) >= 2:
                key = self._match_full(full, toks) or slug(" ".join(toks))
                full.setdefault(key, toks)
        for start, end, hon, toks, bare in raw:
            key = self._match_full(full, toks)
            conf = 0.7 if bare else 1.0
            if key is None:
                cands = [k for k, ft in full.items() if set(toks) <= set(ft)]
                if len(cands) == 1:
                    key = cands[0]
                elif cands:
                    key = self._nearest(cands, start, hon)
                else:
                    key = slug(" ".join(toks))
                    full[key] = toks
                    conf = 0.6
                    self.unsure.append(f"person known only as {hon} {' '.join(toks)}".strip())
            person = self.people.get(key)
            if person is None:
                person = self.people[key] = Person(key, " ".join(full[key]), hon or None)
            ev = evidence(self.text, start, end, "bare-name" if bare else "honorific-name", conf)
            if len(person.evidence) < 4:
                person.evidence.append(ev)
            self.persons.append(PersonMention(start, end, key, bare=bare))
        self._roles(sents)

    def _match_full(self, full: dict[str, list[str]], toks: list[str]) -> str | None:
        for key, ft in full.items():
            if len(toks) >= 2 and (toks == ft or set(toks) <= set(ft) or set(ft) <= set(toks)):
                return key
        return None

    def _nearest(self, cands: list[str], at: int, hon: str) -> str:
        best = [p for p in self.persons if p.key in cands and p.start < at]
        same = [p for p in best if self.people[p.key].honorific == hon]
        pick = (same or best)[-1:] or []
        return pick[0].key if pick else cands[0]

    # -- posts ----------------------------------------------------------------------------

    def _roles(self, sents: list[Sentence]) -> None:
        """The title beside each person mention: before ("the Director of Health, Dr X")
        or after ("Mr X, Chairman of Y")."""
        ordered = sorted(self.persons, key=lambda p: p.start)
        for i, pm in enumerate(ordered):
            sent = next((s for s in sents if s.start <= pm.start < s.end), None)
            lo = sent.start if sent else max(0, pm.start - 300)
            hi = sent.end if sent else min(len(self.text), pm.end + 300)
            prev_end = max([p.end for p in ordered[:i] if p.end <= pm.start] + [lo])
            nxt = [p.start for p in ordered[i + 1 :] if p.start >= pm.end]
            stop = min([hi, *nxt])
            pm.ext_start, pm.ext_end = pm.start, pm.end
            left = self._left_title(max(lo, prev_end), pm.start)
            if left:
                title, t0, t1 = left
                pm.ext_start = t0
            else:
                right = self._right_title(pm.end, stop)
                if not right:
                    continue
                title, t0, t1 = right
                pm.ext_end = t1
            pm.title, pm.org, org_span = self.split_title(title, t0)
            self.title_spans.append((t0, org_span[0] if org_span else t1))

    def _left_title(self, lo: int, at: int) -> tuple[str, int, int] | None:
        seg = self.text[lo:at]
        m = re.search(r",\s*$", seg)
        if not m:
            return None
        end = lo + m.start()
        toks = list(_TOKEN.finditer(self.text, lo, end))
        start = end
        for t in reversed(toks):
            w = t.group()
            if w in (",", "(", ")") or w in _CONN or w == "at" or _is_capword(w):
                start = t.start()
            else:
                break
        while self.text.count("(", start, end) != self.text.count(")", start, end):
            start = self.text.index(")", start, end) + 1  # "(left), the Director ..." cut
        span = self.text[start:end]
        cut = list(re.finditer(r",\s+(?:and\s+)?(?=the\s)", span))
        if cut:
            start += cut[-1].end()
        while True:
            m2 = re.match(
                r"(?:,|and|the|The|of|for|&)\s+|(?:[A-Z]\w*)\s+(?=the\s)", self.text[start:end]
            )
            if not m2 or m2.end() >= end - start:
                break
            start += m2.end()
        return self._checked(start, end)

    def _right_title(self, at: int, hi: int) -> tuple[str, int, int] | None:
        m = _rx()["skip"].match(self.text, at, hi)
        pos = m.end() if m else at
        m = re.compile(r",\s+").match(self.text, pos, hi)
        if not m:
            return None
        start = m.end()
        end = start
        for t in _TOKEN.finditer(self.text, start, hi):
            w = t.group()
            if _rx()["hon_start"].match(self.text, t.start(), hi):
                break
            if w in (",", "(", ")") or w in _CONN or w == "at" or _is_capword(w):
                end = t.end()
            else:
                break
        while self.text.count("(", start, end) != self.text.count(")", start, end):
            end = self.text.rindex("(", start, end)  # "Director (front row, right)"
        span = self.text[start:end]
        if re.match(r"and\b", span):
            return None
        span = re.split(r",?\s+and\s+(?=the\s)|,\s+(?=the\s)|,\s+and\s", span)[0]
        end = start + len(span)
        if self.text.startswith("the ", start):
            start += 4
        while end > start:
            m2 = re.search(r"(?:,|\s(?:and|the|of|for|&))\s*$", self.text[start:end])
            if not m2:
                break
            end = start + m2.start()
        return self._checked(start, end)

    def _checked(self, start: int, end: int) -> tuple[str, int, int] | None:
        title = self.text[start:end].strip(" ,")
        words = set(re.findall(r"[A-Za-z][\w-]*", title))
        words |= {part for w in words for part in w.split("-")}
        if not title or not words & ROLE_NOUNS or not _is_capword(title):
            return None
        if len(title) > 120 or _rx()["hon_start"].search(title):
            return None
        return title, start, end

    def split_title(self, title: str, at: int) -> tuple[str, str | None, tuple[int, int] | None]:
        """Split "Chief Executive Officer of the ACME" into the post and the organisation.

        Tried in order: "... of/at (the) ORG", "..., ORG", "ORG ..." (role-first, as in
        "the XA Chairman"). A title that names no organisation keeps it all.
        """
        cuts = [m for m in re.finditer(r"\s+(?:of|at)\s+(?:the\s+)?", title) if m.start() > 0]
        # a known organisation wins, however far along the chain it is ("Deputy Director
        # General of the X Office of the NCHT"); else the first organisation-like rest,
        # skipping a rest that lists places ("Hong Kong, Macao and Taiwan Office of ...")
        for m in cuts:
            key = self.resolve(title[m.end() :])
            if key:
                return norm(title[: m.start()]), key, (at + m.end(), at + len(title))
        for m in cuts:
            rest = title[m.end() :]
            if ", " in rest and rest.split()[-1].rstrip(".") not in _LEGAL:
                continue
            key = self.resolve_or_add(rest, at + m.end(), at + len(title))
            if key:
                return norm(title[: m.start()]), key, (at + m.end(), at + len(title))
        for m in re.finditer(r",\s+(?:the\s+)?", title):
            rest = title[m.end() :]
            key = self.resolve(rest)
            words = rest.split()
            if not key and words and words[-1].rstrip(".") in _LEGAL and self.org_phrase(rest):
                key = self.resolve_or_add(rest, at + m.end(), at + len(title))
            if key:
                return norm(title[: m.start()]), key, (at + m.end(), at + len(title))
        words = list(re.finditer(r"\S+", title))
        for i in range(len(words) - 1, 0, -1):
            head = title[: words[i - 1].end()]
            key = self.resolve(head)
            if key:
                rest = title[words[i].start() :]
                if set(rest.split()) & ROLE_NOUNS:
                    return norm(rest), key, (at, at + len(head))
        return norm(title), None, None


@lru_cache(maxsize=64)
def _mention_patterns(
    names: tuple[str, ...], heads: tuple[str, ...]
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns of organisation names and aliases, and of definite head-noun references."""
    alts = sorted(names, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, a.split())) for a in alts) or r"(?!x)x"
    head = "|".join(f"[{h[0].upper()}{h[0]}]{re.escape(h[1:])}" for h in heads) or r"(?!x)x"
    return (
        re.compile(rf"(?<![\w&])(?:{body})(?![\w&])"),
        re.compile(rf"(?<=\b[Tt]he\s)(?:{head})(?![\w&'\u2019-])(?!\s+[A-Z])"),
    )


def _span_of(text: str, toks: list[str]) -> int:
    """Length of the prefix of ``text`` that holds ``toks``."""
    pos = 0
    for t in toks:
        pos = text.index(t, pos) + len(t)
    return pos


def _org_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a capitalised phrase into organisation-name candidates.

    Drops leading function words and a leading post ("Chairman of the ..."), and splits
    "A Hospital and B University" in two.
    """
    phrase = text[start:end]
    words = list(re.finditer(r"[^\s]+", phrase))
    i = 0
    while i < len(words) and (words[i].group() in FUNCTION_WORDS or words[i].group() in _CONN):
        i += 1
    for j, w in enumerate(words):
        if w.group() in ROLE_NOUNS:
            i = max(i, j + 1)
    while i < len(words) and words[i].group() in _CONN:
        i += 1
    if i >= len(words):
        return []
    s = start + words[i].start()
    e = end
    if text[e - 2 : e] in ("'s", "\u2019s"):
        e -= 2
    parts = []
    for m2 in re.finditer(r"\s+(?:and|&)\s+", text[s:e]):
        left = text[s : s + m2.start()].split()
        right = text[s + m2.end() : e].split()
        if left and left[-1] in ORG_NOUNS and right:
            parts.append((s, s + m2.start()))
            s = s + m2.end()
    parts.append((s, e))
    return parts
