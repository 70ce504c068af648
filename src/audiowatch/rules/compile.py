"""Turn a watch-rule tree into a Python predicate over a listing and the evaluation time.

All dispatch on node and operator kinds happens once, here, while closures are built; evaluating a
predicate only calls closures. Text constants are casefolded at compile time, listing text per call.

Missing values (a field that is None, or an ``age_hours`` whose ``listed_at`` is absent or unreadable)
make every comparison false except ``!=``, which is true: a listing with no price is not priced 500,
so it *is* "!= 500". ``NOT`` is plain boolean negation on top of that, so ``NOT price < 100`` is true
for a listing with no price. ``rules/sql.py`` must give the same answers (NULL-safe comparisons).
"""

from __future__ import annotations

import operator as operators
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar, assert_never

from audiowatch.listing import Listing
from audiowatch.rules import grammar, nodes

Predicate = Callable[[Listing, datetime], bool]
"""``predicate(listing, now) -> matched``; ``now`` is aware UTC and only ``age_hours`` reads it."""

_Value = TypeVar("_Value", str, float)
_SECONDS_PER_HOUR = 3600.0


def compile_rule(text: str) -> Predicate:
    """Parse and compile one rule expression. Raise RuleError if it does not parse."""
    return compile_expression(grammar.parse_expression(text))


def compile_expression(node: nodes.Node) -> Predicate:
    """Return the predicate for a tree made by ``grammar.parse_expression``."""
    match node:
        case nodes.Comparison():
            return _compile_comparison(node)
        case nodes.And(operands):
            every = tuple(compile_expression(operand) for operand in operands)
            return lambda listing, now: all(predicate(listing, now) for predicate in every)
        case nodes.Or(operands):
            any_of = tuple(compile_expression(operand) for operand in operands)
            return lambda listing, now: any(predicate(listing, now) for predicate in any_of)
        case nodes.Not(operand):
            inner = compile_expression(operand)
            return lambda listing, now: not inner(listing, now)
        case _:
            assert_never(node)


def _compile_comparison(comparison: nodes.Comparison) -> Predicate:
    # See the module docstring: a missing value satisfies only "!=".
    when_missing = comparison.operator is nodes.Operator.NOT_EQUALS
    field, value = comparison.field, comparison.value
    if nodes.FIELDS[field] is nodes.FieldKind.TEXT and isinstance(value, str):
        text_test = _compile_text_test(comparison.operator, value.casefold())
        return _guard_missing(_compile_text_reader(field), text_test, when_missing)
    if nodes.FIELDS[field] is nodes.FieldKind.NUMBER and isinstance(value, float | int):
        number_test = _compile_number_test(comparison.operator, float(value))
        return _guard_missing(_compile_number_reader(field), number_test, when_missing)
    raise ValueError(f"{field} cannot be compared with {value!r}; the grammar should have refused it")


def _guard_missing(
    read: Callable[[Listing, datetime], _Value | None],
    test: Callable[[_Value], bool],
    when_missing: bool,
) -> Predicate:
    def predicate(listing: Listing, now: datetime) -> bool:
        value = read(listing, now)
        return when_missing if value is None else test(value)

    return predicate


def _compile_text_reader(field: str) -> Callable[[Listing, datetime], str | None]:
    read = operators.attrgetter(field)

    def read_text(listing: Listing, now: datetime) -> str | None:
        value = read(listing)
        # str() turns the status StrEnum into its plain value before casefolding.
        return None if value is None else str(value).casefold()

    return read_text


def _compile_number_reader(field: str) -> Callable[[Listing, datetime], float | None]:
    if field == nodes.AGE_HOURS:
        return _read_age_hours
    read = operators.attrgetter(field)

    def read_number(listing: Listing, now: datetime) -> float | None:
        value: float | None = read(listing)
        return value

    return read_number


def _read_age_hours(listing: Listing, now: datetime) -> float | None:
    if listing.listed_at is None:
        return None
    try:
        listed = datetime.fromisoformat(listing.listed_at)
    except ValueError:
        return None
    if listed.tzinfo is None:
        # SPEC §2 times are UTC; a time without an offset is read as UTC rather than local time.
        listed = listed.replace(tzinfo=UTC)
    return (now - listed).total_seconds() / _SECONDS_PER_HOUR


def _compile_text_test(operator: nodes.Operator, constant: str) -> Callable[[str], bool]:
    """Return the test a present, casefolded text value must pass against the casefolded constant."""
    match operator:
        case nodes.Operator.CONTAINS:
            return lambda value: constant in value
        case nodes.Operator.EQUALS:
            return lambda value: value == constant
        case nodes.Operator.NOT_EQUALS:
            return lambda value: value != constant
        case (
            nodes.Operator.LESS
            | nodes.Operator.LESS_EQUAL
            | nodes.Operator.GREATER
            | nodes.Operator.GREATER_EQUAL
        ):
            raise ValueError(f'"{operator.value}" does not apply to text; the grammar should have refused it')
        case _:
            assert_never(operator)


def _compile_number_test(operator: nodes.Operator, constant: float) -> Callable[[float], bool]:
    """Return the test a present number must pass against the constant."""
    match operator:
        case nodes.Operator.EQUALS:
            return lambda value: value == constant
        case nodes.Operator.NOT_EQUALS:
            return lambda value: value != constant
        case nodes.Operator.LESS:
            return lambda value: value < constant
        case nodes.Operator.LESS_EQUAL:
            return lambda value: value <= constant
        case nodes.Operator.GREATER:
            return lambda value: value > constant
        case nodes.Operator.GREATER_EQUAL:
            return lambda value: value >= constant
        case nodes.Operator.CONTAINS:
            raise ValueError('"contains" does not apply to numbers; the grammar should have refused it')
        case _:
            assert_never(operator)
