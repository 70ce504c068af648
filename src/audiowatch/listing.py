"""The listing record of SPEC §2, the one value that flows from parser to notification."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ListingStatus(StrEnum):
    """Where a listing stands; ended listings keep showing on the site with an overlay."""

    ACTIVE = "active"
    SOLD = "sold"
    CLOSED = "closed"
    TRADED = "traded"


@dataclass(frozen=True, slots=True)
class Listing:
    """One classifieds listing as shown on a Head-Fi card. Only id, URL and title are certain."""

    listing_id: int
    url: str
    title: str
    listing_type: str | None = None
    price: float | None = None
    currency: str | None = None
    condition: str | None = None
    negotiability: str | None = None
    ships_to: str | None = None
    seller: str | None = None
    seller_feedback: int | None = None
    listed_at: str | None = None
    edited_at: str | None = None
    status: ListingStatus = ListingStatus.ACTIVE
    thumbnail_url: str | None = None
    category: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the SPEC §2 JSON object: exactly these keys, status as its plain string."""
        record = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        record["status"] = str(self.status)
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Listing:
        """Build a Listing from a SPEC §2 object (e.g. one line of `parse --json`).

        Raise KeyError for a missing id, URL or title, and ValueError for an unknown key or status.
        """
        unknown = set(record) - LISTING_FIELDS
        if unknown:
            raise ValueError(f"unknown listing keys: {', '.join(sorted(unknown))}")
        values = dict(record)
        values["status"] = ListingStatus(values.get("status") or "active")
        for required in ("listing_id", "url", "title"):
            if required not in values:
                raise KeyError(required)
        return cls(**values)


LISTING_FIELDS: frozenset[str] = frozenset(field.name for field in dataclasses.fields(Listing))

WATCHED_FIELDS: tuple[str, ...] = ("price", "currency", "status", "title", "edited_at")
"""Fields whose change makes a listing "changed": what a buyer would care to hear about."""


def has_changed(before: Listing, after: Listing) -> bool:
    """Return True when ``after`` differs from ``before`` in a watched field (category and the rest don't count)."""
    return any(getattr(before, name) != getattr(after, name) for name in WATCHED_FIELDS)
