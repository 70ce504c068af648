"""`audiowatch schedule show|install|uninstall`: let systemd, cron or launchd run the tick."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from audiowatch.cli import options

if TYPE_CHECKING:
    from audiowatch.schedule import Change, Plan

F = TypeVar("F", bound=Callable[..., Any])


def _scheduler_options(function: F) -> F:
    function = click.option("--user", "for_user", is_flag=True,
                            help="systemd: install units for your user (~/.config/systemd/user) instead of "
                                 "the system. cron and launchd are always per user.")(function)
    for name, text in reversed((("systemd", "a systemd timer and service (Linux)"),
                                ("cron", "a line in your crontab"),
                                ("launchd", "a launchd agent (macOS)"))):
        function = click.option(f"--{name}", "scheduler", flag_value=name, help=f"Use {text}.")(function)
    return options.config_option(function)


@click.group()
def schedule() -> None:
    """Have the operating system run `audiowatch tick` every scraper.poll_interval_minutes.

    Pick --systemd, --cron or --launchd (default: the one this machine uses). The files name
    this installation's `audiowatch`, the config's absolute path and the configured interval;
    re-run `install` after changing any of them.

    \b
    Example:
      audiowatch schedule show --systemd --user
      audiowatch schedule install --systemd --user
      audiowatch schedule uninstall --cron
    """


@schedule.command()
@_scheduler_options
def show(config_path: Path, scheduler: str | None, for_user: bool) -> None:
    """Print the files `install` would write, and the commands to run after it.

    The files go to standard output, the guidance to standard error.

    \b
    Example:
      audiowatch schedule show --systemd --user
      audiowatch schedule show --cron --config ~/audiowatch/config.yaml
    """
    plan = _plan(config_path, scheduler, for_user)
    for index, scheduled in enumerate(plan.files):
        click.echo(("\n" if index else "") + f"# ==> {scheduled.path} <==\n{scheduled.text}", nl=False)
    if plan.crontab_block is not None:
        click.echo(plan.crontab_block, nl=False)
    from audiowatch import schedule as schedule_module

    command = shlex.join([*schedule_module.tick_executable(), "schedule", "install", f"--{plan.scheduler}",
                          *(["--user"] if for_user else []), "--config", str(config_path.resolve())])
    click.echo(f"\nTo install: {command}", err=True)
    _echo_guidance(plan, err=True)


@schedule.command()
@_scheduler_options
def install(config_path: Path, scheduler: str | None, for_user: bool) -> None:
    """Write the schedule files; running it again changes nothing.

    A file AudioWatch did not write is never overwritten. cron lines live in a marked block of
    your crontab, edited through `crontab -l` and `crontab -`; your other lines stay as they are.
    Then run the commands it prints (systemctl, launchctl): install never starts anything itself.

    \b
    Example:
      audiowatch schedule install --systemd --user
      sudo .venv/bin/audiowatch schedule install --systemd --config /srv/audiowatch/config.yaml
      audiowatch schedule install --cron
    """
    from audiowatch import schedule as schedule_module

    plan = _plan(config_path, scheduler, for_user)
    changes = schedule_module.install(plan)
    _echo_changes(changes)
    if all(change.action in {schedule_module.Action.UNCHANGED, schedule_module.Action.KEPT} for change in changes):
        click.echo("Nothing changed: the schedule was already installed like this.")
    _echo_guidance(plan)


@schedule.command()
@_scheduler_options
def uninstall(config_path: Path, scheduler: str | None, for_user: bool) -> None:
    """Remove exactly what `install` wrote; logs and data stay.

    For systemd, disable the timer first (the command is printed when it is still enabled).

    \b
    Example:
      systemctl --user disable --now audiowatch.timer && audiowatch schedule uninstall --systemd --user
      audiowatch schedule uninstall --cron
    """
    from audiowatch import schedule as schedule_module

    plan = _plan(config_path, scheduler, for_user)
    _echo_changes(schedule_module.uninstall(plan))
    if plan.after_uninstall:
        click.echo("Then run:\n" + "".join(f"  {command}\n" for command in plan.after_uninstall), nl=False)


def _plan(config_path: Path, scheduler: str | None, for_user: bool) -> Plan:
    from audiowatch import schedule as schedule_module

    config = options.load(config_path)
    chosen = schedule_module.Scheduler(scheduler) if scheduler else schedule_module.detect()
    if scheduler is None:
        click.echo(f"(using {chosen}, this machine's scheduler; pick another with --systemd, --cron or --launchd)",
                   err=True)
    target = schedule_module.target_for(config, system=chosen == "systemd" and not for_user)
    return schedule_module.render(chosen, target)


def _echo_changes(changes: list[Change]) -> None:
    for change in changes:
        click.echo(f"{change.action:<9} {change.where}")


def _echo_guidance(plan: Plan, *, err: bool = False) -> None:
    if plan.after_install:
        click.echo("Then run:\n" + "".join(f"  {command}\n" for command in plan.after_install), nl=False, err=err)
    click.echo(f"Logs: {plan.logs}", err=err)
    for note in plan.notes:
        click.echo(f"Note: {note}", err=err)
