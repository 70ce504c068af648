"""The market query on a real DuckDB: count, median and rank among comparable asks, checked by hand and at random."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiowatch import market
from audiowatch.listing import Listing, ListingStatus
from audiowatch.rules import sql
from audiowatch.rules.grammar import parse_expression
from audiowatch.store import database, listings
from audiowatch.store.market import market_context
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HD800 = sql.translate(parse_expression('title has "HD800"'))
RECENT = (NOW - timedelta(days=3)).isoformat()


def ask(listing_id: int, **fields: Any) -> Listing:
    values: dict[str, Any] = {"title": "Sennheiser HD800", "price": 1000.0, "listed_at": RECENT}
    values.update(fields)
    return make_listing(listing_id, **values)


def store(connection: duckdb.DuckDBPyConnection, batch: list[Listing], now: datetime = NOW) -> None:
    with database.transaction(connection):
        listings.upsert_listings(connection, batch, now, "test")


@pytest.fixture(scope="module")
def memory() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory database for the random examples; each empties it first."""
    connection = duckdb.connect()
    database.migrate(connection)
    yield connection
    connection.close()


def test_market_context_counts_median_and_share_below_of_comparable_asks(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    prices = [800.0, 900.0, 1000.0, 1100.0, 1200.0, 1300.0]
    new = ask(1, price=950.0)
    store(connection, [ask(10 + index, price=price) for index, price in enumerate(prices)] + [new])
    context = market_context(connection, new, HD800, NOW)
    assert context == market.MarketContext(asks=6, below=2, median=1050.0, currency="USD", days=180)
    assert context.percentile == 33


COUNTED_OR_NOT = [
    ({"currency": "EUR"}, False),
    ({"listed_at": (NOW - timedelta(days=181)).isoformat()}, False),
    ({"price": None}, False),
    ({"listing_type": "Want To Buy"}, False),
    ({"title": "Sennheiser HD800S"}, False),
    ({"status": ListingStatus.SOLD}, True),
    ({"listing_type": "For Sale/Trade", "seller": "someone.else", "seller_feedback": 0}, True),
    ({"listed_at": (NOW - timedelta(days=179)).isoformat()}, True),
]


@pytest.mark.parametrize(("fields", "counted"), COUNTED_OR_NOT,
                         ids=["other-currency", "older-than-180-days", "no-price", "want-to-buy", "other-model",
                              "sold-counts", "other-type-and-seller-count", "179-days-counts"])
def test_market_context_counts_only_recent_priced_asks_in_the_same_currency_that_compare(
    connection: duckdb.DuckDBPyConnection, fields: dict[str, Any], counted: bool
) -> None:
    new = ask(1, price=950.0)
    store(connection, [*(ask(10 + index) for index in range(5)), ask(20, **{"price": 500.0, **fields}), new])
    context = market_context(connection, new, HD800, NOW)
    assert context is not None
    assert (context.asks, context.below) == ((6, 1) if counted else (5, 0))


def test_market_context_of_a_listing_without_a_listed_date_counts_it_from_first_seen(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    new = ask(1, price=950.0)
    store(connection, [ask(20, price=500.0, listed_at=None)], now=NOW - timedelta(days=200))
    store(connection, [*(ask(10 + index) for index in range(5)), ask(21, price=500.0, listed_at=None), new])
    context = market_context(connection, new, HD800, NOW)
    assert context is not None and (context.asks, context.below) == (6, 1)


def test_market_context_leaves_out_the_listing_itself(connection: duckdb.DuckDBPyConnection) -> None:
    new = ask(1, price=950.0)
    store(connection, [ask(10 + index) for index in range(5)] + [new])
    context = market_context(connection, new, HD800, NOW)
    assert context is not None and context.asks == 5


@pytest.mark.parametrize(("stored", "expected"), [(4, None), (5, 5)], ids=["four-too-few", "five-enough"])
def test_market_context_needs_the_minimum_number_of_asks(
    connection: duckdb.DuckDBPyConnection, stored: int, expected: int | None
) -> None:
    new = ask(1, price=950.0)
    store(connection, [ask(10 + index) for index in range(stored)] + [new])
    context = market_context(connection, new, HD800, NOW)
    assert market.MINIMUM_ASKS == 5
    assert (context.asks if context else None) == expected


@pytest.mark.parametrize("fields", [{"price": None}, {"currency": None}], ids=["no-price", "no-currency"])
def test_market_context_of_a_listing_without_price_or_currency_is_none(
    connection: duckdb.DuckDBPyConnection, fields: dict[str, Any]
) -> None:
    new = ask(1, **{"price": 950.0, **fields})
    store(connection, [ask(10 + index) for index in range(10)] + [new])
    assert market_context(connection, new, HD800, NOW) is None


prices = st.one_of(st.integers(1, 40).map(lambda whole: whole * 25.0), st.floats(1, 5000, allow_nan=False))


@settings(max_examples=150, deadline=None, database=None)
@given(others=st.lists(prices, min_size=1, max_size=30), price=prices)
def test_market_context_agrees_with_a_computation_in_python(
    memory: duckdb.DuckDBPyConnection, others: list[float], price: float
) -> None:
    memory.execute("DELETE FROM listings")
    new = ask(1, price=price)
    store(memory, [ask(10 + index, price=other) for index, other in enumerate(others)] + [new])
    context = market_context(memory, new, HD800, NOW, minimum=1)
    assert context is not None
    below = sum(other < price for other in others)
    assert (context.asks, context.below) == (len(others), below)
    assert context.median == pytest.approx(statistics.median(others), rel=1e-12)
    assert context.percentile == math.floor(100 * below / len(others) + 0.5)
