"""The outbox: queued once per (event, channel), sent only on confirmation, retried with back-off."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from audiowatch.notify.base import Message
from audiowatch.notify.deliver import deliver_due, retry_delay
from audiowatch.store import outbox
from tests.support.channels import PermanentFailure, RecordingChannel, TemporaryFailure
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def pending(listing_id: int = 1, channel: str = "recording") -> outbox.Pending:
    message = Message(f"new:{listing_id}", "new", "New: thing", make_listing(listing_id), ("r",))
    return outbox.Pending(message.event_key, "new", listing_id, channel, ("r",), message.to_json())


def test_enqueue_counts_new_rows(connection: duckdb.DuckDBPyConnection) -> None:
    assert outbox.enqueue(connection, [pending(1), pending(2)], NOW) == 2


def test_same_event_and_channel_is_queued_once(connection: duckdb.DuckDBPyConnection) -> None:
    outbox.enqueue(connection, [pending(1)], NOW)
    assert outbox.enqueue(connection, [pending(1)], NOW) == 0
    assert outbox.count_by_status(connection)["pending"] == 1


def test_same_event_on_two_channels_is_two_rows(connection: duckdb.DuckDBPyConnection) -> None:
    assert outbox.enqueue(connection, [pending(1, "a"), pending(1, "b")], NOW) == 2


def test_delivery_marks_sent_after_the_channel_confirms(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1)], NOW)
    channel = RecordingChannel()
    report = deliver_due(database_path, {"recording": channel}, NOW)
    assert (report.sent, [message.event_key for message in channel.sent]) == (1, ["new:1"])
    assert outbox.count_by_status(connection) == {"pending": 0, "sent": 1, "failed": 0}


def test_sent_notification_is_not_sent_again(connection: duckdb.DuckDBPyConnection, database_path: Path) -> None:
    outbox.enqueue(connection, [pending(1)], NOW)
    channel = RecordingChannel()
    deliver_due(database_path, {"recording": channel}, NOW)
    outbox.enqueue(connection, [pending(1)], NOW)
    deliver_due(database_path, {"recording": channel}, NOW + timedelta(hours=1))
    assert len(channel.sent) == 1


def test_temporary_failure_stays_pending_until_its_retry_time(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1)], NOW)
    channel = RecordingChannel(failures=[TemporaryFailure("HTTP 503")])
    assert deliver_due(database_path, {"recording": channel}, NOW).deferred == 1
    assert deliver_due(database_path, {"recording": channel}, NOW + timedelta(seconds=30)).sent == 0
    assert deliver_due(database_path, {"recording": channel}, NOW + timedelta(minutes=2)).sent == 1


def test_temporary_failure_records_the_reason(connection: duckdb.DuckDBPyConnection, database_path: Path) -> None:
    outbox.enqueue(connection, [pending(1)], NOW)
    deliver_due(database_path, {"recording": RecordingChannel(failures=[TemporaryFailure("HTTP 503")])}, NOW)
    row = connection.execute("SELECT status, attempts, last_error FROM outbox").fetchone()
    assert row == ("pending", 1, "HTTP 503")


def test_permanent_failure_is_marked_failed(connection: duckdb.DuckDBPyConnection, database_path: Path) -> None:
    outbox.enqueue(connection, [pending(1)], NOW)
    channel = RecordingChannel(failures=[PermanentFailure("HTTP 401")])
    assert deliver_due(database_path, {"recording": channel}, NOW).failed == 1
    assert outbox.count_by_status(connection)["failed"] == 1


def test_unexpected_channel_error_keeps_the_rows_pending(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1), pending(2)], NOW)
    channel = RecordingChannel(failures=[ValueError("bug")])
    report = deliver_due(database_path, {"recording": channel}, NOW)
    assert (report.deferred, report.sent) == (2, 0)
    assert outbox.count_by_status(connection)["pending"] == 2


def test_rows_for_unconfigured_channels_wait(connection: duckdb.DuckDBPyConnection, database_path: Path) -> None:
    outbox.enqueue(connection, [pending(1, "gone")], NOW)
    assert deliver_due(database_path, {"recording": RecordingChannel()}, NOW).sent == 0
    assert outbox.count_by_status(connection)["pending"] == 1


@pytest.mark.parametrize(
    ("attempts", "retry_after", "expected"),
    [(0, None, 60), (1, None, 120), (3, None, 480), (30, None, 6 * 3600), (0, 300.0, 300)],
    ids=["first", "second", "fourth", "capped", "retry-after-wins"],
)
def test_retry_delay_backs_off_exponentially(attempts: int, retry_after: float | None, expected: int) -> None:
    assert retry_delay(attempts, retry_after).total_seconds() == expected


def test_row_queued_before_market_context_existed_is_still_delivered(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    item = pending(1)
    older_payload = {key: value for key, value in item.payload.items() if key != "market"}
    outbox.enqueue(connection, [dataclasses.replace(item, payload=older_payload)], NOW)
    channel = RecordingChannel()
    deliver_due(database_path, {"recording": channel}, NOW)
    assert [(message.event_key, message.market) for message in channel.sent] == [("new:1", None)]
