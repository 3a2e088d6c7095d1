"""Faults a running ``kg serve`` and the store must survive (RELIABILITY.md F2, F3, F5, F6,
F7), at RELIABILITY's CI trial counts; every wait is bounded by a deadline.

The trials live in ``helpers.faults`` (shared with ``python -m benchmarks.faults``, which runs
them at the nightly counts too); their docstrings say what each trial checks:

* F2: ``kg serve`` (a real process) killed with SIGKILL mid-query, then restarted: serving again
  within 5 s, no stale lock, no worker left behind, the export hash unchanged.
* F3: the store opened, queried and closed: the same export hash every time.
* F5: a build into a store it cannot write: one clean error line, nothing created, an existing
  store unchanged (needs root to mount a read-only tmpfs, as CI has).
* F6: ``kg build`` on the store being served switches the server to a new generation while a
  client hammering ``/sparql`` and ``/healthz`` sees no failed request.
* F7: query workers killed at the time limit: no orphan or zombie in the server's process tree
  (read from ``/proc``), the pool back to its size, the next requests served.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.faults import (
    BuildWhileServing,
    Fault,
    ReadOnlyStore,
    ReopenCycles,
    ServerKilled,
    WorkerTimedOut,
    run,
)


@pytest.mark.parametrize(
    "fault",
    [ServerKilled, ReopenCycles, ReadOnlyStore, BuildWhileServing, WorkerTimedOut],
    ids=lambda fault: fault.id,
)
def test_fault_survived_at_the_ci_count(fault: type[Fault], tmp_path: Path) -> None:
    outcome = run(fault, fault.ci, tmp_path)
    assert outcome.total >= fault.ci
    assert outcome.failures == [], outcome
