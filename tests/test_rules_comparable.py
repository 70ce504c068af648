"""The comparable condition: a rule without its price and time terms, never narrower than the rule."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from audiowatch.listing import Listing
from audiowatch.rules import comparable, conditions, nodes
from audiowatch.rules.compile import compile_expression
from audiowatch.rules.grammar import parse_expression
from tests.support.rule_strategies import NOW, listings, trees, trees_for

# age_hours is read from listed_at, so changing listed_at changes it too.
_STORED_DEAL_FIELDS = sorted(comparable.DEAL_FIELDS - {nodes.AGE_HOURS})


def relaxed_text(rule: str) -> nodes.Node | None:
    return comparable.comparable(parse_expression(rule))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('title has "HD800" AND price < 1000', 'title has "HD800"'),
        ('"HD800" AND price between 500 and 900 AND seller_feedback >= 10', 'title contains "HD800"'),
        ('title has "HD800" AND condition = "Excellent/Like new" AND age_hours < 24',
         'title has "HD800" AND condition = "Excellent/Like new"'),
        ('(title has "HD800" AND price < 1000) OR (title has "HD800S" AND price < 1200)',
         'title has "HD800" OR title has "HD800S"'),
        ('title has "HD800" AND (title contains "mint" OR price < 500)', 'title has "HD800"'),
        ('title has "HD800" AND NOT (title contains "broken" OR price < 100)',
         'title has "HD800" AND NOT title contains "broken"'),
        ('title has "HD800" AND NOT (title contains "broken" AND price < 100)', 'title has "HD800"'),
        ('title has "HD800" AND NOT seller = "flipper"', 'title has "HD800"'),
        ('category in ["dacs"] AND listing_type = "For Sale" AND negotiability = "Firm"',
         'category in ["dacs"] AND listing_type = "For Sale"'),
        ('title has "Utopia" AND ships_to contains "United States" AND status = "active"',
         'title has "Utopia" AND ships_to contains "United States"'),
        ('title matches "(?i)hd ?6[05]0" AND NOT title contains "broken"',
         'title matches "(?i)hd ?6[05]0" AND NOT title contains "broken"'),
    ],
    ids=["and-drops-price", "and-drops-every-deal-field", "and-keeps-condition", "or-of-ands-keeps-both-models",
         "or-with-a-price-branch-is-dropped", "not-or-keeps-the-product-branch", "not-and-becomes-unconstrained",
         "not-on-seller-is-dropped", "category-with-type", "ships-to-kept-status-dropped", "no-deal-field-unchanged"],
)
def test_comparable_drops_deal_terms_and_keeps_product_terms(rule: str, expected: str) -> None:
    assert relaxed_text(rule) == parse_expression(expected)


@pytest.mark.parametrize(
    "rule",
    [
        "price < 100",
        'seller = "jay.doe" AND age_hours < 2',
        'title has "HD800" OR price < 100',
        'condition = "New" AND price < 100',
        'NOT title contains "broken" AND price < 300',
        'title != "x" AND price < 300',
        'title has "HD800" OR condition = "New"',
    ],
    ids=["only-price", "only-deal-fields", "or-with-a-price-branch", "no-title-or-category", "only-a-negated-title",
         "not-equals-title", "or-branch-without-a-product"],
)
def test_comparable_is_none_when_nothing_names_the_product(rule: str) -> None:
    assert relaxed_text(rule) is None


def test_comparable_for_rule_leaves_out_the_global_filter_and_keeps_categories_and_filter() -> None:
    rule = conditions.assemble("r", 'title has "HD800" AND price < 1000', global_filter='status = "active"',
                               categories=["full-size"], filter_text='NOT title contains "broken"')
    expected = parse_expression('category in ["full-size"] AND NOT title contains "broken" AND title has "HD800"')
    assert comparable.comparable_for_rule(rule) == expected


def _with_deal_fields_of(listing: Listing, other: Listing) -> Listing:
    return dataclasses.replace(listing, **{name: getattr(other, name) for name in _STORED_DEAL_FIELDS})


def _reads(node: nodes.Node) -> set[str]:
    match node:
        case nodes.Comparison(field=field):
            return {field}
        case nodes.And(operands) | nodes.Or(operands):
            return set().union(*(_reads(operand) for operand in operands))
        case nodes.Not(operand):
            return _reads(operand)
    raise AssertionError(node)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(listing=listings(100001), other=listings(100002), data=st.data())
def test_relaxed_rule_keeps_every_listing_the_rule_matched_whatever_its_deal_fields(
    listing: Listing, other: Listing, data: st.DataObject
) -> None:
    tree = data.draw(trees_for([listing, other]), label="tree")
    assume(compile_expression(tree)(listing, NOW))
    relaxed = comparable.relax(tree)
    assert relaxed is not False
    if relaxed is not True:
        changed = _with_deal_fields_of(listing, other)
        assert compile_expression(relaxed)(changed, NOW)
        assert compile_expression(relaxed)(listing, NOW.replace(year=2031))


@settings(max_examples=300, deadline=None, database=None)
@given(tree=trees)
def test_relaxed_rule_reads_no_deal_field(tree: nodes.Node) -> None:
    relaxed = comparable.relax(tree)
    assert isinstance(relaxed, bool) or not _reads(relaxed) & comparable.DEAL_FIELDS


@settings(max_examples=300, deadline=None, database=None)
@given(tree=trees)
def test_relaxing_a_relaxed_rule_changes_nothing(tree: nodes.Node) -> None:
    relaxed = comparable.relax(tree)  # reads no deal field (the test above), so relaxing it again changes nothing
    assert isinstance(relaxed, bool) or comparable.relax(relaxed) == relaxed


@settings(max_examples=300, deadline=None, database=None)
@given(tree=trees)
def test_comparable_is_none_or_names_the_product(tree: nodes.Node) -> None:
    found = comparable.comparable(tree)
    assert found is None or comparable.names_product(found)
