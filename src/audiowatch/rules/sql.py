"""Translate a rule tree into a DuckDB WHERE condition with bound parameters (pure; runs no SQL).

The condition reads one column per field of ``nodes.FIELDS``, named after it: text fields as VARCHAR
(``listed_at`` and ``edited_at`` as the ISO text a Listing holds), number fields as numbers, and
``age_hours`` as a DOUBLE already measured to the moment of judgement. ``store/search.py`` builds that
relation. Every constant travels as a parameter; the only names written into the SQL are field names
from the closed set in ``nodes.FIELDS``.

The answers are those of ``rules/compile.py``, including missing values: each comparison is wrapped
in ``coalesce(..., false)`` (``true`` for ``!=``), so NULL never reaches AND, OR or NOT and SQL's
three-valued logic never applies. tests/test_rules_sql.py checks the agreement on random rules and
listings against a real table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never, cast

from audiowatch.rules import nodes
from audiowatch.rules import text as rules_text


@dataclass(frozen=True, slots=True)
class Condition:
    """A boolean SQL expression and the values of its ``?`` placeholders, in order."""

    clause: str
    params: tuple[str | float, ...]


def translate(node: nodes.Node) -> Condition:
    """Return the WHERE condition equivalent to ``node``."""
    params: list[str | float] = []
    clause = _translate(node, params)
    return Condition(clause, tuple(params))


def _translate(node: nodes.Node, params: list[str | float]) -> str:
    match node:
        case nodes.Comparison():
            return _comparison(node, params)
        case nodes.And(operands):
            return "(" + " AND ".join(_translate(operand, params) for operand in operands) + ")"
        case nodes.Or(operands):
            return "(" + " OR ".join(_translate(operand, params) for operand in operands) + ")"
        case nodes.Not(operand):
            return f"(NOT {_translate(operand, params)})"
        case _:
            assert_never(node)


def _comparison(comparison: nodes.Comparison, params: list[str | float]) -> str:
    if comparison.field not in nodes.FIELDS:
        raise ValueError(f"unknown field {comparison.field!r}; the grammar should have refused it")
    column = f'"{comparison.field}"'
    if nodes.FIELDS[comparison.field] is nodes.FieldKind.TEXT:
        test = _text_test(column, comparison.operator, comparison.value, params)
    else:
        test = _number_test(f"CAST({column} AS DOUBLE)", comparison.operator, comparison.value, params)
    # A missing value makes every comparison false but "!=" (rules/compile.py).
    when_missing = "true" if comparison.operator is nodes.Operator.NOT_EQUALS else "false"
    return f"coalesce({test}, {when_missing})"


def _text_test(column: str, operator: nodes.Operator, value: nodes.Value, params: list[str | float]) -> str:
    folded = f"lower({column})"
    if isinstance(value, tuple):
        if operator is not nodes.Operator.IN:
            raise ValueError(f'"{operator.value}" takes one value; the grammar should have refused a list')
        params.extend(rules_text.fold(cast(str, item)) for item in value)
        return f"{folded} IN ({', '.join('?::VARCHAR' for _ in value)})"
    text = cast(str, value)
    match operator:
        case nodes.Operator.CONTAINS:
            return _bind(f"contains({folded}, ?::VARCHAR)", rules_text.fold(text), params)
        case nodes.Operator.STARTS_WITH:
            return _bind(f"starts_with({folded}, ?::VARCHAR)", rules_text.fold(text), params)
        case nodes.Operator.ENDS_WITH:
            return _bind(f"ends_with({folded}, ?::VARCHAR)", rules_text.fold(text), params)
        case nodes.Operator.EQUALS:
            return _bind(f"{folded} = ?::VARCHAR", rules_text.fold(text), params)
        case nodes.Operator.NOT_EQUALS:
            return _bind(f"{folded} <> ?::VARCHAR", rules_text.fold(text), params)
        case nodes.Operator.HAS:
            return _bind(f"regexp_matches({folded}, ?::VARCHAR)", rules_text.has_pattern(text), params)
        case nodes.Operator.MATCHES:
            # On the text as written, like the predicate; (?i) inside the pattern ignores case.
            return _bind(f"regexp_matches({column}, ?::VARCHAR)", rules_text.matches_pattern(text), params)
        case (
            nodes.Operator.LESS
            | nodes.Operator.LESS_EQUAL
            | nodes.Operator.GREATER
            | nodes.Operator.GREATER_EQUAL
            | nodes.Operator.IN
            | nodes.Operator.BETWEEN
        ):
            raise ValueError(f'"{operator.value}" does not apply to one text; the grammar should have refused it')
        case _:
            assert_never(operator)


_NUMBER_OPERATORS = {
    nodes.Operator.EQUALS: "=",
    nodes.Operator.NOT_EQUALS: "<>",
    nodes.Operator.LESS: "<",
    nodes.Operator.LESS_EQUAL: "<=",
    nodes.Operator.GREATER: ">",
    nodes.Operator.GREATER_EQUAL: ">=",
}


def _number_test(column: str, operator: nodes.Operator, value: nodes.Value, params: list[str | float]) -> str:
    if isinstance(value, tuple):
        numbers = [float(cast(float, item)) for item in value]
        params.extend(numbers)
        if operator is nodes.Operator.BETWEEN:
            return f"{column} BETWEEN ?::DOUBLE AND ?::DOUBLE"
        if operator is nodes.Operator.IN:
            return f"{column} IN ({', '.join('?::DOUBLE' for _ in numbers)})"
        raise ValueError(f'"{operator.value}" takes one number; the grammar should have refused a list')
    if operator not in _NUMBER_OPERATORS:
        raise ValueError(f'"{operator.value}" does not apply to one number; the grammar should have refused it')
    return _bind(f"{column} {_NUMBER_OPERATORS[operator]} ?::DOUBLE", float(cast(float, value)), params)


def _bind(clause: str, value: str | float, params: list[str | float]) -> str:
    params.append(value)
    return clause
