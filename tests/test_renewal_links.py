"""A renewal stated in one release is linked to the agreement it renews in another (issue 3),
whichever release is built first, and the export does not depend on the order."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.query import rows
from kg.store import open_store

HERE = Path(__file__).resolve().parent / "data" / "renewal"
ORIGINAL = HERE / "2019-harbour-mou.txt"
RENEWAL = HERE / "2022-harbour-renewal.txt"
LINKS = """
PREFIX kg: <https://w3id.org/partnership-graph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?new ?old WHERE {
  GRAPH ?g { ?a kg:renews ?b ; dcterms:date ?new } GRAPH ?h { ?b dcterms:date ?old }
}
"""


def export(store: Path) -> bytes:
    out = store.parent / f"{store.name}.nq"
    assert main(["--store", str(store), "export", "-o", str(out)]) == 0
    return out.read_bytes()


@pytest.mark.parametrize(
    "order", [[ORIGINAL, RENEWAL], [RENEWAL, ORIGINAL]], ids=["old-first", "new-first"]
)
def test_renewal_is_linked_across_releases(order: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "store"
    for release in order:  # two separate builds
        assert main(["--store", str(store), "build", str(release)]) == 0
    with open_store(store, read_only=True) as s:
        _, links = rows(s, LINKS)
    assert links == [("2022-06-20", "2019-06-12")]
    together = tmp_path / "together"
    assert main(["--store", str(together), "build", str(HERE)]) == 0
    assert export(store) == export(together)


def test_a_renewal_alone_is_marked_but_not_linked(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert main(["--store", str(store), "build", str(RENEWAL)]) == 0
    with open_store(store, read_only=True) as s:
        _, links = rows(s, LINKS)
        _, marked = rows(
            s,
            "PREFIX kg: <https://w3id.org/partnership-graph/ontology#> "
            "SELECT ?a WHERE { GRAPH ?g { ?a kg:isRenewal true } }",
        )
    assert links == [] and len(marked) == 1
