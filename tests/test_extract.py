"""Extraction rules, on the seed release and on small strings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.extract import agreement_label, extract, require_agreement
from kg.facts import Evidence, ReleaseFacts
from kg.sources import Document, Section, read_release, read_text

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "releases" / "000_6ab14cd06da14410.txt"
CASES = ROOT / "tests" / "cases"


def body_doc(text: str, published: str = "2024-05-09") -> Document:
    """A document with no reader cues at all: one body section."""
    return Document("t", text, [Section("body", 0, len(text))], meta={"published": published})


def all_evidence(facts: ReleaseFacts) -> list[Evidence]:
    """Every Evidence anywhere in the facts."""
    found: list[Evidence] = []

    def walk(value: object) -> None:
        if isinstance(value, Evidence):
            found.append(value)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))

    walk(facts)
    return found


@pytest.fixture(scope="module")
def seed() -> ReleaseFacts:
    return extract(read_release(SEED))


def test_seed_agreement(seed: ReleaseFacts) -> None:
    (a,) = seed.agreements
    assert (a.type, a.date, a.place, a.duration) == ("mou", date(2023, 8, 18), "Hong Kong", "P3Y")
    assert (a.start_date, a.end_date, a.status) == (date(2023, 8, 18), date(2026, 8, 18), "signed")
    assert a.parties == [
        "hong-kong-science-and-technology-parks-corporation",
        "department-of-health",
    ]
    assert [(s.person, s.role, s.organisation, s.on_behalf_of) for s in a.signatories] == [
        (
            "liza-to",
            "Head, Health Informatics and Technology Office",
            "department-of-health",
            "department-of-health",
        ),
        (
            "albert-wong",
            "Chief Executive Officer",
            "hong-kong-science-and-technology-parks-corporation",
            "hong-kong-science-and-technology-parks-corporation",
        ),
    ]
    assert [(w.person, w.organisation) for w in a.witnesses] == [
        ("sun-dong", None),
        ("ronald-lam", None),
        ("sunny-chai", "hong-kong-science-and-technology-parks-corporation"),
    ]
    assert {x.group for x in a.areas} == {"key areas", "application areas"}
    assert len(a.areas) == 10


def test_seed_entities(seed: ReleaseFacts) -> None:
    hkstp = seed.organisation("hong-kong-science-and-technology-parks-corporation")
    assert hkstp and hkstp.aliases == ["HKSTP", "HKSTPC"]
    assert seed.organisation("department-of-health").aliases == ["DH"]  # type: ignore[union-attr]
    assert [s.person for s in seed.speakers] == ["sun-dong", "ronald-lam", "sunny-chai"]
    chai = next(s for s in seed.speakers if s.person == "sunny-chai")
    assert chai.quote and chai.quote.startswith("Our alliance with the DH")
    assert [t.label for t in seed.technologies] == [
        "artificial intelligence",
        "Internet of Things",
        "big data analysis",
    ]
    assert ("founded", "2001") in {(f.kind, f.value) for f in seed.org_facts}
    assert ("count", "13,000 research professionals") in {(f.kind, f.value) for f in seed.org_facts}
    assert seed.release.publisher == "department-of-health"
    assert seed.release.published == date(2023, 8, 18)
    assert {c.name for c in seed.contacts} == {"Angela Lau", "Sonia Leung"}
    assert all(c.phone is None and c.email is None for c in seed.contacts)
    assert len(seed.people) == 5


def test_seed_label(seed: ReleaseFacts) -> None:
    assert agreement_label(seed.agreements[0], seed) == (
        "Memorandum of Understanding between Hong Kong Science and Technology Parks "
        "Corporation and Department of Health"
    )


@pytest.mark.parametrize(
    "path",
    [SEED, *sorted(CASES.glob("*/release.txt")), *sorted(CASES.glob("*/release.html"))],
    ids=lambda p: p.parent.name,
)
def test_evidence_is_exact(path: Path) -> None:
    """Every evidence span is exactly the text it quotes, with a sane confidence."""
    doc = read_release(path)
    for ev in all_evidence(extract(doc)):
        assert doc.text[ev.start : ev.end] == ev.text
        assert 0 < ev.confidence <= 1


def test_without_sections_seed_still_works() -> None:
    """With no sections at all, captions and "About" are guessed and nothing doubles."""
    doc = read_release(SEED)
    bare = Document(doc.key, doc.text, meta=doc.meta)
    facts = extract(bare)
    assert len(facts.agreements) == 1
    assert len(facts.agreements[0].areas) == 10
    assert len(facts.people) == 5


def test_body_only_document() -> None:
    text = (
        "The Harbour Health Authority (HHA) and Northbridge University signed a "
        "co-operation agreement today (May 9). The agreement was signed by the HHA Chairman, "
        "Mr Owen Pike, and the President of Northbridge University, Professor Ada Quist."
    )
    facts = extract(body_doc(text))
    (a,) = facts.agreements
    assert (a.type, a.date) == ("cooperation", date(2024, 5, 9))
    assert [(s.person, s.role, s.organisation) for s in a.signatories] == [
        ("owen-pike", "Chairman", "harbour-health-authority"),
        ("ada-quist", "President", "northbridge-university"),
    ]


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Alpha Hospital and Beta University will sign a letter of intent next week.", "planned"),
        (
            "Alpha Hospital and Beta University agreed to explore a collaboration agreement.",
            "proposed",
        ),
        ("Alpha Hospital did not renew its agreement with Beta University.", "not-renewed"),
        ("Alpha Hospital and Beta University inked an MOU on 3 May 2024.", "signed"),
    ],
)
def test_status(sentence: str, status: str) -> None:
    (a,) = extract(body_doc(sentence)).agreements
    assert a.status == status
    assert a.parties == ["alpha-hospital", "beta-university"]


def test_yesterday_and_explicit_dates() -> None:
    doc = body_doc(
        "Alpha Hospital and Beta University signed an MOU yesterday (January 17).", "2024-01-18"
    )
    assert extract(doc).agreements[0].date == date(2024, 1, 17)
    doc = body_doc(
        "Alpha Hospital signed a framework agreement with Beta University on "
        "March 4, 2023 for a period of two years."
    )
    (a,) = extract(doc).agreements
    assert (a.type, a.date, a.duration, a.end_date) == (
        "framework",
        date(2023, 3, 4),
        "P2Y",
        date(2025, 3, 4),
    )


def test_require_agreement() -> None:
    facts = extract(read_text("Alpha Hospital opens a new wing.\n\nIt has 40 beds.", "none"))
    assert facts.agreements == []
    with pytest.raises(InputError, match="states no agreement"):
        require_agreement(facts)
    require_agreement(extract(read_release(SEED)))


def test_no_seed_names_in_code() -> None:
    """The rules work from cues, never from the seed's answers."""
    mine = (
        *("extract.py", "_text.py", "_dates.py", "_vocab.py", "_orgs.py", "_names.py", "_nouns.py"),
        *("_agreements.py", "_signing.py", "_terms.py", "_areas.py", "_details.py"),
    )
    src = "".join((ROOT / "src" / "kg" / name).read_text() for name in mine)
    for name in ("HKSTP", "Lam", "Sunny", "Albert", "Liza", "Science and Technology Parks"):
        assert name not in src


