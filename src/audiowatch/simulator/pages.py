"""HTML of the simulated site: XenForo-2-like list, listing and error pages (pure: data in, text out).

The markup follows reference/headfi-markup.md §2-§5. Only the `hfc*` classes, the card being one
`<a>`, the pageNav and the `<time>` attributes are evidenced; wrappers and template names are invented.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from audiowatch import sources
from audiowatch.simulator.catalog import FOR_SALE, FOR_SALE_TRADE, WANT_TO_BUY, SimListing, slugify

# Guests see times in the site's zone (reference §4). A fixed -0800 keeps pages deterministic and
# makes every parser convert the `datetime` attribute to UTC.
SITE_TIMEZONE = timezone(timedelta(hours=-8), "PST")

CLASSIFIEDS_PATH = "/classifieds/"

# (href, text) pairs, outermost first.
Breadcrumbs = Sequence[tuple[str, str]]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}
_LABEL_COLOURS = {FOR_SALE: "label--green", FOR_SALE_TRADE: "label--blue", WANT_TO_BUY: "label--orange"}
_STATUS_WORDS = {"sold": "Sold", "closed": "Closed", "traded": "Traded"}
_NOT_FOUND_TITLE = "Oops! We ran into some problems."


def render_list_page(
    listings: Sequence[SimListing],
    *,
    page: int,
    total_pages: int,
    base_path: str,
    title: str,
    now: datetime | None = None,
    breadcrumbs: Breadcrumbs = (),
) -> str:
    """Return one page of an index or category list: the cards between two copies of the pageNav.

    `base_path` ends with "/" and is page 1's path; page N lives at `<base_path>page-N`. With `now`,
    dates read like XenForo's relative ones ("Today at 9:02 AM"); without it they are plain dates.
    """
    navigation = render_page_nav(page=page, total_pages=total_pages, base_path=base_path)
    cards = "\n".join(render_card(listing, now) for listing in listings)
    if not listings:
        cards = '<div class="blockMessage">There are no listings to display.</div>'
    # XenForo renders the pageNav above and below the list (reference §2).
    content = "\n".join((
        f'<div class="block-outer">\n{navigation}\n</div>',
        f'<div class="hfcListingGrid">\n{cards}\n</div>',
        f'<div class="block-outer block-outer--after">\n{navigation}\n</div>',
    ))
    page_title = title if page == 1 else f"{title} | Page {page}"
    header = _render_header(title, breadcrumbs, "p-title-value")
    return _render_document(
        template="hfc_classifieds_list", page_title=page_title, header=header, content=content
    )


def render_listing_page(listing: SimListing, now: datetime | None = None, site_url: str = "") -> str:
    """Return a single listing's page: breadcrumbs, the H1 with `Sold: ` etc. when ended, and the body.

    The head names the page's canonical URL, `site_url` + the listing's path, as XenForo does.
    """
    category = sources.CATEGORIES_BY_SLUG[listing.category]
    prefix = f"{_STATUS_WORDS[listing.status]}: " if listing.is_ended else ""
    header = _render_header(
        prefix + listing.title,
        breadcrumbs_for(category, include_self=True),
        "p-title-value head-fi_generic_page_title",
    )
    parts = (
        f'<div class="hfcListingView" data-listing-id="{listing.listing_id}">',
        _render_cover(listing),
        _render_price(listing),
        _render_field_columns(listing),
        _render_seller_link(listing),
        _render_date("hfcListingDate", "Listed:", listing.listed_at, listing.listing_id, now),
        _render_edit_date(listing, now),
        f'<article class="message-body"><div class="bbWrapper">{_describe(listing)}</div></article>',
        "</div>",
    )
    content = "\n".join(part for part in parts if part)
    canonical = f'<link rel="canonical" href="{html.escape(site_url + listing.path)}" />'
    return _render_document(template="hfc_classifieds_view", page_title=prefix + listing.title,
                            header=header, content=content, head=canonical)


def render_not_found(path: str) -> str:
    """Return XenForo's "page not found" error page, naming the requested path."""
    header = _render_header(_NOT_FOUND_TITLE, (), "p-title-value")
    content = (
        '<div class="blockMessage">The requested page could not be found.'
        f"<br /><code>{html.escape(path)}</code></div>"
    )
    return _render_document(template="error", page_title=_NOT_FOUND_TITLE, header=header, content=content)


