"""Say why a listing does or does not match a rule: every clause with its value and true/false (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, assert_never

from audiowatch.listing import Listing
from audiowatch.rules import compile as rules_compile
from audiowatch.rules import nodes
from audiowatch.rules.conditions import Part, RuleConditions
from audiowatch.rules.unparse import format_comparison, format_value


@dataclass(frozen=True, slots=True)
class Explanation:
    """One clause: its text (a comparison, or AND/OR/NOT over ``children``), and whether it held.

    ``value`` is what the listing holds in a comparison's field, as shown to people; None for AND,
    OR and NOT. Every child is evaluated, even after one already decided its parent.
    """

    text: str
    result: bool
    value: str | None = None
    children: tuple[Explanation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"clause": self.text, "result": self.result}
        if self.value is not None:
            record["value"] = self.value
        if self.children:
            record["children"] = [child.to_json() for child in self.children]
        return record


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    """A whole rule on one listing: the verdict, and each part (global filter, ..., expression)."""

    rule: str
    matched: bool
    parts: tuple[tuple[Part, Explanation], ...]

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "matched": self.matched,
                "parts": [{"part": str(part), **explanation.to_json()} for part, explanation in self.parts]}


def explain_rule(rule: RuleConditions, listing: Listing, now: datetime) -> RuleExplanation:
    """Explain each part of ``rule`` on ``listing`` at ``now``; the rule matches when every part holds."""
    parts = tuple((part, explain(node, listing, now)) for part, node in rule.parts)
    return RuleExplanation(rule.name, all(explanation.result for _, explanation in parts), parts)


def explain(node: nodes.Node, listing: Listing, now: datetime) -> Explanation:
    """Return the explanation of ``node`` on ``listing``; its results are the compiled predicate's."""
    result = rules_compile.compile_expression(node)(listing, now)
    match node:
        case nodes.Comparison():
            return Explanation(format_comparison(node), result, _shown_value(node.field, listing, now))
        case nodes.And(operands) | nodes.Or(operands):
            word = "AND" if isinstance(node, nodes.And) else "OR"
            return Explanation(word, result, None, tuple(explain(operand, listing, now) for operand in operands))
        case nodes.Not(operand):
            return Explanation("NOT", result, None, (explain(operand, listing, now),))
        case _:
            assert_never(node)


def _shown_value(field: str, listing: Listing, now: datetime) -> str:
    value = rules_compile.read_age_hours(listing, now) if field == nodes.AGE_HOURS else getattr(listing, field)
    if value is None:
        return "missing"
    if isinstance(value, float) and field == nodes.AGE_HOURS:
        return f"{value:.1f}"
    return format_value(str(value)) if isinstance(value, str) else format_value(float(value))
