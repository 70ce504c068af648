"""Options shared by several commands, defined once, and the config loading they lead to."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from audiowatch.config.model import Config

F = TypeVar("F", bound=Callable[..., Any])


def config_option(function: F) -> F:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        default=Path("config.yaml"), show_default=True, envvar="AUDIOWATCH_CONFIG",
        help="The configuration file (also $AUDIOWATCH_CONFIG).",
    )(function)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per line.")(function)


def max_pages_option(function: F) -> F:
    return click.option("--max-pages", type=click.IntRange(min=1), default=None,
                        help="Page at most N pages per source this time (overrides the config).")(function)


def headless_option(function: F) -> F:
    return click.option("--headless/--no-headless", default=None,
                        help="Show the browser window while it works (--no-headless), for debugging.")(function)


def ignore_backoff_option(function: F) -> F:
    return click.option(
        "--ignore-backoff", is_flag=True,
        help="Make requests even though the site blocked us recently and the back-off has not run out.",
    )(function)


_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Duration(click.ParamType[timedelta]):
    """A span of time written as a number and a unit: 90m, 12h, 30d, 8w."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", str(value).lower())
        if not match:
            self.fail(f'"{value}" is not a duration; write a number and m, h, d or w, e.g. 30d', param, ctx)
        return timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


def since_option(function: F) -> F:
    return click.option(
        "--since", type=Duration(), default=None,
        help="Only listings posted within this span before now, e.g. 12h, 30d, 8w [default: 30d].",
    )(function)


def has_database(config: Config, hint: str = "") -> bool:
    """True when a tick has created the database; otherwise say so on stderr (reading commands then stop)."""
    if config.database_path.exists():
        return True
    click.echo(f"No listings stored yet ({config.database_path} does not exist); run `audiowatch tick` first{hint}.",
               err=True)
    return False


def load(config_path: Path) -> Config:
    """Load the config and apply its logging settings unless the command line set them."""
    from audiowatch.config.load import load_config

    config = load_config(config_path)
    configure_logging(config.logging.level, config.logging.format)
    return config


def configure_logging(level: str = "info", log_format: str = "auto") -> None:
    """Set up logging; --log-level and --log-format on the command line win over the arguments."""
    from audiowatch import log

    settings = click.get_current_context().find_root().obj or {}
    log.configure(level=settings.get("log_level") or level, log_format=settings.get("log_format") or log_format)
