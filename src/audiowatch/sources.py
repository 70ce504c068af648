"""Which pages to request and when to stop paging: the Head-Fi classifieds categories, their URLs (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from audiowatch.listing import Listing, has_changed

if TYPE_CHECKING:
    from audiowatch.config.model import ScraperSettings
    from audiowatch.parse.headfi import ParseResult

INDEX = "index"


@dataclass(frozen=True, slots=True)
class Category:
    """One classifieds category; ``parent_id`` is None for a top-level one."""

    category_id: int
    slug: str
    name: str
    parent_id: int | None = None

    @property
    def path(self) -> str:
        return f"/classifieds/categories/{self.slug}.{self.category_id}/"


# Ids and slugs from reference/headfi-markup.md §1. Parents (1, 4, 7) repeat their children's
# listings, so the default sources are the ten leaves.
CATEGORIES: tuple[Category, ...] = (
    Category(1, "headphones-for-sale-trade", "Headphones For Sale / Trade"),
    Category(2, "full-size", "Full-Size", 1),
    Category(3, "in-ear-monitors", "In-Ear Monitors", 1),
    Category(4, "amplification-for-sale-trade", "Amplification For Sale / Trade"),
    Category(5, "desktop", "Desktop", 4),
    Category(6, "portable", "Portable", 4),
    Category(7, "source-components-for-sale-trade", "Source Components For Sale / Trade"),
    Category(8, "dacs", "DACs", 7),
    Category(9, "dac-amps", "DAC/Amps", 7),
    Category(10, "daps", "DAPs", 7),
    Category(11, "cd-players", "CD Players", 7),
    Category(12, "cables-speakers-accessories-for-sale-trade",
             "Cables, Speakers, Accessories For Sale / Trade"),
    Category(13, "media-for-sale-trade", "Media For Sale / Trade"),
)

CATEGORIES_BY_SLUG: dict[str, Category] = {category.slug: category for category in CATEGORIES}

_PARENT_IDS = {category.parent_id for category in CATEGORIES if category.parent_id}
LEAF_SLUGS: tuple[str, ...] = tuple(
    category.slug for category in CATEGORIES if category.category_id not in _PARENT_IDS
)
SOURCE_NAMES: tuple[str, ...] = (*LEAF_SLUGS, INDEX)


def source_url(base_url: str, source: str) -> str:
    """Return the first page's absolute URL for a source: a leaf category slug or ``index``.

    Raise KeyError for an unknown source (config validation rejects those first).
    """
    base = base_url.rstrip("/")
    if source == INDEX:
        return f"{base}/classifieds/"
    return base + CATEGORIES_BY_SLUG[source].path


def source_category(source: str) -> str | None:
    """Return the category slug that listings found on this source belong to, if it tells."""
    return None if source == INDEX else source


class Paging(StrEnum):
    """How deep a tick pages each source."""

    SEEDING = "seeding"  # first run: back `initial_scrape_days`, at most `initial_max_pages`
    SCHEDULED = "scheduled"  # until a page brings nothing new; `scheduled_max_pages`, more in a burst
    CATCH_UP = "catch_up"  # after a long gap: back to the last success, at most `initial_max_pages`


# A tick whose last success is older than this many poll intervals (a power-off, a long back-off)
# pages back to that success instead of stopping at the first page with nothing new.
CATCH_UP_AFTER_INTERVALS = 3


@dataclass(frozen=True, slots=True)
class PagePlan:
    """How deep to page each source in this tick."""

    mode: Paging
    page_budget: int  # pages a tick of this kind reads per source
    page_limit: int  # never more per source, even in a burst
    since: datetime | None = None  # seeding and catch-up: stop once a whole page is older than this


@dataclass(frozen=True, slots=True)
class PageNews:
    """What one page brought compared with what is stored (and seen earlier in this tick)."""

    new: int
    changed: int
    unchanged: int

    @property
    def has_news(self) -> bool:
        return self.new + self.changed > 0


def plan_pages(
    settings: ScraperSettings, started: datetime, last_success: datetime | None, max_pages: int | None = None
) -> PagePlan:
    """Return the paging for a tick starting at ``started`` whose last success was ``last_success``.

    ``max_pages`` (the `--max-pages` option) caps every mode.
    """
    deep = max_pages or settings.initial_max_pages
    if last_success is None:
        return PagePlan(Paging.SEEDING, deep, deep, started - timedelta(days=settings.initial_scrape_days))
    interval = timedelta(minutes=settings.poll_interval_minutes)
    if started - last_success > interval * CATCH_UP_AFTER_INTERVALS:
        # One interval of slack: the site's clock and ours need not agree to the second.
        return PagePlan(Paging.CATCH_UP, deep, deep, last_success - interval)
    budget = max_pages or settings.scheduled_max_pages
    return PagePlan(Paging.SCHEDULED, budget, max_pages or max(budget, settings.initial_max_pages))


def assess_page(listings: Sequence[Listing], known: Mapping[int, Listing]) -> PageNews:
    """Count the page's listings that are new, changed (price, status, title, edit time) or unchanged."""
    new = changed = 0
    for listing in listings:
        before = known.get(listing.listing_id)
        if before is None:
            new += 1
        elif has_changed(before, listing):
            changed += 1
    return PageNews(new, changed, len(listings) - new - changed)


def next_page_url(result: ParseResult, page_number: int, plan: PagePlan, news: PageNews) -> str | None:
    """Return the URL to fetch after page ``page_number`` of a source, or None to stop.

    Always stop at the last page and at the page limit. Then, by mode:
    seeding pages until a whole page is older than ``since``; catch-up goes on while a page brings
    news or is not yet older than ``since``; scheduled stops at the first page that brings nothing new
    or changed, and at the page budget, unless that page was all news: then more of the burst is
    waiting on the next page, and paging goes on (to the limit) until it reaches known listings.
    Listings without a date never stop the paging: unknown is not old.
    """
    if result.next_url is None or page_number >= plan.page_limit:
        return None
    match plan.mode:
        case Paging.SEEDING:
            keep_going = not _all_older_than(result, plan.since)
        case Paging.CATCH_UP:
            keep_going = news.has_news or not _all_older_than(result, plan.since)
        case Paging.SCHEDULED:
            keep_going = news.has_news and (page_number < plan.page_budget or news.unchanged == 0)
    return result.next_url if keep_going else None


def _all_older_than(result: ParseResult, cutoff: datetime | None) -> bool:
    dates = [listing.listed_at for listing in result.listings]
    if cutoff is None or not dates or any(date is None for date in dates):
        return False
    return all(datetime.fromisoformat(date) < cutoff for date in dates if date is not None)
