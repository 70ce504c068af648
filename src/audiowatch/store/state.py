"""The state table: small named values that outlive a tick (last run, last success)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb

LAST_RUN = "last_run_at"
LAST_SUCCESS = "last_success_at"


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