def breadcrumbs_for(category: sources.Category, *, include_self: bool) -> list[tuple[str, str]]:
    """Return Classifieds › parent category (› the category itself when `include_self`)."""
    trail = [(CLASSIFIEDS_PATH, "Classifieds")]
    if category.parent_id is not None:
        parent = next(each for each in sources.CATEGORIES if each.category_id == category.parent_id)
        trail.append((parent.path, parent.name))
    if include_self:
        trail.append((category.path, category.name))
    return trail


def page_path(base_path: str, page: int) -> str:
    """Return page N's path: page 1 is `base_path` itself, later ones `<base_path>page-N`."""
    return base_path if page == 1 else f"{base_path}page-{page}"


def format_price(price: float | None, currency: str | None) -> str | None:
    """Return the price as a card shows it, e.g. `$1,299.00 USD` or `€899.00 EUR`; None without a price."""
    if price is None:
        return None
    symbol = _CURRENCY_SYMBOLS.get(currency or "", "")
    amount = f"{symbol}{price:,.2f}"
    return f"{amount} {currency}" if currency else amount


def render_page_nav(*, page: int, total_pages: int, base_path: str) -> str:
    """Return XenForo's `nav.pageNavWrapper`; empty for a single page, as XenForo omits it then."""
    if total_pages <= 1:
        return ""
    lines = ['<nav class="pageNavWrapper pageNavWrapper--mixed">', '  <div class="pageNav">']
    if page > 1:
        previous_page = page_path(base_path, page - 1)
        lines.append("    " + _link(previous_page, "pageNav-jump pageNav-jump--prev", "Prev"))
    lines.append('    <ul class="pageNav-main">')
    lines.extend(_render_page_items(page, total_pages, base_path))
    lines.append("    </ul>")
    if page < total_pages:
        next_page = page_path(base_path, page + 1)
        lines.append("    " + _link(next_page, "pageNav-jump pageNav-jump--next", "Next"))
    lines.append("  </div>")
    lines.append(_render_simple_nav(page, total_pages, base_path))
    lines.append("</nav>")
    return "\n".join(lines)


def render_card(listing: SimListing, now: datetime | None = None) -> str:
    """Return one `a.hfcUserListing` card, the skeleton of reference §3."""
    parts = (
        f'<a class="hfcUserListing" href="{html.escape(_card_href(listing))}">',
        _render_cover(listing),
        '  <div class="hfcListingBody">',
        f'    <div class="hfcListingTitle">{html.escape(listing.title)}</div>',
        _render_price(listing),
        _render_custom_fields(listing),
        _render_creator(listing),
        _render_date("hfcListingDate", "Listed:", listing.listed_at, listing.listing_id, now),
        _render_edit_date(listing, now),
        "  </div>",
        "</a>",
    )
    return "\n".join(part for part in parts if part)


def render_time(moment: datetime, *, listing_id: int, now: datetime | None = None) -> str:
    """Return a XenForo `<time class="u-dt">` for `moment`, in the 2.0-2.2 flavour for even ids, 2.3 for odd.

    Both flavours appear because Head-Fi's XenForo version is unknown (reference §4): 2.0-2.2 put
    unix seconds in `data-time`, 2.3 moved them to `data-timestamp` and made `data-time` a clock.
    """
    local = moment.astimezone(SITE_TIMEZONE)
    date_text, clock = _date_text(local), _clock_text(local)
    unix_seconds = int(moment.timestamp())
    if listing_id % 2 == 0:
        data = f'data-time="{unix_seconds}" data-date-string="{date_text}" data-time-string="{clock}"'
    else:
        data = (f'data-timestamp="{unix_seconds}" data-date="{date_text}" data-time="{clock}" '
                f'data-short="{_short_text(local, now)}"')
    return (f'<time class="u-dt" dir="auto" datetime="{local.strftime("%Y-%m-%dT%H:%M:%S%z")}" {data} '
            f'title="{date_text} at {clock}">{_relative_text(local, now)}</time>')


def _card_href(listing: SimListing) -> str:
    # Reference §7: cover hrefs with and without the trailing slash; `\.(\d+)/?$` reads both.
    return listing.path.rstrip("/") if listing.listing_id % 5 == 0 else listing.path


def _render_cover(listing: SimListing) -> str:
    lines = ['  <div class="hfcCover">']
    if listing.thumbnail:
        source = html.escape(listing.thumbnail)
        for modifier in ("blur", "clear"):
            lines.append(f'    <img class="hfcCoverImage hfcCoverImage--{modifier}" src="{source}" '
                         'alt="" loading="lazy" />')
    if listing.is_ended:
        word = _STATUS_WORDS[listing.status]
        lines.append('    <div class="hfcOverlayGlobal">'
                     f'<span class="hfcOverlayGlobal--content">{word}</span></div>')
    lines.append("  </div>")
    return "\n".join(lines)


