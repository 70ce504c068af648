"""Per-currency statistics of asks: one ask per listing, percentiles, weekly medians, lowest recent asks."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from audiowatch.listing import ListingStatus
from audiowatch.prices import history

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday
SINCE = NOW - timedelta(days=180)


def listing(
    listing_id: int, days_ago: float = 5, status: ListingStatus = ListingStatus.ACTIVE, listing_type: str = "For Sale"
) -> history.MatchedListing:
    return history.MatchedListing(listing_id, f"Listing {listing_id}", f"https://example.org/{listing_id}/",
                                  listing_type, status, NOW - timedelta(days=days_ago))


def asked(listing_id: int, price: float, days_ago: float = 5, currency: str | None = "USD") -> history.Observation:
    return history.Observation(listing_id, NOW - timedelta(days=days_ago), price, currency)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 10, 41], ids=lambda size: f"{size}-values")
def test_percentile_agrees_with_the_statistics_module(size: int) -> None:
    values = sorted(random.Random(size).uniform(50, 3000) for _ in range(size))
    if size == 1:
        assert history.percentile(values, 0.9) == values[0]
        return
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    quartiles = statistics.quantiles(values, n=4, method="inclusive")
    assert history.percentile(values, 0.1) == pytest.approx(deciles[0])
    assert history.percentile(values, 0.25) == pytest.approx(quartiles[0])
    assert history.percentile(values, 0.5) == pytest.approx(statistics.median(values))
    assert history.percentile(values, 0.9) == pytest.approx(deciles[8])


def test_a_listing_counts_once_at_its_latest_price() -> None:
    result = history.summarize([listing(1, 20)], [asked(1, 1200.0, 20), asked(1, 1000.0, 3)], SINCE, NOW)
    (usd,) = result.currencies
    assert [(ask.listing.listing_id, ask.price) for ask in usd.asks] == [(1, 1000.0)]
    assert usd.asks[0].asked_since == NOW - timedelta(days=3)
    assert len(usd.observations) == 2


def test_currencies_are_never_mixed_and_the_most_asked_comes_first() -> None:
    matched = [listing(1), listing(2), listing(3)]
    observations = [asked(1, 900.0, currency="EUR"), asked(2, 1000.0), asked(3, 1100.0, currency="EUR")]
    result = history.summarize(matched, observations, SINCE, NOW)
    assert [(group.currency, [ask.price for ask in group.asks]) for group in result.currencies] == [
        ("EUR", [900.0, 1100.0]), ("USD", [1000.0])]
    assert result.charted is not None and result.charted.currency == "EUR"
    assert result.currencies[0].spread.median == 1000.0


def test_want_to_buy_and_priceless_listings_are_counted_not_asked() -> None:
    matched = [listing(1), listing(2, listing_type="Want To Buy"), listing(3)]
    result = history.summarize(matched, [asked(1, 500.0), asked(2, 450.0)], SINCE, NOW)
    assert (result.matched, result.want_to_buy, result.without_price) == (3, 1, 1)
    assert [ask.listing.listing_id for ask in result.currencies[0].asks] == [1]


def test_asks_are_counted_by_status() -> None:
    matched = [listing(1, status=ListingStatus.SOLD), listing(2), listing(3, status=ListingStatus.SOLD)]
    result = history.summarize(matched, [asked(1, 1.0), asked(2, 2.0), asked(3, 3.0)], SINCE, NOW)
    assert result.currencies[0].by_status == ((ListingStatus.ACTIVE, 1), (ListingStatus.SOLD, 2))


def test_lowest_recent_asks_are_active_listings_posted_lately_cheapest_first() -> None:
    matched = [listing(1, days_ago=2), listing(2, days_ago=40), listing(3, status=ListingStatus.SOLD),
               *(listing(index, days_ago=index) for index in range(4, 10))]
    observations = [asked(1, 800.0), asked(2, 100.0), asked(3, 50.0),
                    *(asked(index, 1000.0 - index) for index in range(4, 10))]
    result = history.summarize(matched, observations, SINCE, NOW)
    lowest = result.currencies[0].lowest_recent
    assert [ask.listing.listing_id for ask in lowest] == [1, 9, 8, 7, 6]
    assert result.recent_since == NOW - history.RECENT


def test_recent_asks_never_reach_before_since() -> None:
    result = history.summarize([listing(1, days_ago=2)], [asked(1, 5.0)], NOW - timedelta(days=7), NOW)
    assert result.recent_since == NOW - timedelta(days=7)


def test_weekly_medians_group_observations_by_monday() -> None:
    # 2026-11-23 is a Monday: the Sunday before belongs to the week of 2026-11-16.
    moments = {1: datetime(2026, 11, 22, 23, tzinfo=UTC), 2: datetime(2026, 11, 23, 1, tzinfo=UTC),
               3: datetime(2026, 11, 25, tzinfo=UTC), 4: datetime(2026, 11, 26, tzinfo=UTC)}
    prices = {1: 100.0, 2: 200.0, 3: 300.0, 4: 700.0}
    observations = [history.Observation(key, moments[key], prices[key], "USD") for key in moments]
    result = history.summarize([listing(key) for key in moments], observations, SINCE, NOW)
    assert result.currencies[0].weeks == (
        history.WeeklyMedian(date(2026, 11, 16), 100.0, 1), history.WeeklyMedian(date(2026, 11, 23), 300.0, 3))


def test_nothing_matched_gives_no_currencies() -> None:
    result = history.summarize([], [], SINCE, NOW)
    assert (result.matched, result.currencies, result.charted) == (0, (), None)
