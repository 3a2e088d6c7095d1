"""The analysis notebook runs top to bottom in a fresh kernel, on data/releases/ only.

The kernel is this virtualenv's Python: a ``python3`` kernelspec pointing at
``sys.executable`` is written to a temporary directory put first on ``JUPYTER_PATH``, so no
other Jupyter installation on the machine is picked up.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "partnership_analysis.ipynb"
#: the notebook must stay quick enough to run in CI on every change
BUDGET_SECONDS = 60


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (kg)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # opt in to platformdirs now, as jupyter_core warns it will become the default
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("KG_BASE_IRI", raising=False)
    monkeypatch.delenv("KG_STORE", raising=False)


def test_generator_and_notebook_agree() -> None:
    sys.path.insert(0, str(NOTEBOOK.parent))
    try:
        import make_notebook
    finally:
        sys.path.remove(str(NOTEBOOK.parent))
    import nbformat

    on_disk = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in on_disk.cells] == [c.source for c in make_notebook.notebook().cells]
    assert all(not c.get("outputs") for c in on_disk.cells if c.cell_type == "code")


@pytest.mark.usefixtures("kernel_env")
def test_notebook_runs_clean() -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_SECONDS, f"notebook took {elapsed:.1f} s"

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr  # no warnings from our code or the libraries
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 4  # network, areas, timeline, in force per month
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Department of Health" in html  # the seed's parties reach the tables
    assert "<iframe srcdoc=" in html and "cdnjs" not in html
