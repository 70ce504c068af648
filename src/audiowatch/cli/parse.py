"""`audiowatch parse`: read saved Head-Fi pages (list pages, listing pages, anything) and print the listings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from audiowatch.cli import options

if TYPE_CHECKING:
    from audiowatch.fetch.base import Page
    from audiowatch.listing import Listing

HEAD_FI = "https://www.head-fi.org"


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.json_option
@click.option("--base-url", default=None,
              help="The site the pages came from; listing and image URLs are made absolute with it. "
                   f"Default: the site in the file's `audiowatch scrape` header, else {HEAD_FI}.")
@click.option("--category", default=None, help="The category slug list pages belong to, if known.")
def parse(files: tuple[Path, ...], as_json: bool, base_url: str | None, category: str | None) -> None:
    """Print the listings in saved pages (one JSON object per line with --json).

    A list page (index or category) gives its cards; a listing page gives its listing, with the
    category from its breadcrumbs and the status from its title. A block page (bot challenge, login
    wall, 403/429) or a page without cards is named on standard error.

    \b
    Example:
      audiowatch parse saved/full-size-page-1.html
      audiowatch parse pages/*.html --json > listings.jsonl
    """
    from audiowatch import saved_pages

    options.configure_logging()

    for path in files:
        page = saved_pages.read_page(path)
        root = (base_url or saved_pages.site_root(page.url) or HEAD_FI).rstrip("/")
        for listing in _listings_in(path, page, root, category):
            _print(listing, as_json)


def _listings_in(path: Path, page: Page, root: str, category: str | None) -> list[Listing]:
    """Return the listings of one saved page, telling standard error what the page was."""
    from audiowatch.fetch import blocks
    from audiowatch.parse import headfi, listing_page

    html = page.html
    block = blocks.classify(page)
    if block is not None:
        click.echo(f"{path}: a {block.kind.value.replace('_', ' ')} page ({block.evidence}), "
                   "not classifieds; nothing to parse", err=True)
        return []
    if listing_page.is_listing_page(html):
        found = listing_page.parse_listing_page(html, root)
        click.echo(f"{path}: a listing page ({found.status}, category {found.category or 'unknown'})", err=True)
        if found.listing is None:
            click.echo(f"{path}: it names no URL of its own (no canonical link), so it gives no listing id",
                       err=True)
        return [found.listing] if found.listing is not None else []
    result = headfi.parse_list_page(html, root, category)
    if result.cards == 0:
        click.echo(f"{path}: no listing cards ({headfi.CARD_SELECTOR}): not a classifieds list page, or the "
                   "site's layout changed", err=True)
    if result.skipped:
        click.echo(f"{path}: skipped {result.skipped} card(s) without an id or a title", err=True)
    click.echo(f"{path}: {len(result.listings)} listing(s)", err=True)
    return list(result.listings)


def _print(listing: Listing, as_json: bool) -> None:
    from audiowatch.notify import render

    if as_json:
        click.echo(json.dumps(listing.to_json(), ensure_ascii=False))
    else:
        click.echo(f"{listing.listing_id}  {render.format_price(listing):>18}  {listing.status:<6}  {listing.title}")
