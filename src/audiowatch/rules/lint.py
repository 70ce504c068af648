"""Find rules that can never match, duplicates, and rules that differ only by a filter (pure).

"Never matches" is proved, never guessed: a rule is flagged only when no listing at all could satisfy
it, so a warning is always worth reading. The rule is spread into alternatives (an OR of ANDs); each
alternative is impossible when, for some field, neither a missing value nor any present value
satisfies every condition on that field. Numbers are tried at every constant named, between them and
beyond them, which covers every interval those constants can bound; text is tried at the values its
``=`` and ``in`` conditions allow, and ``status`` at its four possible values.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from audiowatch.listing import ListingStatus
from audiowatch.rules import compile as rules_compile
from audiowatch.rules import nodes
from audiowatch.rules import text as rules_text
from audiowatch.rules.conditions import Part, RuleConditions
from audiowatch.rules.unparse import format_comparison, format_expression

# Fields every stored listing has; the others may be missing (None).
_NEVER_MISSING = frozenset({"listing_id", "url", "title", "status"})
_STATUSES = tuple(status.value for status in ListingStatus)
# Beyond this many alternatives the analysis gives up and assumes the rule can match.
_MOST_ALTERNATIVES = 256


@dataclass(frozen=True, slots=True)
class Finding:
    """A warning about one rule, for people."""

    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class _Literal:
    comparison: nodes.Comparison
    holds: bool  # False: the comparison must be false (it sits under a NOT)

    def __str__(self) -> str:
        text = format_comparison(self.comparison)
        return text if self.holds else f"NOT {text}"


def check_rules(rules: Sequence[RuleConditions]) -> list[Finding]:
    """Return the findings for every rule, in rule order."""
    findings: list[Finding] = []
    for index, rule in enumerate(rules):
        reason = _never_matches_reason(rule)
        if reason:
            findings.append(Finding(rule.name, reason))
        findings.extend(_compare_with_earlier(rule, rules[:index]))
    return findings


def never_matches(node: nodes.Node) -> str | None:
    """Return why no listing can satisfy ``node``, or None when one might (or it is too complex to tell)."""
    alternatives = _alternatives(node, holds=True)
    if alternatives is None:
        return None
    reasons: list[str] = []
    for literals in alternatives:
        reason = _impossible(literals)
        if reason is None:
            return None
        reasons.append(reason)
    if len(reasons) == 1:
        return reasons[0]
    return "no alternative can be true: " + "; ".join(dict.fromkeys(reasons))


def _never_matches_reason(rule: RuleConditions) -> str | None:
    expression = rule.part(Part.EXPRESSION)
    alone = never_matches(expression) if expression is not None else None
    if alone:
        return f"can never match: {alone}"
    combined = never_matches(rule.tree)
    if not combined:
        return None
    others = [str(part) for part, _ in rule.parts if part is not Part.EXPRESSION]
    return f"can never match together with its {' and '.join(others)}: {combined}"


def _compare_with_earlier(rule: RuleConditions, earlier: Sequence[RuleConditions]) -> list[Finding]:
    for other in earlier:
        if normalize(rule.tree) == normalize(other.tree):
            channels = "" if rule.channels == other.channels else " (only the channels differ: list both on one rule)"
            return [Finding(rule.name, f'has the same conditions as rule "{other.name}"{channels}')]
    for other in earlier:
        if rule.channels == other.channels and _same_expression(rule, other):
            return [Finding(rule.name, _differs_by_filter(rule, other))]
    return []


def _same_expression(rule: RuleConditions, other: RuleConditions) -> bool:
    mine, theirs = rule.part(Part.EXPRESSION), other.part(Part.EXPRESSION)
    return mine is not None and theirs is not None and normalize(mine) == normalize(theirs)


def _differs_by_filter(rule: RuleConditions, other: RuleConditions) -> str:
    def narrowing(conditions: RuleConditions) -> bool:
        return any(part in (Part.CATEGORIES, Part.FILTER) for part, _ in conditions.parts)

    if not narrowing(other):
        return (f'has the same expression as rule "{other.name}" plus a filter, so every listing it '
                f'matches already matches "{other.name}": it adds no notification of its own')
    if not narrowing(rule):
        return (f'has the same expression as rule "{other.name}" without its filter, so "{other.name}" '
                f"adds no notification of its own")
    return (f'has the same expression as rule "{other.name}" and differs only by its filter or categories; '
            "one rule whose filter ORs both would do")


def normalize(node: nodes.Node) -> nodes.Node:
    """Return an equivalent tree in a canonical form: nested AND/OR flattened, operands sorted and
    deduplicated, double negation removed. Equal results mean equal rules."""
    match node:
        case nodes.Comparison():
            return _canonical_comparison(node)
        case nodes.Not(nodes.Not(inner)):
            return normalize(inner)
        case nodes.Not(operand):
            return nodes.Not(normalize(operand))
        case nodes.And() | nodes.Or():
            kind = type(node)
            flat: list[nodes.Node] = []
            for operand in (normalize(operand) for operand in node.operands):
                flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
            unique = sorted({format_expression(operand): operand for operand in flat}.items())
            operands = tuple(operand for _, operand in unique)
            return operands[0] if len(operands) == 1 else kind(operands)


def _canonical_comparison(comparison: nodes.Comparison) -> nodes.Comparison:
    """The comparison with its constant as rules read it: folded text, a has term without separators,
    a list sorted and without repeats. Regexes stay as written: case can matter inside them."""
    operator, value = comparison.operator, comparison.value
    if nodes.FIELDS[comparison.field] is nodes.FieldKind.TEXT and operator is not nodes.Operator.MATCHES:
        canonical = rules_text.has_term_characters if operator is nodes.Operator.HAS else rules_text.fold
        value = tuple(sorted({canonical(str(item)) for item in value})) if isinstance(value, tuple) else canonical(
            str(value))
    elif operator is nodes.Operator.IN and isinstance(value, tuple):
        value = tuple(sorted({float(item) for item in value}))
    return nodes.Comparison(comparison.field, operator, value, comparison.column)


def _alternatives(node: nodes.Node, holds: bool) -> list[list[_Literal]] | None:
    """Return ``node`` (or its negation) as an OR of ANDs of literals; None when that grows too large."""
    match node:
        case nodes.Comparison():
            return [[_Literal(node, holds)]]
        case nodes.Not(operand):
            return _alternatives(operand, not holds)
        case nodes.And(operands) | nodes.Or(operands):
            parts = [_alternatives(operand, holds) for operand in operands]
            if any(part is None for part in parts):
                return None
            if isinstance(node, nodes.And) == holds:  # an AND, or a negated OR: every part at once
                return _product([part for part in parts if part is not None])
            joined = [alternative for part in parts if part is not None for alternative in part]
            return joined if len(joined) <= _MOST_ALTERNATIVES else None


def _product(parts: list[list[list[_Literal]]]) -> list[list[_Literal]] | None:
    size = 1
    for part in parts:
        size *= len(part)
    if size > _MOST_ALTERNATIVES:
        return None
    return [[literal for chosen in combination for literal in chosen] for combination in itertools.product(*parts)]


def _impossible(literals: list[_Literal]) -> str | None:
    """Return why these literals cannot all hold for one listing, or None if some listing may satisfy them."""
    by_field: dict[str, list[_Literal]] = {}
    for literal in literals:
        by_field.setdefault(literal.comparison.field, []).append(literal)
    for field, on_field in by_field.items():
        if not _field_satisfiable(field, on_field):
            return _explain_conflict(field, on_field)
    return None


def _field_satisfiable(field: str, literals: list[_Literal]) -> bool:
    required = {_meaning(literal.comparison) for literal in literals if literal.holds}
    if any(not literal.holds and _meaning(literal.comparison) in required for literal in literals):
        return False  # a condition and its negation
    if field not in _NEVER_MISSING and all(_holds_when_missing(literal) for literal in literals):
        return True
    candidates = _candidates(field, literals)
    if candidates is None:
        return True  # nothing pins the value down: assume some text satisfies it
    tests = [(rules_compile.compile_value_test(literal.comparison), literal) for literal in literals]
    return any(all(_literal_holds(test, literal, candidate) for test, literal in tests) for candidate in candidates)


def _meaning(comparison: nodes.Comparison) -> tuple[str, nodes.Operator, object]:
    """What a comparison tests, with text constants folded: `contains "x"` means `contains "X"`."""
    value = comparison.value
    if nodes.FIELDS[comparison.field] is nodes.FieldKind.TEXT and comparison.operator is not nodes.Operator.MATCHES:
        items = value if isinstance(value, tuple) else (value,)
        folded = tuple(rules_text.fold(str(item)) for item in items)
        return comparison.field, comparison.operator, frozenset(folded) if isinstance(value, tuple) else folded
    return comparison.field, comparison.operator, value


def _holds_when_missing(literal: _Literal) -> bool:
    # A missing value makes a comparison false, except "!=" (rules/compile.py).
    return (literal.comparison.operator is nodes.Operator.NOT_EQUALS) == literal.holds


def _literal_holds(test: Callable[[str | float], bool], literal: _Literal, value: str | float) -> bool:
    return test(value) == literal.holds


def _candidates(field: str, literals: list[_Literal]) -> list[str] | list[float] | None:
    """Values that, between them, stand for every value the field could hold here; None: too many."""
    if nodes.FIELDS[field] is nodes.FieldKind.NUMBER:
        return _number_candidates(literals)
    if any(literal.comparison.operator is nodes.Operator.MATCHES for literal in literals) and field != "status":
        return None  # a candidate is known only folded; a regex may care about its case
    allowed: set[str] | None = set(_STATUSES) if field == "status" else None
    for literal in literals:
        operator, value = literal.comparison.operator, literal.comparison.value
        if literal.holds and operator in (nodes.Operator.EQUALS, nodes.Operator.IN):
            items = value if isinstance(value, tuple) else (value,)
            folded = {rules_text.fold(str(item)) for item in items}
            allowed = folded if allowed is None else allowed & folded
    return sorted(allowed) if allowed is not None else None


def _number_candidates(literals: list[_Literal]) -> list[float]:
    constants: set[float] = set()
    for literal in literals:
        value = literal.comparison.value
        constants.update(float(item) for item in (value if isinstance(value, tuple) else (value,)))
    ordered = sorted(constants)
    # Every condition has the same truth all through an open interval between two neighbouring
    # constants, so the float just above each constant stands for the interval after it (if there is
    # room); nextafter rather than "+ 1", which is lost past 2**53.
    after = [math.nextafter(number, math.inf) for number in ordered]
    return [*ordered, *after, math.nextafter(ordered[0], -math.inf)]


def _explain_conflict(field: str, literals: list[_Literal]) -> str:
    if field == "status" and len(literals) == 1 and literals[0].holds:
        return f"{literals[0]} never holds (status is always one of {', '.join(_STATUSES)})"
    unique = list(dict.fromkeys(str(literal) for literal in literals))
    if len(unique) == 1:
        return f"{unique[0]} never holds"
    return f"{' AND '.join(unique)} cannot all be true"
