"""Synthetic press-release corpora for the benchmarks: deterministic, varied, with recurring
organisations and people.

A corpus is a directory of ``<key>.txt`` releases, each with a ``<key>.meta.json`` sidecar,
and a ``_manifest.json`` describing what was generated (the seed, the sizes, the most
frequent organisations). Everything follows from ``seed``: the same seed and size give the
same bytes, and release ``i`` does not depend on how many releases come after it.

The world behind the corpus:

- organisations with full names, acronyms, founding years, sites and staff counts; which
  organisation takes part in a release follows a Zipf-like law (rank ``r`` has weight
  ``1 / r**1.1``), so a few organisations recur in thousands of releases and most in a few;
- people with honorifics who hold posts ("Chief Executive Officer of ...") over date
  ranges; about a third change post once (a promotion, or a move to another organisation),
  so the same person appears under different titles over time;
- four house styles: a Hong Kong government release ("(Hong Kong, 18 August 2023) -",
  "today (August 18)", a Chinese masthead, "###"), a UK release ("LONDON, 3 March 2024 —",
  "Notes to editors"), a Singapore media release with numbered paragraphs and lettered
  lists, and a plain corporate announcement; two- and three-party MOUs, co-operation,
  framework and collaboration agreements and letters of intent, durations ("over the next
  three years", "a five-year ..."), signatories and witnesses in apposition, enumerated
  areas, speakers with quotes, "About X" blocks and media contacts (all invented).

Usage::

    python -m benchmarks.generate --size 1000 --out /tmp/kg-corpus-1k [--seed 7]
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = ["Corpus", "Org", "Person", "World", "generate", "make_world", "render_release"]

MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
EN_DASH, EM_DASH = "\u2013", "\u2014"
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 10: "ten"}

# --- the vocabulary of the invented world (all made up for these benchmarks) ---------------
_PLACES = """Harbourview Lantern Kingsmere Eastfield Northbridge Westgate Riverside Pinewood
Clearwater
Ashford Marlowe Fairhaven Baymouth Stonebridge Redcliff Silverdale Greenhill Oakmont
Brightwater Hollowell Cedarbrook Lakeside Highgate Seaview Moorland Thornbury Elmstead
Kestrel Willowmere Ravensworth Copperfield Amberley Bramblewood Coralstone Dunmore Everly
Foxley Glenrock Havenport Ironside Juniper""".split()  # noqa: SIM905
_FIELDS = """Digital Health|Medical Innovation|Genomics|Health Data|Biomedical Research|Clinical
Informatics|Public Health|Ageing Research|Health Technology|Precision Medicine|Medical Devices|
Population Health|Healthcare Robotics|Primary Care|Telemedicine""".replace("\n", " ").split("|")
_NOUNS = """Corporation Institute Authority Foundation Centre Agency Council Hospital Laboratory
Alliance Trust Society Academy Network""".split()  # noqa: SIM905
_HONORIFICS = ("Dr", "Dr", "Professor", "Mr", "Ms", "Mrs")
_GIVEN = """Alice Bernard Clara Desmond Elaine Felix Grace Howard Irene Julian Karen Leonard Miriam
Nigel Olivia Patrick Rachel Simon Teresa Victor Wendy Adrian Beatrice Cedric Daphne Edmund Fiona
Gareth Helena Ivan Joanna Kenneth Louisa Marcus Natalie Oscar Priya Rohan Siew Wei Arjun Meera
Farah Hamid Nadia Tomas Ingrid""".split()  # noqa: SIM905
_SYLLABLES = """Ka Wai Man Chi Siu Yan Ho Kin Lok Ming Hei Tsz Fung Yee Kwok Shing Wing Hoi Pui
Ching Lai Sze Chun Yiu Kit Tak Hong Mei""".split()  # noqa: SIM905
_SURNAMES = """Ashworth Blake Carrington Dalton Ellison Fairfax Garland Hartley Ingram Jarvis
Kendrick Langley Mercer Norwood Oakley Pemberton Quayle Radcliffe Sinclair Thornton Underwood
Vaughan Whitmore Yardley Chan Cheung Leung Wong Lau Ng Ho Tsang Kwan Yip Fung Tam Lim Tan Goh
Teo Koh Ong Nair Menon Pillai Rahman Iskandar Osei Mensah Novak Lindqvist Moreau""".split()  # noqa: SIM905
_TITLES = (
    "Chief Executive Officer",
    "Chairman",
    "Director",
    "Deputy Director",
    "Chief Medical Officer",
    "Chief Technology Officer",
    "Head of Digital Health",
    "President",
    "Vice-President (Research)",
    "Executive Director",
)
_AREAS = """telehealth services|health data sharing|clinical decision support|remote patient
monitoring|genomic medicine|chronic disease management|mental health support|elderly care
technologies|health workforce training|infection control|vaccine logistics|medical imaging
analytics|electronic health records|primary care innovation|health promotion campaigns|drug
safety surveillance|rehabilitation robotics|smart hospital operations|cancer screening|maternal
and child health|health literacy|clinical trial design|antimicrobial resistance|nutrition
research|dental care innovation|emergency response|wearable sensors|health regulatory
science|cybersecurity for health systems|community pharmacy services|laboratory automation|rare
disease research|digital therapeutics|population health analytics|hospital supply chains|patient
engagement platforms""".replace("\n", " ").split("|")
_PURPOSES = (
    "speed up the adoption of digital tools in community clinics",
    "bring validated health technologies from the laboratory to patients",
    "build a shared platform for anonymised health data",
    "train the next generation of clinician-innovators",
    "test new models of care for an ageing population",
    "pool expertise in diagnostics and screening",
    "support start-ups developing medical devices",
    "improve the resilience of public health services",
)
_TECH = (
    "artificial intelligence",
    "the Internet of Things",
    "cloud computing",
    "machine learning",
    "blockchain",
    "robotics",
    "5G networks",
    "big data analytics",
)
_QUOTES = (
    "This partnership brings together people who rarely sit at the same table",
    "Patients should feel the benefit of this work within months, not years",
    "We have long admired their work and are delighted to formalise our co-operation",
    "Innovation in health only matters when it reaches the bedside",
    "Our teams will learn a great deal from each other",
    "Together we can test ideas at a scale neither of us could reach alone",
    "This agreement turns a good conversation into a concrete plan",
    "Data used responsibly can transform how care is delivered",
)
_SAID_THAT = (
    "the collaboration would help frontline staff spend more time with patients",
    "the two organisations shared a commitment to evidence-based innovation",
    "the agreement marked an important step for the sector",
    "public trust had to be earned through transparency about data use",
    "the partners would publish their findings for others to build on",
)


@dataclass
class Org:
    """An organisation of the invented world."""

    rank: int
    name: str
    acronym: str | None
    founded: int
    sites: list[str]
    staff: int
    city: str
    domain: str


@dataclass
class Post:
    """A post held from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: date
    end: date
    org: int
    title: str


