"""Bad input: a one-line error naming the file and the problem, a non-zero exit, and the
store exactly as it was (issue 2)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEED

from kg.cli import EXIT_INPUT, EXIT_STORE, main

NO_AGREEMENT = """Health department opens new clinic

(Hong Kong, 3 March 2024) \u2013 The Department of Health (DH) today opened a new clinic in Kowloon.
The Director of Health, Dr Chan Siu-ming, said the clinic will serve 5,000 patients a year.
"""


def _empty(p: Path) -> None:
    p.write_bytes(b"")


def _blank(p: Path) -> None:
    p.write_text("   \n\n\t\n")


def _noise(p: Path) -> None:
    p.write_bytes(bytes(range(256)) * 40)


def _latin1(p: Path) -> None:
    p.write_bytes("Caf\xe9 signs MOU with the clinic (Hong Kong, 1 May 2024)".encode("latin-1"))


def _no_agreement(p: Path) -> None:
    p.write_text(NO_AGREEMENT)


BAD: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (_empty, "empty"),
    "blank": (_blank, "empty"),
    "noise": (_noise, "binary"),
    "not-utf8": (_latin1, "UTF-8"),
    "no-agreement": (_no_agreement, "agreement"),
}


def export(store: Path) -> bytes:
    out = store.parent / "export.nq"
    assert main(["--store", str(store), "export", "-o", str(out)]) == 0
    return out.read_bytes()


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    assert main(["--store", str(store), "build", str(SEED)]) == 0
    return store


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_is_one_line_error_and_store_unchanged(
    case: str, seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, problem = BAD[case]
    bad = tmp_path / f"{case}.txt"
    make(bad)
    before = export(seeded)
    capsys.readouterr()
    code = main(["--store", str(seeded), "build", str(bad)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert str(bad) in errors[0] and problem.lower() in errors[0].lower()
    assert "Traceback" not in err
    assert export(seeded) == before


def test_missing_path(seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = export(seeded)
    capsys.readouterr()
    missing = tmp_path / "nope.txt"
    assert main(["--store", str(seeded), "build", str(missing)]) == EXIT_INPUT
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(missing) in err and "no such file" in err
    assert export(seeded) == before


def test_extract_of_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "nope.txt")]) == EXIT_INPUT
    assert "nope.txt" in capsys.readouterr().err


def test_unwritable_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = blocker / "store"
    assert main(["--store", str(store), "build", str(SEED)]) == EXIT_STORE
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(store) in err
    assert blocker.read_text() == "x"


def test_folder_with_one_bad_file_ingests_the_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "releases"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    store = tmp_path / "store"
    assert main(["--store", str(store), "build", str(folder)]) == EXIT_INPUT
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bad.txt" in errors[0]
    assert "built 1 release" in captured.out
    assert main(["--store", str(store), "query", "agreements", "--format", "csv"]) == 0
    assert "2023-08-18" in capsys.readouterr().out


def test_unknown_named_query(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(seeded), "query", "agreementz"]) == EXIT_INPUT
    assert "agreementz" in capsys.readouterr().err


def test_sparql_syntax_error(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(seeded), "query", "SELECT ?x WHERE { ?x ?y }"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error:") and "syntax" in err.lower()


def test_build_beside_a_server_writes_a_new_generation(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg.store import serving_lock

    before, served = export(seeded), seeded.resolve()
    capsys.readouterr()
    with serving_lock(seeded):
        assert main(["--store", str(seeded), "build", "--force", str(SEED)]) == 0
    assert seeded.is_symlink() and seeded.resolve() != served
    assert seeded.resolve().name.startswith(f"{seeded.name}.gen-")
    assert export(seeded) == before  # the same release, rebuilt into the new generation


def test_a_second_build_at_once_is_refused(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg._lock import building_lock

    before = export(seeded)
    capsys.readouterr()
    with building_lock(seeded):
        assert main(["--store", str(seeded), "build", "--force", str(SEED)]) == EXIT_STORE
    err = capsys.readouterr().err
    assert "another build is writing the store" in err and str(seeded) in err
    assert export(seeded) == before
