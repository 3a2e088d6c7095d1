"""SHACL validation of release graphs (kg.validate against ontology/shapes.ttl).

A small, well-formed two-party MOU is built by hand as facts and mapped; it must conform.
Then one thing at a time is broken in the mapped quads, and the message must name the
release, the focus node and the fact.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers.handmade import Spans
from rdflib import Dataset, Graph, Literal, URIRef

from kg.errors import ValidationError
from kg.facts import Agreement, ReleaseFacts, ReleaseInfo
from kg.mapping import Quad, graph_iri, map_release
from kg.namespace import FOAF, KG, ONTOLOGY_IRI, ORG, RDF, RDFS, SDO, SKOS, XSD
from kg.store import open_store
from kg.validate import check, validate_graph, validate_store

RELEASE = "001_test.txt"
TEXT = (
    "Alpha Health Agency (AHA) and Beta Science Park (BSP) signed a Memorandum of "
    "Understanding (MOU) today. The MOU covers two areas, namely (i) smart clinics; and "
    "(ii) data collaboration. Witnessed by the Director of Health, Dr Ronald Lam, the MOU was "
    "signed by the Head of AHA, Dr Liza To, and the Chief Executive Officer of BSP, "
    "Mr Albert Wong."
)
AGREEMENT = "agreement 'Memorandum of Understanding between Alpha Health Agency"


#: evidence (and facts with it) for the first occurrence of words in TEXT
ev = Spans(TEXT)


def mou_facts() -> ReleaseFacts:
    aha, bsp = "alpha-health-agency", "beta-science-park"
    ronald_post = "Director of Health, Dr Ronald Lam"
    return ReleaseFacts(
        ReleaseInfo(
            "001_test",
            title="AHA and BSP sign MOU",
            publisher=aha,
            published=date(2023, 8, 18),
            source_file=RELEASE,
            content_hash="6ab1" * 16,
        ),
        organisations=[
            ev.org(aha, "Alpha Health Agency", "AHA"),
            ev.org(bsp, "Beta Science Park", "BSP"),
        ],
        people=[
            ev.person("ronald-lam", "Ronald Lam", "Dr", "Dr Ronald Lam"),
            ev.person("liza-to", "Liza To", "Dr", "Dr Liza To"),
            ev.person("albert-wong", "Albert Wong", "Mr", "Mr Albert Wong"),
        ],
        roles=[ev.role("ronald-lam", "Director of Health", None, ronald_post)],
        agreements=[
            Agreement(
                "001_test-mou",
                "mou",
                date=date(2023, 8, 18),
                place="Hong Kong",
                duration="P3Y",
                start_date=date(2023, 8, 18),
                end_date=date(2026, 8, 17),
                parties=[aha, bsp],
                signatories=[
                    ev.signatory("liza-to", "Head", aha, "Head of AHA, Dr Liza To", aha),
                    ev.signatory(
                        "albert-wong",
                        "Chief Executive Officer",
                        bsp,
                        "Chief Executive Officer of BSP, Mr Albert Wong",
                        bsp,
                    ),
                ],
                witnesses=[ev.witness("ronald-lam", "Director of Health", None, ronald_post)],
                areas=[ev.area("smart clinics", "areas"), ev.area("data collaboration", "areas")],
                evidence=[ev("signed a Memorandum of Understanding (MOU) today")],
                party_evidence={aha: ev("Alpha Health Agency"), bsp: ev("Beta Science Park")},
            )
        ],
    )


@pytest.fixture
def quads() -> list[Quad]:
    return map_release(mou_facts(), text=TEXT)


BASE = "https://w3id.org/partnership-graph/id/"
AGREEMENT_IRI = URIRef(BASE + "agreement/001-test-mou")
BSP = URIRef(BASE + "org/beta-science-park")
LIZA = URIRef(BASE + "person/liza-to")
RONALD_POST = URIRef(BASE + "membership/ronald-lam/director-of-health")


def without(quads: list[Quad], s: object = None, p: object = None, o: object = None) -> list[Quad]:
    """``quads`` minus those matching the pattern (None matches anything)."""
    out = [
        q
        for q in quads
        if not ((s is None or q[0] == s) and (p is None or q[1] == p) and (o is None or q[2] == o))
    ]
    assert len(out) < len(quads), "the pattern matched nothing: the fixture changed"
    return out


def replaced(quads: list[Quad], s: object, p: object, new: object) -> list[Quad]:
    """``quads`` with the object of (s, p, *) replaced by ``new``."""
    graph = quads[0][3]
    return [*without(quads, s, p), (s, p, new, graph)]  # type: ignore[list-item]


def one_evidence(quads: list[Quad], text: str) -> URIRef:
    return next(s for s, p, o, _ in quads if p == KG.exactText and str(o) == text)  # type: ignore[return-value]


def assert_reported(messages: list[str], *parts: str) -> None:
    """Some line names the release and contains every one of ``parts``."""
    assert any(m.startswith(RELEASE + ": ") and all(p in m for p in parts) for m in messages), (
        "\n".join(messages)
    )


def test_well_formed_release_conforms(quads: list[Quad]) -> None:
    assert validate_graph(quads) == []
    check(quads)


def test_graph_and_dataset_inputs(quads: list[Quad]) -> None:
    graph = Graph()
    for s, p, o, _ in quads:
        graph.add((s, p, o))
    assert validate_graph(graph) == []
    dataset = Dataset()
    for s, p, o, g in quads:
        dataset.graph(g).add((s, p, o))
    dataset.graph(ONTOLOGY_IRI).add((KG.Agreement, RDFS.label, Literal("Agreement")))
    assert validate_graph(dataset) == []
    broken = without(quads, None, FOAF.name)
    for s, p, o, g in broken[:1]:
        dataset.graph(URIRef(str(g) + "-2")).add((s, p, o))
    assert validate_graph(dataset) != []


def test_signed_agreement_needs_two_parties(quads: list[Quad]) -> None:
    messages = validate_graph(without(quads, AGREEMENT_IRI, KG.party, BSP))
    assert_reported(messages, AGREEMENT, "kg:party", "at least two parties")
    # the signatory for the dropped party is flagged too
    assert_reported(messages, AGREEMENT, "kg:hasSigning", "not a party", "Albert Wong")


def test_planned_agreement_may_have_one_party(quads: list[Quad]) -> None:
    broken = without(quads, AGREEMENT_IRI, KG.party, BSP)
    broken = replaced(broken, AGREEMENT_IRI, KG.status, KG.Planned)
    messages = validate_graph(broken)
    assert not any("at least two parties" in m for m in messages)


def test_person_without_name(quads: list[Quad]) -> None:
    messages = validate_graph(without(quads, LIZA, FOAF.name))
    assert messages == [
        f"{RELEASE}: person 'Liza To': foaf:name: a person needs exactly one non-empty foaf:name"
    ]


def test_name_with_honorific(quads: list[Quad]) -> None:
    messages = validate_graph(replaced(quads, LIZA, FOAF.name, Literal("Dr Liza To")))
    assert_reported(messages, "person 'Liza To'", "foaf:name", "honorific", "'Dr Liza To'")


def test_a_persons_alias_is_an_alt_label_with_its_evidence() -> None:
    """A person's other name (kept by curation) maps to skos:altLabel with the span stating it,
    and conforms; an empty one does not."""
    facts = mou_facts()
    liza = facts.person("liza-to")
    assert liza is not None
    liza.aliases, liza.alias_evidence = ["To Liza"], {"To Liza": ev("Dr Liza To")}
    quads = map_release(facts, text=TEXT)
    graph = quads[0][3]
    assert (LIZA, SKOS.altLabel, Literal("To Liza"), graph) in quads
    stating = {s for s, p, o, _ in quads if p == RDF.object and o == Literal("To Liza")}
    assert any((s, RDF.predicate, SKOS.altLabel, graph) in quads for s in stating)
    assert validate_graph(quads) == []
    messages = validate_graph(replaced(quads, LIZA, SKOS.altLabel, Literal("")))
    assert_reported(messages, "person 'Liza To'", "skos:altLabel", "a person's alias")


def test_evidence_starting_after_its_end(quads: list[Quad]) -> None:
    node = one_evidence(quads, "Dr Liza To")
    end = next(o for s, p, o, _ in quads if s == node and p == KG.endOffset)
    messages = validate_graph(replaced(quads, node, KG.startOffset, Literal(int(end) + 5)))
    assert_reported(messages, "evidence 'Dr Liza To", "kg:startOffset", "starts after it ends")


def test_evidence_text_not_at_its_offsets(quads: list[Quad]) -> None:
    node = one_evidence(quads, "Dr Liza To")
    messages = validate_graph(replaced(quads, node, KG.exactText, Literal("Dr Lisa To")))
    assert_reported(messages, "release 'AHA and BSP sign MOU'", "kg:exactText", "'Dr Lisa To'")


def test_negative_offset(quads: list[Quad]) -> None:
    node = one_evidence(quads, "smart clinics")
    messages = validate_graph(replaced(quads, node, KG.startOffset, Literal(-1)))
    assert_reported(messages, "evidence 'smart clinics", "kg:startOffset", "non-negative")


def test_email_in_a_label(quads: list[Quad]) -> None:
    leaked = Literal("Beta Science Park (press@bsp.example.org)")
    broken = replaced(quads, BSP, RDFS.label, leaked)
    messages = validate_graph(broken)
    assert_reported(messages, "organisation <beta-science-park>", "rdfs:label", "e-mail address")
    assert not any("press@" in m for m in messages), "the address must not be echoed"
    assert validate_graph(broken, include_contacts=True) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Tel: +852 2629 6633", True),
        ("call 2629-6633 today", True),
        ("(852) 2837 4775", True),
        ("555 123 4567", True),
        ("Email: Sonia.Leung@edelman.com/", True),
        ("over the years 2023-2024 and 2023 2024", False),
        ("over 13,000 research professionals and nearly 1,400 companies", False),
        ("18 August 2023, P3Y, www.hkstp.org", False),
        ("6ab14cd06da14410" * 4, False),
    ],
)
def test_contact_detail_patterns(quads: list[Quad], text: str, flagged: bool) -> None:
    messages = validate_graph(replaced(quads, BSP, SKOS.altLabel, Literal(text)))
    assert any("skos:altLabel" in m for m in messages) is flagged, messages


def test_contact_link_iri(quads: list[Quad]) -> None:
    graph = quads[0][3]
    broken = [*quads, (BSP, SDO.email, URIRef("mailto:press@bsp.example.org"), graph)]
    assert_reported(validate_graph(broken), "organisation <beta-science-park>", "schema:email")


def test_membership_without_role(quads: list[Quad]) -> None:
    messages = validate_graph(without(quads, RONALD_POST, ORG.role))
    assert_reported(messages, "post 'Director of Health'", "org:role", "exactly one org:role")


def test_end_before_start(quads: list[Quad]) -> None:
    broken = replaced(quads, AGREEMENT_IRI, SDO.endDate, Literal("2020-01-01", datatype=XSD.date))
    assert_reported(validate_graph(broken), AGREEMENT, "schema:startDate", "after the end date")


def test_type_outside_the_scheme(quads: list[Quad]) -> None:
    broken = replaced(quads, AGREEMENT_IRI, KG.agreementType, KG.Signed)
    assert_reported(validate_graph(broken), AGREEMENT, "kg:agreementType", "kg:AgreementTypes")


def test_ill_typed_duration(quads: list[Quad]) -> None:
    broken = replaced(quads, AGREEMENT_IRI, KG.agreementType, KG.MemorandumOfUnderstanding)
    broken = replaced(
        broken,
        AGREEMENT_IRI,
        URIRef("http://www.w3.org/2006/time#hasXSDDuration"),
        Literal("three years", datatype=XSD.duration),
    )
    assert_reported(validate_graph(broken), AGREEMENT, "time:hasXSDDuration", "xsd:duration")


def test_witness_acting_in_someone_elses_post(quads: list[Quad]) -> None:
    witnessing = URIRef(str(AGREEMENT_IRI) + "/witnessing/ronald-lam")
    broken = replaced(
        quads,
        witnessing,
        KG.inCapacity,
        URIRef(BASE + "membership/liza-to/head/alpha-health-agency"),
    )
    assert_reported(validate_graph(broken), AGREEMENT, "kg:hasWitnessing", "not theirs")


def test_release_name_can_be_given(quads: list[Quad]) -> None:
    messages = validate_graph(without(quads, LIZA, FOAF.name), release="seed")
    assert messages[0].startswith("seed: person 'Liza To'")


def test_check_raises_with_every_message(quads: list[Quad]) -> None:
    broken = without(without(quads, LIZA, FOAF.name), RONALD_POST, ORG.role)
    with pytest.raises(ValidationError) as info:
        check(broken)
    assert len(info.value.messages) >= 2
    assert isinstance(info.value, ValueError)


def test_store_release_graphs(tmp_path: Path, quads: list[Quad]) -> None:
    graph = graph_iri("001_test")
    with open_store(tmp_path / "store") as store:
        store.replace_graph(graph, quads)
        # the ontology's own graph (as the build stores it) is not a release: skipped
        store.replace_graph(ONTOLOGY_IRI, [(KG.Agreement, RDF.type, FOAF.Person, ONTOLOGY_IRI)])
        assert validate_store(store) == []
        store.replace_graph(graph, without(quads, LIZA, FOAF.name))
        other = graph_iri("002_other")
        store.replace_graph(
            other, [(q[0], q[1], q[2], other) for q in without(quads, RONALD_POST, ORG.role)]
        )
        messages = validate_store(store)
    assert (
        f"{RELEASE}: person 'Liza To': foaf:name: a person needs exactly one non-empty foaf:name"
        in messages
    )
    assert any("post 'Director of Health': org:role" in m for m in messages)
    assert len(messages) >= 2


def test_flattened_shapes_give_the_same_results(quads: list[Quad]) -> None:
    """For pySHACL (the reference engine), kg.validate moves nested property shapes to their
    node shape's targets (for speed); on a graph broken in many ways at once, the results
    are the same as the file's own."""
    from kg.validate import _lines, _pyshacl_violations, _work_graph, shapes_graph

    broken = without(quads, AGREEMENT_IRI, KG.party, BSP)
    broken = without(broken, LIZA, FOAF.name)
    broken = without(broken, RONALD_POST, ORG.role)
    node = one_evidence(broken, "smart clinics")
    broken = replaced(broken, node, KG.startOffset, Literal(10_000))
    broken = replaced(broken, BSP, SKOS.altLabel, Literal("+852 2629 6633"))
    work = _work_graph([(s, p, o) for s, p, o, _ in broken])
    nested = set(_lines(_pyshacl_violations(work, shapes_graph(flat=False)), work, RELEASE))
    assert len(nested) >= 5
    assert set(_lines(_pyshacl_violations(work, shapes_graph()), work, RELEASE)) == nested


def test_a_batch_reports_each_release_on_its_own(quads: list[Quad]) -> None:
    """check_batch validates releases together but each on its own: a broken release among
    good ones gets its own error and no other; two releases of the same graph (two files
    with one release id) are not merged; a release whose fault another would mend (the
    person's name it lacks is in the other graph) is still reported."""
    from kg.mapping import nquads
    from kg.validate import check_batch

    graph = quads[0][3]
    nameless = without(quads, LIZA, FOAF.name)
    other = URIRef(str(graph) + "-other")
    batch = [
        ("good.txt", graph, nquads(quads, graph).encode()),
        ("nameless.txt", other, nquads(nameless, other).encode()),
        ("same-graph.txt", graph, nquads(nameless, graph).encode()),
        ("good-again.txt", other, nquads(quads, other).encode()),
    ]
    errors = check_batch(batch)
    assert [error is None for error in errors] == [True, False, False, True]
    for error, name in ((errors[1], "nameless.txt"), (errors[2], "same-graph.txt")):
        assert isinstance(error, ValidationError)
        assert error.messages == [
            f"{name}: person 'Liza To': foaf:name: a person needs exactly one non-empty foaf:name"
        ]