def _render_price(listing: SimListing) -> str:
    colour = _LABEL_COLOURS.get(listing.listing_type, "label--primary")
    # XenForo's label markup puts a no-break space between type and price (reference §3, trap 1).
    label = (f'<span class="label {colour}">{html.escape(listing.listing_type)}</span>'
             '<span class="label-append">&nbsp;</span>')
    lines = ['    <div class="hfcPrice">', f"      {label}"]
    amount = format_price(listing.price, listing.currency)
    if amount is not None:
        lines.append(f"      {html.escape(amount)}")
    lines.append("    </div>")
    return "\n".join(lines)


def _field_pairs(listing: SimListing) -> list[tuple[str, str, str]]:
    """Return (field key, label, value) for the custom fields the listing has."""
    pairs = (
        ("condition", "Condition", listing.condition),
        ("negotiability", "Negotiability", listing.negotiability),
        ("ships_to", "Ships to", listing.ships_to),
    )
    return [(key, label, value) for key, label, value in pairs if value]


def _render_custom_fields(listing: SimListing) -> str:
    rows = [
        f'      <dl class="pairs pairs--inline"><dt>{label}</dt><dd>{html.escape(value)}</dd></dl>'
        for _, label, value in _field_pairs(listing)
    ]
    return "\n".join(['    <div class="hfcCustomFields">', *rows, "    </div>"]) if rows else ""


def _render_field_columns(listing: SimListing) -> str:
    # On the listing page, XenForo's custom-field pairs carry the field id (reference §5, inferred).
    rows = [
        f'  <dl class="pairs pairs--columns pairs--customField" data-field="{key}">'
        f"<dt>{label}</dt><dd>{html.escape(value)}</dd></dl>"
        for key, label, value in _field_pairs(listing)
    ]
    return "\n".join(['<div class="hfcCustomFields">', *rows, "</div>"]) if rows else ""


def _render_creator(listing: SimListing) -> str:
    # Label, name and feedback are separate elements: nothing inside a card may be a link (reference §2).
    if listing.seller is None:
        return ""
    feedback = "" if listing.seller_feedback is None else f" <span>({listing.seller_feedback})</span>"
    return (f'    <div class="hfcCreatorInfo"><span>Listed by:</span> '
            f'<span class="hfcUsername">{html.escape(listing.seller)}</span>{feedback}</div>')


def _render_seller_link(listing: SimListing) -> str:
    if listing.seller is None:
        return ""
    user_id = zlib.crc32(listing.seller.encode()) % 900_000 + 1_000
    href = f"/members/{slugify(listing.seller)}.{user_id}/"
    feedback = ""
    if listing.seller_feedback is not None:
        feedback = f' <span class="hfcFeedback">({listing.seller_feedback})</span>'
    return (f'<div class="hfcCreatorInfo"><span>Seller:</span> <a href="{href}" class="username" '
            f'data-user-id="{user_id}" dir="auto">{html.escape(listing.seller)}</a>{feedback}</div>')


def _render_date(css_class: str, label: str, moment: datetime, listing_id: int, now: datetime | None) -> str:
    time_element = render_time(moment, listing_id=listing_id, now=now)
    return f'    <div class="{css_class}">{label}\n      {time_element}</div>'


def _render_edit_date(listing: SimListing, now: datetime | None) -> str:
    if listing.edited_at is None:
        return ""
    return _render_date("hfcLastEditDate", "Last edited:", listing.edited_at, listing.listing_id, now)


def _render_page_items(page: int, total_pages: int, base_path: str) -> list[str]:
    """Return the numbered `li.pageNav-page` items: first, last, two either side, `…` for gaps."""
    shown = sorted({1, total_pages, *range(max(1, page - 2), min(total_pages, page + 2) + 1)})
    items: list[str] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            # XenForo's skip item is a link without href that opens a "go to page" menu.
            items.append('      <li class="pageNav-page pageNav-page--skip"><a data-xf-init="tooltip" '
                         'title="Go to page" role="button" tabindex="0">…</a></li>')
        current = " pageNav-page--current" if number == page else ""
        href = page_path(base_path, number)
        items.append(f'      <li class="pageNav-page{current}"><a href="{href}">{number}</a></li>')
        previous = number
    return items


