"""`audiowatch parse`: read saved Head-Fi pages and print the listings found."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audiowatch.cli import options


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.json_option
@click.option("--base-url", default="https://www.head-fi.org", show_default=True,
              help="The site the pages came from; listing and image URLs are made absolute with it.")
@click.option("--category", default=None, help="The category slug the pages belong to, if known.")
def parse(files: tuple[Path, ...], as_json: bool, base_url: str, category: str | None) -> None:
    """Print the listings in saved classifieds pages (one JSON object per line with --json).

    \b
    Example:
      audiowatch parse saved/full-size-page-1.html
      audiowatch parse pages/*.html --json > listings.jsonl
    """
    from audiowatch.notify import render
    from audiowatch.parse import headfi

    options.configure_logging()

    for path in files:
        result = headfi.parse_list_page(path.read_text(encoding="utf-8", errors="replace"),
                                        base_url.rstrip("/"), category)
        if result.skipped:
            click.echo(f"{path}: skipped {result.skipped} card(s) without an id or a title", err=True)
        for listing in result.listings:
            if as_json:
                click.echo(json.dumps(listing.to_json(), ensure_ascii=False))
            else:
                click.echo(f"{listing.listing_id}  {render.format_price(listing):>18}  "
                           f"{listing.status:<6}  {listing.title}")
        if not as_json:
            click.echo(f"{path}: {len(result.listings)} listing(s)", err=True)
