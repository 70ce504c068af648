"""The simulated site's own database: its listings and the edits tests make (sample data: samples.py)."""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from audiowatch import sources
from audiowatch.simulator.samples import (
    FOR_SALE,
    FOR_SALE_TRADE,
    LISTING_TYPES,
    SAMPLE_ARRIVALS,
    WANT_TO_BUY,
    Draft,
    random_draft,
    seed_drafts,
)

__all__ = ["FOR_SALE", "FOR_SALE_TRADE", "LISTING_TYPES", "WANT_TO_BUY", "Catalog", "SimListing", "slugify"]

STATUSES: tuple[str, ...] = ("active", "sold", "closed", "traded")
CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP", "CAD", "AUD")

# Ids start near 100000 and grow with listed_at, as XenForo content ids do.
FIRST_LISTING_ID = 100_000

# Absolute thumbnails point at a reserved `.example` host so a browser in the offline demo never
# reaches the real site; the parser only needs them to be absolute.
ABSOLUTE_THUMBNAIL_HOST = "https://cdn.headfi.example"


@dataclass(slots=True, kw_only=True)
class SimListing:
    """One listing as the simulated site stores it; mutable because it is the site's own row."""

    listing_id: int
    title: str
    category: str
    listing_type: str
    price: float | None
    currency: str | None
    condition: str | None = None
    negotiability: str | None = None
    ships_to: str | None = None
    seller: str | None = None
    seller_feedback: int | None = None
    listed_at: datetime
    edited_at: datetime | None = None
    status: str = "active"
    thumbnail: str | None = None

    @property
    def path(self) -> str:
        """Return the canonical site-relative URL, `/classifieds/<slugified-title>.<id>/`."""
        return f"/classifieds/{slugify(self.title)}.{self.listing_id}/"

    @property
    def is_ended(self) -> bool:
        return self.status != "active"


def slugify(text: str) -> str:
    """Return a XenForo-style URL slug: lower case, runs of other characters collapsed to one dash."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].rstrip("-")
    # An all-symbol title would leave `/classifieds/.123/`; XenForo falls back to a fixed word too.
    return slug or "listing"


class Catalog:
    """All listings of the simulated site, safe to read and edit from several threads."""

    def __init__(self, listings: Iterable[SimListing] = ()) -> None:
        self._lock = threading.Lock()
        self._listings: dict[int, SimListing] = {listing.listing_id: listing for listing in listings}

    @classmethod
    def seeded(cls, now: datetime, seed: int = 7, per_category: int = 30) -> Catalog:
        """Return a catalog of realistic listings from the last ~60 days before `now`.

        The same `now` and `seed` always give the same listings. Each leaf category holds
        `per_category` listings (more if its hand-written showcase listings outnumber that); the
        showcase listings cover every card variation of reference/headfi-markup.md §7.
        """
        moment = _whole_seconds(now)
        drafts = seed_drafts(random.Random(seed), per_category)
        # Oldest first so ids grow with listed_at; sorted() is stable for equal times.
        ordered = sorted(drafts, key=lambda draft: -draft.age.total_seconds())
        return cls(
            _listing_from_draft(draft, FIRST_LISTING_ID + offset, moment)
            for offset, draft in enumerate(ordered)
        )

    def add_listing(
        self,
        now: datetime,
        title: str,
        category: str,
        *,
        listing_type: str = FOR_SALE,
        price: float | None = None,
        currency: str | None = "USD",
        condition: str | None = None,
        negotiability: str | None = None,
        ships_to: str | None = None,
        seller: str | None = None,
        seller_feedback: int | None = None,
        thumbnail: str | None = None,
    ) -> SimListing:
        """Add a listing posted at `now` (whole seconds) with the next id; return a copy of it.

        Raise ValueError for a category that is not a leaf slug, an unknown listing type or currency.
        Currency is dropped when there is no price, as the card then shows only the type label.
        """
        _check_new_listing(category, listing_type, currency)
        with self._lock:
            listing = SimListing(
                listing_id=self._next_id(), title=title, category=category, listing_type=listing_type,
                price=price, currency=currency if price is not None else None, condition=condition,
                negotiability=negotiability, ships_to=ships_to, seller=seller,
                seller_feedback=seller_feedback, listed_at=_whole_seconds(now), thumbnail=thumbnail,
            )
            self._listings[listing.listing_id] = listing
            return dataclasses.replace(listing)

    def add_sample_arrivals(self, now: datetime) -> list[SimListing]:
        """Add the demo's fixed set of six new listings, all posted at `now`; return copies of them."""
        moment = _whole_seconds(now)
        added: list[SimListing] = []
        with self._lock:
            for draft in SAMPLE_ARRIVALS:
                listing = _listing_from_draft(draft, self._next_id(), moment)
                self._listings[listing.listing_id] = listing
                added.append(dataclasses.replace(listing))
        return added

    def add_burst(
        self, now: datetime, count: int, *, category: str | None = None, spread: timedelta = timedelta(0),
        seed: int = 11,
    ) -> list[SimListing]:
        """Add `count` random listings posted over the `spread` before `now` (all at `now` without one).

        They land in `category`, or in random leaf categories, newest first on the lists, pushing older
        listings to later pages. Return copies of them, oldest first.
        """
        rng = random.Random(seed)
        moment = _whole_seconds(now)
        categories = [category] if category is not None else list(sources.LEAF_SLUGS)
        # Whole seconds, as XenForo stores them; the oldest first, so ids grow with listed_at.
        ages = [timedelta(seconds=int(spread.total_seconds() * (count - 1 - index) / max(count, 1)))
                for index in range(count)]
        drafts = [dataclasses.replace(random_draft(rng, rng.choice(categories)), edited_after=None,
                                      status="active", age=age) for age in ages]
        added: list[SimListing] = []
        with self._lock:
            for draft in drafts:
                listing = _listing_from_draft(draft, self._next_id(), moment)
                self._listings[listing.listing_id] = listing
                added.append(dataclasses.replace(listing))
        return added

    def change_price(self, listing_id: int, price: float | None, now: datetime) -> None:
        """Set a new price and mark the listing edited at `now`. Raise KeyError for an unknown id."""
        with self._lock:
            listing = self._listings[listing_id]
            listing.price = price
            listing.edited_at = _whole_seconds(now)

    def mark_ended(self, listing_id: int, status: str = "sold", now: datetime | None = None) -> None:
        """Mark a listing sold, closed or traded; with `now`, also mark it edited then.

        Raise KeyError for an unknown id and ValueError for a status that is not an ended one.
        """
        if status not in STATUSES[1:]:
            raise ValueError(f"status must be one of {', '.join(STATUSES[1:])}, not {status!r}")
        with self._lock:
            listing = self._listings[listing_id]
            listing.status = status
            if now is not None:
                listing.edited_at = _whole_seconds(now)

    def listings_in(self, category: str | None) -> list[SimListing]:
        """Return copies of a category's listings, newest first; None means every category.

        A parent category (e.g. `headphones-for-sale-trade`) lists its children's listings too.
        Raise KeyError for an unknown slug.
        """
        wanted = None if category is None else _slugs_listed_by(category)
        with self._lock:
            chosen = [
                dataclasses.replace(listing)
                for listing in self._listings.values()
                if wanted is None or listing.category in wanted
            ]
        return sorted(chosen, key=lambda listing: (listing.listed_at, listing.listing_id), reverse=True)

    def get(self, listing_id: int) -> SimListing | None:
        """Return a copy of one listing, or None when the id is unknown."""
        with self._lock:
            listing = self._listings.get(listing_id)
            return None if listing is None else dataclasses.replace(listing)

    def __len__(self) -> int:
        with self._lock:
            return len(self._listings)

    def _next_id(self) -> int:
        """Return the id for a new listing; the caller holds the lock."""
        return max(self._listings, default=FIRST_LISTING_ID - 1) + 1


