"""The watch-rule expression tree: a closed set of operators and frozen nodes, shared by every back end."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from audiowatch.listing import LISTING_FIELDS


class Operator(Enum):
    """Every comparison the language knows; the value is how a rule spells it.

    The set is closed on purpose (STYLE §5): the Python and SQL back ends each handle every member,
    so they can be checked against each other exhaustively.
    """

    CONTAINS = "contains"
    HAS = "has"
    STARTS_WITH = "startswith"
    ENDS_WITH = "endswith"
    MATCHES = "matches"
    EQUALS = "="
    NOT_EQUALS = "!="
    LESS = "<"
    LESS_EQUAL = "<="
    GREATER = ">"
    GREATER_EQUAL = ">="
    IN = "in"
    BETWEEN = "between"


class FieldKind(Enum):
    """What a field holds, which decides the operators and literals it accepts."""

    TEXT = "text"
    NUMBER = "number"


_NUMBER_LISTING_FIELDS = frozenset({"listing_id", "price", "seller_feedback"})

AGE_HOURS = "age_hours"
"""The one computed field: hours between ``listed_at`` and the ``now`` a rule is evaluated at."""

FIELDS: dict[str, FieldKind] = {
    **{
        name: FieldKind.NUMBER if name in _NUMBER_LISTING_FIELDS else FieldKind.TEXT
        for name in sorted(LISTING_FIELDS)
    },
    AGE_HOURS: FieldKind.NUMBER,
}
"""Every field a rule may name: each SPEC §2 listing key plus ``age_hours``."""

OPERATORS_BY_KIND: dict[FieldKind, tuple[Operator, ...]] = {
    FieldKind.TEXT: (
        Operator.CONTAINS,
        Operator.HAS,
        Operator.STARTS_WITH,
        Operator.ENDS_WITH,
        Operator.MATCHES,
        Operator.EQUALS,
        Operator.NOT_EQUALS,
        Operator.IN,
    ),
    FieldKind.NUMBER: (
        Operator.EQUALS,
        Operator.NOT_EQUALS,
        Operator.LESS,
        Operator.LESS_EQUAL,
        Operator.GREATER,
        Operator.GREATER_EQUAL,
        Operator.IN,
        Operator.BETWEEN,
    ),
}
"""Which operators each kind of field accepts, in the order error messages list them."""

Value: TypeAlias = str | float | tuple[str, ...] | tuple[float, ...]
"""A comparison's operand: one text or number, the items of ``in [...]``, or ``between``'s (low, high)."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """``field operator value``, e.g. ``price < 1000``; a bare string is ``title contains`` it.

    ``value`` is a ``str`` for text fields and a ``float`` for number fields (the grammar checks
    this); ``in`` holds a tuple of them, and ``between`` the tuple ``(low, high)`` with low <= high.
    ``column`` (1-based) locates the comparison in its rule for later messages; it takes no part in
    equality, so the same condition written in two places compares equal. Conditions that were not
    written in a rule (a rule's ``categories``) have column 0.
    """

    field: str
    operator: Operator
    value: Value
    column: int = dataclasses.field(compare=False)


@dataclass(frozen=True, slots=True)
class And:
    """True when every operand is true."""

    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """True when any operand is true."""

    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """True when the operand is false (including when it is false because a field is missing)."""

    operand: Node


Node: TypeAlias = Comparison | And | Or | Not


def all_of(*parts: Node | None) -> Node | None:
    """Return the AND of the parts given (None parts are skipped), a lone part itself, or None."""
    present = tuple(part for part in parts if part is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)
