"""Read-only summaries of what the ticks did, for `status`: runs, outbox, listings, latency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from audiowatch.store import database, runs

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    seeding: bool
    pages: int
    new_listings: int
    matches: int
    notifications: int
    exit_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class OutboxSummary:
    pending: int
    sent: int
    failed: int
    failed_recently: int  # marked failed within the window asked for
    oldest_pending_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Latency:
    """Seconds at the 50th and 95th percentile; None when there were no samples."""

    samples: int
    p50_seconds: float | None
    p95_seconds: float | None


@dataclass(frozen=True, slots=True)
class LatencyReport:
    listed_to_seen: Latency  # the site showed it -> a tick stored it
    seen_to_delivered: Latency  # a tick stored it -> a channel confirmed the notification
    listed_to_delivered: Latency


def recent_runs(connection: duckdb.DuckDBPyConnection, limit: int) -> list[RunSummary]:
    """Return the latest runs, newest first."""
    rows = connection.execute(
        """SELECT run_id, started_at, finished_at, outcome, seeding, pages, new_listings, matches,
                  notifications, exit_code, error
           FROM scrape_logs ORDER BY started_at DESC LIMIT ?""",
        [limit],
    ).fetchall()
    return [
        RunSummary(row[0], database.from_db_time(row[1]),
                   database.from_db_time(row[2]) if row[2] is not None else None, *row[3:])
        for row in rows
    ]


def consecutive_failures(connection: duckdb.DuckDBPyConnection) -> int:
    """How many of the latest finished runs failed in a row (skipped and interrupted ones aside)."""
    rows = connection.execute(
        "SELECT outcome FROM scrape_logs WHERE outcome IN (?, ?) ORDER BY started_at DESC LIMIT 1000",
        [runs.Outcome.OK.value, runs.Outcome.FAILED.value],
    ).fetchall()
    count = 0
    for (outcome,) in rows:
        if outcome != runs.Outcome.FAILED.value:
            break
        count += 1
    return count


def outbox_summary(connection: duckdb.DuckDBPyConnection, since: datetime) -> OutboxSummary:
    row = connection.execute(
        """SELECT count(*) FILTER (WHERE status = 'pending'),
                  count(*) FILTER (WHERE status = 'sent'),
                  count(*) FILTER (WHERE status = 'failed'),
                  count(*) FILTER (WHERE status = 'failed' AND created_at >= ?::TIMESTAMP),
                  min(created_at) FILTER (WHERE status = 'pending'),
                  arg_max(last_error, created_at) FILTER (WHERE last_error IS NOT NULL AND status <> 'sent')
           FROM outbox""",
        [database.to_db_time(since)],
    ).fetchone()
    assert row is not None  # an aggregate always returns one row
    oldest = database.from_db_time(row[4]) if row[4] is not None else None
    return OutboxSummary(int(row[0]), int(row[1]), int(row[2]), int(row[3]), oldest, row[5])


def listing_counts(connection: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Return (listings stored, of which active)."""
    row = connection.execute("SELECT count(*), count(*) FILTER (WHERE status = 'active') FROM listings").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def alert_latency(connection: duckdb.DuckDBPyConnection, since: datetime) -> LatencyReport:
    """Percentiles of how long new matches took to reach the user, for those delivered since ``since``.

    Listed -> seen is bounded below by the poll interval and the site's own clock; seen ->
    delivered is AudioWatch's own delay (matching, outbox, channel retries).
    """
    row = connection.execute(
        """
        WITH delivered AS (
            SELECT epoch(l.first_seen_at) - epoch(l.listed_at) AS listed_to_seen,
                   epoch(min(o.sent_at)) - epoch(l.first_seen_at) AS seen_to_delivered,
                   epoch(min(o.sent_at)) - epoch(l.listed_at) AS listed_to_delivered
            FROM outbox o JOIN listings l USING (listing_id)
            WHERE o.event_kind = 'new' AND o.status = 'sent' AND o.sent_at >= ?::TIMESTAMP
            GROUP BY l.listing_id, l.first_seen_at, l.listed_at
        )
        SELECT count(listed_to_seen), quantile_cont(listed_to_seen, [0.5, 0.95]),
               count(seen_to_delivered), quantile_cont(seen_to_delivered, [0.5, 0.95]),
               count(listed_to_delivered), quantile_cont(listed_to_delivered, [0.5, 0.95])
        FROM delivered
        """,
        [database.to_db_time(since)],
    ).fetchone()
    assert row is not None
    return LatencyReport(_latency(row[0], row[1]), _latency(row[2], row[3]), _latency(row[4], row[5]))


def _latency(samples: int, quantiles: list[float] | None) -> Latency:
    if not samples or quantiles is None:
        return Latency(0, None, None)
    return Latency(int(samples), max(0.0, quantiles[0]), max(0.0, quantiles[1]))


DAY = timedelta(days=1)
WEEK = timedelta(days=7)
