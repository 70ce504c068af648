"""`audiowatch notify test`: check every notification channel with a realistic sample."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from audiowatch.cli import options


@click.group()
def notify() -> None:
    """Check the notification channels.

    \b
    Example:
      audiowatch notify test
      audiowatch notify test --channel discord
    """


@notify.command("test")
@options.config_option
@click.option("--channel", "channel_names", multiple=True, metavar="NAME",
              help="Test only this channel (repeat for several); default: every channel.")
@options.json_option
def test_command(config_path: Path, channel_names: tuple[str, ...], as_json: bool) -> None:
    """Send a realistic sample listing through each channel and report what happened.

    The sample goes out at once, skipping the outbox, quiet hours and digests, and nothing is
    stored. Exits 0 when every channel confirmed it, 78 when a service refused a channel's
    settings (wrong password, deleted webhook), 69 when a channel could not deliver right now.

    \b
    Example:
      audiowatch notify test
      audiowatch notify test --channel discord --channel email
      audiowatch notify test --json
    """
    from audiowatch.errors import ChannelTestFailed
    from audiowatch.notify import self_test

    config = options.load(config_path)
    results = []
    for result in self_test.test_channels(config, channel_names, datetime.now(UTC)):
        results.append(result)
        if as_json:
            click.echo(json.dumps({"name": result.name, "type": result.kind, "description": result.description,
                                   "ok": result.ok, "outcome": result.outcome, "detail": result.detail,
                                   "seconds": round(result.seconds, 3)}))
        else:
            click.echo(f"{result.name} ({result.kind}): {result.description}")
            detail = f": {result.detail}" if result.detail else ""
            click.echo(f"  {result.outcome} ({result.seconds:.1f} s){detail}\n")
    failed = [result for result in results if not result.ok]
    if failed:
        raise ChannelTestFailed([result.name for result in failed],
                                refused=any(result.is_config_problem for result in failed))
