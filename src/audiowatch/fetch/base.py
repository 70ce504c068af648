"""The Fetcher seam: a context manager with one method, get(url) -> Page."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from audiowatch.config.model import ScraperSettings


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page, whatever its HTTP status; classifying it is the caller's job."""

    url: str
    status: int
    html: str
    fetched_at: datetime


class Fetcher(ABC):
    """Fetches pages; open resources in ``__enter__`` and always release them in ``close``."""

    requests: int = 0  # requests made to the site, for the run record

    @abstractmethod
    def get(self, url: str) -> Page:
        """Return the page at ``url``. Raise SourceUnavailable when nothing came back."""

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


def open_fetcher(settings: ScraperSettings, *, headless: bool | None = None) -> Fetcher:
    """Return the fetcher the settings ask for, imported lazily (Playwright is heavy).

    ``auto`` drives the browser until block-aware switching exists: it is the mode that gets
    past a challenge page.
    """
    match settings.fetcher:
        case "http":
            from audiowatch.fetch.http import HttpFetcher

            return HttpFetcher(settings)
        case "browser" | "auto":
            from audiowatch.fetch.browser import BrowserFetcher

            return BrowserFetcher(settings, headless=settings.headless if headless is None else headless)
