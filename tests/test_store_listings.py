"""The listings table: set-based upsert reporting new and changed listings, and their history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from audiowatch.listing import ListingStatus
from audiowatch.store import database, listings
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def history(connection: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    query = "SELECT listing_id, price, status FROM listing_history ORDER BY observed_at"
    return connection.execute(query).fetchall()


def test_first_sighting_is_a_change_without_before(connection: duckdb.DuckDBPyConnection) -> None:
    changes = listings.upsert_listings(connection, [make_listing(1)], NOW, "run1")
    assert [(change.before, change.after.listing_id) for change in changes] == [(None, 1)]


def test_stored_listing_reads_back_equal(connection: duckdb.DuckDBPyConnection) -> None:
    original = make_listing(1, edited_at="2026-11-27T11:00:00+00:00", thumbnail_url="https://x/t.jpg")
    listings.upsert_listings(connection, [original], NOW, "run1")
    assert listings.load_listings(connection, [1]) == {1: original}


def test_unchanged_listing_is_not_a_change(connection: duckdb.DuckDBPyConnection) -> None:
    listings.upsert_listings(connection, [make_listing(1)], NOW, "run1")
    assert listings.upsert_listings(connection, [make_listing(1)], NOW, "run2") == []


def test_price_change_reports_before_and_after(connection: duckdb.DuckDBPyConnection) -> None:
    listings.upsert_listings(connection, [make_listing(1, price=999.0)], NOW, "run1")
    [change] = listings.upsert_listings(connection, [make_listing(1, price=899.0)], NOW, "run2")
    assert change.before is not None and change.before.price == 999.0
    assert change.after.price == 899.0
    assert listings.load_listings(connection, [1])[1].price == 899.0


def test_status_change_is_a_change(connection: duckdb.DuckDBPyConnection) -> None:
    listings.upsert_listings(connection, [make_listing(1)], NOW, "run1")
    changes = listings.upsert_listings(connection, [make_listing(1, status=ListingStatus.SOLD)], NOW, "run2")
    assert [change.after.status for change in changes] == [ListingStatus.SOLD]


def test_history_has_a_row_per_sighting_that_changed(connection: duckdb.DuckDBPyConnection) -> None:
    listings.upsert_listings(connection, [make_listing(1, price=999.0)], NOW, "run1")
    listings.upsert_listings(connection, [make_listing(1, price=999.0)], NOW, "run2")
    listings.upsert_listings(connection, [make_listing(1, price=899.0)], NOW, "run3")
    assert history(connection) == [(1, 999.0, "active"), (1, 899.0, "active")]


def test_sighting_without_category_keeps_the_stored_category(connection: duckdb.DuckDBPyConnection) -> None:
    listings.upsert_listings(connection, [make_listing(1, category="dacs")], NOW, "run1")
    listings.upsert_listings(connection, [make_listing(1, category=None, price=5.0)], NOW, "run2")
    assert listings.load_listings(connection, [1])[1].category == "dacs"


def test_same_listing_twice_in_one_batch_is_stored_once(connection: duckdb.DuckDBPyConnection) -> None:
    batch = [make_listing(1, category="dacs"), make_listing(1, category=None)]
    changes = listings.upsert_listings(connection, batch, NOW, "run1")
    assert len(changes) == 1
    assert changes[0].after.category == "dacs"
    assert listings.count_listings(connection) == 1


def test_many_listings_upsert_in_one_call(connection: duckdb.DuckDBPyConnection) -> None:
    batch = [make_listing(number, price=float(number)) for number in range(1, 2001)]
    assert len(listings.upsert_listings(connection, batch, NOW, "run1")) == 2000
    assert listings.count_listings(connection) == 2000


def test_reopening_an_existing_database_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    first = database.connect(path)
    listings.upsert_listings(first, [make_listing(1)], NOW, "run1")
    first.close()
    second = database.connect(path)
    assert listings.count_listings(second) == 1
    second.close()
