"""Golden cases: ``tests/cases/<id>/release.txt`` (+ ``release.meta.json``) and the rows of
the eight named queries it must give (``expected.json``, the gold format of ``kg eval``).

This is the extraction half: the rows are derived straight from :class:`ReleaseFacts` by a
small projection (:func:`project`); the end-to-end half runs them through the store.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.extract import agreement_label, extract
from kg.facts import ReleaseFacts
from kg.sources import read_release

CASES = Path(__file__).resolve().parent / "cases"
QUERIES = (
    "agreements",
    "parties",
    "signatories",
    "witnesses",
    "areas",
    "roles",
    "aliases",
    "speakers",
)
TYPE_COLUMN = {"mou": "MOU", "letter-of-intent": "LOI"}


def project(facts: ReleaseFacts) -> dict[str, set[tuple[str, ...]]]:
    """The named queries' rows for one release, computed from its facts."""
    from kg.facts import AGREEMENT_TYPES

    def org(key: str | None) -> str:
        o = facts.organisation(key) if key else None
        return o.name if o else ""

    def person(key: str) -> str:
        p = facts.person(key)
        return p.name if p else key

    rows: dict[str, set[tuple[str, ...]]] = {q: set() for q in QUERIES}
    for a in facts.agreements:
        if a.status != "signed":  # the named queries list signed agreements only
            continue
        label = agreement_label(a, facts)
        kind = TYPE_COLUMN.get(a.type, AGREEMENT_TYPES[a.type])
        day = a.date.isoformat() if a.date else ""
        rows["agreements"].add((label, kind, day, a.place or "", a.duration or ""))
        rows["parties"] |= {(label, org(p)) for p in a.parties}
        rows["signatories"] |= {
            (label, person(s.person), s.role or "", org(s.organisation)) for s in a.signatories
        }
        rows["witnesses"] |= {
            (label, person(w.person), w.role or "", org(w.organisation)) for w in a.witnesses
        }
        rows["areas"] |= {(label, x.label) for x in a.areas}
    rows["roles"] = {(person(r.person), r.title, org(r.organisation)) for r in facts.roles}
    rows["aliases"] = {(o.name, alias) for o in facts.organisations for alias in o.aliases}
    title = facts.release.title or ""
    rows["speakers"] = {(title, person(s.person)) for s in facts.speakers}
    return {q: {_norm(r) for r in v} for q, v in rows.items()}


def _norm(row: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", " ", str(v)).replace("\u2013", "-").strip() for v in row)


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "expected.json").exists())


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_case_extraction(case: Path) -> None:
    """Every named query's rows, derived from the facts, equal the gold rows as sets."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = project(extract(read_release(case / "release.txt")))
    problems = []
    for query in QUERIES:
        if query not in expected:
            continue
        want = {_norm(r) for r in expected[query]}
        if got[query] != want:
            missing, extra = sorted(want - got[query]), sorted(got[query] - want)
            problems.append(f"{query}: missing {missing}, unexpected {extra}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_case_through_the_store(case: Path) -> None:
    """The end-to-end half: build the case into a store and run the eight named queries."""
    from kg.build import build
    from kg.query import rows
    from kg.store import EmbeddedStore

    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    with EmbeddedStore(None) as store:
        report = build(store, [case / "release.txt"], workers=1)
        assert report.ok, report.failed
        for name in QUERIES:
            _, got = rows(store, name)
            assert {_norm(r) for r in got} == {_norm(r) for r in expected[name]}, name


def test_kg_eval_on_the_team_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    """`kg eval` scores the corpus; the team's bar is an overall F1 of at least 0.9."""
    from kg.cli import main

    assert main(["eval", str(CASES), "--min-f1", "0.9"]) == 0
    table = capsys.readouterr().out
    overall = next(line for line in table.splitlines() if line.startswith("| overall"))
    assert float(overall.split("|")[4]) >= 0.9
