"""Which pages to request: the Head-Fi classifieds categories and their URLs (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


@dataclass(frozen=True, slots=True)
class PagePlan:
    """How deep to page each source in this tick."""

    page_limit: int
    # On the first run: stop paging once a page holds nothing listed after this moment.
    cutoff: datetime | None = None


def next_page_url(result: ParseResult, page_number: int, plan: PagePlan) -> str | None:
    """Return the URL to fetch after page ``page_number`` of a source, or None to stop.

    Stop at the last page, at the page limit, or (first run) once the whole page is older
    than the cutoff. Listings without a date never stop the paging: unknown is not old.
    """
    if result.next_url is None or page_number >= plan.page_limit:
        return None
    if plan.cutoff is not None and _all_older_than(result, plan.cutoff):
        return None
    return result.next_url


def _all_older_than(result: ParseResult, cutoff: datetime) -> bool:
    dates = [listing.listed_at for listing in result.listings]
    if not dates or any(date is None for date in dates):
        return False
    return all(datetime.fromisoformat(date) < cutoff for date in dates if date is not None)
