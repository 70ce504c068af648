"""Match -> Message, and Message -> readable text (pure; no wire formats)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from audiowatch.events import EventKind
from audiowatch.listing import Listing
from audiowatch.market import MarketContext
from audiowatch.match import Match
from audiowatch.notify.base import Message

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}


def render_message(match: Match, market: MarketContext | None = None) -> Message:
    """Build the message for a match: one per listing and event, naming every rule it matched.

    ``market`` is where the listing's price sits among comparable asks, when the tick found enough.
    """
    event = match.event
    listing = event.listing
    previous_price = event.previous.price if event.previous is not None else None
    match event.kind:
        case EventKind.NEW:
            headline = f"New: {listing.title} — {format_price(listing)}"
        case EventKind.PRICE_DROP:
            was = format_amount(previous_price, listing.currency)
            headline = f"Price drop: {listing.title} — {was} → {format_price(listing)}"
        case EventKind.ENDED:
            headline = f"{str(listing.status).capitalize()}: {listing.title}"
    return Message(event.key, str(event.kind), headline, listing, match.rules, previous_price, market=market)


def format_text(message: Message) -> str:
    """Render a message as a few aligned lines for a terminal or a plain-text mail."""
    lines = [message.headline]
    if message.body:
        lines.extend(f"  {line}" if line else "" for line in message.body.splitlines())
    lines.extend(f"  {label + ':':<12}{value}" for label, value in details(message))
    return "\n".join(lines)


def details(message: Message) -> list[tuple[str, str]]:
    """Return the (label, value) pairs worth showing for a message's listing, in display order.

    The price is in the headline, so it is not repeated here; the market context follows it first.
    """
    listing = message.listing
    if listing is None:
        return []
    pairs = [
        ("Market", describe_market(message.market) if message.market is not None else None),
        ("Type", listing.listing_type),
        ("Condition", listing.condition),
        ("Negotiable", listing.negotiability),
        ("Ships to", listing.ships_to),
        ("Seller", _seller(listing)),
        ("Category", listing.category),
        ("Listed", listing.listed_at),
        ("Rules", ", ".join(message.rules)),
        ("Link", listing.url),
    ]
    return [(label, value) for label, value in pairs if value]


def digest_message(messages: Sequence[Message]) -> Message:
    """Fold several messages into one plain-text message, for channels without a digest format."""
    body = "\n\n".join(format_text(message) for message in messages)
    return Message(digest_key(messages), "digest", digest_headline(messages), None, (), body=body)


def digest_headline(messages: Sequence[Message]) -> str:
    return f"AudioWatch: {len(messages)} notifications"


def digest_key(messages: Sequence[Message]) -> str:
    """A stable key for a digest, so a repeated digest is recognisably the same one."""
    joined = "\n".join(message.event_key for message in messages)
    return "digest:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]


def sample_message(base_url: str, now: datetime) -> Message:
    """A realistic notification for `notify test`: a listing as a new match would show it.

    Its market context is invented like the listing, so each channel shows where that line goes.
    """
    listing = Listing(
        listing_id=999999,
        url=f"{base_url}/classifieds/sennheiser-hd-800-s-mint-with-case.999999/",
        title="Sennheiser HD 800 S - mint, with case and balanced cable",
        listing_type="For Sale", price=1149.0, currency="USD", condition="Excellent/Like new",
        negotiability="Or best offer", ships_to="United States, Canada", seller="jay.doe",
        seller_feedback=57, listed_at=now.replace(microsecond=0).isoformat(), category="full-size",
    )
    headline = f"Test from AudioWatch: {listing.title} — {format_price(listing)}"
    market = MarketContext(asks=37, below=4, median=1050.0, currency="USD")
    return Message(f"test:{now.isoformat()}", "new", headline, listing, ("notify-test",), market=market)


def describe_market(market: MarketContext) -> str:
    """Word a market context: `11th percentile of 37 asks in the last 180 days, median $1,050.00 USD`."""
    return (f"{ordinal(market.percentile)} percentile of {market.asks} asks in the last {market.days} days, "
            f"median {format_amount(market.median, market.currency)}")


def ordinal(number: int) -> str:
    """1 -> `1st`, 12 -> `12th`, 22 -> `22nd`."""
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def format_price(listing: Listing) -> str:
    return format_amount(listing.price, listing.currency)


def format_amount(amount: float | None, currency: str | None) -> str:
    """`1299.0, "USD"` -> `$1,299.00 USD`; no amount -> `no price`."""
    if amount is None:
        return "no price"
    symbol = _CURRENCY_SYMBOLS.get(currency or "", "")
    code = f" {currency}" if currency else ""
    return f"{symbol}{amount:,.2f}{code}"


def _seller(listing: Listing) -> str | None:
    if listing.seller is None:
        return None
    if listing.seller_feedback is None:
        return listing.seller
    return f"{listing.seller} ({listing.seller_feedback} feedback)"
