"""The command line: the root group, global options, and the error boundary."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from audiowatch import __version__
from audiowatch.errors import AudioWatchError
from audiowatch.exitcodes import ExitCode


class AudioWatchGroup(click.Group):
    """A click group that turns errors into a message and an exit code (STYLE §7)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AudioWatchError as error:
            click.echo(str(error), err=True)
            ctx.exit(int(error.exit_code))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # the one boundary for unexpected errors (STYLE §7)
            if ctx.obj and ctx.obj.get("traceback"):
                raise
            where = _save_traceback()
            click.echo(f"unexpected error: {type(error).__name__}: {error}", err=True)
            click.echo(f"The full traceback is in {where}; please include it in a bug report.", err=True)
            ctx.exit(int(ExitCode.ERROR))


@click.group(cls=AudioWatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audiowatch")
@click.option("--log-format", type=click.Choice(["auto", "json", "console"]), default=None,
              help="Log lines as JSON or readable text; auto picks text on a terminal. "
                   "Overrides logging.format in the config.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default=None,
              help="Overrides logging.level in the config.")
@click.option("--traceback", "show_traceback", is_flag=True,
              help="Show the full traceback of an unexpected error.")
@click.pass_context
def cli(ctx: click.Context, log_format: str | None, log_level: str | None, show_traceback: bool) -> None:
    """AudioWatch watches the Head-Fi classifieds and tells you when a listing matches your rules.

    Exit codes: 0 done, 75 skipped (another tick runs, or backing off), 69 the site could not be
    scraped, 78 bad configuration, 1 unexpected error, 143 stopped by SIGTERM.

    \b
    Example:
      audiowatch init
      audiowatch tick --dry-run
      audiowatch demo
    """
    # Logging is set up by the command that runs (cli/options.py), after it read the config:
    # importing structlog here would slow down every `--help`.
    ctx.ensure_object(dict)
    ctx.obj.update(log_format=log_format, log_level=log_level, traceback=show_traceback)


def _save_traceback() -> Path:
    import tempfile
    import traceback

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    with tempfile.NamedTemporaryFile(
        "w", prefix=f"audiowatch-traceback-{stamp}-", suffix=".txt", delete=False
    ) as handle:
        handle.write(traceback.format_exc())
    return Path(handle.name)


def _register() -> None:
    # Written out, in the order `--help` lists them.
    from audiowatch.cli import demo, init, insight, notify, parse, prices, rules, run, schedule, scrape, tick

    cli.add_command(init.init)
    cli.add_command(tick.tick)
    cli.add_command(run.run)
    cli.add_command(scrape.scrape)
    cli.add_command(insight.status)
    cli.add_command(insight.listings)
    cli.add_command(prices.prices)
    cli.add_command(parse.parse)
    cli.add_command(rules.rules)
    cli.add_command(demo.demo)
    cli.add_command(notify.notify)
    cli.add_command(schedule.schedule)


_register()


def main() -> None:
    """Console-script entry point: the only place the process exits."""
    cli(prog_name="audiowatch")
