"""Politeness shared by every fetcher: the delay between requests, with jitter, and retry back-off."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

# Each gap is the configured delay times a factor drawn from [1, 1 + JITTER]: never shorter than
# configured, and not a metronome a rate limiter could lock onto.
JITTER = 0.25
# A transient failure (timeout, reset connection, 502/504) is retried this many times.
RETRIES = 2
# The first retry waits at least this long even when no delay is configured; each retry doubles it.
SHORTEST_RETRY_PAUSE = 0.25


class Pacer:
    """Keeps requests to the site at least ``delay_seconds`` (plus jitter) apart, retries further apart.

    One Pacer serves every fetcher of a tick, so switching from http to the browser keeps the pace.
    """

    def __init__(
        self,
        delay_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._delay = delay_seconds
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._last: float | None = None

    def wait(self, at_least: float | None = None) -> float:
        """Sleep until the next request may go; return how long it slept.

        ``at_least`` replaces the configured delay for this gap (a retry's longer pause).
        """
        gap = (self._delay if at_least is None else at_least) * (1 + JITTER * self._jitter())
        pause = 0.0
        if self._last is not None:
            pause = max(0.0, self._last + gap - self._clock())
            if pause:
                self._sleep(pause)
        self._last = self._clock()
        return pause

    def retry_pause(self, attempt: int) -> float:
        """Return the gap before retry number ``attempt`` (1, 2, ...): the delay, doubled per attempt."""
        return float(max(self._delay, SHORTEST_RETRY_PAUSE) * 2 ** (attempt - 1))
