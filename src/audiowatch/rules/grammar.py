"""The watch-rule grammar (SPEC §4): rule text -> expression tree, or a RuleError with a caret.

Precedence, loosest first: OR, AND, NOT, then a comparison, a bare string or a parenthesised expression.
The levels are written out instead of using pyparsing's ``infix_notation`` for two reasons: each keyword
commits the parse, so no alternative is tried twice and packrat caching (a process-wide switch) is not
needed; and every place where something must come next ends in an ``_expected`` element, so a bad rule
stops at the offending token with a message for people instead of pyparsing's "Expected ..." text.

Errors are raised inside the grammar as ``pp.ParseFatalException`` (which stops all backtracking) and
converted to ``RuleError`` by ``parse_expression``; no pyparsing exception leaves this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, assert_never, cast

import pyparsing as pp

from audiowatch import errors
from audiowatch.rules import messages, nodes
from audiowatch.rules import text as rules_text


@dataclass(frozen=True, slots=True)
class _FieldToken:
    name: str
    location: int


@dataclass(frozen=True, slots=True)
class _OperatorToken:
    operator: nodes.Operator
    location: int


@dataclass(frozen=True, slots=True)
class _ValueToken:
    value: str | float
    source: str
    location: int


@dataclass(frozen=True, slots=True)
class _ListToken:
    """``[a, b, ...]`` after ``in``, located at its opening bracket."""

    items: tuple[_ValueToken, ...]
    location: int


@dataclass(frozen=True, slots=True)
class _RangeToken:
    """``low and high`` after ``between``."""

    low: _ValueToken
    high: _ValueToken


_Operand = _ValueToken | _ListToken | _RangeToken


@dataclass(frozen=True, slots=True)
class _Position:
    """Where the parser stood, e.g. at an opening parenthesis, for messages about what follows."""

    location: int


# ---------------------------------------------------------------------------------------------------
# Stopping the parse with a message (the wording lives in messages.py)


def _fail(text: str, location: int, reason: str) -> NoReturn:
    raise pp.ParseFatalException(text, location, reason)


def _expected(noun: str, article: str = "") -> pp.ParserElement:
    """Match nothing but stop the parse: a ``noun`` had to come next and did not."""
    wanted = f"{article} {noun}" if article else noun

    def stop(text: str, location: int, tokens: pp.ParseResults) -> None:
        after = messages.describe_previous_token(text, location)
        if location >= len(text):
            _fail(text, location, f"missing {noun}{after}")
        found = messages.describe_token_at(text, location)
        _fail(text, location, f"expected {wanted}{after}, found {found}")

    return pp.Empty().set_parse_action(stop)


def _regex_column(value: _ValueToken, reason: str) -> int:
    """Where in the rule RE2's complaint points: the fragment it quoted, else the pattern's quote."""
    fragment = rules_text.regex_error_fragment(reason)
    found = value.source.find(fragment, 1) if fragment else -1
    return value.location + (found if found > 0 else 0)


# ---------------------------------------------------------------------------------------------------
# Parse actions: tokens -> located tokens -> nodes


def _read_string(text: str, location: int, tokens: pp.ParseResults) -> _ValueToken:
    source = str(tokens[0])
    quote, body = source[0], source[1:-1]
    # Only the enclosing quote and the backslash itself are escapes; any other backslash stays as
    # written, so a later `matches "\d+"` rule means what a regular expression reader expects.
    value = re.sub(r"\\([\\" + quote + "])", r"\1", body)
    return _ValueToken(value, source, location)


def _read_number(text: str, location: int, tokens: pp.ParseResults) -> _ValueToken:
    source = str(tokens[0])
    number = float(source)
    if not math.isfinite(number):
        _fail(text, location, f"number {source} is too large")
    return _ValueToken(number, source, location)


def _read_field(text: str, location: int, tokens: pp.ParseResults) -> _FieldToken:
    name = str(tokens[0])
    # Field names are matched without regard to case, like keywords; the tree holds the canonical name.
    canonical = name.casefold()
    if canonical not in nodes.FIELDS:
        _fail(text, location, messages.unknown_field_reason(text, location, name))
    return _FieldToken(canonical, location)


def _build_comparison(text: str, location: int, tokens: pp.ParseResults) -> nodes.Comparison:
    field: _FieldToken = tokens[0]
    operator: _OperatorToken = tokens[1]
    operand: _Operand = tokens[2]
    kind = nodes.FIELDS[field.name]
    if operator.operator not in nodes.OPERATORS_BY_KIND[kind]:
        _fail(text, operator.location, messages.operator_kind_reason(field.name, kind, operator.operator))
    for value in _operand_values(operand):
        value_kind = nodes.FieldKind.NUMBER if isinstance(value.value, float) else nodes.FieldKind.TEXT
        if value_kind is not kind:
            _fail(text, value.location, messages.value_kind_reason(field.name, kind, value.source))
    _check_operand(text, operator.operator, operand)
    return nodes.Comparison(field.name, operator.operator, _operand_value(operand), field.location + 1)


def _operand_values(operand: _Operand) -> tuple[_ValueToken, ...]:
    match operand:
        case _ValueToken():
            return (operand,)
        case _ListToken(items):
            return items
        case _RangeToken(low, high):
            return (low, high)


def _operand_value(operand: _Operand) -> nodes.Value:
    match operand:
        case _ValueToken(value):
            return value
        case _ListToken(items):
            return cast(nodes.Value, tuple(item.value for item in items))
        case _RangeToken(low, high):
            return (cast(float, low.value), cast(float, high.value))


def _check_operand(text: str, operator: nodes.Operator, operand: _Operand) -> None:
    """Refuse operands that could never work: a bad regex, an empty ``has`` term, a reversed range."""
    if isinstance(operand, _RangeToken) and cast(float, operand.low.value) > cast(float, operand.high.value):
        low, high = operand.low.source, operand.high.source
        _fail(text, operand.low.location, f"between takes the lower bound first: between {high} and {low}")
    if not isinstance(operand, _ValueToken) or not isinstance(operand.value, str):
        return
    try:
        if operator is nodes.Operator.MATCHES:
            rules_text.compile_regex(operand.value)
        elif operator is nodes.Operator.HAS:
            rules_text.has_pattern(operand.value)
    except ValueError as error:
        if operator is nodes.Operator.MATCHES:
            _fail(text, _regex_column(operand, str(error)), f"bad regular expression: {error}")
        _fail(text, operand.location, str(error))


def _build_bare_string(text: str, location: int, tokens: pp.ParseResults) -> nodes.Comparison:
    value: _ValueToken = tokens[0]
    return nodes.Comparison("title", nodes.Operator.CONTAINS, value.value, location + 1)


def _build_parenthesised(text: str, location: int, tokens: pp.ParseResults) -> nodes.Node:
    opening: _Position = tokens[0]
    node: nodes.Node = tokens[1]
    if len(tokens) == 2:
        return node
    stopped: _Position = tokens[2]
    if stopped.location >= len(text):
        _fail(text, opening.location, 'missing ")" to close this "("')
    found = messages.describe_token_at(text, stopped.location)
    _fail(text, stopped.location, f'expected ")", AND or OR, found {found}')


def _build_not(text: str, location: int, tokens: pp.ParseResults) -> nodes.Not:
    return nodes.Not(tokens[0])


def _build_and(text: str, location: int, tokens: pp.ParseResults) -> nodes.Node:
    operands: tuple[nodes.Node, ...] = tuple(tokens)
    return operands[0] if len(operands) == 1 else nodes.And(operands)


def _build_or(text: str, location: int, tokens: pp.ParseResults) -> nodes.Node:
    operands: tuple[nodes.Node, ...] = tuple(tokens)
    return operands[0] if len(operands) == 1 else nodes.Or(operands)


def _reject_trailing(text: str, location: int, tokens: pp.ParseResults) -> None:
    if text[location] == ")":
        _fail(text, location, 'unexpected ")" with no "(" to close')
    found = messages.describe_token_at(text, location)
    _fail(text, location, f"unexpected {found} (join conditions with AND or OR)")


def _reject_unclosed_quote(text: str, location: int, tokens: pp.ParseResults) -> None:
    _fail(text, location, f"unclosed quote (no closing {text[location]} after it)")


def _reject_unquoted_text(text: str, location: int, tokens: pp.ParseResults) -> None:
    _fail(text, location, f'text needs quotes: "{tokens[0]}"')


def _reject_unknown_operator(text: str, location: int, tokens: pp.ParseResults) -> None:
    _fail(text, location, messages.unknown_operator_reason(str(tokens[0])))


def _mark_position(text: str, location: int, tokens: pp.ParseResults) -> _Position:
    return _Position(location)


def _build_list(text: str, location: int, tokens: pp.ParseResults) -> _ListToken:
    opening: _Position = tokens[0]
    items = tuple(token for token in tokens[1:] if isinstance(token, _ValueToken))
    stopped = tokens[-1]
    if len(tokens) > 1 and isinstance(stopped, _Position):
        if stopped.location >= len(text):
            _fail(text, opening.location, 'missing "]" to close this "["')
        found = messages.describe_token_at(text, stopped.location)
        _fail(text, stopped.location, f'expected "," or "]" in the list, found {found}')
    if not items:
        _fail(text, opening.location, 'empty list (write the values in it: in ["For Sale", "For Sale/Trade"])')
    return _ListToken(items, opening.location)


def _build_range(text: str, location: int, tokens: pp.ParseResults) -> _RangeToken:
    return _RangeToken(tokens[0], tokens[1])


# ---------------------------------------------------------------------------------------------------
# Grammar elements


_AND = pp.Suppress(pp.CaselessKeyword("and"))
_OR = pp.Suppress(pp.CaselessKeyword("or"))
_NOT = pp.Suppress(pp.CaselessKeyword("not"))
_KEYWORD = _AND | _OR | _NOT
_WORD_PATTERN = r"[^\W\d]\w*"


def _word(pattern: str, action: Callable[[str, int, pp.ParseResults], object]) -> pp.ParserElement:
    """A token matching ``pattern`` that is not AND, OR or NOT, handed to ``action``."""
    # The action sits on the Regex, not on the whole `~keyword + regex`: a NotAny does not skip
    # whitespace, so an action on the pair would be given the location before the spaces.
    return ~_KEYWORD + pp.Regex(pattern).set_parse_action(action)


def _string_literal() -> pp.ParserElement:
    """A double- or single-quoted string with backslash escapes; a fresh element per use."""
    double = r'"(?:[^"\\]|\\[\s\S])*"'
    single = r"'(?:[^'\\]|\\[\s\S])*'"
    return pp.Regex(f"{double}|{single}").set_parse_action(_read_string)


# A quote that the string literal before it in a MatchFirst could not close.
_UNCLOSED_QUOTE = pp.Regex("[\"']").set_parse_action(_reject_unclosed_quote)

# `(?![\w.])` keeps `100k` or `1.2.3` from reading as a number followed by junk.
_NUMBER = pp.Regex(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])").set_parse_action(_read_number)

_LITERAL = _string_literal() | _NUMBER | _UNCLOSED_QUOTE | _word(_WORD_PATTERN, _reject_unquoted_text)
_VALUE = _LITERAL | _expected("value", "a")


_LIST = (
    pp.Literal("[").set_parse_action(_mark_position)
    + pp.Optional(_LITERAL + pp.ZeroOrMore(pp.Suppress(",") + _VALUE))
    + (pp.Suppress("]") | pp.Empty().set_parse_action(_mark_position))
).set_parse_action(_build_list) | _expected("list in brackets", "a")

_RANGE = (
    _VALUE + (pp.Suppress(pp.CaselessKeyword("and")) | _expected('"and"')) + _VALUE
).set_parse_action(_build_range)


def _operand_for(operator: nodes.Operator) -> pp.ParserElement:
    """What follows an operator: one value, a bracketed list, or two values joined by ``and``."""
    match operator:
        case nodes.Operator.IN:
            return _LIST
        case nodes.Operator.BETWEEN:
            return _RANGE
        case (
            nodes.Operator.CONTAINS
            | nodes.Operator.HAS
            | nodes.Operator.STARTS_WITH
            | nodes.Operator.ENDS_WITH
            | nodes.Operator.MATCHES
            | nodes.Operator.EQUALS
            | nodes.Operator.NOT_EQUALS
            | nodes.Operator.LESS
            | nodes.Operator.LESS_EQUAL
            | nodes.Operator.GREATER
            | nodes.Operator.GREATER_EQUAL
        ):
            return _VALUE
        case _:
            assert_never(operator)


def _operator_clause(operator: nodes.Operator) -> pp.ParserElement:
    """The operator's spelling followed by its operand: one grammar alternative per operator."""
    if operator.value.isalpha():
        spelling: pp.ParserElement = pp.CaselessKeyword(operator.value)
    else:
        # The look-ahead stops `<` from matching the start of `<=`, and `=` the start of `==`.
        spelling = pp.Regex(re.escape(operator.value) + r"(?![<>=!~])")

    def locate(text: str, location: int, tokens: pp.ParseResults) -> _OperatorToken:
        return _OperatorToken(operator, location)

    return spelling.set_parse_action(locate) + _operand_for(operator)


