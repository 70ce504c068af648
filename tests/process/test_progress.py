"""On a terminal a tick draws a progress line instead of per-page logs; elsewhere it logs."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from audiowatch.simulator.server import SimulatedSite

pytestmark = pytest.mark.slow


def run_with_terminal_stderr(command: list[str]) -> tuple[int, str]:
    """Run ``command`` with standard error on a pseudo-terminal; return its exit code and what it drew."""
    controller, terminal = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=terminal) as process:
        os.close(terminal)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=60)
    os.close(controller)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_tick_on_a_terminal_draws_progress_instead_of_page_logs(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    config = make_config(site.base_url)
    code, drawn = run_with_terminal_stderr([sys.executable, "-m", "audiowatch", "tick", "--config", str(config)])
    assert code == 0, drawn
    assert "\rScraping: 1 page(s)" in drawn.replace("\x1b[2K", "")
    assert "Done: " in drawn
    assert "page_scraped" not in drawn


def test_tick_without_a_terminal_logs_each_page(site: SimulatedSite, make_config: Callable[..., Path]) -> None:
    config = make_config(site.base_url)
    result = subprocess.run([sys.executable, "-m", "audiowatch", "tick", "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "page_scraped" in result.stderr and "Scraping:" not in result.stderr
