"""The state table: small named values that outlive a tick (last run, last success, back-off)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from audiowatch.fetch.blocks import Backoff, BlockKind
from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb

LAST_RUN = "last_run_at"
LAST_SUCCESS = "last_success_at"
BACKOFF = "backoff"  # JSON: the block that set it and the deadline before which no request goes out
BROWSER_PREFERRED_UNTIL = "browser_preferred_until"  # `auto` starts with the browser until then


def read_time(connection: duckdb.DuckDBPyConnection, key: str) -> datetime | None:
    """Return the aware UTC time stored under ``key``, or None if never written."""
    row = connection.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def write_time(connection: duckdb.DuckDBPyConnection, key: str, value: datetime, now: datetime) -> None:
    """Store ``value`` (aware) under ``key``."""
    write(connection, key, value.astimezone(UTC).isoformat(), now)


def read(connection: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """Return the text stored under ``key``, or None if never written."""
    row = connection.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else None


def write(connection: duckdb.DuckDBPyConnection, key: str, value: str, now: datetime) -> None:
    connection.execute(
        """
        INSERT INTO state VALUES (?, ?, ?::TIMESTAMP)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """,
        [key, value, database.to_db_time(now)],
    )


def delete(connection: duckdb.DuckDBPyConnection, key: str) -> None:
    connection.execute("DELETE FROM state WHERE key = ?", [key])


def read_backoff(connection: duckdb.DuckDBPyConnection) -> Backoff | None:
    """Return the back-off in force or last in force (its deadline may have passed), or None."""
    row = connection.execute("SELECT value FROM state WHERE key = ?", [BACKOFF]).fetchone()
    if row is None:
        return None
    data = json.loads(row[0])
    times = {name: datetime.fromisoformat(data[name]) for name in ("since", "blocked_at", "deadline")}
    return Backoff(BlockKind(data["kind"]), data["url"], int(data["status"]), data["evidence"],
                   strikes=int(data["strikes"]), **times)


def write_backoff(connection: duckdb.DuckDBPyConnection, backoff: Backoff, now: datetime) -> None:
    """Store ``backoff`` as JSON, so the duckdb CLI shows it too (``value->>'deadline'``)."""
    data = {
        "kind": backoff.kind.value, "url": backoff.url, "status": backoff.status, "evidence": backoff.evidence,
        "strikes": backoff.strikes,
        **{name: getattr(backoff, name).astimezone(UTC).isoformat() for name in ("since", "blocked_at", "deadline")},
    }
    write(connection, BACKOFF, json.dumps(data), now)
