"""Options shared by several commands, defined once, and the config loading they lead to."""

from __future__ import annotations

from collections.abc import Callable
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


def ignore_backoff_option(function: F) -> F:
    return click.option(
        "--ignore-backoff", is_flag=True,
        help="Make requests even though the site blocked us recently and the back-off has not run out.",
    )(function)


def load(config_path: Path) -> Config:
    """Load the config and apply its logging settings unless the command line set them."""
    from audiowatch import log
    from audiowatch.config.load import load_config

    config = load_config(config_path)
    settings = click.get_current_context().find_root().obj or {}
    log.configure(
        level=settings.get("log_level") or config.logging.level,
        log_format=settings.get("log_format") or config.logging.format,
    )
    return config
