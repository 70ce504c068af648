"""The foreground loop behind `audiowatch run`: a tick now, then one every interval, until stopped.

It is for containers and for trying things out; in production the operating system's scheduler
(`audiowatch schedule`) runs `audiowatch tick` instead. Each tick is the same `run_tick()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NoReturn

import structlog

from audiowatch import signals
from audiowatch import tick as tick_module
from audiowatch.config.model import Config
from audiowatch.errors import AudioWatchError, ConfigError, Interrupted, LockHeld

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class LoopOptions:
    skip_initial: bool = False  # wait one interval before the first tick
    tick: tick_module.TickOptions = field(default_factory=tick_module.TickOptions)


def next_start(previous_start: float, interval_seconds: float, now: float) -> float:
    """Return when the next tick starts, in the same clock as the arguments (monotonic seconds).

    One interval after the previous tick started. A tick that overran its interval is followed
    at once, and the slots it overran are not made up: like a systemd timer, never two at once
    and never a burst of catch-up ticks.
    """
    return max(previous_start + interval_seconds, now)


def run_loop(
    load_config: Callable[[], Config],
    options: LoopOptions,
    report: Callable[[tick_module.TickResult], None],
    *,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> NoReturn:
    """Tick until a stop signal; end by raising Interrupted (exit 130/143).

    The config is read before every tick, so edits apply without a restart; a broken edit is
    logged and the last good config is used until it is fixed. A tick that fails (the site is
    down, another tick holds the lock) is logged and the loop goes on; unexpected errors end it.
    A signal between ticks stops at once; during a tick, the tick finishes first (a second
    signal stops it, see signals.finish_tick_first).
    """
    config = load_config()  # a broken config at start is exit 78, before anything runs
    with signals.finish_tick_first() as stop:
        due = monotonic() + (_interval_seconds(config) if options.skip_initial else 0.0)
        while True:
            _wait_until(due, monotonic, sleep)
            started = monotonic()
            config = _reload(load_config, config)
            _tick_once(config, options.tick, report)
            if stop.signal_number is not None:
                raise Interrupted(stop.signal_number, "after the tick it was running had finished")
            due = next_start(started, _interval_seconds(config), monotonic())


def _interval_seconds(config: Config) -> float:
    return config.scraper.poll_interval_minutes * 60.0


def _wait_until(due: float, monotonic: Callable[[], float], sleep: Callable[[float], None]) -> None:
    remaining = due - monotonic()
    if remaining <= 0:
        return
    at = tick_module.utc_now() + timedelta(seconds=remaining)
    log.info("next_tick", at=at.isoformat(timespec="seconds"), in_seconds=round(remaining))
    # A stop signal raises Interrupted out of the sleep: between ticks the loop stops at once.
    sleep(remaining)


def _reload(load_config: Callable[[], Config], current: Config) -> Config:
    try:
        return load_config()
    except ConfigError as error:
        log.error("config_invalid", error=str(error),
                  hint="this tick uses the last good configuration; fix the file and the next tick picks it up")
        return current


def _tick_once(config: Config, options: tick_module.TickOptions,
               report: Callable[[tick_module.TickResult], None]) -> None:
    try:
        result = tick_module.run_tick(config, options)
    except Interrupted:
        raise
    except LockHeld as error:
        log.warning("tick_skipped", reason="lock_held", lock=str(error.lock_path))
        return
    except AudioWatchError as error:
        # Recorded in scrape_logs by the tick itself; the loop tries again next interval.
        log.error("tick_failed", exit_code=int(error.exit_code), error=str(error))
        return
    report(result)
