"""Listing values for tests, with sensible defaults for every field."""

from __future__ import annotations

from typing import Any

from audiowatch.listing import Listing, ListingStatus


def make_listing(listing_id: int = 100001, **fields: Any) -> Listing:
    values: dict[str, Any] = {
        "url": f"https://www.head-fi.org/classifieds/item.{listing_id}/",
        "title": "Sennheiser HD800 S",
        "listing_type": "For Sale",
        "price": 999.0,
        "currency": "USD",
        "seller": "jay.doe",
        "seller_feedback": 12,
        "listed_at": "2026-11-27T10:00:00+00:00",
        "status": ListingStatus.ACTIVE,
        "category": "full-size",
    }
    values.update(fields)
    return Listing(listing_id=listing_id, **values)
