"""The curation file: merge, split, rename and retract change the named queries' rows; a bad
file is one error naming every bad rule, with the store unchanged; editing the file rebuilds
the releases it changes, and only those.

Builds run through the command line on the releases of ``tests/data/identity/`` (see
``tests/test_identity.py`` for what they state); the pure part (:func:`kg.curation.apply`)
is tested on facts built by hand.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from helpers.kgrun import IDENTITY, ROOT, kg, query

from kg.curation import CurationError, apply, curate, load, parse
from kg.facts import (
    Agreement,
    Evidence,
    Organisation,
    Person,
    ReleaseFacts,
    ReleaseInfo,
    RoleHolding,
    Signatory,
)

BASE = "https://w3id.org/partnership-graph/id/"
KG = "https://w3id.org/partnership-graph/ontology#"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
SKOS = "http://www.w3.org/2004/02/skos/core#"
R2023, R2025, RJUNE = "2023-03-15-hhd-vhstp", "2025-01-20-hha-vhstp", "2025-06-02-hha-kowloon"
VHSTP_AND = "Victoria Harbour Science and Technology Parks Corporation"
VHSTP_AMP = "Victoria Harbour Science & Technology Parks Corporation"
JUNE_MOU = (
    "Memorandum of Understanding between Kowloon Bay University and Harbour Hospital Authority"
)


def build(tmp_path: Path, rules: str | None, *extra: str) -> tuple[Path, str, str]:
    """Build the identity releases into ``tmp_path/store`` with ``rules`` as the curation
    file (None: no curation); returns the store, stdout and stderr."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    curation = tmp_path / "curation.toml"
    if rules is not None:
        curation.write_text(rules, encoding="utf-8")
    store = tmp_path / "store"
    run = kg("--store", store, "build", IDENTITY, "--curation", curation if rules else "", *extra)
    assert run.code == 0, run.err
    return store, run.out, run.err


def methods(store: Path, predicate: str, value: str) -> set[tuple[str, str]]:
    """(method, confidence) of the evidence for facts ``?s predicate "value"``."""
    sparql = (
        f"SELECT DISTINCT ?m ?c WHERE {{ GRAPH ?g {{ ?e <{KG}method> ?m ; <{KG}confidence> ?c ; "
        f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{predicate}> ; "
        f'<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> "{value}" }} }}'
    )
    return set(query(store, sparql))  # type: ignore[arg-type]


def person_aliases(store: Path) -> set[tuple[str, str]]:
    """(person IRI, alias) for every skos:altLabel of a foaf:Person."""
    sparql = (
        f"SELECT DISTINCT ?p ?alias WHERE {{ GRAPH ?g {{ ?p <{SKOS}altLabel> ?alias ; "
        "a <http://xmlns.com/foaf/0.1/Person> } }"
    )
    return {(person, alias) for person, alias in query(store, sparql)}


# ------------------------------------------------------------------------ the operations


def test_merge_people_and_organisations(tmp_path: Path) -> None:
    store, _, err = build(
        tmp_path,
        """
[[merge]]
into = "person:wong-ka-ho"
others = ["person:wong"]
name = "Wong Ka-ho"
reason = "Dr Wong of the June release is the HHA's Dr Wong Ka-ho."

[[merge]]
into = "org:Kowloon Bay University"
others = ["org:university-council"]
name = "Kowloon Bay University"
""",
    )
    assert "curation:" not in err
    speakers = query(store, "speakers")
    assert ("KBU and HHA sign MOU on nursing simulation", "Wong Ka-ho") in speakers
    assert all(person != "Wong" for _, person in speakers)
    people = set(
        query(store, f'SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?p <{FOAF_NAME}> "Wong Ka-ho" }} }}')
    )
    assert people == {(BASE + "person/wong-ka-ho",)}
    # the surname-only name stays as the person's alias; `aliases` lists organisations only
    assert person_aliases(store) == {(BASE + "person/wong-ka-ho", "Wong")}
    assert methods(store, SKOS + "altLabel", "Wong") == {("curation", "1")}
    assert all(alias != "Wong" for _, alias in query(store, "aliases"))
    # the curator resolved the surname-only mention: no longer an unsure fact
    assert all(row[1] != "Wong" for row in query(store, "unsure"))
    assert methods(store, FOAF_NAME, "Wong Ka-ho") >= {("curation", "1")}

    witnesses = [r for r in query(store, "witnesses") if r[0] == JUNE_MOU]
    assert witnesses == [(JUNE_MOU, "Chan Tai-man", "Chairman", "Kowloon Bay University")]
    assert ("Kowloon Bay University", "University Council") in query(store, "aliases")


