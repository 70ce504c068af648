"""The plain HTTP fetcher: requests with a browser-like user agent and one session per tick."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import SourceUnavailable
from audiowatch.fetch.base import Fetcher, Page
from audiowatch.fetch.pacing import Pacer

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


class HttpFetcher(Fetcher):
    """Fetches pages with requests: a fraction of a browser's CPU and memory."""

    def __init__(self, settings: ScraperSettings) -> None:
        self._timeout = settings.timeout_seconds
        self._pacer = Pacer(settings.rate_limit_delay_seconds)
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept-Language": "en-US,en;q=0.9"})
        self.requests = 0

    def get(self, url: str) -> Page:
        self._pacer.wait()
        self.requests += 1
        try:
            response = self._session.get(url, timeout=self._timeout)
        except requests.RequestException as error:
            raise SourceUnavailable(f"{type(error).__name__}: {error}", url) from None
        return Page(response.url, response.status_code, response.text, datetime.now(UTC))

    def close(self) -> None:
        self._session.close()
