"""Faults survived (RELIABILITY.md F1-F8): run each fault's trials and print survived/total.

    python -m benchmarks.faults              # the CI trial counts
    python -m benchmarks.faults --nightly    # the nightly counts
    python -m benchmarks.faults --only F1,F7 --trials 10

The trials are the tests' own (``tests/helpers/faults.py``), so the table counts exactly what
the tests check. F4 and F5 mount tmpfs file systems, so they need root (as CI has). Exits 1
when any fault was not survived, after listing each failed trial.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the trial code lives with the tests' helpers

from helpers.faults import FAULTS, Outcome, run, table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description=__doc__)
    parser.add_argument("--nightly", action="store_true", help="the nightly trial counts")
    parser.add_argument("--only", default="", help="comma-separated fault ids, e.g. F1,F8")
    parser.add_argument("--trials", type=int, default=None, help="this many trials of each")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the files here")
    args = parser.parse_args(argv)
    wanted = {name.strip().upper() for name in args.only.split(",") if name.strip()}
    faults = [f for f in FAULTS if not wanted or f.id in wanted]
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-faults-") as scratch:
        root = args.workdir or Path(scratch)
        for fault in faults:
            count = args.trials or (fault.nightly if args.nightly else fault.ci)
            outcome = run(fault, count, root / fault.id)
            outcomes.append(outcome)
            print(
                f"{fault.id}: {outcome.survived}/{outcome.total} in {outcome.seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            for number, reason in outcome.failures:
                print(f"  trial {number}: {reason}", file=sys.stderr)
    print(table(outcomes))
    print(f"\n{time.perf_counter() - started:.1f} s in all")
    return 0 if all(o.survived == o.total for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
