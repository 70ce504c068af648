"""The market query: count, median and rank of one listing's price among comparable stored asks.

Listings are judged as stored now, through the same relation rules see (``store/search.py``), so a
comparable condition means in SQL what it means in a tick.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from audiowatch import market
from audiowatch.listing import Listing
from audiowatch.rules.sql import Condition
from audiowatch.store import database, search

if TYPE_CHECKING:
    import duckdb


def market_context(
    connection: duckdb.DuckDBPyConnection, listing: Listing, comparable: Condition, now: datetime, *,
    days: int = market.WINDOW_DAYS, minimum: int = market.MINIMUM_ASKS,
) -> market.MarketContext | None:
    """Return where ``listing``'s price sits among the stored asks that satisfy ``comparable``.

    Asks are the other stored listings posted (listed, or first seen when the site gave no date)
    in the ``days`` before ``now``, whatever their status (a sold listing's price is the best
    evidence there is), priced in the listing's currency, and not Want To Buy (a budget is no ask).
    Return None when the listing has no price or currency, or fewer than ``minimum`` asks compare.
    """
    if listing.price is None or listing.currency is None:
        return None
    since = now - timedelta(days=days)
    row = connection.execute(
        f"""WITH asks AS (
                SELECT price FROM ({search.AS_NOW})
                WHERE listing_id <> ? AND currency = ? AND price IS NOT NULL AND posted_at >= ?::TIMESTAMP
                  AND lower(coalesce(listing_type, '')) <> lower(?) AND {comparable.clause})
            SELECT count(*), count(*) FILTER (WHERE price < ?::DOUBLE), median(price) FROM asks""",
        [database.to_db_time(now), listing.listing_id, listing.currency, database.to_db_time(since),
         market.WANT_TO_BUY, *comparable.params, listing.price],
    ).fetchone()
    assert row is not None  # an aggregate always returns one row
    asks, below, median = row
    if asks < minimum:
        return None
    return market.MarketContext(int(asks), int(below), float(median), listing.currency, days)
