"""Shared fixtures of the web tests: a real server on the bundled data, headless Chromium.

Imported by the ``test_web_*`` modules (this module holds no tests of its own). The browser is
Debian's ``/usr/bin/chromium`` (``scripts/install-browser.sh``, run by ``make test``), driven by
Playwright's Python client, started with a fresh profile directory and the flags that keep it
from calling out; every request a page makes is recorded, and any that leaves 127.0.0.1 is
refused and reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from analysis_support import bundled
from test_server_support import live_server

REPO = Path(__file__).resolve().parent.parent
# Every run writes its screenshots where a developer can look at them without dirtying the tree;
# `make screenshots` (MILGRAPH_UPDATE_SCREENSHOTS=1) writes the ones README.md shows.
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("MILGRAPH_UPDATE_SCREENSHOTS") == "1"
    else REPO / ".milgraph" / "screenshots"
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def bundled_store() -> Path:
    """Snapshot root of the real bundled data (built once per test process, shared with the
    analysis tests)."""
    return bundled().path.parent


@pytest.fixture(scope="session")
def web_server(bundled_store: Path) -> Iterator[Any]:
    """``milgraph serve`` on 127.0.0.1 (a free port) over the bundled data."""
    if not (REPO / "web" / "dist" / "workbench.js").is_file():
        pytest.fail("web/dist is not built: run `make web` (make test does it)")
    yield from live_server(["--store", str(bundled_store), "--query-workers", "2"])


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Playwright gives every launch a fresh temporary --user-data-dir of its own.
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """One browser tab with everything it did recorded."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str, ready: str = "[data-ready=true]", timeout: float = 30_000) -> Any:
        self.page.goto(self.base + path, wait_until="load")
        if ready:
            self.page.wait_for_selector(ready, timeout=timeout, state="attached")
        return self.page

    def items(self, selector: str) -> int:
        return int(self.page.get_attribute(selector, "data-items"))

    def check_clean(self) -> None:
        """No console error, no uncaught exception, no request off 127.0.0.1."""
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not self.errors, f"console errors: {self.errors}"
        assert self.requests, "the page made no request at all?"

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        out = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(out))
        shrink_png(out)
        return out


def shrink_png(path: Path, colours: int = 256) -> None:
    """Screenshots go into git: keep them small (palette PNG, as optimised as Pillow can)."""
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional; the PNG stays as Chromium wrote it
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colours, method=Image.Quantize.FASTOCTREE, dither=0)
        small.save(path, optimize=True)


@pytest.fixture
def visit(chromium: Any, web_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Open pages of the live server in a new browser context (1400×900 unless the test
    asks for ``viewport``); at the end, the recorded traffic and errors are available."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None) -> Visit:
        context = chromium.new_context(viewport=viewport or DESKTOP, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        v = Visit(page, web_server.url)

        def on_request(req: Any) -> None:
            v.requests.append(req.url)
            host = urlsplit(req.url).hostname
            if req.url.startswith(("data:", "blob:", "about:")):
                return
            if host != "127.0.0.1":
                v.outside.append(req.url)

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page.on("request", on_request)
        page.on("console", lambda m: m.type == "error" and v.errors.append(m.text))
        page.on("pageerror", lambda e: v.errors.append(f"uncaught: {e}"))
        return v

    yield make
    for c in contexts:
        c.close()
