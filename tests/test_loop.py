"""The `audiowatch run` loop, in-process with real ticks; time passes through an injected sleep."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audiowatch import loop
from audiowatch.config.load import load_config
from audiowatch.errors import Interrupted
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickOptions, TickResult

INTERVAL_SECONDS = 5 * 60


@pytest.mark.parametrize(("previous", "now", "expected"), [
    (1000.0, 1010.0, 1300.0),
    (1000.0, 1300.0, 1300.0),
    (1000.0, 1750.0, 1750.0),
], ids=["quick-tick-waits-the-rest", "tick-as-long-as-the-interval", "overrun-starts-at-once-without-catch-up"])
def test_next_start_is_one_interval_after_the_last_start(previous: float, now: float, expected: float) -> None:
    assert loop.next_start(previous, INTERVAL_SECONDS, now) == expected


class Sleeper:
    """Stands in for time.sleep: records each wait, runs ``between`` on it, stops the loop after ``waits``."""

    def __init__(self, waits: int, between: Callable[[int], None] = lambda index: None) -> None:
        self.waits = waits
        self.between = between
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        if len(self.seconds) >= self.waits:
            raise Interrupted(signal.SIGTERM)
        self.between(len(self.seconds))


def run(config_path: Path, sleeper: Sleeper, *, skip_initial: bool = False) -> list[TickResult]:
    results: list[TickResult] = []
    with pytest.raises(Interrupted):
        loop.run_loop(lambda: load_config(config_path), loop.LoopOptions(skip_initial, TickOptions(max_pages=1)),
                      results.append, sleep=sleeper)
    return results


def outcomes(config_path: Path) -> list[str]:
    with duckdb.connect(str(config_path.parent / "data" / "audiowatch.db"), read_only=True) as connection:
        return [row[0] for row in connection.execute("SELECT outcome FROM scrape_logs ORDER BY started_at").fetchall()]


def test_loop_ticks_at_once_then_waits_for_the_next_interval(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    config = make_config(site.base_url, scraper={"sources": ["full-size"]})
    sleeper = Sleeper(waits=2)
    results = run(config, sleeper)
    assert [result.seeding for result in results] == [True, False]
    assert INTERVAL_SECONDS - 30 < sleeper.seconds[0] < INTERVAL_SECONDS
    assert outcomes(config) == ["ok", "ok"]


def test_loop_with_skip_initial_waits_before_its_first_tick(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    config = make_config(site.base_url, scraper={"sources": ["full-size"]})
    sleeper = Sleeper(waits=1)
    assert run(config, sleeper, skip_initial=True) == []
    assert INTERVAL_SECONDS - 1 < sleeper.seconds[0] <= INTERVAL_SECONDS
    assert site.requests == []


def test_loop_keeps_the_last_good_config_while_the_file_is_broken(
    site: SimulatedSite, make_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(site.base_url, scraper={"sources": ["full-size"]})

    def break_the_file(_: int) -> None:
        config.write_text(config.read_text(encoding="utf-8") + "unknown_section: 1\n", encoding="utf-8")

    run(config, Sleeper(waits=2, between=break_the_file))
    assert outcomes(config) == ["ok", "ok"]
    logged = capsys.readouterr().err
    assert "config_invalid" in logged and "unknown_section" in logged


def test_loop_goes_on_after_a_failed_tick(make_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config("http://127.0.0.1:9", scraper={"sources": ["full-size"], "timeout_seconds": 2})
    run(config, Sleeper(waits=2))
    assert outcomes(config) == ["failed", "failed"]
    assert capsys.readouterr().err.count("tick_failed") == 2


def test_run_once_with_skip_initial_is_a_usage_error(
    cli: Callable[..., Any], make_config: Callable[..., Path]
) -> None:
    result = cli("run", "--once", "--skip-initial", "--config", str(make_config()))
    assert result.exit_code == 2
    assert "cannot be combined with --skip-initial" in result.stderr
