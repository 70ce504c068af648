"""A watch rule as the parts that are ANDed together: global filter, categories, filter, expression (pure).

Keeping the parts apart, instead of only their AND, lets ``rules explain`` show which part decided
and lets lint tell rules that differ only by a filter; ``tree`` is what gets compiled and searched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from audiowatch import sources
from audiowatch.rules import grammar, nodes


class Part(StrEnum):
    """Where a condition of a rule comes from, in the order they are ANDed."""

    GLOBAL_FILTER = "global filter"
    CATEGORIES = "categories"
    FILTER = "filter"
    EXPRESSION = "expression"


@dataclass(frozen=True, slots=True)
class RuleConditions:
    """A named rule's conditions, part by part; a part the rule does not use is absent."""

    name: str
    parts: tuple[tuple[Part, nodes.Node], ...]
    channels: tuple[str, ...] | None = None  # None: every channel

    @property
    def tree(self) -> nodes.Node:
        """Every part ANDed, in order: the condition a listing must meet."""
        combined = nodes.all_of(*(node for _, node in self.parts))
        assert combined is not None  # the expression part is always present
        return combined

    def part(self, which: Part) -> nodes.Node | None:
        return next((node for name, node in self.parts if name is which), None)


def assemble(
    name: str,
    expression: str,
    *,
    global_filter: str | None = None,
    categories: Sequence[str] | None = None,
    filter_text: str | None = None,
    channels: Sequence[str] | None = None,
) -> RuleConditions:
    """Parse a rule's texts into its conditions. Raise RuleError for a text that does not parse."""
    parts: list[tuple[Part, nodes.Node]] = []
    if global_filter:
        parts.append((Part.GLOBAL_FILTER, grammar.parse_expression(global_filter)))
    if categories:
        parts.append((Part.CATEGORIES, category_condition(categories)))
    if filter_text:
        parts.append((Part.FILTER, grammar.parse_expression(filter_text)))
    parts.append((Part.EXPRESSION, grammar.parse_expression(expression)))
    return RuleConditions(name, tuple(parts), tuple(channels) if channels is not None else None)


def category_condition(categories: Sequence[str]) -> nodes.Comparison:
    """Return ``category in [...]`` for category slugs, a parent standing for itself and its children.

    A listing carries the slug of the leaf category it was found in (full-size, not
    headphones-for-sale-trade), so naming a parent must include its leaves to mean what it says.
    """
    slugs: list[str] = []
    for slug in categories:
        slugs.append(slug)
        parent = sources.CATEGORIES_BY_SLUG.get(slug)
        if parent is not None:
            slugs.extend(child.slug for child in sources.CATEGORIES if child.parent_id == parent.category_id)
    return nodes.Comparison("category", nodes.Operator.IN, tuple(dict.fromkeys(slugs)), 0)
