"""Save a screenshot of the graph viewer on the seed release to docs/viewer.png.

Builds the seed (data/releases/) into a temporary store, serves it on loopback with waitress,
opens /graph in headless Chromium (/usr/bin/chromium) and waits until the layout has settled.

    .venv/bin/python -m scripts.screenshot [--out docs/viewer.png] [--releases data/releases]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from kg.cli import main as kg_main
from tests.helpers.webapp import CHROMIUM, CHROMIUM_ARGS, live_server

ROOT = Path(__file__).resolve().parents[1]


def screenshot(out: Path, releases: Path) -> None:
    """Build ``releases``, serve them and write the viewer's screenshot to ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        if kg_main(["--store", str(store), "build", str(releases)]) != 0:
            raise SystemExit("kg build failed")
        with live_server(store, threads=None) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(f"{url}/graph")
            page.wait_for_selector("#network[data-ready='1']", timeout=20_000)
            page.evaluate("() => window.kgViewer.network.fit()")
            page.wait_for_timeout(300)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()


def main() -> None:
    """Parse the arguments and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "viewer.png")
    parser.add_argument("--releases", type=Path, default=ROOT / "data" / "releases")
    args = parser.parse_args()
    screenshot(args.out, args.releases)


if __name__ == "__main__":
    main()