def test_rename_gives_one_display_name_and_keeps_the_old_as_alias(tmp_path: Path) -> None:
    store, _, _ = build(
        tmp_path,
        f'[[rename]]\nkey = "org:{VHSTP_AMP}"\nname = "{VHSTP_AND}"\n',
    )
    parties = {org for _, org in query(store, "parties")}
    assert VHSTP_AND in parties and VHSTP_AMP not in parties
    aliases = {alias for org, alias in query(store, "aliases") if org == VHSTP_AND}
    assert aliases == {"VHSTP", "VHSTPC", VHSTP_AMP}
    assert not [r for r in query(store, "aliases") if r[0] == VHSTP_AMP]
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert ("curation", "1") in methods(store, skos + "prefLabel", VHSTP_AND)
    assert ("curation", "1") in methods(store, skos + "altLabel", VHSTP_AMP)


def test_rename_keeps_a_persons_former_name_as_alias(tmp_path: Path) -> None:
    store, _, _ = build(
        tmp_path, '[[rename]]\nkey = "person:chan-tai-man"\nname = "Chan Tai Man"\n'
    )
    assert person_aliases(store) == {(BASE + "person/chan-tai-man", "Chan Tai-man")}
    assert methods(store, SKOS + "altLabel", "Chan Tai-man") == {("curation", "1")}
    assert all(alias != "Chan Tai-man" for _, alias in query(store, "aliases"))


def test_split_separates_a_person_in_the_given_releases(tmp_path: Path) -> None:
    store, _, _ = build(
        tmp_path,
        f"""
[[split]]
key = "person:chan-tai-man"
releases = ["{RJUNE}"]
new_key = "chan-tai-man-kbu"
reason = "The KBU council chairman is not the science park's chairman."
""",
    )
    found = set(
        query(
            store,
            "SELECT DISTINCT ?p ?date WHERE { GRAPH ?g { ?m <http://www.w3.org/ns/org#member> ?p ; "
            f'<{KG}attestedOn> ?date . ?p <http://xmlns.com/foaf/0.1/name> "Chan Tai-man" }} }}',
        )
    )
    assert found == {
        (BASE + "person/chan-tai-man", "2025-01-20"),
        (BASE + "person/chan-tai-man-kbu", "2025-06-02"),
    }
    assert ("Chan Tai-man", "Chairman", "University Council", "2025-06-02") in query(
        store, "role_history"
    )


def test_retract_each_kind_of_fact(tmp_path: Path) -> None:
    plain, _, _ = build(tmp_path / "plain", None)
    store, _, _ = build(
        tmp_path / "curated",
        f"""
[[retract]]
fact = "role"
person = "person:martin-tse"
title = "Director of Health"
releases = ["{R2023}"]

[[retract]]
fact = "alias"
organisation = "org:{VHSTP_AND}"
alias = "VHSTPC"

[[retract]]
fact = "speaker"
person = "person:wong"

[[retract]]
fact = "agreement"
agreement = "{JUNE_MOU}"

[[retract]]
fact = "area"
area = "school dental services"
""",
    )

    def diff(name: str) -> set[tuple[str, ...]]:
        return set(query(plain, name)) - set(query(store, name))

    # the roles the retracted agreement's signing states stay: the release states them
    assert diff("role_history") == {
        ("Martin Tse", "Director of Health", "Harbour Health Department", "2023-03-15"),
    }
    signed = [r for r in query(store, "signatories") if r[1] == "Martin Tse"]
    assert [r[2:] for r in signed] == [("", "")]
    assert diff("aliases") == {(VHSTP_AND, "VHSTPC")}
    assert diff("speakers") == {("KBU and HHA sign MOU on nursing simulation", "Wong")}
    assert {r[0] for r in diff("agreements")} == {JUNE_MOU}
    assert JUNE_MOU not in {r[0] for r in query(store, "parties")}
    assert {r[1] for r in diff("areas") if r[0] != JUNE_MOU} == {"school dental services"}


