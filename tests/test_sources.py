"""sources.py: which paging a tick gets, what a page brought, and when paging stops (pure)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from audiowatch import sources
from audiowatch.config.model import ScraperSettings
from audiowatch.listing import Listing, ListingStatus
from audiowatch.parse.headfi import ParseResult
from audiowatch.sources import PageNews, PagePlan, Paging

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = ScraperSettings(poll_interval_minutes=5, initial_max_pages=10, scheduled_max_pages=2,
                           initial_scrape_days=30)
NEXT = "https://www.head-fi.org/classifieds/page-2"
NOTHING_NEW = PageNews(new=0, changed=0, unchanged=20)
SOME_NEW = PageNews(new=5, changed=0, unchanged=15)
ALL_NEW = PageNews(new=20, changed=0, unchanged=0)


def listing(listing_id: int, listed_at: datetime | None = None, **values: object) -> Listing:
    stamp = listed_at.isoformat() if listed_at else None
    base = Listing(listing_id, f"https://www.head-fi.org/classifieds/x.{listing_id}/", f"Item {listing_id}",
                   price=100.0, listed_at=stamp)
    return dataclasses.replace(base, **values)  # type: ignore[arg-type]


def result(*listed: datetime | None, next_url: str | None = NEXT) -> ParseResult:
    found = tuple(listing(100 + number, moment) for number, moment in enumerate(listed))
    return ParseResult(found, 0, len(found), {}, next_url)


# plan_pages


def test_first_tick_seeds_back_initial_scrape_days() -> None:
    plan = sources.plan_pages(SETTINGS, NOW, None)
    assert plan == PagePlan(Paging.SEEDING, 10, 10, NOW - timedelta(days=30))


def test_tick_soon_after_a_success_is_scheduled_with_room_for_a_burst() -> None:
    plan = sources.plan_pages(SETTINGS, NOW, NOW - timedelta(minutes=5))
    assert plan == PagePlan(Paging.SCHEDULED, 2, 10)


def test_tick_after_three_missed_intervals_catches_up_to_the_last_success() -> None:
    last_success = NOW - timedelta(minutes=16)
    plan = sources.plan_pages(SETTINGS, NOW, last_success)
    assert plan == PagePlan(Paging.CATCH_UP, 10, 10, last_success - timedelta(minutes=5))


@pytest.mark.parametrize("last_success", [None, NOW - timedelta(minutes=5), NOW - timedelta(hours=6)],
                         ids=["seeding", "scheduled", "catch-up"])
def test_max_pages_option_caps_every_mode(last_success: datetime | None) -> None:
    plan = sources.plan_pages(SETTINGS, NOW, last_success, max_pages=1)
    assert (plan.page_budget, plan.page_limit) == (1, 1)


# assess_page


def test_assess_page_counts_new_changed_and_unchanged() -> None:
    known = {1: listing(1), 2: listing(2), 3: listing(3)}
    page = [listing(1), listing(2, price=90.0), listing(3, status=ListingStatus.SOLD), listing(4)]
    assert sources.assess_page(page, known) == PageNews(new=1, changed=2, unchanged=1)


def test_assess_page_ignores_fields_nobody_watches() -> None:
    known = {1: listing(1, category="full-size", seller="a")}
    assert sources.assess_page([listing(1, category=None, seller="b")], known) == PageNews(0, 0, 1)


@pytest.mark.parametrize("field", ["price", "currency", "title", "edited_at"])
def test_assess_page_counts_a_change_in_a_watched_field(field: str) -> None:
    value = {"price": 1.0, "currency": "EUR", "title": "New title", "edited_at": NOW.isoformat()}[field]
    assert sources.assess_page([listing(1, **{field: value})], {1: listing(1)}).changed == 1


# next_page_url: scheduled


SCHEDULED = PagePlan(Paging.SCHEDULED, page_budget=2, page_limit=10)


@pytest.mark.parametrize(
    ("page_number", "news", "goes_on"),
    [
        (1, NOTHING_NEW, False),
        (1, SOME_NEW, True),
        (1, PageNews(0, 3, 17), True),
        (2, SOME_NEW, False),
        (2, ALL_NEW, True),
        (9, ALL_NEW, True),
        (10, ALL_NEW, False),
    ],
    ids=["steady-state-stops-at-once", "news-within-budget", "changes-within-budget", "budget-reached",
         "burst-pages-on", "burst-near-limit", "limit-stops-burst"],
)
def test_scheduled_paging(page_number: int, news: PageNews, goes_on: bool) -> None:
    assert (sources.next_page_url(result(NOW), page_number, SCHEDULED, news) == NEXT) is goes_on


def test_last_page_stops_paging_whatever_it_brought() -> None:
    assert sources.next_page_url(result(NOW, next_url=None), 1, SCHEDULED, ALL_NEW) is None


# next_page_url: seeding and catch-up


CUTOFF = NOW - timedelta(hours=6)
SEEDING = PagePlan(Paging.SEEDING, 10, 10, CUTOFF)
CATCH_UP = PagePlan(Paging.CATCH_UP, 10, 10, CUTOFF)
OLD, RECENT = CUTOFF - timedelta(hours=1), CUTOFF + timedelta(hours=1)


@pytest.mark.parametrize(
    ("plan", "page", "news", "goes_on"),
    [
        (SEEDING, result(RECENT, OLD), ALL_NEW, True),
        (SEEDING, result(OLD, OLD), ALL_NEW, False),
        (SEEDING, result(OLD, None), ALL_NEW, True),
        (CATCH_UP, result(RECENT, OLD), NOTHING_NEW, True),
        (CATCH_UP, result(OLD, OLD), SOME_NEW, True),
        (CATCH_UP, result(OLD, OLD), NOTHING_NEW, False),
    ],
    ids=["seeding-recent-goes-on", "seeding-all-old-stops", "seeding-undated-goes-on",
         "catch-up-before-the-gap-goes-on", "catch-up-news-goes-on", "catch-up-old-and-known-stops"],
)
def test_seeding_and_catch_up_paging(plan: PagePlan, page: ParseResult, news: PageNews, goes_on: bool) -> None:
    assert (sources.next_page_url(page, 1, plan, news) == NEXT) is goes_on


@pytest.mark.parametrize("plan", [SEEDING, CATCH_UP], ids=["seeding", "catch-up"])
def test_deep_paging_stops_at_the_limit(plan: PagePlan) -> None:
    assert sources.next_page_url(result(RECENT), 10, plan, ALL_NEW) is None
