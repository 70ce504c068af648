"""The lock against a foreign process, and a tick stopped by SIGTERM cleaning up (real processes)."""

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
from pathlib import Path

import duckdb
import pytest

from audiowatch import lock
from audiowatch.errors import LockHeld
from audiowatch.simulator.server import SimulatedSite
from tests.support.processes import tick_command

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


def wait_for_line(process: subprocess.Popen[str], text: str, deadline_seconds: float = 60) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + deadline_seconds
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if text in line:
            return
        seen.append(line)
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"{text!r} never appeared in:\n{''.join(seen)}")


@pytest.mark.browser
def test_sigterm_stops_the_tick_with_143_after_recording_it(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    config = make_config(site.base_url, scraper={"fetcher": "browser", "rate_limit_delay_seconds": 2})
    # Playwright keeps the browser profile under TMPDIR; a folder of our own shows what is left.
    # It must be short: Chromium puts a Unix socket in it, and those paths stop at 108 bytes.
    temporary = Path(tempfile.mkdtemp(prefix="aw-"))
    environment = {**os.environ, "TMPDIR": str(temporary)}
    process = subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment)
    wait_for_line(process, "page_scraped")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 143
    assert "stopped by SIGTERM" in stderr
    with duckdb.connect(str(config.parent / "data" / "audiowatch.db"), read_only=True) as connection:
        assert connection.execute("SELECT outcome, exit_code FROM scrape_logs").fetchall() == [("interrupted", 143)]
    # The browser closed properly: Playwright removes its profile folder only on a clean close.
    assert not list(temporary.glob("playwright_chromiumdev_profile-*"))
    shutil.rmtree(temporary)


def test_database_can_be_read_while_a_tick_scrapes(site: SimulatedSite, make_config: Callable[..., Path]) -> None:
    config = make_config(site.base_url, scraper={"rate_limit_delay_seconds": 0.5})
    with subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        wait_for_line(process, "page_scraped")
        with duckdb.connect(str(config.parent / "data" / "audiowatch.db"), read_only=True) as reader:
            assert reader.execute("SELECT outcome FROM scrape_logs").fetchall() == [("running",)]
        process.communicate(timeout=60)
    assert process.returncode == 0
