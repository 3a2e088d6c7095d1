"""Which code a stored release counts as built by (kg.build.code_fingerprint): the modules
that shape a release graph, found from their imports, and not the store, server or notebook
code, so editing those does not make every release of a large store rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import kg
from kg.build import graph_code

PACKAGE = Path(kg.__file__).parent


def test_the_graph_code_is_the_reading_extraction_curation_and_mapping_code() -> None:
    names = {path.name for path in graph_code()}
    assert {"sources.py", "extract.py", "curation.py", "mapping.py", "build.py"} <= names
    assert {"_clean.py", "_pdf.py", "_html.py", "_orgs.py", "_names.py", "facts.py"} <= names
    for downstream in ("store.py", "generations.py", "sparql.py", "query.py", "analysis.py"):
        assert downstream not in names


def test_a_new_module_imported_by_extraction_counts(tmp_path: Path) -> None:
    root = tmp_path / "kg"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    assert "_new_rule.py" not in {p.name for p in graph_code(root)}
    (root / "_new_rule.py").write_text("from kg._late import LATE\n", encoding="utf-8")
    (root / "_late.py").write_text("LATE = 1\n", encoding="utf-8")
    extract = root / "extract.py"
    extract.write_text(extract.read_text() + "\nfrom ._new_rule import *  # noqa\n")
    names = {p.name for p in graph_code(root)}
    assert {"_new_rule.py", "_late.py"} <= names  # relative, then absolute, import
    assert "store.py" not in names