def test_case_statuses_and_counts() -> None:
    """What the gold rows cannot show: status, dates of the term, one agreement per title."""
    planned = extract(read_release(CASES / "planned-loi" / "release.txt"))
    (loi,) = planned.agreements
    assert (loi.type, loi.status, loi.start_date) == ("letter-of-intent", "planned", None)
    two = extract(read_release(CASES / "two-agreements" / "release.txt"))
    assert sorted(a.title or "" for a in two.agreements) == [
        "Co-operation Agreement on Pharmacovigilance",
        "Co-operation Agreement on Regulation of Medical Devices",
    ]
    assert len({a.key for a in two.agreements}) == 2
    captioned = extract(read_release(CASES / "witnesses-role-first" / "release.txt"))
    assert len(captioned.agreements) == 1
    assert len(captioned.agreements[0].witnesses) == 3


def test_hedged_and_negated_are_kept_with_their_status() -> None:
    facts = extract(read_release(CASES / "hedged-negated" / "release.txt"))
    got = {(a.type, a.status, tuple(a.parties)) for a in facts.agreements}
    assert got == {
        ("mou", "signed", ("eastport-university-hospital", "calder-biologics-pte-ltd")),
        (
            "agreement",
            "proposed",
            ("eastport-university-hospital", "northern-institute-of-rehabilitation"),
        ),
        (
            "letter-of-intent",
            "planned",
            ("eastport-university-hospital", "marlow-cancer-foundation"),
        ),
        (
            "collaboration",
            "not-renewed",
            ("eastport-university-hospital", "pinecrest-health-services"),
        ),
    }
    assert all(
        a.start_date is None and a.end_date is None
        for a in facts.agreements
        if a.status != "signed"
    )


