"""Turn matched listings and their price observations into per-currency statistics (pure).

An *observation* is a price a listing asked: its first price, dated when it was posted, and every
later change, dated when a tick saw it. An *ask* is one listing's latest price, so a listing that was
cut from 1,200 to 1,000 and then sold counts once, at 1,000: the figure closest to what it went for.
Currencies are never mixed: each gets its own asks, percentiles, weekly medians and lowest asks.
Want To Buy listings are left out (their prices are offers, not asks) and counted, as are listings
that never showed a price.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from audiowatch.listing import ListingStatus

WANT_TO_BUY = "Want To Buy"
LOWEST_RECENT_COUNT = 5
RECENT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class MatchedListing:
    """A stored listing the expression matched, with the time it was posted (aware UTC)."""

    listing_id: int
    title: str
    url: str
    listing_type: str | None
    status: ListingStatus
    posted_at: datetime


@dataclass(frozen=True, slots=True)
class Observation:
    """A price a listing asked from ``observed_at`` on (aware UTC)."""

    listing_id: int
    observed_at: datetime
    price: float
    currency: str | None


@dataclass(frozen=True, slots=True)
class Ask:
    """One listing's latest price, with what a reader needs to find the listing."""

    listing: MatchedListing
    price: float
    currency: str | None
    asked_since: datetime


@dataclass(frozen=True, slots=True)
class Spread:
    """Order statistics of a set of prices; percentiles interpolate linearly between ranks."""

    lowest: float
    p10: float
    p25: float
    median: float
    p75: float
    p90: float
    highest: float


@dataclass(frozen=True, slots=True)
class WeeklyMedian:
    """The median of the prices observed in one week (Monday to Sunday, UTC)."""

    week: date
    median: float
    observations: int


@dataclass(frozen=True, slots=True)
class CurrencyPrices:
    """Everything about the asks in one currency (None: the page showed no currency)."""

    currency: str | None
    asks: tuple[Ask, ...]  # cheapest first
    spread: Spread
    by_status: tuple[tuple[ListingStatus, int], ...]  # asks per listing status now, in enum order
    observations: tuple[Observation, ...]  # oldest first
    weeks: tuple[WeeklyMedian, ...]  # weeks that had observations, oldest first
    lowest_recent: tuple[Ask, ...]  # the cheapest active listings posted lately, cheapest first


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """The price history of what an expression matched among listings posted since ``since``."""

    since: datetime
    now: datetime
    recent_since: datetime  # "lowest recent asks" are listings posted after this
    matched: int  # listings the expression matched, posted in the window
    want_to_buy: int  # of those, left out: their prices are offers
    without_price: int  # of those, never showed a price
    currencies: tuple[CurrencyPrices, ...]  # most asks first

    @property
    def charted(self) -> CurrencyPrices | None:
        """The currency a chart shows: the one with the most asks."""
        return self.currencies[0] if self.currencies else None


def summarize(
    listings: Sequence[MatchedListing], observations: Iterable[Observation], since: datetime, now: datetime
) -> PriceHistory:
    """Return the price history of ``listings`` from their ``observations`` (any order)."""
    by_listing: dict[int, list[Observation]] = defaultdict(list)
    for observation in sorted(observations, key=lambda found: (found.observed_at, found.listing_id)):
        by_listing[observation.listing_id].append(observation)
    offered = [listing for listing in listings if listing.listing_type != WANT_TO_BUY]
    asks = [_latest_ask(listing, by_listing[listing.listing_id]) for listing in offered
            if by_listing.get(listing.listing_id)]
    recent_since = max(since, now - RECENT)
    groups: dict[str | None, list[Ask]] = defaultdict(list)
    for ask in asks:
        groups[ask.currency].append(ask)
    currencies = [
        _currency_prices(currency, group, _observations_in(currency, group, by_listing), recent_since)
        for currency, group in groups.items()
    ]
    currencies.sort(key=lambda found: (-len(found.asks), -len(found.observations), found.currency or "~"))
    return PriceHistory(
        since=since, now=now, recent_since=recent_since, matched=len(listings),
        want_to_buy=len(listings) - len(offered), without_price=len(offered) - len(asks),
        currencies=tuple(currencies),
    )


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Return the ``fraction`` quantile of non-empty, sorted ``ordered``, interpolating between ranks.

    The same definition as DuckDB's quantile_cont and statistics.quantiles(method="inclusive").
    """
    position = (len(ordered) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def week_of(moment: datetime) -> date:
    """Return the Monday (UTC) of the week ``moment`` falls in."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def _latest_ask(listing: MatchedListing, seen: list[Observation]) -> Ask:
    latest = seen[-1]
    return Ask(listing, latest.price, latest.currency, latest.observed_at)


def _observations_in(
    currency: str | None, asks: list[Ask], by_listing: dict[int, list[Observation]]
) -> list[Observation]:
    # Every price these listings asked in this currency; an earlier price in another currency
    # (a rare re-listing) stays out of this chart rather than being mixed in.
    return sorted(
        (observation for ask in asks for observation in by_listing[ask.listing.listing_id]
         if observation.currency == currency),
        key=lambda found: (found.observed_at, found.listing_id),
    )


def _currency_prices(
    currency: str | None, asks: list[Ask], observations: list[Observation], recent_since: datetime
) -> CurrencyPrices:
    cheapest_first = sorted(asks, key=lambda ask: (ask.price, -ask.listing.posted_at.timestamp()))
    statuses = Counter(ask.listing.status for ask in asks)
    recent = [ask for ask in cheapest_first
              if ask.listing.status is ListingStatus.ACTIVE and ask.listing.posted_at >= recent_since]
    return CurrencyPrices(
        currency=currency,
        asks=tuple(cheapest_first),
        spread=_spread([ask.price for ask in cheapest_first]),
        by_status=tuple((status, statuses[status]) for status in ListingStatus if statuses[status]),
        observations=tuple(observations),
        weeks=_weekly_medians(observations),
        lowest_recent=tuple(recent[:LOWEST_RECENT_COUNT]),
    )


def _spread(ordered: list[float]) -> Spread:
    return Spread(
        lowest=ordered[0], p10=percentile(ordered, 0.10), p25=percentile(ordered, 0.25),
        median=percentile(ordered, 0.5), p75=percentile(ordered, 0.75), p90=percentile(ordered, 0.90),
        highest=ordered[-1],
    )


def _weekly_medians(observations: list[Observation]) -> tuple[WeeklyMedian, ...]:
    weeks: dict[date, list[float]] = defaultdict(list)
    for observation in observations:
        weeks[week_of(observation.observed_at)].append(observation.price)
    return tuple(
        WeeklyMedian(week, percentile(sorted(prices), 0.5), len(prices)) for week, prices in sorted(weeks.items())
    )
