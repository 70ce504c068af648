"""The wording of rule errors: what a token looks like in a message, and why a rule was refused (pure).

``grammar.py`` decides where a rule goes wrong; this module says it for people, with suggestions.
"""

from __future__ import annotations

import difflib
import re

from audiowatch.rules import nodes

_TOKEN_PATTERN = re.compile(r""""(?:[^"\\]|\\[\s\S])*"?|'(?:[^'\\]|\\[\s\S])*'?|\w+|[<>=!~]+|[\s\S]""")
_PREVIOUS_TOKEN_PATTERN = re.compile(r"(\w+|[<>=!~]+|[()\[\],])\s*\Z")
_LONGEST_SHOWN_TOKEN = 30


def describe_token_at(text: str, location: int) -> str:
    """Return the token starting at ``location`` as a message shows it: quoted, short, printable."""
    match = _TOKEN_PATTERN.match(text, location)
    token = match.group() if match else text[location : location + 1]
    if token.isspace() or not token.isprintable():
        return f"U+{ord(token[0]):04X}"
    if len(token) > _LONGEST_SHOWN_TOKEN:
        token = token[: _LONGEST_SHOWN_TOKEN - 1] + "…"
    return token if token[0] in "\"'" else f'"{token}"'


def describe_previous_token(text: str, location: int) -> str:
    """Return ' after "X"' naming the token before ``location``, or '' at the start of the rule."""
    match = _PREVIOUS_TOKEN_PATTERN.search(text, 0, location)
    return f' after "{match.group(1)}"' if match else ""


_WORD_OPERATORS = "|".join(operator.value for operator in nodes.Operator if operator.value.isalpha())
_OPERATOR_AHEAD_PATTERN = re.compile(rf"\s*(?:[<>=!~]|(?:{_WORD_OPERATORS})\b)", re.IGNORECASE)


def unknown_field_reason(text: str, location: int, name: str) -> str:
    suggestions = difflib.get_close_matches(name.casefold(), nodes.FIELDS, n=1)
    if suggestions:
        return f'unknown field "{name}" (did you mean "{suggestions[0]}"?)'
    # A word with no operator after it is most likely text meant for the title, written without quotes.
    if not _OPERATOR_AHEAD_PATTERN.match(text, location + len(name)):
        return f'unknown field "{name}" (to search titles, quote the text: "{name}")'
    return f'unknown field "{name}" (fields are {", ".join(sorted(nodes.FIELDS))})'


def unknown_operator_reason(spelling: str) -> str:
    known = [operator.value for operator in nodes.Operator]
    suggestions = difflib.get_close_matches(spelling.casefold(), known, n=1)
    if suggestions:
        return f'unknown operator "{spelling}" (did you mean "{suggestions[0]}"?)'
    return f'unknown operator "{spelling}" (use one of {", ".join(known)})'


def operator_kind_reason(field: str, kind: nodes.FieldKind, operator: nodes.Operator) -> str:
    usable = ", ".join(operator.value for operator in nodes.OPERATORS_BY_KIND[kind])
    if kind is nodes.FieldKind.NUMBER:
        return f'"{operator.value}" needs text but {field} is a number (use {usable})'
    return f'"{operator.value}" needs a number but {field} is text (use {usable})'


def value_kind_reason(field: str, kind: nodes.FieldKind, source: str) -> str:
    """Why the literal ``source`` (as written) cannot be compared with ``field``."""
    if kind is nodes.FieldKind.NUMBER:
        return f"{field} is a number but {source} is text (write the number without quotes)"
    return f'{field} is text but {source} is a number (quote it to compare text: "{source}")'
