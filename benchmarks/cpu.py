"""Where a build's CPU goes: the figures behind the build-throughput verdict.

On a machine with few cores a build is bound by CPU, not by waiting: its ceiling in releases
per second is ``cores * 1000 / (CPU ms per release)``. :func:`cpu_seconds` reads the CPU time
of this process and of the children it has waited for (a child's own waited-for children,
such as ``kg build``'s pool workers, are included), so a step's CPU is the difference around
it. :func:`stage_costs` times each stage of preparing a release in this process, one stage
at a time over the same sample, with the store's bulk load of the sample last.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build import _CHUNK
from kg.extract import extract
from kg.mapping import graph_iri, map_release, nquads
from kg.sources import read_release
from kg.validate import check_batch

__all__ = ["STAGES", "cpu_seconds", "stage_costs"]

#: the stages :func:`stage_costs` reports, in the order a release goes through them
STAGES = ("read", "extract", "map", "serialise", "validate", "store")


def cpu_seconds(*, own: bool = True) -> float:
    """User + system CPU seconds of the children this process has waited for, and of this
    process too unless ``own`` is false (to time a child alone while this process samples it)."""
    used = [resource.getrusage(resource.RUSAGE_CHILDREN)]
    if own:
        used.append(resource.getrusage(resource.RUSAGE_SELF))
    return sum(u.ru_utime + u.ru_stime for u in used)


def stage_costs(files: list[Path], work: Path) -> dict[str, Any]:
    """CPU ms per release of each stage of :data:`STAGES` over ``files``, in this process.

    Validation runs in chunks of the build's size (``kg.build._CHUNK``); the store stage
    bulk-loads the sample's N-Quads into a fresh on-disk store in ``work`` as the build does
    (``lenient`` once validated), so it leaves out what a large store adds (compaction, deeper
    indexes): the build's own CPU minus its baseline's shows that.
    """
    spent = dict.fromkeys(STAGES, 0.0)
    prepared: list[tuple[str, Any, bytes]] = []
    quads = 0
    for path in files:
        t0 = time.process_time()
        doc = read_release(path)
        t1 = time.process_time()
        facts = extract(doc)
        t2 = time.process_time()
        mapped = map_release(facts, text=doc.text)
        t3 = time.process_time()
        graph = graph_iri(doc.key)
        data = nquads(mapped, graph).encode("utf-8")
        t4 = time.process_time()
        for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=False):
            spent[stage] += seconds
        prepared.append((path.name, graph, data))
        quads += len(mapped)
    t0 = time.process_time()
    for start in range(0, len(prepared), _CHUNK):
        check_batch(prepared[start : start + _CHUNK])
    spent["validate"] = time.process_time() - t0
    where = Path(tempfile.mkdtemp(prefix="cpu-store-", dir=work))
    try:
        store = ox.Store(str(where))
        t0 = time.process_time()  # the loader's threads count: process_time is per process
        store.bulk_load(
            b"".join(data for _, _, data in prepared), format=ox.RdfFormat.N_QUADS, lenient=True
        )
        spent["store"] = time.process_time() - t0
        del store
    finally:
        shutil.rmtree(where, ignore_errors=True)
    n = max(1, len(files))
    return {
        "files": len(files),
        "quads_per_release": quads / n,
        "ms": {stage: seconds * 1000 / n for stage, seconds in spent.items()},
    }
