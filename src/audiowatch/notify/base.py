"""The channel plug-in shape: a neutral Message in, confirmed delivery or a typed failure out."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from audiowatch.listing import Listing


@dataclass(frozen=True, slots=True)
class Message:
    """One notification about one listing, before any channel's wire format."""

    event_key: str  # stable identity of the event, e.g. "new:123456"
    event_kind: str  # "new" | "price_drop" | "ended"
    headline: str  # one line: what happened and to what
    listing: Listing
    rules: tuple[str, ...]  # every rule the listing matched
    previous_price: float | None = None

    def to_json(self) -> dict[str, Any]:
        record = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        record["listing"] = self.listing.to_json()
        record["rules"] = list(self.rules)
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Message:
        values = dict(record)
        values["listing"] = Listing.from_json(values["listing"])
        values["rules"] = tuple(values["rules"])
        return cls(**values)


class DeliveryFailure(Exception):
    """A channel could not deliver; ``reason`` is for people and must hold no secret."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TemporaryFailure(DeliveryFailure):
    """Worth retrying later (timeout, 5xx, 429, SMTP 4xx); ``retry_after`` in seconds if known."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(DeliveryFailure):
    """Retrying will not help (refused credentials, other 4xx) until the user fixes something."""


class Channel(ABC):
    """A place notifications go. The class docstring is what `notify test` shows users."""

    kind: ClassVar[str]

    def __init__(self, name: str) -> None:
        self.name = name

    def check(self) -> None:
        """Raise ConfigError when the settings cannot work, before anything is sent."""

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver ``message``; return only once the service confirmed it.

        Raise TemporaryFailure or PermanentFailure; never log and swallow.
        """

    def close(self) -> None:
        """Release connections; called once per tick."""
