"""Head-Fi classifieds list pages (index and category): HTML text in, listings out (pure).

Selectors and traps come from reference/headfi-markup.md ("the reference"): cards are `a.hfcUserListing`
found anywhere in the document (§2), their fields are read as in §3, dates as in §4. Only the id, the URL
and the title are required; every other field is None when the card does not show it, and no input
string, however broken, makes `parse_list_page` raise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from audiowatch.listing import Listing, ListingStatus

OPTIONAL_FIELDS: tuple[str, ...] = (
    "price", "listing_type", "seller", "listed_at", "condition", "ships_to", "thumbnail_url",
)
"""The optional fields whose fill rate `ParseResult.field_rates` reports (a drop hints at a layout change)."""

CARD_SELECTOR = "a.hfcUserListing"
NEXT_PAGE_SELECTOR = "a.pageNav-jump--next[href]"

# Reference §3: the id is the digits after the last "." of the card's href. At most 18 digits keeps it
# inside a signed 64-bit column and away from int()'s 4300-digit limit; longer runs are not ids.
_LISTING_ID = re.compile(r"\.(\d{1,18})/?$")
# Digit groups joined by "." or ","; which one is the decimal point is decided in _decimal_amount.
_AMOUNT = re.compile(r"\d+(?:[.,]\d+)*")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# Longer symbols first, so "CA$" is not read as "$".
_CURRENCY_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("CA$", "CAD"), ("C$", "CAD"), ("AU$", "AUD"), ("A$", "AUD"), ("US$", "USD"), ("$", "USD"),
    ("€", "EUR"), ("£", "GBP"),
)
# Reference §3 trap 4: "Listed by:" + name + "(N)"; names hold spaces, dots and dashes, so no \w+.
# A listing page labels the same block "Seller:" (simulator, reference §5 [INF]).
_LISTED_BY = re.compile(r"^\s*(?:listed\s+by|seller)\s*:?", re.IGNORECASE)
_FEEDBACK = re.compile(r"\(\s*([+-]?\d[\d,]{0,12})\s*\)\s*$")
# Reference §4: Unix seconds are all digits; XF 2.3's data-time is a clock string ("9:02 AM").
_UNIX_SECONDS = re.compile(r"\d{1,12}")
# Reference §3: custom fields are matched by the start of their dt text, never by position.
_CUSTOM_FIELD_PREFIXES: tuple[tuple[str, str], ...] = (
    ("condition", "condition"), ("negotiab", "negotiability"), ("ship", "ships_to"),
)
# Reference §3: the overlay says Sold, Closed or Traded. "Expired" is not evidenced, but if it ever
# appears the listing has ended, and closed is the nearest status. Any other overlay text leaves the
# listing active: an overlay we cannot read must not end a listing (and fire "sold" notifications).
_OVERLAY_STATUSES: tuple[tuple[str, ListingStatus], ...] = (
    ("sold", ListingStatus.SOLD), ("traded", ListingStatus.TRADED),
    ("closed", ListingStatus.CLOSED), ("expire", ListingStatus.CLOSED),
)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one list page held: its listings, what could not be read, and where the next page is."""

    listings: tuple[Listing, ...]
    """In page order, de-duplicated by id (the first card wins)."""
    skipped: int
    """Cards lacking an id or a title. Duplicates are neither listed nor counted here."""
    cards: int
    """Cards found (`a.hfcUserListing`), whether parsed, skipped or duplicated."""
    field_rates: dict[str, float]
    """For each name in OPTIONAL_FIELDS, the share of `listings` where it is set (1.0 when none)."""
    next_url: str | None
    """Absolute URL of the next page on `base_url`'s site, None on the last page."""


def parse_list_page(html: str, base_url: str, category: str | None = None) -> ParseResult:
    """Parse a Head-Fi classifieds list page into listings.

    `base_url` is the site root, e.g. "https://www.head-fi.org" (no path): listing URLs and the next-page
    URL are the href's path on that site, whatever host the href names. `category` is stored on every
    listing. Never raises: cards without an id or a title are counted in `skipped`.
    """
    # Lone surrogates cannot be encoded as UTF-8; replace them rather than fail on a stray character.
    document = LexborHTMLParser(html.encode("utf-8", "replace"))
    cards = document.css(CARD_SELECTOR)
    listings: dict[int, Listing] = {}
    skipped = 0
    for card in cards:
        listing = _parse_card(card, base_url, category)
        if listing is None:
            skipped += 1
        else:
            listings.setdefault(listing.listing_id, listing)
    found = tuple(listings.values())
    return ParseResult(found, skipped, len(cards), _field_rates(found), _next_url(document, base_url))


