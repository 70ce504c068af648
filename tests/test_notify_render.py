"""Rendering the market context: its wording, its place in the text, and the JSON the outbox keeps."""

from __future__ import annotations

import pytest

from audiowatch.events import Event, EventKind
from audiowatch.market import MarketContext
from audiowatch.match import Match
from audiowatch.notify import render
from audiowatch.notify.base import Message
from tests.support.listings import make_listing

CONTEXT = MarketContext(asks=37, below=4, median=1050.0, currency="USD")


def message(market: MarketContext | None = CONTEXT, listing_id: int = 100001) -> Message:
    return render.render_message(Match(Event(EventKind.NEW, make_listing(listing_id)), ("hd800",)), market)


def test_describe_market_says_percentile_count_window_and_median() -> None:
    assert render.describe_market(CONTEXT) == "11th percentile of 37 asks in the last 180 days, median $1,050.00 USD"


@pytest.mark.parametrize(
    ("number", "written"),
    [(0, "0th"), (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd"), (100, "100th")],
    ids=lambda value: str(value),
)
def test_ordinal_uses_english_suffixes(number: int, written: str) -> None:
    assert render.ordinal(number) == written


def test_text_shows_the_market_line_right_under_the_headline() -> None:
    lines = render.format_text(message()).splitlines()
    assert lines[1] == "  Market:     11th percentile of 37 asks in the last 180 days, median $1,050.00 USD"


def test_text_without_market_context_has_no_market_line() -> None:
    assert "Market" not in render.format_text(message(None))


def test_digest_text_keeps_each_listings_market_line() -> None:
    digest = render.digest_message([message(), message(None, listing_id=100002), message(listing_id=100003)])
    assert digest.body.count("Market:") == 2


def test_message_with_market_context_round_trips_through_json() -> None:
    assert Message.from_json(message().to_json()) == message()
