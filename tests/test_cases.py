"""Golden cases: ``tests/cases/<id>/release.txt`` (or ``release.html``, or ``release.pdf``)
with an optional ``release.meta.json``, and the rows of the eight named queries it must give
(``expected.json``, the gold format of ``kg eval``).

A PDF case keeps its text as ``release.pdf-source`` (a suffix no reader takes) and the PDF is
made at test time with fpdf2 (:func:`tests.fixtures.make_fixtures.make_pdf`), in a copy of the
cases folder, so no binary sits in the repository.

This is the extraction half: the rows are derived straight from :class:`ReleaseFacts` by a
small projection (:func:`project`); the end-to-end half runs them through the store.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fixtures.make_fixtures import latin1, make_html, make_pdf, pages
from fpdf import FPDF

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


#: the release file names a case folder may hold, in order of preference
RELEASE_NAMES = ("release.txt", "release.html", "release.pdf")
PDF_SOURCE = "release.pdf-source"
SEED = CASES.parents[1] / "data" / "releases" / "000_6ab14cd06da14410.txt"


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "expected.json").exists())


def release_file(case: Path) -> Path:
    """The case's release: ``release.txt``, ``release.html`` or ``release.pdf``."""
    for name in RELEASE_NAMES:
        if (case / name).is_file():
            return case / name
    raise FileNotFoundError(f"{case}: none of {RELEASE_NAMES} (was the PDF made?)")


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``tests/cases`` with every ``release.pdf-source`` rendered as ``release.pdf``."""
    root = tmp_path_factory.mktemp("cases") / "cases"
    shutil.copytree(CASES, root)
    for source in root.glob(f"*/{PDF_SOURCE}"):
        case_pdf(source.read_text(encoding="utf-8"), source.with_name("release.pdf"))
        source.unlink()
    return root


def case_pdf(text: str, dest: Path) -> None:
    """Lay a release out as an issuer's PDF: the issuer's name as a running header, "Page N of
    M" as a footer, a new page wherever the text has a "Page N of M" line.

    :param text: the release, its first line the issuer's name
    :param dest: the PDF to write
    """
    issuer = latin1(text.strip().splitlines()[0])

    class _Pdf(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "B", 9)
            self.cell(0, 6, issuer, new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = _Pdf(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    for number, page in enumerate(pages(text)):
        pdf.add_page()
        for para in page[1:] if number == 0 else page:  # the issuer is the running header
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, latin1(" ".join(para)), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
    pdf.output(str(dest))


@pytest.mark.parametrize("name", [p.name for p in case_dirs()])
def test_case_extraction(name: str, cases: Path) -> None:
    """Every named query's rows, derived from the facts, equal the gold rows as sets."""
    case = cases / name
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = project(extract(read_release(release_file(case))))
    problems = []
    for query in QUERIES:
        if query not in expected:
            continue
        want = {_norm(r) for r in expected[query]}
        if got[query] != want:
            missing, extra = sorted(want - got[query]), sorted(got[query] - want)
            problems.append(f"{query}: missing {missing}, unexpected {extra}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", [p.name for p in case_dirs()])
def test_case_through_the_store(name: str, cases: Path) -> None:
    """The end-to-end half: build the case into a store and run the eight named queries."""
    from kg.build import build
    from kg.query import rows
    from kg.store import EmbeddedStore

    case = cases / name
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    with EmbeddedStore(None) as store:
        report = build(store, [release_file(case)], workers=1)
        assert report.ok, report.failed
        for name in QUERIES:
            _, got = rows(store, name)
            assert {_norm(r) for r in got} == {_norm(r) for r in expected[name]}, name


def test_date_and_term_edges_carry_the_spans_that_state_them(cases: Path) -> None:
    """The agreement's dcterms:date and time:hasXSDDuration each carry the span that states
    them with its rule's confidence: a term read from a nearby sentence (0.7) is unsure."""
    from kg.build import build
    from kg.query import rows
    from kg.store import EmbeddedStore

    stated = (
        "PREFIX kg: <https://w3id.org/partnership-graph/ontology#> "
        "SELECT ?p ?text ?method ?c WHERE { GRAPH ?g { ?e a kg:Evidence ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ; kg:exactText ?text ; "
        "kg:method ?method ; kg:confidence ?c . VALUES ?p { "
        "<http://purl.org/dc/terms/date> <http://www.w3.org/2006/time#hasXSDDuration> } } }"
    )
    duration = "http://www.w3.org/2006/time#hasXSDDuration"
    with EmbeddedStore(None) as store:
        report = build(store, [release_file(cases / "intl-letter-of-intent")], workers=1)
        assert report.ok, report.failed
        _, edges = rows(store, stated)
        _, unsure = rows(store, "unsure")
    assert sorted(edges) == [
        ("http://purl.org/dc/terms/date", "March 1, 2024", "signing-date", "1"),
        (duration, "period of two years", "duration-nearby", "0.7"),
    ]
    assert [row[2:] for row in unsure] == [
        (duration, "period of two years", "duration-nearby", "0.7")
    ]


def test_kg_eval_on_the_team_corpus(cases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`kg eval` scores the corpus (every case, the PDF one too); the team's bar is an overall
    F1 of at least 0.9."""
    from kg.cli import main
    from kg.evaluate import find_gold

    assert len(find_gold(cases)) == len(case_dirs())
    assert main(["eval", str(cases), "--min-f1", "0.9"]) == 0
    table = capsys.readouterr().out
    overall = next(line for line in table.splitlines() if line.startswith("| overall"))
    assert float(overall.split("|")[4]) >= 0.9


@pytest.mark.parametrize("suffix", [".pdf", ".html"])
def test_seed_as_pdf_and_html_gives_the_same_facts(suffix: str, tmp_path: Path) -> None:
    """The seed rendered as PDF or as a newsroom HTML page (with its sidecar beside it) gives
    exactly the named-query rows of its text."""
    text = SEED.read_text(encoding="utf-8")
    dest = tmp_path / f"{SEED.stem}{suffix}"
    if suffix == ".pdf":
        make_pdf(text, dest)
    else:
        dest.write_text(make_html(text), encoding="utf-8")
    sidecar = SEED.with_name(f"{SEED.stem}.meta.json")
    if sidecar.is_file():
        shutil.copy(sidecar, tmp_path / sidecar.name)
    want = project(extract(read_release(SEED)))
    assert project(extract(read_release(dest))) == want
