"""One entity across releases: the same person or organisation in several releases is one
node, whose roles carry the release dates, and whose aliases from every release merge.

The three releases of ``tests/data/identity/`` (invented bodies and people) are built through
the command line into an on-disk store, without curation:

* Dr Martin Tse is Director of Health in March 2023 and Permanent Secretary for Health in
  January 2025;
* Professor Alan Fung (2023) is "Prof. Alan Fung" in June 2025;
* the "Victoria Harbour Science & Technology Parks Corporation (VHSTP)" of 2023 is the
  "Victoria Harbour Science and Technology Parks Corporation (VHSTPC)" of 2025;
* the Harbour Hospital Authority is defined as "(HHA)" in January 2025 and named in full, then
  only as "the HHA", in June 2025.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.kgrun import IDENTITY, kg, query

FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KG = "https://w3id.org/partnership-graph/ontology#"
BASE = "https://w3id.org/partnership-graph/id/"
VHSTP = BASE + "org/victoria-harbour-science-and-technology-parks-corporation"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The three identity releases, built by ``kg build`` with no curation file."""
    path = tmp_path_factory.mktemp("identity") / "store"
    run = kg("--store", path, "build", IDENTITY, "--curation", "")
    assert run.code == 0, run.err
    assert "built 3 release(s)" in run.out
    yield path


def select(store: Path, sparql: str) -> set[tuple[str, ...]]:
    return set(query(store, sparql))


def test_a_person_in_two_releases_is_one_node(store: Path) -> None:
    found = select(
        store,
        f'SELECT DISTINCT ?p ?g WHERE {{ GRAPH ?g {{ ?p <{FOAF}name> "Martin Tse" }} }}',
    )
    assert {p for p, _ in found} == {BASE + "person/martin-tse"}
    assert len({g for _, g in found}) == 2


def test_the_person_has_two_dated_roles(store: Path) -> None:
    found = select(
        store,
        "SELECT DISTINCT ?m ?date WHERE { GRAPH ?g { "
        f"?m a <{ORG}Membership> ; <{ORG}member> <{BASE}person/martin-tse> ; "
        f"<{KG}attestedOn> ?date }} }}",
    )
    assert len({m for m, _ in found}) == 2, "one org:Membership per role"
    assert sorted(d for _, d in found) == ["2023-03-15", "2025-01-20"]


def test_role_history_lists_each_role_with_its_release_date(store: Path) -> None:
    history = query(store, "role_history")
    assert [r for r in history if r[0] == "Martin Tse"] == [
        ("Martin Tse", "Director of Health", "Harbour Health Department", "2023-03-15"),
        ("Martin Tse", "Permanent Secretary for Health", "", "2025-01-20"),
    ]
    assert [r for r in history if r[0] == "Alan Fung"] == [
        ("Alan Fung", "Secretary for Health", "", "2023-03-15"),
        ("Alan Fung", "President", "Kowloon Bay University", "2025-06-02"),
    ]
    dates = [r[3] for r in history]
    assert all(len(d) == 10 and d[4] == "-" for d in dates), dates


def test_honorific_spellings_give_one_person(store: Path) -> None:
    """ "Professor Alan Fung" and "Prof. Alan Fung": the key drops the honorific."""
    found = select(
        store,
        f'SELECT DISTINCT ?p ?h WHERE {{ GRAPH ?g {{ ?p <{FOAF}name> "Alan Fung" ; '
        "<https://schema.org/honorificPrefix> ?h } }",
    )
    assert {p for p, _ in found} == {BASE + "person/alan-fung"}
    assert {h for _, h in found} == {"Professor", "Prof."}


def test_ampersand_and_and_give_one_organisation_with_merged_aliases(store: Path) -> None:
    names = select(
        store,
        f"SELECT DISTINCT ?o ?name WHERE {{ GRAPH ?g {{ ?o <{SKOS}prefLabel> ?name ; "
        f"a <{ORG}Organization> . FILTER(CONTAINS(?name, 'Parks Corporation')) }} }}",
    )
    assert {o for o, _ in names} == {VHSTP}
    assert {n for _, n in names} == {
        "Victoria Harbour Science & Technology Parks Corporation",
        "Victoria Harbour Science and Technology Parks Corporation",
    }
    aliases = select(
        store, f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ <{VHSTP}> <{SKOS}altLabel> ?a }} }}"
    )
    assert aliases == {("VHSTP",), ("VHSTPC",)}


def test_an_acronym_defined_in_one_release_and_used_in_another_is_one_node(store: Path) -> None:
    found = select(
        store,
        "SELECT DISTINCT ?o ?g WHERE { GRAPH ?g { "
        f'?a <{KG}party> ?o . ?o <{SKOS}prefLabel> "Harbour Hospital Authority" }} }}',
    )
    assert {o for o, _ in found} == {BASE + "org/harbour-hospital-authority"}
    assert len({g for _, g in found}) == 2, "a party in both of its releases"
    parties = query(store, "parties")
    assert sum(1 for _, org in parties if org == "Harbour Hospital Authority") == 2


def test_the_person_is_one_node_across_signings_in_two_releases(store: Path) -> None:
    signed = [r for r in query(store, "signatories") if r[1] == "Simon Yeung"]
    assert len(signed) == 2
    found = select(
        store,
        f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s <http://www.w3.org/ns/prov#agent> ?p . "
        f'?p <{FOAF}name> "Simon Yeung" }} }}',
    )
    assert found == {(BASE + "person/simon-yeung",)}


def test_rebuilding_skips_every_release(store: Path) -> None:
    run = kg("--store", store, "build", IDENTITY, "--curation", "")
    assert run.code == 0, run.err
    assert "built 0 release(s), skipped 3 unchanged" in run.out


def test_unsure_lists_the_weak_rule_of_a_surname_only_person(store: Path) -> None:
    """ "Dr Wong" (no given name) is found by a weak rule: below 0.8, so `unsure` lists it."""
    rows = query(store, "unsure")
    assert (
        "KBU and HHA sign MOU on nursing simulation",
        "Wong",
        "foaf:name",
        "Dr Wong",
        "honorific-name",
        "0.6",
    ) in rows
    assert all(float(r[5]) < 0.8 for r in rows)
    run = kg("--store", store, "build", IDENTITY, "--curation", "", "--force")
    assert "unsure: " in run.err and "person known only as Dr Wong" in run.err
