"""The browser fetcher: Chromium driven through Playwright's sync API, closed whatever happens."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import BrowserUnavailable, SourceUnavailable
from audiowatch.fetch.base import Fetcher, Page
from audiowatch.fetch.pacing import Pacer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

log = structlog.get_logger(__name__)

# Names Chromium goes by on Linux distributions, most likely first (Debian: /usr/bin/chromium).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# The machine has no network but loopback: without these Chromium phones home at start
# and logs refused connections (reference: env notes and §10 of the reliability notes).
CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
)

HOW_TO_GET_A_BROWSER = (
    "No Chromium found. Install one: `sudo apt-get install chromium` on Debian/Ubuntu, "
    "or `playwright install chromium`; or set scraper.executable_path in config.yaml "
    "(or use `fetcher: http`)."
)


def find_chromium(configured: Path | None) -> str | None:
    """Return the Chromium to launch: the configured one, else the first on PATH, else None.

    None means "try Playwright's own download". Raise BrowserUnavailable when the configured
    path does not exist, since silently using another browser would hide the mistake.
    """
    if configured is not None:
        path = configured.expanduser()
        if not path.is_file():
            raise BrowserUnavailable(
                f"scraper.executable_path is {path}, which does not exist. Fix the path, or set "
                "it to null to find Chromium automatically."
            )
        return str(path)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserFetcher(Fetcher):
    """Fetches pages with headless Chromium: slower, but it runs the site's scripts."""

    def __init__(self, settings: ScraperSettings, *, headless: bool = True) -> None:
        self._settings = settings
        self._headless = headless
        self._pacer = Pacer(settings.rate_limit_delay_seconds)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._page: Any = None
        self.requests = 0

    def __enter__(self) -> BrowserFetcher:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        from playwright.sync_api import Error, sync_playwright

        executable = find_chromium(self._settings.executable_path)
        self._playwright = sync_playwright().start()
        if executable is None and not Path(self._playwright.chromium.executable_path).exists():
            raise BrowserUnavailable(HOW_TO_GET_A_BROWSER)
        try:
            # Ctrl-C reaches the whole process group, the Playwright driver included. By default
            # the driver then closes the browser and quits on its own, so the tick's cleanup finds
            # the connection gone; handle_sigint=False leaves stopping to the tick (signals.py).
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, headless=self._headless, args=list(CHROMIUM_ARGS),
                timeout=self._settings.timeout_seconds * 1000, handle_sigint=False,
            )
        except Error as error:
            raise BrowserUnavailable(
                f"Chromium ({executable or 'Playwright bundled'}) would not start: "
                f"{error.message.splitlines()[0]}"
            ) from None
        log.debug("browser_started", executable=executable or "playwright bundled",
                  headless=self._headless)
        self._page = self._browser.new_context().new_page()
        self._page.set_default_timeout(self._settings.timeout_seconds * 1000)

    def get(self, url: str) -> Page:
        from playwright.sync_api import Error

        if self._page is None:
            raise RuntimeError("BrowserFetcher.get() called outside its `with` block")
        self._pacer.wait()
        self.requests += 1
        try:
            # domcontentloaded: the cards are in the server-rendered HTML; waiting for
            # images or "networkidle" only adds time (reference §10).
            response = self._page.goto(url, wait_until="domcontentloaded")
            html = self._page.content()
        except Error as error:
            raise SourceUnavailable(error.message.splitlines()[0], url) from None
        status = response.status if response is not None else 200
        return Page(self._page.url, status, html, datetime.now(UTC))

    def close(self) -> None:
        """Close the browser and stop the driver; safe to call twice and after a failed start."""
        from playwright.sync_api import Error

        browser, playwright = self._browser, self._playwright
        self._page = self._browser = self._playwright = None
        if browser is not None:
            try:
                browser.close()
            except Error as error:
                log.warning("browser_close_failed", error=error.message)
        if playwright is not None:
            playwright.stop()
