"""Run `audiowatch` as a real subprocess, the way systemd or cron would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def tick_command(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "audiowatch", "--log-format", "json", "tick", "--config", str(config), *extra]


def run_tick(config: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(tick_command(config, *extra), capture_output=True, text=True, timeout=timeout)
