"""Hand-made releases for the browsing tests: facts written by hand, mapped, stored.

Three short releases with five organisations, six people, three agreements (one ended, one
ending within six months of :data:`TODAY`, one running), areas and evidence spans found in the
text by :func:`span`. With ``evil=True`` an organisation and a person carry :data:`EVIL` in
their names, to prove that markup in the data is shown as characters everywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kg.facts import (
    Agreement,
    Area,
    Evidence,
    Organisation,
    Person,
    ReleaseFacts,
    ReleaseInfo,
    RoleHolding,
    Signatory,
    Speaker,
    Witness,
)
from kg.mapping import graph_iri, map_release
from kg.store import EmbeddedStore

#: the day the tests take as today
TODAY = date(2025, 3, 1)
#: markup planted in names
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def span(text: str, part: str, after: int = 0) -> Evidence:
    """The evidence for the first ``part`` in ``text`` at or after ``after``."""
    start = text.index(part, after)
    return Evidence(start, start + len(part), part)


def release_one(evil: bool = False) -> tuple[ReleaseFacts, str]:
    """Alpha Health Authority and Beta Science Park sign an MOU (2022-03-15, three years)."""
    alpha = "Alpha Health Authority" + (" " + EVIL if evil else "")
    mallory = "Mallory Chan" + (" " + EVIL if evil else "")
    text = (
        "Alpha and Beta sign MOU\n\n"
        f"(Riverton, 15 March 2022) The {alpha} (AHA) and the Beta Science Park (BSP) "
        "signed a Memorandum of Understanding today to work together over the next three years. "
        f"The MOU was signed by Dr {mallory}, Director of Health of the AHA, and Mr Bob Lee, "
        "Chief Executive Officer of the BSP. "
        "It was witnessed by Professor Carol Sun, Secretary for Innovation. "
        "The partnership covers telehealth and health data.\n\n"
        f'"This is a good day," said Dr {mallory.split(" ")[0]} Chan.'
    )
    orgs = [
        Organisation(
            "alpha-health-authority",
            alpha,
            ["AHA"],
            [span(text, alpha)],
            {"AHA": span(text, "AHA")},
        ),
        Organisation(
            "beta-science-park",
            "Beta Science Park",
            ["BSP"],
            [span(text, "Beta Science Park")],
            {"BSP": span(text, "BSP")},
        ),
    ]
    people = [
        Person("mallory-chan", mallory, "Dr", [span(text, mallory)]),
        Person("bob-lee", "Bob Lee", "Mr", [span(text, "Bob Lee")]),
        Person("carol-sun", "Carol Sun", "Professor", [span(text, "Carol Sun")]),
    ]
    signing = span(text, "The MOU was signed by")
    mou = Agreement(
        "alpha-beta-mou-2022",
        "mou",
        date=date(2022, 3, 15),
        place="Riverton",
        duration="P3Y",
        parties=["alpha-health-authority", "beta-science-park"],
        signatories=[
            Signatory(
                "mallory-chan",
                "Director of Health",
                "alpha-health-authority",
                None,
                [span(text, f"Dr {mallory}, Director of Health of the AHA")],
            ),
            Signatory(
                "bob-lee",
                "Chief Executive Officer",
                "beta-science-park",
                None,
                [span(text, "Mr Bob Lee, Chief Executive Officer of the BSP")],
            ),
        ],
        witnesses=[
            Witness(
                "carol-sun",
                "Secretary for Innovation",
                None,
                [span(text, "Professor Carol Sun, Secretary for Innovation")],
            )
        ],
        areas=[
            Area("telehealth", None, [span(text, "telehealth")]),
            Area("health data", None, [span(text, "health data")]),
        ],
        evidence=[span(text, "signed a Memorandum of Understanding today")],
        party_evidence={
            "alpha-health-authority": span(text, f"The {alpha} (AHA)"),
            "beta-science-park": span(text, "the Beta Science Park (BSP)"),
        },
    )
    assert signing.start > 0
    facts = ReleaseFacts(
        ReleaseInfo(
            "r1-alpha-beta",
            "Alpha and Beta sign MOU",
            "alpha-health-authority",
            date(2022, 3, 15),
            "Riverton",
            "https://example.org/r1",
            "en",
        ),
        organisations=orgs,
        people=people,
        roles=[
            RoleHolding(
                "mallory-chan",
                "Director of Health",
                "alpha-health-authority",
                [span(text, f"Dr {mallory}, Director of Health of the AHA")],
            ),
            RoleHolding(
                "bob-lee",
                "Chief Executive Officer",
                "beta-science-park",
                [span(text, "Mr Bob Lee, Chief Executive Officer of the BSP")],
            ),
        ],
        agreements=[mou],
        speakers=[
            Speaker("mallory-chan", "This is a good day,", [span(text, "This is a good day,")])
        ],
    )
    return facts, text


def release_two() -> tuple[ReleaseFacts, str]:
    """Beta Science Park and Gamma University: a co-operation agreement ending 2025-06-30."""
    text = (
        "Beta and Gamma co-operate\n\n"
        "(Riverton, 1 July 2023) The Beta Science Park (BSP) and Gamma University signed a "
        "Co-operation Agreement today, running until 30 June 2025. "
        "Ms Dana Wu, President of Gamma University, signed for the university. "
        "The agreement covers telehealth and medical robotics."
    )
    facts = ReleaseFacts(
        ReleaseInfo(
            "r2-beta-gamma",
            "Beta and Gamma co-operate",
            "beta-science-park",
            date(2023, 7, 1),
            "Riverton",
        ),
        organisations=[
            Organisation(
                "beta-science-park",
                "Beta Science Park",
                ["BSP"],
                [span(text, "Beta Science Park")],
                {"BSP": span(text, "BSP")},
            ),
            Organisation(
                "gamma-university", "Gamma University", [], [span(text, "Gamma University")]
            ),
        ],
        people=[Person("dana-wu", "Dana Wu", "Ms", [span(text, "Dana Wu")])],
        roles=[
            RoleHolding(
                "dana-wu",
                "President",
                "gamma-university",
                [span(text, "Ms Dana Wu, President of Gamma University")],
            )
        ],
        agreements=[
            Agreement(
                "beta-gamma-cooperation-2023",
                "cooperation",
                date=date(2023, 7, 1),
                place="Riverton",
                end_date=date(2025, 6, 30),
                parties=["beta-science-park", "gamma-university"],
                signatories=[
                    Signatory(
                        "dana-wu",
                        "President",
                        "gamma-university",
                        None,
                        [span(text, "Ms Dana Wu, President of Gamma University")],
                    )
                ],
                areas=[
                    Area("telehealth", None, [span(text, "telehealth")]),
                    Area("medical robotics", None, [span(text, "medical robotics")]),
                ],
                evidence=[span(text, "signed a Co-operation Agreement today")],
                party_evidence={"gamma-university": span(text, "Gamma University signed")},
            )
        ],
    )
    return facts, text


def release_three(evil: bool = False) -> tuple[ReleaseFacts, str]:
    """Alpha, Delta Clinic and Epsilon Labs: a framework agreement running to 2030."""
    alpha = "Alpha Health Authority" + (" " + EVIL if evil else "")
    text = (
        "Three-way framework on digital health\n\n"
        f"(Riverton, 10 January 2025) The {alpha} (AHA), Delta Clinic and Epsilon Labs signed "
        "a Framework Agreement today on digital health, running for five years. "
        "Mr Evan Ho, Director of Delta Clinic, and Ms Fay Lin, Head of Epsilon Labs, signed it."
    )
    ev = span(text, "signed a Framework Agreement today")
    facts = ReleaseFacts(
        ReleaseInfo(
            "r3-framework",
            "Three-way framework on digital health",
            "alpha-health-authority",
            date(2025, 1, 10),
            "Riverton",
        ),
        organisations=[
            Organisation(
                "alpha-health-authority",
                alpha,
                ["AHA"],
                [span(text, alpha)],
                {"AHA": span(text, "AHA")},
            ),
            Organisation("delta-clinic", "Delta Clinic", [], [span(text, "Delta Clinic")]),
            Organisation("epsilon-labs", "Epsilon Labs", [], [span(text, "Epsilon Labs")]),
        ],
        people=[
            Person("evan-ho", "Evan Ho", "Mr", [span(text, "Evan Ho")]),
            Person("fay-lin", "Fay Lin", "Ms", [span(text, "Fay Lin")]),
        ],
        roles=[
            RoleHolding(
                "evan-ho",
                "Director",
                "delta-clinic",
                [span(text, "Mr Evan Ho, Director of Delta Clinic")],
            ),
            RoleHolding(
                "fay-lin", "Head", "epsilon-labs", [span(text, "Ms Fay Lin, Head of Epsilon Labs")]
            ),
        ],
        agreements=[
            Agreement(
                "digital-health-framework-2025",
                "framework",
                date=date(2025, 1, 10),
                place="Riverton",
                duration="P5Y",
                parties=["alpha-health-authority", "delta-clinic", "epsilon-labs"],
                signatories=[
                    Signatory(
                        "evan-ho",
                        "Director",
                        "delta-clinic",
                        None,
                        [span(text, "Mr Evan Ho, Director of Delta Clinic")],
                    ),
                    Signatory(
                        "fay-lin",
                        "Head",
                        "epsilon-labs",
                        None,
                        [span(text, "Ms Fay Lin, Head of Epsilon Labs")],
                    ),
                ],
                areas=[Area("digital health", None, [span(text, "digital health", 60)])],
                evidence=[ev],
            )
        ],
    )
    return facts, text


def build_store(path: Path, *, evil: bool = False) -> EmbeddedStore:
    """A store at ``path`` holding the three releases (open read-write; close it after)."""
    store = EmbeddedStore(path)
    for facts, text in (release_one(evil), release_two(), release_three(evil)):
        store.replace_graph(graph_iri(facts.release.key), map_release(facts, text=text))
    return store
