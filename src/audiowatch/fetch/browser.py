"""The browser fetcher: Chromium driven through Playwright's sync API, closed whatever happens."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import BrowserUnavailable, SourceUnavailable
from audiowatch.fetch import blocks
from audiowatch.fetch.base import PacedFetcher, Page, TransientError
from audiowatch.fetch.pacing import Pacer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright, Request, Response, Route

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

# Nothing on these is needed to read the cards; not loading them saves time and the site's bandwidth.
BLOCKED_RESOURCES = frozenset({"image", "media", "font"})
CHALLENGE_POLL_MILLISECONDS = 200
# In the data folder: the browser's cookies (and local storage) from the last tick.
COOKIE_FILE = "browser-cookies.json"

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


class BrowserFetcher(PacedFetcher):
    """Fetches pages with headless Chromium: slower and heavier, but it runs the site's scripts,
    so it passes a JavaScript challenge that plain HTTP cannot."""

    name = "browser"

    def __init__(
        self,
        settings: ScraperSettings,
        *,
        headless: bool = True,
        pacer: Pacer | None = None,
        temp_folder: Path | None = None,
        cookie_file: Path | None = None,
    ) -> None:
        super().__init__(pacer or Pacer(settings.rate_limit_delay_seconds))
        self._settings = settings
        self._headless = headless
        self._temp_folder = temp_folder
        self._cookie_file = cookie_file
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Any = None
        self._document: Response | None = None  # the latest main-frame document response
        self.challenges_passed = 0

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
        with _temporary_files_in(self._temp_folder):
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
        self._context = self._new_context(self._browser)
        self._context.route("**/*", _skip_heavy_resources)
        self._page = self._context.new_page()
        self._page.set_default_timeout(self._settings.timeout_seconds * 1000)
        self._page.on("response", self._remember_document)

    def _new_context(self, browser: Browser) -> BrowserContext:
        """Open a context with the cookies the last tick kept, so a passed challenge stays passed
        (its clearance cookie lives for a while) and costs no request; a broken file is dropped."""
        from playwright.sync_api import Error

        saved = self._cookie_file if self._cookie_file is not None and self._cookie_file.is_file() else None
        try:
            return browser.new_context(service_workers="block", storage_state=saved)
        except (Error, ValueError, OSError) as error:  # Playwright reads and parses the file itself
            log.warning("browser_cookies_unreadable", file=str(saved), error=str(error).splitlines()[0])
            return browser.new_context(service_workers="block")

    def _keep_cookies(self) -> None:
        from playwright.sync_api import Error

        if self._context is None or self._cookie_file is None:
            return
        try:
            self._cookie_file.parent.mkdir(parents=True, exist_ok=True)
            self._context.storage_state(path=self._cookie_file)
            self._cookie_file.chmod(0o600)  # session cookies: for this user's eyes only
        except (Error, OSError) as error:
            log.warning("browser_cookies_not_kept", file=str(self._cookie_file), error=str(error).splitlines()[0])

    def _load(self, url: str) -> Page:
        from playwright.sync_api import Error

        if self._page is None:
            raise RuntimeError("BrowserFetcher.get() called outside its `with` block")
        self._document = None
        try:
            # domcontentloaded: the cards are in the server-rendered HTML; waiting for
            # images or "networkidle" only adds time (reference §10).
            self._page.goto(url, wait_until="domcontentloaded")
        except Error as error:
            # A challenge script that reloads at once interrupts the navigation; that is no failure.
            if "interrupted by another navigation" not in error.message:
                raise _load_error(error, url, self._settings.timeout_seconds) from None
        page = self._snapshot()
        if page is None or _is_challenge(page):
            page = self._wait_out_challenge(url, page)
        return page

    def _wait_out_challenge(self, url: str, first: Page | None) -> Page:
        """Give a challenge's script (or a page still navigating) until the timeout to settle; return
        the page it leads to, or the challenge itself when it does not clear (the caller then treats it
        as a block). Raise TransientError when no page ever settled."""
        if first is not None:
            log.info("challenge_met", url=url, fetcher="browser")
        latest = first
        deadline = time.monotonic() + self._settings.timeout_seconds
        while time.monotonic() < deadline:
            self._page.wait_for_timeout(CHALLENGE_POLL_MILLISECONDS)
            page = self._snapshot()
            if page is not None and not _is_challenge(page):
                if latest is not None:
                    self.challenges_passed += 1
                    self.requests += 1  # the reload the challenge made
                    log.info("challenge_passed", url=page.url)
                return page
            latest = page or latest
        if latest is None:
            raise TransientError("the page kept navigating and never settled")
        return latest

    def _snapshot(self) -> Page | None:
        """Return the page as it stands, or None while it is between two documents."""
        from playwright.sync_api import Error

        try:
            self._page.wait_for_load_state("domcontentloaded")
            html = self._page.content()
        except Error:
            return None
        document = self._document
        status = document.status if document is not None else 200
        headers = dict(document.headers) if document is not None else {}
        return Page(self._page.url, status, html, datetime.now(UTC), headers)

    def _remember_document(self, response: Response) -> None:
        request = response.request
        if request.resource_type == "document" and response.frame.parent_frame is None:
            self._document = response

    def close(self) -> None:
        """Close the browser and stop the driver; safe to call twice and after a failed start."""
        from playwright.sync_api import Error

        self._keep_cookies()
        browser, playwright = self._browser, self._playwright
        self._page = self._browser = self._playwright = self._context = None
        if browser is not None:
            try:
                browser.close()
            except Error as error:
                log.warning("browser_close_failed", error=error.message)
        if playwright is not None:
            playwright.stop()


def _is_challenge(page: Page) -> bool:
    block = blocks.classify(page)
    return block is not None and block.kind is blocks.BlockKind.CHALLENGE


def _skip_heavy_resources(route: Route, request: Request) -> None:
    if request.resource_type in BLOCKED_RESOURCES:
        route.abort()
    else:
        route.continue_()


def _load_error(error: Any, url: str, timeout: float) -> Exception:
    """Sort a Playwright error: timeouts and network errors may pass on retry, the rest will not."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    first_line = error.message.splitlines()[0]
    if isinstance(error, PlaywrightTimeout):
        return TransientError(f"no answer within {timeout:g} s (scraper.timeout_seconds)")
    if "net::ERR_" in first_line:
        return TransientError(first_line)
    return SourceUnavailable(first_line, url)


