"""Ops alerts: what AudioWatch tells the user about its own health, decided from how ticks end (pure).

Each kind of trouble is announced once when it starts and once more when ticks work again,
never on every tick; the state that remembers what was announced lives in the state table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from enum import StrEnum

from audiowatch.errors import AudioWatchError, LayoutChanged
from audiowatch.exitcodes import ExitCode
from audiowatch.notify import quiet_hours
from audiowatch.notify.base import Message
from audiowatch.store.outbox import ExpiredRow
from audiowatch.store.runs import RunSummary

STATE_KEY = "ops_alerts"


class Problem(StrEnum):
    FAILING = "failing"  # ticks keep failing (any cause), for failed_ticks in a row
    BLOCKED = "blocked"  # the site blocked us or asked us to back off (exit 75)
    LAYOUT = "layout"  # pages arrived but their listings did not parse


_WHAT = {
    Problem.FAILING: "ticks failing",
    Problem.BLOCKED: "Head-Fi blocking or rate-limiting AudioWatch",
    Problem.LAYOUT: "the Head-Fi page layout not parsing",
}


@dataclass(frozen=True, slots=True)
class TickOutcome:
    """How a tick ended, as far as ops alerts care."""

    failed: bool
    problem: Problem | None = None  # the specific trouble the failure names, if any
    error: str | None = None


def outcome_of(error: AudioWatchError | None) -> TickOutcome:
    """Classify a tick's error (None: it succeeded). Exit 75 from a tick that ran means the site
    asked us to back off or blocked us; LayoutChanged means the markup changed."""
    if error is None:
        return TickOutcome(failed=False)
    if isinstance(error, LayoutChanged):
        return TickOutcome(True, Problem.LAYOUT, str(error))
    if error.exit_code == ExitCode.TEMPFAIL:
        return TickOutcome(True, Problem.BLOCKED, str(error))
    return TickOutcome(True, None, str(error))


@dataclass(frozen=True, slots=True)
class OpsState:
    """What has been announced: each open problem with when it started, and the last heartbeat day."""

    alerted: tuple[tuple[Problem, str], ...] = ()
    heartbeat_day: str | None = None

    def has(self, problem: Problem) -> bool:
        return any(alerted == problem for alerted, _ in self.alerted)

    def to_text(self) -> str:
        return json.dumps({"alerted": dict(self.alerted), "heartbeat_day": self.heartbeat_day})

    @classmethod
    def from_text(cls, text: str | None) -> OpsState:
        if not text:
            return cls()
        record = json.loads(text)
        alerted = tuple((Problem(name), since) for name, since in record.get("alerted", {}).items())
        return cls(alerted, record.get("heartbeat_day"))


@dataclass(frozen=True, slots=True)
class Assessment:
    alerts: tuple[Message, ...] = ()
    state: OpsState = field(default_factory=OpsState)


def assess(
    outcome: TickOutcome, earlier_failures: int, state: OpsState, failed_ticks: int, now: datetime,
    where: tzinfo | None = None,
) -> Assessment:
    """Decide the alerts for this tick's outcome.

    ``earlier_failures`` counts the failed ticks in a row before this one. A block or layout
    change is announced at once; any other failure once ``failed_ticks`` ticks in a row failed,
    unless a problem is already announced. The first good tick after that says so, once.
    """
    if not outcome.failed:
        if not state.alerted:
            return Assessment((), state)
        return Assessment((_recovered(state, now, where),), OpsState((), state.heartbeat_day))
    problem = outcome.problem
    if problem is None or state.has(problem):
        failures = earlier_failures + 1
        if state.alerted or failures < failed_ticks:
            return Assessment((), state)
        problem = Problem.FAILING
    since = now.isoformat()
    alert = _started(problem, outcome, earlier_failures + 1, since)
    return Assessment((alert,), OpsState((*state.alerted, (problem, since)), state.heartbeat_day))


def _started(problem: Problem, outcome: TickOutcome, failures: int, since: str) -> Message:
    error = outcome.error or "no detail recorded"
    match problem:
        case Problem.FAILING:
            headline = f"AudioWatch: {failures} ticks in a row failed"
            advice = "AudioWatch keeps trying on schedule. Look at its log (journalctl -u audiowatch-tick)."
        case Problem.BLOCKED:
            headline = "AudioWatch: Head-Fi is blocking or rate-limiting it"
            advice = "AudioWatch backs off and retries by itself; consider a longer poll interval."
        case Problem.LAYOUT:
            headline = "AudioWatch: the Head-Fi page layout seems to have changed"
            advice = "No listings can be read until the parser matches the new layout; update AudioWatch."
    body = f"Last error: {error}\n{advice}\nYou will hear once more when it works again."
    return Message(f"ops:{problem}:{since}", "ops", headline, None, (), body=body)


def _recovered(state: OpsState, now: datetime, where: tzinfo | None) -> Message:
    lines = [f"Recovered from {_WHAT[problem]} (since {_display(since, where)})." for problem, since in state.alerted]
    return Message(f"ops:recovered:{now.isoformat()}", "ops", "AudioWatch works again", None, (),
                   body="\n".join(lines))


def heartbeat(
    state: OpsState, at: time, now: datetime, where: tzinfo | None, summary: RunSummary, pending: int, failed: int,
) -> Assessment:
    """Return the daily summary once the local time passes ``at``, once per local day."""
    clock = quiet_hours.local(now, where)
    today = clock.date().isoformat()
    if state.heartbeat_day == today or clock.time().replace(tzinfo=None) < at:
        return Assessment((), state)
    headline = (f"AudioWatch daily summary: {summary.ok} good tick(s), {summary.new_listings} new listing(s), "
                f"{summary.notifications} notification(s) sent")
    body = "\n".join([
        "In the last 24 hours:",
        f"ticks: {summary.ok} good, {summary.failed} failed",
        f"new listings stored: {summary.new_listings}; rule matches: {summary.matches}",
        f"notifications sent: {summary.notifications}",
        f"outbox now: {pending} pending, {failed} failed in total",
    ])
    alert = Message(f"ops:heartbeat:{today}", "ops", headline, None, (), body=body)
    return Assessment((alert,), OpsState(state.alerted, today))


def expired_alert(expired: Sequence[ExpiredRow], max_age_hours: float, now: datetime) -> Message | None:
    """Return one alert naming the notifications just given up, by channel, with their last error."""
    if not expired:
        return None
    by_channel: dict[str, list[ExpiredRow]] = {}
    for row in expired:
        by_channel.setdefault(row.channel, []).append(row)
    lines = [f'{len(rows)} for channel "{channel}": {rows[-1].last_error}' for channel, rows in by_channel.items()]
    lines.append("They are marked failed in the outbox table; `audiowatch notify test` checks each channel.")
    headline = f"AudioWatch gave up on {len(expired)} notification(s) undelivered for {max_age_hours:g} hours"
    return Message(f"ops:expired:{now.isoformat()}", "ops", headline, None, (), body="\n".join(lines))


def _display(stamp: str, where: tzinfo | None) -> str:
    return quiet_hours.local(datetime.fromisoformat(stamp), where).strftime("%Y-%m-%d %H:%M %Z")
