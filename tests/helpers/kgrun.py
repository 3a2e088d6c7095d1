"""Running the ``kg`` command line in-process, as a user would, and reading its output."""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from kg.cli import main

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = ROOT / "tests" / "data" / "identity"


@dataclass
class Run:
    code: int
    out: str
    err: str


def kg(*args: str | Path) -> Run:
    """Run ``kg ARGS...`` and capture its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


def query(store: Path, spec: str) -> list[tuple[str, ...]]:
    """The rows of ``kg query SPEC --format csv`` (header dropped), as tuples of strings."""
    run = kg("--store", store, "query", spec, "--format", "csv")
    assert run.code == 0, run.err
    return [tuple(row) for row in list(csv.reader(io.StringIO(run.out)))[1:]]
