"""Read config.yaml: YAML with positions -> ${VAR} expansion -> validation -> Config.

Every problem is collected first and reported once, one line each, as
``config.yaml:31: rules[2].expression: unknown field "prise" (did you mean "price"?)``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
import yaml

from audiowatch.config.model import Config
from audiowatch.errors import ConfigError, RuleError

KeyPath = tuple[str | int, ...]

# `${NAME}` expands; `\${NAME}` is a literal `${NAME}` (as borgmatic does).
_VARIABLE = re.compile(r"(\\)?\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def load_config(path: Path) -> Config:
    """Load, expand and validate the config file at ``path``.

    Raise ConfigError listing every problem, each with file, line and key: unset variables,
    validation errors and bad rules are all collected before failing once.
    """
    text = _read(path)
    data, lines = _parse_yaml(text, path)
    environment = {**read_dotenv(path.parent / ".env"), **os.environ}
    problems: list[str] = []
    unset_keys: set[KeyPath] = set()

    def report_unset(key: KeyPath, message: str) -> None:
        unset_keys.add(key)
        problems.append(_located(path, lines, key, message))

    expanded = _expand(data, (), environment, report_unset)
    try:
        config: Config | None = Config.model_validate(expanded)
    except pydantic.ValidationError as error:
        config = None
        # A key whose variable is unset fails validation too; its first message says it all.
        problems.extend(_describe(key, item, path, lines) for item in error.errors()
                        if (key := _drop_union_tags(tuple(item["loc"]), expanded)) not in unset_keys)
    problems.extend(_rule_problems(expanded, path, lines))
    if config is not None:
        problems.extend(_channel_problems(config, path, lines))
    if problems:
        raise ConfigError(problems)
    assert config is not None  # no problems means validation passed
    return config.model_copy(update={"source_path": path.resolve()})


def line_of(path: Path, key: KeyPath) -> int:
    """Return the line where ``key`` (e.g. ``("rules", 2)``) starts in a config file that loaded."""
    _, lines = _parse_yaml(_read(path), path)
    return _line(lines, key)


def read_dotenv(path: Path) -> dict[str, str]:
    """Return the ``NAME=value`` pairs of a .env file (missing file: none).

    Lines may start with ``export``; ``#`` starts a comment line; values may be quoted.
    """
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file. Create a starter config with `audiowatch init`, "
            "or point --config at yours."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the file: {error}") from None


def _parse_yaml(text: str, path: Path) -> tuple[Any, dict[KeyPath, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{path}{line}: not valid YAML: {problem}") from None
    if data is None or node is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the file must be a mapping of keys (scraper:, rules:, ...)")
    lines: dict[KeyPath, int] = {}
    _record_lines(node, (), lines)
    return data, lines


def _record_lines(node: yaml.Node, key: KeyPath, lines: dict[KeyPath, int]) -> None:
    """Remember the 1-based line where each key path starts, for error messages."""
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*key, str(key_node.value))
            _record_lines(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*key, index), lines)


def _expand(value: Any, key: KeyPath, environment: Mapping[str, str], report: Any) -> Any:
    if isinstance(value, dict):
        return {name: _expand(item, (*key, name), environment, report) for name, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, (*key, index), environment, report) for index, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)[1:]
        name = match.group(2)
        if name not in environment:
            report(key, f"${{{name}}} is not set; set {name} in the environment or in a .env "
                        "file beside the config")
            return ""
        return environment[name]

    return _VARIABLE.sub(substitute, value)


def _describe(key: KeyPath, item: Any, path: Path, lines: dict[KeyPath, int]) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = "unknown key; check its spelling and indentation"
    elif item["type"] == "missing":
        message = "required key is missing"
    return _located(path, lines, key, message)


def _drop_union_tags(loc: KeyPath, data: Any) -> KeyPath:
    """Pydantic puts the discriminator value (e.g. "console") into the location; drop it."""
    key: list[str | int] = []
    for part in loc:
        if _has_child(data, part):
            data = data[part]
        elif isinstance(data, dict) and isinstance(part, str) and data.get("type") == part:
            continue
        else:
            data = None
        key.append(part)
    return tuple(key)


def _has_child(data: Any, part: str | int) -> bool:
    if isinstance(data, dict):
        return part in data
    return isinstance(data, list) and isinstance(part, int) and part < len(data)


def _rule_problems(data: dict[str, Any], path: Path, lines: dict[KeyPath, int]) -> list[str]:
    """Compile every rule and the global filter now, so a bad rule fails at load time (78).

    Works on the raw data, so rule mistakes are reported beside any validation errors.
    """
    from audiowatch.rules import grammar

    problems: list[str] = []
    for key, name, expression in _expressions(data):
        try:
            grammar.parse_expression(expression)
        except RuleError as error:
            where = f"{path}:{_line(lines, key)}: {_dotted(key)}"
            problems.append(str(error.with_rule(name, where)))
    return problems


def _expressions(data: dict[str, Any]) -> list[tuple[KeyPath, str, str]]:
    """Return (key, rule name, expression) for every rule expression written as text."""
    found: list[tuple[KeyPath, str, str]] = []
    rules = data.get("rules")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        for key in ("expression", "filter"):
            if isinstance(rule, dict) and isinstance(rule.get(key), str):
                found.append((("rules", index, key), str(rule.get("name", f"#{index + 1}")), rule[key]))
    filters = data.get("filters")
    if isinstance(filters, dict) and isinstance(filters.get("global"), str):
        found.append((("filters", "global"), "global filter", filters["global"]))
    return found


def _channel_problems(config: Config, path: Path, lines: dict[KeyPath, int]) -> list[str]:
    channel_names = {channel.name for channel in config.notifications.channels}
    known = ", ".join(sorted(channel_names))
    problems = [
        _located(path, lines, ("rules", index, "channels"),
                 f'unknown channel "{unknown}"; configured channels: {known}')
        for index, rule in enumerate(config.rules)
        for unknown in sorted(set(rule.channels or []) - channel_names)
    ]
    ops_channel = config.notifications.ops.channel
    if ops_channel is not None and ops_channel not in channel_names:
        problems.append(_located(path, lines, ("notifications", "ops", "channel"),
                                 f'unknown channel "{ops_channel}"; configured channels: {known}'))
    return problems + _ca_file_problems(config, path, lines)


def _ca_file_problems(config: Config, path: Path, lines: dict[KeyPath, int]) -> list[str]:
    problems: list[str] = []
    for index, channel in enumerate(config.notifications.channels):
        ca_file = getattr(channel, "tls_ca_file", None)
        if ca_file is not None and not config.resolve_path(ca_file, path.parent).is_file():
            problems.append(_located(path, lines, ("notifications", "channels", index, "tls_ca_file"),
                                     f"no such file: {config.resolve_path(ca_file, path.parent)}"))
    return problems


def _located(path: Path, lines: dict[KeyPath, int], key: KeyPath, message: str) -> str:
    return f"{path}:{_line(lines, key)}: {_dotted(key)}: {message}"


def _line(lines: dict[KeyPath, int], key: KeyPath) -> int:
    # A missing key has no line of its own: point at the nearest parent that exists.
    while key and key not in lines:
        key = key[:-1]
    return lines.get(key, 1)


def _dotted(key: KeyPath) -> str:
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"