def clean_temporary_files(folder: Path) -> int:
    """Delete what a killed browser left in ``folder`` (profile, artifacts, Chromium's own); return how many.

    The folder is AudioWatch's alone and one tick runs at a time (the lock), so whatever is in it at
    start is stale: reference §5 found `playwright_chromiumdev_profile-*` left after a SIGKILL.
    """
    removed = 0
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += 1
    return removed


def temp_folder_for(data_folder: Path) -> Path:
    """Return the folder for Chromium's temporary files: private to this user and this data folder.

    It sits in the system temp folder under a short name because Chromium makes a Unix socket inside
    it, and socket paths are limited to about 104 bytes: a data folder deep in a home directory
    fails to launch Chromium (verified: a 60-character folder did).
    """
    digest = hashlib.sha256(str(data_folder.resolve()).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"aw{os.getuid()}-{digest}"


def _is_private_folder(folder: Path) -> bool:
    """Create ``folder`` for this user only; False if it exists as someone else's or as a symlink."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    return folder.is_dir() and not folder.is_symlink() and info.st_uid == os.getuid()


@contextmanager
def _temporary_files_in(folder: Path | None) -> Iterator[None]:
    """Start the Playwright driver with TMPDIR at ``folder``, cleaned first; Chromium inherits it.

    The driver creates Chromium's profile under TMPDIR (reference §5), so a browser killed mid-tick
    leaves its leftovers where the next tick finds and removes them.
    """
    if folder is None:
        yield
        return
    if not _is_private_folder(folder):
        log.warning("browser_temp_folder_unusable", folder=str(folder),
                    reason="it exists but is not a folder owned by this user; using the system temp folder")
        yield
        return
    removed = clean_temporary_files(folder)
    if removed:
        log.info("stale_browser_files_removed", folder=str(folder), entries=removed)
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = previous
