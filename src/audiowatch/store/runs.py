"""The scrape_logs table: one row per tick that held the lock, whatever happened."""

from __future__ import annotations

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
    INTERRUPTED = "interrupted"  # a stop signal arrived and the tick cleaned up
    ABANDONED = "abandoned"  # the process vanished mid-tick (SIGKILL, power loss); found by the next tick


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
) -> None:
    """Fill in how the tick ended."""
    names = [field.name for field in fields(counts)]
    assignments = ", ".join(f"{name} = ?" for name in names)
    connection.execute(
        f"""UPDATE scrape_logs SET finished_at = ?::TIMESTAMP, outcome = ?, exit_code = ?, error = ?,
            {assignments} WHERE run_id = ?""",
        [database.to_db_time(finished_at), outcome.value, exit_code, error,
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


def recent_runs(connection: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, object]]:
    """Return the latest run records, newest first, as column -> value."""
    cursor = connection.execute("SELECT * FROM scrape_logs ORDER BY started_at DESC LIMIT ?", [limit])
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]



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
