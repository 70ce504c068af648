"""Writing a rule tree back as text: the grammar reads it back to the same tree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from audiowatch.rules import nodes
from audiowatch.rules.grammar import parse_expression
from audiowatch.rules.unparse import format_expression, format_value
from tests.support.rule_strategies import trees


@settings(max_examples=300, deadline=None, database=None)
@given(tree=trees)
def test_formatted_tree_parses_back_to_the_same_tree(tree: nodes.Node) -> None:
    assert parse_expression(format_expression(tree)) == tree


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('("a" OR "b") AND NOT ("c" AND "d")', 'title contains "a" OR title contains "b"'),
        ('NOT NOT "x"', "NOT NOT title contains"),
    ],
    ids=["or-inside-and", "double-not"],
)
def test_format_adds_parentheses_only_where_precedence_needs_them(text: str, expected: str) -> None:
    formatted = format_expression(parse_expression(text))
    assert expected in formatted
    assert formatted.count("(") == (2 if "OR" in text else 0)


@pytest.mark.parametrize(
    ("value", "written"),
    [(1000.0, "1000"), (949.5, "949.5"), (1e20, "1e+20"), ("HD800", '"HD800"'), ('say "hi"', r'"say \"hi\""'),
     (r"\d+", r'"\d+"'), ("ends\\", '"ends\\\\"')],
    ids=["whole", "fraction", "exponent", "text", "quotes", "regex-backslash", "trailing-backslash"],
)
def test_format_value_writes_literals_a_person_would(value: str | float, written: str) -> None:
    assert format_value(value) == written
