"""Evaluating compiled watch rules on real listings: operators, case, missing values and age_hours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from audiowatch.errors import RuleError
from audiowatch.listing import Listing, ListingStatus
from audiowatch.rules.compile import compile_expression, compile_rule
from audiowatch.rules.nodes import And, Comparison, Not, Operator, Or

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def make_listing(**fields: Any) -> Listing:
    values: dict[str, Any] = {
        "listing_id": 812345,
        "url": "https://www.head-fi.org/classifieds/sennheiser-hd800s.812345/",
        "title": "Sennheiser HD800S - mint, with box",
        "listing_type": "For Sale",
        "price": 950.0,
        "currency": "USD",
        "condition": "Excellent/Like new",
        "negotiability": "Or best offer",
        "ships_to": "United States",
        "seller": "Audio.Fan-42",
        "seller_feedback": 17,
        "listed_at": "2026-01-10T00:00:00+00:00",
        "status": ListingStatus.ACTIVE,
        "category": "full-size",
    }
    values.update(fields)
    return Listing(**values)


LISTING = make_listing()
NO_PRICE = make_listing(
    price=None, seller=None, seller_feedback=None, listed_at=None, listing_type="Want To Buy"
)


def matches(rule: str, listing: Listing = LISTING, now: datetime = NOW) -> bool:
    return compile_rule(rule)(listing, now)


# --- text operators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('title contains "HD800"', True),
        ('title contains "HD650"', False),
        ('title contains ""', True),
        ('title = "Sennheiser HD800S - mint, with box"', True),
        ('title = "Sennheiser HD800S"', False),
        ('title != "Sennheiser HD800S"', True),
        ('title != "Sennheiser HD800S - mint, with box"', False),
        ('seller = "Audio.Fan-42"', True),
        ('ships_to contains "United States"', True),
        ('listing_type = "For Sale"', True),
        ('listing_type != "Want To Buy"', True),
        ('category = "full-size"', True),
        ('url contains "812345"', True),
        ('listed_at contains "2026-01-10"', True),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_text_operator_compares_text(rule: str, expected: bool) -> None:
    assert matches(rule) is expected


@pytest.mark.parametrize(
    "rule",
    [
        'title contains "hd800s"',
        'title contains "SENNHEISER"',
        'title = "sennheiser hd800s - MINT, WITH BOX"',
        'condition = "excellent/like new"',
        "seller = 'audio.fan-42'",
    ],
    ids=["contains-lower", "contains-upper", "equals-mixed", "equals-lower", "single-quoted"],
)
def test_text_comparison_ignores_case(rule: str) -> None:
    assert matches(rule)


def test_contains_ignores_case() -> None:
    assert matches('title contains "hD800s"')


@pytest.mark.parametrize(
    ("seller", "rule"),
    [("Écoute", 'seller = "ÉCOUTE"'), ("İzmir", 'seller = "izmir"'), ("Ωmega", 'seller = "ωMEGA"')],
    ids=["latin-accent", "dotted-capital-i", "greek"],
)
def test_text_comparison_ignores_case_beyond_ascii(seller: str, rule: str) -> None:
    assert matches(rule, make_listing(seller=seller))


def test_text_comparison_lower_cases_like_duckdb_not_casefold() -> None:
    # DuckDB's lower() keeps "ß", so the rule does too: a tick and a database search must agree.
    assert not matches('seller = "STRASSE"', make_listing(seller="Straße"))


@pytest.mark.parametrize(
    ("rule", "status", "expected"),
    [
        ('status = "active"', ListingStatus.ACTIVE, True),
        ('status = "ACTIVE"', ListingStatus.ACTIVE, True),
        ('status = "active"', ListingStatus.SOLD, False),
        ('status != "sold"', ListingStatus.SOLD, False),
        ('status contains "old"', ListingStatus.SOLD, True),
    ],
    ids=["equals", "equals-upper", "equals-other", "not-equals", "contains"],
)
def test_status_compares_as_its_plain_text(rule: str, status: ListingStatus, expected: bool) -> None:
    assert matches(rule, make_listing(status=status)) is expected


def test_bare_string_matches_title_only() -> None:
    assert matches('"hd800"')
    assert not matches('"Audio.Fan"')


# --- has, startswith, endswith, matches, in ----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Sennheiser HD800 - mint", True),
        ("Sennheiser HD 800", True),
        ("sennheiser hd-800", True),
        ("HD800 ", True),
        ("HD800", True),
        ("(HD800)", True),
        ("HD800/HD650 pads", True),
        ("HD\u00a0800", True),
        ("HD – 800", True),
        ("Sennheiser HD800S", False),
        ("Sennheiser HD8000", False),
        ("XHD800", False),
        ("HD80", False),
        ("HD 80 0S", False),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_has_matches_the_model_as_a_whole_word_ignoring_spaces_dashes_and_case(title: str, expected: bool) -> None:
    assert matches('title has "HD800"', make_listing(title=title)) is expected


@pytest.mark.parametrize(
    ("rule", "title", "expected"),
    [
        ('title has "hd 800"', "HD800", True),
        ('title has "HD-800"', "hd 800", True),
        ('title has "HD800S"', "Sennheiser HD 800 S", True),
        ('title has "utopia"', "Focal Utopia, 2022", True),
        ('title has "utopia"', "Focal Utopias", False),
        ('title has "A&K"', "A&K SP3000", True),
        ('title has "é"', "écoute É", True),
    ],
    ids=["spaced-term", "dashed-term", "spaced-suffix", "word", "plural", "punctuation", "accented"],
)
def test_has_term_forms(rule: str, title: str, expected: bool) -> None:
    assert matches(rule, make_listing(title=title)) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('title startswith "sennheiser"', True),
        ('title startswith "HD800"', False),
        ('title endswith "WITH BOX"', True),
        ('title endswith "mint"', False),
        ('title matches "hd ?8[05]0"', True),
        ('title matches "^HD"', False),
        ('title matches "(?-i)hd800"', False),
        (r'title matches "\bMINT\b"', True),
        ('listing_type in ["for sale", "For Sale/Trade"]', True),
        ('listing_type in ["Want To Buy"]', False),
        ("price in [100, 950]", True),
        ("price in [951]", False),
        ("price between 900 and 950", True),
        ("price between 950 and 1000", True),
        ("price between 951 and 1000", False),
        ("seller_feedback between 0 and 16", False),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_text_and_list_operators(rule: str, expected: bool) -> None:
    assert matches(rule) is expected


@pytest.mark.parametrize(
    "rule",
    ['seller has "x"', 'seller startswith "a"', 'seller endswith "2"', 'seller matches "."', 'seller in ["a"]',
     "price in [1]", "price between 0 and 1000000", "age_hours between 0 and 1000000"],
    ids=lambda value: value,
)
def test_missing_value_fails_the_new_operators(rule: str) -> None:
    assert not matches(rule, NO_PRICE)


def test_matches_reads_the_text_as_written() -> None:
    # \p{Lu} is an upper-case letter: it must see the listing's own capitals, not lower-cased text.
    assert matches(r'title matches "(?-i)\p{Lu}{2}\d"')


# --- number operators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("price = 950", True),
        ("price = 950.0", True),
        ("price = 951", False),
        ("price != 950", False),
        ("price != 951", True),
        ("price < 950", False),
        ("price < 950.01", True),
        ("price <= 950", True),
        ("price <= 949.99", False),
        ("price > 949.99", True),
        ("price > 950", False),
        ("price >= 950", True),
        ("price >= 950.01", False),
        ("seller_feedback >= 10", True),
        ("seller_feedback = 17", True),
        ("seller_feedback < 17", False),
        ("listing_id = 812345", True),
        ("listing_id > 900000", False),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_number_operator_compares_numbers(rule: str, expected: bool) -> None:
    assert matches(rule) is expected


# --- missing values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("price = 500", False),
        ("price != 500", True),
        ("price < 500", False),
        ("price <= 500", False),
        ("price > 500", False),
        ("price >= 500", False),
        ("seller_feedback >= 0", False),
        ('seller contains ""', False),
        ('seller = "bob"', False),
        ('seller != "bob"', True),
        ("age_hours < 1000000", False),
        ("age_hours != 1", True),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_missing_value_fails_every_comparison_but_not_equals(rule: str, expected: bool) -> None:
    assert matches(rule, NO_PRICE) is expected


def test_not_on_a_missing_value_is_true() -> None:
    # Plain boolean logic: "price < 100" is false without a price, so its negation is true.
    assert matches("NOT price < 100", NO_PRICE)


def test_not_equals_on_a_missing_value_negated_is_false() -> None:
    assert not matches("NOT price != 500", NO_PRICE)


# --- age_hours -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("age_hours = 12", True),
        ("age_hours < 12", False),
        ("age_hours <= 12", True),
        ("age_hours > 11.5", True),
        ("age_hours >= 24", False),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_age_hours_counts_from_listed_at_to_now(rule: str, expected: bool) -> None:
    assert matches(rule) is expected


def test_age_hours_follows_the_now_given() -> None:
    predicate = compile_rule("age_hours < 24")
    assert predicate(LISTING, NOW)
    assert not predicate(LISTING, datetime(2026, 1, 11, 1, 0, tzinfo=UTC))


def test_age_hours_respects_the_listed_at_offset() -> None:
    listing = make_listing(listed_at="2026-01-10T06:00:00+02:00")
    assert matches("age_hours = 8", listing)


def test_age_hours_reads_a_time_without_offset_as_utc() -> None:
    assert matches("age_hours = 12", make_listing(listed_at="2026-01-10T00:00:00"))


def test_age_hours_of_an_unreadable_listed_at_is_missing() -> None:
    listing = make_listing(listed_at="yesterday")
    assert not matches("age_hours < 1000000", listing)
    assert matches("age_hours != 1", listing)


# --- boolean structure and SPEC examples ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('"HD800" AND price < 1000', True),
        ('"HD800" AND price < 900', False),
        ('"HD650" OR price < 1000', True),
        ('"HD650" OR price < 900', False),
        ('NOT "HD650"', True),
        ('NOT "HD800"', False),
        ('"HD650" OR "HD800" AND price < 900', False),
        ('("HD650" OR "HD800") AND price < 1000', True),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_boolean_operators_combine_conditions(rule: str, expected: bool) -> None:
    assert matches(rule) is expected


SPEC_DEAL = 'title contains "HD800" AND price < 1000 AND NOT title contains "broken"'
SPEC_GLOBAL_FILTER = 'status = "active" AND listing_type != "Want To Buy"'


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        (LISTING, True),
        (make_listing(price=1200.0), False),
        (make_listing(title="Sennheiser HD800 - BROKEN driver"), False),
        (make_listing(title="Focal Utopia"), False),
        (NO_PRICE, False),
    ],
    ids=["deal", "too-dear", "broken", "other-model", "no-price"],
)
def test_spec_deal_rule(listing: Listing, expected: bool) -> None:
    assert matches(SPEC_DEAL, listing) is expected


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        (LISTING, True),
        (make_listing(status=ListingStatus.SOLD), False),
        (make_listing(listing_type="Want To Buy"), False),
        (make_listing(listing_type="want to buy"), False),
        (make_listing(listing_type=None), True),
    ],
    ids=["active-for-sale", "sold", "want-to-buy", "want-to-buy-lower", "no-type"],
)
def test_spec_global_filter(listing: Listing, expected: bool) -> None:
    assert matches(SPEC_GLOBAL_FILTER, listing) is expected


def test_spec_ships_to_example() -> None:
    rule = '(title contains "Utopia" OR title contains "Stellia") AND ships_to contains "United States"'
    assert matches(rule, make_listing(title="Focal Stellia, barely used"))
    assert not matches(rule, make_listing(title="Focal Stellia", ships_to="Europe"))


# --- compile_expression on built trees -----------------------------------------------------------


def test_compile_expression_evaluates_a_built_tree() -> None:
    tree = Or(
        (
            And(
                (
                    Comparison("title", Operator.CONTAINS, "HD800", 1),
                    Comparison("price", Operator.LESS, 1000.0, 1),
                )
            ),
            Not(Comparison("seller_feedback", Operator.GREATER_EQUAL, 0.0, 1)),
        )
    )
    predicate = compile_expression(tree)
    assert predicate(LISTING, NOW)
    assert predicate(NO_PRICE, NOW)
    assert not predicate(make_listing(price=2000.0), NOW)


def test_compile_expression_refuses_text_value_on_a_number_field() -> None:
    with pytest.raises(ValueError, match="price cannot be compared"):
        compile_expression(Comparison("price", Operator.LESS, "cheap", 1))


def test_compile_expression_refuses_an_operator_that_does_not_fit() -> None:
    with pytest.raises(ValueError, match="does not apply to one text"):
        compile_expression(Comparison("title", Operator.LESS, "x", 1))


def test_compiled_predicate_is_reusable_across_listings() -> None:
    predicate = compile_rule('"HD800" AND price < 1000')
    results = [predicate(make_listing(price=float(price)), NOW) for price in (500, 999, 1000, 1500)]
    assert results == [True, True, False, False]


def test_compile_rule_raises_rule_error_for_a_bad_rule() -> None:
    with pytest.raises(RuleError, match='did you mean "price"'):
        compile_rule("prise < 1000")
