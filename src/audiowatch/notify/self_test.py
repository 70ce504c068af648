"""`notify test`: send a realistic sample listing through each channel and say what happened."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from audiowatch.config.model import Config
from audiowatch.errors import ConfigError
from audiowatch.notify import registry, render
from audiowatch.notify.base import Channel, ChannelRefused, DeliveryFailure, Message, PermanentFailure


@dataclass(frozen=True, slots=True)
class ChannelTestResult:
    name: str
    kind: str
    description: str  # the channel class's docstring: what it does, for people
    outcome: str  # sent | unusable | refused | rejected | failed
    detail: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.outcome == "sent"

    @property
    def is_config_problem(self) -> bool:
        return self.outcome in ("unusable", "refused")


def test_channels(config: Config, names: Sequence[str], now: datetime) -> Iterator[ChannelTestResult]:
    """Send the sample through the named channels (all when ``names`` is empty), straight away:
    no outbox, no quiet hours, no digest. Yield each result as it comes; raise ConfigError first
    for a name that is not configured."""
    configured = [settings.name for settings in config.notifications.channels]
    unknown = [name for name in names if name not in configured]
    if unknown:
        raise ConfigError(f'no channel named {", ".join(unknown)}; configured channels: {", ".join(configured)}')
    sample = render.sample_message(config.scraper.base_url, now)
    return (
        _try(registry.open_channel(settings, config.folder), sample)
        for settings in config.notifications.channels
        if not names or settings.name in names
    )


def _try(channel: Channel, sample: Message) -> ChannelTestResult:
    description = " ".join((type(channel).__doc__ or "").split())
    started = time.monotonic()
    try:
        channel.check()
        channel.send(sample)
        outcome, detail = "sent", ""
    except ConfigError as error:
        outcome, detail = "unusable", "; ".join(error.problems)
    except DeliveryFailure as failure:
        outcome, detail = _failure_outcome(failure), failure.reason
    finally:
        channel.close()
    return ChannelTestResult(channel.name, channel.kind, description, outcome, detail, time.monotonic() - started)


def _failure_outcome(failure: DeliveryFailure) -> str:
    if isinstance(failure, ChannelRefused):
        return "refused"
    return "rejected" if isinstance(failure, PermanentFailure) else "failed"
