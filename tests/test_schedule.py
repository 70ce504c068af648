"""The schedule files: rendered, checked by the tools that read them, installed and removed in a temporary HOME."""

from __future__ import annotations

import dataclasses
import os
import plistlib
import pwd
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from croniter import croniter

from audiowatch import schedule
from audiowatch.errors import ScheduleError
from audiowatch.schedule import Scheduler, Target

needs_systemd_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                           reason="systemd-analyze is missing: make test installs Debian's systemd")

# verify insists that ExecStart names an existing program: this installation's audiowatch.
EXECUTABLE = schedule.tick_executable()[0]
PLAIN_CONFIG = "/srv/audiowatch/config.yaml"
# Spaces, a quote, a percent sign and XML-special characters: each scheduler has its own quoting.
AWKWARD_CONFIG = "/srv/audio watch/it's 100% <mine> & more/config.yaml"
INTERVALS = [1, 5, 7, 15, 60]


def make_target(tmp_path: Path, *, interval: int = 5, system: bool = False, config: str = PLAIN_CONFIG) -> Target:
    home = tmp_path / "home"
    return Target(command=(EXECUTABLE, "tick", "--config", config), interval_minutes=interval, home=home,
                  config_home=home / ".config", state_home=home / ".local" / "state", user="root",
                  system=system, system_unit_dir=tmp_path / "etc" / "systemd" / "system")


def write_plan(plan: schedule.Plan) -> None:
    for scheduled in plan.files:
        scheduled.path.parent.mkdir(parents=True, exist_ok=True)
        scheduled.path.write_text(scheduled.text, encoding="utf-8")


def systemd_analyze(*arguments: str, runtime_dir: Path) -> subprocess.CompletedProcess[str]:
    # --user verify needs a runtime directory (reference §1.3); the system one ignores it.
    environment = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir), "SYSTEMD_LOG_COLOR": "0"}
    return subprocess.run(["systemd-analyze", *arguments], capture_output=True, text=True, env=environment,
                          timeout=60, check=False)


def verify(plan: schedule.Plan, tmp_path: Path, *, system: bool) -> subprocess.CompletedProcess[str]:
    units = [str(scheduled.path) for scheduled in plan.files if scheduled.path.suffix in {".service", ".timer"}]
    runtime = tmp_path / "run"
    runtime.mkdir(exist_ok=True)
    return systemd_analyze(*([] if system else ["--user"]), "verify", *units, runtime_dir=runtime)


@needs_systemd_analyze
@pytest.mark.parametrize("config", [PLAIN_CONFIG, AWKWARD_CONFIG], ids=["plain-path", "awkward-path"])
@pytest.mark.parametrize("system", [False, True], ids=["user", "system"])
def test_systemd_units_pass_systemd_analyze_verify_silently(tmp_path: Path, system: bool, config: str) -> None:
    plan = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path, system=system, config=config))
    write_plan(plan)
    result = verify(plan, tmp_path, system=system)
    # verify exits 0 on bad values in a service, so only empty output proves the units clean (reference §1.4).
    assert (result.returncode, result.stderr, result.stdout) == (0, "", "")


@needs_systemd_analyze
def test_systemd_analyze_verify_reads_the_system_drop_in(tmp_path: Path) -> None:
    plan = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path, system=True))
    write_plan(plan)
    drop_in = next(scheduled.path for scheduled in plan.files if scheduled.path.suffix == ".conf")
    drop_in.write_text(drop_in.read_text(encoding="utf-8") + "MisspeltKey=yes\n", encoding="utf-8")
    assert "Unknown key 'MisspeltKey'" in verify(plan, tmp_path, system=True).stderr


def test_systemd_user_units_leave_out_what_only_the_system_manager_offers(tmp_path: Path) -> None:
    plan = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path, system=False))
    text = "".join(scheduled.text for scheduled in plan.files)
    assert [scheduled.path.name for scheduled in plan.files] == ["audiowatch.service", "audiowatch.timer"]
    assert "network-online.target" not in text and "ProtectSystem" not in text and "User=" not in text
    assert plan.files[0].path.parent == tmp_path / "home" / ".config" / "systemd" / "user"


