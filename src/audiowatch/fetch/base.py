"""The Fetcher seam: a context manager with one method, get(url) -> Page."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

import structlog

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import SourceUnavailable
from audiowatch.fetch.pacing import RETRIES, Pacer

log = structlog.get_logger(__name__)

# Gateway errors say "try again in a moment"; 503 is different: it is a block (fetch/blocks.py).
TRANSIENT_STATUSES = frozenset({500, 502, 504})


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page, whatever its HTTP status; classifying it is the caller's job."""

    url: str
    status: int
    html: str
    fetched_at: datetime
    headers: Mapping[str, str] = field(default_factory=dict)  # response headers, names in lower case


class TransientError(Exception):
    """A failure worth retrying: a timeout or a dropped connection. Fetchers raise it from ``_load``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Fetcher(ABC):
    """Fetches pages; open resources in ``__enter__`` and always release them in ``close``."""

    requests: int = 0  # requests made to the site, for the run record
    name: str = "fetcher"  # for the run record: http, browser, auto (http), auto (browser)

    @abstractmethod
    def get(self, url: str) -> Page:
        """Return the page at ``url``. Raise SourceUnavailable when nothing came back."""

    def needs_browser(self) -> bool | None:
        """Return True when `auto` should start with the browser next tick (the site challenged this
        one); None when this fetcher cannot tell."""
        return None

    def close(self) -> None:
        """Release the browser or session."""

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PacedFetcher(Fetcher):
    """A fetcher whose requests go through the shared Pacer and are retried when transient."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self.requests = 0

    @abstractmethod
    def _load(self, url: str) -> Page:
        """Make one request. Raise TransientError for what a retry may fix, SourceUnavailable otherwise."""

    def get(self, url: str) -> Page:
        """Return the page at ``url``, retrying timeouts, dropped connections and 5xx gateway errors.

        Raise SourceUnavailable, naming the last failure, when every attempt failed.
        """
        failure = ""
        for attempt in range(RETRIES + 1):
            self.pacer.wait(self.pacer.retry_pause(attempt) if attempt else None)
            self.requests += 1
            try:
                page = self._load(url)
            except TransientError as error:
                failure = error.reason
            else:
                if page.status not in TRANSIENT_STATUSES:
                    return page
                failure = f"the site answered HTTP {page.status}"
            log.warning("fetch_failed", url=url, attempt=attempt + 1, of=RETRIES + 1, reason=failure)
        raise SourceUnavailable(f"{failure} (tried {RETRIES + 1} times)", url)


def open_fetcher(
    settings: ScraperSettings,
    *,
    headless: bool | None = None,
    prefer_browser: bool = False,
    data_folder: Path | None = None,
) -> Fetcher:
    """Return the fetcher the settings ask for, imported lazily (Playwright is heavy).

    ``prefer_browser`` starts ``auto`` with the browser (a challenge was met recently). With a
    ``data_folder``, Chromium keeps its cookies there between ticks, and its temporary files go to a
    folder of its own, cleaned at start.
    """
    pacer = Pacer(settings.rate_limit_delay_seconds)
    show = settings.headless if headless is None else headless
    if settings.fetcher == "http":
        from audiowatch.fetch.http import HttpFetcher

        return HttpFetcher(settings, pacer=pacer)
    from audiowatch.fetch import browser

    chromium = browser.BrowserFetcher(
        settings, headless=show, pacer=pacer,
        temp_folder=browser.temp_folder_for(data_folder) if data_folder is not None else None,
        cookie_file=data_folder / browser.COOKIE_FILE if data_folder is not None else None,
    )
    if settings.fetcher == "browser":
        return chromium
    from audiowatch.fetch.auto import AutoFetcher

    return AutoFetcher(settings, pacer=pacer, browser=chromium, prefer_browser=prefer_browser)
