"""Render, install and uninstall the files that make the OS run `audiowatch tick`: systemd, cron, launchd.

Rendering is pure: the templates shipped in the package (the repository's top-level `systemd/`,
`cron/` and `launchd/` folders) plus a Target give a Plan of file contents and commands. Installing
and removing are thin adapters: whole files for systemd and launchd, a marked block inside the
user's crontab (through the `crontab` command) for cron. Nothing here runs systemctl or launchctl:
the plan says which commands to run.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import sys
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from audiowatch import crontab
from audiowatch.config.model import Config
from audiowatch.errors import ScheduleError


class Scheduler(StrEnum):
    SYSTEMD = "systemd"
    CRON = "cron"
    LAUNCHD = "launchd"


UNIT = "audiowatch"
LAUNCHD_LABEL = "io.audiowatch.tick"
SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
SYSTEM_ENVIRONMENT_FILE = Path("/etc/audiowatch/audiowatch.env")
# Every rendered file says who wrote it; uninstall removes only files that say so.
MANAGED_BY = ("Managed by AudioWatch: written by `audiowatch schedule install`, "
              "removed by `audiowatch schedule uninstall`.")
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
# Where programs live besides the virtual environment, for cron's and launchd's bare PATH.
_LINUX_PATH = ("/usr/local/bin", "/usr/bin", "/bin")
_MACOS_PATH = ("/opt/homebrew/bin", "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")


@dataclass(frozen=True, slots=True)
class Target:
    """What the schedule runs, how often, and where its files go: all absolute, all decided."""

    command: tuple[str, ...]  # the tick's argv
    interval_minutes: int
    home: Path
    config_home: Path  # $XDG_CONFIG_HOME, else ~/.config
    state_home: Path  # $XDG_STATE_HOME, else ~/.local/state
    user: str  # who runs the tick: the config's owner (system units) or the installing user
    system: bool = False  # systemd only: a system-wide install instead of --user
    system_unit_dir: Path = SYSTEM_UNIT_DIR


@dataclass(frozen=True, slots=True)
class ScheduleFile:
    path: Path
    text: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What install writes and what the user runs around it; `show` prints exactly this."""

    scheduler: Scheduler
    files: tuple[ScheduleFile, ...] = ()
    crontab_block: str | None = None  # cron: the marked block kept in the user's crontab
    folders: tuple[Path, ...] = ()  # log folders install creates
    after_install: tuple[str, ...] = ()
    before_uninstall: tuple[str, ...] = ()
    after_uninstall: tuple[str, ...] = ()
    logs: str = ""
    notes: tuple[str, ...] = ()
    enabled_marker: Path | None = None  # systemd: exists while the timer is enabled


def render(scheduler: Scheduler, target: Target) -> Plan:
    """Return the plan for ``scheduler``; pure apart from reading the packaged templates."""
    match scheduler:
        case Scheduler.SYSTEMD:
            return render_systemd(target)
        case Scheduler.CRON:
            return render_cron(target)
        case Scheduler.LAUNCHD:
            return render_launchd(target)


def start_minutes(interval_minutes: int) -> list[int]:
    """The minutes of each hour a tick starts at: 0, then every interval (the same for all three)."""
    return list(range(0, 60, interval_minutes))


def on_calendar(interval_minutes: int) -> str:
    """The systemd OnCalendar= value, in the normalized form `systemd-analyze calendar` prints."""
    if interval_minutes == 60:
        return "*-*-* *:00:00"
    return f"*-*-* *:00/{interval_minutes}:00"


def cron_minutes(interval_minutes: int) -> str:
    """The crontab minute field for the interval."""
    if interval_minutes == 1:
        return "*"
    if interval_minutes == 60:
        return "0"
    return f"*/{interval_minutes}"


