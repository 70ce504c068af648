"""Explaining a rule on a listing: every clause, its value, and the same verdict as the predicate."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from audiowatch.listing import Listing
from audiowatch.rules import conditions
from audiowatch.rules.conditions import Part
from audiowatch.rules.explain import Explanation, explain, explain_rule
from audiowatch.rules.grammar import parse_expression
from tests.support.listings import make_listing
from tests.support.rule_strategies import NOW, listing_batches, trees_for


def test_explanation_shows_each_clause_with_its_value_and_result() -> None:
    listing = make_listing(1, title="Sennheiser HD800S", price=950.0)
    explanation = explain(parse_expression('title has "HD800" AND price < 1000'), listing, NOW)
    assert (explanation.text, explanation.result) == ("AND", False)
    assert [(child.text, child.result, child.value) for child in explanation.children] == [
        ('title has "HD800"', False, '"Sennheiser HD800S"'),
        ("price < 1000", True, "950"),
    ]


def test_explanation_evaluates_every_clause_even_after_the_verdict_is_known() -> None:
    explanation = explain(parse_expression('"Utopia" OR "HD800"'), make_listing(1, title="Focal Utopia"), NOW)
    assert [child.result for child in explanation.children] == [True, False]


def test_missing_value_is_shown_as_missing() -> None:
    explanation = explain(parse_expression("price < 100"), make_listing(1, price=None), NOW)
    assert (explanation.result, explanation.value) == (False, "missing")


def test_age_hours_is_shown_in_hours() -> None:
    listing = make_listing(1, listed_at="2026-11-28T00:00:00+00:00")
    assert explain(parse_expression("age_hours < 24"), listing, NOW).value == "12.0"


def test_rule_explanation_names_the_part_that_failed() -> None:
    rule = conditions.assemble("r", '"HD800"', global_filter='status = "active"', categories=["dacs"])
    result = explain_rule(rule, make_listing(1, category="full-size"), NOW)
    assert not result.matched
    assert [(part, explanation.result) for part, explanation in result.parts] == [
        (Part.GLOBAL_FILTER, True), (Part.CATEGORIES, False), (Part.EXPRESSION, True),
    ]


def test_rule_explanation_json_is_a_nested_tree() -> None:
    rule = conditions.assemble("r", 'NOT "x"')
    record = explain_rule(rule, make_listing(1), NOW).to_json()
    assert record == {"rule": "r", "matched": True, "parts": [{
        "part": "expression", "clause": "NOT", "result": True,
        "children": [{"clause": 'title contains "x"', "result": False, "value": '"Sennheiser HD800 S"'}],
    }]}


def consistent(explanation: Explanation) -> bool:
    """Each combinator's result follows from the results shown for its children."""
    results = [child.result for child in explanation.children]
    expected = {"AND": all(results), "OR": any(results), "NOT": not any(results)}.get(explanation.text)
    own = expected is None or expected is explanation.result
    return own and all(consistent(child) for child in explanation.children)


@settings(max_examples=200, deadline=None, database=None)
@given(batch=listing_batches, data=st.data())
def test_explanation_results_follow_from_the_clauses_shown(batch: list[Listing], data: st.DataObject) -> None:
    tree = data.draw(trees_for(batch), label="tree")
    for listing in batch:
        assert consistent(explain(tree, listing, NOW))
