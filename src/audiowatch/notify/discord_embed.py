"""Message -> Discord webhook JSON, always within Discord's limits (pure).

Limits from reference/scheduling-notify-reliability.md §6: title 256, description 4096, 25 fields,
field name 256 and value 1024, footer 2048, author 256, 6000 characters across all embeds of a
message, 10 embeds, content 2000. Over-long text is cut with an ellipsis, never rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from audiowatch.notify import render
from audiowatch.notify.base import Message

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
TOTAL_LIMIT = 6000
EMBEDS_LIMIT = 10
CONTENT_LIMIT = 2000

_COLORS = {"new": 0x2ECC71, "price_drop": 0x3498DB, "ended": 0x95A5A6, "ops": 0xE67E22}
_LABELS = {"new": "New listing", "price_drop": "Price drop", "ended": "Listing ended", "ops": "AudioWatch"}
# Shown elsewhere in the embed: the title links to the listing and the timestamp is its date.
_NOT_FIELDS = ("Link", "Listed")
_SHORT_FIELDS = ("Price", "Type", "Condition", "Negotiable", "Ships to", "Seller", "Category")
# Discord drops a backslash before any punctuation and shows the character itself. Escaping
# these stops bold, links, headings and <@id> or @everyone mentions in user-written text.
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]#<@])")

Embed = dict[str, Any]


def build_payload(
    messages: Sequence[Message], *, username: str | None = None, avatar_url: str | None = None
) -> dict[str, Any]:
    """Return the execute-webhook JSON for one message, or a digest of up to 10 as one post.

    ``allowed_mentions`` with an empty ``parse`` list means no text can ping anyone, whatever
    a listing title says (reference §6).
    """
    if not 1 <= len(messages) <= EMBEDS_LIMIT:
        raise ValueError(f"a Discord message holds 1 to {EMBEDS_LIMIT} embeds, not {len(messages)}")
    headline = messages[0].headline if len(messages) == 1 else render.digest_headline(messages)
    payload: dict[str, Any] = {
        "content": clip(escape(headline), CONTENT_LIMIT),
        "embeds": fit_total([embed_for(message) for message in messages]),
        "allowed_mentions": {"parse": []},
    }
    if username:
        payload["username"] = username
    if avatar_url:
        payload["avatar_url"] = avatar_url
    return payload


def split(messages: Sequence[Message]) -> list[Sequence[Message]]:
    """Cut a digest into consecutive runs that each fit one post: at most 10 embeds, 6000 characters."""
    parts: list[Sequence[Message]] = []
    start, size = 0, 0
    for index, message in enumerate(messages):
        embed_size = size_of(fit_total([embed_for(message)]))
        if index > start and (index - start >= EMBEDS_LIMIT or size + embed_size > TOTAL_LIMIT):
            parts.append(messages[start:index])
            start, size = index, 0
        size += embed_size
    if start < len(messages):
        parts.append(messages[start:])
    return parts


def embed_for(message: Message) -> Embed:
    """One embed: for a listing, its title linked to it with price, details and rules as fields."""
    listing = message.listing
    embed: Embed = {"color": _COLORS.get(message.event_kind, _COLORS["ops"])}
    embed["author"] = {"name": clip(_LABELS.get(message.event_kind, "AudioWatch"), AUTHOR_LIMIT)}
    if listing is None:
        embed["title"] = clip(escape(message.headline), TITLE_LIMIT)
        if message.body:
            embed["description"] = clip(escape(message.body), DESCRIPTION_LIMIT)
        embed["footer"] = {"text": "AudioWatch"}
        return embed
    embed["title"] = clip(escape(listing.title), TITLE_LIMIT)
    if _is_web_url(listing.url):
        embed["url"] = listing.url
    embed["fields"] = _fields(message)
    if listing.thumbnail_url and _is_web_url(listing.thumbnail_url):
        embed["thumbnail"] = {"url": listing.thumbnail_url}
    if listing.listed_at:
        embed["timestamp"] = listing.listed_at
    embed["footer"] = {"text": clip(f"AudioWatch · Head-Fi listing {listing.listing_id}", FOOTER_LIMIT)}
    return embed


def _fields(message: Message) -> list[dict[str, Any]]:
    listing = message.listing
    assert listing is not None  # only called for listing messages
    pairs: list[tuple[str, str]] = []
    if listing.price is not None:
        price = render.format_price(listing)
        if message.previous_price is not None:
            price = f"{price} (was {render.format_amount(message.previous_price, listing.currency)})"
        pairs.append(("Price", price))
    if message.event_kind == "ended":
        pairs.append(("Status", str(listing.status).capitalize()))
    pairs.extend((label, value) for label, value in render.details(message) if label not in _NOT_FIELDS)
    return [
        {"name": clip(label, FIELD_NAME_LIMIT), "value": clip(escape(value), FIELD_VALUE_LIMIT),
         "inline": label in _SHORT_FIELDS}
        for label, value in pairs[:FIELDS_LIMIT]
    ]


def fit_total(embeds: list[Embed], limit: int = TOTAL_LIMIT) -> list[Embed]:
    """Shorten the longest texts (titles, descriptions, field values) evenly until all fit ``limit``.

    Finds the largest length cap that fits, so short texts stay whole and only long ones are cut.
    """
    if size_of(embeds) <= limit:
        return embeds
    lengths = [units(text) for text in _shrinkable(embeds)]
    fixed = size_of(embeds) - sum(lengths)
    low, high = 1, max(lengths)
    while low < high:  # the largest cap whose total fits
        middle = (low + high + 1) // 2
        if fixed + sum(min(length, middle) for length in lengths) <= limit:
            low = middle
        else:
            high = middle - 1
    return [_capped(embed, low) for embed in embeds]


def size_of(embeds: Sequence[Embed]) -> int:
    """The characters Discord counts toward the 6000 limit: title, description, author, footer, fields."""
    total = 0
    for embed in embeds:
        total += units(embed.get("title", "")) + units(embed.get("description", ""))
        total += units(embed.get("author", {}).get("name", "")) + units(embed.get("footer", {}).get("text", ""))
        total += sum(units(field["name"]) + units(field["value"]) for field in embed.get("fields", []))
    return total


def _shrinkable(embeds: Sequence[Embed]) -> list[str]:
    texts: list[str] = []
    for embed in embeds:
        texts.extend(embed[key] for key in ("title", "description") if key in embed)
        texts.extend(field["value"] for field in embed.get("fields", []))
    return texts


def _capped(embed: Embed, cap: int) -> Embed:
    capped = dict(embed)
    for key in ("title", "description"):
        if key in capped:
            capped[key] = clip(capped[key], cap)
    if "fields" in capped:
        capped["fields"] = [{**field, "value": clip(field["value"], cap)} for field in capped["fields"]]
    return capped


def clip(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` units, ending in an ellipsis when cut."""
    if units(text) <= limit:
        return text
    cut = text[: limit - 1]
    while units(cut) > limit - 1:
        cut = cut[:-1]
    return cut + "…"


def units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape Discord markdown, so a listing title shows as written and cannot fake a link."""
    return _MARKDOWN.sub(r"\\\1", text)


def _is_web_url(url: str) -> bool:
    return url.startswith(("https://", "http://"))
