"""The built-in channels, written out: channel settings -> a ready Channel."""

from __future__ import annotations

from pathlib import Path

from audiowatch.config.model import ChannelSettings
from audiowatch.notify.base import Channel


def open_channel(settings: ChannelSettings, folder: Path | None = None) -> Channel:
    """Return the channel for these settings; channel modules are imported only when used.

    ``folder`` is the config file's folder, against which relative paths in settings resolve.
    """
    match settings.type:
        case "console":
            from audiowatch.notify.console import ConsoleChannel

            return ConsoleChannel(settings.name)
        case "discord":
            from audiowatch.notify.discord import DiscordChannel

            return DiscordChannel(settings)
        case "email":
            from audiowatch.notify.email import EmailChannel

            ca_file = settings.tls_ca_file.expanduser() if settings.tls_ca_file else None
            if ca_file is not None and not ca_file.is_absolute():
                ca_file = (folder or Path.cwd()) / ca_file
            return EmailChannel(settings, ca_file)
        case "apprise":
            from audiowatch.notify.apprise import AppriseChannel

            return AppriseChannel(settings)
    raise AssertionError(f"no channel class for type {settings.type!r}")  # config validation prevents it
