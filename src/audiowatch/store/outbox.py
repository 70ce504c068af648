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
    listing_id: int
    channel: str
    rules: tuple[str, ...]
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued notification as stored."""

    row_id: int
    event_key: str
    channel: str
    attempts: int
    payload: dict[str, Any]


def enqueue(connection: duckdb.DuckDBPyConnection, items: Sequence[Pending], now: datetime) -> int:
    """Queue ``items`` in one statement; an (event, channel) already queued is left alone.

    Return how many rows were new.
    """
    if not items:
        return 0
    stamp = database.to_db_time(now)
    rows = connection.execute(
        """
        INSERT INTO outbox (event_key, event_kind, listing_id, channel, rules, payload, status,
                            created_at, next_attempt_at)
        SELECT *, ?, ?::TIMESTAMP, ?::TIMESTAMP FROM (SELECT
            unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]),
            unnest(?::VARCHAR[][]), unnest(?::VARCHAR[]))
        ON CONFLICT (event_key, channel) DO NOTHING
        RETURNING id
        """,
        [
            DeliveryStatus.PENDING.value, stamp, stamp,
            [item.event_key for item in items], [item.event_kind for item in items],
            [item.listing_id for item in items], [item.channel for item in items],
            [list(item.rules) for item in items],
            [json.dumps(item.payload, ensure_ascii=False) for item in items],
        ],
    ).fetchall()
    return len(rows)


def claim_due(
    connection: duckdb.DuckDBPyConnection, channels: Sequence[str], now: datetime
) -> list[OutboxRow]:
    """Return the pending rows for these channels whose next attempt is due, oldest first."""
    if not channels:
        return []
    rows = connection.execute(
        """
        SELECT id, event_key, channel, attempts, payload FROM outbox
        WHERE status = ? AND next_attempt_at <= ?::TIMESTAMP
          AND channel IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY created_at, id
        """,
        [DeliveryStatus.PENDING.value, database.to_db_time(now), list(channels)],
    ).fetchall()
    return [OutboxRow(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]


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


def count_by_status(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return how many rows are pending, sent and failed."""
    rows = connection.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
    counts = {status.value: 0 for status in DeliveryStatus}
    counts.update({status: int(count) for status, count in rows})
    return counts
