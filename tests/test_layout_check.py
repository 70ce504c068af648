"""parse/layout_check.py: telling a changed layout from a quiet page (pure)."""

from __future__ import annotations

import pytest

from audiowatch.listing import Listing
from audiowatch.parse import layout_check
from audiowatch.parse.headfi import OPTIONAL_FIELDS, ParseResult

USUAL = {"price": 0.9, "listing_type": 1.0, "seller": 1.0, "listed_at": 1.0}


def parsed(listings: int = 20, skipped: int = 0, **rates: float) -> ParseResult:
    found = tuple(Listing(number, f"https://www.head-fi.org/classifieds/x.{number}/", "t")
                  for number in range(listings))
    field_rates = {name: rates.get(name, 1.0) for name in OPTIONAL_FIELDS}
    return ParseResult(found, skipped, listings + skipped, field_rates, None)


def test_page_without_cards_is_a_layout_change() -> None:
    problem = layout_check.find_layout_problem(parsed(0), USUAL)
    assert problem == "the page holds no listing cards (a.hfcUserListing)"


def test_page_whose_cards_mostly_lack_id_or_title_is_a_layout_change() -> None:
    problem = layout_check.find_layout_problem(parsed(5, skipped=15), USUAL)
    assert problem == "15 of 20 cards had no listing id or no title"


@pytest.mark.parametrize("field", layout_check.KEY_FIELDS)
def test_key_field_that_stopped_parsing_is_a_layout_change(field: str) -> None:
    problem = layout_check.find_layout_problem(parsed(**{field: 0.0}), USUAL)
    assert problem is not None and f"{field} on 0% (usually" in problem


def test_problem_lists_every_failing_field() -> None:
    problem = layout_check.find_layout_problem(parsed(price=0.0, seller=0.1), USUAL)
    assert problem == ("key fields stopped parsing on its 20 listings: price on 0% (usually 90%), "
                       "seller on 10% (usually 100%)")


@pytest.mark.parametrize(
    ("rates", "listings"),
    [({}, 20), ({"price": 0.5}, 20), ({"condition": 0.0, "thumbnail_url": 0.0}, 20), ({"price": 0.0}, 4)],
    ids=["as-usual", "more-want-to-buy-posts", "optional-fields-missing", "too-few-to-judge"],
)
def test_ordinary_variation_is_no_layout_change(rates: dict[str, float], listings: int) -> None:
    assert layout_check.find_layout_problem(parsed(listings, **rates), USUAL) is None


def test_baseline_is_the_median_of_recent_runs() -> None:
    recent = [{"price": 0.9, "seller": 1.0}, {"price": 0.5, "seller": 1.0}, {"price": 0.95, "seller": 0.0}]
    assert layout_check.baseline_rates(recent) == {"price": 0.9, "seller": 1.0}


def test_without_history_there_is_no_baseline() -> None:
    assert layout_check.baseline_rates([]) == {}


def test_without_history_a_missing_field_is_no_layout_change() -> None:
    assert layout_check.find_layout_problem(parsed(seller=0.0), {}) is None


def test_without_history_a_rarely_parsed_key_field_is_named() -> None:
    assert layout_check.rarely_parsed(parsed(seller=0.0, price=0.6), {}) == ["seller"]


def test_with_history_rarely_parsed_is_left_to_the_layout_check() -> None:
    assert layout_check.rarely_parsed(parsed(seller=0.0), USUAL) == []


def test_combined_rates_weigh_pages_by_their_listings() -> None:
    rates = layout_check.combined_rates([parsed(20, price=1.0), parsed(10, price=0.4)])
    assert rates["price"] == pytest.approx(0.8)


def test_combined_rates_of_no_listings_are_empty() -> None:
    assert layout_check.combined_rates([parsed(0)]) == {}
