"""Drain due outbox rows through their channels, recording every outcome in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from audiowatch.errors import Interrupted
from audiowatch.notify import quiet_hours
from audiowatch.notify.base import (
    Channel,
    ChannelRefused,
    DeliveryFailure,
    Message,
    PermanentFailure,
    TemporaryFailure,
)
from audiowatch.store import database, outbox

if TYPE_CHECKING:
    import duckdb

    from audiowatch.config.model import NotificationSettings

log = structlog.get_logger(__name__)

_FIRST_RETRY = timedelta(minutes=1)
_LONGEST_RETRY = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """When and how channels deliver: the quiet hours and which channels send digests."""

    quiet_start: time | None = None
    quiet_end: time | None = None
    where: tzinfo | None = None  # the user's time zone; None: this machine's
    digest_channels: frozenset[str] = frozenset()

    def is_quiet(self, moment: datetime) -> bool:
        if self.quiet_start is None or self.quiet_end is None:
            return False
        return quiet_hours.is_quiet(moment, self.quiet_start, self.quiet_end, self.where)


def policy_for(settings: NotificationSettings) -> DeliveryPolicy:
    window = settings.quiet_hours
    return DeliveryPolicy(
        quiet_start=window.start if window else None,
        quiet_end=window.end if window else None,
        where=quiet_hours.zone(settings.timezone),
        digest_channels=frozenset(channel.name for channel in settings.channels if channel.digest),
    )


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0  # confirmed by the service
    deferred: int = 0  # still pending after a failure, or not tried after one on the same channel
    failed: int = 0  # rejected for good
    held: int = 0  # waiting for the quiet hours to end
    expired: int = 0  # given up: undelivered for longer than notifications.max_age_hours
    refused: tuple[tuple[str, str], ...] = ()  # (channel, reason): the service refused the settings


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    held: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)

    def report(self) -> DeliveryReport:
        return DeliveryReport(self.sent, self.deferred, self.failed, self.held, 0, tuple(self.refused))


def deliver_due(
    database_path: Path, channels: Mapping[str, Channel], now: datetime, policy: DeliveryPolicy = DeliveryPolicy()
) -> DeliveryReport:
    """Send every due notification through its channel and record the outcome as it happens.

    The database is open only to claim the due rows and to record each outcome, never while
    a channel talks to its service, so readers are not locked out by a slow webhook. A row is
    marked sent only after the channel confirmed it: a crash in between can at worst repeat
    the one message in flight, never lose one. A channel that fails is left alone for the
    rest of the tick, so a dead service costs one timeout, not one per message.
    """
    with database.session(database_path) as connection:
        due = outbox.claim_due(connection, list(channels), now)
    tally = _Tally()
    for name in channels:
        rows = [row for row in due if row.channel == name]
        if rows:
            _deliver_channel(database_path, channels[name], rows, now, policy, tally)
    return tally.report()


def plan_batches(
    rows: Sequence[outbox.OutboxRow], *, digest: bool, quiet_now: bool, arrived_quiet: Callable[[datetime], bool]
) -> tuple[list[list[outbox.OutboxRow]], list[outbox.OutboxRow]]:
    """Group one channel's due rows into what is sent together, and return what quiet hours hold.

    During quiet hours only urgent rows go. A digest channel sends everything due as one
    digest; any other channel sends one message per row, except that the rows which arrived
    during the quiet hours are released together as one digest, placed where the first was.
    """
    held = [row for row in rows if quiet_now and not row.urgent]
    sendable = [row for row in rows if not (quiet_now and not row.urgent)]
    if digest:
        return ([sendable] if sendable else []), held
    batches: list[list[outbox.OutboxRow]] = []
    night: list[outbox.OutboxRow] = []
    for row in sendable:
        if not row.urgent and row.created_at is not None and arrived_quiet(row.created_at):
            if not night:
                batches.append(night)
            night.append(row)
        else:
            batches.append([row])
    return batches, held


def _deliver_channel(
    database_path: Path, channel: Channel, rows: list[outbox.OutboxRow], now: datetime,
    policy: DeliveryPolicy, tally: _Tally,
) -> None:
    batches, held = plan_batches(rows, digest=channel.name in policy.digest_channels,
                                 quiet_now=policy.is_quiet(now), arrived_quiet=policy.is_quiet)
    tally.held += len(held)
    parts = [part for batch in batches for part in _split(channel, batch)]
    for index, part in enumerate(parts):
        outcome = _send(channel, part)
        # One transaction per request: a digest is marked sent as a whole, or not at all.
        with database.session(database_path) as connection, database.transaction(connection):
            _record(connection, channel.name, part, outcome, now)
        if outcome is None:
            tally.sent += len(part)
        elif isinstance(outcome, PermanentFailure):
            tally.failed += len(part)
        else:
            # The service is down, limiting us or refusing us: leave the rest for a later tick.
            tally.deferred += sum(len(later) for later in parts[index:])
            if isinstance(outcome, ChannelRefused):
                tally.refused.append((channel.name, outcome.reason))
            return


def _split(channel: Channel, batch: list[outbox.OutboxRow]) -> list[list[outbox.OutboxRow]]:
    """Cut a batch into the parts the channel sends in one request each, keeping row order."""
    if len(batch) == 1:
        return [batch]
    parts: list[list[outbox.OutboxRow]] = []
    start = 0
    for messages in channel.split_digest([Message.from_json(row.payload) for row in batch]):
        parts.append(batch[start:start + len(messages)])
        start += len(messages)
    return parts


def _send(channel: Channel, rows: list[outbox.OutboxRow]) -> DeliveryFailure | None:
    """Send one row, or several as one digest; return None on confirmed delivery, else the failure."""
    try:
        messages = [Message.from_json(row.payload) for row in rows]
        if len(messages) == 1:
            channel.send(messages[0])
        else:
            channel.send_digest(messages)
    except DeliveryFailure as failure:
        return failure
    except Interrupted:
        raise  # a stop signal ends the tick; the row stays pending for the next one
    except Exception as error:  # noqa: BLE001 - one broken channel must not stop the others
        return TemporaryFailure(f"{type(error).__name__}: {error}")
    return None


def _record(
    connection: duckdb.DuckDBPyConnection, channel: str, rows: list[outbox.OutboxRow],
    outcome: DeliveryFailure | None, now: datetime,
) -> None:
    for row in rows:
        fields = {"channel": channel, "event_key": row.event_key, "digest_of": len(rows)}
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
            level = log.error if isinstance(outcome, ChannelRefused) else log.warning
            level("notification_deferred", reason=outcome.reason, retry_in_seconds=delay.total_seconds(), **fields)


def retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential back-off from one minute up to six hours; a service's Retry-After wins if longer."""
    delay: timedelta = min(_FIRST_RETRY * 2 ** min(attempts, 16), _LONGEST_RETRY)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
