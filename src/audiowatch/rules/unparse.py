"""Write a rule tree back as rule text, for explanations and lint messages (pure).

``grammar.parse_expression(format_expression(tree)) == tree`` for every tree the grammar can make;
tests/test_rules_unparse.py checks it on random trees.
"""

from __future__ import annotations

from typing import assert_never

from audiowatch.rules import nodes


def format_expression(node: nodes.Node) -> str:
    """Return rule text for ``node``, with parentheses where precedence or the tree's grouping needs them."""
    match node:
        case nodes.Comparison():
            return format_comparison(node)
        case nodes.And(operands):
            # A nested AND keeps its parentheses too, so the text reads back to this very tree.
            return " AND ".join(_wrapped(operand, (nodes.And, nodes.Or)) for operand in operands)
        case nodes.Or(operands):
            return " OR ".join(_wrapped(operand, (nodes.Or,)) for operand in operands)
        case nodes.Not(operand):
            return "NOT " + _wrapped(operand, (nodes.And, nodes.Or))
        case _:
            assert_never(node)


def format_comparison(comparison: nodes.Comparison) -> str:
    """Return ``field operator value`` as a rule would spell it."""
    value = comparison.value
    if comparison.operator is nodes.Operator.IN and isinstance(value, tuple):
        operand = "[" + ", ".join(format_value(item) for item in value) + "]"
    elif comparison.operator is nodes.Operator.BETWEEN and isinstance(value, tuple):
        operand = f"{format_value(value[0])} and {format_value(value[1])}"
    elif isinstance(value, str | float | int):
        operand = format_value(value)
    else:
        raise ValueError(f'"{comparison.operator.value}" takes one value, not {value!r}')
    return f"{comparison.field} {comparison.operator.value} {operand}"


def format_value(value: str | float) -> str:
    """Return a literal: a number without a needless ".0", or text in double quotes."""
    if isinstance(value, str):
        return _quote(value)
    text = repr(float(value))
    return text.removesuffix(".0") if "e" not in text else text


def _quote(value: str) -> str:
    # The grammar reads \\ and \" as escapes and keeps any other backslash as written (so a regex's
    # \d stays readable): double a backslash only where it would otherwise start an escape.
    written: list[str] = []
    for index, character in enumerate(value):
        if character == '"':
            written.append('\\"')
        elif character == "\\" and (index + 1 == len(value) or value[index + 1] in '"\\'):
            written.append("\\\\")
        else:
            written.append(character)
    return '"' + "".join(written) + '"'


def _wrapped(node: nodes.Node, needs_parentheses: tuple[type, ...]) -> str:
    text = format_expression(node)
    return f"({text})" if isinstance(node, needs_parentheses) else text
