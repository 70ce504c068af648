"""Upsert throughput: AudioWatch's one set-based statement beside row-by-row executemany.

The set-based figure includes everything a tick does (reading the stored rows to detect
changes, the upsert, the history rows); the baseline only upserts.

Run: .venv/bin/python benchmarks/upsert.py [ROWS]
Both write the same listings into fresh on-disk DuckDB files, first as inserts, then again
with every price changed (every row conflicting), in the same process.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from audiowatch.listing import Listing
from audiowatch.store import database, listings

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
COLUMNS = [field.name for field in dataclasses.fields(Listing)]


def sample(count: int, price: float) -> list[Listing]:
    return [
        Listing(listing_id=100000 + number, url=f"https://www.head-fi.org/classifieds/item.{100000 + number}/",
                title=f"Sennheiser HD 800 S #{number}", listing_type="For Sale", price=price + number,
                currency="USD", seller="jay.doe", seller_feedback=12, listed_at="2026-11-27T10:00:00+00:00",
                category="full-size")
        for number in range(count)
    ]


def set_based(connection: duckdb.DuckDBPyConnection, rows: Sequence[Listing]) -> None:
    with database.transaction(connection):
        listings.upsert_listings(connection, rows, NOW, "bench")


def row_by_row(connection: duckdb.DuckDBPyConnection, rows: Sequence[Listing]) -> None:
    # The shape the reference notes warn against: one parameterised statement per row.
    placeholders = ", ".join("?" for _ in COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS if name != "listing_id")
    stamp = NOW.replace(tzinfo=None)
    values = [
        [*(str(getattr(row, name)) if name == "status" else getattr(row, name) for name in COLUMNS),
         stamp, stamp, stamp]
        for row in rows
    ]
    with database.transaction(connection):
        connection.executemany(
            f"INSERT INTO listings ({', '.join(COLUMNS)}, first_seen_at, last_seen_at, last_changed_at) "
            f"VALUES ({placeholders}, ?, ?, ?) ON CONFLICT (listing_id) DO UPDATE SET {updates}",
            values,
        )


def timed(write: Callable[[duckdb.DuckDBPyConnection, Sequence[Listing]], None], count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        connection = database.connect(Path(folder) / "bench.db")
        started = time.perf_counter()
        write(connection, sample(count, 500.0))
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        write(connection, sample(count, 400.0))
        updated = time.perf_counter() - started
        connection.close()
    return inserted, updated


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(f"upsert of {count} listings into an on-disk DuckDB file (duckdb {duckdb.__version__})")
    print(f"{'method':<34}{'insert':>12}{'update all':>14}")
    for name, write in (("set-based (AudioWatch)", set_based), ("row-by-row executemany (baseline)", row_by_row)):
        inserted, updated = timed(write, count)
        print(f"{name:<34}{inserted * 1000:>10.0f} ms{updated * 1000:>12.0f} ms")


if __name__ == "__main__":
    main()
