"""Searching stored listings with a rule: as first stored, week by week, since a moment."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import duckdb

from audiowatch.listing import ListingStatus
from audiowatch.rules import sql
from audiowatch.rules.grammar import parse_expression
from audiowatch.store import database, listings, search
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday


def condition(text: str) -> sql.Condition:
    return sql.translate(parse_expression(text))


def store(connection: duckdb.DuckDBPyConnection, batch: list, at: datetime) -> None:  # type: ignore[type-arg]
    with database.transaction(connection):
        listings.upsert_listings(connection, batch, at, "test")


def test_listing_is_judged_as_first_stored_not_as_it_is_now(connection: duckdb.DuckDBPyConnection) -> None:
    first = make_listing(1, title="Sennheiser HD800", price=900.0)
    store(connection, [first], NOW - timedelta(days=3))
    store(connection, [dataclasses.replace(first, price=1200.0, status=ListingStatus.SOLD)], NOW)
    rule = condition('status = "active" AND price < 1000')
    assert search.matching_ids(connection, rule, NOW) == []
    assert search.matching_ids_as_first_seen(connection, rule) == [1]


def test_age_hours_as_first_seen_counts_to_when_it_was_stored(connection: duckdb.DuckDBPyConnection) -> None:
    listed = NOW - timedelta(days=10)
    store(connection, [make_listing(1, listed_at=listed.isoformat())], listed + timedelta(hours=2))
    assert search.matching_ids_as_first_seen(connection, condition("age_hours = 2")) == [1]
    assert search.matching_ids(connection, condition("age_hours = 2"), NOW) == []


def test_backtest_counts_posted_and_matched_per_week(connection: duckdb.DuckDBPyConnection) -> None:
    batch = [
        make_listing(1, title="HD800", listed_at="2026-11-02T10:00:00+00:00"),  # Monday
        make_listing(2, title="HD650", listed_at="2026-11-08T23:00:00+00:00"),  # Sunday, same week
        make_listing(3, title="HD 800", listed_at="2026-11-24T10:00:00+00:00"),
    ]
    store(connection, batch, NOW)
    result = search.backtest(connection, condition('title has "HD800"'), datetime(2026, 11, 1, tzinfo=UTC), NOW)
    assert [(week.week, week.considered, week.matched) for week in result.weeks] == [
        (date(2026, 10, 26), 0, 0),
        (date(2026, 11, 2), 2, 1),
        (date(2026, 11, 9), 0, 0),
        (date(2026, 11, 16), 0, 0),
        (date(2026, 11, 23), 1, 1),
    ]
    assert (result.considered, result.matched) == (3, 2)
    assert [listing.listing_id for listing in result.sample] == [3, 1]


def test_backtest_leaves_out_listings_posted_before_since(connection: duckdb.DuckDBPyConnection) -> None:
    store(connection, [make_listing(1, listed_at="2026-09-01T00:00:00+00:00")], NOW)
    result = search.backtest(connection, condition('"HD800"'), NOW - timedelta(days=30), NOW)
    assert (result.considered, result.matched, result.sample) == (0, 0, ())


def test_listing_without_listed_at_counts_from_when_it_was_first_stored(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    store(connection, [make_listing(1, listed_at=None)], NOW - timedelta(days=1))
    result = search.backtest(connection, condition('"HD800"'), NOW - timedelta(days=7), NOW)
    assert result.matched == 1


def test_backtest_sample_is_the_latest_matches_only(connection: duckdb.DuckDBPyConnection) -> None:
    batch = [make_listing(index, listed_at=(NOW - timedelta(hours=index)).isoformat()) for index in range(1, 16)]
    store(connection, batch, NOW)
    result = search.backtest(connection, condition('"HD800"'), NOW - timedelta(days=7), NOW, sample_size=3)
    assert [listing.listing_id for listing in result.sample] == [1, 2, 3]
    assert result.matched == 15


def test_find_matching_returns_whole_listings_as_stored(connection: duckdb.DuckDBPyConnection) -> None:
    listing = make_listing(7, title="Focal Utopia", seller="a b-c", listed_at="2026-11-27T10:00:00.250000+00:00")
    store(connection, [listing], NOW)
    assert search.find_matching(connection, condition('"utopia"'), None) == [listing]
