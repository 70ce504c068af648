"""`audiowatch status`: health, runs, notifications and latency read from a real database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audiowatch.config.load import load_config
from audiowatch.errors import BackingOff, SourceUnavailable
from audiowatch.health import describe_age
from audiowatch.simulator.server import SimulatedSite
from audiowatch.store import database, state
from audiowatch.tick import run_tick


def status(cli: Callable[..., Any], config: Path, *extra: str) -> Any:
    return cli("status", "--config", str(config), *extra)


def test_status_after_good_ticks_is_healthy_and_exits_0(cli: Callable[..., Any], ticked: Path) -> None:
    result = status(cli, ticked)
    assert result.exit_code == 0, result.stdout
    assert "AudioWatch is healthy" in result.stdout
    assert "1 sent" in result.stdout


def test_status_json_has_the_documented_shape(cli: Callable[..., Any], ticked: Path) -> None:
    report = json.loads(status(cli, ticked, "--json").stdout)
    assert report["healthy"] is True and report["problems"] == []
    assert [run["outcome"] for run in report["runs"]] == ["ok", "ok"]
    assert [run["seeding"] for run in report["runs"]] == [False, True]
    assert report["notifications"]["sent"] == 1
    assert report["listings"]["stored"] > 100
    delivered = report["latency"]["last_day"]["listed_to_delivered"]
    assert delivered["samples"] == 1 and delivered["p50_seconds"] >= 0


def test_status_without_a_database_says_run_tick_and_exits_69(
    cli: Callable[..., Any], make_config: Callable[..., Path]
) -> None:
    result = status(cli, make_config())
    assert result.exit_code == 69
    assert "audiowatch tick" in result.stdout


def test_status_with_an_old_last_success_is_unhealthy(cli: Callable[..., Any], ticked: Path) -> None:
    config = load_config(ticked)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    with database.session(config.database_path) as connection:
        state.write_time(connection, state.LAST_SUCCESS, long_ago, long_ago)
    result = status(cli, ticked)
    assert result.exit_code == 69
    assert "no successful tick for 2h" in result.stdout


def test_status_after_failing_ticks_names_the_error(
    cli: Callable[..., Any], ticked: Path, make_config: Callable[..., Path]
) -> None:
    # The same config file and database, now pointing at an address where nothing answers.
    broken = load_config(make_config("http://127.0.0.1:9", scraper={"scheduled_max_pages": 1}))
    for _ in range(3):
        with pytest.raises(SourceUnavailable):
            run_tick(broken)
    result = status(cli, ticked, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 69
    assert report["consecutive_failures"] == 3
    assert any("the last 3 ticks failed" in problem and "127.0.0.1:9" in problem for problem in report["problems"])


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(2.5, "2.5s"), (42, "42s"), (300, "5m"), (4000, "1h 6m"), (7200, "2h"), (90000, "1d 1h")],
    ids=["fraction", "seconds", "whole-minutes", "hours-minutes", "whole-hours", "days"],
)
def test_describe_age_reads_like_a_person_would_say_it(seconds: float, text: str) -> None:
    assert describe_age(timedelta(seconds=seconds)) == text


def test_status_while_backing_off_shows_the_deadline_and_is_unhealthy(
    cli: Callable[..., Any], ticked: Path, site: SimulatedSite
) -> None:
    site.behaviour.block = 429
    site.behaviour.retry_after = "600"
    with pytest.raises(BackingOff):
        run_tick(load_config(ticked))
    result = status(cli, ticked, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 69
    assert report["backoff"]["active"] is True and report["backoff"]["status"] == 429
    assert any("the site blocked us" in problem for problem in report["problems"])
    assert "BACKING OFF until" in status(cli, ticked).stdout


def test_status_shows_the_last_runs_parse_rates(cli: Callable[..., Any], ticked: Path) -> None:
    report = json.loads(status(cli, ticked, "--json").stdout)
    assert 0 < report["field_rates"]["price"] <= 1
    assert "parse rates:" in status(cli, ticked).stdout
