"""Read the listings a rule condition matches and the prices they asked, for `audiowatch prices`.

Listings are judged as they are stored now (any status: what sold is the best price evidence) and
kept when posted since a moment. Their prices come from ``listing_history``, which has a row each
time a listing was first seen or changed in any watched field; only the rows where the price or
currency differs from the listing's previous row are price observations. The first price is dated
when the listing was posted, since it was asked from then on even when a tick saw it later (for
example on the first tick, which stores the last 30 days at once).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from audiowatch.listing import ListingStatus
from audiowatch.prices import history
from audiowatch.rules.sql import Condition
from audiowatch.store import database, search

if TYPE_CHECKING:
    import duckdb

_CHOSEN = """
    SELECT listing_id, title, url, listing_type, status, coalesce(listed_at, first_seen_at) AS posted_at
    FROM listings
    WHERE listing_id IN (SELECT unnest(?::BIGINT[])) AND coalesce(listed_at, first_seen_at) >= ?::TIMESTAMP"""


def load_price_history(
    connection: duckdb.DuckDBPyConnection, condition: Condition, since: datetime, now: datetime
) -> tuple[list[history.MatchedListing], list[history.Observation]]:
    """Return the listings posted since ``since`` that satisfy ``condition`` at ``now``, and their prices."""
    ids = search.matching_ids(connection, condition, now)
    parameters = [ids, database.to_db_time(since)]
    listings = [
        history.MatchedListing(row[0], row[1], row[2], row[3], ListingStatus(row[4]), database.from_db_time(row[5]))
        for row in connection.execute(f"{_CHOSEN} ORDER BY posted_at, listing_id", parameters).fetchall()
    ]
    rows = connection.execute(
        f"""WITH chosen AS ({_CHOSEN}),
            ordered AS (
                SELECT h.listing_id, h.observed_at, h.price, h.currency, chosen.posted_at,
                       row_number() OVER seen AS position,
                       lag(h.price) OVER seen AS previous_price, lag(h.currency) OVER seen AS previous_currency
                FROM listing_history AS h JOIN chosen USING (listing_id)
                WINDOW seen AS (PARTITION BY h.listing_id ORDER BY h.observed_at)
            )
            SELECT listing_id,
                   CASE WHEN position = 1 THEN least(posted_at, observed_at) ELSE observed_at END AS asked_at,
                   price, currency
            FROM ordered
            WHERE price IS NOT NULL AND (position = 1 OR price IS DISTINCT FROM previous_price
                                         OR currency IS DISTINCT FROM previous_currency)
            ORDER BY asked_at, listing_id""",
        parameters,
    ).fetchall()
    return listings, [history.Observation(row[0], database.from_db_time(row[1]), row[2], row[3]) for row in rows]
