"""Drain due outbox rows through their channels, recording every outcome in the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from audiowatch.notify.base import Channel, DeliveryFailure, Message, PermanentFailure, TemporaryFailure
from audiowatch.store import database, outbox

if TYPE_CHECKING:
    import duckdb

log = structlog.get_logger(__name__)

_FIRST_RETRY = timedelta(minutes=1)
_LONGEST_RETRY = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def deliver_due(database_path: Path, channels: Mapping[str, Channel], now: datetime) -> DeliveryReport:
    """Send every due notification through its channel and record the outcome row by row.

    The database is open only to claim the due rows and to record each outcome, never while
    a channel talks to its service, so readers are not locked out by a slow webhook. A row is
    marked sent only after the channel confirmed it: a crash in between can at worst repeat
    one message, never lose one.
    """
    with database.session(database_path) as connection:
        due = outbox.claim_due(connection, list(channels), now)
    sent = deferred = failed = 0
    for row in due:
        outcome = _send(channels[row.channel], row)
        with database.session(database_path) as connection:
            _record(connection, row, outcome, now)
        sent += outcome is None
        failed += isinstance(outcome, PermanentFailure)
        deferred += outcome is not None and not isinstance(outcome, PermanentFailure)
    return DeliveryReport(sent, deferred, failed)


def _send(channel: Channel, row: outbox.OutboxRow) -> DeliveryFailure | None:
    """Send one row; return None on confirmed delivery, else the failure."""
    try:
        channel.send(Message.from_json(row.payload))
    except DeliveryFailure as failure:
        return failure
    except Exception as error:  # noqa: BLE001 - one broken channel must not stop the others
        return TemporaryFailure(f"{type(error).__name__}: {error}")
    return None


def _record(
    connection: duckdb.DuckDBPyConnection, row: outbox.OutboxRow, outcome: DeliveryFailure | None, now: datetime
) -> None:
    fields = {"channel": row.channel, "event_key": row.event_key}
    if outcome is None:
        outbox.mark_sent(connection, row.row_id, now)
        log.info("notification_sent", **fields)
    elif isinstance(outcome, PermanentFailure):
        outbox.mark_failed(connection, row.row_id, outcome.reason)
        log.error("notification_failed", reason=outcome.reason, **fields)
    else:
        retry_after = outcome.retry_after if isinstance(outcome, TemporaryFailure) else None
        delay = retry_delay(row.attempts, retry_after)
        outbox.mark_retry(connection, row.row_id, outcome.reason, now + delay)
        log.warning("notification_deferred", reason=outcome.reason,
                    retry_in_seconds=delay.total_seconds(), **fields)


def retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential back-off from one minute up to six hours; a service's Retry-After wins if longer."""
    delay: timedelta = min(_FIRST_RETRY * 2 ** min(attempts, 16), _LONGEST_RETRY)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
