"""A full disk mid-ingest (RELIABILITY F4), at its CI trial count: a clean one-line error, no
partial release, and after space is freed the store opens, each release graph is whole, the
hash is unchanged if the build failed, and a rerun completes the graph and validates.

The disk is a small tmpfs mounted for each trial (CI runs as root on Linux, as the README
says); a filler file takes all but a few KiB or MiB of it. The trial is ``DiskFull`` in
``helpers.faults``, shared with ``python -m benchmarks.faults``.
"""

from __future__ import annotations

from pathlib import Path

from helpers.faults import DiskFull, run


def test_disk_full_mid_ingest(tmp_path: Path) -> None:
    outcome = run(DiskFull, DiskFull.ci, tmp_path)
    assert outcome.total >= DiskFull.ci
    assert outcome.failures == [], outcome
