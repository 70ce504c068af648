"""Turn stored changes into the events a buyer hears about: new, price drop, ended (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from audiowatch.listing import Listing, ListingStatus
from audiowatch.store.listings import Change


class EventKind(StrEnum):
    NEW = "new"
    PRICE_DROP = "price_drop"
    ENDED = "ended"  # sold, closed or traded


@dataclass(frozen=True, slots=True)
class Event:
    """Something happened to a listing; ``previous`` is its state before, None when new."""

    kind: EventKind
    listing: Listing
    previous: Listing | None = None

    @property
    def key(self) -> str:
        """A stable identity, so the same event is never queued twice for a channel."""
        listing_id = self.listing.listing_id
        match self.kind:
            case EventKind.NEW:
                return f"new:{listing_id}"
            case EventKind.PRICE_DROP:
                return f"price_drop:{listing_id}:{self.listing.price}"
            case EventKind.ENDED:
                return f"ended:{listing_id}:{self.listing.status}"


def detect_events(changes: Sequence[Change], *, seeding: bool) -> list[Event]:
    """Return the events in ``changes``, oldest listing first; none while seeding.

    Pages list newest first; notifying oldest first lets a channel read like a feed.
    """
    if seeding:
        return []
    events: list[Event] = []
    for change in sorted(changes, key=lambda change: change.after.listing_id):
        event = _event_for(change)
        if event is not None:
            events.append(event)
    return events


def _event_for(change: Change) -> Event | None:
    before, after = change.before, change.after
    if before is None:
        return Event(EventKind.NEW, after)
    if before.status == ListingStatus.ACTIVE and after.status != ListingStatus.ACTIVE:
        return Event(EventKind.ENDED, after, before)
    if is_price_drop(before, after):
        return Event(EventKind.PRICE_DROP, after, before)
    return None


def is_price_drop(before: Listing, after: Listing) -> bool:
    """True when the price went down in the same currency (a currency switch is not a drop)."""
    return (
        before.price is not None
        and after.price is not None
        and before.currency == after.currency
        and after.price < before.price
    )
