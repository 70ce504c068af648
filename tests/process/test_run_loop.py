"""`audiowatch run` as a real process: how it starts, and how SIGTERM stops it between and during ticks."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from audiowatch import sources
from audiowatch.simulator.server import SimulatedSite
from tests.support.polling import wait_until
from tests.support.processes import run_command, wait_for_line

pytestmark = pytest.mark.slow

SOURCE_PATH = sources.CATEGORIES_BY_SLUG["full-size"].path


@contextmanager
def running(config: Path, *extra: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(run_command(config, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def runs(config: Path) -> list[tuple[object, ...]]:
    path = config.parent / "data" / "audiowatch.db"
    if not path.exists():
        return []
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("SELECT outcome, exit_code FROM scrape_logs ORDER BY started_at").fetchall()


@pytest.fixture
def config(site: SimulatedSite, make_config: Callable[..., Path]) -> Path:
    return make_config(site.base_url, scraper={"sources": ["full-size"], "initial_max_pages": 1})


def test_run_stops_at_once_when_signalled_between_ticks(config: Path) -> None:
    with running(config) as process:
        waiting = json.loads(wait_for_line(process, '"next_tick"'))
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        stopped = time.monotonic() - signalled
    assert 290 < waiting["in_seconds"] <= 300  # the next tick one poll interval (5 min) after the first
    assert (process.returncode, stopped < 2) == (143, True), stderr
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert runs(config) == [("ok", 0)]


def test_run_lets_the_running_tick_finish_on_the_first_signal(config: Path, site: SimulatedSite) -> None:
    site.delays[SOURCE_PATH] = 3
    with running(config) as process:
        wait_until(lambda: SOURCE_PATH in site.requests, what="the tick requesting the slow page")
        process.send_signal(signal.SIGTERM)
        wait_for_line(process, '"stop_requested"')
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143, stderr
    assert "stopped by SIGTERM after the tick it was running had finished" in stderr
    assert runs(config) == [("ok", 0)]


def test_run_second_signal_stops_the_running_tick(config: Path, site: SimulatedSite) -> None:
    site.delays[SOURCE_PATH] = 120
    with running(config) as process:
        wait_until(lambda: SOURCE_PATH in site.requests, what="the tick requesting the slow page")
        process.send_signal(signal.SIGTERM)
        wait_for_line(process, '"stop_requested"')
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        stopped = time.monotonic() - signalled
    assert (process.returncode, stopped < 5) == (143, True), stderr
    assert runs(config) == [("interrupted", 143)]


def test_run_skip_initial_waits_an_interval_before_ticking(config: Path, site: SimulatedSite) -> None:
    with running(config, "--skip-initial") as process:
        waiting = json.loads(wait_for_line(process, '"next_tick"'))
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert waiting["in_seconds"] == 300
    assert process.returncode == 130
    assert (site.requests, runs(config)) == ([], [])


def test_run_once_is_a_single_tick(config: Path) -> None:
    result = subprocess.run(run_command(config, "--once"), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "First run: stored" in result.stderr and '"next_tick"' not in result.stderr
    assert runs(config) == [("ok", 0)]
