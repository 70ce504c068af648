"""The plain HTTP fetcher: requests with a browser-like user agent and one session per tick."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import SourceUnavailable
from audiowatch.fetch.base import PacedFetcher, Page, TransientError
from audiowatch.fetch.pacing import Pacer

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
# What a browser sends with a page request; a bare requests header set stands out to bot filters.
BROWSER_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.9",
}


class HttpFetcher(PacedFetcher):
    """Fetches pages with requests: a fraction of a browser's CPU and memory, but runs no scripts."""

    name = "http"

    def __init__(self, settings: ScraperSettings, *, pacer: Pacer | None = None) -> None:
        super().__init__(pacer or Pacer(settings.rate_limit_delay_seconds))
        self._timeout = settings.timeout_seconds
        self._session = requests.Session()
        self._session.headers.update(BROWSER_HEADERS)

    def _load(self, url: str) -> Page:
        try:
            response = self._session.get(url, timeout=self._timeout)
        except requests.Timeout:
            raise TransientError(f"no answer within {self._timeout:g} s (scraper.timeout_seconds)") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from None
        except requests.RequestException as error:
            raise SourceUnavailable(f"{type(error).__name__}: {error}", url) from None
        headers = {name.lower(): value for name, value in response.headers.items()}
        return Page(response.url, response.status_code, response.text, datetime.now(UTC), headers)

    def close(self) -> None:
        self._session.close()
