"""Which stored listings are comparable to a rule's match: the rule with its price and time terms taken out (pure).

A rule like ``title has "HD800" AND price < 1000`` must not judge a $900 ask only against other
sub-$1000 asks, so market context compares with what the rule says about the *product* and ignores
what it says about the *deal*. Comparisons on ``DEAL_FIELDS`` (price, seller, dates, status, ...)
are relaxed away; comparisons on the other fields (title, category, listing type, condition,
ships to, currency) stay as written.

Relaxing keeps every listing the rule matched, whatever its deal fields hold. Each dropped
comparison is replaced by the constant that can only widen the result where it stands:

- where it counts for the match (under an even number of NOTs) by *true*: ``A AND price < 1000``
  becomes ``A``, and an OR with a branch that became true becomes true (unconstrained);
- under a NOT by *false*: ``NOT (title contains "broken" OR price < 100)`` becomes
  ``NOT title contains "broken"``, and ``NOT (title contains "broken" AND price < 100)``
  becomes unconstrained.

AND and OR are monotone, so by induction the relaxed condition is true wherever the rule is, and it
reads no deal field, so changing those cannot make it false (tests/test_rules_comparable.py checks
both on random rules and listings). Missing values need no care: each kept comparison is judged
exactly as before, and every comparison is true or false, never unknown (rules/compile.py).
"""

from __future__ import annotations

from typing import assert_never

from audiowatch.rules import conditions, nodes

DEAL_FIELDS: frozenset[str] = frozenset({
    "price", "seller_feedback", "listing_id", nodes.AGE_HOURS, "listed_at", "edited_at", "status", "seller",
    "thumbnail_url", "url", "negotiability",
})  # fmt: skip
"""Fields about the ask, the seller or the moment rather than the product: comparables may differ in them.

``negotiability`` ("Firm", "Or best offer") describes the ask, not the item, so it is here too.
"""

PRODUCT_FIELDS: frozenset[str] = frozenset({"title", "category"})
"""Fields that say what is sold; a comparable condition must pin at least one of them."""

_Relaxed = nodes.Node | bool  # True: no constraint left; False: nothing can match


def comparable_for_rule(rule: conditions.RuleConditions) -> nodes.Node | None:
    """Return the comparable condition of a rule's own parts (categories, filter, expression), or None.

    The global filter is left out: it says which listings to *notify* (active, not Want To Buy),
    not which asks make the market.
    """
    own = nodes.all_of(*(node for part, node in rule.parts if part is not conditions.Part.GLOBAL_FILTER))
    return comparable(own) if own is not None else None


def comparable(node: nodes.Node) -> nodes.Node | None:
    """Return ``node`` relaxed (see the module docstring), or None when it no longer says what is sold.

    None when nothing remains (``price < 100``), and also when what remains does not pin the product
    by title or category (``condition = "New" AND price < 100``: every new item is no market).
    """
    relaxed = relax(node)
    if isinstance(relaxed, bool) or not names_product(relaxed):
        return None
    return relaxed


def relax(node: nodes.Node, *, negated: bool = False) -> _Relaxed:
    """Return ``node`` without its comparisons on DEAL_FIELDS, widened as the module docstring says.

    ``negated`` is True under an odd number of NOTs, where a dropped comparison becomes false. The
    result is True when nothing constrains any more, False when nothing could match (only possible
    if ``negated``), else a tree that reads no deal field.
    """
    match node:
        case nodes.Comparison(field=field):
            return (not negated) if field in DEAL_FIELDS else node
        case nodes.And(operands):
            return _and([relax(operand, negated=negated) for operand in operands])
        case nodes.Or(operands):
            return _or([relax(operand, negated=negated) for operand in operands])
        case nodes.Not(operand):
            inner = relax(operand, negated=not negated)
            return (not inner) if isinstance(inner, bool) else nodes.Not(inner)
        case _:
            assert_never(node)


def names_product(node: nodes.Node) -> bool:
    """True when every listing ``node`` matches has a title or category it spells out.

    A positive comparison on a PRODUCT_FIELD does (``!=`` does not), an AND when any part does, an
    OR when every branch does; a NOT never does (``NOT title contains "broken"`` is almost anything).
    """
    match node:
        case nodes.Comparison(field=field, operator=operator):
            return field in PRODUCT_FIELDS and operator is not nodes.Operator.NOT_EQUALS
        case nodes.And(operands):
            return any(names_product(operand) for operand in operands)
        case nodes.Or(operands):
            return all(names_product(operand) for operand in operands)
        case nodes.Not():
            return False
        case _:
            assert_never(node)


def _and(parts: list[_Relaxed]) -> _Relaxed:
    if any(part is False for part in parts):
        return False
    kept = tuple(part for part in parts if not isinstance(part, bool))
    if not kept:
        return True
    return kept[0] if len(kept) == 1 else nodes.And(kept)


def _or(parts: list[_Relaxed]) -> _Relaxed:
    if any(part is True for part in parts):
        return True
    kept = tuple(part for part in parts if not isinstance(part, bool))
    if not kept:
        return False
    return kept[0] if len(kept) == 1 else nodes.Or(kept)