def interval_notes(interval_minutes: int) -> tuple[str, ...]:
    """Explain an interval that does not divide the hour: the last gap of each hour is shorter."""
    if 60 % interval_minutes == 0:
        return ()
    last = start_minutes(interval_minutes)[-1]
    return (f"poll_interval_minutes is {interval_minutes}, which does not divide an hour: ticks start "
            f"at minutes {', '.join(map(str, start_minutes(interval_minutes)))} of every hour, so the gap "
            f"after :{last:02d} is {60 - last} minutes. Choose 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60 "
            "for even spacing.",)


def render_systemd(target: Target) -> Plan:
    unit_dir = target.system_unit_dir if target.system else target.config_home / "systemd" / "user"
    environment_file = (SYSTEM_ENVIRONMENT_FILE if target.system
                        else target.config_home / "audiowatch" / "audiowatch.env")
    values = {
        "MANAGED_BY": MANAGED_BY,
        "EXEC_START": " ".join(systemd_quote(argument) for argument in target.command),
        "ENVIRONMENT_FILE": systemd_quote(str(environment_file)),
        "INTERVAL": str(target.interval_minutes),
        "ON_CALENDAR": on_calendar(target.interval_minutes),
        # Small against the interval: at most 30 s, a tenth of it for short intervals.
        "RANDOMIZED_DELAY": f"{min(30, target.interval_minutes * 6)}s",
        "USER": systemd_quote(target.user),
    }
    files = [ScheduleFile(unit_dir / f"{UNIT}.service", fill(_template("systemd", "audiowatch.service"), values)),
             ScheduleFile(unit_dir / f"{UNIT}.timer", fill(_template("systemd", "audiowatch.timer"), values))]
    if target.system:
        files.append(ScheduleFile(unit_dir / f"{UNIT}.service.d" / "system.conf",
                                  fill(_template("systemd", "audiowatch-system.conf"), values)))
    systemctl = "systemctl" if target.system else "systemctl --user"
    after = [f"{systemctl} daemon-reload", f"{systemctl} enable --now {UNIT}.timer"]
    if not target.system:
        # Without lingering the user's manager, and the timer, stop at logout.
        after.append(f"loginctl enable-linger {target.user}")
    return Plan(
        Scheduler.SYSTEMD, files=tuple(files),
        after_install=(*after, f"{systemctl} list-timers {UNIT}.timer",
                       f"{systemctl} start {UNIT}.service   # one tick now, to try it"),
        before_uninstall=(f"{systemctl} disable --now {UNIT}.timer",),
        after_uninstall=(f"{systemctl} daemon-reload",),
        logs=f"journalctl{'' if target.system else ' --user'} -u {UNIT}",
        notes=interval_notes(target.interval_minutes),
        enabled_marker=unit_dir / "timers.target.wants" / f"{UNIT}.timer",
    )


def render_cron(target: Target) -> Plan:
    log_file = target.state_home / "audiowatch" / "cron.log"
    bin_folder = str(Path(target.command[0]).parent)
    values = {
        "MANAGED_BY": MANAGED_BY,
        "INTERVAL": str(target.interval_minutes),
        "MINUTES": cron_minutes(target.interval_minutes),
        "PATH": cron_quote(":".join(dict.fromkeys((bin_folder, *_LINUX_PATH)))),
        "COMMAND": " ".join(cron_quote(argument) for argument in target.command),
        "LOG_FILE": cron_quote(str(log_file)),
    }
    return Plan(
        Scheduler.CRON, crontab_block=fill(_template("cron", "audiowatch.crontab"), values),
        folders=(log_file.parent,),
        logs=f"tail -f {shlex.quote(str(log_file))}",
        notes=(*interval_notes(target.interval_minutes),
               "cron reads the crontab by itself: nothing to reload. It must be running "
               "(Debian: `apt-get install cron`; `service cron status`)."),
    )


