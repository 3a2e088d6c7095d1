"""Property-based tests (hypothesis): random and mutated releases through read -> extract ->
map, and random strings to the SPARQL endpoint.

Properties:

- reading, extracting and mapping any text either works or raises
  :class:`kg.errors.InputError`, never anything else;
- every :class:`kg.facts.Evidence` points at its own text: ``text[start:end] == ev.text``;
- the mapped quads hold no blank node and mapping is deterministic (twice gives equal lists);
- the endpoint answers any query string, GET or POST, with a 2xx or a clean 4xx: never a 5xx.

Bases for the mutations are the seed release and releases from the benchmark generator (four
house styles). Every test is bounded (``max_examples``) so the file runs in well under a
minute.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers.webapp import SPARQL_FUZZ_TOKENS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode

from benchmarks.generate import MONTHS, make_world, render_release
from kg.errors import InputError
from kg.extract import extract
from kg.facts import Evidence, ReleaseFacts, add_duration
from kg.mapping import map_release
from kg.sources import read_text

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "releases" / "000_6ab14cd06da14410.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
_WORLD = make_world(11, 200)
BASES = [SEED_TEXT] + [render_release(_WORLD, 11, i).text for i in range(12)]

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


def all_evidence(value: object) -> Iterator[Evidence]:
    """Every Evidence anywhere inside ``value`` (dataclasses, lists, dicts)."""
    if isinstance(value, Evidence):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from all_evidence(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_evidence(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from all_evidence(getattr(value, name))


def check_pipeline(text: str, meta: dict[str, str] | None = None) -> ReleaseFacts | None:
    """Read, extract and map ``text``, asserting the properties; None for a clean refusal."""
    try:
        doc = read_text(text, "prop-release", meta=meta)
        facts = extract(doc)
    except InputError:
        return None
    for ev in all_evidence(facts):
        assert 0 <= ev.start <= ev.end <= len(doc.text), ev
        assert doc.text[ev.start : ev.end] == ev.text, ev
    first = map_release(facts, text=doc.text)
    second = map_release(facts, text=doc.text)
    assert first == second, "mapping is not deterministic"
    blank = [q for q in first if any(isinstance(t, BNode) for t in q)]
    assert not blank, blank[:3]
    return facts


# --- mutations of real-looking releases ----------------------------------------------------


@st.composite
def mutated_release(draw: st.DrawFn) -> str:
    """A base release with a few random edits: sentences deleted, duplicated or shuffled,
    unicode injected, dates and numbers changed, the text truncated."""
    text = draw(st.sampled_from(BASES))
    parts = _SENTENCE.split(text)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "inject", "number", "month", "truncate", "join"]
            )
        )
        if not parts:
            break
        i = draw(st.integers(0, len(parts) - 1))
        if op == "delete":
            del parts[i]
        elif op == "duplicate":
            parts.insert(i, parts[i])
        elif op == "swap":
            j = draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
        elif op == "inject":
            junk = draw(st.text(min_size=1, max_size=20))
            at = draw(st.integers(0, len(parts[i])))
            parts[i] = parts[i][:at] + junk + parts[i][at:]
        elif op == "number":
            new = str(draw(st.integers(0, 99999)))
            parts[i] = re.sub(r"\d+", new, parts[i], count=draw(st.integers(0, 3)))
        elif op == "month":
            parts[i] = re.sub(
                "|".join(MONTHS), draw(st.sampled_from([*MONTHS, "Smarch", ""])), parts[i]
            )
        elif op == "truncate":
            parts[i] = parts[i][: draw(st.integers(0, len(parts[i])))]
        elif op == "join":
            parts[i] = parts[i].replace("\n", " ")
    return " ".join(parts) if draw(st.booleans()) else "\n\n".join(parts)


@SETTINGS
@given(mutated_release())
def test_mutated_releases_extract_cleanly(text: str) -> None:
    check_pipeline(text)


@SETTINGS
@given(
    mutated_release(),
    st.dictionaries(
        st.sampled_from(["published", "title", "publisher", "language", "url", "bogus"]),
        st.one_of(st.text(max_size=12), st.dates().map(str), st.integers(), st.none()),
        max_size=3,
    ),
)
def test_sidecar_metadata_is_checked_or_used(text: str, meta: dict[str, object]) -> None:
    """Any sidecar dict: a clean InputError when it breaks the schema, else the properties."""
    check_pipeline(text, meta)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text_extracts_cleanly(text: str) -> None:
    check_pipeline(text)


@SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [
                "The",
                "Memorandum of Understanding (MOU)",
                "signed",
                "witnessed by",
                "Dr",
                "Professor",
                "Mr",
                "Lee",
                "Chan Tai Man",
                "Department of Health (DH)",
                "Acme Ltd",
                "University",
                "(i)",
                "(ii)",
                ";",
                ",",
                ".",
                "\n\n",
                "today (May 9)",
                "(Hong Kong, 31 February 2023) \u2013",
                "over the next three years",
                "five-year",
                "About",
                "Chief Executive Officer of the",
                '"',
                "said",
                "###",
                "Tel: +852 1234 5678",
                "a@b.example",
                "\u200b",
                "É",
                "衛生署",
            ]
        ),
        max_size=60,
    )
)
def test_release_shaped_token_soup_extracts_cleanly(tokens: list[str]) -> None:
    """Text made of release-shaped pieces in random order (cue words next to each other)."""
    check_pipeline(" ".join(tokens))


# --- the endpoint ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A test client of the web app over a store built from the seed release."""
    from kg.build import build
    from kg.store import open_store
    from webapp import close_app, create_app

    location = tmp_path_factory.mktemp("prop-store") / "store"
    with open_store(location) as store:
        report = build(store, [SEED], workers=1)
    assert report.ok, report.failed
    app = create_app({"TESTING": True, "KG_STORE": str(location), "KG_QUERY_TIMEOUT_S": 5.0})
    try:
        yield app.test_client()
    finally:
        close_app(app)


