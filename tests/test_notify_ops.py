"""Ops alerts (pure): each trouble announced once when it starts and once when it ends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from audiowatch.errors import AudioWatchError, BackingOff, LayoutChanged, SourceUnavailable
from audiowatch.notify import ops
from audiowatch.store.outbox import ExpiredRow
from audiowatch.store.runs import RunSummary

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FAILED = ops.TickOutcome(failed=True, error="could not scrape the classifieds: connection refused")
GOOD = ops.TickOutcome(failed=False)
BLOCKED = ops.TickOutcome(True, ops.Problem.BLOCKED, "backing off until 13:00 (HTTP 429)")


def run_ticks(outcomes: list[ops.TickOutcome], failed_ticks: int = 3) -> list[list[str]]:
    """Feed outcomes one tick at a time, like ticks would; return each tick's alert headlines."""
    state, failures, headlines = ops.OpsState(), 0, []
    for index, outcome in enumerate(outcomes):
        assessment = ops.assess(outcome, failures, state, failed_ticks, NOW + timedelta(minutes=5 * index), UTC)
        state = assessment.state
        failures = failures + 1 if outcome.failed else 0
        headlines.append([alert.headline for alert in assessment.alerts])
    return headlines


def test_failing_ticks_alert_once_after_the_threshold_and_once_on_recovery() -> None:
    assert run_ticks([FAILED] * 5 + [GOOD, GOOD]) == [
        [], [], ["AudioWatch: 3 ticks in a row failed"], [], [], ["AudioWatch works again"], []]


def test_a_block_alerts_at_once_and_not_again_when_ticks_keep_failing() -> None:
    assert run_ticks([BLOCKED] * 4 + [GOOD]) == [
        ["AudioWatch: Head-Fi is blocking or rate-limiting it"], [], [], [], ["AudioWatch works again"]]


def test_a_layout_change_after_a_block_is_announced_too() -> None:
    layout = ops.TickOutcome(True, ops.Problem.LAYOUT, "the page layout looks changed")
    assert run_ticks([BLOCKED, layout, layout])[1] == ["AudioWatch: the Head-Fi page layout seems to have changed"]


def test_good_ticks_without_trouble_say_nothing() -> None:
    assert run_ticks([GOOD, FAILED, GOOD, FAILED, GOOD]) == [[]] * 5


def test_recovery_message_names_what_recovered() -> None:
    state = ops.assess(BLOCKED, 0, ops.OpsState(), 3, NOW, UTC).state
    [alert] = ops.assess(GOOD, 0, state, 3, NOW, UTC).alerts
    assert alert.body == "Recovered from Head-Fi blocking or rate-limiting AudioWatch (since 2026-11-28 12:00 UTC)."


def test_ops_state_survives_a_round_trip_through_text() -> None:
    state = ops.OpsState(((ops.Problem.LAYOUT, NOW.isoformat()),), "2026-11-28")
    assert ops.OpsState.from_text(state.to_text()) == state


@pytest.mark.parametrize(
    ("error", "problem"),
    [(LayoutChanged("no cards", "http://x/"), ops.Problem.LAYOUT),
     (BackingOff("HTTP 429", NOW), ops.Problem.BLOCKED),
     (SourceUnavailable("connection refused", "http://x/"), None)],
    ids=["layout-changed", "backing-off-75", "unavailable-69"],
)
def test_outcome_of_names_blocks_and_layout_changes(error: AudioWatchError, problem: ops.Problem | None) -> None:
    outcome = ops.outcome_of(error)
    assert (outcome.failed, outcome.problem) == (True, problem)


SUMMARY = RunSummary(ok=280, failed=8, new_listings=41, matches=3, notifications=3)


@pytest.mark.parametrize(
    ("hour", "last_day", "sent"),
    [(8, None, False), (9, None, True), (15, "2026-11-27", True), (15, "2026-11-28", False)],
    ids=["before-the-time", "at-the-time", "first-tick-after-it", "already-sent-today"],
)
def test_heartbeat_is_sent_once_a_day_after_its_time(hour: int, last_day: str | None, sent: bool) -> None:
    now = datetime(2026, 11, 28, hour, 0, tzinfo=UTC)
    beat = ops.heartbeat(ops.OpsState(heartbeat_day=last_day), time(9), now, UTC, SUMMARY, 2, 0)
    assert bool(beat.alerts) is sent
    assert beat.state.heartbeat_day == ("2026-11-28" if sent else last_day)


def test_heartbeat_carries_the_days_counts() -> None:
    [beat] = ops.heartbeat(ops.OpsState(), time(9), NOW, UTC, SUMMARY, 2, 1).alerts
    assert beat.headline == "AudioWatch daily summary: 280 good tick(s), 41 new listing(s), 3 notification(s) sent"
    assert "ticks: 280 good, 8 failed" in beat.body and "outbox now: 2 pending, 1 failed" in beat.body
    assert beat.event_key == "ops:heartbeat:2026-11-28"


def test_expired_alert_groups_by_channel(tmp_path: Path) -> None:
    expired = [ExpiredRow("new:1", "discord", 9, "not delivered within 48 hours; last error: HTTP 500"),
               ExpiredRow("new:2", "discord", 9, "not delivered within 48 hours; last error: HTTP 500")]
    alert = ops.expired_alert(expired, 48, NOW)
    assert alert is not None
    assert alert.headline == "AudioWatch gave up on 2 notification(s) undelivered for 48 hours"
    assert '2 for channel "discord": not delivered within 48 hours; last error: HTTP 500' in alert.body
