"""Requests per tick: incremental paging beside the naive approach of reading `scheduled_max_pages` of
every category, on the same simulated site, in the same run.

AudioWatch runs real ticks (http fetcher, the ten default categories) against the simulator; the naive
scraper fetches pages 1-2 of each category with the same fetcher, and both are counted at the server.
Each scenario changes the site, then both read it.

Run: .venv/bin/python benchmarks/requests_per_tick.py
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml

from audiowatch import log, sources
from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.fetch.http import HttpFetcher
from audiowatch.parse import headfi
from audiowatch.simulator.catalog import Catalog
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import run_tick

TICKS_PER_DAY = 24 * 60 // 5  # the default poll interval


def write_config(folder: Path, base_url: str) -> Config:
    path = folder / "config.yaml"
    scraper = {"base_url": base_url, "fetcher": "http", "rate_limit_delay_seconds": 0}
    path.write_text(yaml.safe_dump({"scraper": scraper, "database": {"path": "data/bench.db"}}), encoding="utf-8")
    return load_config(path)


def naive_scrape(config: Config) -> set[int]:
    """Read pages 1..scheduled_max_pages of every category, whatever they hold; return the ids seen."""
    settings = config.scraper
    seen: set[int] = set()
    with HttpFetcher(settings) as fetcher:
        for source in settings.sources:
            url: str | None = sources.source_url(settings.base_url, source)
            for _ in range(settings.scheduled_max_pages):
                if url is None:
                    break
                result = headfi.parse_list_page(fetcher.get(url).html, settings.base_url)
                seen.update(listing.listing_id for listing in result.listings)
                url = result.next_url
    return seen


def scenarios(site: SimulatedSite) -> list[tuple[str, Callable[[], list[int]]]]:
    """Return (name, change): each change edits the site and returns the ids it added or changed."""
    now = datetime.now(UTC)

    def price_drop() -> list[int]:
        newest = site.catalog.listings_in("dacs")[0]
        site.catalog.change_price(newest.listing_id, (newest.price or 100.0) - 20, now)
        return [newest.listing_id]

    return [
        ("quiet: nothing new", lambda: []),
        ("1 new listing", lambda: [site.catalog.add_listing(now, "Sennheiser HD 650", "full-size", price=250.0)
                                   .listing_id]),
        ("6 new in 4 categories", lambda: [listing.listing_id for listing in site.catalog.add_sample_arrivals(now)]),
        ("1 price drop on a first page", price_drop),
        ("burst: 45 new in one category", lambda: [
            listing.listing_id for listing in site.catalog.add_burst(now, 45, category="full-size")]),
    ]


def main() -> None:
    log.configure(level="warning")  # the table is the output; per-page log lines would drown it
    with tempfile.TemporaryDirectory() as folder, SimulatedSite(Catalog.seeded(datetime.now(UTC))) as site:
        config = write_config(Path(folder), site.base_url)
        with contextlib.redirect_stdout(io.StringIO()):
            run_tick(config)  # the first run seeds; not counted
        print(f"requests per scheduled tick, {len(config.scraper.sources)} categories, "
              f"scheduled_max_pages {config.scraper.scheduled_max_pages}, simulator on loopback")
        print(f"{'scenario':<32}{'AudioWatch':>11}{'naive':>7}   listings added or changed, caught "
              "(AudioWatch / naive)")
        requests: list[tuple[int, int]] = []
        for name, change in scenarios(site):
            touched = change()
            site.reset_requests()
            naive_seen = naive_scrape(config)
            naive_requests = len(site.page_requests())
            site.reset_requests()
            with contextlib.redirect_stdout(io.StringIO()):
                result = run_tick(config)
            requests.append((len(site.page_requests()), naive_requests))
            caught = result.counts.new_listings + result.counts.changed_listings
            print(f"{name:<32}{requests[-1][0]:>11}{naive_requests:>7}   "
                  f"{caught} / {len(naive_seen & set(touched))} of {len(touched)}")
        quiet_ours, quiet_naive = requests[0]
        print(f"a quiet day at one tick per 5 minutes: {quiet_ours * TICKS_PER_DAY} requests (AudioWatch) "
              f"against {quiet_naive * TICKS_PER_DAY} (naive)")


if __name__ == "__main__":
    main()
