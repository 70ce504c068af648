"""fetch/blocks.py: which pages are blocks, and how long a block keeps AudioWatch away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from audiowatch.fetch.base import Page
from audiowatch.fetch.blocks import FIRST_WAIT, LONGEST_WAIT, Backoff, Block, BlockKind, back_off, classify
from audiowatch.simulator import behaviour, pages
from audiowatch.simulator.catalog import Catalog

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://www.head-fi.org/classifieds/"
LIST_PAGE = pages.render_list_page(Catalog.seeded(NOW).listings_in("full-size")[:20], page=1, total_pages=2,
                                   base_path="/classifieds/categories/full-size.2/", title="Full-Size")
CLOUDFLARE_TITLE_ONLY = "<html><head><title>Just a moment...</title></head><body></body></html>"
CHALLENGE_SCRIPT = '<html><body><script>window._cf_chl_opt={cType: "managed"};</script></body></html>'


def page(status: int = 200, html: str = "", **headers: str) -> Page:
    return Page(URL, status, html, NOW, {name.replace("_", "-"): value for name, value in headers.items()})


@pytest.mark.parametrize(
    ("fetched", "kind"),
    [
        (page(403, behaviour.render_block(403)), BlockKind.FORBIDDEN),
        (page(429, behaviour.render_block(429)), BlockKind.RATE_LIMITED),
        (page(503, behaviour.render_block(503)), BlockKind.UNAVAILABLE),
        (page(401, "Unauthorized"), BlockKind.LOGIN_WALL),
        (page(403, behaviour.render_challenge(behaviour.Challenge.SCRIPT, "t"), cf_mitigated="challenge"),
         BlockKind.CHALLENGE),
        (page(503, CLOUDFLARE_TITLE_ONLY), BlockKind.CHALLENGE),
        (page(200, CLOUDFLARE_TITLE_ONLY), BlockKind.CHALLENGE),
        (page(403, CHALLENGE_SCRIPT), BlockKind.CHALLENGE),
        (page(403, behaviour.render_login_wall()), BlockKind.LOGIN_WALL),
        (page(200, behaviour.render_login_wall()), BlockKind.LOGIN_WALL),
    ],
    ids=["403", "429", "503", "401", "challenge-header", "challenge-title-503", "challenge-title-200",
         "challenge-script", "login-wall-403", "login-wall-200"],
)
def test_classify_names_the_block(fetched: Page, kind: BlockKind) -> None:
    block = classify(fetched)
    assert block is not None and (block.kind, block.status, block.url) == (kind, fetched.status, URL)


@pytest.mark.parametrize(
    "fetched",
    [page(200, LIST_PAGE), page(404, pages.render_not_found("/x")), page(500, "oops"), page(301, "")],
    ids=["list-page", "404", "500", "redirect"],
)
def test_classify_leaves_pages_the_site_meant_to_show(fetched: Page) -> None:
    assert classify(fetched) is None


def test_page_with_cards_and_cloudflare_scripts_is_no_challenge() -> None:
    # Cloudflare injects challenge-platform scripts into ordinary pages too.
    injected = LIST_PAGE.replace("</body>", "<script>window._cf_chl_opt={};</script></body>")
    assert classify(page(200, injected)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", timedelta(seconds=120)), ("Sun, 01 Mar 2026 14:00:00 GMT", timedelta(hours=2)),
     ("Sun, 01 Mar 2026 11:00:00 GMT", timedelta(0)), ("soon", None), ("", None)],
    ids=["seconds", "http-date", "date-in-the-past", "garbage", "empty"],
)
def test_retry_after_is_read_as_seconds_or_date(value: str, expected: timedelta | None) -> None:
    block = classify(page(429, "slow down", retry_after=value))
    assert block is not None and block.retry_after == expected


def test_block_description_names_status_reason_and_url() -> None:
    block = classify(page(429, "", retry_after="120"))
    assert block is not None
    assert block.describe() == f"HTTP 429 (rate limited, Retry-After 120 s) at {URL}"


def block(kind: BlockKind = BlockKind.RATE_LIMITED, retry_after: timedelta | None = None) -> Block:
    return Block(kind, URL, 429, "rate limited", retry_after)


@pytest.mark.parametrize("kind", list(BlockKind), ids=[kind.value for kind in BlockKind])
def test_first_block_waits_the_first_wait_of_its_kind(kind: BlockKind) -> None:
    backoff = back_off(block(kind), None, NOW)
    assert (backoff.deadline - NOW, backoff.strikes, backoff.since) == (FIRST_WAIT[kind], 1, NOW)


def test_each_block_in_a_row_doubles_the_wait() -> None:
    first = back_off(block(), None, NOW)
    later = NOW + timedelta(hours=1)
    second = back_off(block(), first, later)
    assert (second.deadline - later, second.strikes, second.since) == (2 * FIRST_WAIT[block().kind], 2, NOW)


def test_wait_stops_growing_at_the_longest_wait() -> None:
    backoff: Backoff | None = None
    for _ in range(12):
        backoff = back_off(block(), backoff, NOW)
    assert backoff is not None and backoff.deadline - NOW == LONGEST_WAIT


def test_retry_after_longer_than_the_wait_is_honoured() -> None:
    backoff = back_off(block(retry_after=timedelta(hours=3)), None, NOW)
    assert backoff.deadline - NOW == timedelta(hours=3)


def test_retry_after_shorter_than_the_wait_does_not_shorten_it() -> None:
    backoff = back_off(block(retry_after=timedelta(seconds=5)), None, NOW)
    assert backoff.deadline - NOW == FIRST_WAIT[BlockKind.RATE_LIMITED]


def test_absurd_retry_after_is_capped_at_a_week() -> None:
    backoff = back_off(block(retry_after=timedelta(days=3650)), None, NOW)
    assert backoff.deadline - NOW == timedelta(days=7)
