"""scrape.Scraper against the simulated site: listings found on the index get their category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from audiowatch import sources
from audiowatch.config.model import ScraperSettings
from audiowatch.fetch.http import HttpFetcher
from audiowatch.listing import Listing
from audiowatch.scrape import ScrapeJob, Scraper, ScrapeResult
from audiowatch.simulator.server import SimulatedSite

NOW = datetime.now(UTC)


def scrape(site: SimulatedSite, tmp_path: Path, source_names: list[str], lookups: int = 20,
           stored: Mapping[int, Listing] | None = None) -> ScrapeResult:
    settings = ScraperSettings(base_url=site.base_url, sources=source_names, rate_limit_delay_seconds=0,
                               category_lookups_per_tick=lookups)
    known = dict(stored or {})

    def lookup(ids: Sequence[int]) -> dict[int, Listing]:
        return {listing_id: known[listing_id] for listing_id in ids if listing_id in known}

    plan = sources.PagePlan(sources.Paging.SCHEDULED, 1, 1)
    with HttpFetcher(settings) as fetcher:
        return Scraper(fetcher, ScrapeJob(settings, plan, lookup, {}, tmp_path)).run()


def listing_pages(site: SimulatedSite) -> list[str]:
    return [served.path for served in site.page_requests() if "/categories/" not in served.path
            and served.path != "/classifieds/"]


def test_new_index_listings_get_their_category_from_their_listing_page(site: SimulatedSite, tmp_path: Path) -> None:
    result = scrape(site, tmp_path, ["index"], lookups=20)
    expected = {listing.listing_id: listing.category for listing in site.catalog.listings_in(None)[:20]}
    assert {listing.listing_id: listing.category for listing in result.listings} == expected
    assert len(listing_pages(site)) == 20


def test_category_lookups_stop_at_the_limit_newest_first(site: SimulatedSite, tmp_path: Path) -> None:
    result = scrape(site, tmp_path, ["index"], lookups=3)
    newest = [listing.listing_id for listing in site.catalog.listings_in(None)[:3]]
    categorised = sorted(listing.listing_id for listing in result.listings if listing.category is not None)
    assert categorised == sorted(newest) and len(listing_pages(site)) == 3


def test_listing_seen_on_its_category_page_needs_no_lookup(site: SimulatedSite, tmp_path: Path) -> None:
    site.catalog.add_listing(NOW, "Sennheiser HD 600", "full-size", price=200.0)
    result = scrape(site, tmp_path, ["full-size", "index"], lookups=0)
    [added] = [listing for listing in result.listings if listing.title == "Sennheiser HD 600"]
    assert added.category == "full-size" and listing_pages(site) == []


def test_stored_listings_are_not_looked_up_again(site: SimulatedSite, tmp_path: Path) -> None:
    stored = {listing.listing_id: Listing(listing.listing_id, "u", listing.title)
              for listing in site.catalog.listings_in(None)[:20]}
    scrape(site, tmp_path, ["index"], stored=stored)
    assert listing_pages(site) == []


def test_listing_page_that_cannot_be_fetched_leaves_the_category_unknown(
    site: SimulatedSite, tmp_path: Path
) -> None:
    site.behaviour.block, site.behaviour.block_after = 502, 1  # the list page works, listing pages fail
    result = scrape(site, tmp_path, ["index"], lookups=1)
    assert {listing.category for listing in result.listings} == {None}


@pytest.mark.parametrize("source", ["full-size", "index"])
def test_scrape_reports_pages_and_every_listing_once(site: SimulatedSite, tmp_path: Path, source: str) -> None:
    result = scrape(site, tmp_path, [source], lookups=0)
    assert (result.pages, len({listing.listing_id for listing in result.listings})) == (1, 20)
