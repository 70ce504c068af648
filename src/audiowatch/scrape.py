"""Fetch and parse every configured source, page by page, as deep as the plan allows, checking each page.

Every page is classified first (fetch/blocks.py): a block stops the scrape with SiteBlocked, never
passing for "nothing new". A 200 page that does not parse like Head-Fi (parse/layout_check.py) is saved
to disk and stops it with LayoutChanged. Listings found on the index get their category from their
listing page, a few per tick.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from audiowatch import saved_pages, sources
from audiowatch.config.model import ScraperSettings
from audiowatch.errors import LayoutChanged, SiteBlocked, SourceUnavailable
from audiowatch.fetch import blocks
from audiowatch.fetch.base import Fetcher, Page
from audiowatch.listing import Listing
from audiowatch.parse import headfi, layout_check, listing_page

log = structlog.get_logger(__name__)

StoredLookup = Callable[[Sequence[int]], Mapping[int, Listing]]
"""Given listing ids, return the stored listings among them (read in a short database session)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a scrape got, reported after each list page (for a progress line on a terminal)."""

    pages: int
    listings_read: int  # cards read so far, a listing shown on two sources counted twice
    new: int  # of the pages judged so far (breadth-first paging judges a round of pages at once)


@dataclass(frozen=True, slots=True)
class ScrapeJob:
    """What a scrape needs besides the fetcher."""

    settings: ScraperSettings
    plan: sources.PagePlan
    stored: StoredLookup
    baseline: Mapping[str, float]  # recent fill rates of the key fields (layout_check.baseline_rates)
    failed_pages: Path  # where a page that does not parse is saved
    on_page: Callable[[Progress], None] | None = None


@dataclass(frozen=True, slots=True)
class ScrapeResult:
    listings: tuple[Listing, ...]
    pages: int
    skipped_cards: int


class Scraper:
    """One scrape of every source. Its tallies stay readable after it raised, for the run record."""

    def __init__(self, fetcher: Fetcher, job: ScrapeJob) -> None:
        self._fetcher = fetcher
        self._job = job
        self._seen: dict[int, Listing] = {}  # every listing met this tick, its latest sighting
        self._stored: dict[int, Listing] = {}  # what the database held for them
        self._parsed: list[headfi.ParseResult] = []
        self._new = 0
        self._read = 0
        self.pages = 0

    @property
    def field_rates(self) -> dict[str, float]:
        """Return the fill rate of each optional field over every list page parsed so far."""
        return layout_check.combined_rates(self._parsed)

    def run(self) -> ScrapeResult:
        """Scrape every source, then look up categories. Raise SiteBlocked, LayoutChanged or SourceUnavailable.

        Paging goes breadth-first: page 1 of every source, then one database lookup for all their
        listings, then page 2 of the sources that go on, and so on. A steady-state tick thus opens the
        database once, between requests, never during one.
        """
        frontier = {source: sources.source_url(self._job.settings.base_url, source)
                    for source in self._job.settings.sources}
        page_number = 0
        while frontier:
            page_number += 1
            parsed = {source: self._list_page(source, url) for source, url in frontier.items()}
            self._look_up(listing.listing_id for result in parsed.values() for listing in result.listings)
            following = {}
            for source, result in parsed.items():
                url = self._judge(source, frontier[source], page_number, result)
                if url is not None:
                    following[source] = url
            frontier = following
        self._learn_categories()
        skipped = sum(result.skipped for result in self._parsed)
        return ScrapeResult(tuple(self._seen.values()), self.pages, skipped)

    def _report(self) -> None:
        if self._job.on_page is not None:
            self._job.on_page(Progress(self.pages, self._read, self._new))

    def _look_up(self, ids: Iterable[int]) -> None:
        missing = sorted({listing_id for listing_id in ids
                          if listing_id not in self._seen and listing_id not in self._stored})
        if missing:
            self._stored.update(self._job.stored(missing))

    def _judge(self, source: str, url: str, page_number: int, result: headfi.ParseResult) -> str | None:
        """Note what the page brought; return the source's next page to fetch, or None to stop."""
        news = self._take(result.listings)
        log.info("page_scraped", source=source, page=page_number, url=url, cards=result.cards,
                 new=news.new, changed=news.changed, unchanged=news.unchanged, skipped=result.skipped)
        self._new += news.new
        self._report()
        return sources.next_page_url(result, page_number, self._job.plan, news)

    def _list_page(self, source: str, url: str) -> headfi.ParseResult:
        page = _checked(self._fetcher.get(url))
        self.pages += 1
        settings = self._job.settings
        result = headfi.parse_list_page(page.html, settings.base_url, sources.source_category(source))
        self._parsed.append(result)
        self._read += len(result.listings)
        self._report()
        problem = layout_check.find_layout_problem(result, self._job.baseline)
        if problem is not None:
            saved = self._save_failed(source, page)
            log.error("layout_changed", url=url, reason=problem, saved_html=str(saved))
            raise LayoutChanged(problem, url, saved)
        if result.skipped:
            log.warning("cards_skipped", url=url, skipped=result.skipped,
                        reason="a card had no listing id or no title")
        rare = layout_check.rarely_parsed(result, self._job.baseline)
        if rare:
            log.warning("key_fields_rarely_parsed", url=url, fields=rare,
                        hint="if the site's cards show them, the parser needs updating: save the page with "
                             "`audiowatch scrape --save-html` and report it")
        return result

    def _save_failed(self, source: str, page: Page) -> Path | None:
        try:
            return saved_pages.save_failed_page(self._job.failed_pages, source, page)
        except OSError as error:  # a full disk must not hide the layout change itself
            log.error("failed_page_not_saved", folder=str(self._job.failed_pages), error=str(error))
            return None

    def _take(self, listings: Sequence[Listing]) -> sources.PageNews:
        """Judge the page against what is stored and seen earlier this tick; then remember its listings."""
        known = {**self._stored, **self._seen}
        news = sources.assess_page(listings, known)
        for listing in listings:
            earlier = self._seen.get(listing.listing_id)
            # The index does not say the category; keep what a category page said earlier this tick.
            if listing.category is None and earlier is not None and earlier.category is not None:
                listing = dataclasses.replace(listing, category=earlier.category)
            self._seen[listing.listing_id] = listing
        return news

    def _learn_categories(self) -> None:
        """Read the listing pages of new, uncategorised listings (newest first, a few per tick)."""
        waiting = sorted(
            (listing for listing in self._seen.values()
             if listing.category is None and listing.listing_id not in self._stored),
            key=lambda listing: listing.listing_id, reverse=True,
        )
        limit = self._job.settings.category_lookups_per_tick
        if len(waiting) > limit:
            log.info("category_lookups_deferred", waiting=len(waiting), looked_up=limit,
                     reason="scraper.category_lookups_per_tick; a category page scrape fills the rest")
        for listing in waiting[:limit]:
            found = self._listing_page(listing)
            if found is not None and found.category is not None:
                self._seen[listing.listing_id] = dataclasses.replace(
                    listing, category=found.category, status=found.status if found.title else listing.status
                )

    def _listing_page(self, listing: Listing) -> listing_page.ListingPage | None:
        try:
            page = _checked(self._fetcher.get(listing.url))
        except SourceUnavailable as error:  # one listing page is not worth the tick
            log.warning("category_lookup_failed", url=listing.url, reason=error.reason)
            return None
        found = listing_page.parse_listing_page(page.html, self._job.settings.base_url)
        if found.category is None:
            log.warning("category_not_found", url=listing.url, reason="no category link in the breadcrumbs")
        return found


def _checked(page: Page) -> Page:
    """Return ``page`` if the site meant to show it. Raise SiteBlocked for a block, SourceUnavailable
    for any other status but 200."""
    block = blocks.classify(page)
    if block is not None:
        log.warning("site_blocked", kind=str(block.kind), url=block.url, status=block.status,
                    evidence=block.evidence)
        raise SiteBlocked(block)
    if page.status != 200:
        raise SourceUnavailable(f"the site answered HTTP {page.status}", page.url)
    return page