def _whole_seconds(now: datetime) -> datetime:
    """Return `now` in UTC without microseconds: XenForo stores unix seconds, and pages show those."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).replace(microsecond=0)


def _check_new_listing(category: str, listing_type: str, currency: str | None) -> None:
    if category not in sources.LEAF_SLUGS:
        raise ValueError(f"category must be a leaf slug ({', '.join(sources.LEAF_SLUGS)}), not {category!r}")
    if listing_type not in LISTING_TYPES:
        raise ValueError(f"listing_type must be one of {', '.join(LISTING_TYPES)}, not {listing_type!r}")
    if currency is not None and currency not in CURRENCIES:
        raise ValueError(f"currency must be one of {', '.join(CURRENCIES)}, not {currency!r}")


def _slugs_listed_by(slug: str) -> frozenset[str]:
    """Return the category slugs whose listings show on this category's pages (itself and children)."""
    category = sources.CATEGORIES_BY_SLUG[slug]
    children = {child.slug for child in sources.CATEGORIES if child.parent_id == category.category_id}
    return frozenset({slug, *children})


def _listing_from_draft(draft: Draft, listing_id: int, now: datetime) -> SimListing:
    listed_at = now - draft.age
    return SimListing(
        listing_id=listing_id, title=draft.title, category=draft.category,
        listing_type=draft.listing_type, price=draft.price,
        currency=draft.currency if draft.price is not None else None,
        condition=draft.condition, negotiability=draft.negotiability, ships_to=draft.ships_to,
        seller=draft.seller, seller_feedback=draft.seller_feedback, listed_at=listed_at,
        edited_at=None if draft.edited_after is None else listed_at + draft.edited_after,
        status=draft.status, thumbnail=_thumbnail_for(draft.thumbnail, listing_id),
    )


def _thumbnail_for(kind: str | None, listing_id: int) -> str | None:
    if kind is None:
        return None
    relative = f"/data/classifieds/{listing_id}/thumb.jpg"
    return ABSOLUTE_THUMBNAIL_HOST + relative if kind == "absolute" else relative


