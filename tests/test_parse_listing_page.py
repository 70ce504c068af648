"""parse/listing_page.py: a single listing's page gives its category (breadcrumbs) and status (title)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audiowatch.listing import ListingStatus
from audiowatch.parse import listing_page
from audiowatch.simulator import pages
from audiowatch.simulator.catalog import Catalog, SimListing

NOW = datetime(2026, 1, 10, 20, 0, tzinfo=UTC)
SITE = "http://127.0.0.1:8765"
CATALOG = Catalog.seeded(NOW)


def first(category: str, status: str = "active") -> SimListing:
    return next(each for each in CATALOG.listings_in(category) if each.status == status)


def rendered(listing: SimListing, site_url: str = SITE) -> str:
    return pages.render_listing_page(listing, now=NOW, site_url=site_url)


def heading(text: str, crumbs: str = "") -> str:
    return (f'<ul class="p-breadcrumbs">{crumbs}</ul>'
            f'<h1 class="p-title-value head-fi_generic_page_title">{text}</h1>')


def test_listing_page_gives_the_whole_listing() -> None:
    shown = first("full-size")
    found = listing_page.parse_listing_page(rendered(shown), SITE)
    assert found.listing is not None
    assert (found.listing.listing_id, found.listing.url, found.listing.title, found.listing.price) == (
        shown.listing_id, SITE + shown.path, shown.title, shown.price)


def test_listing_page_seller_is_read_from_the_linked_name() -> None:
    shown = next(each for each in CATALOG.listings_in("full-size") if each.seller and each.seller_feedback)
    found = listing_page.parse_listing_page(rendered(shown), SITE)
    assert found.listing is not None
    assert (found.listing.seller, found.listing.seller_feedback) == (shown.seller, shown.seller_feedback)


@pytest.mark.parametrize("category", ["full-size", "dacs", "media-for-sale-trade"])
def test_category_is_the_last_category_in_the_breadcrumbs(category: str) -> None:
    found = listing_page.parse_listing_page(rendered(first(category)), SITE)
    assert found.category == category
    assert found.listing is not None and found.listing.category == category


@pytest.mark.parametrize("status", ["sold", "closed", "traded"])
def test_title_prefix_gives_the_status_and_is_not_part_of_the_title(status: str) -> None:
    shown = first("full-size")
    shown.status = status
    found = listing_page.parse_listing_page(rendered(shown), SITE)
    assert (found.status, found.title) == (ListingStatus(status), shown.title)
    assert found.listing is not None and found.listing.status == ListingStatus(status)


def test_title_with_a_colon_but_no_status_word_is_kept_whole() -> None:
    found = listing_page.parse_listing_page(heading("WTB: Focal Utopia"), SITE)
    assert (found.status, found.title) == (ListingStatus.ACTIVE, "WTB: Focal Utopia")


def test_page_without_a_canonical_url_gives_no_listing_but_its_category() -> None:
    crumbs = '<li><a href="/classifieds/categories/daps.10/">DAPs</a></li>'
    found = listing_page.parse_listing_page(heading("Sold: FiiO M11", crumbs), SITE)
    assert (found.listing, found.category, found.status, found.title) == (
        None, "daps", ListingStatus.SOLD, "FiiO M11")


def test_og_url_serves_when_there_is_no_canonical_link() -> None:
    html = ('<meta property="og:url" content="https://www.head-fi.org/classifieds/fiio-m11.4242/">'
            + heading("FiiO M11"))
    found = listing_page.parse_listing_page(html, SITE)
    assert found.listing is not None and found.listing.url == SITE + "/classifieds/fiio-m11.4242/"


def test_listing_url_is_rebuilt_on_the_given_base_url() -> None:
    found = listing_page.parse_listing_page(rendered(first("daps"), "https://www.head-fi.org"), SITE)
    assert found.listing is not None and found.listing.url.startswith(SITE + "/classifieds/")


@pytest.mark.parametrize(
    ("html", "expected"),
    [(rendered(first("daps")), True), (pages.render_list_page([], page=1, total_pages=1, base_path="/classifieds/",
                                                               title="Classifieds"), False), ("", False)],
    ids=["listing-page", "list-page", "empty"],
)
def test_is_listing_page(html: str, expected: bool) -> None:
    assert listing_page.is_listing_page(html) is expected


def test_canonical_url_outside_the_classifieds_gives_no_listing() -> None:
    html = '<link rel="canonical" href="lassifieds/fiio-m11.4242/">' + heading("FiiO M11")
    assert listing_page.parse_listing_page(html, SITE).listing is None