#: well-formed queries with random literals, patterns, numbers and functions (they run)
well_formed = st.builds(
    lambda fn, lit, n, order: (
        "SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o "
        f"FILTER({fn}(STR(?o), {json.dumps(lit)})) }} }} {order} LIMIT {n}"
    ),
    st.sampled_from(["CONTAINS", "STRSTARTS", "STRENDS", "REGEX", "LANGMATCHES", "SAMETERM"]),
    st.text(max_size=20),
    st.integers(-3, 10**12),
    st.sampled_from(["", "ORDER BY ?o", "ORDER BY DESC(STRLEN(?o))", "OFFSET 3"]),
)

sparql_like = st.one_of(
    well_formed,
    st.text(max_size=200),
    st.lists(st.sampled_from(SPARQL_FUZZ_TOKENS), max_size=25).map(" ".join),
    st.builds(
        lambda body: f"SELECT * WHERE {{ {body} }} LIMIT 10",
        st.lists(st.sampled_from(SPARQL_FUZZ_TOKENS), max_size=8).map(" ".join),
    ),
)


def _clean(status: int) -> None:
    assert 200 <= status < 500, f"HTTP {status}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    query=sparql_like,
    accept=st.sampled_from(
        ["", "application/sparql-results+json", "text/csv", "text/html", "*/*", "image/png"]
    ),
    fmt=st.sampled_from([None, "json", "xml", "csv", "tsv", "turtle", "bogus"]),
)
def test_endpoint_get_never_5xx(client, query: str, accept: str, fmt: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    params = {"query": query} if fmt is None else {"query": query, "format": fmt}
    response = client.get("/sparql", query_string=params, headers=headers)
    _clean(response.status_code)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(sparql_like, st.binary(max_size=200)),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/sparql-update",
            "application/x-www-form-urlencoded",
            "application/sparql-query; charset=latin-1",
            "text/plain",
            "",
        ]
    ),
)
def test_endpoint_post_never_5xx(client, body: str | bytes, content_type: str) -> None:  # type: ignore[no-untyped-def]
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if content_type == "application/x-www-form-urlencoded" and isinstance(body, str):
        response = client.post("/sparql", data={"query": body})
    else:
        response = client.post("/sparql", data=data, content_type=content_type or None)
    _clean(response.status_code)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(),
    st.integers(0, 20000),
    st.integers(0, 240),
    st.integers(0, 5000),
    st.integers(0, 5_000_000),
)
def test_adding_a_term_to_a_date_always_returns(
    start: date, years: int, months: int, weeks: int, days: int
) -> None:
    """Any date plus any term in years, months, weeks and days gives a date, or None past
    the year 9999 (a release can state any term: it must never hang or crash)."""
    end = add_duration(start, f"P{years}Y{months}M{weeks}W{days}D")
    if end is not None:
        assert end >= start
    else:
        assert (
            start.year + years + (start.month - 1 + months) // 12 + weeks // 52 + days // 365 > 9998
        )