@dataclass
class Person:
    """A person of the invented world, with the posts held over time."""

    honorific: str
    given: str
    surname: str
    posts: list[Post] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.given} {self.surname}"

    def post_on(self, day: date) -> Post | None:
        """The post held on ``day``, if any."""
        return next((p for p in self.posts if p.start <= day < p.end), None)


@dataclass
class World:
    """Organisations (rank order), people, and who works where."""

    orgs: list[Org]
    people: list[Person]
    #: org index -> indices of people who ever hold a post there
    staff: dict[int, list[int]]
    cumulative: list[float]
    first_day: date
    last_day: date

    def pick_orgs(self, rng: random.Random, k: int) -> list[int]:
        """``k`` distinct organisations drawn by the Zipf-like weights."""
        chosen: list[int] = []
        total = self.cumulative[-1]
        while len(chosen) < k:
            i = bisect.bisect_left(self.cumulative, rng.random() * total)
            i = min(i, len(self.orgs) - 1)
            if i not in chosen:
                chosen.append(i)
        return chosen

    def staff_on(self, org: int, day: date) -> list[tuple[Person, Post]]:
        """The people holding a post in ``org`` on ``day``."""
        out = []
        for i in self.staff.get(org, []):
            post = self.people[i].post_on(day)
            if post and post.org == org:
                out.append((self.people[i], post))
        return out


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def make_world(seed: int, n_releases: int) -> World:
    """The organisations and people behind a corpus of ``n_releases`` (deterministic)."""
    rng = random.Random(f"world:{seed}")
    combos = [(p, f, n) for p in _PLACES for f in _FIELDS for n in _NOUNS]
    rng.shuffle(combos)
    n_orgs = min(len(combos), 40 + n_releases // 8)
    orgs: list[Org] = []
    used_acronyms: set[str] = set()
    used_names: set[str] = set()
    for place, fld, noun in combos:
        if len(orgs) == n_orgs:
            break
        name = rng.choice(
            (f"{place} {fld} {noun}", f"{fld} {noun} of {place}", f"{place} {noun} for {fld}")
        )
        if name in used_names:
            continue
        used_names.add(name)
        acronym: str | None = _acronym(name)
        if acronym in used_acronyms or rng.random() < 0.1:
            acronym = None  # some organisations have no acronym (or would clash)
        else:
            used_acronyms.add(acronym)  # type: ignore[arg-type]
        orgs.append(
            Org(
                rank=len(orgs) + 1,
                name=name,
                acronym=acronym,
                founded=rng.randint(1950, 2015),
                sites=rng.sample(_PLACES, rng.randint(1, 3)),
                staff=rng.randint(20, 9000),
                city=rng.choice(("Hong Kong", "London", "Singapore", "Manchester", "Shenzhen")),
                domain=place.lower() + "-" + noun.lower() + ".example",
            )
        )
    weights = [1.0 / (r**1.1) for r in range(1, len(orgs) + 1)]
    cumulative = list(itertools.accumulate(weights))

    first, last = date(2016, 1, 1), date(2025, 12, 31)
    span = (last - first).days
    people: list[Person] = []
    staff: dict[int, list[int]] = {}
    used_people: set[tuple[str, str]] = set()
    given_pool = _GIVEN + [a + " " + b for a in _SYLLABLES for b in _SYLLABLES if a != b]

    def new_person() -> Person:
        while True:
            given, surname = rng.choice(given_pool), rng.choice(_SURNAMES)
            if (given, surname) not in used_people:
                used_people.add((given, surname))
                return Person(rng.choice(_HONORIFICS), given, surname)

    for oi in range(len(orgs)):
        # a busy organisation has more people who get to sign and speak
        n_staff = 3 + min(12, int(40 * weights[oi] ** 0.5))
        titles = rng.sample(_TITLES, min(n_staff, len(_TITLES)))
        for k in range(n_staff):
            person = new_person()
            title = titles[k % len(titles)]
            if rng.random() < 0.35:  # one change of post at a random date
                switch = first + timedelta(days=rng.randint(span // 5, 4 * span // 5))
                person.posts.append(Post(first, switch, oi, title))
                if rng.random() < 0.5:
                    other = rng.randrange(len(orgs))
                    person.posts.append(Post(switch, last, other, rng.choice(_TITLES)))
                    staff.setdefault(other, []).append(len(people))
                else:
                    promoted = rng.choice([t for t in _TITLES if t != title])
                    person.posts.append(Post(switch, last, oi, promoted))
            else:
                person.posts.append(Post(first, last + timedelta(days=1), oi, title))
            staff.setdefault(oi, []).append(len(people))
            people.append(person)
    return World(orgs, people, staff, cumulative, first, last)


# --- rendering ------------------------------------------------------------------------------

_TYPES = (
    # (weight, full name, short form used later, type code)
    (40, "Memorandum of Understanding", "MOU", "mou"),
    (20, "Co-operation Agreement", "agreement", "cooperation"),
    (15, "Framework Agreement", "framework agreement", "framework"),
    (15, "Collaboration Agreement", "agreement", "collaboration"),
    (5, "Letter of Intent", "letter", "letter-of-intent"),
)


def _long_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _full(org: Org) -> str:
    return f"{org.name} ({org.acronym})" if org.acronym else org.name


def _short(org: Org) -> str:
    return org.acronym or org.name


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _join_people(items: list[str]) -> str:
    """People in apposition hold commas themselves: "A, X of Y, and B, Z of W"."""
    if len(items) <= 2:
        return ", and ".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def _enumerate(items: list[str], style: str) -> str:
    numerals = ("i", "ii", "iii", "iv", "v", "vi", "vii")
    if style == "roman":
        parts = [f"({numerals[i]}) {a}" for i, a in enumerate(items)]
        return "; ".join(parts[:-1]) + "; and " + parts[-1]
    return _join(items)


def _person_ref(p: Person, post: Post, orgs: list[Org], *, lead: bool) -> str:
    """ "the Director of the XYZ, Dr A B" (lead) or "Dr A B, Director of XYZ"."""
    org = orgs[post.org]
    if lead:
        at = f"the {org.acronym}" if org.acronym else org.name
        return f"the {post.title} of {at}, {p.honorific} {p.name}"
    return f"{p.honorific} {p.name}, {post.title} of {org.name}"


@dataclass
class Release:
    """One rendered release: its key, text and sidecar."""

    key: str
    text: str
    meta: dict[str, str]
    parties: list[str]


def render_release(world: World, seed: int, index: int) -> Release:
    """Release number ``index`` of the corpus of ``seed`` (independent of the others)."""
    rng = random.Random(f"release:{seed}:{index}")
    day = world.first_day + timedelta(days=rng.randrange((world.last_day - world.first_day).days))
    n_parties = 3 if rng.random() < 0.22 else 2
    party_ix = world.pick_orgs(rng, n_parties)
    parties = [world.orgs[i] for i in party_ix]
    style = rng.choices(("hk", "uk", "sg", "corp"), weights=(35, 25, 20, 20))[0]
    _, kind, short, _code = rng.choices(_TYPES, weights=[t[0] for t in _TYPES])[0]
    years = rng.choice((None, 2, 3, 3, 5))
    areas = rng.sample(_AREAS, rng.randint(2, 6))
    signers: list[tuple[Person, Post]] = []
    for oi in party_ix:
        on_staff = world.staff_on(oi, day)
        if on_staff:
            signers.append(rng.choice(on_staff))
    witnesses: list[tuple[Person, Post]] = []
    for oi in party_ix:
        others = [s for s in world.staff_on(oi, day) if s not in signers]
        if others and rng.random() < 0.5:
            witnesses.append(rng.choice(others))
    speakers = [*signers[:1], *witnesses[:1]] if rng.random() < 0.7 else signers[:2]
    digest = hashlib.sha1(f"{seed}:{index}".encode()).hexdigest()[:12]
    key = f"{index:06d}_{digest}"
    render = {"hk": _render_hk, "uk": _render_uk, "sg": _render_sg, "corp": _render_corp}[style]
    ctx = _Ctx(world, rng, day, parties, kind, short, years, areas, signers, witnesses, speakers)
    title, text = render(ctx)
    issuer = parties[0]
    meta = {
        "url": f"https://{issuer.domain}/news/{key}",
        "published": day.isoformat(),
        "publisher": issuer.name,
        "title": title,
        "language": "en",
    }
    return Release(key, text, meta, [p.name for p in parties])


@dataclass
class _Ctx:
    world: World
    rng: random.Random
    day: date
    parties: list[Org]
    kind: str
    short: str
    years: int | None
    areas: list[str]
    signers: list[tuple[Person, Post]]
    witnesses: list[tuple[Person, Post]]
    speakers: list[tuple[Person, Post]]

    def article(self) -> str:
        return "an" if self.kind[0] in "AEIOU" else "a"

    def kind_def(self) -> str:
        """ "Memorandum of Understanding (MOU)" for MOUs, else the plain name."""
        return f"{self.kind} (MOU)" if self.short == "MOU" else self.kind

    def duration_clause(self) -> str:
        if not self.years:
            return ""
        return f" over the next {NUMBER_WORDS[self.years]} years"

    def quote(self) -> str:
        return self.rng.choice(_QUOTES)

    def about(self, org: Org) -> str:
        sites = _join(org.sites)
        return (
            f"About {org.name}\n\n{_full(org)} was established in {org.founded}. "
            f"It works with partners across the region on {self.rng.choice(_AREAS)} and "
            f"{self.rng.choice(_AREAS)}, from sites in {sites}. It has more than "
            f"{org.staff:,} staff and {self.rng.randint(10, 400)} partner organisations."
        )

    def contact(self) -> str:
        first = self.world.people[self.rng.randrange(len(self.world.people))]
        org = self.parties[0]
        return (
            f"Media enquiries:\n\n{first.name}\n{org.name}\n"
            f"Tel: +852 {self.rng.randint(2000, 9999)} {self.rng.randint(1000, 9999)}\n"
            f"Email: {first.given.split()[0].lower()}.{first.surname.lower()}@{org.domain}"
        )


def _party_list(ctx: _Ctx, *, the: bool) -> str:
    """The parties with their acronyms defined; capitalised to open a sentence."""
    names = [("the " if the else "") + _full(o) for o in ctx.parties]
    joined = _join(names)
    return joined[0].upper() + joined[1:]


def _signing_sentence(ctx: _Ctx, *, lead: bool) -> str:
    orgs = ctx.world.orgs
    signed = [_person_ref(p, post, orgs, lead=lead) for p, post in ctx.signers]
    if not signed:
        return ""
    sentence = f"The {ctx.short} was signed by {_join_people(signed)}"
    if ctx.witnesses:
        seen = [_person_ref(p, post, orgs, lead=lead) for p, post in ctx.witnesses]
        if lead:
            return (
                f"Witnessed by {'; and '.join(seen)}, the {ctx.short} was signed by "
                f"{_join_people(signed)}."
            )
        sentence += f", in the presence of {_join_people(seen)}"
    return sentence + "."


def _speech(ctx: _Ctx) -> str:
    out = []
    for i, (p, post) in enumerate(ctx.speakers):
        org = ctx.world.orgs[post.org]
        if i == 0:
            out.append(
                f"Speaking at the ceremony, {p.honorific} {p.surname} said that "
                f"{ctx.rng.choice(_SAID_THAT)}."
            )
        else:
            out.append(
                f'{p.honorific} {p.name}, {post.title} of {org.name}, said, "{ctx.quote()}."'
            )
    return "\n\n".join(out)


def _render_hk(ctx: _Ctx) -> tuple[str, str]:
    a = ctx.parties
    title = f"{_join([_short(o) for o in a])} sign {ctx.short} on {ctx.areas[0]}"
    tech = ctx.rng.sample(_TECH, 2)
    body = [
        "新聞公報\n" + a[0].name,
        "Press Release\n\nFor Immediate Release",
        title,
        f"- The partners will work together on {ctx.areas[0]} and {ctx.areas[-1]}.\n"
        f"- The {ctx.short} sets out a plan{ctx.duration_clause()}.",
        f"(Hong Kong, {_long_date(ctx.day)}) {EN_DASH} {_party_list(ctx, the=True)} "
        f"signed {ctx.article()} {ctx.kind_def()} today ({MONTHS[ctx.day.month - 1]} "
        f"{ctx.day.day}) to {ctx.rng.choice(_PURPOSES)}.",
        f"Under the {ctx.short}, the parties will,{ctx.duration_clause() or ' in the coming'}"
        f"{'' if ctx.years else ' years'}, jointly explore solutions in "
        f"{NUMBER_WORDS.get(len(ctx.areas), str(len(ctx.areas)))} areas, namely "
        f"{_enumerate(ctx.areas, 'roman')}.",
        f"The work will draw on technologies such as {tech[0]} and {tech[1]}.",
        _signing_sentence(ctx, lead=True),
        _speech(ctx),
        "###",
        ctx.about(a[-1]),
        ctx.contact(),
    ]
    return title, "\n\n".join(p for p in body if p) + "\n"


def _render_uk(ctx: _Ctx) -> tuple[str, str]:
    a = ctx.parties
    title = f"{a[0].name} and {a[1].name} agree {ctx.kind.lower()} on {ctx.areas[0]}"
    term = f"{NUMBER_WORDS[ctx.years]}-year " if ctx.years else ""
    city = "LONDON" if ctx.rng.random() < 0.7 else "MANCHESTER"
    body = [
        title,
        f"{city}, {_long_date(ctx.day)} {EM_DASH} {_party_list(ctx, the=False)} have today signed "
        f"a {term}{ctx.kind} to {ctx.rng.choice(_PURPOSES)}.",
        f"The {ctx.short} covers {_join(ctx.areas)}.",
        _signing_sentence(ctx, lead=False),
    ]
    for p, post in ctx.speakers[:2]:
        org = ctx.world.orgs[post.org]
        body.append(f'{p.honorific} {p.name}, {post.title} of {org.name}, said: "{ctx.quote()}."')
    body += ["ENDS", "Notes to editors", ctx.about(a[0]), ctx.contact()]
    return title, "\n\n".join(p for p in body if p) + "\n"


def _render_sg(ctx: _Ctx) -> tuple[str, str]:
    a = ctx.parties
    n = NUMBER_WORDS[len(a)]
    title = f"{n.capitalize()} partners sign {ctx.kind} to advance {ctx.areas[0]}"
    last = len(ctx.areas) - 1
    ends = [";" if i < last - 1 else "; and" if i == last - 1 else "." for i in range(last + 1)]
    listed = "\n".join(f"({'abcdefg'[i]}) {area}{ends[i]}" for i, area in enumerate(ctx.areas))
    behalf = []
    for p, post in ctx.signers:
        org = ctx.world.orgs[post.org]
        behalf.append(f"{p.honorific} {p.name}, {post.title}, on behalf of the {_short(org)}")
    body = [
        "MEDIA RELEASE",
        title,
        f"SINGAPORE, {_long_date(ctx.day)} {EN_DASH} {_party_list(ctx, the=True)} have signed a "
        f"{n}-party {ctx.kind}{ctx.duration_clause()} to {ctx.rng.choice(_PURPOSES)}.",
        f"2. The {ctx.short} will cover the following areas:\n{listed}",
        f"3. The {ctx.short} was signed by {_join_people(behalf)}." if behalf else "",
        "4. " + _speech(ctx).replace("\n\n", "\n\n5. ", 1),
        ctx.about(a[0]),
        ctx.about(a[1]),
        ctx.contact(),
    ]
    return title, "\n\n".join(p for p in body if p) + "\n"


def _render_corp(ctx: _Ctx) -> tuple[str, str]:
    a = ctx.parties
    title = f"{a[0].name} partners with {_join([o.name for o in a[1:]])}"
    term = f"{NUMBER_WORDS[ctx.years]}-year " if ctx.years else ""
    body = [
        title,
        f"On {_long_date(ctx.day)}, the {_party_list(ctx, the=False)} signed a {term}{ctx.kind}. "
        f"The partners aim to {ctx.rng.choice(_PURPOSES)}.",
        f"The {ctx.short} focuses on areas such as {_join(ctx.areas[:3])}.",
        _signing_sentence(ctx, lead=False),
        _speech(ctx),
        ctx.about(a[0]),
    ]
    return title, "\n\n".join(p for p in body if p) + "\n"


# --- writing a corpus -----------------------------------------------------------------------


@dataclass
class Corpus:
    """What :func:`generate` wrote."""

    directory: Path
    size: int
    seed: int
    keys: list[str]
    #: organisation name -> number of releases naming it as a party
    party_counts: dict[str, int]

    def manifest(self) -> dict[str, Any]:
        """The ``_manifest.json`` content."""
        top = sorted(self.party_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        return {
            "size": self.size,
            "seed": self.seed,
            "generator": 1,
            "organisations_seen": len(self.party_counts),
            "top_parties": top,
        }


def generate(out: str | Path, size: int, seed: int = 7) -> Corpus:
    """Write ``size`` releases (``.txt`` + ``.meta.json``) and ``_manifest.json`` to ``out``.

    An existing corpus with the same manifest is reused as it is (generation is
    deterministic); a different one in the same directory is an error.

    :raises FileExistsError: when ``out`` holds other files
    """
    directory = Path(out)
    manifest_path = directory / "_manifest.json"
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if old.get("size") == size and old.get("seed") == seed and old.get("generator") == 1:
            keys = sorted(p.stem for p in directory.glob("*.txt"))
            return Corpus(directory, size, seed, keys, dict(old["top_parties"]))
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory}: not empty and not a corpus of size {size}")
    directory.mkdir(parents=True, exist_ok=True)
    world = make_world(seed, size)
    counts: Counter[str] = Counter()
    keys = []
    for i in range(size):
        release = render_release(world, seed, i)
        (directory / f"{release.key}.txt").write_text(release.text, encoding="utf-8")
        (directory / f"{release.key}.meta.json").write_text(
            json.dumps(release.meta, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        counts.update(release.parties)
        keys.append(release.key)
    corpus = Corpus(directory, size, seed, keys, dict(counts))
    manifest_path.write_text(json.dumps(corpus.manifest(), indent=1), encoding="utf-8")
    return corpus


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.generate --size N --out DIR [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    corpus = generate(args.out, args.size, args.seed)
    print(json.dumps(corpus.manifest(), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
