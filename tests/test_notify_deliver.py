"""Delivery policy: quiet hours, urgent rules, digests, order behind a back-off, refused channels, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest

from audiowatch.notify.base import ChannelRefused, Message
from audiowatch.notify.deliver import DeliveryPolicy, deliver_due, plan_batches
from audiowatch.store import outbox
from tests.support.channels import PermanentFailure, RecordingChannel, TemporaryFailure
from tests.support.listings import make_listing

NIGHT = DeliveryPolicy(quiet_start=time(22), quiet_end=time(7), where=UTC)
AT_NIGHT = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
MORNING = datetime(2026, 11, 29, 7, 5, tzinfo=UTC)


def pending(listing_id: int, *, urgent: bool = False, channel: str = "recording") -> outbox.Pending:
    message = Message(f"new:{listing_id}", "new", f"New: listing {listing_id}", make_listing(listing_id), ("r",))
    return outbox.Pending(message.event_key, "new", listing_id, channel, ("r",), message.to_json(), urgent)


def keys(channel: RecordingChannel) -> list[str]:
    return [message.event_key for message in channel.sent]


def test_quiet_hours_hold_everything_but_urgent_rules(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1), pending(2, urgent=True), pending(3)], AT_NIGHT)
    channel = RecordingChannel()
    report = deliver_due(database_path, {"recording": channel}, AT_NIGHT, NIGHT)
    assert (report.sent, report.held, keys(channel)) == (1, 2, ["new:2"])


def test_rows_held_overnight_go_out_as_one_digest_when_the_quiet_hours_end(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1), pending(2, urgent=True), pending(3)], AT_NIGHT)
    deliver_due(database_path, {"recording": RecordingChannel()}, AT_NIGHT, NIGHT)
    outbox.enqueue(connection, [pending(4)], MORNING)
    morning = RecordingChannel()
    report = deliver_due(database_path, {"recording": morning}, MORNING, NIGHT)
    digest, single = morning.sent
    assert report.sent == 3
    assert (digest.event_kind, digest.headline) == ("digest", "AudioWatch: 2 notifications")
    assert "New: listing 1" in digest.body and "New: listing 3" in digest.body
    assert single.event_key == "new:4"


def test_digest_channel_sends_everything_due_as_one_message(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(index) for index in range(5)], MORNING)
    channel = RecordingChannel()
    report = deliver_due(database_path, {"recording": channel}, MORNING,
                         DeliveryPolicy(digest_channels=frozenset({"recording"})))
    assert (report.sent, len(channel.sent), channel.sent[0].headline) == (5, 1, "AudioWatch: 5 notifications")


def test_failing_channel_is_left_alone_for_the_rest_of_the_tick(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1), pending(2), pending(3)], MORNING)
    channel = RecordingChannel(failures=[TemporaryFailure("HTTP 503")])
    report = deliver_due(database_path, {"recording": channel}, MORNING)
    assert (report.deferred, report.sent, channel.sent) == (3, 0, [])
    row = connection.execute("SELECT attempts FROM outbox WHERE event_key = 'new:2'").fetchone()
    assert row == (0,)  # never tried, so no attempt is counted against it


def test_row_waiting_out_a_back_off_holds_back_newer_rows_of_its_channel(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1)], MORNING)
    deliver_due(database_path, {"recording": RecordingChannel(failures=[TemporaryFailure("HTTP 503")])}, MORNING)
    outbox.enqueue(connection, [pending(2)], MORNING + timedelta(seconds=30))
    early = RecordingChannel()
    assert deliver_due(database_path, {"recording": early}, MORNING + timedelta(seconds=30)).sent == 0
    later = RecordingChannel()
    deliver_due(database_path, {"recording": later}, MORNING + timedelta(minutes=2))
    assert keys(later) == ["new:1", "new:2"]


def test_back_off_on_one_channel_does_not_hold_back_another(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1, channel="a"), pending(1, channel="b")], MORNING)
    failing, working = RecordingChannel("a", failures=[TemporaryFailure("down")]), RecordingChannel("b")
    report = deliver_due(database_path, {"a": failing, "b": working}, MORNING)
    assert (report.sent, report.deferred, keys(working)) == (1, 1, ["new:1"])


def test_rejected_message_does_not_stop_the_ones_after_it(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1), pending(2)], MORNING)
    channel = RecordingChannel(failures=[PermanentFailure("HTTP 400: embed invalid")])
    report = deliver_due(database_path, {"recording": channel}, MORNING)
    assert (report.failed, report.sent, keys(channel)) == (1, 1, ["new:2"])


def test_refused_channel_is_reported_and_its_rows_stay_pending(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1), pending(2)], MORNING)
    channel = RecordingChannel(failures=[ChannelRefused("the webhook was deleted")])
    report = deliver_due(database_path, {"recording": channel}, MORNING)
    assert report.refused == (("recording", "the webhook was deleted"),)
    assert outbox.count_by_status(connection) == {"pending": 2, "sent": 0, "failed": 0}


def test_expire_fails_old_pending_rows_and_keeps_their_last_error(
    connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    outbox.enqueue(connection, [pending(1)], MORNING)
    deliver_due(database_path, {"recording": RecordingChannel(failures=[TemporaryFailure("HTTP 503")])}, MORNING)
    outbox.enqueue(connection, [pending(2)], MORNING + timedelta(hours=47))
    expired = outbox.expire(connection, MORNING + timedelta(hours=1), "gave up; last error: ")
    assert [(row.event_key, row.last_error) for row in expired] == [("new:1", "gave up; last error: HTTP 503")]
    assert outbox.count_by_status(connection) == {"pending": 1, "sent": 0, "failed": 1}


def row(row_id: int, *, urgent: bool = False, night: bool = False) -> outbox.OutboxRow:
    return outbox.OutboxRow(row_id, f"new:{row_id}", "c", 0, {}, AT_NIGHT if night else MORNING, urgent)


@pytest.mark.parametrize(
    ("rows", "digest", "quiet_now", "batches", "held"),
    [
        ([row(1), row(2)], False, False, [[1], [2]], []),
        ([row(1), row(2)], True, False, [[1, 2]], []),
        ([row(1), row(2, urgent=True)], False, True, [[2]], [1]),
        ([row(1, night=True), row(2), row(3, night=True)], False, False, [[1, 3], [2]], []),
        ([row(1, night=True, urgent=True), row(2, night=True)], False, False, [[1], [2]], []),
        ([row(1), row(2, urgent=True), row(3, urgent=True)], True, True, [[2, 3]], [1]),
    ],
    ids=["one-by-one", "digest", "quiet-holds-non-urgent", "overnight-rows-become-a-digest",
         "urgent-overnight-rows-went-alone", "quiet-digest-of-urgent"],
)
def test_plan_batches(
    rows: list[outbox.OutboxRow], digest: bool, quiet_now: bool, batches: list[list[int]], held: list[int]
) -> None:
    planned, kept = plan_batches(rows, digest=digest, quiet_now=quiet_now,
                                 arrived_quiet=lambda moment: moment == AT_NIGHT)
    assert [[item.row_id for item in batch] for batch in planned] == batches
    assert [item.row_id for item in kept] == held
