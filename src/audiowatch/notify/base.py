"""The channel plug-in shape: a neutral Message in, confirmed delivery or a typed failure out."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from audiowatch.listing import Listing
from audiowatch.market import MarketContext


@dataclass(frozen=True, slots=True)
class Message:
    """One notification, before any channel's wire format.

    Most are about one listing; ops alerts and digests carry no listing and say it in ``body``.
    """

    event_key: str  # stable identity of the event, e.g. "new:123456"
    event_kind: str  # "new" | "price_drop" | "ended" | "ops" | "digest"
    headline: str  # one line: what happened and to what
    listing: Listing | None
    rules: tuple[str, ...]  # every rule the listing matched
    previous_price: float | None = None
    body: str = ""  # more lines of plain text, for messages without a listing
    market: MarketContext | None = None  # where the price sits among comparable asks, when enough compare

    def to_json(self) -> dict[str, Any]:
        record = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        record["listing"] = self.listing.to_json() if self.listing is not None else None
        record["rules"] = list(self.rules)
        record["market"] = self.market.to_json() if self.market is not None else None
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Message:
        values = dict(record)
        values["listing"] = Listing.from_json(values["listing"]) if values.get("listing") else None
        values["rules"] = tuple(values["rules"])
        # Rows queued before market context existed have no "market" key.
        values["market"] = MarketContext.from_json(values["market"]) if values.get("market") else None
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
    """This message will never go through (the service rejected its content); others still can."""


class ChannelRefused(DeliveryFailure):
    """The service refused the channel itself: wrong password, deleted webhook, untrusted certificate.

    Nothing can go through until the user fixes the setting, so the message stays pending (and
    is retried with back-off) instead of being given up, and the tick exits 78 naming the fix.
    """


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

        Raise TemporaryFailure, PermanentFailure or ChannelRefused; never log and swallow.
        """

    def split_digest(self, messages: Sequence[Message]) -> list[Sequence[Message]]:
        """Split a digest into the parts the service accepts in one request (default: one part)."""
        return [messages]

    def send_digest(self, messages: Sequence[Message]) -> None:
        """Deliver ``messages`` as one message, confirmed as a whole (default: one text digest)."""
        # Imported here: render builds on Message, defined above.
        from audiowatch.notify import render

        self.send(render.digest_message(messages))

    def close(self) -> None:
        """Release connections; called once per tick."""
