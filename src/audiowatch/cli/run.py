"""`audiowatch run`: tick now and then every poll interval, in the foreground, until stopped."""

from __future__ import annotations

from pathlib import Path

import click

from audiowatch.cli import options
from audiowatch.cli import tick as tick_command


@click.command()
@options.config_option
@click.option("--once", is_flag=True, help="Run one tick and exit, exactly like `audiowatch tick`.")
@click.option("--skip-initial", is_flag=True,
              help="Wait one interval before the first tick instead of ticking right away.")
@options.max_pages_option
@options.headless_option
def run(config_path: Path, once: bool, skip_initial: bool, max_pages: int | None, headless: bool | None) -> None:
    """Tick right away, then every scraper.poll_interval_minutes, until stopped.

    For containers and for trying things out; in production let the operating system run
    `audiowatch tick` (see `audiowatch schedule`). The config is re-read before every tick.
    A failed tick is logged and the loop goes on. SIGTERM or Ctrl-C between ticks stops at
    once; during a tick the tick finishes first, and a second signal stops it cleanly. Exits
    143 after SIGTERM, 130 after SIGINT.

    \b
    Example:
      audiowatch run
      audiowatch run --skip-initial --config /srv/audiowatch/config.yaml
      audiowatch run --once --max-pages 1
    """
    from audiowatch import loop
    from audiowatch import tick as tick_module

    if once and skip_initial:
        raise click.UsageError("--once runs a single tick now; it cannot be combined with --skip-initial.")
    tick_options = tick_module.TickOptions(max_pages=max_pages, headless=headless)
    if once:
        tick_command.run_one(options.load(config_path), tick_options)
        return
    loop.run_loop(lambda: options.load(config_path), loop.LoopOptions(skip_initial, tick_options),
                  tick_command.report)
