"""``/healthz``: a cheap liveness check for load balancers and the benchmarks' baseline."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """``{"ok": true, "store": ..., "workers": n}``; never touches the store."""
    runner = current_app.extensions.get("kg.sparql")
    return jsonify(
        ok=True,
        store=current_app.config.get("KG_STORE"),
        workers=len(runner.worker_pids()) if runner is not None else 0,
    )
