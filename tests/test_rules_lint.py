"""Lint: rules that can never match, duplicates, and rules that differ only by a filter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiowatch.listing import Listing
from audiowatch.rules import conditions, lint
from audiowatch.rules.compile import compile_expression
from audiowatch.rules.grammar import parse_expression
from tests.support.rule_strategies import NOW, listing_batches, trees_for

GLOBAL = 'status = "active" AND listing_type != "Want To Buy"'


def rule(name: str, expression: str, **parts: object) -> conditions.RuleConditions:
    return conditions.assemble(name, expression, **parts)  # type: ignore[arg-type]


def messages(*rules: conditions.RuleConditions) -> list[str]:
    return [f"{finding.rule}: {finding.message}" for finding in lint.check_rules(rules)]


@pytest.mark.parametrize(
    ("expression", "phrase"),
    [
        ("price < 100 AND price > 200", "price < 100 AND price > 200 cannot all be true"),
        ("price between 100 and 200 AND price >= 300", "cannot all be true"),
        ("price = 5 AND price = 6", "price = 5 AND price = 6 cannot all be true"),
        ("price in [1, 2] AND price > 2", "cannot all be true"),
        ("(price < 1 OR price > 5) AND price between 2 and 4", "no alternative can be true"),
        ('status = "actve"', 'status = "actve" never holds (status is always one of active, sold'),
        ('status in ["sold", "closed"] AND status != "SOLD" AND NOT status = "closed"', "cannot all be true"),
        ('title = "a" AND title = "b"', 'title = "a" AND title = "b" cannot all be true'),
        ('title contains "x" AND NOT title contains "X"', "cannot all be true"),
        ('title = "HD800" AND NOT title has "hd 800"', "cannot all be true"),
        ("NOT (price < 5 OR price >= 5 OR price != 1)", "cannot all be true"),
    ],
    ids=["ranges", "between-and-above", "two-values", "list-and-range", "alternatives", "status-typo",
         "status-set", "two-titles", "negation", "equals-not-has", "tautology-negated"],
)
def test_rule_that_can_never_match_is_reported(expression: str, phrase: str) -> None:
    [message] = messages(rule("r", expression))
    assert message.startswith("r: can never match: ")
    assert phrase in message


@pytest.mark.parametrize(
    "expression",
    [
        "price < 100 OR price > 200",
        "price >= 100 AND price <= 100",
        "NOT price < 100 AND NOT price > 50",  # a listing without a price satisfies both
        "price != 5 AND price != 6",
        'title contains "a" AND title contains "b"',
        'title = "HD800" AND title has "hd 800"',
        'status = "sold"',
        'seller = "a" AND NOT seller = "a" OR price < 5',
        "age_hours < 1 AND age_hours > -1",
    ],
)
def test_rule_that_can_match_is_not_reported(expression: str) -> None:
    assert messages(rule("r", expression)) == []


def test_rule_impossible_only_under_the_global_filter_says_so() -> None:
    [message] = messages(rule("sold", 'status = "sold"', global_filter=GLOBAL))
    assert "can never match together with its global filter" in message
    assert 'status = "active" AND status = "sold"' in message


def test_want_to_buy_rule_under_the_default_global_filter_is_reported() -> None:
    [message] = messages(rule("wtb", 'listing_type = "want to buy"', global_filter=GLOBAL))
    assert "together with its global filter" in message


def test_rule_with_categories_outside_its_expression_is_reported() -> None:
    [message] = messages(rule("r", 'category = "dacs"', categories=["full-size"]))
    assert "together with its categories" in message


def test_duplicate_rule_is_reported_even_when_written_differently() -> None:
    found = messages(rule("a", '"HD800" AND price < 1000'), rule("b", 'price < 1000 AND ("HD800")'))
    assert found == ['b: has the same conditions as rule "a"']


def test_duplicate_with_other_channels_suggests_one_rule() -> None:
    found = messages(rule("a", '"x"', channels=["console"]), rule("b", '"x"', channels=["email"]))
    assert found == ['b: has the same conditions as rule "a" (only the channels differ: list both on one rule)']


def test_rule_adding_only_a_filter_to_another_is_reported() -> None:
    found = messages(rule("a", '"HD800"'), rule("b", '"HD800"', filter_text='ships_to contains "US"'))
    assert found == ['b: has the same expression as rule "a" plus a filter, so every listing it matches already '
                     'matches "a": it adds no notification of its own']


def test_rules_differing_by_their_filters_are_reported() -> None:
    found = messages(rule("a", '"x"', categories=["dacs"]), rule("b", '"x"', filter_text="price < 5"))
    assert found == ['b: has the same expression as rule "a" and differs only by its filter or categories; '
                     "one rule whose filter ORs both would do"]


def test_rules_differing_by_filter_but_sending_elsewhere_are_fine() -> None:
    assert messages(rule("a", '"x"'), rule("b", '"x"', filter_text="price < 5", channels=["email"])) == []


def test_distinct_rules_give_no_findings() -> None:
    assert messages(rule("a", '"HD800"', global_filter=GLOBAL), rule("b", '"Utopia"', global_filter=GLOBAL)) == []


def test_parent_category_stands_for_its_leaves() -> None:
    condition = conditions.category_condition(["headphones-for-sale-trade"])
    assert condition.value == ("headphones-for-sale-trade", "full-size", "in-ear-monitors")


@settings(max_examples=400, deadline=None, database=None)
@given(batch=listing_batches, data=st.data())
def test_never_matches_is_never_contradicted_by_a_listing(batch: list[Listing], data: st.DataObject) -> None:
    tree = data.draw(trees_for(batch), label="tree")
    if lint.never_matches(tree) is not None:
        predicate = compile_expression(tree)
        assert not any(predicate(listing, NOW) for listing in batch)


def test_normalize_equates_reordered_and_regrouped_rules() -> None:
    first = parse_expression('"a" AND ("b" AND "c") AND "a"')
    second = parse_expression('"c" AND "b" AND NOT NOT "a"')
    assert lint.normalize(first) == lint.normalize(second)
