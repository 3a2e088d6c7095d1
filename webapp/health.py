"""``/healthz``: a cheap liveness check for load balancers and the benchmarks' baseline."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from kg.sparql import QueryRunner

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """``{"ok": true, "result_cache": {...}, "store": ..., "workers": n}``; never queries the
    store.

    ``result_cache`` (an embedded store only) counts the result cache's ``hits``, ``misses``,
    ``entries`` and ``bytes`` (of ``max_bytes``, ``KG_CACHE_BYTES``), ``pinned_bytes`` the
    values kept beside it (the viewer's network, :meth:`QueryRunner.pinned`); ``warm`` says
    whether the warm-up has run for the store's state now.
    """
    runner = current_app.extensions.get("kg.sparql")
    cache = None
    if isinstance(runner, QueryRunner):
        stats = runner.cache_stats()
        cache = {
            "hits": stats.hits,
            "misses": stats.misses,
            "entries": stats.entries,
            "bytes": stats.bytes,
            "max_bytes": runner.cache_max_bytes(),
            "pinned_bytes": runner.pinned_bytes(),
            "warm": runner.is_warm(),
        }
    return jsonify(
        ok=True,
        store=current_app.config.get("KG_STORE"),
        workers=len(runner.worker_pids()) if runner is not None else 0,
        result_cache=cache,
    )
