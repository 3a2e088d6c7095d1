"""Running the app: on waitress for ``kg serve``, or for one request without a server.

``serve`` holds the store's serve lock (:func:`kg.sparql.serving_lock`) for as long as it
runs, so a ``kg build`` meanwhile never writes underneath the read-only query workers: it
writes a new generation of the store and switches to it when complete, and the workers follow
(:mod:`kg.generations`). The kernel releases the lock if the server is killed. Starting, the
server removes old generations nobody reads.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

__all__ = ["get", "make_server", "serve"]


def _app(store: str | os.PathLike[str] | None, config: Mapping[str, Any] | None) -> Flask:
    from webapp import create_app

    settings: dict[str, Any] = dict(config or {})
    if store is not None:
        settings["KG_STORE"] = str(store)
    return create_app(settings)


def make_server(
    store: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    threads: int | None = None,
    config: Mapping[str, Any] | None = None,
) -> tuple[Any, Flask]:
    """A waitress server for the app, not yet running (``server.run()``, ``server.close()``).

    The result cache starts warming in the background at once (:mod:`webapp.warm`).

    :param threads: waitress request threads; default enough for every query worker plus the
        queue of waiting requests, so the queue limit (not waitress) answers 503
    :return: ``(server, app)``; call :func:`webapp.close_app` on the app after closing
    """
    import waitress

    from webapp import warm

    app = _app(store, config)
    warm.start(app)
    runner = app.extensions.get("kg.sparql")
    if threads is None:
        threads = (runner.size + runner.max_waiting + 4) if runner is not None else 8
    server = waitress.create_server(app, host=host, port=port, threads=threads, ident="kg")
    return server, app


def serve(
    store: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    threads: int | None = None,
    config: Mapping[str, Any] | None = None,
) -> None:
    """Serve the app on waitress until interrupted, holding the store's serve lock.

    :raises kg.errors.StoreError: if another process serves or builds the store
    """
    from kg.generations import collect_garbage
    from kg.sparql import serving_lock
    from webapp import close_app

    remote = "://" in str(store)  # a remote store has its own server; there is nothing to lock
    with contextlib.nullcontext() if remote else serving_lock(store):
        if not remote:
            collect_garbage(store)
        server, app = make_server(store, host, port, threads, config)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            close_app(app)


def get(
    store: str | os.PathLike[str] | None,
    path: str,
    headers: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Answer one GET request in process, as ``kg serve --get /path`` would.

    >>> status, headers, body = get(None, "/healthz")
    >>> status, headers["Content-Type"], body.startswith(b'{"ok":true')
    (200, 'application/json', True)
    """
    from webapp import close_app

    app = _app(store, config)
    try:
        with app.test_client() as client:
            response = client.get(path, headers=dict(headers or {}))
            result = (response.status_code, dict(response.headers), response.get_data())
            response.close()
        return result
    finally:
        close_app(app)
