"""Run `audiowatch` as a real subprocess, the way systemd or cron would, and inspect processes in /proc.

The benchmarks use the /proc readers too (benchmarks/startup.py, fetchers.py, stop_latency.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def tick_command(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "audiowatch", "--log-format", "json", "tick", "--config", str(config), *extra]


def run_tick(config: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(tick_command(config, *extra), capture_output=True, text=True, timeout=timeout)


def wait_for_line(process: subprocess.Popen[str], text: str, deadline_seconds: float = 60) -> str:
    """Read the process's stderr until a line contains ``text``; return that line."""
    assert process.stderr is not None
    deadline = time.monotonic() + deadline_seconds
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if text in line:
            return line
        seen.append(line)
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"{text!r} never appeared in:\n{''.join(seen)}")


def run_command(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "audiowatch", "--log-format", "json", "run", "--config", str(config), *extra]


def descendants(root: int) -> list[int]:
    """Every live process below ``root``, read from /proc (children re-parented elsewhere are not found)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    found: list[int] = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def is_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (dead, waiting only to be reaped)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def running_processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that mention ``text`` (e.g. a browser's profile folder)."""
    found: list[str] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and text in (line := command_line(int(entry.name))) and is_running(int(entry.name)):
            found.append(line)
    return found


def memory_kib(pids: list[int]) -> tuple[int, int]:
    """Summed RSS and PSS of ``pids`` in KiB, from /proc/PID/smaps_rollup (ended processes count 0).

    RSS counts pages shared between processes (Chromium's dozen) once per process; PSS splits them.
    """
    rss = pss = 0
    for pid in pids:
        try:
            lines = (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines()
        except OSError:  # the process ended between listing and reading
            continue
        for line in lines:
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, parent pid) from /proc/PID/stat, or None once the process is gone."""
    try:
        text = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    state, parent = text.rsplit(")", 1)[1].split()[:2]
    return state, parent
