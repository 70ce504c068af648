"""The built-in channels, written out: channel settings -> a ready Channel."""

from __future__ import annotations

from audiowatch.config.model import ChannelSettings
from audiowatch.notify.base import Channel


def open_channel(settings: ChannelSettings) -> Channel:
    """Return the channel for these settings; channel modules are imported only when used."""
    match settings.type:
        case "console":
            from audiowatch.notify.console import ConsoleChannel

            return ConsoleChannel(settings.name)
    raise AssertionError(f"no channel class for type {settings.type!r}")  # config validation prevents it