def _parse_card(card: LexborNode, base_url: str, category: str | None) -> Listing | None:
    identity = listing_identity(card.attributes.get("href"), base_url)
    title = visible_text(card.css_first(".hfcListingTitle"))
    if identity is None or title is None:
        return None
    return read_listing(card, identity[0], identity[1], title, base_url, category)


def read_listing(
    node: LexborNode, listing_id: int, url: str, title: str, base_url: str, category: str | None
) -> Listing:
    """Return the listing whose `hfc*` fields (price, custom fields, seller, dates, overlay, cover) are
    under ``node``: a card, or the body of a listing page, which uses the same components."""
    listing_type, price, currency = _price_fields(node.css_first(".hfcPrice"))
    custom_fields = _custom_fields(node)
    seller, seller_feedback = _seller(node.css_first(".hfcCreatorInfo"))
    return Listing(
        listing_id=listing_id,
        url=url,
        title=title,
        listing_type=listing_type,
        price=price,
        currency=currency,
        condition=custom_fields.get("condition"),
        negotiability=custom_fields.get("negotiability"),
        ships_to=custom_fields.get("ships_to"),
        seller=seller,
        seller_feedback=seller_feedback,
        listed_at=_utc_timestamp(node.css_first(".hfcListingDate time")),
        edited_at=_utc_timestamp(node.css_first(".hfcLastEditDate time")),
        status=_status(node.css_first(".hfcOverlayGlobal--content")),
        thumbnail_url=_thumbnail_url(node.css_first("img.hfcCoverImage--clear"), base_url),
        category=category,
    )


def visible_text(node: LexborNode | None) -> str | None:
    """Return the node's text with entities decoded and whitespace (no-break spaces too) collapsed."""
    if node is None:
        return None
    return " ".join(node.text().split()) or None


def _site_path(base_url: str, href: str | None) -> tuple[str, str] | None:
    """Resolve an href against the site root; return its (path, query), or None if it is no web URL."""
    if href is None or not href.strip() or href.strip().startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(base_url.rstrip("/") + "/", href.strip()))
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        return None
    if parts.scheme not in ("http", "https"):
        return None
    return parts.path, parts.query


def listing_identity(href: str | None, base_url: str) -> tuple[int, str] | None:
    """Return the listing's id and canonical URL (`<base_url>/classifieds/<slug>.<id>/`), or None."""
    resolved = _site_path(base_url, href)
    match = _LISTING_ID.search(resolved[0]) if resolved else None
    if resolved is None or match is None:
        return None
    path = resolved[0] if resolved[0].endswith("/") else resolved[0] + "/"
    return int(match.group(1)), base_url.rstrip("/") + path


def _price_fields(price_node: LexborNode | None) -> tuple[str | None, float | None, str | None]:
    """Return (listing type, price, currency) from `.hfcPrice`: a label, then the amount (reference §3)."""
    if price_node is None:
        return None, None, None
    listing_type = visible_text(price_node.css_first("span.label"))
    # Trap 1 of reference §3: a no-break space (not U+0020) sits between label and amount; split()
    # in _visible_text treats it, newlines and indentation alike.
    text = visible_text(price_node) or ""
    if listing_type is not None:
        text = text.replace(listing_type, " ", 1)
    price, currency = _amount_and_currency(text)
    return listing_type, price, currency


def _amount_and_currency(text: str) -> tuple[float | None, str | None]:
    """Read "$1,299.00 USD", "€450.00 EUR", "USD 999" and the like; (None, None) when no amount."""
    match = _AMOUNT.search(text)
    price = _decimal_amount(match.group()) if match else None
    if match is None or price is None:
        return None, None
    return price, _currency(text[: match.start()], text[match.end():])


def _decimal_amount(digits: str) -> float | None:
    """Return the amount of "1,299.00", "1.299,00", "1,299" or "450"; None if it is not finite."""
    # The last separator is the decimal point unless exactly three digits follow it, in which case
    # it groups thousands: prices never carry three decimals.
    last_separator = max(digits.rfind(","), digits.rfind("."))
    if last_separator == -1 or len(digits) - last_separator - 1 == 3:
        whole, fraction = digits, "0"
    else:
        whole, fraction = digits[:last_separator], digits[last_separator + 1:]
    amount = float(whole.replace(",", "").replace(".", "") + "." + fraction)
    return amount if math.isfinite(amount) else None


