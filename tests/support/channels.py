"""Channels for delivery tests: a real Channel subclass that records or fails like a service would."""

from __future__ import annotations

from typing import ClassVar

from audiowatch.notify.base import Channel, Message, PermanentFailure, TemporaryFailure


class RecordingChannel(Channel):
    """Keeps what it was sent; fails the way it is told to, first."""

    kind: ClassVar[str] = "recording"

    def __init__(self, name: str = "recording", failures: list[Exception] | None = None) -> None:
        super().__init__(name)
        self.sent: list[Message] = []
        self.failures = list(failures or [])

    def send(self, message: Message) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)


__all__ = ["PermanentFailure", "RecordingChannel", "TemporaryFailure"]
