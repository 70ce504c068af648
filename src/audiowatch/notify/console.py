"""The console channel: prints each notification readably to standard output."""

from __future__ import annotations

import sys
from typing import ClassVar, TextIO

from audiowatch.notify import render
from audiowatch.notify.base import Channel, Message


class ConsoleChannel(Channel):
    """Prints each notification to standard output: title, price, details and link."""

    kind: ClassVar[str] = "console"

    def __init__(self, name: str, stream: TextIO | None = None) -> None:
        super().__init__(name)
        self._stream = stream

    def send(self, message: Message) -> None:
        # Look the stream up at send time, so a redirected sys.stdout (tests, `demo`) is honoured.
        stream = self._stream or sys.stdout
        stream.write(render.format_text(message) + "\n\n")
        stream.flush()
