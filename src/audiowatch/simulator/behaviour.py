"""How the simulated site misbehaves on demand: blocks, bot challenges, a login wall, slow pages, a redesign.

Tests set fields of `SimulatedSite.behaviour` between ticks; the server reads them on every request.
The pages imitate what the real thing sends: Cloudflare's "Just a moment..." interstitial (status 403,
`cf-mitigated: challenge`, a script that sets a clearance cookie and reloads), XenForo's login form.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

CLEARANCE_COOKIE = "hf_clearance"


class Challenge(StrEnum):
    """Which bot check guards the pages."""

    SCRIPT = "script"  # sets a cookie and reloads: a real browser passes, plain HTTP never does
    CAPTCHA = "captcha"  # waits for a person: nobody passes


class Layout(StrEnum):
    """How list pages are marked up."""

    NORMAL = "normal"
    RENAMED_CARDS = "renamed-cards"  # cards no longer carry `hfcUserListing`: a page of zero cards
    RENAMED_FIELDS = "renamed-fields"  # cards found, but price, type, seller and date moved elsewhere


@dataclass(slots=True)
class Behaviour:
    """The site's current mood; every field is read on each request (mutable on purpose)."""

    block: int | None = None  # answer every page with this status: 403, 429 or 503
    block_after: int = 0  # ... once this many more pages were served normally
    retry_after: str | None = None  # the Retry-After header sent with a block
    login_wall: bool = False  # answer every page with XenForo's login form (403)
    challenge: Challenge | None = None  # guard pages with a bot check
    slow_seconds: float = 0.0  # wait this long before answering a page
    slow_requests: int | None = None  # only the next N page requests are slow (None: all of them)
    layout: Layout = Layout.NORMAL

    def take_block(self) -> int | None:
        """Return the status to block this request with, counting down `block_after` first."""
        if self.block is None:
            return None
        if self.block_after > 0:
            self.block_after -= 1
            return None
        return self.block

    def take_slowness(self) -> float:
        """Return how long to stall this request, counting it against `slow_requests`."""
        if self.slow_seconds <= 0 or self.slow_requests == 0:
            return 0.0
        if self.slow_requests is not None:
            self.slow_requests -= 1
        return self.slow_seconds


_BLOCK_PAGES = {
    403: ("Access denied", "You do not have permission to access this page. (Error 1020)"),
    429: ("Too Many Requests", "You have made too many requests recently. Please slow down."),
    503: ("Service Unavailable", "Head-Fi is down for maintenance. Please check back soon."),
}


def render_block(status: int) -> str:
    """Return the plain error page a CDN or the forum shows with a 403, 429 or 503."""
    title, text = _BLOCK_PAGES.get(status, ("Error", f"HTTP {status}"))
    return (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
            f"<body><h1>{title}</h1><p>{html.escape(text)}</p></body></html>\n")


def render_challenge(kind: Challenge, token: str) -> str:
    """Return a "Just a moment..." interstitial; the script kind sets the clearance cookie and reloads.

    The reload waits a moment, as Cloudflare's does, so the page has finished loading first.
    """
    if kind is Challenge.SCRIPT:
        action = (f'setTimeout(function () {{ document.cookie = "{CLEARANCE_COOKIE}={token}; path=/; '
                  'SameSite=Lax"; location.reload(); }, 300);')
    else:
        action = "/* an interactive check: waits for a person to tick the box */"
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="content-type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow">
</head><body>
<div class="main-content"><h1 class="zone-name-title">www.head-fi.org</h1>
<p id="challenge-body-text">www.head-fi.org needs to review the security of your connection before proceeding.</p>
<noscript>Enable JavaScript and cookies to continue</noscript></div>
<script>window._cf_chl_opt = {{cType: '{kind.value}'}}; {action}</script>
</body></html>
"""


def render_login_wall() -> str:
    """Return XenForo's "log in to see this" page (template `login`)."""
    return """<!DOCTYPE html>
<html id="XF" lang="en-US" dir="LTR" data-app="public" data-template="login" data-logged-in="false">
<head><title>Log in | Head-Fi.org</title></head>
<body data-template="login">
<div class="p-body-header"><div class="p-title"><h1 class="p-title-value">Log in</h1></div></div>
<div class="blockMessage blockMessage--error">You must be logged-in to do that.</div>
<form action="/login/login" method="post" class="block">
<input type="text" name="login" autocomplete="username"><input type="password" name="password">
<button type="submit" class="button--primary button">Log in</button></form>
</body></html>
"""


# A redesign renames the classes a scraper relies on (reference §3's `hfc*` names).
_REDESIGNS: dict[Layout, tuple[tuple[str, str], ...]] = {
    Layout.NORMAL: (),
    Layout.RENAMED_CARDS: (('class="hfcUserListing"', 'class="hfcListingCard"'),),
    Layout.RENAMED_FIELDS: (
        ('class="hfcPrice"', 'class="hfcListingPrice"'),
        ('class="hfcCreatorInfo"', 'class="hfcSeller"'),
        ('class="hfcListingDate"', 'class="hfcPosted"'),
    ),
}


def redesign(page: str, layout: Layout) -> str:
    """Return a list page as the given layout would mark it up."""
    for old, new in _REDESIGNS[layout]:
        page = page.replace(old, new)
    return page
