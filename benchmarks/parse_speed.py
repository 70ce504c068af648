"""Parse speed: AudioWatch's list-page parser (selectolax/lexbor) beside BeautifulSoup with html.parser.

Both read the same pages, rendered by the simulator (every list page of the seeded site: index and
the ten leaf categories). The baseline extracts six fields per card (id, title, type, price, seller,
listing date) the way the scrapers in reference/headfi-markup.md do; AudioWatch extracts all sixteen of
SPEC §2, so the comparison favours the baseline. The script checks the six agree before timing.

Run: .venv/bin/python -m pip install -e '.[benchmark]'; .venv/bin/python benchmarks/parse_speed.py [ROUNDS]
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from audiowatch import sources
from audiowatch.parse import headfi
from audiowatch.simulator import pages
from audiowatch.simulator.catalog import Catalog

BASE = "https://www.head-fi.org"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PER_PAGE = 20
_ID = re.compile(r"\.(\d{1,18})/?$")
_AMOUNT = re.compile(r"\d+(?:[.,]\d+)*")

Summary = list[tuple[int, str, str | None, float | None, str | None, str | None]]


def site_pages() -> list[str]:
    """Return every list page of the seeded simulator: the index and each leaf category."""
    catalog = Catalog.seeded(NOW)
    rendered = []
    for source in (None, *sources.LEAF_SLUGS):
        listings = catalog.listings_in(source)
        base_path = pages.CLASSIFIEDS_PATH if source is None else sources.CATEGORIES_BY_SLUG[source].path
        total = max(1, math.ceil(len(listings) / PER_PAGE))
        for number in range(1, total + 1):
            chunk = listings[(number - 1) * PER_PAGE: number * PER_PAGE]
            rendered.append(pages.render_list_page(chunk, page=number, total_pages=total, base_path=base_path,
                                                   title="Classifieds", now=NOW))
    return rendered


def with_audiowatch(html: str) -> Summary:
    return [(listing.listing_id, listing.title, listing.listing_type, listing.price, listing.seller,
             listing.listed_at) for listing in headfi.parse_list_page(html, BASE).listings]


def with_beautifulsoup(html: str) -> Summary:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found: Summary = []
    for card in soup.select("a.hfcUserListing"):
        match = _ID.search(str(card.get("href") or ""))
        title_node = card.select_one(".hfcListingTitle")
        title = " ".join(title_node.get_text().split()) if title_node else ""
        if match is None or not title:
            continue
        label = card.select_one(".hfcPrice span.label")
        price_node = card.select_one(".hfcPrice")
        listing_type = " ".join(label.get_text().split()) if label else None
        price = None
        if price_node is not None:
            text = " ".join(price_node.get_text().split()).replace(listing_type or "", " ", 1)
            amount = _AMOUNT.search(text)
            price = float(amount.group().replace(",", "")) if amount else None
        name = card.select_one(".hfcCreatorInfo .hfcUsername")
        seller = " ".join(name.get_text().split()) if name else None
        moment = card.select_one(".hfcListingDate time")
        listed_at = None
        if moment is not None and moment.get("datetime"):
            listed_at = datetime.fromisoformat(str(moment["datetime"])).astimezone(UTC).isoformat(timespec="seconds")
        found.append((int(match.group(1)), title, listing_type, price, seller, listed_at))
    return found


def timed(parse: Callable[[str], Summary], texts: list[str], rounds: int) -> float:
    """Return the best seconds per round over ``rounds`` rounds of parsing every page."""
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            parse(text)
        best = min(best, time.perf_counter() - started)
    return best


def main(rounds: int) -> None:
    try:
        import bs4
    except ImportError:
        sys.exit("BeautifulSoup is the baseline: .venv/bin/python -m pip install -e '.[benchmark]'")
    texts = site_pages()
    if [with_audiowatch(text) for text in texts] != [with_beautifulsoup(text) for text in texts]:
        sys.exit("the two parsers disagree on the pages; fix that before timing them")
    cards = sum(text.count('class="hfcUserListing"') for text in texts)
    kilobytes = sum(len(text.encode()) for text in texts) / 1024
    ours, theirs = timed(with_audiowatch, texts, rounds), timed(with_beautifulsoup, texts, rounds)
    print(f"parse {len(texts)} simulator list pages ({cards} cards, {kilobytes:.0f} KiB), best of {rounds} rounds")
    print(f"{'parser':<44}{'per page':>10}{'pages/s':>10}")
    print(f"{'AudioWatch (selectolax/lexbor)':<44}{ours / len(texts) * 1000:>8.2f} ms{len(texts) / ours:>10.0f}")
    print(f"{'BeautifulSoup ' + bs4.__version__ + ' + html.parser (baseline)':<44}"
          f"{theirs / len(texts) * 1000:>8.2f} ms{len(texts) / theirs:>10.0f}")
    print(f"AudioWatch is {theirs / ours:.0f}x faster on the same pages (all 16 fields against the baseline's 6)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
