"""The rules_seen table: when each watch rule (by name and expression) was first seen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from audiowatch.store import database

if TYPE_CHECKING:
    import duckdb


def register(
    connection: duckdb.DuckDBPyConnection, rules: Sequence[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], datetime]:
    """Remember ``now`` for every (name, expression) not seen before; return when each was first seen.

    Editing a rule's expression makes it a new rule, so it too starts from now.
    """
    if not rules:
        return {}
    names = [name for name, _ in rules]
    expressions = [expression for _, expression in rules]
    connection.execute(
        """
        INSERT INTO rules_seen SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?::TIMESTAMP
        ON CONFLICT (name, expression) DO NOTHING
        """,
        [names, expressions, database.to_db_time(now)],
    )
    found = connection.execute(
        """
        SELECT name, expression, first_seen_at FROM rules_seen
        WHERE (name, expression) IN (SELECT (unnest(?::VARCHAR[]), unnest(?::VARCHAR[])))
        """,
        [names, expressions],
    ).fetchall()
    return {(name, expression): database.from_db_time(seen) for name, expression, seen in found}