def test_retracting_a_party_of_a_two_party_agreement_fails_that_release(tmp_path: Path) -> None:
    """A signed agreement needs two parties: the curated release breaks the shapes, so it is
    reported and its stored graph is kept; the other releases are built."""
    store, _, _ = build(tmp_path, None)
    rule = '[[retract]]\nfact = "party"\norganisation = "org:kowloon-bay-university"\n'
    (tmp_path / "party.toml").write_text(rule + f'releases = ["{RJUNE}"]\n', encoding="utf-8")
    run = kg("--store", store, "build", IDENTITY, "--curation", tmp_path / "party.toml")
    assert run.code == 1
    assert f"{RJUNE}.txt: breaks the shapes" in run.err
    assert "a signed agreement needs at least two parties" in run.err
    assert (JUNE_MOU, "Kowloon Bay University") in query(store, "parties")


def test_retract_a_party_link_keeps_the_other_parties() -> None:
    facts = _facts()
    facts.agreements[0].parties.append("c")
    facts.organisations.append(Organisation("c", "Gamma"))
    out = apply(parse('[[retract]]\nfact = "party"\norganisation = "org:c"\n'), facts)
    assert out.agreements[0].parties == ["ha", "b"]


# ------------------------------------------------------------------ errors and rebuilds

BAD = """\
[[merge]]
into = "person:wong-ka-ho"
others = []

[[rename]]
key = "hha"
name = "Harbour Hospital Authority"

[[retract]]
fact = "speech"
person = "person:wong"

[[mrege]]
into = "org:a"

[[split]]
key = "person:chan-tai-man"
new_key = "chan-tai-man"
releases = ["x"]
nmae = "Chan"
"""


def test_a_bad_file_is_one_error_naming_every_bad_rule() -> None:
    with pytest.raises(CurationError) as caught:
        parse(BAD, path="data/curation/curation.toml")
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "rule 1 (merge), line 1",
        "rule 2 (rename), line 5",
        "rule 3 (retract), line 9",
        "rule 4 (mrege), line 13",
        "rule 5 (split), line 16",
    ]
    message = str(caught.value)
    assert message.startswith("curation.toml: 5 bad rules: rule 1 (merge), line 1: ")
    assert "\n" not in message
    assert "'org:KEY' or 'person:KEY'" in message
    assert "unknown field 'nmae'" in message
    assert "unknown operation 'mrege'" in message
    assert isinstance(caught.value, ValueError)


def test_conflicting_rules_and_toml_syntax_are_errors() -> None:
    two = (
        '[[merge]]\ninto = "org:a"\nothers = ["org:b"]\nname = "A"\n\n'
        '[[merge]]\ninto = "org:c"\nothers = ["org:b"]\nname = "C"\n'
    )
    with pytest.raises(CurationError, match=r"rule 2 \(merge\), line 6: org:b is already merged"):
        parse(two)
    chain = (
        '[[merge]]\ninto = "org:a"\nothers = ["org:b"]\nname = "A"\n'
        '[[rename]]\nkey = "org:b"\nname = "B"\n'
    )
    with pytest.raises(CurationError, match=r"org:b is merged away by rule 1 \(merge\)"):
        parse(chain)
    with pytest.raises(CurationError, match="not valid TOML"):
        parse("[[merge]\n")