def test_end_date_and_signing_on_behalf() -> None:
    facts = extract(read_release(CASES / "uk-trust-university" / "release.txt"))
    (a,) = facts.agreements
    assert (a.date, a.end_date, a.duration) == (date(2024, 3, 3), date(2027, 12, 31), None)
    assert {(s.person, s.on_behalf_of) for s in a.signatories} == {
        ("patricia-holloway", "kingsmere-university-hospitals-nhs-foundation-trust"),
        ("michael-andrews", "university-of-ashworth"),
    }
    assert facts.person("michael-andrews").honorific == "Professor Sir"  # type: ignore[union-attr]


def test_renewal_links_within_a_release_only() -> None:
    both = extract(
        body_doc(
            "Alpha Hospital and Beta University signed an MOU on 6 May 2019 to share training. "
            "Today (May 9) Alpha Hospital renewed the MOU with Beta University for three years."
        )
    )
    first, renewal = sorted(both.agreements, key=lambda a: a.date or date.min)
    assert (first.date, renewal.date, renewal.duration) == (
        date(2019, 5, 6),
        date(2024, 5, 9),
        "P3Y",
    )
    assert (first.renews, renewal.renews) == (None, first.key)
    alone = extract(read_release(CASES / "renewal-mou" / "release.txt"))
    (a,) = alone.agreements
    assert (a.renews, a.duration, a.end_date) == (None, "P3Y", date(2027, 9, 12))
    assert any("renews an earlier agreement" in note for note in alone.unsure)


@pytest.mark.parametrize(
    ("honorific", "expected"),
    [
        ("Dr", "Dr"),
        ("Prof.", "Prof."),
        ("Mrs", "Mrs"),
        ("Dame", "Dame"),
        ("the Hon", "the Hon"),
        ("Ir", "Ir"),
        ("Dr the Hon", "Dr the Hon"),
        ("Ir Professor", "Ir Professor"),
        ("Professor Sir", "Professor Sir"),
    ],
)
def test_honorifics(honorific: str, expected: str) -> None:
    facts = extract(
        body_doc(
            "Alpha Hospital and Beta University signed an MOU on 3rd March 2024. The MOU was "
            f"signed by the Chairman of Alpha Hospital, {honorific} Wong Tai-man, and the "
            "President of Beta University, Ms Ada Quist."
        )
    )
    (a,) = facts.agreements
    assert a.date == date(2024, 3, 3)
    first = a.signatories[0]
    assert (first.person, first.role, first.organisation) == (
        "wong-tai-man",
        "Chairman",
        "alpha-hospital",
    )
    assert facts.person("wong-tai-man").honorific == expected  # type: ignore[union-attr]


def test_weaker_rules_are_below_08_and_noted() -> None:
    """A term read from a nearby sentence and a party named by its head noun are unsure."""
    loi = extract(read_release(CASES / "intl-letter-of-intent" / "release.txt"))
    (a,) = loi.agreements
    assert a.duration == "P2Y"
    assert [ev.confidence for ev in a.evidence if ev.method == "duration-nearby"] == [0.7]
    assert any("nearby sentence" in note for note in loi.unsure)
    hedged = extract(read_release(CASES / "hedged-negated" / "release.txt"))
    planned = next(a for a in hedged.agreements if a.status == "planned")
    ev = planned.party_evidence["eastport-university-hospital"]
    assert (ev.text, ev.confidence < 0.8) == ("hospital", True)
    assert any("taken to be Eastport University Hospital" in note for note in hedged.unsure)
    methods = {e.method for e in all_evidence(hedged) if e.confidence < 0.8}
    assert methods == {"party-definite-reference"}


