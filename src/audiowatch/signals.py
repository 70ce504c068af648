"""Turn SIGTERM and SIGINT into an Interrupted exception, so cleanup runs before exit 143/130.

A tick on its own stops at the first signal. Inside `audiowatch run` the loop asks for gentler
handling with `finish_tick_first()`: a first signal during a tick only asks the loop to stop once
that tick has finished, a second one stops the tick too, and a signal between ticks stops at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import structlog

from audiowatch.errors import Interrupted

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class StopRequest:
    """What the handler knows: whether a tick is running, and a stop that waits for it to end."""

    finish_tick_first: bool = False
    in_tick: bool = False
    signal_number: int | None = None  # a stop deferred until the running tick has finished


_state = StopRequest()


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise Interrupted in the main thread when a stop signal arrives inside the block (a tick).

    Python's default SIGTERM kills the process without running `finally` blocks, which
    would leave the browser running and the run record unwritten (reference §0 item 4).
    Outside the main thread signals cannot be handled, so the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = _install()
    _state.in_tick = True
    try:
        yield
    finally:
        _state.in_tick = False
        _restore(previous)


@contextmanager
def finish_tick_first() -> Iterator[StopRequest]:
    """For a loop of ticks: a first signal during a tick lets it finish; the loop then stops.

    Yields the request; the loop checks ``signal_number`` after each tick. A signal while no
    tick runs raises Interrupted at once, and so does a second signal during a tick.
    """
    previous = _install()
    _state.finish_tick_first, _state.signal_number = True, None
    try:
        yield _state
    finally:
        _state.finish_tick_first, _state.signal_number = False, None
        _restore(previous)


def _install() -> dict[int, Any]:
    previous: dict[int, Any] = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        signal.signal(number, _on_signal)
    return previous


def _restore(previous: dict[int, Any]) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)


def _on_signal(number: int, frame: FrameType | None) -> None:
    if _state.finish_tick_first and _state.in_tick and _state.signal_number is None:
        _state.signal_number = number
        # The signal may have interrupted a write to stderr; a second write from here would then
        # raise "reentrant call". The stop request counts either way.
        with contextlib.suppress(RuntimeError):
            log.warning("stop_requested", signal=signal.Signals(number).name,
                        hint="finishing the current tick first; send the signal again to stop it now")
        return
    # A further signal during cleanup should not interrupt the cleanup itself.
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
    raise Interrupted(number)
