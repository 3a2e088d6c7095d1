"""The slow baseline: the same queries on rdflib's in-memory ``Dataset`` (its own engine).

Run as a child process by :mod:`benchmarks.run`::

    python -m benchmarks.rdflib_baseline DATA.nq QUERIES.json OUT.json --reps 3 --timeout 30

It loads the N-Quads once, then runs each query in a forked child so a query that passes
``--timeout`` seconds can be killed without losing the loaded data (rdflib's engine cannot be
interrupted from a thread). ``OUT.json`` is rewritten after every query, so the parent keeps
what was measured even when it has to kill this process.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rdflib import Dataset

__all__ = ["main"]


def _run_query(dataset: Dataset, sparql: str, reps: int, conn: Connection) -> None:
    """In the forked child: run ``sparql`` ``reps`` times, sending each (seconds, rows)."""
    for _ in range(reps):
        started = time.perf_counter()
        rows = sum(1 for _ in dataset.query(sparql))
        conn.send((time.perf_counter() - started, rows))
    conn.close()


def _measure(dataset: Dataset, sparql: str, reps: int, timeout: float) -> dict[str, Any]:
    """Times of up to ``reps`` runs; ``timed_out`` when the child had to be killed."""
    ctx = mp.get_context("fork")  # the dataset is shared copy-on-write, not reloaded
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run_query, args=(dataset, sparql, reps, child), daemon=True)
    proc.start()
    child.close()
    times: list[float] = []
    rows = 0
    deadline = time.monotonic() + timeout
    timed_out = False
    while len(times) < reps:
        left = deadline - time.monotonic()
        if left <= 0 or not parent.poll(left):
            timed_out = True
            break
        try:
            seconds, rows = parent.recv()
        except EOFError:  # the child died (an engine error): report what we have
            break
        times.append(seconds)
    if proc.is_alive():
        proc.kill()
    proc.join(5)
    return {"times": times, "rows": rows, "timed_out": timed_out, "timeout": timeout}


def main(argv: list[str] | None = None) -> int:
    """Load the data, run every query, write the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("queries")
    parser.add_argument("out")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    queries: dict[str, str] = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    out = Path(args.out)
    result: dict[str, Any] = {"queries": {}}
    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(args.data, format="nquads")
    result["load_seconds"] = time.perf_counter() - started
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps(result), encoding="utf-8")
    for name, sparql in queries.items():
        result["queries"][name] = _measure(dataset, sparql, args.reps, args.timeout)
        out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
