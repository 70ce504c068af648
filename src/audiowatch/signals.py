"""Turn SIGTERM and SIGINT into an Interrupted exception, so cleanup runs before exit 143/130."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from audiowatch.errors import Interrupted

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise Interrupted in the main thread when a stop signal arrives inside the block.

    Python's default SIGTERM kills the process without running `finally` blocks, which
    would leave the browser running and the run record unwritten (reference §0 item 4).
    Outside the main thread signals cannot be handled, so the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number in STOP_SIGNALS:
        signal.signal(number, _raise_interrupted)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _raise_interrupted(number: int, frame: FrameType | None) -> None:
    # A second signal during cleanup should not interrupt the cleanup itself.
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
    raise Interrupted(number)
