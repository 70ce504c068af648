"""Turn a watch-rule tree into a Python predicate over a listing and the evaluation time.

All dispatch on node and operator kinds happens once, here, while closures are built; evaluating a
predicate only calls closures. Text constants are folded (``rules/text.py``) at compile time, listing
text per call; numbers are compared as floats, as DuckDB compares them as DOUBLE.

Missing values (a field that is None, or an ``age_hours`` whose ``listed_at`` is absent or unreadable)
make every comparison false except ``!=``, which is true: a listing with no price is not priced 500,
so it *is* "!= 500". ``NOT`` is plain boolean negation on top of that, so ``NOT price < 100`` is true
for a listing with no price. ``rules/sql.py`` gives the same answers; tests/test_rules_sql.py checks it.
"""

from __future__ import annotations

import operator as operators
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar, assert_never, cast

from audiowatch.listing import Listing
from audiowatch.rules import grammar, nodes
from audiowatch.rules import text as rules_text

Predicate = Callable[[Listing, datetime], bool]
"""``predicate(listing, now) -> matched``; ``now`` is aware UTC and only ``age_hours`` reads it."""

_Value = TypeVar("_Value", str, float)
_MICROSECONDS_PER_HOUR = 3_600_000_000
_ONE_MICROSECOND = timedelta(microseconds=1)


def compile_rule(text: str) -> Predicate:
    """Parse and compile one rule expression. Raise RuleError if it does not parse."""
    return compile_expression(grammar.parse_expression(text))


def compile_expression(node: nodes.Node) -> Predicate:
    """Return the predicate for a tree made by ``grammar.parse_expression``."""
    match node:
        case nodes.Comparison():
            return _compile_comparison(node)
        case nodes.And():
            return _compile_all(tuple(compile_expression(operand) for operand in _flattened(node)))
        case nodes.Or():
            return _compile_any(tuple(compile_expression(operand) for operand in _flattened(node)))
        case nodes.Not(operand):
            inner = compile_expression(operand)
            return lambda listing, now: not inner(listing, now)
        case _:
            assert_never(node)


def _flattened(node: nodes.And | nodes.Or) -> list[nodes.Node]:
    # A rule is the AND of its parts, each often an AND itself: one level runs faster than nested ones.
    flat: list[nodes.Node] = []
    for operand in node.operands:
        flat.extend(_flattened(operand) if type(operand) is type(node) else (operand,))
    return flat


def _compile_all(every: tuple[Predicate, ...]) -> Predicate:
    # A plain loop, not all(generator): this runs rules x listings times in a backtest.
    def predicate(listing: Listing, now: datetime) -> bool:
        for test in every:  # noqa: SIM110
            if not test(listing, now):
                return False
        return True

    return predicate


def _compile_any(any_of: tuple[Predicate, ...]) -> Predicate:
    def predicate(listing: Listing, now: datetime) -> bool:
        for test in any_of:  # noqa: SIM110
            if test(listing, now):
                return True
        return False

    return predicate


def read_field(field: str) -> Callable[[Listing, datetime], str | float | None]:
    """Return a reader of ``field`` as rules see it: folded text, a float, or None when missing."""
    if nodes.FIELDS[field] is nodes.FieldKind.TEXT:
        return _compile_text_reader(field)
    return _compile_number_reader(field)


def _compile_comparison(comparison: nodes.Comparison) -> Predicate:
    # See the module docstring: a missing value satisfies only "!=".
    when_missing = comparison.operator is nodes.Operator.NOT_EQUALS
    field, value = comparison.field, comparison.value
    if nodes.FIELDS[field] is nodes.FieldKind.TEXT and _is_text_operand(value):
        text_test = _compile_text_test(comparison.operator, value)
        # A regex reads the text as written, so classes such as \p{Lu} keep their meaning; its
        # case-insensitivity comes from RE2's (?i) (rules/text.py). Every other test reads folded text.
        folded = comparison.operator is not nodes.Operator.MATCHES
        return _guard_missing(_compile_text_reader(field, folded=folded), text_test, when_missing)
    if nodes.FIELDS[field] is nodes.FieldKind.NUMBER and _is_number_operand(value):
        number_test = _compile_number_test(comparison.operator, value)
        return _guard_missing(_compile_number_reader(field), number_test, when_missing)
    raise ValueError(f"{field} cannot be compared with {value!r}; the grammar should have refused it")


def _is_text_operand(value: nodes.Value) -> bool:
    items = value if isinstance(value, tuple) else (value,)
    return all(isinstance(item, str) for item in items)


def _is_number_operand(value: nodes.Value) -> bool:
    items = value if isinstance(value, tuple) else (value,)
    return all(isinstance(item, float | int) for item in items)


def _guard_missing(
    read: Callable[[Listing, datetime], _Value | None],
    test: Callable[[_Value], bool],
    when_missing: bool,
) -> Predicate:
    def predicate(listing: Listing, now: datetime) -> bool:
        value = read(listing, now)
        return when_missing if value is None else test(value)

    return predicate


