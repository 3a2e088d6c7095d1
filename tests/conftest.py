"""Shared fixtures: real stores (an on-disk Oxigraph store, a live Oxigraph server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Support code, not tests: with --doctest-modules pytest would import these as top-level
# modules (tests/helpers/webapp.py would shadow the real webapp package).
collect_ignore = ["helpers", "fixtures", "data", "cases", "browse_data.py"]

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "releases" / "000_6ab14cd06da14410.txt"
CASES = ROOT / "tests" / "cases"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the oxigraph server is not installed (pip install oxigraph)")
    return found


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Oxigraph server on loopback, started for the session and stopped after it."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    proc = subprocess.Popen(
        [_oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph server did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
    try:
        yield {"query": f"{base}/query", "update": f"{base}/update", "base": base}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture(params=["embedded", "remote"])
def store_location(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str | None]]:
    """(location, update_url) of an empty store: an on-disk store, or the live server."""
    if request.param == "embedded":
        yield str(tmp_path / "store"), None
        return
    server = request.getfixturevalue("oxigraph_server")
    clear_remote(server["update"])
    yield server["query"], server["update"]
    clear_remote(server["update"])


def clear_remote(update_url: str) -> None:
    """Empty the live Oxigraph server."""
    req = urllib.request.Request(
        update_url,
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10):
        pass


# -- web app (webapp/): app, client, runner, in the Flask tutorial's style ----------------------


@pytest.fixture
def webapp_store(tmp_path: Path) -> Path:
    """A small on-disk store: two release graphs with organisations and an agreement."""
    from helpers.webapp import build_store, sample_quads

    return build_store(tmp_path / "webapp-store", sample_quads())


@pytest.fixture
def make_app(webapp_store: Path) -> Iterator[Any]:
    """A factory ``make_app(**config)`` of web apps on ``webapp_store``; all closed after."""
    from webapp import close_app, create_app

    apps = []

    def make(**config: Any) -> Any:
        settings = {"TESTING": True, "KG_STORE": str(webapp_store), "KG_QUERY_WORKERS": 2}
        app = create_app({**settings, **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_app(app)


@pytest.fixture
def app(make_app: Any) -> Any:
    """The web app on ``webapp_store`` with the default (read-only) settings."""
    return make_app()


@pytest.fixture
def client(app: Any) -> Any:
    """A Flask test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    """A Flask CLI runner of ``app``."""
    return app.test_cli_runner()
