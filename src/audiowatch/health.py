"""Is AudioWatch working? Judge the facts `status` gathered (pure: data and `now` in, verdict out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from audiowatch.fetch.blocks import Backoff
from audiowatch.store.reports import LatencyReport, OutboxSummary, RunSummary

# A tick may be skipped now and then (lock held, a back-off); three missed intervals are a pattern.
MISSED_INTERVALS = 3
# A notification still pending after this many attempts is failing, not merely delayed.
FAILING_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """Everything `status` read from the database."""

    now: datetime
    poll_interval: timedelta
    last_run_at: datetime | None
    last_success_at: datetime | None
    runs: tuple[RunSummary, ...]  # newest first
    consecutive_failures: int
    outbox: OutboxSummary
    listings_stored: int
    listings_active: int
    latency_day: LatencyReport
    latency_week: LatencyReport
    backoff: Backoff | None = None  # the last back-off, in force or expired
    browser_preferred_until: datetime | None = None
    field_rates: dict[str, float] | None = None  # of the last run that parsed listings

    @property
    def backing_off(self) -> bool:
        return self.backoff is not None and self.backoff.deadline > self.now


@dataclass(frozen=True, slots=True)
class Verdict:
    problems: tuple[str, ...]
    expected_next_run: datetime | None  # an estimate from the last run and the interval

    @property
    def healthy(self) -> bool:
        return not self.problems


def assess(facts: StatusFacts) -> Verdict:
    """Return what is wrong, in words a user can act on; no problems means healthy."""
    problems: list[str] = []
    allowed_gap = facts.poll_interval * MISSED_INTERVALS
    if facts.last_success_at is None:
        problems.append("no tick has succeeded yet: run `audiowatch tick` and check its output")
    elif facts.now - facts.last_success_at > allowed_gap:
        problems.append(
            f"no successful tick for {describe_age(facts.now - facts.last_success_at)} "
            f"(expected one every {describe_age(facts.poll_interval)}): check the schedule and the last errors"
        )
    if facts.backoff is not None and facts.backing_off:
        problems.append(
            f"the site blocked us ({facts.backoff.describe()}); no request before "
            f"{facts.backoff.deadline.isoformat(timespec='seconds')} (in "
            f"{describe_age(facts.backoff.deadline - facts.now)}, block {facts.backoff.strikes} in a row)"
        )
    if facts.consecutive_failures >= MISSED_INTERVALS:
        problems.append(f"the last {facts.consecutive_failures} ticks failed: {_last_error(facts)}")
    if facts.outbox.failed_recently:
        problems.append(
            f"{facts.outbox.failed_recently} notification(s) failed for good in the last day "
            f"(last error: {facts.outbox.last_error}); check the channel settings with `audiowatch notify test`"
        )
    expected = facts.last_run_at + facts.poll_interval if facts.last_run_at else None
    return Verdict(tuple(problems), expected)


def describe_age(age: timedelta) -> str:
    """`timedelta(seconds=4000)` -> `1h 6m`, `timedelta(seconds=2.5)` -> `2.5s`; for people, not parsing."""
    total = max(0.0, age.total_seconds())
    if total < 10:
        return f"{total:.1f}s"
    seconds = int(total)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {seconds}s" if seconds else f"{minutes}m"
    return f"{seconds}s"


def _last_error(facts: StatusFacts) -> str:
    for run in facts.runs:
        if run.error:
            return run.error.splitlines()[0]
    return "no error recorded"