def render_launchd(target: Target) -> Plan:
    plist = target.home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    log_file = target.home / "Library" / "Logs" / "audiowatch" / "tick.log"
    bin_folder = str(Path(target.command[0]).parent)
    values = {
        "MANAGED_BY": MANAGED_BY,
        "INTERVAL": str(target.interval_minutes),
        "PROGRAM_ARGUMENTS": "\n".join(f"\t\t<string>{xml_escape(argument)}</string>"
                                       for argument in target.command),
        "CALENDAR_INTERVALS": "\n".join(f"\t\t<dict><key>Minute</key><integer>{minute}</integer></dict>"
                                        for minute in start_minutes(target.interval_minutes)),
        "PATH": xml_escape(":".join(dict.fromkeys((bin_folder, *_MACOS_PATH)))),
        "LOG_FILE": xml_escape(str(log_file)),
    }
    domain = "gui/$(id -u)"
    return Plan(
        Scheduler.LAUNCHD,
        files=(ScheduleFile(plist, fill(_template("launchd", f"{LAUNCHD_LABEL}.plist"), values)),),
        folders=(log_file.parent,),
        after_install=(f"launchctl bootout {domain}/{LAUNCHD_LABEL}   # only if an older version is loaded",
                       f"launchctl bootstrap {domain} {shlex.quote(str(plist))}",
                       f"launchctl print {domain}/{LAUNCHD_LABEL}",
                       f"launchctl kickstart {domain}/{LAUNCHD_LABEL}   # one tick now, to try it"),
        # bootout works by label, so it can follow the plist's removal.
        after_uninstall=(f"launchctl bootout {domain}/{LAUNCHD_LABEL}",),
        logs=f"tail -f {shlex.quote(str(log_file))}",
        notes=interval_notes(target.interval_minutes),
    )


def fill(template: str, values: dict[str, str]) -> str:
    """Replace each ``@NAME@`` in ``template``. Raise KeyError naming a placeholder without a value."""
    return _PLACEHOLDER.sub(lambda found: values[found[1]], template)


