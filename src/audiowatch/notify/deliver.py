"""Drain due outbox rows through their channels, recording every outcome in the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from audiowatch.notify.base import Channel, Message, PermanentFailure, TemporaryFailure
from audiowatch.store import outbox

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


def deliver_due(
    connection: duckdb.DuckDBPyConnection, channels: Mapping[str, Channel], now: datetime
) -> DeliveryReport:
    """Send every due notification through its channel and record the outcome row by row.

    A row is marked sent only after the channel confirmed it, so a crash in between can at
    worst repeat one message, never lose one.
    """
    sent = deferred = failed = 0
    for row in outbox.claim_due(connection, list(channels), now):
        channel = channels[row.channel]
        try:
            channel.send(Message.from_json(row.payload))
        except TemporaryFailure as failure:
            delay = retry_delay(row.attempts, failure.retry_after)
            outbox.mark_retry(connection, row.row_id, failure.reason, now + delay)
            log.warning("notification_deferred", channel=row.channel, event_key=row.event_key,
                        reason=failure.reason, retry_in_seconds=delay.total_seconds())
            deferred += 1
        except PermanentFailure as failure:
            outbox.mark_failed(connection, row.row_id, failure.reason)
            log.error("notification_failed", channel=row.channel, event_key=row.event_key,
                      reason=failure.reason)
            failed += 1
        except Exception as error:  # noqa: BLE001 - one broken channel must not stop the others
            reason = f"{type(error).__name__}: {error}"
            outbox.mark_retry(connection, row.row_id, reason, now + retry_delay(row.attempts, None))
            log.error("notification_error", channel=row.channel, event_key=row.event_key, reason=reason)
            deferred += 1
        else:
            outbox.mark_sent(connection, row.row_id, now)
            log.info("notification_sent", channel=row.channel, event_key=row.event_key)
            sent += 1
    return DeliveryReport(sent, deferred, failed)


def retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential back-off from one minute up to six hours; a service's Retry-After wins if longer."""
    delay: timedelta = min(_FIRST_RETRY * 2 ** min(attempts, 16), _LONGEST_RETRY)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