def test_date_and_term_keep_the_span_that_states_them() -> None:
    """The date's and the term's evidence is the span stating them, with the rule's confidence:
    below 0.8 for a date taken from the dateline and a term read from a nearby sentence."""
    weak = read_text(
        "Harbour and Westlake sign MOU\n\nHONG KONG, 9 May 2024 - The Harbour Health Authority "
        "welcomed guests from Westlake University. The Harbour Health Authority signed a "
        "Memorandum of Understanding with Westlake University. The two sides will work "
        "together for a period of two years.\n",
        "weak",
    )
    (a,) = extract(weak).agreements
    assert a.date_evidence is not None and a.duration_evidence is not None
    assert (a.date, a.duration) == (date(2024, 5, 9), "P2Y")
    assert (a.date_evidence.text, a.date_evidence.method, a.date_evidence.confidence) == (
        "HONG KONG, 9 May 2024",
        "date-from-release",
        0.6,
    )
    assert (a.duration_evidence.text, a.duration_evidence.confidence) == (
        "period of two years",
        0.7,
    )
    # a whole term computed from a stated end date: the end date's span states it
    ended = body_doc(
        "On 9 May 2024 the Harbour Health Authority signed an MOU with Westlake University. "
        "The MOU ends on 8 May 2027."
    )
    (b,) = extract(ended).agreements
    assert b.date_evidence is not None and b.duration_evidence is not None
    assert (b.duration, b.date_evidence.text, b.date_evidence.method) == (
        "P3Y",
        "9 May 2024",
        "signing-date",
    )
    assert (b.duration_evidence.text, b.duration_evidence.method) == ("ends on 8 May 2027", "end")


def test_coordinated_agreements_share_the_subject() -> None:
    facts = extract(
        body_doc(
            "Today (May 9) the Harbour Health Authority signed an MOU with Westlake University "
            "and a collaborative agreement with Kestrel Robotics Limited."
        )
    )
    assert [(a.type, a.parties) for a in facts.agreements] == [
        ("mou", ["harbour-health-authority", "westlake-university"]),
        ("collaboration", ["harbour-health-authority", "kestrel-robotics-limited"]),
    ]


def test_date_line_and_weekday() -> None:
    """A UK-style release: a date on its own line, "signed ... on Tuesday"."""
    doc = read_text(
        "Moorfield Trust and Pennine Institute sign agreement\n\n5 June 2024\n\n"
        "Moorfield Community Health NHS Trust signed a partnership agreement with the Pennine "
        "Institute of Public Health at Moorfield House on Tuesday. The agreement lasts 18 months.",
        "uk",
    )
    (a,) = extract(doc).agreements
    assert (a.date, a.duration, a.end_date) == (date(2024, 6, 4), "P18M", date(2025, 12, 4))


