"""Extraction speed on one core: milliseconds per release over a corpus (issue 3).

Reads every release once (the baseline: reading alone), then times ``extract`` on each
document in this one process, and prints the mean, p50 and p95 per release with the ratio of
extraction to reading. Usage::

    .venv/bin/python -m benchmarks.extract_speed [DIR ...]   # default: tests/cases data/releases
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kg.build import collect
from kg.errors import InputError
from kg.extract import extract
from kg.sources import read_release

ROOT = Path(__file__).resolve().parents[1]


def measure(paths: list[Path], repeats: int) -> tuple[list[float], list[float]]:
    """Per-release seconds of reading and of extraction (best of ``repeats``)."""
    reading, extracting = [], []
    for path in paths:
        try:
            started = time.perf_counter()
            doc = read_release(path)
            reading.append(time.perf_counter() - started)
        except InputError:
            continue
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            extract(doc)
            best = min(best, time.perf_counter() - started)
        extracting.append(best)
    return reading, extracting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", default=[ROOT / "tests/cases", ROOT / "data/releases"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    paths = collect(args.dirs)
    reading, extracting = measure(paths, args.repeats)

    def ms(values: list[float], q: float) -> float:
        return 1000 * statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else 0.0

    mean_read = 1000 * statistics.fmean(reading)
    mean_extract = 1000 * statistics.fmean(extracting)
    print(f"releases: {len(extracting)} ({', '.join(str(d) for d in args.dirs)})")
    print("| step | mean ms | p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| read (baseline) | {mean_read:.2f} | {ms(reading, 50):.2f} | {ms(reading, 95):.2f} |")
    print(f"| extract | {mean_extract:.2f} | {ms(extracting, 50):.2f} | {ms(extracting, 95):.2f} |")
    print(f"extract / read: {mean_extract / mean_read:.1f}x")


if __name__ == "__main__":
    main()
