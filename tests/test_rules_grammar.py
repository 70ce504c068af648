"""Parsing watch rules: precedence, literals, the tree's shape, and every error with its column."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiowatch.errors import RuleError
from audiowatch.listing import LISTING_FIELDS, Listing
from audiowatch.rules import nodes
from audiowatch.rules.grammar import parse_expression
from audiowatch.rules.nodes import And, Comparison, FieldKind, Not, Operator, Or

HD800 = Comparison("title", Operator.CONTAINS, "HD800", 1)
CHEAP = Comparison("price", Operator.LESS, 1000.0, 1)
ACTIVE = Comparison("status", Operator.EQUALS, "active", 1)


def parse_error(text: str) -> RuleError:
    with pytest.raises(RuleError) as caught:
        parse_expression(text)
    return caught.value


# --- the tree ------------------------------------------------------------------------------------


def test_comparison_parses_field_operator_and_value() -> None:
    assert parse_expression('title contains "HD800"') == HD800


def test_comparison_column_is_where_the_field_starts() -> None:
    tree = parse_expression('title contains "x" AND   price < 5')
    assert isinstance(tree, And)
    assert [typing.cast(Comparison, operand).column for operand in tree.operands] == [1, 26]


def test_comparison_column_takes_no_part_in_equality() -> None:
    assert Comparison("price", Operator.LESS, 5.0, 1) == Comparison("price", Operator.LESS, 5.0, 30)


def test_and_binds_tighter_than_or() -> None:
    text = 'title contains "HD800" OR price < 1000 AND status = "active"'
    assert parse_expression(text) == Or((HD800, And((CHEAP, ACTIVE))))
    assert parse_expression(text) == parse_expression(
        'title contains "HD800" OR (price < 1000 AND status = "active")'
    )


def test_parentheses_override_precedence() -> None:
    text = '(title contains "HD800" OR price < 1000) AND status = "active"'
    assert parse_expression(text) == And((Or((HD800, CHEAP)), ACTIVE))


def test_not_binds_tighter_than_and() -> None:
    assert parse_expression('NOT title contains "HD800" AND price < 1000') == And((Not(HD800), CHEAP))


def test_not_applies_to_a_parenthesised_group() -> None:
    assert parse_expression('NOT (title contains "HD800" AND price < 1000)') == Not(And((HD800, CHEAP)))


def test_not_can_repeat() -> None:
    assert parse_expression('NOT NOT "HD800"') == Not(Not(HD800))


def test_chained_and_is_one_node_with_every_operand() -> None:
    text = 'title contains "HD800" AND price < 1000 AND status = "active"'
    assert parse_expression(text) == And((HD800, CHEAP, ACTIVE))


def test_redundant_parentheses_leave_the_tree_unchanged() -> None:
    assert parse_expression('(("HD800"))') == HD800


@pytest.mark.parametrize(
    ("and_word", "or_word", "not_word"),
    [("AND", "OR", "NOT"), ("and", "or", "not"), ("And", "Or", "Not"), ("aNd", "oR", "nOt")],
    ids=["upper", "lower", "title", "mixed"],
)
def test_keywords_ignore_case(and_word: str, or_word: str, not_word: str) -> None:
    text = f'"HD800" {or_word} price < 1000 {and_word} {not_word} status = "active"'
    assert parse_expression(text) == Or((HD800, And((CHEAP, Not(ACTIVE)))))


def test_operator_words_and_field_names_ignore_case() -> None:
    assert parse_expression('Title CONTAINS "HD800"') == HD800


def test_bare_string_means_title_contains() -> None:
    assert parse_expression('"Moondrop"') == Comparison("title", Operator.CONTAINS, "Moondrop", 1)


def test_bare_string_joins_other_conditions() -> None:
    assert parse_expression('"HD800" AND price < 1000') == And((HD800, CHEAP))


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"Moondrop"', "Moondrop"),
        ("'Moondrop'", "Moondrop"),
        ('"it\'s"', "it's"),
        (r"'it\'s'", "it's"),
        (r'"the \"best\" one"', 'the "best" one'),
        (r'"back\\slash"', "back\\slash"),
        (r'"hd\d+"', r"hd\d+"),
        ('""', ""),
        ('"  spaced  "', "  spaced  "),
    ],
    ids=[
        "double",
        "single",
        "single-inside-double",
        "escaped-single",
        "escaped-double",
        "escaped-backslash",
        "other-backslash-kept",
        "empty",
        "spaces-kept",
    ],
)
def test_string_literal_reads_quotes_and_escapes(literal: str, value: str) -> None:
    assert parse_expression(f"seller = {literal}") == Comparison("seller", Operator.EQUALS, value, 1)


@pytest.mark.parametrize(
    ("literal", "value"),
    [("500", 500.0), ("1299.99", 1299.99), ("-5", -5.0), ("+5", 5.0), (".5", 0.5), ("1e3", 1000.0)],
    ids=["integer", "decimal", "negative", "plus", "leading-dot", "exponent"],
)
def test_number_literal_reads_as_float(literal: str, value: float) -> None:
    assert parse_expression(f"price = {literal}") == Comparison("price", Operator.EQUALS, value, 1)


OPERATOR_EXAMPLES: dict[Operator, tuple[str, Comparison]] = {
    Operator.CONTAINS: ('title contains "x"', Comparison("title", Operator.CONTAINS, "x", 1)),
    Operator.HAS: ('title has "HD800"', Comparison("title", Operator.HAS, "HD800", 1)),
    Operator.STARTS_WITH: ('title startswith "WTB"', Comparison("title", Operator.STARTS_WITH, "WTB", 1)),
    Operator.ENDS_WITH: ('seller endswith "42"', Comparison("seller", Operator.ENDS_WITH, "42", 1)),
    Operator.MATCHES: (r'title matches "hd ?6[05]0"', Comparison("title", Operator.MATCHES, "hd ?6[05]0", 1)),
    Operator.EQUALS: ("price = 5", Comparison("price", Operator.EQUALS, 5.0, 1)),
    Operator.NOT_EQUALS: ("price != 5", Comparison("price", Operator.NOT_EQUALS, 5.0, 1)),
    Operator.LESS: ("price < 5", Comparison("price", Operator.LESS, 5.0, 1)),
    Operator.LESS_EQUAL: ("price <= 5", Comparison("price", Operator.LESS_EQUAL, 5.0, 1)),
    Operator.GREATER: ("price > 5", Comparison("price", Operator.GREATER, 5.0, 1)),
    Operator.GREATER_EQUAL: ("price >= 5", Comparison("price", Operator.GREATER_EQUAL, 5.0, 1)),
    Operator.IN: ('currency in ["USD", "EUR"]', Comparison("currency", Operator.IN, ("USD", "EUR"), 1)),
    Operator.BETWEEN: ("price between 150 and 300", Comparison("price", Operator.BETWEEN, (150.0, 300.0), 1)),
}


def test_every_operator_has_an_example() -> None:
    assert set(OPERATOR_EXAMPLES) == set(Operator)


@pytest.mark.parametrize("operator", list(Operator), ids=lambda operator: operator.name)
def test_every_operator_parses_from_its_spelling(operator: Operator) -> None:
    text, expected = OPERATOR_EXAMPLES[operator]
    assert parse_expression(text) == expected


def test_symbol_operators_need_no_spaces() -> None:
    assert parse_expression("price<=5") == Comparison("price", Operator.LESS_EQUAL, 5.0, 1)


def test_rule_may_span_lines_and_tabs() -> None:
    assert parse_expression('"HD800"\n\tAND price < 1000') == And((HD800, CHEAP))


def test_age_hours_is_a_number_field() -> None:
    assert parse_expression("age_hours < 24") == Comparison("age_hours", Operator.LESS, 24.0, 1)


# --- the field table ---------------------------------------------------------------------------


def test_fields_are_every_listing_key_plus_age_hours() -> None:
    assert set(nodes.FIELDS) == LISTING_FIELDS | {"age_hours"}


def test_field_kinds_follow_the_listing_types() -> None:
    hints = typing.get_type_hints(Listing)
    for name in LISTING_FIELDS:
        present = [kind for kind in typing.get_args(hints[name]) if kind is not type(None)] or [hints[name]]
        is_number = all(issubclass(kind, int | float) for kind in present)
        assert (nodes.FIELDS[name] is FieldKind.NUMBER) == is_number, name


# --- errors --------------------------------------------------------------------------------------


ERROR_CASES = [
    ("", "empty expression", 1),
    ("   ", "empty expression", 1),
    ("prise < 500", 'unknown field "prise" (did you mean "price"?)', 1),
    ('title contains "x" AND selller = "bob"', 'unknown field "selller" (did you mean "seller"?)', 24),
    ("Moondrop", 'to search titles, quote the text: "Moondrop"', 1),
    ('colour = "red"', 'unknown field "colour" (fields are age_hours, category', 1),
    ('title like "x"', 'unknown operator "like"', 7),
    ('title ~ "x"', 'unknown operator "~"', 7),
    ('title == "x"', 'unknown operator "==" (did you mean "="?)', 7),
    ('title contain "x"', 'unknown operator "contain" (did you mean "contains"?)', 7),
    ('title "x"', 'expected an operator after "title", found "x"', 7),
    ("title", 'missing operator after "title"', 6),
    ('title contains "HD800', "unclosed quote", 16),
    ("seller = 'bob", "unclosed quote", 10),
    ('"HD800', "unclosed quote", 1),
    (r'title = "ends in backslash\"', "unclosed quote", 9),
    ('(title contains "x"', 'missing ")" to close this "("', 1),
    ('price < 5 AND (title = "a" OR (title = "b")', 'missing ")" to close this "("', 15),
    ('(title = "a" "b")', 'expected ")", AND or OR, found "b"', 14),
    ('title contains "x")', 'unexpected ")" with no "(" to close', 19),
    ("()", 'expected a condition after "(", found ")"', 2),
    (")", 'expected a condition, found ")"', 1),
    ("price <", 'missing value after "<"', 8),
    ("price < )", 'expected a value after "<", found ")"', 9),
    ("price < 5k", 'expected a value after "<", found "5k"', 9),
    ('title = "x" AND', 'missing condition after "AND"', 16),
    ('title = "x" OR OR "y"', 'expected a condition after "OR", found "OR"', 16),
    ("NOT", 'missing condition after "NOT"', 4),
    ('AND "x"', 'expected a condition, found "AND"', 1),
    ('price contains "x"', '"contains" needs text but price is a number', 7),
    ('price < "cheap"', 'price is a number but "cheap" is text', 9),
    ("title > 5", '">" needs a number but title is text', 7),
    ("title = 5", 'title is text but 5 is a number (quote it to compare text: "5")', 9),
    ("status = active", 'text needs quotes: "active"', 10),
    ('title contains "x" junk', 'unexpected "junk" (join conditions with AND or OR)', 20),
    ('"x" "y"', 'unexpected "y"', 5),
    ('title contains "x"\n\tAND price < ', 'missing value after "<"', 33),
    ('title matches "(abc"', "bad regular expression: missing ): (abc", 16),
    ('title matches "a[z-b]"', "bad regular expression: invalid character class range: z-b", 18),
    ('title matches "x(?<=y)"', "RE2 has no look-arounds", 17),
    ('title matches "(?<name>x)"', "write a named group as (?P<name>...)", 15),
    ('title has " - "', "has needs a word or model name", 11),
    ('title in []', "empty list", 10),
    ('title in ["a"', 'missing "]" to close this "["', 10),
    ('title in ["a" "b"]', 'expected "," or "]" in the list, found "b"', 15),
    ('title in ["a", ]', 'expected a value after ",", found "]"', 16),
    ('title in "a"', 'expected a list in brackets after "in", found "a"', 10),
    ('price in [1, "2"]', 'price is a number but "2" is text', 14),
    ('title in ["a", 2]', "title is text but 2 is a number", 16),
    ("price between 300 and 150", "between takes the lower bound first: between 150 and 300", 15),
    ("price between 150", 'missing "and" after "150"', 18),
    ("price between 150 or 300", 'expected "and" after "150", found "or"', 19),
    ('price between "a" and 3', 'price is a number but "a" is text', 15),
    ("title between 1 and 2", '"between" needs a number but title is text', 7),
    ('price has "x"', '"has" needs text but price is a number', 7),
    ('seller_feedback startswith "1"', '"startswith" needs text but seller_feedback is a number', 17),
    ('title startwith "x"', 'unknown operator "startwith" (did you mean "startswith"?)', 7),
    ("price < 1e999", "number 1e999 is too large", 9),
]


@pytest.mark.parametrize(
    ("text", "phrase", "column"), ERROR_CASES, ids=[repr(case[0]) for case in ERROR_CASES]
)
def test_bad_rule_raises_rule_error_at_its_column(text: str, phrase: str, column: int) -> None:
    error = parse_error(text)
    assert phrase in error.reason
    assert error.column == column
    lines = str(error).splitlines()
    assert lines[-1] == "    " + " " * (column - 1) + "^"
    assert lines[-2] == "    " + text.replace("\n", " ").replace("\t", " ")


def test_has_term_keeps_its_spaces_and_dashes_in_the_tree() -> None:
    assert parse_expression('title has "HD 800"') == Comparison("title", Operator.HAS, "HD 800", 1)


def test_between_and_does_not_end_the_condition() -> None:
    text = 'price between 150 and 300 and title has "x"'
    assert parse_expression(text) == And(
        (Comparison("price", Operator.BETWEEN, (150.0, 300.0), 1), Comparison("title", Operator.HAS, "x", 1))
    )


def test_in_list_takes_single_and_double_quotes() -> None:
    expected = Comparison("listing_type", Operator.IN, ("For Sale", "For Sale/Trade"), 1)
    assert parse_expression("listing_type in ['For Sale', \"For Sale/Trade\"]") == expected


def test_spec_examples_parse() -> None:
    for text in (
        'title has "HD800" AND price < 1000 AND NOT title contains "broken"',
        '(title has "Utopia" OR title has "Stellia") AND ships_to contains "United States"',
        '"Moondrop" AND listing_type in ["For Sale", "For Sale/Trade"]',
        'title matches "(?i)hd ?6[05]0" AND price between 150 and 300 AND seller_feedback >= 10',
    ):
        parse_expression(text)


def test_unknown_field_suggests_close_match() -> None:
    assert parse_error("prise < 500").reason == 'unknown field "prise" (did you mean "price"?)'


def test_rule_error_is_a_config_error_with_exit_code_78() -> None:
    assert parse_error("prise < 500").exit_code == 78


def test_deep_nesting_is_a_rule_error() -> None:
    depth = 500
    assert "nested" in parse_error("(" * depth + '"x"' + ")" * depth).reason


_PIECES = [
    "title", "price", "age_hours", "prise", "AND", "or", "NOT", "(", ")", '"x"', "'y'", '"', "'", "\\",
    "<", "<=", "=", "!=", "==", "~", "contains", "like", "5", "-1.5", "5k", "junk", ",", "[", "\xa0", "é",
    "has", "in", "between", "matches", "startswith", "]", '"(a"', '" "',
]  # fmt: skip


@settings(max_examples=400, database=None, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.lists(st.sampled_from(["", " ", "\n"])))
def test_any_text_parses_or_raises_rule_error_in_range(pieces: list[str], gaps: list[str]) -> None:
    text = "".join(piece + (gaps[index] if index < len(gaps) else " ") for index, piece in enumerate(pieces))
    try:
        parse_expression(text)
    except RuleError as error:
        assert 1 <= error.column <= len(text) + 1
        assert not error.reason.startswith("cannot read the rule")
