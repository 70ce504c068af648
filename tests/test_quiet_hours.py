"""Quiet hours on the user's wall clock, overnight windows and daylight saving included."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from audiowatch.notify import quiet_hours

BERLIN = quiet_hours.zone("Europe/Berlin")


@pytest.mark.parametrize(
    ("utc", "start", "end", "expected"),
    [
        ("2026-01-15T20:59", time(22), time(7), False),  # 21:59 Berlin (winter, UTC+1)
        ("2026-01-15T21:00", time(22), time(7), True),  # 22:00 Berlin: the window starts
        ("2026-01-16T05:59", time(22), time(7), True),  # 06:59 Berlin
        ("2026-01-16T06:00", time(22), time(7), False),  # 07:00 Berlin: the window has ended
        ("2026-07-16T05:30", time(22), time(7), False),  # 07:30 Berlin in summer (+2)
        ("2026-07-16T04:30", time(22), time(7), True),  # 06:30 Berlin in summer
        ("2026-01-15T12:00", time(12), time(14), True),  # a daytime window
        ("2026-01-15T13:00", time(12), time(14), False),  # 14:00 Berlin: after it
    ],
    ids=["before-start", "at-start", "just-before-end", "at-end", "summer-after", "summer-inside",
         "daytime-inside", "daytime-after"],
)
def test_is_quiet_follows_the_berlin_wall_clock(utc: str, start: time, end: time, expected: bool) -> None:
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert quiet_hours.is_quiet(moment, start, end, BERLIN) is expected
