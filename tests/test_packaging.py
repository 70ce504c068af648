"""The wheel carries the schedule templates, and an installed (not editable) package renders from them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(path.relative_to(ROOT).as_posix() for folder in ("systemd", "cron", "launchd")
                   for path in (ROOT / folder).iterdir())

RENDER_ALL = """
import sys
from pathlib import Path
import audiowatch
from audiowatch import schedule
home = Path(sys.argv[1])
target = schedule.Target(command=("/usr/bin/audiowatch", "tick"), interval_minutes=5, home=home,
                         config_home=home / ".config", state_home=home / ".local/state", user="me", system=True)
print(audiowatch.__file__)
for scheduler in schedule.Scheduler:
    plan = schedule.render(scheduler, target)
    print(scheduler, len(plan.files), plan.crontab_block is not None)
"""


def test_wheel_carries_the_templates_that_the_installed_package_renders(tmp_path: Path) -> None:
    # Build from a copy, so the check sees only what is committed and leaves no build/ behind.
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("src", "systemd", "cron", "launchd"):
        shutil.copytree(ROOT / folder, project / folder, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path / "wheel"),
                    str(project)], check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "wheel").glob("audiowatch-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        packaged = {name: archive.read(name) for name in archive.namelist() if "/templates/" in name}
    assert sorted(name.removeprefix("audiowatch/templates/") for name in packaged) == TEMPLATES
    assert all(content == (ROOT / name.removeprefix("audiowatch/templates/")).read_bytes()
               for name, content in packaged.items())

    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    rendered = subprocess.run([sys.executable, "-c", RENDER_ALL, str(tmp_path / "home")], capture_output=True,
                              text=True, cwd=tmp_path, env={"PYTHONPATH": str(site)}, timeout=60, check=False)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout.splitlines() == [str(site / "audiowatch" / "__init__.py"),
                                            "systemd 3 False", "cron 0 True", "launchd 1 False"]
