"""A single Head-Fi listing page: HTML text in, the listing with its category and status out (pure).

Reference/headfi-markup.md §5: the H1 (`h1.p-title-value`) holds the title, prefixed `Sold: `,
`Closed: ` or `Traded: ` once the listing ended; the breadcrumbs (`ul.p-breadcrumbs`) end with the
listing's category, whose slug is in its `/classifieds/categories/<slug>.<id>/` link. The page's own URL
comes from XenForo's `<link rel="canonical">` (or `og:url`). Like the list parser, it never raises.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from audiowatch.listing import Listing, ListingStatus
from audiowatch.parse import headfi

# S2 reads the prefix before the first colon and accepts one word: Sold, Closed or Traded (reference §5).
_TITLE_PREFIX = re.compile(r"^(sold|closed|traded)\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)
_PREFIX_STATUSES = {"sold": ListingStatus.SOLD, "closed": ListingStatus.CLOSED, "traded": ListingStatus.TRADED}
_CATEGORY_PATH = re.compile(r"/classifieds/categories/([a-z0-9-]+)\.\d+/?$", re.IGNORECASE)
TITLE_SELECTOR = "h1.p-title-value"
LISTING_PATH = "/classifieds/"


@dataclass(frozen=True, slots=True)
class ListingPage:
    """What a listing page tells: its category and status always when shown; the whole listing when the
    page names its own URL (canonical link) and title."""

    title: str | None
    status: ListingStatus
    category: str | None
    listing: Listing | None


def is_listing_page(html: str) -> bool:
    """Return True when the page looks like a single listing (its H1 carries Head-Fi's page-title class)."""
    return "head-fi_generic_page_title" in html and "hfcUserListing" not in html


def parse_listing_page(html: str, base_url: str) -> ListingPage:
    """Parse a listing page. ``base_url`` is the site root; the listing URL is rebuilt on it."""
    document = LexborHTMLParser(html.encode("utf-8", "replace"))
    heading = headfi.visible_text(document.css_first(TITLE_SELECTOR))
    status, title = _status_and_title(heading)
    category = _category(document)
    listing = None
    identity = headfi.listing_identity(_own_url(document), base_url)
    if identity is not None and not urlsplit(identity[1]).path.startswith(LISTING_PATH):
        identity = None  # a canonical link elsewhere is no listing's own URL
    if identity is not None and title is not None:
        body = document.body or document.root
        if body is not None:
            found = headfi.read_listing(body, identity[0], identity[1], title, base_url, category)
            # The H1 prefix is the evidenced status on this page; the overlay only backs it up.
            ended = status if status is not ListingStatus.ACTIVE else found.status
            listing = dataclasses.replace(found, status=ended)
            status = ended
    return ListingPage(title, status, category, listing)


def _status_and_title(heading: str | None) -> tuple[ListingStatus, str | None]:
    if heading is None:
        return ListingStatus.ACTIVE, None
    match = _TITLE_PREFIX.match(heading)
    if match is None:
        return ListingStatus.ACTIVE, heading
    return _PREFIX_STATUSES[match.group(1).lower()], match.group(2).strip() or None


def _category(document: LexborHTMLParser) -> str | None:
    """Return the slug of the last category in the breadcrumbs: the listing's own, the deepest one."""
    slug = None
    for link in document.css("ul.p-breadcrumbs a[href]"):
        href = (link.attributes.get("href") or "").strip()
        try:
            path = urlsplit(href).path
        except ValueError:
            continue
        match = _CATEGORY_PATH.search(path)
        if match is not None:
            slug = match.group(1).lower()
    return slug


def _own_url(document: LexborHTMLParser) -> str | None:
    for selector, attribute in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = document.css_first(selector)
        value = node.attributes.get(attribute) if node is not None else None
        if value:
            return value
    return None
