"""Shared fixtures: a clean environment, the simulated site on 127.0.0.1, configs, the CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from audiowatch.simulator.catalog import Catalog
from audiowatch.simulator.server import SimulatedSite

_LEAKY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's AUDIOWATCH_* or proxy settings must not leak into a test."""
    for name in list(os.environ):
        if name.startswith("AUDIOWATCH_") or name.lower() in _LEAKY_VARIABLES:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def logging_to_stderr() -> None:
    """Logs go to standard error, as in production, so stdout holds only results."""
    from audiowatch import log

    log.configure(level="debug", log_format="console")


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def site(now: datetime) -> Iterator[SimulatedSite]:
    """The simulated Head-Fi classifieds, seeded and serving on 127.0.0.1."""
    with SimulatedSite(Catalog.seeded(now)) as running:
        yield running


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "test.db"


@pytest.fixture
def connection(database_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh, migrated database file (in-process code opening the same path shares it)."""
    from audiowatch.store import database

    opened = database.connect(database_path)
    yield opened
    opened.close()


ConfigFactory = Callable[..., Path]


@pytest.fixture
def make_config(tmp_path: Path) -> ConfigFactory:
    """Write a config.yaml into tmp_path from keyword sections and return its path.

    Defaults suit tests: the http fetcher, no politeness delay, one console channel.
    """

    def write(base_url: str = "http://127.0.0.1:9", **sections: Any) -> Path:
        data: dict[str, Any] = {
            "scraper": {"base_url": base_url, "fetcher": "http", "rate_limit_delay_seconds": 0,
                        "timeout_seconds": 10},
            "database": {"path": "data/audiowatch.db"},
            "rules": [{"name": "hd800", "expression": '"HD800" AND price < 1000'}],
        }
        for name, value in sections.items():
            if isinstance(value, dict) and isinstance(data.get(name), dict):
                data[name] = {**data[name], **value}
            else:
                data[name] = value
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Invoke the audiowatch command line in-process; stdout and stderr stay apart."""
    from audiowatch.cli import cli as root

    runner = CliRunner()

    def invoke(*args: str, **kwargs: Any) -> Any:
        return runner.invoke(root, list(args), catch_exceptions=False, **kwargs)

    return invoke


@pytest.fixture
def discord_api() -> Iterator[Any]:
    """A loopback server that behaves like Discord's execute-webhook endpoint."""
    from tests.support.discord_api import DiscordAPI

    with DiscordAPI() as api:
        yield api


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Any]:
    """A real SMTP server on loopback with STARTTLS and TLS, its CA written to tmp_path."""
    from tests.support.smtp_server import SmtpServer

    with SmtpServer(tmp_path) as server:
        yield server


@pytest.fixture
def ticked(site: SimulatedSite, make_config: Callable[..., Path], now: datetime) -> Path:
    """A config whose database holds a seeding tick and a tick that delivered one match."""
    from audiowatch.config.load import load_config
    from audiowatch.tick import run_tick

    path = make_config(site.base_url, scraper={"scheduled_max_pages": 1})
    config = load_config(path)
    run_tick(config)
    site.catalog.add_listing(now, "Sennheiser HD800", "full-size", price=850.0)
    run_tick(config)
    return path