def test_systemd_service_is_a_oneshot_that_stops_cleanly(tmp_path: Path) -> None:
    service = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path)).files[0].text
    for setting in ("Type=oneshot", "KillMode=mixed", "SuccessExitStatus=TEMPFAIL", "TimeoutStartSec=30min",
                    "EnvironmentFile=-", f"ExecStart={EXECUTABLE} tick --config {PLAIN_CONFIG}"):
        assert re.search(rf"^{re.escape(setting)}", service, re.MULTILINE), setting


@needs_systemd_analyze
@pytest.mark.parametrize("interval", INTERVALS, ids=[f"every-{minutes}-min" for minutes in INTERVALS])
def test_on_calendar_fires_at_the_start_minutes(tmp_path: Path, interval: int) -> None:
    timer = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path, interval=interval)).files[1].text
    value = re.search(r"^OnCalendar=(.+)$", timer, re.MULTILINE)
    assert value is not None
    iterations = 2 * len(schedule.start_minutes(interval)) + 1
    result = systemd_analyze("calendar", f"--iterations={iterations}", value[1], runtime_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Normalized form: {value[1]}" in result.stdout
    times = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ [\d-]+ (\d\d):(\d\d):(\d\d)", result.stdout)
    assert len(times) == iterations
    assert {int(minute) for _, minute, _ in times} == set(schedule.start_minutes(interval))
    assert {second for _, _, second in times} == {"00"}


@pytest.mark.parametrize("interval", INTERVALS, ids=[f"every-{minutes}-min" for minutes in INTERVALS])
def test_crontab_line_parses_and_fires_at_the_start_minutes(tmp_path: Path, interval: int) -> None:
    block = schedule.render(Scheduler.CRON, make_target(tmp_path, interval=interval)).crontab_block
    assert block is not None
    entries = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert len(entries) == 1
    expression = " ".join(entries[0].split()[:5])
    assert croniter.is_valid(expression)
    starts = croniter(expression, datetime(2026, 1, 1, 0, 0))
    upcoming = [starts.get_next(datetime) for _ in range(2 * len(schedule.start_minutes(interval)))]
    assert {moment.minute for moment in upcoming} == set(schedule.start_minutes(interval))


def test_crontab_command_runs_the_tick_with_path_set_and_output_logged(tmp_path: Path) -> None:
    target = make_target(tmp_path, config=AWKWARD_CONFIG)
    block = schedule.render(Scheduler.CRON, target).crontab_block
    assert block is not None
    entry = next(line for line in block.splitlines() if line and not line.startswith("#"))
    command = entry.split(None, 5)[5]
    assert "flock" not in command
    # cron turns an unescaped % into a newline and passes the rest to /bin/sh (reference §2).
    assert re.search(r"(?<!\\)%", command) is None
    words = shlex.split(command.replace("\\%", "%"))
    log_file = tmp_path / "home" / ".local" / "state" / "audiowatch" / "cron.log"
    assert words == [f"PATH={Path(EXECUTABLE).parent}:/usr/local/bin:/usr/bin:/bin", *target.command,
                     f">>{log_file}", "2>&1"]


@pytest.mark.parametrize("interval", [5, 7], ids=["every-5-min", "every-7-min"])
def test_launchd_plist_parses_with_every_start_minute(tmp_path: Path, interval: int) -> None:
    target = make_target(tmp_path, interval=interval, config=AWKWARD_CONFIG)
    plan = schedule.render(Scheduler.LAUNCHD, target)
    agent = plistlib.loads(plan.files[0].text.encode())
    log_file = str(tmp_path / "home" / "Library" / "Logs" / "audiowatch" / "tick.log")
    assert agent["Label"] == plan.files[0].path.stem == "io.audiowatch.tick"
    assert agent["ProgramArguments"] == list(target.command)
    assert agent["StartCalendarInterval"] == [{"Minute": minute} for minute in schedule.start_minutes(interval)]
    assert (agent["StandardOutPath"], agent["StandardErrorPath"]) == (log_file, log_file)
    assert agent["EnvironmentVariables"]["PATH"].startswith(f"{Path(EXECUTABLE).parent}:")
    assert plan.files[0].path == tmp_path / "home" / "Library" / "LaunchAgents" / "io.audiowatch.tick.plist"


@pytest.mark.parametrize(("interval", "explained"), [(5, False), (7, True), (45, True), (60, False)],
                         ids=["5-divides", "7-does-not", "45-does-not", "60-divides"])
def test_interval_that_does_not_divide_the_hour_is_explained(tmp_path: Path, interval: int, explained: bool) -> None:
    for scheduler in Scheduler:
        notes = schedule.render(scheduler, make_target(tmp_path, interval=interval)).notes
        assert any("does not divide an hour" in note for note in notes) == explained


def test_fill_names_a_placeholder_without_a_value() -> None:
    with pytest.raises(KeyError, match="USER"):
        schedule.fill("User=@USER@\n", {})


@pytest.mark.parametrize(("argument", "quoted"), [
    ("/usr/bin/audiowatch", "/usr/bin/audiowatch"),
    ("/srv/audio watch/config.yaml", '"/srv/audio watch/config.yaml"'),
    ("/srv/100%/config.yaml", "/srv/100%%/config.yaml"),
    ("/srv/$HOME/config.yaml", "/srv/$$HOME/config.yaml"),
    ('/srv/say "hi"/config.yaml', '"/srv/say \\"hi\\"/config.yaml"'),
], ids=["plain", "space", "percent", "dollar", "double-quote"])
def test_systemd_quote_keeps_specifiers_and_variables_literal(argument: str, quoted: str) -> None:
    assert schedule.systemd_quote(argument) == quoted


# ---- installing and removing, in a temporary HOME ----


def snapshot(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(("scheduler", "system"), [(Scheduler.SYSTEMD, False), (Scheduler.SYSTEMD, True),
                                                   (Scheduler.LAUNCHD, False)],
                         ids=["systemd-user", "systemd-system", "launchd"])
def test_install_twice_changes_nothing_and_uninstall_removes_exactly_it(
    tmp_path: Path, scheduler: Scheduler, system: bool
) -> None:
    target = make_target(tmp_path, system=system)
    plan = schedule.render(scheduler, target)
    mine = target.home / ".config" / "systemd" / "user" / "mine.service"
    mine.parent.mkdir(parents=True)
    mine.write_text("[Service]\nExecStart=/bin/true\n", encoding="utf-8")
    before = snapshot(tmp_path)

    first = schedule.install(plan)
    installed = snapshot(tmp_path)
    second = schedule.install(plan)

    assert {change.action for change in first if change.where.endswith((".service", ".timer", ".conf", ".plist"))} \
        == {"wrote"}
    assert {change.action for change in second} <= {"unchanged", "kept"}
    assert snapshot(tmp_path) == installed
    assert all(installed[str(scheduled.path.relative_to(tmp_path))] == scheduled.text for scheduled in plan.files)

    removed = schedule.uninstall(plan)
    assert {change.action for change in removed} == {"removed"}
    assert snapshot(tmp_path) == before
    assert not (target.system_unit_dir / "audiowatch.service.d").exists()


def test_install_after_changing_the_interval_rewrites_only_the_timer(tmp_path: Path) -> None:
    target = make_target(tmp_path)
    schedule.install(schedule.render(Scheduler.SYSTEMD, target))
    changes = schedule.install(schedule.render(Scheduler.SYSTEMD, dataclasses.replace(target, interval_minutes=10)))
    assert [(change.action, Path(change.where).name) for change in changes] == [
        ("unchanged", "audiowatch.service"), ("wrote", "audiowatch.timer")]


def test_install_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path) -> None:
    plan = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path))
    handmade = plan.files[0].path
    handmade.parent.mkdir(parents=True)
    handmade.write_text("[Service]\nExecStart=/opt/my/own/audiowatch\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match="was not written by AudioWatch"):
        schedule.install(plan)
    assert handmade.read_text(encoding="utf-8") == "[Service]\nExecStart=/opt/my/own/audiowatch\n"
    assert not plan.files[1].path.exists()


def test_uninstall_keeps_a_file_it_did_not_write(tmp_path: Path) -> None:
    plan = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path))
    schedule.install(plan)
    plan.files[0].path.write_text("[Service]\nExecStart=/opt/my/own/audiowatch\n", encoding="utf-8")
    changes = schedule.uninstall(plan)
    assert [change.action for change in changes] == ["kept", "removed"]
    assert plan.files[0].path.exists() and not plan.files[1].path.exists()