def test_a_bad_file_leaves_the_store_unchanged(tmp_path: Path) -> None:
    store, _, _ = build(tmp_path, None)
    assert kg("--store", store, "export", "-o", tmp_path / "before.nq").code == 0
    (tmp_path / "bad.toml").write_text(BAD, encoding="utf-8")
    run = kg("--store", store, "build", IDENTITY, "--curation", tmp_path / "bad.toml", "--force")
    assert run.code == 1
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bad.toml: 5 bad rules: ")
    assert kg("--store", store, "export", "-o", tmp_path / "after.nq").code == 0
    before = (tmp_path / "before.nq").read_bytes()
    assert before and (tmp_path / "after.nq").read_bytes() == before
    fresh = kg("--store", tmp_path / "new", "build", IDENTITY, "--curation", tmp_path / "bad.toml")
    assert fresh.code == 1 and not (tmp_path / "new").exists()
    missing = kg("--store", store, "build", IDENTITY, "--curation", tmp_path / "nope.toml")
    assert missing.code == 1 and "nope.toml: 1 bad rule: cannot be read" in missing.err


def counts(out: str) -> tuple[int, int]:
    found = re.search(r"built (\d+) release\(s\), skipped (\d+)", out)
    assert found, out
    return int(found.group(1)), int(found.group(2))


def test_editing_the_file_rebuilds_the_releases_it_changes(tmp_path: Path) -> None:
    rename = f'[[rename]]\nkey = "org:{VHSTP_AMP}"\nname = "{{name}}"\n'
    _, out, _ = build(tmp_path, "# nothing yet\n")
    assert counts(out) == (3, 0)
    _, out, _ = build(tmp_path, "# nothing yet, reworded\n")
    assert counts(out) == (0, 3), "comments change no release"
    # the organisation is in the 2023 and January 2025 releases only
    _, out, _ = build(tmp_path, rename.format(name=VHSTP_AND))
    assert counts(out) == (1, 2), "January 2025 already says 'and': the rule changes 2023 only"
    _, out, _ = build(tmp_path, rename.format(name=VHSTP_AND))
    assert counts(out) == (0, 3)
    store, out, _ = build(tmp_path, rename.format(name="VH Science Park"))
    assert counts(out) == (2, 1)
    assert "VH Science Park" in {org for _, org in query(store, "parties")}
    _, out, _ = build(tmp_path, "# rule removed\n")
    assert counts(out) == (2, 1), "the releases it changed go back to their extracted facts"
    assert VHSTP_AMP in {org for _, org in query(store, "parties")}


def test_a_rule_that_changes_nothing_is_reported(tmp_path: Path) -> None:
    _, _, err = build(
        tmp_path,
        '\n[[merge]]\ninto = "person:wong-ka-ho"\nothers = ["person:wong-kaho"]\n'
        'name = "Wong Ka-ho"\n',
    )
    assert (
        "curation: rule 1 (merge), line 2: changed nothing in the 3 release(s) of this build; "
        "not in any of them: person:wong-kaho"
    ) in err


def test_the_shipped_file_is_valid_and_has_no_active_rules() -> None:
    shipped = load(ROOT / "data" / "curation" / "curation.toml")
    assert shipped.rules == ()
    examples = re.sub(
        r"(?m)^# (\[\[|[a-z_]+ = )",
        r"\1",
        shipped_text := (ROOT / "data/curation/curation.toml").read_text(encoding="utf-8"),
    )
    assert examples != shipped_text
    assert [r.op for r in parse(examples).rules] == [
        "merge",
        "split",
        "rename",
        "retract",
        "retract",
        "retract",
    ]


# --------------------------------------------------------------------- the pure function


