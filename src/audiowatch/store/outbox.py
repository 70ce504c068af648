"""The notifications outbox: one row per (event, channel); sent only once a channel confirms."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Pending:
    """A notification to queue: what to send (a JSON-able payload) and where."""

    event_key: str
    event_kind: str
    listing_id: int | None  # None for ops alerts
    channel: str
    rules: tuple[str, ...]
    payload: dict[str, Any]
    urgent: bool = False  # goes out even during quiet hours


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued notification as stored."""

    row_id: int
    event_key: str
    channel: str
    attempts: int
    payload: dict[str, Any]
    created_at: datetime | None = None  # aware UTC
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class ExpiredRow:
    """A notification given up because it stayed undelivered too long."""

    event_key: str
    channel: str
    attempts: int
    last_error: str


def enqueue(connection: duckdb.DuckDBPyConnection, items: Sequence[Pending], now: datetime) -> int:
    """Queue ``items`` in one statement; an (event, channel) already queued is left alone.

    Return how many rows were new.
    """
    if not items:
        return 0
    stamp = database.to_db_time(now)
    rows = connection.execute(
        """
        INSERT INTO outbox (event_key, event_kind, listing_id, channel, rules, payload, urgent, status,
                            created_at, next_attempt_at)
        SELECT *, ?, ?::TIMESTAMP, ?::TIMESTAMP FROM (SELECT
            unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]),
            unnest(?::VARCHAR[][]), unnest(?::VARCHAR[]), unnest(?::BOOLEAN[]))
        ON CONFLICT (event_key, channel) DO NOTHING
        RETURNING id
        """,
        [
            DeliveryStatus.PENDING.value, stamp, stamp,
            [item.event_key for item in items], [item.event_kind for item in items],
            [item.listing_id for item in items], [item.channel for item in items],
            [list(item.rules) for item in items],
            [json.dumps(item.payload, ensure_ascii=False) for item in items],
            [item.urgent for item in items],
        ],
    ).fetchall()
    return len(rows)


def claim_due(
    connection: duckdb.DuckDBPyConnection, channels: Sequence[str], now: datetime
) -> list[OutboxRow]:
    """Return the pending rows for these channels that may go now, oldest first.

    Per channel, rows are taken in order up to the first whose retry is not yet due: a row
    waiting out a back-off holds back the newer ones, so each channel delivers in order.
    """
    if not channels:
        return []
    rows = connection.execute(
        """
        SELECT id, event_key, channel, attempts, payload, created_at, urgent FROM (
            SELECT *, bool_or(next_attempt_at > ?::TIMESTAMP) OVER (
                PARTITION BY channel ORDER BY created_at, id ROWS UNBOUNDED PRECEDING) AS held_back
            FROM outbox
            WHERE status = ? AND channel IN (SELECT unnest(?::VARCHAR[]))
        ) WHERE NOT held_back
        ORDER BY created_at, id
        """,
        [database.to_db_time(now), DeliveryStatus.PENDING.value, list(channels)],
    ).fetchall()
    return [
        OutboxRow(row[0], row[1], row[2], row[3], json.loads(row[4]), database.from_db_time(row[5]), row[6])
        for row in rows
    ]


def expire(
    connection: duckdb.DuckDBPyConnection, created_before: datetime, reason: str
) -> list[ExpiredRow]:
    """Mark every pending row queued before ``created_before`` failed; return them.

    ``reason`` is put in front of each row's last error, so the cause is kept.
    """
    rows = connection.execute(
        """
        UPDATE outbox SET status = ?, last_error = ? || coalesce(last_error, 'never attempted')
        WHERE status = ? AND created_at < ?::TIMESTAMP
        RETURNING event_key, channel, attempts, last_error
        """,
        [DeliveryStatus.FAILED.value, reason, DeliveryStatus.PENDING.value, database.to_db_time(created_before)],
    ).fetchall()
    return [ExpiredRow(row[0], row[1], row[2], row[3]) for row in rows]


def mark_sent(connection: duckdb.DuckDBPyConnection, row_id: int, now: datetime) -> None:
    connection.execute(
        "UPDATE outbox SET status = ?, sent_at = ?::TIMESTAMP, attempts = attempts + 1, "
        "last_error = NULL WHERE id = ?",
        [DeliveryStatus.SENT.value, database.to_db_time(now), row_id],
    )


def mark_retry(
    connection: duckdb.DuckDBPyConnection, row_id: int, error: str, next_attempt_at: datetime
) -> None:
    connection.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?::TIMESTAMP "
        "WHERE id = ?",
        [error, database.to_db_time(next_attempt_at), row_id],
    )


def mark_failed(connection: duckdb.DuckDBPyConnection, row_id: int, error: str) -> None:
    connection.execute(
        "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
        [DeliveryStatus.FAILED.value, error, row_id],
    )


def count_pending(connection: duckdb.DuckDBPyConnection, channel: str) -> int:
    row = connection.execute(
        "SELECT count(*) FROM outbox WHERE status = ? AND channel = ?", [DeliveryStatus.PENDING.value, channel]
    ).fetchone()
    return int(row[0]) if row else 0


def count_by_status(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return how many rows are pending, sent and failed."""
    rows = connection.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
    counts = {status.value: 0 for status in DeliveryStatus}
    counts.update({status: int(count) for status, count in rows})
    return counts
