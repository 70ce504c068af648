"""Match -> Message, and Message -> readable text (pure; no wire formats)."""

from __future__ import annotations

from audiowatch.events import EventKind
from audiowatch.listing import Listing
from audiowatch.match import Match
from audiowatch.notify.base import Message

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}


def render_message(match: Match) -> Message:
    """Build the message for a match: one per listing and event, naming every rule it matched."""
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
    return Message(event.key, str(event.kind), headline, listing, match.rules, previous_price)


def format_text(message: Message) -> str:
    """Render a message as a few aligned lines for a terminal or a plain-text mail."""
    listing = message.listing
    details = [
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
    lines = [message.headline]
    lines.extend(f"  {label + ':':<12}{value}" for label, value in details if value)
    return "\n".join(lines)


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