def _currency(before: str, after: str) -> str | None:
    """Return the ISO code beside the amount, else the one its symbol implies, else None."""
    for token in (after.split()[:1] + before.split()[-1:]):
        if _CURRENCY_CODE.fullmatch(token):
            return token
    for symbol, code in _CURRENCY_SYMBOLS:
        if before.rstrip().endswith(symbol) or after.lstrip().startswith(symbol):
            return code
    return None


def _custom_fields(card: LexborNode) -> dict[str, str]:
    """Return condition, negotiability and ships_to from `.hfcCustomFields dl.pairs`, where shown."""
    values: dict[str, str] = {}
    for pair in card.css(".hfcCustomFields dl.pairs"):
        name = (visible_text(pair.css_first("dt")) or "").lower()
        value = visible_text(pair.css_first("dd"))
        field = next((field for prefix, field in _CUSTOM_FIELD_PREFIXES if name.startswith(prefix)), None)
        if field is not None and value is not None:
            values.setdefault(field, value)
    return values


def _seller(creator: LexborNode | None) -> tuple[str | None, int | None]:
    """Return (name, feedback) from `.hfcCreatorInfo`: "Listed by:" name "(N)" (reference §3)."""
    if creator is None:
        return None, None
    text = visible_text(creator) or ""
    feedback = _FEEDBACK.search(text)
    # The card's name is a span (no links inside a card); a listing page links it (XenForo a.username).
    name = visible_text(creator.css_first(".hfcUsername, a.username"))
    if name is None:
        name = _LISTED_BY.sub("", text[: feedback.start() if feedback else len(text)], count=1).strip()
    return (name or None), (int(feedback.group(1).replace(",", "")) if feedback else None)


def _utc_timestamp(time_node: LexborNode | None) -> str | None:
    """Return a XenForo `<time>` as "YYYY-MM-DDTHH:MM:SS+00:00", or None if it gives no instant.

    Reference §4: prefer the ISO `datetime` attribute (offsets like -0800, +01:00 or Z); else Unix
    seconds from `data-timestamp` (XF 2.3) or `data-time` (XF 2.2 and older).
    """
    if time_node is None:
        return None
    attributes = time_node.attributes
    moment = (
        _from_iso(attributes.get("datetime"))
        or _from_unix_seconds(attributes.get("data-timestamp"))
        or _from_unix_seconds(attributes.get("data-time"))
    )
    return None if moment is None else moment.isoformat(timespec="seconds")


def _from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        # Without an offset the instant is unknown (XenForo always writes one): do not guess a zone.
        return None if moment.utcoffset() is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # not ISO 8601; or year 1 shifted before year 1
        return None


def _from_unix_seconds(value: str | None) -> datetime | None:
    if value is None or _UNIX_SECONDS.fullmatch(value.strip()) is None:
        return None
    try:
        return datetime.fromtimestamp(int(value.strip()), UTC)
    except (OverflowError, OSError, ValueError):  # beyond the platform's or datetime's years
        return None


def _status(overlay: LexborNode | None) -> ListingStatus:
    """Return the status the `.hfcOverlayGlobal--content` overlay shows; no overlay means active."""
    text = (visible_text(overlay) or "").lower()
    return next((status for word, status in _OVERLAY_STATUSES if word in text), ListingStatus.ACTIVE)


def _thumbnail_url(image: LexborNode | None, base_url: str) -> str | None:
    """Return `img.hfcCoverImage--clear[src]` as an absolute http(s) URL (images may live on a CDN)."""
    source = (image.attributes.get("src") or "").strip() if image is not None else ""
    if not source:
        return None
    try:
        resolved = urljoin(base_url.rstrip("/") + "/", source)
        return resolved if urlsplit(resolved).scheme in ("http", "https") else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None


def _next_url(document: LexborHTMLParser, base_url: str) -> str | None:
    """Return the first `a.pageNav-jump--next` as an absolute URL on base_url's site (reference §2)."""
    # XenForo renders the page navigation twice, above and below the list; both copies agree.
    link = document.css_first(NEXT_PAGE_SELECTOR)
    resolved = _site_path(base_url, link.attributes.get("href")) if link is not None else None
    if resolved is None:
        return None
    path, query = resolved
    return base_url.rstrip("/") + (path or "/") + (f"?{query}" if query else "")


def _field_rates(listings: Sequence[Listing]) -> dict[str, float]:
    if not listings:
        return dict.fromkeys(OPTIONAL_FIELDS, 1.0)
    return {
        name: sum(getattr(listing, name) is not None for listing in listings) / len(listings)
        for name in OPTIONAL_FIELDS
    }
