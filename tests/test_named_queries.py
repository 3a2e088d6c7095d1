"""The named queries are written for speed; their answers must be those of their plain form.

The eight contract queries (``src/kg/queries/*.rq``) join each triple pattern in its own
sub-select and sort on computed keys, so Oxigraph hashes instead of looking up the store once
per row (2.5 to 4 times faster at 10,000 releases, BENCHMARKS.md). :data:`REFERENCE` keeps the
plain form they had before, one ``GRAPH ?g`` block each: on the golden cases, the seed and a
small generated corpus, every query must return exactly the reference's rows, in an order
that satisfies the reference's ``ORDER BY`` (rows tied on its keys may come in another order).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, SEED

from kg.cli import main
from kg.namespace import PREFIXES as PREFIXES_BY_NAME
from kg.query import NAMED_QUERIES, query_text

CASES = Path(__file__).resolve().parent / "cases"
PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES_BY_NAME.items())
#: the named queries as they were before the rewrite (their ORDER BY keys: :data:`SORT_KEYS`)
REFERENCE = {
    "agreements": """\
SELECT DISTINCT ?agreement ?type ?date ?place ?duration WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ;
       rdfs:label ?agreement ;
       kg:status kg:Signed ;
       kg:agreementType ?t .
    OPTIONAL { ?a dcterms:date ?d }
    OPTIONAL { ?a kg:signedAt/rdfs:label ?place }
    OPTIONAL { ?a time:hasXSDDuration ?dur }
  }
  OPTIONAL { GRAPH ?og { ?t skos:notation ?notation } }
  OPTIONAL { GRAPH ?lg { ?t skos:prefLabel ?tl } }
  BIND(STR(COALESCE(?notation, ?tl)) AS ?type)
  BIND(STR(?d) AS ?date)
  BIND(STR(?dur) AS ?duration)
}
ORDER BY ?date ?agreement
""",
    "parties": """\
SELECT DISTINCT ?agreement ?organisation WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ;
       rdfs:label ?agreement ;
       kg:status kg:Signed ;
       kg:party/skos:prefLabel ?organisation .
  }
}
ORDER BY ?agreement ?organisation
""",
    "signatories": """\
SELECT DISTINCT ?agreement ?person ?role ?organisation WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ;
       rdfs:label ?agreement ;
       kg:status kg:Signed ;
       kg:hasSigning ?x .
    ?x prov:agent/foaf:name ?person .
    OPTIONAL {
      ?x kg:inCapacity ?m .
      ?m org:role/skos:prefLabel ?role .
      OPTIONAL { ?m org:organization/skos:prefLabel ?organisation }
    }
  }
}
ORDER BY ?agreement ?person
""",
    "witnesses": """\
SELECT DISTINCT ?agreement ?person ?role ?organisation WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ;
       rdfs:label ?agreement ;
       kg:status kg:Signed ;
       kg:hasWitnessing ?x .
    ?x prov:agent/foaf:name ?person .
    OPTIONAL {
      ?x kg:inCapacity ?m .
      ?m org:role/skos:prefLabel ?role .
      OPTIONAL { ?m org:organization/skos:prefLabel ?organisation }
    }
  }
}
ORDER BY ?agreement ?person
""",
    "areas": """\
SELECT DISTINCT ?agreement ?area WHERE {
  GRAPH ?g {
    ?a a kg:Agreement ;
       rdfs:label ?agreement ;
       kg:status kg:Signed ;
       kg:coversArea/skos:prefLabel ?area .
  }
}
ORDER BY ?agreement ?area
""",
    "roles": """\
SELECT DISTINCT ?person ?role ?organisation WHERE {
  GRAPH ?g {
    ?m a org:Membership ;
       org:member/foaf:name ?person ;
       org:role/skos:prefLabel ?role .
    OPTIONAL { ?m org:organization/skos:prefLabel ?organisation }
  }
}
ORDER BY ?person ?role ?organisation
""",
    "aliases": """\
SELECT DISTINCT ?organisation ?alias WHERE {
  GRAPH ?g {
    ?o a org:Organization ;
       skos:prefLabel ?organisation ;
       skos:altLabel ?alias .
  }
}
ORDER BY ?organisation ?alias
""",
    "speakers": """\
SELECT DISTINCT ?release ?person WHERE {
  GRAPH ?g {
    ?s a kg:Speech ;
       kg:speaker/foaf:name ?person ;
       kg:inRelease/rdfs:label ?release .
  }
}
ORDER BY ?release ?person
""",
}
#: the columns each reference query sorts by, in order
SORT_KEYS = {
    "agreements": ("date", "agreement"),
    "parties": ("agreement", "organisation"),
    "signatories": ("agreement", "person"),
    "witnesses": ("agreement", "person"),
    "areas": ("agreement", "area"),
    "roles": ("person", "role", "organisation"),
    "aliases": ("organisation", "alias"),
    "speakers": ("release", "person"),
}

Row = tuple[str | None, ...]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The golden cases, the seed and 60 generated releases, built by ``kg build``."""
    root = tmp_path_factory.mktemp("named")
    releases = root / "releases"
    releases.mkdir()
    for path in sorted(CASES.glob("*/release.*")):
        if path.suffix in (".txt", ".html"):
            shutil.copy(path, releases / f"{path.parent.name}{path.suffix}")
            meta = path.with_name("release.meta.json")
            if meta.exists():
                shutil.copy(meta, releases / f"{path.parent.name}.meta.json")
    shutil.copy(SEED, releases / SEED.name)
    generator = ["-m", "benchmarks.generate", "--size", "60", "--seed", "11"]
    subprocess.run(
        [sys.executable, *generator, "--out", str(root / "generated")],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    path = root / "store"
    assert main(["--store", str(path), "build", str(releases), str(root / "generated")]) == 0
    return ox.Store.read_only(str(path))


def select(store: ox.Store, sparql: str) -> tuple[list[str], list[Row]]:
    """Column names and rows (values as text, ``None`` when unbound)."""
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return names, [tuple(None if s[n] is None else s[n].value for n in names) for s in result]


def sort_key(row: Row, columns: list[str], keys: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """SPARQL's ascending order on string keys: unbound first, then by code point."""
    return tuple(
        (0, "") if row[columns.index(k)] is None else (1, str(row[columns.index(k)])) for k in keys
    )


def test_the_reference_covers_the_contract() -> None:
    assert set(REFERENCE) == set(SORT_KEYS) == set(NAMED_QUERIES)


@pytest.mark.parametrize("name", sorted(NAMED_QUERIES))
def test_a_rewritten_query_returns_the_reference_rows_in_order(store: ox.Store, name: str) -> None:
    columns, rows = select(store, query_text(name))
    ref_columns, ref_rows = select(store, PREFIXES + REFERENCE[name])
    assert columns == ref_columns == list(NAMED_QUERIES[name])
    assert rows, "the corpus exercises every query"
    assert sorted(rows, key=repr) == sorted(ref_rows, key=repr)
    keys = [sort_key(row, columns, SORT_KEYS[name]) for row in rows]
    assert keys == sorted(keys)
    assert keys == [sort_key(row, columns, SORT_KEYS[name]) for row in ref_rows]
