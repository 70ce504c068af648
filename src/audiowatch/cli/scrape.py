"""`audiowatch scrape --save-html DIR`: save the configured sources' pages as the site serves them."""

from __future__ import annotations

from pathlib import Path

import click

from audiowatch.cli import options


@click.command()
@options.config_option
@click.option("--save-html", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to save the pages in (created if missing); nothing is stored in the database.")
@click.option("--source", "chosen", multiple=True, metavar="NAME",
              help="A source to capture (repeatable); default: the configured sources.")
@click.option("--url", "urls", multiple=True, metavar="URL",
              help="A further page to capture, e.g. a listing page: a full URL or a path on the site (repeatable).")
@click.option("--max-pages", type=click.IntRange(1, 50), default=1, show_default=True,
              help="Pages per source, following the site's Next links.")
@options.ignore_backoff_option
def scrape(config_path: Path, folder: Path, chosen: tuple[str, ...], urls: tuple[str, ...], max_pages: int,
           ignore_backoff: bool) -> None:
    """Fetch pages with the configured fetcher and save them unchanged, for fixtures or a bug report.

    Each file starts with a comment naming its URL and HTTP status, which `audiowatch parse` reads.
    A block page (challenge, 403, 429) is saved too, and sets a back-off like a tick would.

    \b
    Example:
      audiowatch scrape --save-html pages/
      audiowatch scrape --save-html pages/ --source full-size --max-pages 3
      audiowatch scrape --save-html pages/ --url /classifieds/123456
    """
    from audiowatch import capture, sources
    from audiowatch.errors import ConfigError

    config = options.load(config_path)
    unknown = [name for name in chosen if name not in sources.SOURCE_NAMES]
    if unknown:
        raise ConfigError(f"--source {', '.join(unknown)}: unknown; choose from {', '.join(sources.SOURCE_NAMES)}")
    request = capture.CaptureRequest(folder, capture.default_sources(config, chosen, urls), urls, max_pages,
                                     ignore_backoff)

    def report(page: capture.CapturedPage) -> None:
        what = f"{page.cards} cards" if page.kind == "list page" else page.kind
        click.echo(f"{page.path}  HTTP {page.status}  {what}  {page.url}")

    capture.capture_pages(config, request, report)
