"""`audiowatch tick`: one pass of scrape, store, match and notify."""

from __future__ import annotations

from pathlib import Path

import click

from audiowatch.cli import options


@click.command()
@options.config_option
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Page at most N pages per source this time (overrides the config).")
@click.option("--headless/--no-headless", default=None,
              help="Show the browser window while it works (--no-headless), for debugging.")
@click.option("--dry-run", is_flag=True,
              help="Scrape, store and match, print what would be sent, send nothing; the "
                   "database changes are rolled back so a real tick still notifies them.")
@options.ignore_backoff_option
def tick(config_path: Path, max_pages: int | None, headless: bool | None, dry_run: bool,
         ignore_backoff: bool) -> None:
    """Run one pass: scrape the classifieds, store listings, notify new matches.

    The first run stores what is listed now without notifying; later runs notify what is new.
    Meant to be run by a systemd timer, cron or launchd; exits 75 at once when another tick
    still holds the lock, or while backing off after the site blocked us (the message says until
    when), and 69 when the site cannot be scraped or its page layout changed.

    \b
    Example:
      audiowatch tick
      audiowatch tick --dry-run --max-pages 1
      audiowatch tick --no-headless --log-level debug
    """
    import structlog

    from audiowatch import tick as tick_module
    from audiowatch.errors import LockHeld
    from audiowatch.notify import render

    config = options.load(config_path)
    try:
        result = tick_module.run_tick(
            config, tick_module.TickOptions(max_pages=max_pages, headless=headless, dry_run=dry_run,
                                            ignore_backoff=ignore_backoff)
        )
    except LockHeld as error:
        structlog.get_logger(__name__).warning("tick_skipped", reason="lock_held", lock=str(error.lock_path))
        raise
    if result.seeding:
        click.echo(f"First run: stored {result.counts.listings_seen} listings without notifying; "
                   "from now on new matches are notified.", err=True)
    if dry_run:
        click.echo(f"Dry run: {len(result.would_send)} notification(s) would be sent; nothing was "
                   "sent and the database was left unchanged.")
        for channel, message in result.would_send:
            click.echo(f"\n[would send to {channel}]\n{render.format_text(message)}")