def systemd_quote(argument: str) -> str:
    """Quote one word for a unit file: `%` starts a specifier and `$` a variable, so both are doubled."""
    text = argument.replace("%", "%%").replace("$", "$$")
    if text and not any(character in text for character in " \t\"'\\;"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cron_quote(argument: str) -> str:
    """Quote one word for a crontab command line: /bin/sh quoting, and `%` (cron's newline) escaped."""
    return shlex.quote(argument).replace("%", "\\%")


def _template(folder: str, name: str) -> str:
    # The wheel carries the top-level template folders as audiowatch/templates/ (see pyproject.toml).
    return (resources.files("audiowatch") / "templates" / folder / name).read_text(encoding="utf-8")


# ---- adapters: deciding the target, writing and removing files ----


def detect() -> Scheduler:
    """The scheduler this machine uses: launchd on macOS, systemd when it is PID 1, else cron."""
    if sys.platform == "darwin":
        return Scheduler.LAUNCHD
    # The check sd_booted(3) makes.
    if Path("/run/systemd/system").is_dir():
        return Scheduler.SYSTEMD
    return Scheduler.CRON


def target_for(config: Config, *, system: bool, system_unit_dir: Path = SYSTEM_UNIT_DIR) -> Target:
    """Return the Target for this config, this interpreter and this user's home."""
    config_path = (config.source_path or Path("config.yaml")).resolve()
    home = Path.home()
    return Target(
        command=(*tick_executable(), "tick", "--config", str(config_path)),
        interval_minutes=config.scraper.poll_interval_minutes,
        home=home,
        config_home=Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config"),
        state_home=Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state"),
        # A system unit runs as whoever set the config up; a user unit as the user installing it.
        user=_owner(config_path) if system else _user_name(os.getuid()),
        system=system,
        system_unit_dir=system_unit_dir,
    )


def tick_executable() -> tuple[str, ...]:
    """The `audiowatch` beside this Python (a venv's bin/), else this Python with `-m audiowatch`.

    Not resolved: a venv's python is a symlink, and following it would leave the venv.
    """
    script = Path(sys.executable).parent / "audiowatch"
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    return (sys.executable, "-m", "audiowatch")


def _owner(path: Path) -> str:
    try:
        return _user_name(path.stat().st_uid)
    except OSError:
        return _user_name(os.getuid())


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (some containers): systemd accepts a numeric User=
        return str(uid)


class Action(StrEnum):
    WROTE = "wrote"
    UNCHANGED = "unchanged"  # already as rendered
    REMOVED = "removed"
    ABSENT = "absent"  # nothing to remove
    CREATED = "created"  # a log folder
    KEPT = "kept"  # a folder that existed, or a file AudioWatch did not write


@dataclass(frozen=True, slots=True)
class Change:
    """One thing install or uninstall did (or found already done)."""

    action: Action
    where: str


def install(plan: Plan, table: crontab.Crontab | None = None) -> list[Change]:
    """Write the plan's files (and crontab block); re-running with the same plan changes nothing.

    Raise ScheduleError when a file at a target path was not written by AudioWatch, or when the
    folder cannot be written (a system install without root).
    """
    changes = [_write(scheduled) for scheduled in plan.files]
    if plan.crontab_block is not None:
        changes.append(_install_block(plan.crontab_block, table or crontab.Crontab()))
    # Log folders last, so a refused install leaves nothing behind.
    return changes + [_create_folder(folder) for folder in plan.folders]


def uninstall(plan: Plan, table: crontab.Crontab | None = None) -> list[Change]:
    """Remove exactly what install wrote: its files (and empty drop-in folder) or its crontab block.

    Log folders and their logs stay. Raise ScheduleError while the systemd timer is still enabled,
    since removing its files first would leave systemd with a dangling enabled timer.
    """
    if plan.enabled_marker is not None and plan.enabled_marker.is_symlink():
        raise ScheduleError(
            f"{UNIT}.timer is still enabled ({plan.enabled_marker} exists). Run first:\n  "
            + "\n  ".join(plan.before_uninstall) + "\nthen `audiowatch schedule uninstall` again."
        )
    changes = [_remove(scheduled.path) for scheduled in plan.files]
    for folder in {scheduled.path.parent for scheduled in plan.files if scheduled.path.parent.name.endswith(".d")}:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    if plan.crontab_block is not None:
        changes.append(_remove_block(table or crontab.Crontab()))
    return changes


def _create_folder(folder: Path) -> Change:
    if folder.is_dir():
        return Change(Action.KEPT, str(folder))
    folder.mkdir(parents=True)
    return Change(Action.CREATED, str(folder))


def _write(scheduled: ScheduleFile) -> Change:
    path = scheduled.path
    if path.exists():
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == scheduled.text:
            return Change(Action.UNCHANGED, str(path))
        if MANAGED_BY not in current:
            raise ScheduleError(f"{path} exists and was not written by AudioWatch; it was left alone. "
                                "Move it away (or merge it by hand), then install again.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(scheduled.text, encoding="utf-8")
    except PermissionError:
        raise ScheduleError(f"cannot write {path}: permission denied. A system-wide install needs root "
                            "(sudo); or install for yourself with --user.") from None
    return Change(Action.WROTE, str(path))


def _remove(path: Path) -> Change:
    if not path.exists():
        return Change(Action.ABSENT, str(path))
    if MANAGED_BY not in path.read_text(encoding="utf-8", errors="replace"):
        return Change(Action.KEPT, f"{path} (not written by AudioWatch)")
    try:
        path.unlink()
    except PermissionError:
        raise ScheduleError(f"cannot remove {path}: permission denied; run it with sudo.") from None
    return Change(Action.REMOVED, str(path))


def _install_block(block: str, table: crontab.Crontab) -> Change:
    current = table.read()
    updated = crontab.with_block(current, block)
    if updated == current:
        return Change(Action.UNCHANGED, table.describe())
    table.write(updated)
    return Change(Action.WROTE, table.describe())


def _remove_block(table: crontab.Crontab) -> Change:
    current = table.read()
    updated = crontab.without_block(current)
    if updated == current:
        return Change(Action.ABSENT, table.describe())
    table.write(updated)
    return Change(Action.REMOVED, table.describe())