def _render_simple_nav(page: int, total_pages: int, base_path: str) -> str:
    """Return XenForo's small-screen `div.pageNavSimple`, which repeats prev/next outside `.pageNav`."""
    links = []
    if page > 1:
        links.append(_link(page_path(base_path, page - 1), "pageNavSimple-el pageNavSimple-el--prev", "Prev"))
    links.append(f'<a class="pageNavSimple-el pageNavSimple-el--current" role="button">'
                 f"{page} of {total_pages}</a>")
    if page < total_pages:
        links.append(_link(page_path(base_path, page + 1), "pageNavSimple-el pageNavSimple-el--next", "Next"))
    return '  <div class="pageNavSimple">' + " ".join(links) + "</div>"


def _link(href: str, css_class: str, text: str) -> str:
    return f'<a href="{html.escape(href)}" class="{css_class}">{text}</a>'


def _date_text(local: datetime) -> str:
    return f"{_MONTHS[local.month - 1]} {local.day}, {local.year}"


def _clock_text(local: datetime) -> str:
    # Spelled out rather than strftime("%I %p"), which pads the hour and follows the locale.
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def _relative_text(local: datetime, now: datetime | None) -> str:
    """Return XenForo's visible date: "A moment ago", "N minutes ago", "Today at …", a weekday, a date."""
    if now is None:
        return _date_text(local)
    elapsed = now - local
    if elapsed < timedelta(minutes=1):
        return "A moment ago"
    if elapsed < timedelta(hours=1):
        minutes = elapsed // timedelta(minutes=1)
        return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    days_ago = (now.astimezone(SITE_TIMEZONE).date() - local.date()).days
    if days_ago == 0:
        return f"Today at {_clock_text(local)}"
    if days_ago == 1:
        return f"Yesterday at {_clock_text(local)}"
    if days_ago < 7:
        return f"{_WEEKDAYS[local.weekday()]} at {_clock_text(local)}"
    return _date_text(local)


def _short_text(local: datetime, now: datetime | None) -> str:
    """Return XenForo 2.3's `data-short`: "now", "5m", "2h", "3d", then "Jan 9"."""
    elapsed = None if now is None else now - local
    if elapsed is None or elapsed >= timedelta(days=7):
        return f"{_MONTHS[local.month - 1]} {local.day}"
    if elapsed < timedelta(minutes=1):
        return "now"
    if elapsed < timedelta(hours=1):
        return f"{elapsed // timedelta(minutes=1)}m"
    if elapsed < timedelta(days=1):
        return f"{elapsed // timedelta(hours=1)}h"
    return f"{elapsed.days}d"


def _describe(listing: SimListing) -> str:
    """Return the listing's BB-code body as HTML: a few plain sentences built from its fields."""
    amount = format_price(listing.price, listing.currency)
    if listing.listing_type == WANT_TO_BUY:
        sentences = [
            f"Looking for: {listing.title.removeprefix('WTB: ')}.",
            f"Paying up to {amount}." if amount else "Make me an offer.",
            f"Located in {listing.ships_to}." if listing.ships_to else "",
        ]
    else:
        sentences = [
            f"Up for sale: {listing.title}.",
            f"Condition: {listing.condition}." if listing.condition else "",
            f"Asking {amount}, shipped." if amount else "",
            "Open to trades, PM me with offers." if listing.listing_type == FOR_SALE_TRADE else "",
            f"Ships to {listing.ships_to}." if listing.ships_to else "",
            "PayPal G&S only.",
        ]
    return "<br />\n".join(html.escape(sentence) for sentence in sentences if sentence)


def _render_header(title: str, breadcrumbs: Breadcrumbs, title_class: str) -> str:
    crumbs = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in breadcrumbs
    )
    crumb_list = f'\n  <ul class="p-breadcrumbs">{crumbs}</ul>' if breadcrumbs else ""
    return (f'<div class="p-body-header">{crumb_list}\n'
            f'  <div class="p-title"><h1 class="{title_class}">{html.escape(title)}</h1></div>\n</div>')


def _render_document(*, template: str, page_title: str, header: str, content: str, head: str = "") -> str:
    """Wrap a page in XenForo's chrome: `<html id="XF">`, head, and the p-body wrappers (reference §2)."""
    return f"""<!DOCTYPE html>
<html id="XF" lang="en-US" dir="LTR" data-app="public" data-template="{template}" data-logged-in="false"
      class="has-no-js template-{template}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
<title>{html.escape(page_title)} | Head-Fi.org</title>{head}
</head>
<body data-template="{template}">
<div class="p-pageWrapper" id="top">
<div class="p-body">
<div class="p-body-inner">
{header}
<div class="p-body-main">
<div class="p-body-content">
<div class="p-body-pageContent">
{content}
</div>
</div>
</div>
</div>
</div>
</div>
</body>
</html>
"""