def test_uninstall_refuses_while_the_timer_is_enabled(tmp_path: Path) -> None:
    plan = schedule.render(Scheduler.SYSTEMD, make_target(tmp_path))
    schedule.install(plan)
    assert plan.enabled_marker is not None
    # What `systemctl --user enable audiowatch.timer` leaves behind.
    plan.enabled_marker.parent.mkdir()
    plan.enabled_marker.symlink_to(plan.files[1].path)
    with pytest.raises(ScheduleError, match=re.escape("systemctl --user disable --now audiowatch.timer")):
        schedule.uninstall(plan)
    assert all(scheduled.path.exists() for scheduled in plan.files)


# ---- the command line ----


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_cli_install_systemd_user_twice_then_uninstall(
    cli: Callable[..., Any], make_config: Callable[..., Path], home: Path
) -> None:
    config = str(make_config())
    first = cli("schedule", "install", "--systemd", "--user", "--config", config)
    second = cli("schedule", "install", "--systemd", "--user", "--config", config)
    removed = cli("schedule", "uninstall", "--systemd", "--user", "--config", config)

    unit_dir = home / ".config" / "systemd" / "user"
    assert first.exit_code == 0, first.stderr
    assert f"wrote     {unit_dir / 'audiowatch.timer'}" in first.stdout
    for command in ("systemctl --user daemon-reload", "systemctl --user enable --now audiowatch.timer",
                    "loginctl enable-linger", "journalctl --user -u audiowatch"):
        assert command in first.stdout
    assert "Nothing changed" in second.stdout
    assert removed.exit_code == 0 and f"removed   {unit_dir / 'audiowatch.timer'}" in removed.stdout
    assert list(unit_dir.iterdir()) == []


