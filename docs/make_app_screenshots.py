"""Screenshots of ``dcsim app`` as a browser shows it: ``docs/make_app_screenshots.py``.

Starts ``dcsim app`` on the default campus, opens it in headless Chromium (Debian's
``chromium``, driven by Playwright) and photographs, into ``docs/figures/``:

- ``app-base.png``: the page as it opens, the base case's 200 replications;
- ``app-grid-delay.png``: the 170 MW grid step two years later and two installation
  crews instead of three (set through the URL, as a shared link does);
- ``app-rent-fast-track.png``: 100 MW of rented turbines and fast-track halls, the
  generation and construction cards open;
- ``app-upload-error.png``: the one-line errors of a scenario that fails validation;
- ``app-fleet.png``: the fleet page on ``configs/fleet/meta-2024.yaml``, the new-campus
  region's powered shells halved, 300 to 150 MW (100 replications).

Each is reduced to a 256-colour palette so the files stay small.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip
DONE = ".status[data-state=done]"
WAIT_MS = 300_000
FLEET = "configs/fleet/meta-2024.yaml"
BAD = b"name: bad-campus\nstart: 2025-02-30\nhorizon: 4 years\nhalls: 3\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shoot(page, name: str) -> None:
    time.sleep(1.0)  # the last redraw reaches the canvas
    path = FIGURES / name
    page.screenshot(path=path, full_page=True)
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)
    print(path.relative_to(ROOT))


@contextmanager
def serving(*args: str) -> Iterator[str]:
    """``dcsim app ARGS`` on a free port; its address while it serves."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dcsim", "app", *args, "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert "serving" in server.stdout.readline()
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def campus(browser) -> None:
    with serving() as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector(DONE, timeout=WAIT_MS)
        shoot(page, "app-base.png")
        page.goto(f"{url}?g0s2delay=24&icrews=2")
        page.wait_for_selector(".full-edited-p50", timeout=WAIT_MS)
        page.wait_for_selector(DONE, timeout=WAIT_MS)
        shoot(page, "app-grid-delay.png")
        page.goto(f"{url}?rentmw=100&buildmode=fast_track")
        page.wait_for_selector(".full-edited-p50", timeout=WAIT_MS)
        page.wait_for_selector(DONE, timeout=WAIT_MS)
        for card in ("generation", "construction"):
            page.locator(".card-header", has_text=card).first.click()
        shoot(page, "app-rent-fast-track.png")
        page.locator("input[type=file]").set_input_files(
            files=[{"name": "bad-campus.yaml", "mimeType": "text/yaml", "buffer": BAD}]
        )
        page.wait_for_selector(".error-line", timeout=WAIT_MS)
        shoot(page, "app-upload-error.png")


def fleet(browser) -> None:
    with serving(FLEET) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}?r1shells=150")
        page.wait_for_selector("[data-case=edited]", timeout=WAIT_MS)
        page.wait_for_selector(DONE, timeout=WAIT_MS)
        page.locator(".card-header", has_text="new-campuses").first.click()
        shoot(page, "app-fleet.png")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for shots in (campus, fleet):
            if len(sys.argv) < 2 or shots.__name__ in sys.argv[1:]:
                shots(browser)
        browser.close()


if __name__ == "__main__":
    main()
