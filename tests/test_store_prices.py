"""Reading price observations: first price dated when posted, one observation per price change."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import duckdb

from audiowatch.listing import Listing, ListingStatus
from audiowatch.prices import history
from audiowatch.rules import sql
from audiowatch.rules.grammar import parse_expression
from audiowatch.store import database, listings, prices
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POSTED = NOW - timedelta(days=10)
LONG_AGO = NOW - timedelta(days=365)


def store(connection: duckdb.DuckDBPyConnection, batch: list[Listing], at: datetime) -> None:
    with database.transaction(connection):
        listings.upsert_listings(connection, batch, at, "test")


def load(
    connection: duckdb.DuckDBPyConnection, text: str = '"HD800"', since: datetime = LONG_AGO
) -> tuple[list[history.MatchedListing], list[history.Observation]]:
    return prices.load_price_history(connection, sql.translate(parse_expression(text)), since, NOW)


def observed(connection: duckdb.DuckDBPyConnection) -> list[tuple[int, datetime, float, str | None]]:
    _, found = load(connection)
    return [(item.listing_id, item.observed_at, item.price, item.currency) for item in found]


def test_first_price_is_dated_when_the_listing_was_posted(connection: duckdb.DuckDBPyConnection) -> None:
    store(connection, [make_listing(1, price=900.0, listed_at=POSTED.isoformat())], NOW - timedelta(days=1))
    assert observed(connection) == [(1, POSTED, 900.0, "USD")]


def test_each_price_change_is_an_observation_dated_when_seen(connection: duckdb.DuckDBPyConnection) -> None:
    first = make_listing(1, price=900.0, listed_at=POSTED.isoformat())
    store(connection, [first], POSTED + timedelta(hours=1))
    store(connection, [dataclasses.replace(first, price=850.0)], NOW - timedelta(days=2))
    store(connection, [dataclasses.replace(first, price=800.0, currency="EUR")], NOW - timedelta(days=1))
    assert observed(connection) == [
        (1, POSTED, 900.0, "USD"),
        (1, NOW - timedelta(days=2), 850.0, "USD"),
        (1, NOW - timedelta(days=1), 800.0, "EUR"),
    ]


def test_changes_that_keep_the_price_are_not_observations(connection: duckdb.DuckDBPyConnection) -> None:
    first = make_listing(1, price=900.0, listed_at=POSTED.isoformat())
    store(connection, [first], POSTED)
    store(connection, [dataclasses.replace(first, title="HD800 (reduced)")], NOW - timedelta(days=2))
    store(connection, [dataclasses.replace(first, status=ListingStatus.SOLD)], NOW - timedelta(days=1))
    assert observed(connection) == [(1, POSTED, 900.0, "USD")]


def test_a_price_that_appears_later_is_dated_when_seen(connection: duckdb.DuckDBPyConnection) -> None:
    first = make_listing(1, price=None, currency=None, listed_at=POSTED.isoformat())
    store(connection, [first], POSTED)
    store(connection, [dataclasses.replace(first, price=700.0, currency="GBP")], NOW - timedelta(days=1))
    assert observed(connection) == [(1, NOW - timedelta(days=1), 700.0, "GBP")]


def test_listings_of_any_status_match_as_stored_now(connection: duckdb.DuckDBPyConnection) -> None:
    first = make_listing(1, title="Sennheiser HD800", listed_at=POSTED.isoformat())
    store(connection, [first, make_listing(2, title="Sennheiser HD650", listed_at=POSTED.isoformat())], POSTED)
    store(connection, [dataclasses.replace(first, status=ListingStatus.SOLD)], NOW)
    matched, _ = load(connection, 'title has "HD800" AND status = "sold"')
    assert [(listing.listing_id, listing.status) for listing in matched] == [(1, ListingStatus.SOLD)]


def test_listings_posted_before_since_are_left_out(connection: duckdb.DuckDBPyConnection) -> None:
    store(connection, [make_listing(1, listed_at=POSTED.isoformat()),
                       make_listing(2, listed_at=(NOW - timedelta(days=2)).isoformat())], NOW)
    matched, found = load(connection, since=NOW - timedelta(days=5))
    assert [listing.listing_id for listing in matched] == [2]
    assert [item.listing_id for item in found] == [2]


def test_a_listing_without_a_posting_time_counts_from_when_first_seen(connection: duckdb.DuckDBPyConnection) -> None:
    seen = NOW - timedelta(days=3)
    store(connection, [make_listing(1, listed_at=None)], seen)
    matched, found = load(connection)
    assert matched[0].posted_at == seen
    assert found[0].observed_at == seen
