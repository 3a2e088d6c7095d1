"""The seed release end to end: build through the CLI into an on-disk store, then the eight
named queries, validation and a byte-identical export on rebuild (issue 2's "done when")."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import SEED, clear_remote

from kg.cli import main

TITLE = "HKSTP and DH sign MOU to drive digital transformation in public health"
HKSTP = "Hong Kong Science and Technology Parks Corporation"
DH = "Department of Health"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(capsys: pytest.CaptureFixture[str], store: list[str], name: str) -> list[dict[str, str]]:
    code, out, err = run(capsys, *store, "query", name, "--format", "csv")
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture(scope="module", params=["embedded", "remote"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The seed built through the CLI; the store options to reach it.

    The same tests run on the on-disk store and on a live Oxigraph server (issue 6).
    """
    if request.param == "embedded":
        store = ["--store", str(tmp_path_factory.mktemp("seed") / "store")]
    else:
        server = request.getfixturevalue("oxigraph_server")
        clear_remote(server["update"])
        store = ["--store", server["query"], "--update-url", server["update"]]
    assert main([*store, "build", str(SEED.parent)]) == 0
    return store


def test_one_signed_mou(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    (agreement,) = rows(capsys, built, "agreements")
    assert agreement["type"] == "MOU"
    assert agreement["date"] == "2023-08-18"
    assert agreement["place"] == "Hong Kong"
    assert agreement["duration"] == "P3Y"
    assert HKSTP in agreement["agreement"] and DH in agreement["agreement"]


def test_parties(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert {r["organisation"] for r in rows(capsys, built, "parties")} == {HKSTP, DH}


def test_signatories(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    got = {(r["person"], r["role"], r["organisation"]) for r in rows(capsys, built, "signatories")}
    assert got == {
        ("Liza To", "Head, Health Informatics and Technology Office", DH),
        ("Albert Wong", "Chief Executive Officer", HKSTP),
    }


def test_witnesses(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    got = {(r["person"], r["role"], r["organisation"]) for r in rows(capsys, built, "witnesses")}
    assert {(p, r) for p, r, _ in got} == {
        ("Sun Dong", "Secretary for Innovation, Technology and Industry"),
        ("Ronald Lam", "Director of Health"),
        ("Sunny Chai", "Chairman"),
    }
    assert ("Sunny Chai", "Chairman", HKSTP) in got


def test_all_ten_areas(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    areas = {r["area"] for r in rows(capsys, built, "areas")}
    assert areas == {
        "health regulatory affairs",
        "health protection and health promotion",
        "health administration",
        "dental and clinical services",
        "smart health regulatory functions",
        "smart clinics",
        "smart workflow re-engineering",
        "smart customer services",
        "online engagement",
        "data collaboration",
    }


def test_roles(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    got = {(r["person"], r["role"], r["organisation"]) for r in rows(capsys, built, "roles")}
    assert ("Albert Wong", "Chief Executive Officer", HKSTP) in got
    assert ("Liza To", "Head, Health Informatics and Technology Office", DH) in got
    assert ("Sunny Chai", "Chairman", HKSTP) in got
    people = {p for p, _, _ in got}
    assert {"Sun Dong", "Ronald Lam"} <= people


def test_aliases(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    got = {(r["organisation"], r["alias"]) for r in rows(capsys, built, "aliases")}
    assert {(HKSTP, "HKSTP"), (HKSTP, "HKSTPC"), (DH, "DH")} <= got


def test_speakers(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    got = {(r["release"], r["person"]) for r in rows(capsys, built, "speakers")}
    assert got == {(TITLE, "Sun Dong"), (TITLE, "Ronald Lam"), (TITLE, "Sunny Chai")}


def test_no_personal_contact_data_anywhere(
    built: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, *built, "export", "--format", "nquads")
    assert code == 0
    for secret in ("2629 6633", "9684 9460", "angela.lau@", "@edelman.com", "2837 4775"):
        assert secret not in out


def test_validate_passes(built: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *built, "validate")
    assert code == 0, err


def test_rebuild_gives_byte_identical_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = []
    for name in ("a", "b"):
        store = tmp_path / name
        assert main(["--store", str(store), "build", str(SEED)]) == 0
        assert main(["--store", str(store), "build", "--force", str(SEED)]) == 0
        out = tmp_path / f"{name}.nq"
        assert main(["--store", str(store), "export", "--format", "nquads", "-o", str(out)]) == 0
        exports.append(out.read_bytes())
    capsys.readouterr()
    assert exports[0] == exports[1]
    assert exports[0].count(b"\n") > 100


def test_unchanged_release_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert main(["--store", str(store), "build", str(SEED)]) == 0
    assert main(["--store", str(store), "build", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 unchanged" in out


def test_an_unchanged_release_is_not_extracted_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without curation, a rebuild reads an unchanged file and skips it without extracting
    it (most of the cost); a changed file is extracted and rebuilt."""
    import kg.build

    store, release = tmp_path / "store", tmp_path / "releases" / SEED.name
    release.parent.mkdir()
    release.write_bytes(SEED.read_bytes())
    assert main(["--store", str(store), "build", str(release.parent)]) == 0
    capsys.readouterr()

    def no_extraction(doc: object) -> None:
        raise AssertionError("an unchanged release was extracted")

    monkeypatch.setattr(kg.build, "extract", no_extraction)
    assert main(["--store", str(store), "build", str(release.parent)]) == 0
    assert "built 0 release(s), skipped 1 unchanged" in capsys.readouterr().out
    release.write_text(SEED.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    monkeypatch.undo()
    assert main(["--store", str(store), "build", str(release.parent)]) == 0
    assert "built 1 release(s), skipped 0 unchanged" in capsys.readouterr().out


def test_every_edge_of_an_agreement_has_evidence(
    built: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    query = """
    PREFIX kg: <https://w3id.org/partnership-graph/ontology#>
    SELECT ?p ?o WHERE { GRAPH ?g {
      ?a a kg:Agreement ; ?p ?o .
      FILTER(?p IN (kg:party, kg:coversArea, kg:hasSigning, kg:hasWitnessing))
      FILTER NOT EXISTS { ?e a kg:Evidence ; rdf:subject ?a ; rdf:predicate ?p ; rdf:object ?o ;
                            kg:exactText ?t ; kg:sentence ?s }
    } }"""
    query = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" + query
    code, out, err = run(capsys, *built, "query", query, "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines() == ["p,o"]


def test_evidence_offsets_point_at_the_stated_text(
    built: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    query = """
    PREFIX kg: <https://w3id.org/partnership-graph/ontology#>
    PREFIX schema: <https://schema.org/>
    SELECT ?text ?start ?end ?exact WHERE { GRAPH ?g {
      ?e a kg:Evidence ; kg:inRelease ?r ; kg:startOffset ?start ; kg:endOffset ?end ;
         kg:exactText ?exact .
      ?r schema:text ?text } }"""
    from kg.query import rows as query_rows
    from kg.store import open_store

    location = built[1]
    update = built[3] if len(built) > 3 else None
    with open_store(location, update_url=update, read_only=True) as store:
        _, found = query_rows(store, query)
    assert len(found) > 20
    for text, start, end, exact in found:
        assert text[int(start) : int(end)] == exact


def test_validate_names_the_release_and_the_fact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    assert main(["--store", str(store), "build", str(SEED)]) == 0
    from kg.store import EmbeddedStore

    with EmbeddedStore(store) as s:  # break the graph behind the build's back: drop a party
        s.oxigraph.update(
            "PREFIX kg: <https://w3id.org/partnership-graph/ontology#> "
            "DELETE { GRAPH ?g { ?a kg:party ?o } } WHERE { GRAPH ?g { ?a kg:party ?o . "
            "?o <http://www.w3.org/2004/02/skos/core#altLabel> 'DH' } }"
        )
    capsys.readouterr()
    code, _, err = run(capsys, "--store", str(store), "validate")
    assert code == 4
    invalid = [line for line in err.splitlines() if line.startswith("invalid:")]
    assert invalid and all(SEED.name in line for line in invalid)
    assert any("kg:party" in line for line in invalid)


def test_base_iri_is_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KG_BASE_IRI", "http://data.example.org/pg")
    store = tmp_path / "store"
    assert main(["--store", str(store), "build", str(SEED)]) == 0
    out = tmp_path / "out.nq"
    assert main(["--store", str(store), "export", "-o", str(out)]) == 0
    subjects = {line.split(" ", 1)[0] for line in out.read_text().splitlines()}
    data = {s for s in subjects if "partnership-graph/ontology" not in s}
    assert data and all(s.startswith("<http://data.example.org/pg/") for s in data)
    capsys.readouterr()


def test_contacts_only_by_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    args = ["--store", str(store)]
    assert main([*args, "build", "--include-contacts", str(SEED)]) == 0
    out = tmp_path / "out.nq"
    assert main([*args, "export", "-o", str(out)]) == 0
    text = out.read_text()
    assert "angela.lau@hkstp.org" in text and "2629 6633" in text
    capsys.readouterr()
    assert main([*args, "validate", "--include-contacts"]) == 0
    assert main([*args, "validate"]) == 4  # without the opt-in, contact details are violations
