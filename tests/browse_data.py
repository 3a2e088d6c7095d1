"""Hand-made releases for the browsing tests: facts written by hand, mapped, stored.

Three short releases with five organisations, six people, three agreements (one ended, one
ending within six months of :data:`TODAY`, one running), areas and evidence spans found in the
text (:class:`helpers.handmade.Spans`). With ``evil=True`` an organisation and a person carry
:data:`EVIL` in their names, to prove that markup in the data is shown as characters everywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers.handmade import Spans

from kg.facts import Agreement, ReleaseFacts, ReleaseInfo, Speaker
from kg.mapping import graph_iri, map_release
from kg.store import EmbeddedStore

#: the day the tests take as today
TODAY = date(2025, 3, 1)
#: markup planted in names
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


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
    span = Spans(text)
    orgs = [
        span.org("alpha-health-authority", alpha, "AHA"),
        span.org("beta-science-park", "Beta Science Park", "BSP"),
    ]
    people = [
        span.person("mallory-chan", mallory, "Dr"),
        span.person("bob-lee", "Bob Lee", "Mr"),
        span.person("carol-sun", "Carol Sun", "Professor"),
    ]
    mallory_post = f"Dr {mallory}, Director of Health of the AHA"
    bob_post = "Mr Bob Lee, Chief Executive Officer of the BSP"
    signing = span("The MOU was signed by")
    mou = Agreement(
        "alpha-beta-mou-2022",
        "mou",
        date=date(2022, 3, 15),
        place="Riverton",
        duration="P3Y",
        parties=["alpha-health-authority", "beta-science-park"],
        signatories=[
            span.signatory(
                "mallory-chan", "Director of Health", "alpha-health-authority", mallory_post
            ),
            span.signatory("bob-lee", "Chief Executive Officer", "beta-science-park", bob_post),
        ],
        witnesses=[
            span.witness(
                "carol-sun",
                "Secretary for Innovation",
                None,
                "Professor Carol Sun, Secretary for Innovation",
            )
        ],
        areas=[span.area("telehealth"), span.area("health data")],
        evidence=[span("signed a Memorandum of Understanding today")],
        party_evidence={
            "alpha-health-authority": span(f"The {alpha} (AHA)"),
            "beta-science-park": span("the Beta Science Park (BSP)"),
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
            span.role("mallory-chan", "Director of Health", "alpha-health-authority", mallory_post),
            span.role("bob-lee", "Chief Executive Officer", "beta-science-park", bob_post),
        ],
        agreements=[mou],
        speakers=[Speaker("mallory-chan", "This is a good day,", [span("This is a good day,")])],
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
    span = Spans(text)
    dana_post = "Ms Dana Wu, President of Gamma University"
    facts = ReleaseFacts(
        ReleaseInfo(
            "r2-beta-gamma",
            "Beta and Gamma co-operate",
            "beta-science-park",
            date(2023, 7, 1),
            "Riverton",
        ),
        organisations=[
            span.org("beta-science-park", "Beta Science Park", "BSP"),
            span.org("gamma-university", "Gamma University"),
        ],
        people=[span.person("dana-wu", "Dana Wu", "Ms")],
        roles=[span.role("dana-wu", "President", "gamma-university", dana_post)],
        agreements=[
            Agreement(
                "beta-gamma-cooperation-2023",
                "cooperation",
                date=date(2023, 7, 1),
                place="Riverton",
                end_date=date(2025, 6, 30),
                parties=["beta-science-park", "gamma-university"],
                signatories=[span.signatory("dana-wu", "President", "gamma-university", dana_post)],
                areas=[span.area("telehealth"), span.area("medical robotics")],
                evidence=[span("signed a Co-operation Agreement today")],
                party_evidence={"gamma-university": span("Gamma University signed")},
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
    span = Spans(text)
    evan_post = "Mr Evan Ho, Director of Delta Clinic"
    fay_post = "Ms Fay Lin, Head of Epsilon Labs"
    facts = ReleaseFacts(
        ReleaseInfo(
            "r3-framework",
            "Three-way framework on digital health",
            "alpha-health-authority",
            date(2025, 1, 10),
            "Riverton",
        ),
        organisations=[
            span.org("alpha-health-authority", alpha, "AHA"),
            span.org("delta-clinic", "Delta Clinic"),
            span.org("epsilon-labs", "Epsilon Labs"),
        ],
        people=[
            span.person("evan-ho", "Evan Ho", "Mr"),
            span.person("fay-lin", "Fay Lin", "Ms"),
        ],
        roles=[
            span.role("evan-ho", "Director", "delta-clinic", evan_post),
            span.role("fay-lin", "Head", "epsilon-labs", fay_post),
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
                    span.signatory("evan-ho", "Director", "delta-clinic", evan_post),
                    span.signatory("fay-lin", "Head", "epsilon-labs", fay_post),
                ],
                areas=[span.area("digital health", after=60)],
                evidence=[span("signed a Framework Agreement today")],
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
