"""`audiowatch demo`: see the whole job work against a simulated Head-Fi on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from audiowatch.cli import options


@click.group(invoke_without_command=True)
@click.option("--fetcher", type=click.Choice(["browser", "http", "auto"]), default="browser", show_default=True,
              help="Drive real Chromium, plain HTTP requests, or HTTP switching to Chromium when challenged.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the demo's config and database in this folder instead of a throwaway one.")
@click.pass_context
def demo(ctx: click.Context, fetcher: str, keep: Path | None) -> None:
    """Run two real ticks against a built-in simulated Head-Fi site, and print the matches.

    The first tick seeds silently; then the site gains a few listings and the second tick
    notifies those that match the starter rules. Nothing leaves this machine.

    \b
    Example:
      audiowatch demo
      audiowatch demo --keep ./demo-data
      audiowatch demo serve --port 8765
    """
    if ctx.invoked_subcommand is not None:
        return
    from audiowatch import demo as demo_module

    # The demo narrates its steps itself; per-page log lines would drown the matches.
    options.configure_logging(level="warning")

    def say(text: str) -> None:
        click.echo(text, err=True)

    import tempfile

    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        demo_module.run_demo(keep, fetcher=fetcher, say=say)
        return
    with tempfile.TemporaryDirectory(prefix="audiowatch-demo-") as folder:
        demo_module.run_demo(Path(folder), fetcher=fetcher, say=say)


@demo.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed for the sample listings.")
def serve(port: int, seed: int) -> None:
    """Serve the simulated Head-Fi classifieds on 127.0.0.1 until Ctrl-C.

    Point scraper.base_url at it to experiment without touching the real site.

    \b
    Example:
      audiowatch demo serve --port 8765
      audiowatch parse <(curl -s http://127.0.0.1:8765/classifieds/)
    """
    from audiowatch.simulator import server

    def ready(base_url: str) -> None:
        click.echo(f"Serving the simulated classifieds at {base_url}/classifieds/ (Ctrl-C stops)", err=True)

    server.serve_forever(port=port, seed=seed, on_ready=ready)
