"""The `auto` fetcher: plain HTTP while the site lets it, the browser from the first challenge on."""

from __future__ import annotations

import structlog

from audiowatch.config.model import ScraperSettings
from audiowatch.fetch import blocks
from audiowatch.fetch.base import Fetcher, Page
from audiowatch.fetch.browser import BrowserFetcher
from audiowatch.fetch.http import HttpFetcher
from audiowatch.fetch.pacing import Pacer

log = structlog.get_logger(__name__)


class AutoFetcher(Fetcher):
    """Fetches with requests; when a page comes back as a bot challenge, fetches it again with
    Chromium and keeps the browser for the rest of the tick.

    A typical tick then costs what plain HTTP costs. ``prefer_browser`` starts with the browser
    (the tick remembers a recent challenge in the state table), saving the wasted HTTP request.
    """

    def __init__(
        self,
        settings: ScraperSettings,
        *,
        pacer: Pacer | None = None,
        browser: BrowserFetcher | None = None,
        prefer_browser: bool = False,
    ) -> None:
        # One pacer for both, so the switch keeps the pace.
        self._pacer = pacer or Pacer(settings.rate_limit_delay_seconds)
        self._http = HttpFetcher(settings, pacer=self._pacer)
        self._browser = browser or BrowserFetcher(settings, headless=settings.headless, pacer=self._pacer)
        self._browser_open = False
        self._used_browser = False  # stays set after close, for the run record
        self._prefer_browser = prefer_browser
        self.challenged = False  # the site challenged plain HTTP in this tick

    @property
    def requests(self) -> int:  # type: ignore[override]
        return self._http.requests + self._browser.requests

    @property
    def name(self) -> str:  # type: ignore[override]
        return "auto (browser)" if self._used_browser else "auto (http)"

    def needs_browser(self) -> bool | None:
        """True when the site challenged plain HTTP or the browser this tick, else None: a browser
        carrying last tick's clearance cookie is not challenged, which says nothing about plain HTTP."""
        return True if self.challenged or self._browser.challenges_passed > 0 else None

    def get(self, url: str) -> Page:
        if self._browser_open or self._prefer_browser:
            return self._browser_get(url)
        page = self._http.get(url)
        block = blocks.classify(page)
        if block is None or block.kind is not blocks.BlockKind.CHALLENGE:
            return page
        self.challenged = True
        log.info("switching_to_browser", url=url, reason=block.evidence)
        return self._browser_get(url)

    def _browser_get(self, url: str) -> Page:
        if not self._browser_open:
            self._browser.__enter__()
            self._browser_open = self._used_browser = True
        return self._browser.get(url)

    def close(self) -> None:
        try:
            self._http.close()
        finally:
            if self._browser_open:
                self._browser.close()
                self._browser_open = False
