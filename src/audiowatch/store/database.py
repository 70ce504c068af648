"""Open the DuckDB file, create and migrate the schema, and run short write transactions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from audiowatch.errors import DatabaseBusy

if TYPE_CHECKING:
    import duckdb

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE listings (
        listing_id      BIGINT PRIMARY KEY,
        url             VARCHAR NOT NULL,
        title           VARCHAR NOT NULL,
        listing_type    VARCHAR,
        price           DOUBLE,
        currency        VARCHAR,
        condition       VARCHAR,
        negotiability   VARCHAR,
        ships_to        VARCHAR,
        seller          VARCHAR,
        seller_feedback INTEGER,
        listed_at       TIMESTAMP,          -- UTC
        edited_at       TIMESTAMP,          -- UTC
        status          VARCHAR NOT NULL,
        thumbnail_url   VARCHAR,
        category        VARCHAR,
        first_seen_at   TIMESTAMP NOT NULL, -- UTC, when AudioWatch first stored it
        last_seen_at    TIMESTAMP NOT NULL,
        last_changed_at TIMESTAMP NOT NULL
    );
    -- One row each time a listing is first seen or its price, status, title or edit time changes.
    CREATE TABLE listing_history (
        listing_id  BIGINT NOT NULL,
        observed_at TIMESTAMP NOT NULL,
        run_id      VARCHAR NOT NULL,
        price       DOUBLE,
        currency    VARCHAR,
        status      VARCHAR NOT NULL,
        title       VARCHAR NOT NULL,
        edited_at   TIMESTAMP
    );
    -- One row per tick that got the lock, written whatever happened.
    CREATE TABLE scrape_logs (
        run_id           VARCHAR PRIMARY KEY,
        started_at       TIMESTAMP NOT NULL,
        finished_at      TIMESTAMP,
        outcome          VARCHAR NOT NULL,  -- running | ok | dry_run | failed | interrupted
        seeding          BOOLEAN NOT NULL,
        pages            INTEGER NOT NULL DEFAULT 0,
        requests         INTEGER NOT NULL DEFAULT 0,
        listings_seen    INTEGER NOT NULL DEFAULT 0,
        skipped_cards    INTEGER NOT NULL DEFAULT 0,
        new_listings     INTEGER NOT NULL DEFAULT 0,
        changed_listings INTEGER NOT NULL DEFAULT 0,
        matches          INTEGER NOT NULL DEFAULT 0,
        notifications    INTEGER NOT NULL DEFAULT 0,  -- delivered by this tick
        exit_code        INTEGER,
        error            VARCHAR
    );
    CREATE TABLE state (
        key        VARCHAR PRIMARY KEY,
        value      VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE outbox_ids;
    CREATE TABLE outbox (
        id              BIGINT PRIMARY KEY DEFAULT nextval('outbox_ids'),
        event_key       VARCHAR NOT NULL,   -- e.g. new:123456, price_drop:123456:899.0
        event_kind      VARCHAR NOT NULL,
        listing_id      BIGINT NOT NULL,
        channel         VARCHAR NOT NULL,
        rules           VARCHAR[] NOT NULL,
        payload         VARCHAR NOT NULL,   -- JSON: the event and listing as matched
        status          VARCHAR NOT NULL,   -- pending | sent | failed
        attempts        INTEGER NOT NULL DEFAULT 0,
        created_at      TIMESTAMP NOT NULL,
        next_attempt_at TIMESTAMP NOT NULL,
        sent_at         TIMESTAMP,
        last_error      VARCHAR,
        UNIQUE (event_key, channel)         -- one event is never queued twice for a channel
    );
    """,
    """
    -- Ops alerts and digests are about AudioWatch itself, not one listing.
    ALTER TABLE outbox ALTER COLUMN listing_id DROP NOT NULL;
    -- Matched an urgent rule: delivered even during quiet hours.
    ALTER TABLE outbox ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT false;
    -- When each watch rule (by name and expression) was first seen: a rule fires only for
    -- listings first seen after it existed, so a new rule does not flood the user.
    CREATE TABLE rules_seen (
        name          VARCHAR NOT NULL,
        expression    VARCHAR NOT NULL,
        first_seen_at TIMESTAMP NOT NULL,   -- UTC
        PRIMARY KEY (name, expression)
    );
    """,
    """
    -- Per run: the share of parsed listings on which each field was read (a drop means a layout
    -- change), which fetcher did the work, and how deep it paged.
    ALTER TABLE scrape_logs ADD COLUMN field_rates MAP(VARCHAR, DOUBLE);
    ALTER TABLE scrape_logs ADD COLUMN fetcher VARCHAR;  -- http | browser | auto (http) | auto (browser)
    ALTER TABLE scrape_logs ADD COLUMN paging VARCHAR;   -- seeding | scheduled | catch_up
    """,
)

# A writer waits out short-lived readers (status, the duckdb CLI); a reader waits out a write.
WRITER_WAIT_SECONDS = 15.0
READER_WAIT_SECONDS = 5.0
_PAUSE_SECONDS = 0.2


def connect(path: Path, *, read_only: bool = False, wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating the folder and file if needed) and migrate the database at ``path``.

    DuckDB lets one process write a file at a time, and a reader blocks a writer too
    (reference §9), so keep connections short and retry while another process holds the file.
    Raise DatabaseBusy (exit 75) when it is still held after ``wait_seconds``.
    """
    import duckdb

    if wait_seconds is None:
        wait_seconds = READER_WAIT_SECONDS if read_only else WRITER_WAIT_SECONDS
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(path, _lock_holder(str(error)), reading=read_only) from None
            time.sleep(_PAUSE_SECONDS)
    if not read_only:
        migrate(connection)
    return connection


@contextmanager
def session(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for the block only, so other processes can use it in between."""
    connection = connect(path, read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def migrate(connection: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations this file has not seen yet; return the schema version."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    current = (row[0] if row else None) or 0
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        with transaction(connection):
            connection.execute(script)
            connection.execute("INSERT INTO schema_version VALUES (?)", [version])
    return len(MIGRATIONS)


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[None]:
    """Run the block in one transaction: commit on success, roll back on any exception.

    ``commit=False`` rolls back even on success: a dry run sees its own writes, then undoes them.
    """
    connection.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT" if commit else "ROLLBACK")


def _lock_holder(message: str) -> str:
    # DuckDB says "Conflicting lock is held in /usr/bin/python3 (PID 123)"; keep that part.
    marker = "Conflicting lock is held in "
    if marker in message:
        return "held by " + message.split(marker, 1)[1].split(". See", 1)[0]
    return message.splitlines()[0]


def to_db_time(moment: datetime) -> str:
    """Timestamps are stored as naive UTC, so the DuckDB CLI shows the same values everywhere."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def from_db_time(stored: datetime) -> datetime:
    """Return a stored (naive UTC) timestamp as an aware UTC datetime."""
    return stored.replace(tzinfo=UTC)