def _facts() -> ReleaseFacts:
    ev = Evidence(0, 2, "HA", "acronym-definition", 0.85)
    return ReleaseFacts(
        ReleaseInfo("r1", publisher="ha"),
        organisations=[Organisation("ha", "HA", evidence=[ev]), Organisation("b", "Beta")],
        people=[Person("lee", "Lee", "Dr", [Evidence(3, 9, "Dr Lee", "honorific-name", 0.6)])],
        roles=[RoleHolding("lee", "Chair", "ha")],
        agreements=[
            Agreement(
                "k", "mou", parties=["ha", "b"], signatories=[Signatory("lee", "Chair", "ha", "ha")]
            )
        ],
    )


def test_apply_is_pure_and_rekeys_every_reference() -> None:
    facts = _facts()
    before = copy.deepcopy(facts)
    rules = parse(
        '[[merge]]\ninto = "org:hospital-authority"\nothers = ["org:ha"]\n'
        'name = "Hospital Authority"\n'
    )
    out, trace = curate(rules, facts)
    assert facts == before, "the input is not changed"
    org = out.organisation("hospital-authority")
    assert org is not None and org.name == "Hospital Authority" and org.aliases == ["HA"]
    assert org.alias_evidence["HA"].method == "curation"
    assert out.release.publisher == "hospital-authority"
    assert out.roles[0].organisation == "hospital-authority"
    assert out.agreements[0].parties == ["hospital-authority", "b"]
    assert out.agreements[0].signatories[0].on_behalf_of == "hospital-authority"
    assert trace.applied == (1,) and trace.fingerprint
    assert apply(None, facts) is facts
    assert curate(parse("# empty\n"), facts) == (facts, curate(None, facts)[1])


def test_merging_two_present_people_folds_their_facts() -> None:
    facts = _facts()
    facts.people.append(Person("lee-ka-ming", "Lee Ka-ming", "Dr"))
    facts.roles.append(RoleHolding("lee-ka-ming", "Chair", "ha"))
    facts.agreements[0].signatories.append(Signatory("lee-ka-ming", None, None, None))
    out = apply(
        parse(
            '[[merge]]\ninto = "person:lee-ka-ming"\nothers = ["person:lee"]\n'
            'name = "Lee Ka-ming"\n'
        ),
        facts,
    )
    assert [p.key for p in out.people] == ["lee-ka-ming"]
    assert [(r.person, r.title) for r in out.roles] == [("lee-ka-ming", "Chair")]
    (signatory,) = out.agreements[0].signatories
    assert (signatory.person, signatory.role, signatory.organisation) == (
        "lee-ka-ming",
        "Chair",
        "ha",
    )


def test_a_person_keeps_a_merged_or_former_name_as_alias() -> None:
    facts = _facts()
    facts.people.append(Person("lee-ka-ming", "Lee Ka-ming", "Dr"))
    merged = apply(
        parse(
            '[[merge]]\ninto = "person:lee-ka-ming"\nothers = ["person:lee"]\n'
            'name = "Lee Ka-ming"\n'
        ),
        facts,
    )
    (person,) = merged.people
    assert (person.name, person.aliases) == ("Lee Ka-ming", ["Lee"])
    assert person.alias_evidence == {"Lee": Evidence(3, 9, "Dr Lee", "curation", 1.0)}
    renamed = apply(parse('[[rename]]\nkey = "person:lee"\nname = "Lee Ka-ming"\n'), _facts())
    (person,) = renamed.people
    assert (person.key, person.name, person.aliases) == ("lee", "Lee Ka-ming", ["Lee"])
    assert person.alias_evidence["Lee"].method == "curation"
    back = apply(parse('[[rename]]\nkey = "person:lee"\nname = "Lee"\n'), renamed)
    assert (back.people[0].name, back.people[0].aliases) == ("Lee", ["Lee Ka-ming"])


def test_a_rule_limited_to_other_releases_changes_nothing() -> None:
    facts = _facts()
    rules = parse('[[rename]]\nkey = "org:ha"\nname = "X"\nreleases = ["r2"]\n')
    out, trace = curate(rules, facts)
    assert out == facts and trace.applied == () and trace.fingerprint == ""
