"""How rules compare text, defined once for the Python predicate and the DuckDB SQL alike.

Case: both sides are lower-cased the way DuckDB's ``lower()`` does it, so a rule gives the same
answer in a tick and in a database search. That is Python's ``str.lower`` except for U+0130 (capital I
with dot), which Python lowers to two code points and DuckDB to "i"; ``fold`` maps it to "i" first.
``tests/test_rules_sql.py`` checks the agreement over every code point. (``str.casefold`` would also
equate "ß" and "ss", but DuckDB has no such function, and a search that disagrees with the alert
would be worse than that small gain.)

Regular expressions (``matches``, and ``has`` underneath) run on RE2 in both places: the google-re2
bindings here and DuckDB's built-in RE2 in SQL, so a pattern means exactly the same thing, and no
pattern can make a tick backtrack for minutes.
"""

from __future__ import annotations

import re
from typing import Any

import re2

Regex = Any
"""A compiled RE2 pattern (google-re2 ships no type information): ``.search(text)`` -> match or None."""

_OPTIONS = re2.Options()
# Errors become RuleErrors with a caret; RE2 must not also print them to standard error.
_OPTIONS.log_errors = False

SEPARATOR_CLASS = r"[\s\pZ\p{Pd}]"
"""What ``has`` ignores inside a term and allows between its characters: spaces and dashes of any kind."""

_WORD_CHARACTER = r"[\pL\pN\pM]"
_NOT_WORD_CHARACTER = r"[^\pL\pN\pM]"
_SEPARATORS = re2.compile(SEPARATOR_CLASS + "+", _OPTIONS)
_WORD = re2.compile(_WORD_CHARACTER, _OPTIONS)


def fold(text: str) -> str:
    """Return ``text`` lower-cased exactly as DuckDB's ``lower()`` would."""
    return text.replace("\u0130", "i").lower()


def has_term_characters(term: str) -> str:
    """Return the folded term without its spaces and dashes: what ``has`` looks for."""
    return str(_SEPARATORS.sub("", fold(term)))


def has_pattern(term: str) -> str:
    """Return the RE2 pattern, for folded text, that ``field has term`` searches for.

    The term's characters in order, with any spaces or dashes allowed between them, standing as a
    whole word: no letter or digit may touch it on either side, so "HD800" finds "HD 800" and
    "hd-800" but not "HD800S" or "HD8000". Raise ValueError when the term has no characters left.
    """
    characters = has_term_characters(term)
    if not characters:
        raise ValueError("has needs a word or model name, not only spaces and dashes")
    body = (SEPARATOR_CLASS + "*").join(re.escape(character) for character in characters)
    before = f"(?:^|{_NOT_WORD_CHARACTER})" if _WORD.match(characters[0]) else ""
    after = f"(?:{_NOT_WORD_CHARACTER}|$)" if _WORD.match(characters[-1]) else ""
    return before + body + after


def matches_pattern(pattern: str) -> str:
    """Return the pattern ``matches`` runs: the user's, case-insensitive like every text comparison."""
    return "(?i)" + pattern


def compile_regex(pattern: str) -> Regex:
    """Compile an RE2 pattern. Raise ValueError with RE2's explanation if it is not valid.

    Named groups must be written ``(?P<name>...)``: newer RE2 (google-re2) also takes ``(?<name>...)``
    but DuckDB's does not, and a rule must mean the same in both.
    """
    if "(?<" in pattern.replace("(?<=", "").replace("(?<!", ""):
        raise ValueError("write a named group as (?P<name>...), not (?<name>...)")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        raise ValueError(_describe_regex_error(error)) from None


def regex_error_fragment(reason: str) -> str | None:
    """Return the part of the pattern RE2 blamed (the text after the last ": "), if it named one."""
    # Drop a hint this module appended in parentheses, so only RE2's own words are searched.
    reason = re.sub(r" \([^()]*\)$", "", reason)
    _, separator, fragment = reason.rpartition(": ")
    return fragment if separator and fragment else None


def _describe_regex_error(error: re2.error) -> str:
    detail = error.args[0] if error.args else str(error)
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    if "invalid perl operator" in text or re.search(r"invalid escape sequence: \\\d", text):
        return f"{text} (RE2 has no look-arounds or back-references)"
    return text


def escape_regex(text: str) -> str:
    """Return a pattern that matches ``text`` literally."""
    return re.escape(text)
