"""The home page's lists are right at any number of agreements: ranked inside SPARQL, never cut.

The page data is compared with a reference computed in Python from every agreement of the
store, read without any row cap (the way the home page was computed before it moved into
SPARQL). The store holds more agreements than the query workers' row cap (10 here), with
every form of end the page knows: a stated end, a term of years and months (month ends, leap
days), a term with weeks or days, terms and dates in forms only Python reads, agreements stated
in two releases that disagree, and agreements whose IRI is no node (left out).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
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
TERMS = [
    "P3Y", "P5Y", "P2Y", "P18M", "P1Y6M", "P2Y11M", "P1M", "P13M", "P0Y1M", "P10Y",
    "P2W", "P90D", "P1Y2W", "P1M3D", "P3Y ", "P", "PT5H", "P1.5Y", None, None,
]  # fmt: skip


def reference(store: GraphStore, today: date, latest: int = 10) -> dict[str, Any]:
    """The home page's lists computed in Python from every agreement (an uncapped store)."""
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
    ending = []
    for a in sorted(agreements, key=lambda a: (a["end"] or "", a["id"])):
        if a["end"] and date.fromisoformat(a["end"]) <= horizon:
            state = "ended" if date.fromisoformat(a["end"]) < today else "ends soon"
            ending.append({**a, "state": state})
    return {"latest": newest[:latest], "ending": ending, "horizon": horizon.isoformat()}


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
    """126 agreements through query workers capped at 10 rows, and read directly (no cap)."""
    path = build_store(tmp_path_factory.mktemp("home") / "store", agreement_quads(120))
    with (
        QueryRunner(path, workers=1, row_limit=10, cache_bytes=0) as runner,
        EmbeddedStore(path, read_only=True) as direct,
    ):
        yield RunnerStore(runner), direct


@pytest.mark.parametrize(
    "today", [TODAY, date(2016, 3, 1), date(2024, 2, 29), date(2019, 8, 31), date(2031, 1, 1)]
)
def test_the_home_lists_are_the_reference_for_every_agreement(
    stores: tuple[RunnerStore, GraphStore], today: date
) -> None:
    workers, direct = stores
    expected = reference(direct, today)
    assert len(select(direct, EVERY_AGREEMENT)) > 10 * 10, "far more agreements than the cap"
    for data in (
        explore.home(workers, today=today, page=10),  # read in pages within the row cap
        explore.home(direct, today=today),  # one query
    ):
        assert data["horizon"] == expected["horizon"]
        assert data["latest"] == expected["latest"]
        assert data["ending"] == expected["ending"]
        assert data["counts"]["agreement"] == 120 + len(MONTH_ENDS) + 3


def test_every_form_of_end_is_in_the_store(stores: tuple[RunnerStore, GraphStore]) -> None:
    _, direct = stores
    data = explore.home(direct, today=date(2031, 1, 1))
    terms = {a["term"] for a in data["ending"] if a["computed"]}
    # (the store writes typed durations in their canonical form: P18M as P1Y6M)
    assert {"3 years", "1 month", "1 year and 6 months", "2 years and 11 months"} <= terms
    assert {"P2W", "90 days", "P1Y2W", "1 month and 3 days", "P3Y "} <= terms  # by Python
    assert any(not a["computed"] for a in data["ending"])  # stated ends
    assert any(a["end"][5:] in ("02-28", "02-29", "09-30", "11-30") for a in data["ending"])
    latest = explore.home(direct, today=TODAY, latest=200)["latest"]
    assert len(latest) == 120 + len(MONTH_ENDS)
    assert all(a["id"].startswith("agreement/") for a in latest)
    ends = {a["id"]: a["end"] for a in explore.home(direct, today=date(2101, 1, 1))["ending"]}
    assert [ends[f"agreement/month-end-{i}"] for i in range(len(MONTH_ENDS))] == list(
        MONTH_ENDS.values()
    )


def test_latest_reads_past_agreements_that_are_no_nodes(
    stores: tuple[RunnerStore, GraphStore],
) -> None:
    workers, direct = stores
    # the three newest agreements are no nodes: the newest two nodes come from a second read
    assert (
        explore.home(workers, today=TODAY, latest=2, page=10)["latest"]
        == reference(direct, TODAY, latest=2)["latest"]
    )