_UNKNOWN_OPERATOR = _word(_WORD_PATTERN + r"|[^\w\s\"'()]+", _reject_unknown_operator)
_FIELD = _word(_WORD_PATTERN, _read_field)
_COMPARISON = (
    _FIELD
    + (
        pp.MatchFirst([_operator_clause(operator) for operator in nodes.Operator])
        | _UNKNOWN_OPERATOR
        | _expected("operator", "an")
    )
).set_parse_action(_build_comparison)

_EXPRESSION = pp.Forward()
_NOT_TERM = pp.Forward()
_EXPRESSION_REQUIRED = _EXPRESSION | _expected("condition", "a")
_PARENTHESISED = (
    pp.Literal("(").set_parse_action(_mark_position)
    + _EXPRESSION_REQUIRED
    + (pp.Suppress(")") | pp.Empty().set_parse_action(_mark_position))
).set_parse_action(_build_parenthesised)
_PRIMARY = (
    _PARENTHESISED | _COMPARISON | _string_literal().add_parse_action(_build_bare_string) | _UNCLOSED_QUOTE
)
_NOT_TERM <<= (_NOT + (_NOT_TERM | _expected("condition", "a"))).set_parse_action(_build_not) | _PRIMARY
_AND_TERM = (_NOT_TERM + pp.ZeroOrMore(_AND + (_NOT_TERM | _expected("condition", "a")))).set_parse_action(
    _build_and
)
_EXPRESSION <<= (_AND_TERM + pp.ZeroOrMore(_OR + (_AND_TERM | _expected("condition", "a")))).set_parse_action(
    _build_or
)
_RULE = _EXPRESSION_REQUIRED + (pp.StringEnd() | pp.Empty().set_parse_action(_reject_trailing))
# Locations must index the text as given: by default pyparsing expands tabs first, shifting columns.
_RULE.parse_with_tabs()
# Streamlining mutates the grammar, so do it once here rather than in whichever thread parses first.
_RULE.streamline()