def _compile_text_reader(field: str, *, folded: bool = True) -> Callable[[Listing, datetime], str | None]:
    read = operators.attrgetter(field)
    fold = rules_text.fold if folded else str

    def read_text(listing: Listing, now: datetime) -> str | None:
        value = read(listing)
        # str() turns the status StrEnum into its plain value.
        return None if value is None else fold(str(value))

    return read_text


def _compile_number_reader(field: str) -> Callable[[Listing, datetime], float | None]:
    if field == nodes.AGE_HOURS:
        return read_age_hours
    read = operators.attrgetter(field)

    def read_number(listing: Listing, now: datetime) -> float | None:
        value: float | None = read(listing)
        # float() for every number, as SQL compares them as DOUBLE (a huge id rounds alike in both).
        return None if value is None else float(value)

    return read_number


def read_age_hours(listing: Listing, now: datetime) -> float | None:
    """Return the hours from ``listed_at`` to ``now``, or None when it is absent or unreadable."""
    if listing.listed_at is None:
        return None
    try:
        listed = datetime.fromisoformat(listing.listed_at)
    except ValueError:
        return None
    if listed.tzinfo is None:
        # SPEC §2 times are UTC; a time without an offset is read as UTC rather than local time.
        listed = listed.replace(tzinfo=UTC)
    # Whole microseconds divided once, exactly as the SQL computes it, so both round alike.
    return ((now - listed) // _ONE_MICROSECOND) / _MICROSECONDS_PER_HOUR


def _compile_text_test(operator: nodes.Operator, value: nodes.Value) -> Callable[[str], bool]:
    """Return the test a present, folded text value must pass against the constant."""
    if isinstance(value, tuple):
        if operator is not nodes.Operator.IN:
            raise ValueError(f'"{operator.value}" takes one value; the grammar should have refused a list')
        choices = frozenset(rules_text.fold(cast(str, item)) for item in value)
        return lambda present: present in choices
    constant = rules_text.fold(cast(str, value))
    match operator:
        case nodes.Operator.CONTAINS:
            return lambda present: constant in present
        case nodes.Operator.STARTS_WITH:
            return lambda present: present.startswith(constant)
        case nodes.Operator.ENDS_WITH:
            return lambda present: present.endswith(constant)
        case nodes.Operator.EQUALS:
            return lambda present: present == constant
        case nodes.Operator.NOT_EQUALS:
            return lambda present: present != constant
        case nodes.Operator.HAS:
            has = rules_text.compile_regex(rules_text.has_pattern(cast(str, value)))
            return lambda present: has.search(present) is not None
        case nodes.Operator.MATCHES:
            regex = rules_text.compile_regex(rules_text.matches_pattern(cast(str, value)))
            return lambda present: regex.search(present) is not None
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


def _compile_number_test(operator: nodes.Operator, value: nodes.Value) -> Callable[[float], bool]:
    """Return the test a present number must pass against the constant(s)."""
    if isinstance(value, tuple):
        numbers = tuple(float(cast(float, item)) for item in value)
        if operator is nodes.Operator.BETWEEN:
            low, high = numbers
            return lambda present: low <= present <= high
        if operator is nodes.Operator.IN:
            choices = frozenset(numbers)
            return lambda present: present in choices
        raise ValueError(f'"{operator.value}" takes one number; the grammar should have refused a list')
    constant = float(cast(float, value))
    match operator:
        case nodes.Operator.EQUALS:
            return lambda present: present == constant
        case nodes.Operator.NOT_EQUALS:
            return lambda present: present != constant
        case nodes.Operator.LESS:
            return lambda present: present < constant
        case nodes.Operator.LESS_EQUAL:
            return lambda present: present <= constant
        case nodes.Operator.GREATER:
            return lambda present: present > constant
        case nodes.Operator.GREATER_EQUAL:
            return lambda present: present >= constant
        case (
            nodes.Operator.CONTAINS
            | nodes.Operator.HAS
            | nodes.Operator.STARTS_WITH
            | nodes.Operator.ENDS_WITH
            | nodes.Operator.MATCHES
            | nodes.Operator.IN
            | nodes.Operator.BETWEEN
        ):
            raise ValueError(f'"{operator.value}" does not apply to one number; the grammar should have refused it')
        case _:
            assert_never(operator)


def compile_value_test(comparison: nodes.Comparison) -> Callable[[str | float], bool]:
    """Return the test a present value must pass, read as rules read it.

    Text arrives folded (``rules/text.py``), except for ``matches``, which reads text as written;
    numbers arrive as floats. Lint uses this to try candidate values without building listings.
    """
    if nodes.FIELDS[comparison.field] is nodes.FieldKind.TEXT:
        return cast(Callable[[str | float], bool], _compile_text_test(comparison.operator, comparison.value))
    return cast(Callable[[str | float], bool], _compile_number_test(comparison.operator, comparison.value))
