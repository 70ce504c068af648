"""`audiowatch tick`: one pass of scrape, store, match and notify."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from audiowatch.cli import options

if TYPE_CHECKING:
    from audiowatch.config.model import Config
    from audiowatch.tick import TickOptions, TickResult


@click.command()
@options.config_option
@options.max_pages_option
@options.headless_option
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
    from audiowatch import tick as tick_module

    config = options.load(config_path)
    run_one(config, tick_module.TickOptions(max_pages=max_pages, headless=headless, dry_run=dry_run,
                                            ignore_backoff=ignore_backoff))


def run_one(config: Config, tick_options: TickOptions) -> None:
    """Run one tick and print its outcome: `tick`, and `run --once`."""
    import dataclasses
    import sys

    import structlog

    from audiowatch import tick as tick_module
    from audiowatch.cli import progress
    from audiowatch.errors import LockHeld

    line = progress.for_terminal(sys.stderr)
    if line is not None:
        # On a terminal a progress line replaces the per-page log lines (unless --log-level asked for them).
        options.configure_logging("warning", config.logging.format)
        tick_options = dataclasses.replace(tick_options, on_page=line)
    try:
        result = tick_module.run_tick(config, tick_options)
    except LockHeld as error:
        structlog.get_logger(__name__).warning("tick_skipped", reason="lock_held", lock=str(error.lock_path))
        raise
    finally:
        if line is not None:
            line.finish()
    if line is not None:
        counts = result.counts
        click.echo(f"Done: {counts.pages} page(s), {counts.new_listings} new and {counts.changed_listings} "
                   f"changed listing(s), {counts.matches} match(es), {counts.notifications} sent.", err=True)
    report(result, dry_run=tick_options.dry_run)


def report(result: TickResult, *, dry_run: bool = False) -> None:
    """Print what a tick did that a person should see (the notifications printed themselves)."""
    from audiowatch.notify import render

    if result.seeding:
        click.echo(f"First run: stored {result.counts.listings_seen} listings without notifying; "
                   "from now on new matches are notified.", err=True)
    delivery = result.delivery
    if delivery.deferred or delivery.failed or delivery.held or delivery.expired:
        click.echo(f"Notifications: {delivery.sent} sent, {delivery.deferred} waiting to be retried, "
                   f"{delivery.held} held for the quiet hours, {delivery.failed + delivery.expired} failed "
                   "(the outbox table has each one's last error).", err=True)
    if dry_run:
        click.echo(f"Dry run: {len(result.would_send)} notification(s) would be sent; nothing was "
                   "sent and the database was left unchanged.")
        for channel, message in result.would_send:
            click.echo(f"\n[would send to {channel}]\n{render.format_text(message)}")
