"""The listings table (current state) and its history: set-based upsert that reports changes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from audiowatch.listing import Listing, ListingStatus, has_changed
from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb

# Columns of the listings table that hold the Listing itself, in Listing field order.
_LISTING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("listing_id", "BIGINT"), ("url", "VARCHAR"), ("title", "VARCHAR"),
    ("listing_type", "VARCHAR"), ("price", "DOUBLE"), ("currency", "VARCHAR"),
    ("condition", "VARCHAR"), ("negotiability", "VARCHAR"), ("ships_to", "VARCHAR"),
    ("seller", "VARCHAR"), ("seller_feedback", "INTEGER"), ("listed_at", "TIMESTAMP"),
    ("edited_at", "TIMESTAMP"), ("status", "VARCHAR"), ("thumbnail_url", "VARCHAR"),
    ("category", "VARCHAR"),
)
_NAMES = ", ".join(name for name, _ in _LISTING_COLUMNS)


@dataclass(frozen=True, slots=True)
class Change:
    """A listing that is new (``before`` is None) or differs in a watched field."""

    before: Listing | None
    after: Listing


def upsert_listings(
    connection: duckdb.DuckDBPyConnection, listings: Sequence[Listing], now: datetime, run_id: str
) -> list[Change]:
    """Store ``listings`` as the current state and return the new and changed ones.

    One set-based INSERT ... ON CONFLICT for all rows (never row-by-row executemany: see
    reference/scheduling-notify-reliability.md §9), plus one history insert for the changes.
    A listing seen without a category (e.g. on the index) keeps the category it had.
    Call inside a transaction.
    """
    merged = _merge_duplicates(listings)
    stored = load_listings(connection, [listing.listing_id for listing in merged])
    changes = [
        Change(stored.get(listing.listing_id), _keep_category(listing, stored))
        for listing in merged
        if _is_changed(stored.get(listing.listing_id), listing)
    ]
    _write_current(connection, merged, now)
    _write_history(connection, [change.after for change in changes], now, run_id)
    return changes


def load_listings(connection: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> dict[int, Listing]:
    """Return the stored listings with these ids, by id."""
    if not ids:
        return {}
    rows = connection.execute(
        f"SELECT {_NAMES} FROM listings WHERE listing_id IN (SELECT unnest(?::BIGINT[]))", [list(ids)]
    ).fetchall()
    return {row[0]: _listing_from_row(row) for row in rows}


def first_seen_times(connection: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> dict[int, datetime]:
    """Return when AudioWatch first stored each of these listings (aware UTC), by id."""
    if not ids:
        return {}
    rows = connection.execute(
        "SELECT listing_id, first_seen_at FROM listings WHERE listing_id IN (SELECT unnest(?::BIGINT[]))",
        [list(ids)],
    ).fetchall()
    return {listing_id: database.from_db_time(seen) for listing_id, seen in rows}


def count_listings(connection: duckdb.DuckDBPyConnection) -> int:
    row = connection.execute("SELECT count(*) FROM listings").fetchone()
    return int(row[0]) if row else 0


def _merge_duplicates(listings: Sequence[Listing]) -> list[Listing]:
    # The same listing can show on two sources in one tick (index and its category):
    # keep the last sighting, but never lose a category one of them knew.
    by_id: dict[int, Listing] = {}
    for listing in listings:
        earlier = by_id.get(listing.listing_id)
        if earlier is not None and listing.category is None and earlier.category is not None:
            listing = _with_category(listing, earlier.category)
        by_id[listing.listing_id] = listing
    return list(by_id.values())


def _keep_category(listing: Listing, stored: dict[int, Listing]) -> Listing:
    before = stored.get(listing.listing_id)
    if listing.category is None and before is not None and before.category is not None:
        return _with_category(listing, before.category)
    return listing


def _with_category(listing: Listing, category: str) -> Listing:
    return dataclasses.replace(listing, category=category)


def _is_changed(before: Listing | None, after: Listing) -> bool:
    return before is None or has_changed(before, after)


def _write_current(connection: duckdb.DuckDBPyConnection, listings: list[Listing], now: datetime) -> None:
    if not listings:
        return
    selects = ", ".join(f"unnest(?::{kind}[]) AS {name}" for name, kind in _LISTING_COLUMNS)
    updates = ", ".join(
        f"{name} = excluded.{name}" for name, _ in _LISTING_COLUMNS if name not in ("listing_id", "category")
    )
    stamp = database.to_db_time(now)
    connection.execute(
        f"""
        INSERT INTO listings ({_NAMES}, first_seen_at, last_seen_at, last_changed_at)
        SELECT *, ?::TIMESTAMP, ?::TIMESTAMP, ?::TIMESTAMP FROM (SELECT {selects})
        ON CONFLICT (listing_id) DO UPDATE SET {updates},
            category = coalesce(excluded.category, listings.category),
            last_seen_at = excluded.last_seen_at,
            last_changed_at = CASE
                WHEN listings.price IS DISTINCT FROM excluded.price
                  OR listings.currency IS DISTINCT FROM excluded.currency
                  OR listings.status IS DISTINCT FROM excluded.status
                  OR listings.title IS DISTINCT FROM excluded.title
                  OR listings.edited_at IS DISTINCT FROM excluded.edited_at
                THEN excluded.last_changed_at ELSE listings.last_changed_at END
        """,
        [stamp, stamp, stamp, *_columns(listings)],
    )


def _write_history(
    connection: duckdb.DuckDBPyConnection, listings: list[Listing], now: datetime, run_id: str
) -> None:
    if not listings:
        return
    connection.execute(
        """
        INSERT INTO listing_history
        SELECT unnest(?::BIGINT[]), ?::TIMESTAMP, ?, unnest(?::DOUBLE[]), unnest(?::VARCHAR[]),
               unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::TIMESTAMP[])
        """,
        [
            [listing.listing_id for listing in listings], database.to_db_time(now), run_id,
            [listing.price for listing in listings], [listing.currency for listing in listings],
            [str(listing.status) for listing in listings], [listing.title for listing in listings],
            [_iso_to_db_time(listing.edited_at) for listing in listings],
        ],
    )


def _columns(listings: list[Listing]) -> list[list[Any]]:
    """Turn rows into one Python list per column, the shape DuckDB unnests in one statement."""
    columns: list[list[Any]] = []
    for name, kind in _LISTING_COLUMNS:
        values = [getattr(listing, name) for listing in listings]
        if kind == "TIMESTAMP":
            values = [_iso_to_db_time(value) for value in values]
        elif name == "status":
            values = [str(value) for value in values]
        columns.append(values)
    return columns


def _listing_from_row(row: tuple[Any, ...]) -> Listing:
    values = dict(zip((name for name, _ in _LISTING_COLUMNS), row, strict=True))
    for name in ("listed_at", "edited_at"):
        stamp = values[name]
        values[name] = database.from_db_time(stamp).isoformat() if stamp is not None else None
    values["status"] = ListingStatus(values["status"])
    return Listing(**values)


def _iso_to_db_time(value: str | None) -> str | None:
    return None if value is None else database.to_db_time(datetime.fromisoformat(value))
