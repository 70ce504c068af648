"""The lock against a foreign process, and ticks stopped or killed mid-scrape (real processes, real Chromium)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from audiowatch import lock, sources
from audiowatch.errors import LockHeld
from audiowatch.simulator.server import SimulatedSite
from tests.support.polling import wait_until
from tests.support.processes import (
    command_line,
    descendants,
    is_running,
    run_tick,
    running_processes_mentioning,
    tick_command,
    wait_for_line,
)

pytestmark = pytest.mark.slow

HOLDER = """
import sys, time, filelock
lock = filelock.FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


@contextmanager
def holder_process(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock at ``path`` until the block ends (or it is killed)."""
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        try:
            yield holder
        finally:
            holder.kill()


def test_lock_held_by_another_process_raises_lock_held(tmp_path: Path) -> None:
    path = tmp_path / "audiowatch.db.lock"
    with holder_process(path), pytest.raises(LockHeld), lock.hold(path):
        pass


def test_lock_of_a_killed_process_is_free_again(tmp_path: Path) -> None:
    path = tmp_path / "audiowatch.db.lock"
    with holder_process(path) as holder:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with lock.hold(path):
            assert path.exists()


@dataclass
class StuckTick:
    """A browser tick in its own session, waiting for a page the simulator holds back."""

    process: subprocess.Popen[str]
    config: Path
    temporary: Path  # its TMPDIR, where Chromium and Playwright keep their profile
    chromium: list[int]  # its Chromium processes, found while it ran

    @property
    def database(self) -> Path:
        return self.config.parent / "data" / "audiowatch.db"

    def runs(self) -> list[tuple[object, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute("SELECT outcome, exit_code FROM scrape_logs ORDER BY started_at").fetchall()


@contextmanager
def tick_stuck_on_a_slow_page(site: SimulatedSite, make_config: Callable[..., Path]) -> Iterator[StuckTick]:
    slow_path = sources.CATEGORIES_BY_SLUG["full-size"].path
    site.delays[slow_path] = 120
    config = make_config(site.base_url, scraper={"fetcher": "browser", "sources": ["full-size"],
                                                 "timeout_seconds": 120})
    # A folder of our own shows what the browser leaves behind. It must be short: Chromium puts a
    # Unix socket in it, and those paths stop at 108 bytes.
    temporary = Path(tempfile.mkdtemp(prefix="aw-"))
    # Its own session, like a service: a signal to the group then reaches this tick only.
    process = subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(temporary)}, start_new_session=True)
    try:
        wait_until(lambda: slow_path in site.requests, what="the browser requesting the slow page")
        chromium = [pid for pid in descendants(process.pid) if "chromium" in command_line(pid)]
        assert chromium, "the tick should be driving Chromium"
        yield StuckTick(process, config, temporary, chromium)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
        site.delays.clear()
        shutil.rmtree(temporary, ignore_errors=True)


@pytest.mark.browser
@pytest.mark.parametrize(("number", "to_group", "exit_code"), [
    (signal.SIGTERM, False, 143),  # systemd's KillMode=mixed: the main process only
    (signal.SIGINT, True, 130),  # Ctrl-C in a terminal: the whole process group, the Playwright driver too
], ids=["sigterm-to-the-tick", "ctrl-c-to-the-process-group"])
def test_stop_signal_mid_page_load_exits_within_5_seconds_leaving_nothing(
    site: SimulatedSite, make_config: Callable[..., Path], number: signal.Signals, to_group: bool, exit_code: int
) -> None:
    with tick_stuck_on_a_slow_page(site, make_config) as tick:
        signalled = time.monotonic()
        if to_group:
            os.killpg(tick.process.pid, number)
        else:
            tick.process.send_signal(number)
        _, stderr = tick.process.communicate(timeout=30)
        exited = time.monotonic() - signalled
        wait_until(lambda: not any(is_running(pid) for pid in tick.chromium), timeout=5 - exited,
                   what="every Chromium process ending")
        gone = time.monotonic() - signalled

        assert (tick.process.returncode, exited < 5, gone < 5) == (exit_code, True, True), stderr
        assert f"stopped by {number.name} after cleaning up" in stderr
        assert "Traceback" not in stderr and "exception was never retrieved" not in stderr
        assert running_processes_mentioning(str(tick.temporary)) == []
        # A cleanly closed browser removes its profile and temporary folders; what stays is the
        # browser fetcher's own private temp folder (fetch/browser.py: temp_folder_for), empty.
        assert [path.relative_to(tick.temporary) for path in tick.temporary.rglob("*")
                if not (path.is_dir() and path.parent == tick.temporary and path.name.startswith("aw"))] == []
        assert tick.runs() == [("interrupted", exit_code)]
        with lock.hold(lock.lock_path_for(tick.database)):
            pass  # free


@pytest.mark.browser
def test_sigkill_mid_tick_leaves_nothing_that_stops_the_next_tick(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    with tick_stuck_on_a_slow_page(site, make_config) as tick:
        tick.process.send_signal(signal.SIGKILL)
        tick.process.wait(timeout=10)
        # The Playwright driver sees its pipe close and takes the browser with it.
        wait_until(lambda: not any(is_running(pid) for pid in tick.chromium), timeout=10,
                   what="the killed tick's Chromium ending")
        site.delays.clear()

        following = run_tick(tick.config, "--max-pages", "1")

        assert following.returncode == 0, following.stderr
        assert tick.runs() == [("abandoned", None), ("ok", 0)]
        assert "abandoned_runs_closed" in following.stderr


def test_database_can_be_read_while_a_tick_scrapes(site: SimulatedSite, make_config: Callable[..., Path]) -> None:
    config = make_config(site.base_url, scraper={"rate_limit_delay_seconds": 0.5})
    with subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        wait_for_line(process, "page_scraped")
        with duckdb.connect(str(config.parent / "data" / "audiowatch.db"), read_only=True) as reader:
            assert reader.execute("SELECT outcome FROM scrape_logs").fetchall() == [("running",)]
        process.communicate(timeout=60)
    assert process.returncode == 0
