"""Reading the database (as `status` will) while another process writes it: wait briefly, then explain."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from audiowatch.errors import DatabaseBusy
from audiowatch.exitcodes import ExitCode
from audiowatch.simulator.server import SimulatedSite
from audiowatch.store import database
from tests.support.processes import tick_command

pytestmark = pytest.mark.slow

# What a tick does for the moment it writes: hold the file with a write connection.
WRITER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""


@contextmanager
def writer_holding(path: Path, seconds: float) -> Iterator[None]:
    with subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(seconds)], stdout=subprocess.PIPE,
                          text=True) as writer:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "held"
        try:
            yield
        finally:
            writer.kill()


def read_runs(path: Path) -> int:
    with database.session(path, read_only=True) as connection:
        row = connection.execute("SELECT count(*) FROM scrape_logs").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def existing_database(database_path: Path) -> Path:
    database.connect(database_path).close()
    return database_path


def test_reader_waits_out_a_short_write_and_answers(existing_database: Path) -> None:
    with writer_holding(existing_database, 1.5):
        started = time.monotonic()
        assert read_runs(existing_database) == 0
        waited = time.monotonic() - started
    assert 0.5 < waited < database.READER_WAIT_SECONDS


def test_reader_gives_up_after_its_wait_with_a_message_naming_the_tick(existing_database: Path) -> None:
    with writer_holding(existing_database, 30):
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as raised:
            read_runs(existing_database)
        waited = time.monotonic() - started
    assert database.READER_WAIT_SECONDS <= waited < database.READER_WAIT_SECONDS + 2
    assert raised.value.exit_code == ExitCode.TEMPFAIL
    assert "a tick is probably writing to it. Try again in a few seconds" in str(raised.value)
    assert str(existing_database) in str(raised.value)


def test_reads_during_a_real_tick_always_answer_and_the_tick_succeeds(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    # Every source on a first run: pages spread over a few seconds, then one large write.
    config = make_config(site.base_url, scraper={"rate_limit_delay_seconds": 0.1})
    path = config.parent / "data" / "audiowatch.db"
    latencies: list[float] = []
    with subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as tick:
        while tick.poll() is None:
            if not path.exists():
                time.sleep(0.02)
                continue
            started = time.monotonic()
            read_runs(path)  # raises DatabaseBusy if a read ever waited out its whole allowance
            latencies.append(time.monotonic() - started)
            time.sleep(0.02)
        _, stderr = tick.communicate()
    assert tick.returncode == 0, stderr
    assert len(latencies) > 10
    assert max(latencies) < database.READER_WAIT_SECONDS
    assert read_runs(path) == 1


def test_status_command_answers_while_a_tick_runs(site: SimulatedSite, make_config: Callable[..., Path]) -> None:
    config = make_config(site.base_url, scraper={"rate_limit_delay_seconds": 0.2})
    path = config.parent / "data" / "audiowatch.db"
    with subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as tick:
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        started = time.monotonic()
        status = subprocess.run([sys.executable, "-m", "audiowatch", "status", "--config", str(config)],
                                capture_output=True, text=True, timeout=30)
        answered_in = time.monotonic() - started
        tick.communicate(timeout=60)
    # The first tick has not succeeded yet, so status reports unhealthy; what matters is that it answers.
    assert status.returncode == ExitCode.UNAVAILABLE, status.stderr
    assert "running" in status.stdout
    assert answered_in < database.READER_WAIT_SECONDS + 3
    assert tick.returncode == 0
