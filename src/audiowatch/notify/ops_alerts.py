"""Before delivery: give up notifications too old to matter, and queue the ops alerts a tick calls for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from audiowatch.notify import ops, quiet_hours
from audiowatch.notify.base import Message
from audiowatch.store import outbox, runs, state

if TYPE_CHECKING:
    import duckdb

    from audiowatch.config.model import NotificationSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Upkeep:
    expired: tuple[outbox.ExpiredRow, ...] = ()
    alerts: tuple[Message, ...] = ()


def queue_alerts(
    connection: duckdb.DuckDBPyConnection, settings: NotificationSettings, outcome: ops.TickOutcome, now: datetime
) -> Upkeep:
    """Expire stale notifications, decide this tick's ops alerts, log them and queue them.

    Alerts go to ``ops.channel`` through the outbox like any notification (so they are retried
    and never sent twice); with no ops channel they are only logged. Call inside a transaction.
    """
    expired = _expire(connection, settings, now)
    where = quiet_hours.zone(settings.timezone)
    remembered = ops.OpsState.from_text(state.read(connection, ops.STATE_KEY))
    assessment = ops.assess(outcome, runs.consecutive_failures(connection), remembered,
                            settings.ops.failed_ticks, now, where)
    alerts = list(assessment.alerts)
    new_state = assessment.state
    if settings.ops.heartbeat is not None:
        counts = outbox.count_by_status(connection)
        beat = ops.heartbeat(new_state, settings.ops.heartbeat, now, where,
                             runs.summarize_since(connection, now - timedelta(days=1)),
                             counts["pending"], counts["failed"])
        alerts.extend(beat.alerts)
        new_state = beat.state
    given_up = ops.expired_alert(expired, settings.max_age_hours, now)
    if given_up is not None:
        alerts.append(given_up)
    if new_state != remembered:
        state.write(connection, ops.STATE_KEY, new_state.to_text(), now)
    _log(alerts, settings.ops.channel)
    if settings.ops.channel is not None:
        outbox.enqueue(connection, [_pending(alert, settings.ops.channel) for alert in alerts], now)
    return Upkeep(tuple(expired), tuple(alerts))


def _expire(
    connection: duckdb.DuckDBPyConnection, settings: NotificationSettings, now: datetime
) -> list[outbox.ExpiredRow]:
    hours = settings.max_age_hours
    expired = outbox.expire(connection, now - timedelta(hours=hours),
                            f"not delivered within {hours:g} hours (notifications.max_age_hours); last error: ")
    for row in expired:
        log.error("notification_expired", channel=row.channel, event_key=row.event_key, attempts=row.attempts,
                  reason=row.last_error)
    return expired


def _log(alerts: list[Message], channel: str | None) -> None:
    for alert in alerts:
        level = log.info if alert.event_key.startswith(("ops:heartbeat:", "ops:recovered:")) else log.warning
        level("ops_alert", headline=alert.headline, detail=alert.body, channel=channel)


def _pending(alert: Message, channel: str) -> outbox.Pending:
    return outbox.Pending(alert.event_key, alert.event_kind, None, channel, (), alert.to_json())