# ---------------------------------------------------------------------------------------------------
# Public entry point


_EMPTY_REASON = 'empty expression (write a condition such as title contains "HD800")'


def parse_expression(text: str) -> nodes.Node:
    """Parse one watch-rule expression into its tree.

    Raise RuleError naming what is wrong with the 1-based column of the offending token (or of the
    end of the text when something is missing there, or of an unclosed quote or parenthesis).
    """
    # The message repeats the rule on one line with a caret under it; replacing each whitespace
    # character by one space keeps columns true for rules written over several YAML lines.
    shown = re.sub(r"\s", " ", text)
    if not text.strip():
        raise errors.RuleError(_EMPTY_REASON, shown, 1)
    try:
        tokens = _RULE.parse_string(text)
    except pp.ParseFatalException as error:
        raise errors.RuleError(error.msg, shown, error.loc + 1) from None
    except pp.ParseBaseException as error:
        # Unreachable by design (every failure point is an _expected element); kept so that a gap in
        # the grammar still yields a RuleError rather than a pyparsing exception.
        raise errors.RuleError(f"cannot read the rule here ({error.msg})", shown, error.loc + 1) from None
    except RecursionError:
        # Each level of parentheses or NOT costs Python stack; past about 60 levels it runs out.
        raise errors.RuleError("expression is nested too deeply", shown, 1) from None
    return cast(nodes.Node, tokens[0])