@pytest.mark.parametrize(
    ("opening", "parties"),
    [
        # "and the" + a name with its own head noun and acronym: two organisations
        (
            "The Harbourside Network of Eastmere and the Valley Nursing Society (VNS)",
            {"Harbourside Network of Eastmere", "Valley Nursing Society"},
        ),
        # no article, but the second one is named alone later in the release
        (
            "Larkfield Institute for Digital Care and Orchard Robotics Corporation",
            {"Larkfield Institute for Digital Care", "Orchard Robotics Corporation"},
        ),
        # "and" inside one name: the half after it has no head noun
        (
            "The Department of Health and Social Care and the Westbay Hospital Authority",
            {"Department of Health and Social Care", "Westbay Hospital Authority"},
        ),
        (
            "The Ministry of Health and Family Welfare and the Harbourside Nursing Society",
            {"Ministry of Health and Family Welfare", "Harbourside Nursing Society"},
        ),
        (
            "The Hong Kong Science and Technology Parks Corporation and the Valley Health Network",
            {"Hong Kong Science and Technology Parks Corporation", "Valley Health Network"},
        ),
        # neither named again, no article: the second half is a name of its own, ending in
        # a head noun that ends names
        (
            "Brackley Institute of Sleep Medicine and Tollgate Sensors Company",
            {"Brackley Institute of Sleep Medicine", "Tollgate Sensors Company"},
        ),
        (
            "The Centre for Rural Health and Westmoor Hospital Authority",
            {"Centre for Rural Health", "Westmoor Hospital Authority"},
        ),
        # "Services" names areas too: one name
        (
            "The Department of Health and Human Services and the Westbay Hospital Authority",
            {"Department of Health and Human Services", "Westbay Hospital Authority"},
        ),
    ],
)
def test_two_parties_joined_by_and(opening: str, parties: set[str]) -> None:
    text = (
        f"(London, 3 May 2024) - {opening} signed a Memorandum of Understanding today.\n\n"
        "Dr Ann Lee, Director of Orchard Robotics Corporation, welcomed the agreement."
    )
    facts = extract(body_doc(text))
    names = {o.key: o.name for o in facts.organisations}
    assert [{names[k] for k in a.parties} for a in facts.agreements] == [parties]


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        (
            "The Trust's chief executive, Mark Ellery, said the centre would open in May.",
            ("mark-ellery", "Chief Executive", "harlow-vale-nhs-trust"),
        ),
        (
            "The university's vice-chancellor, Professor Jane Doe, welcomed the agreement.",
            ("jane-doe", "Vice-Chancellor", "university-of-kestwick"),
        ),
        (
            "Dr Ian Pratt, medical director of the Trust, said the wards were ready.",
            ("ian-pratt", "Medical Director", "harlow-vale-nhs-trust"),
        ),
        (
            "Mark Ellery, chief executive of Harlow Vale NHS Trust, said it was a good day.",
            ("mark-ellery", "Chief Executive", "harlow-vale-nhs-trust"),
        ),
        # capitalised, the same post
        (
            "The Trust's Chief Executive, Mark Ellery, said the centre would open in May.",
            ("mark-ellery", "Chief Executive", "harlow-vale-nhs-trust"),
        ),
    ],
)
def test_lower_case_titles(sentence: str, role: tuple[str, str, str]) -> None:
    """A post in lower case, before or after the name, is a post like a capitalised one,
    held in the organisation named or referred to by its head noun ("the Trust")."""
    text = (
        "(London, 3 May 2024) - Harlow Vale NHS Trust and the University of Kestwick signed "
        f"a Memorandum of Understanding today.\n\n{sentence}"
    )
    facts = extract(body_doc(text))
    assert [(r.person, r.title, r.organisation) for r in facts.roles] == [role]


def test_lower_case_words_before_a_name_are_not_a_post() -> None:
    text = (
        "(London, 3 May 2024) - Harlow Vale NHS Trust and the University of Kestwick signed "
        "a Memorandum of Understanding today.\n\nAmong the partners and staff, Dr Ann Wu "
        "spoke first. The Head, Health Informatics and Technology Office, attended."
    )
    facts = extract(body_doc(text))
    assert facts.roles == []
    assert [p.key for p in facts.people] == ["ann-wu"]


def test_post_in_a_governed_place() -> None:
    """ "Vice Governor of X Province": the post, held in the province's government; a title
    whose "of" names no organisation nor governed place keeps it all."""
    text = (
        "(Hong Kong, 3 May 2024) - The Hospital Authority and the Health Commission of "
        "Hainan Province signed a co-operation agreement today. The Vice Governor of Hainan "
        "Province, Ms He Xiaoling, and the Director of Health, Dr Ronald Lam, witnessed it."
    )
    facts = extract(body_doc(text))
    names = {o.key: o.name for o in facts.organisations}
    roles = {(r.person, r.title, names.get(r.organisation or "")) for r in facts.roles}
    assert roles == {
        ("he-xiaoling", "Vice Governor", "Hainan Province"),
        ("ronald-lam", "Director of Health", None),
    }


def test_signing_date_from_a_date_line_cites_it() -> None:
    """A release dated by a line of its own: a signing that states no date is taken to be
    on that date, and the date line is the evidence."""
    doc = read_text(
        "Meridian Research Institute\n\nFriday, August 16, 2024\n\nMeridian and Tollgate "
        "team up\n\nMeridian Research Institute and Tollgate Sensors Company signed an MOU "
        "to work on sleep medicine together.",
        "k",
    )
    (a,) = extract(doc).agreements
    assert a.date == date(2024, 8, 16)
    assert a.date_evidence is not None
    assert (a.date_evidence.text, a.date_evidence.method) == (
        "Friday, August 16, 2024",
        "date-from-release",
    )