def test_cli_install_launchd_prints_the_launchctl_commands(
    cli: Callable[..., Any], make_config: Callable[..., Path], home: Path
) -> None:
    result = cli("schedule", "install", "--launchd", "--config", str(make_config()))
    plist = home / "Library" / "LaunchAgents" / "io.audiowatch.tick.plist"
    assert result.exit_code == 0, result.stderr
    assert f"launchctl bootstrap gui/$(id -u) {plist}" in result.stdout
    assert (home / "Library" / "Logs" / "audiowatch").is_dir()
    assert plistlib.loads(plist.read_bytes())["Label"] == "io.audiowatch.tick"


def test_cli_show_cron_prints_only_the_block_on_stdout(
    cli: Callable[..., Any], make_config: Callable[..., Path], home: Path
) -> None:
    result = cli("schedule", "show", "--cron", "--config", str(make_config()))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# >>> audiowatch >>>\n") and result.stdout.endswith("# <<< audiowatch <<<\n")
    assert "schedule install --cron" in result.stderr
    assert not (home / ".local").exists()  # show writes nothing


def test_cli_install_cron_without_crontab_explains_what_to_do(
    cli: Callable[..., Any], make_config: Callable[..., Path], home: Path, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("schedule", "install", "--cron", "--config", str(make_config()))
    assert result.exit_code == 1
    assert "`crontab` command was not found" in result.stderr and "schedule show --cron" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / ".local").exists()  # a refused install leaves no log folder behind


def test_cli_schedule_with_a_bad_config_exits_78(
    cli: Callable[..., Any], make_config: Callable[..., Path], home: Path
) -> None:
    result = cli("schedule", "show", "--systemd", "--config",
                 str(make_config(scraper={"poll_interval_minutes": 90})))
    assert result.exit_code == 78
    assert "scraper.poll_interval_minutes" in result.stderr


def test_system_units_run_as_the_config_owner_and_user_units_as_the_installer(
    make_config: Callable[..., Path]
) -> None:
    from audiowatch.config.load import load_config

    config_path = make_config()
    os.chown(config_path, 65534, 65534)  # nobody, as if another account had set it up
    config = load_config(config_path)
    assert schedule.target_for(config, system=True).user == pwd.getpwuid(65534).pw_name
    assert schedule.target_for(config, system=False).user == pwd.getpwuid(os.getuid()).pw_name


def test_cli_without_a_scheduler_flag_uses_this_machines(
    cli: Callable[..., Any], make_config: Callable[..., Path], home: Path
) -> None:
    result = cli("schedule", "show", "--config", str(make_config()))
    assert result.exit_code == 0, result.stderr
    assert f"(using {schedule.detect()}, this machine's scheduler" in result.stderr

