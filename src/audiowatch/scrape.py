"""Fetch and parse every configured source, page by page, as far as the plan allows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import structlog

from audiowatch import sources
from audiowatch.config.model import ScraperSettings
from audiowatch.errors import SourceUnavailable
from audiowatch.fetch.base import Fetcher
from audiowatch.listing import Listing
from audiowatch.parse import headfi

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ScrapeResult:
    listings: tuple[Listing, ...]
    pages: int
    skipped_cards: int


def scrape_sources(fetcher: Fetcher, settings: ScraperSettings, plan: sources.PagePlan) -> ScrapeResult:
    """Return every listing found on the sources' pages, in the order seen.

    Raise SourceUnavailable when a page does not come back with HTTP 200.
    """
    listings: list[Listing] = []
    pages = skipped = 0
    for source in settings.sources:
        for result in _source_pages(fetcher, settings, source, plan):
            listings.extend(result.listings)
            pages += 1
            skipped += result.skipped
    return ScrapeResult(tuple(listings), pages, skipped)


def _source_pages(
    fetcher: Fetcher, settings: ScraperSettings, source: str, plan: sources.PagePlan
) -> Iterator[headfi.ParseResult]:
    url: str | None = sources.source_url(settings.base_url, source)
    page_number = 0
    while url is not None:
        page = fetcher.get(url)
        page_number += 1
        if page.status != 200:
            raise SourceUnavailable(f"the site answered HTTP {page.status}", url)
        result = headfi.parse_list_page(page.html, settings.base_url, sources.source_category(source))
        log.info("page_scraped", source=source, page=page_number, url=url, cards=result.cards,
                 listings=len(result.listings), skipped=result.skipped)
        if result.skipped:
            log.warning("cards_skipped", url=url, skipped=result.skipped,
                        reason="a card had no listing id or no title")
        yield result
        url = sources.next_page_url(result, page_number, plan)
