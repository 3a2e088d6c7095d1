"""The checks STYLE.md names, run as part of the suite so CI enforces them: ruff lint, ruff
format and mypy on ``src/kg`` and ``webapp`` (their settings are in ``pyproject.toml``).

Each runs from this virtualenv (``sys.executable -m ...``) at the repository root; a failure
shows the tool's own report, which says what to fix and where.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINTED = ("src", "webapp", "tests", "benchmarks", "notebooks", "scripts")

CHECKS = {
    "ruff-check": ["ruff", "check", *LINTED],
    "ruff-format": ["ruff", "format", "--check", *LINTED],
    "mypy": ["mypy", "src/kg", "webapp"],
}


@pytest.mark.parametrize("argv", CHECKS.values(), ids=CHECKS.keys())
def test_tool_passes(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}"
