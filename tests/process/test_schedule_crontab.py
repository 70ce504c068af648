"""`audiowatch schedule install --cron` against Debian's real `crontab` command, in a real subprocess.

The tests must not edit the crontab of whoever runs them, so a `crontab` first on PATH hands every
call to the real one with `-u nobody` (root may edit any user's crontab). Skipped unless root and
cron are available; `make test` installs Debian's cron when it runs as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from croniter import croniter

from audiowatch import crontab

pytestmark = pytest.mark.slow

CRONTAB = shutil.which("crontab")
USER = "nobody"
MINE = "MAILTO=\"\"\n# keep me\n0 3 * * * /usr/local/bin/backup\n"


def crontab_of_user(*arguments: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
    assert CRONTAB is not None
    return subprocess.run([CRONTAB, "-u", USER, *arguments], input=text, capture_output=True, text=True,
                          timeout=30, check=False)


@pytest.fixture
def users_crontab(tmp_path: Path) -> Iterator[Path]:
    """A folder whose `crontab` edits nobody's crontab, which starts with a few lines of its own."""
    if CRONTAB is None or os.geteuid() != 0:
        pytest.skip("needs root and Debian's cron (make test installs it when run as root)")
    if crontab_of_user("-l").returncode == 0:
        pytest.skip(f"{USER} already has a crontab; not touching it")
    wrapper = tmp_path / "bin" / "crontab"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {CRONTAB} -u {USER} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    assert crontab_of_user("-", text=MINE).returncode == 0
    try:
        yield wrapper.parent
    finally:
        crontab_of_user("-r")


def schedule_command(bin_folder: Path, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    environment = {**os.environ, "PATH": f"{bin_folder}:{os.environ['PATH']}", "HOME": str(tmp_path / "home")}

    def run(action: str, config: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "audiowatch", "schedule", action, "--cron", "--config",
                               str(config)], capture_output=True, text=True, env=environment, timeout=60,
                              check=False)

    return run


def test_cron_install_twice_then_uninstall_with_the_real_crontab(
    users_crontab: Path, tmp_path: Path, make_config: Callable[..., Path]
) -> None:
    run = schedule_command(users_crontab, tmp_path)
    config = make_config()

    first, second = run("install", config), run("install", config)
    installed = crontab_of_user("-l").stdout
    removed = run("uninstall", config)

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("wrote     your crontab") and "created " in first.stdout
    assert (tmp_path / "home" / ".local" / "state" / "audiowatch").is_dir()  # the log file's folder
    assert second.returncode == 0 and "unchanged your crontab" in second.stdout
    assert installed.startswith(MINE) and installed.count(crontab.START) == 1
    entry = next(line for line in installed.split(crontab.START)[1].splitlines() if line and line[0] != "#")
    assert croniter.is_valid(" ".join(entry.split()[:5])) and f"--config {config}" in entry
    assert removed.returncode == 0 and "removed   your crontab" in removed.stdout
    assert crontab_of_user("-l").stdout == MINE
