"""Is a fetched page a block, and how long does a block keep us away? (pure)

`classify(page)` names what stands between us and the classifieds: HTTP 403, 429 (with its
Retry-After), 503, a bot challenge ("Just a moment...", Cloudflare's challenge-platform scripts) or a
login wall. `back_off(block, previous, now)` turns a block into a deadline that doubles while the
blocks keep coming, so AudioWatch asks less of a site that is already saying no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

from audiowatch.fetch.base import Page


class BlockKind(StrEnum):
    """What kind of "no" the site answered."""

    FORBIDDEN = "forbidden"  # HTTP 403 without a challenge: an IP or user-agent ban
    RATE_LIMITED = "rate_limited"  # HTTP 429: too many requests
    UNAVAILABLE = "unavailable"  # HTTP 503: overloaded or in maintenance
    CHALLENGE = "challenge"  # a bot check only a real browser may pass
    LOGIN_WALL = "login_wall"  # the classifieds now need an account


@dataclass(frozen=True, slots=True)
class Block:
    """A page the site answered instead of the one asked for."""

    kind: BlockKind
    url: str
    status: int
    evidence: str  # what gave it away, in words
    retry_after: timedelta | None = None  # what the site asked for, if it said

    def describe(self) -> str:
        """Return e.g. "HTTP 429 (rate limited, Retry-After 120 s) at https://…"."""
        asked = f", Retry-After {int(self.retry_after.total_seconds())} s" if self.retry_after else ""
        return f"HTTP {self.status} ({self.evidence}{asked}) at {self.url}"


@dataclass(frozen=True, slots=True)
class Backoff:
    """The promise not to ask the site anything before ``deadline``, kept in the state table."""

    kind: BlockKind
    url: str
    status: int
    evidence: str
    since: datetime  # the first block of this run of blocks
    blocked_at: datetime  # the latest block
    deadline: datetime
    strikes: int  # blocks in a row, 1 for the first

    def describe(self) -> str:
        return f"HTTP {self.status} ({self.evidence}) at {self.url}"


# How long the first block of each kind keeps us away; each further block in a row doubles it.
# A rate limit or a 503 usually clears in minutes; a ban, a challenge or a login wall needs a person
# (or the site's mood) to change, so there is no point asking again soon.
FIRST_WAIT: dict[BlockKind, timedelta] = {
    BlockKind.RATE_LIMITED: timedelta(minutes=15),
    BlockKind.UNAVAILABLE: timedelta(minutes=10),
    BlockKind.CHALLENGE: timedelta(minutes=30),
    BlockKind.FORBIDDEN: timedelta(hours=1),
    BlockKind.LOGIN_WALL: timedelta(hours=1),
}
LONGEST_WAIT = timedelta(hours=24)
# A Retry-After is honoured even past LONGEST_WAIT, up to this (a header of "ten years" is a bug).
LONGEST_RETRY_AFTER = timedelta(days=7)

# Bot-check interstitials (Cloudflare and the like). The title and the challenge options object are
# what Cloudflare's "Just a moment..." page carries; `cf-mitigated: challenge` is the header
# Cloudflare documents for challenged responses. A page with listing cards is never one of these,
# since Cloudflare also injects challenge-platform scripts into ordinary pages.
_CHALLENGE_TITLE = re.compile(
    r"<title[^>]*>\s*(just a moment|checking your browser|verifying you are human|please wait|ddos-guard)",
    re.IGNORECASE,
)
_CHALLENGE_MARKERS = ("window._cf_chl_opt", "/cdn-cgi/challenge-platform/h/", 'id="challenge-form"',
                      "enable javascript and cookies to continue")
# XenForo shows its login form (template "login") where a guest may not look; the phrase is XenForo's.
_LOGIN_MARKERS = ('data-template="login"', "you must be logged-in to do that")
_CARD_MARKER = "hfcUserListing"
_STATUS_KINDS = {403: BlockKind.FORBIDDEN, 429: BlockKind.RATE_LIMITED, 503: BlockKind.UNAVAILABLE,
                 401: BlockKind.LOGIN_WALL}
_STATUS_WORDS = {403: "forbidden", 429: "rate limited", 503: "service unavailable", 401: "login required"}


def classify(page: Page) -> Block | None:
    """Return the block ``page`` is, or None for a page the site meant to show (any other status too).

    A challenge is recognised whatever the status (Cloudflare uses 403, 503 and sometimes 200),
    so the browser gets its chance at it before the status counts as a plain refusal.
    """
    lowered = page.html.lower()
    has_cards = _CARD_MARKER.lower() in lowered
    evidence = None if has_cards else _challenge_evidence(page, lowered)
    if evidence is not None:
        return Block(BlockKind.CHALLENGE, page.url, page.status, evidence, _retry_after(page))
    if not has_cards and any(marker in lowered for marker in _LOGIN_MARKERS):
        return Block(BlockKind.LOGIN_WALL, page.url, page.status, "a login form instead of the classifieds")
    kind = _STATUS_KINDS.get(page.status)
    if kind is None:
        return None
    return Block(kind, page.url, page.status, _STATUS_WORDS[page.status], _retry_after(page))


def back_off(block: Block, previous: Backoff | None, now: datetime) -> Backoff:
    """Return the back-off after ``block``: the first wait for its kind, doubled per earlier block in a row.

    Never earlier than the site's Retry-After (up to LONGEST_RETRY_AFTER); otherwise at most LONGEST_WAIT.
    """
    strikes = previous.strikes + 1 if previous is not None else 1
    wait = min(FIRST_WAIT[block.kind] * 2 ** min(strikes - 1, 16), LONGEST_WAIT)
    if block.retry_after is not None:
        wait = max(wait, min(block.retry_after, LONGEST_RETRY_AFTER))
    since = previous.since if previous is not None else now
    return Backoff(block.kind, block.url, block.status, block.evidence, since, now, now + wait, strikes)


def _challenge_evidence(page: Page, lowered: str) -> str | None:
    if page.headers.get("cf-mitigated", "").lower() == "challenge":
        return "a bot challenge (cf-mitigated: challenge)"
    title = _CHALLENGE_TITLE.search(page.html)
    if title is not None:
        return f'a bot challenge ("{title.group(1)}")'
    marker = next((marker for marker in _CHALLENGE_MARKERS if marker.lower() in lowered), None)
    return None if marker is None else f"a bot challenge ({marker})"


def _retry_after(page: Page) -> timedelta | None:
    """Read Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    value = page.headers.get("retry-after", "").strip()
    if value.isdigit():
        return timedelta(seconds=min(int(value), int(LONGEST_RETRY_AFTER.total_seconds())))
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(moment - page.fetched_at, timedelta(0))
