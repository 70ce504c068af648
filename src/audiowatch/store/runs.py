"""The scrape_logs table: one row per tick that held the lock, whatever happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb


class Outcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    DRY_RUN = "dry_run"
    FAILED = "failed"
    BLOCKED = "blocked"  # the site answered with a block; a back-off deadline was set
    BACKING_OFF = "backing_off"  # skipped: a back-off deadline has not passed, no request was made
    INTERRUPTED = "interrupted"  # a stop signal arrived and the tick cleaned up
    ABANDONED = "abandoned"  # the process vanished mid-tick (SIGKILL, power loss); found by the next tick


@dataclass(frozen=True, slots=True)
class RunDetails:
    """How a tick scraped: which fetcher served, how deep it paged, what share of fields parsed."""

    fetcher: str | None = None
    paging: str | None = None
    field_rates: Mapping[str, float] | None = None


@dataclass(slots=True)
class RunCounts:
    """What a tick did, filled in stage by stage (mutable on purpose: it is the tick's tally)."""

    pages: int = 0
    requests: int = 0
    listings_seen: int = 0
    skipped_cards: int = 0
    new_listings: int = 0
    changed_listings: int = 0
    matches: int = 0
    notifications: int = 0


def start_run(
    connection: duckdb.DuckDBPyConnection, run_id: str, started_at: datetime, seeding: bool
) -> None:
    """Record that a tick started, so even a crash leaves a trace (outcome stays ``running``)."""
    connection.execute(
        "INSERT INTO scrape_logs (run_id, started_at, outcome, seeding) VALUES (?, ?::TIMESTAMP, ?, ?)",
        [run_id, database.to_db_time(started_at), Outcome.RUNNING.value, seeding],
    )


def finish_run(
    connection: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    finished_at: datetime,
    outcome: Outcome,
    counts: RunCounts,
    exit_code: int,
    error: str | None = None,
    details: RunDetails = RunDetails(),
) -> None:
    """Fill in how the tick ended."""
    names = [field.name for field in fields(counts)]
    assignments = ", ".join(f"{name} = ?" for name in names)
    rates = details.field_rates or {}
    connection.execute(
        f"""UPDATE scrape_logs SET finished_at = ?::TIMESTAMP, outcome = ?, exit_code = ?, error = ?,
            fetcher = ?, paging = ?,
            field_rates = CASE WHEN ? THEN map(?::VARCHAR[], ?::DOUBLE[]) END,
            {assignments} WHERE run_id = ?""",
        [database.to_db_time(finished_at), outcome.value, exit_code, error, details.fetcher, details.paging,
         bool(rates), list(rates), list(rates.values()),
         *(getattr(counts, name) for name in names), run_id],
    )


def close_abandoned(connection: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still ``running`` as abandoned; return how many.

    Call it only while holding the tick lock: then no other tick is running, so such a row was
    left by a tick that died without writing its end (SIGKILL, a crash, a power cut).
    """
    rows = connection.execute(
        "UPDATE scrape_logs SET outcome = ?, error = ? WHERE outcome = ? RETURNING run_id",
        [Outcome.ABANDONED.value, ABANDONED_ERROR, Outcome.RUNNING.value],
    ).fetchall()
    return len(rows)


ABANDONED_ERROR = "the tick ended without recording how (killed by SIGKILL, a crash or a power loss)"


def recent_field_rates(connection: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, float]]:
    """Return the field rates of the latest successful runs that parsed listings, newest first."""
    rows = connection.execute(
        """SELECT field_rates FROM scrape_logs WHERE outcome = ? AND field_rates IS NOT NULL
           ORDER BY started_at DESC LIMIT ?""",
        [Outcome.OK.value, limit],
    ).fetchall()
    return [dict(row[0]) for row in rows]



@dataclass(frozen=True, slots=True)
class RunSummary:
    """What the ticks since some moment did, for the daily heartbeat."""

    ok: int = 0
    failed: int = 0
    new_listings: int = 0
    matches: int = 0
    notifications: int = 0


def consecutive_failures(connection: duckdb.DuckDBPyConnection) -> int:
    """Return how many finished ticks failed since the last one that succeeded.

    Ticks still running (or killed, which stay ``running``), interrupted and dry runs neither
    count nor break the streak.
    """
    row = connection.execute(
        """
        SELECT count(*) FROM scrape_logs WHERE outcome = ? AND started_at >
            coalesce((SELECT max(started_at) FROM scrape_logs WHERE outcome = ?), '-infinity'::TIMESTAMP)
        """,
        [Outcome.FAILED.value, Outcome.OK.value],
    ).fetchone()
    return int(row[0]) if row else 0


def summarize_since(connection: duckdb.DuckDBPyConnection, since: datetime) -> RunSummary:
    """Return the totals of the ticks that started at or after ``since``."""
    row = connection.execute(
        """
        SELECT count(*) FILTER (WHERE outcome = ?), count(*) FILTER (WHERE outcome = ?),
               coalesce(sum(new_listings), 0), coalesce(sum(matches), 0), coalesce(sum(notifications), 0)
        FROM scrape_logs WHERE started_at >= ?::TIMESTAMP
        """,
        [Outcome.OK.value, Outcome.FAILED.value, database.to_db_time(since)],
    ).fetchone()
    return RunSummary(*(int(value) for value in row)) if row else RunSummary()
