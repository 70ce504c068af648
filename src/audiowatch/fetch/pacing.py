"""Politeness shared by every fetcher: at least the configured delay between two requests."""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    """Waits so that two requests to the site are at least ``delay_seconds`` apart."""

    def __init__(
        self,
        delay_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._delay = delay_seconds
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> float:
        """Sleep until the next request may go; return how long it slept."""
        pause = 0.0
        if self._last is not None:
            pause = max(0.0, self._last + self._delay - self._clock())
            if pause:
                self._sleep(pause)
        self._last = self._clock()
        return pause
