"""The home page's lists and the pages of ended and ending agreements are right at any number
of agreements: ranked and cut inside SPARQL, never cut by the row cap, of a bounded size.

The page data is compared with a reference computed in Python from every agreement of the
store, read without any row cap (the way the home page was computed before it moved into
SPARQL). The store holds more agreements than the query workers' row cap (10 here), with
every form of end the page knows: a stated end, a term of years and months (month ends, leap
days), a term with weeks or days, terms, dates and stated ends in forms only Python reads (merged
into SPARQL's order), agreements stated in two releases that disagree, and agreements whose IRI
is no node (left out). The day arithmetic done in SPARQL is checked against
:func:`kg.facts.add_duration` on random dates and terms over the whole calendar.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from helpers.webapp import build_store

from kg import explore
from kg._entities import KINDS, node_id, ref, select
from kg._words import duration_words
from kg.facts import add_duration
from kg.mapping import base_iri
from kg.sparql import QueryRunner
from kg.store import EmbeddedStore, GraphStore
from webapp.browse_store import RunnerStore

TODAY = date(2025, 11, 28)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: every agreement's values, as the home page read them before (one query, no limit)
EVERY_AGREEMENT = """SELECT ?a (MIN(?l) AS ?label) (MIN(?d) AS ?date) (MIN(?dur) AS ?term)
  (MIN(?end) AS ?stated_end) WHERE { GRAPH ?g { ?a a kg:Agreement ; rdfs:label ?l .
  OPTIONAL { ?a dcterms:date ?d } OPTIONAL { ?a time:hasXSDDuration ?dur }
  OPTIONAL { ?a schema:endDate ?end } } } GROUP BY ?a"""
#: (date, term) -> end: the month's last day, in leap years or not (every fourth, not every
#: hundredth, every four hundredth)
MONTH_ENDS = {
    ("2023-08-31", "P6M"): "2024-02-29",
    ("2024-02-29", "P1Y"): "2025-02-28",
    ("2024-01-31", "P1M"): "2024-02-29",
    ("1999-11-30", "P3M"): "2000-02-29",
    ("2099-12-31", "P2M"): "2100-02-28",
    ("2023-05-31", "P1Y4M"): "2024-09-30",
}
#: stated ends in forms only Python reads as dates (or not at all: never listed)
ODD_ENDS = [
    "20160305", "2019-W35-6", "20240229", "20251201", "2030-W52-7", "20200101", "20200102",
    "2020-W01-5", "20200104", "20200105", "20200106", "30 June 2025", "2025-6-30",
]  # fmt: skip
TERMS = [
    "P3Y", "P5Y", "P2Y", "P18M", "P1Y6M", "P2Y11M", "P1M", "P13M", "P0Y1M", "P10Y",
    "P2W", "P90D", "P1Y2W", "P1M3D", "P3Y ", "P", "PT5H", "P1.5Y", None, None,
]  # fmt: skip


def reference(
    store: GraphStore, today: date, latest: int = 10, ended: int = 10, soon: int = 50
) -> dict[str, Any]:
    """The home page's lists and every agreement ended or ending, computed in Python from every
    agreement (an uncapped store)."""
    agreements: list[dict[str, Any]] = []
    for r in select(store, EVERY_AGREEMENT):
        nid = node_id(r["a"] or "")
        if not nid:
            continue
        end, computed = r["stated_end"], False
        if not end and r["date"] and r["term"]:
            # (a date Python cannot read has no end: the page used to fail on it)
            start = date.fromisoformat(r["date"]) if DAY.fullmatch(r["date"]) else None
            computed_end = add_duration(start, r["term"]) if start else None
            if computed_end:
                end, computed = computed_end.isoformat(), True
        agreements.append(
            {
                **ref(nid, r["label"]),
                "date": r["date"],
                "term": duration_words(r["term"]) if r["term"] else None,
                "end": end,
                "computed": computed,
            }
        )
    newest = sorted(agreements, key=lambda a: (a["date"] or "", a["id"]), reverse=True)
    horizon = add_duration(today, "P6M") or today
    due = []
    for a in agreements:
        on = as_date(a["end"])
        if on is not None and on <= horizon:
            due.append({**a, "state": "ended" if on < today else "ends soon"})
    by_latest = sorted(due, key=lambda a: (-ordinal(a), a["id"]))  # the pages' order
    past = [a for a in by_latest if a["state"] == "ended"]
    coming = sorted((a for a in due if a["state"] != "ended"), key=lambda a: (ordinal(a), a["id"]))
    return {
        "latest": newest[:latest],
        "ending": sorted(past[:ended] + coming[:soon], key=lambda a: (ordinal(a), a["id"])),
        "ended_total": len(past),
        "ends_soon_total": len(coming),
        "horizon": horizon.isoformat(),
        "all": by_latest,
    }


def as_date(text: str | None) -> date | None:
    """A stated or computed end as a date; None for one Python cannot read."""
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def ordinal(agreement: dict[str, Any]) -> int:
    on = as_date(agreement["end"])
    assert on is not None
    return on.toordinal()


def agreement_quads(count: int, seed: int = 11) -> list[ox.Quad]:
    """``count`` agreements in seven release graphs, with dates, terms and ends of every form."""
    rng = random.Random(seed)
    root = base_iri()
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    on = ox.NamedNode("http://purl.org/dc/terms/date")
    term = ox.NamedNode("http://www.w3.org/2006/time#hasXSDDuration")
    ends = ox.NamedNode("https://schema.org/endDate")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    agreement = ox.NamedNode(KINDS["agreement"][1])
    quads = []

    def day() -> ox.Literal:
        d = date(2015, 1, 1) + timedelta(days=rng.randrange(12 * 366))
        if rng.random() < 0.25:  # a month's last days, and leap days
            d = rng.choice([date(d.year, 1, 31), date(d.year, 8, 31), date(2024, 2, 29)])
        return ox.Literal(d.isoformat(), datatype=ox.NamedNode(xsd + "date"))

    def state(node: ox.NamedNode, graph: ox.NamedNode) -> None:
        quads.append(ox.Quad(node, rdf_type, agreement, graph))
        quads.append(ox.Quad(node, label, ox.Literal(f"Agreement {rng.randrange(1000)}"), graph))
        if rng.random() < 0.9:
            quads.append(ox.Quad(node, on, day(), graph))
        if rng.random() < 0.1:
            quads.append(ox.Quad(node, on, ox.Literal("18 August 2023"), graph))
        stated = rng.choice(TERMS)
        if stated is not None:
            typed = stated.strip() == stated and "." not in stated and stated != "P"
            quads.append(
                ox.Quad(
                    node,
                    term,
                    ox.Literal(stated, datatype=ox.NamedNode(xsd + "duration"))
                    if typed
                    else ox.Literal(stated),
                    graph,
                )
            )
        if rng.random() < 0.15:
            quads.append(ox.Quad(node, ends, day(), graph))

    for i in range(count):
        graph = ox.NamedNode(f"{root}graph/release-{i % 7}")
        node = ox.NamedNode(f"{root}agreement/a-{i:03d}")
        state(node, graph)
        if rng.random() < 0.1:  # stated again, differently, by another release
            state(node, ox.NamedNode(f"{root}graph/release-{(i + 1) % 7}"))
    for i, (start, months) in enumerate(MONTH_ENDS):  # the month's last day, leap years
        node, graph = ox.NamedNode(f"{root}agreement/month-end-{i}"), ox.NamedNode(root + "g")
        quads.append(ox.Quad(node, rdf_type, agreement, graph))
        quads.append(ox.Quad(node, label, ox.Literal(f"Month end {i}"), graph))
        quads.append(
            ox.Quad(node, on, ox.Literal(start, datatype=ox.NamedNode(xsd + "date")), graph)
        )
        quads.append(ox.Quad(node, term, ox.Literal(months), graph))
    for i, stated_end in enumerate(ODD_ENDS):  # stated ends in forms SPARQL does not order
        node, graph = ox.NamedNode(f"{root}agreement/odd-end-{i}"), ox.NamedNode(root + "g")
        quads.append(ox.Quad(node, rdf_type, agreement, graph))
        quads.append(ox.Quad(node, label, ox.Literal(f"Odd end {i}"), graph))
        quads.append(ox.Quad(node, ends, ox.Literal(stated_end), graph))
    for name in ("agreement/No-Node", "agreement/x/signing/y", "other/a"):
        # no node ids: newest of all, and long ended; never listed
        node, graph = ox.NamedNode(root + name), ox.NamedNode(f"{root}graph/release-0")
        quads.append(ox.Quad(node, rdf_type, agreement, graph))
        quads.append(ox.Quad(node, label, ox.Literal("Not a node"), graph))
        quads.append(
            ox.Quad(node, on, ox.Literal("2099-01-01", datatype=ox.NamedNode(xsd + "date")), graph)
        )
        quads.append(ox.Quad(node, ends, ox.Literal("2016-01-01"), graph))
    return quads


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunnerStore, GraphStore]]:
    """139 agreements through query workers capped at 10 rows, and read directly (no cap)."""
    path = build_store(tmp_path_factory.mktemp("home") / "store", agreement_quads(120))
    with (
        QueryRunner(path, workers=1, row_limit=10, cache_bytes=0) as runner,
        EmbeddedStore(path, read_only=True) as direct,
    ):
        yield RunnerStore(runner), direct


AGREEMENTS = 120 + len(MONTH_ENDS) + len(ODD_ENDS)
TODAYS = [TODAY, date(2016, 3, 1), date(2024, 2, 29), date(2019, 8, 31), date(2031, 1, 1)]


@pytest.mark.parametrize("today", TODAYS)
def test_the_home_lists_are_the_reference_for_every_agreement(
    stores: tuple[RunnerStore, GraphStore], today: date
) -> None:
    workers, direct = stores
    assert len(select(direct, EVERY_AGREEMENT)) > 10 * 10, "far more agreements than the cap"
    for shown in ({}, {"ended": 3, "soon": 2}, {"ended": 0, "soon": 0}, {"ended": 40}):
        expected = reference(direct, today, **shown)
        for data in (
            explore.home(workers, today=today, row_cap=10, **shown),  # in pages within the cap
            explore.home(direct, today=today, **shown),  # one query
        ):
            assert data["horizon"] == expected["horizon"]
            assert data["latest"] == expected["latest"]
            assert data["ending"] == expected["ending"], shown
            assert data["ended_total"] == expected["ended_total"]
            assert data["ends_soon_total"] == expected["ends_soon_total"]
            assert data["counts"]["agreement"] == AGREEMENTS + 3
            assert len(data["ending"]) <= shown.get("ended", 10) + shown.get("soon", 50)


@pytest.mark.parametrize("today", TODAYS)
def test_the_pages_of_ended_and_ending_agreements_are_the_reference(
    stores: tuple[RunnerStore, GraphStore], today: date
) -> None:
    workers, direct = stores
    expected = reference(direct, today)
    assert expected["ended_total"] + expected["ends_soon_total"] == len(expected["all"])
    assert any(a["id"].startswith("agreement/odd-end-") for a in expected["all"])
    for store, row_cap, size in ((workers, 10, 7), (workers, 10, 23), (direct, None, 50)):
        first = explore.ending(store, today=today, size=size, row_cap=row_cap)
        assert first["total"] == len(expected["all"]) and first["size"] == size
        assert first["ended_total"] == expected["ended_total"]
        assert first["pages"] == max(1, -(-len(expected["all"]) // size))
        items = list(first["items"])
        for number in range(2, first["pages"] + 2):
            page = explore.ending(store, today=today, page=number, size=size, row_cap=row_cap)
            assert page["page"] == number and page["total"] == first["total"]
            assert len(page["items"]) <= size
            items += page["items"]
        # the last page past the end is empty; together the pages are every agreement, in order
        assert page["items"] == []
        assert items == expected["all"], (row_cap, size)


def test_every_form_of_end_is_in_the_store(stores: tuple[RunnerStore, GraphStore]) -> None:
    _, direct = stores

    def every(today: date) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = explore.ending(direct, today=today, size=10_000)["items"]
        return items

    ended = every(date(2031, 1, 1))
    terms = {a["term"] for a in ended if a["computed"]}
    # (the store writes typed durations in their canonical form: P18M as P1Y6M)
    assert {"3 years", "1 month", "1 year and 6 months", "2 years and 11 months"} <= terms
    assert {"P2W", "90 days", "P1Y2W", "1 month and 3 days"} <= terms  # weeks, days: SPARQL
    assert "P3Y " in terms  # by Python
    assert any(not a["computed"] for a in ended)  # stated ends
    assert {"20240229", "2019-W35-6"} <= {a["end"] for a in ended}  # read by Python
    assert any(a["end"][5:] in ("02-28", "02-29", "09-30", "11-30") for a in ended)
    latest = explore.home(direct, today=TODAY, latest=200)["latest"]
    assert len(latest) == AGREEMENTS
    assert all(a["id"].startswith("agreement/") for a in latest)
    ends = {a["id"]: a["end"] for a in every(date(2101, 1, 1))}
    assert [ends[f"agreement/month-end-{i}"] for i in range(len(MONTH_ENDS))] == list(
        MONTH_ENDS.values()
    )


def test_latest_leaves_out_agreements_that_are_no_nodes(
    stores: tuple[RunnerStore, GraphStore],
) -> None:
    workers, direct = stores
    # the three newest agreements are no nodes
    assert (
        explore.home(workers, today=TODAY, latest=2, row_cap=10)["latest"]
        == reference(direct, TODAY, latest=2)["latest"]
    )


def test_sparql_adds_terms_to_dates_as_python_does(tmp_path: Path) -> None:
    # dates over the whole calendar (month ends, leap days, centuries), terms of years, months,
    # weeks and days, some ending past the year 9999 (no end, as in Python)
    rng = random.Random(5)
    root, xsd = base_iri(), "http://www.w3.org/2001/XMLSchema#"
    graph = ox.NamedNode(root + "g")
    quads, expected = [], {}
    for i in range(2000):
        start = date(1, 3, 1) + timedelta(days=rng.randrange(3_652_000))
        if i % 3 == 0:  # the last days of a month
            start = date(start.year, start.month % 12 + 1, 1) - timedelta(days=rng.randrange(3))
        units = (("Y", 40), ("M", 40), ("W", 60), ("D", 4000))
        term = "P" + "".join(f"{rng.randrange(n)}{u}" for u, n in units if rng.random() < 0.6)
        term = "P1D" if term == "P" else term
        node = ox.NamedNode(f"{root}agreement/t-{i}")
        quads += [
            ox.Quad(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(KINDS["agreement"][1]), graph),
            ox.Quad(node, ox.NamedNode(RDFS_LABEL), ox.Literal(f"T {i}"), graph),
            ox.Quad(
                node,
                ox.NamedNode("http://purl.org/dc/terms/date"),
                ox.Literal(start.isoformat(), datatype=ox.NamedNode(xsd + "date")),
                graph,
            ),
            ox.Quad(node, ox.NamedNode("http://www.w3.org/2006/time#hasXSDDuration"),
                    ox.Literal(term), graph),
        ]  # fmt: skip
        # add_duration, refusing an end past the year 9999 (as the page always did)
        expected[f"agreement/t-{i}"] = explore._computed_end(start.isoformat(), term)
    assert sum(end is None for end in expected.values()) > 2, "some end past the year 9999"
    with EmbeddedStore(build_store(tmp_path / "store", quads), read_only=True) as store:
        rows = select(store, f"SELECT ?a ?end ?finish WHERE {{ {explore._terms()} }}")
    assert len(rows) == len(expected)
    for r in rows:
        assert r["end"] == expected[node_id(r["a"] or "") or ""], r
        # SPARQL computed every end (an end past 9999 is left to Python, which refuses it)
        assert r["finish"] == ("true" if r["end"] is None else "false")


def test_every_page_and_day_is_a_slice_of_one_read(stores: tuple[RunnerStore, GraphStore]) -> None:
    # the ends are read once (here through workers capped at 10 rows: in pages of the cap);
    # then every page and the home lists of any day are cut from them without a query
    workers, direct = stores
    runner = workers.runner
    ends = explore.agreement_ends(workers, row_cap=10)
    ran = runner.executions
    again = explore.AgreementEnds.from_bytes(ends.to_bytes())  # as the server keeps it
    for today in TODAYS:
        expected = reference(direct, today)
        for kept in (ends, again):
            items: list[dict[str, Any]] = []
            for number in range(1, -(-len(expected["all"]) // 9) + 2):
                page = explore.ending(workers, today=today, page=number, size=9, ends=kept)
                assert page == explore.ending(direct, today=today, page=number, size=9)
                items += page["items"]
            assert items == expected["all"]
            lists = kept.home(today)
            assert lists["ending"] == expected["ending"] and lists["latest"] == expected["latest"]
            assert lists["ended_total"] == expected["ended_total"]
    assert runner.executions == ran, "no page or day ran a query of its own"


def test_the_kept_ends_are_small() -> None:
    # one line per agreement, of its own fields only (type and url follow from its id)
    agreement = {
        **ref("agreement/a-1", "An agreement"),
        "date": "2024-01-31",
        "term": "1 year",
        "end": "2025-01-31",
        "computed": True,
    }
    ends = explore.AgreementEnds.of([agreement])
    assert ends.to_bytes().split(b"\n")[1] == (
        b'["agreement/a-1", "An agreement", "2024-01-31", "1 year", "2025-01-31", true]'
    )
    assert ends.page(date(2025, 2, 1))["items"] == [{**agreement, "state": "ended"}]
