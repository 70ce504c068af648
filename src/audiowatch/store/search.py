"""Search stored listings with a rule's SQL condition: matching ids, listings, and weekly backtests.

Listings are judged as rules see them (``rules/sql.py``): a relation with one column per rule field.
Two versions of a listing can be judged: as it is now, or as it was when AudioWatch first stored it
(title, price, currency, status and edit time from its first ``listing_history`` row, and
``age_hours`` measured at that moment). The second is what a tick decided on, so a backtest uses it:
a listing that sold last week was active when it arrived and would have been notified then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from audiowatch.listing import LISTING_FIELDS, Listing, ListingStatus
from audiowatch.rules.sql import Condition
from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb


def _iso_text(column: str) -> str:
    # The text Listing.listed_at holds: datetime.isoformat() of an aware UTC time, with fractions
    # of a second only when there are any (stored timestamps are naive UTC: store/database.py).
    return (
        f"strftime({column}, '%Y-%m-%dT%H:%M:%S') || CASE WHEN epoch_us({column}) % 1000000 <> 0 "
        f"THEN strftime({column}, '.%f') ELSE '' END || '+00:00'"
    )


def _judged(title: str, price: str, currency: str, status: str, edited_at: str, judged_at: str) -> str:
    """The rule-facing relation; the arguments are SQL expressions for the columns that can differ."""
    return f"""
        SELECT l.listing_id, l.url, {title} AS title, l.listing_type, {price} AS price,
               {currency} AS currency, l.condition, l.negotiability, l.ships_to, l.seller,
               l.seller_feedback, {_iso_text("l.listed_at")} AS listed_at,
               {_iso_text(edited_at)} AS edited_at, {status} AS status, l.thumbnail_url, l.category,
               CAST(epoch_us({judged_at}) - epoch_us(l.listed_at) AS DOUBLE) / 3600000000.0::DOUBLE AS age_hours,
               coalesce(l.listed_at, l.first_seen_at) AS posted_at
        FROM listings AS l"""


# As stored now; age_hours measured to the one ``now`` bound as the first parameter.
_AS_NOW = _judged("l.title", "l.price", "l.currency", "l.status", "l.edited_at", "?::TIMESTAMP")
AS_NOW = _AS_NOW
"""The same relation for other store modules (store/market.py); its first parameter is ``now``."""


def _first(column: str) -> str:
    return f"CASE WHEN first.listing_id IS NULL THEN l.{column} ELSE first.{column} END"


# As first stored, judged at that moment; needs no parameter.
_AS_FIRST_SEEN = _judged(
    _first("title"), _first("price"), _first("currency"), _first("status"), _first("edited_at"), "l.first_seen_at"
) + """
        LEFT JOIN (
            SELECT * FROM listing_history
            QUALIFY row_number() OVER (PARTITION BY listing_id ORDER BY observed_at) = 1
        ) AS first ON first.listing_id = l.listing_id"""

_LISTING_COLUMNS = ", ".join(sorted(LISTING_FIELDS))


@dataclass(frozen=True, slots=True)
class WeekCount:
    """One week (starting Monday, UTC) of a backtest: listings posted then, and how many matched."""

    week: date
    considered: int
    matched: int


@dataclass(frozen=True, slots=True)
class Backtest:
    """What a rule would have matched among the listings posted since a moment, judged as first seen."""

    considered: int
    matched: int
    weeks: tuple[WeekCount, ...]
    sample: tuple[Listing, ...]  # the latest matches, newest first


def matching_ids(connection: duckdb.DuckDBPyConnection, condition: Condition, now: datetime) -> list[int]:
    """Return the ids of the stored listings, as they are now, that satisfy ``condition`` at ``now``."""
    rows = connection.execute(
        f"SELECT listing_id FROM ({_AS_NOW}) WHERE {condition.clause} ORDER BY listing_id",
        [database.to_db_time(now), *condition.params],
    ).fetchall()
    return [int(row[0]) for row in rows]


def matching_ids_as_first_seen(connection: duckdb.DuckDBPyConnection, condition: Condition) -> list[int]:
    """Return the ids of the stored listings that satisfied ``condition`` when first stored."""
    rows = connection.execute(
        f"SELECT listing_id FROM ({_AS_FIRST_SEEN}) WHERE {condition.clause} ORDER BY listing_id",
        list(condition.params),
    ).fetchall()
    return [int(row[0]) for row in rows]


def find_matching(
    connection: duckdb.DuckDBPyConnection, condition: Condition, since: datetime | None, limit: int | None = None
) -> list[Listing]:
    """Return the listings posted since ``since`` (all when None) that matched as first seen, newest first."""
    rows = connection.execute(
        f"""SELECT {_LISTING_COLUMNS} FROM ({_AS_FIRST_SEEN})
            WHERE posted_at >= coalesce(?::TIMESTAMP, posted_at) AND {condition.clause}
            ORDER BY posted_at DESC, listing_id DESC LIMIT coalesce(?::BIGINT, 9223372036854775807)""",
        [_since(since), *condition.params, limit],
    ).fetchall()
    return [_listing_from_row(row) for row in rows]


def backtest(
    connection: duckdb.DuckDBPyConnection, condition: Condition, since: datetime, now: datetime, sample_size: int = 10
) -> Backtest:
    """Count, week by week since ``since``, the stored listings posted then and those ``condition`` matched.

    Weeks without any stored listing are included with zero counts, so gaps show.
    """
    rows = connection.execute(
        f"""SELECT date_trunc('week', posted_at)::DATE AS week, count(*),
                   count(*) FILTER (WHERE {condition.clause})
            FROM ({_AS_FIRST_SEEN}) WHERE posted_at >= ?::TIMESTAMP GROUP BY week ORDER BY week""",
        [*condition.params, _since(since)],
    ).fetchall()
    counted = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    weeks = tuple(WeekCount(week, *counted.get(week, (0, 0))) for week in _weeks(since, now))
    return Backtest(
        considered=sum(week.considered for week in weeks),
        matched=sum(week.matched for week in weeks),
        weeks=weeks,
        sample=tuple(find_matching(connection, condition, since, sample_size)),
    )


def _weeks(since: datetime, now: datetime) -> list[date]:
    first = since.date() - timedelta(days=since.weekday())
    last = now.date() - timedelta(days=now.weekday())
    return [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]


def _since(since: datetime | None) -> str | None:
    return None if since is None else database.to_db_time(since)


def _listing_from_row(row: Sequence[Any]) -> Listing:
    values = dict(zip(sorted(LISTING_FIELDS), row, strict=True))
    values["status"] = ListingStatus(values["status"])
    return Listing(**values)


def browse(
    connection: duckdb.DuckDBPyConnection,
    condition: Condition | None,
    *,
    now: datetime,
    since: datetime | None = None,
    statuses: Sequence[str] = (),
    limit: int | None = None,
) -> list[Listing]:
    """Return stored listings as they are now, newest posted first, optionally filtered.

    ``condition`` is a rule's SQL condition (judged at ``now``); ``statuses`` empty means any status.
    """
    clauses = ["posted_at >= coalesce(?::TIMESTAMP, posted_at)"]
    params: list[Any] = [database.to_db_time(now), _since(since)]
    if statuses:
        clauses.append("list_contains(?::VARCHAR[], status)")
        params.append(list(statuses))
    if condition is not None:
        clauses.append(f"({condition.clause})")
        params.extend(condition.params)
    rows = connection.execute(
        f"""SELECT {_LISTING_COLUMNS} FROM ({_AS_NOW}) WHERE {" AND ".join(clauses)}
            ORDER BY posted_at DESC, listing_id DESC LIMIT coalesce(?::BIGINT, 9223372036854775807)""",
        [*params, limit],
    ).fetchall()
    return [_listing_from_row(row) for row in rows]
