"""Capture raw pages as the site serves them, for test fixtures and bug reports (`audiowatch scrape`).

Nothing is parsed into the database. The capture is as polite as a tick: it holds the tick lock (so
the two never double the request rate), honours and records back-off, and paces its requests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import structlog

from audiowatch import lock, saved_pages, site_state, sources
from audiowatch.config.model import Config
from audiowatch.errors import SiteBlocked
from audiowatch.fetch import base as fetch_base
from audiowatch.fetch import blocks
from audiowatch.fetch.base import Fetcher, Page
from audiowatch.parse import headfi, listing_page
from audiowatch.store import database

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CapturedPage:
    """One saved page and what it turned out to be."""

    path: Path
    url: str
    status: int
    cards: int  # listing cards found (0 for a listing page or a block)
    kind: str  # "list page", "listing page", a block kind ("challenge", ...) or "other"


@dataclass(frozen=True, slots=True)
class CaptureRequest:
    folder: Path
    sources: tuple[str, ...]  # source names to page through
    urls: tuple[str, ...] = ()  # further pages (absolute, or paths on the site)
    max_pages: int = 1
    ignore_backoff: bool = False


Report = Callable[[CapturedPage], None]


def capture_pages(
    config: Config, request: CaptureRequest, report: Report,
    *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Fetch the sources' first ``max_pages`` pages and the extra URLs; save each page as it came and
    ``report`` it at once.

    Raise LockHeld while a tick runs, BackingOff while a back-off is in force (or after saving the
    block page that sets one), SourceUnavailable when the site cannot be reached.
    """
    with lock.hold(lock.lock_path_for(config.database_path)):
        with database.session(config.database_path) as connection:
            site = site_state.read(connection)
        site_state.honour_backoff(site, clock(), ignore=request.ignore_backoff)
        fetcher = fetch_base.open_fetcher(config.scraper, prefer_browser=site.prefers_browser(clock()),
                                          data_folder=config.database_path.parent)
        with fetcher:
            try:
                _capture_all(fetcher, config, request, report)
            except SiteBlocked as blocked:
                raise site_state.record_block(config.database_path, blocked.block, site, clock()) from None


def _capture_all(fetcher: Fetcher, config: Config, request: CaptureRequest, report: Report) -> None:
    base_url = config.scraper.base_url
    for source in request.sources:
        url: str | None = sources.source_url(base_url, source)
        for number in range(1, request.max_pages + 1):
            if url is None:
                break
            page = _save(fetcher, request.folder, f"{source}-page-{number}", url, base_url, report)
            url = headfi.parse_list_page(page.html, base_url).next_url
    for number, target in enumerate(request.urls, start=1):
        url = urljoin(base_url + "/", target)
        _save(fetcher, request.folder, f"page-{number}-{urlsplit(url).path}", url, base_url, report)


def _save(fetcher: Fetcher, folder: Path, name: str, url: str, base_url: str, report: Report) -> Page:
    """Fetch, save and describe one page; raise SiteBlocked after saving a block page."""
    page = fetcher.get(url)
    path = saved_pages.write_page(folder, name, page)
    block = blocks.classify(page)
    result = headfi.parse_list_page(page.html, base_url)
    kind = describe_kind(page, result.cards)
    report(CapturedPage(path, page.url, page.status, result.cards, kind))
    log.info("page_saved", url=page.url, status=page.status, kind=kind, path=str(path))
    if block is not None:
        raise SiteBlocked(block)
    return page


def describe_kind(page: Page, cards: int) -> str:
    """Name what a page is: a block kind, "list page", "listing page" or "other"."""
    block = blocks.classify(page)
    if block is not None:
        return str(block.kind)
    if cards:
        return "list page"
    if listing_page.is_listing_page(page.html):
        return "listing page"
    return "other"


def default_sources(config: Config, chosen: Sequence[str], urls: Sequence[str]) -> tuple[str, ...]:
    """Return the sources to capture: those chosen, else the configured ones unless only URLs were given."""
    if chosen:
        return tuple(chosen)
    return () if urls else tuple(config.scraper.sources)
