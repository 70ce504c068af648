"""`audiowatch prices` on a large store: the figures and the charts, beside `rules test`'s backtest.

Run: .venv/bin/python benchmarks/prices.py [STORED]   (default 100000)

STORED listings (a fixed seed; posted over the last 180 days, 5% of them a Sennheiser HD800S) go into
an on-disk DuckDB file through the real upsert, with a second and a third sighting that cut the price
of 30% and mark 10% sold, so listing_history holds what months of ticks would leave. Then, for
`title has "HD800S"` over 180 days, the median of 5 runs of:
- the price history (store/prices.py reading listings and observations, prices/history.py summarizing),
- the baseline in the same run: `rules test`'s backtest of the same condition (store/search.py),
- drawing the terminal chart (plotext) and the HTML page with its SVG chart.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from audiowatch.listing import Listing, ListingStatus
from audiowatch.prices import history, page, terminal
from audiowatch.rules import grammar, sql
from audiowatch.store import database, listings, prices, search

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=180)
EXPRESSION = 'title has "HD800S"'
MODELS = ["Sennheiser HD800S"] + [f"Model {index}" for index in range(19)]
RUNS = 5


def make_listings(count: int, seed: int = 4) -> list[Listing]:
    chance = random.Random(seed)
    made = []
    for number in range(count):
        listing_id = 100000 + number
        listed = NOW - timedelta(minutes=chance.randrange(60 * 24 * 180))
        made.append(Listing(
            listing_id=listing_id, url=f"https://www.head-fi.org/classifieds/item.{listing_id}/",
            title=f"{chance.choice(MODELS)} {chance.choice(['mint', 'boxed', '*reduced*', ''])}".strip(),
            listing_type=chance.choice(["For Sale"] * 8 + ["For Sale/Trade", "Want To Buy"]),
            price=float(chance.randrange(600, 1500)), currency=chance.choice(["USD"] * 8 + ["EUR", "GBP"]),
            seller=f"seller{chance.randrange(3000)}", listed_at=listed.replace(microsecond=0).isoformat(),
        ))
    return made


def fill(connection: duckdb.DuckDBPyConnection, count: int) -> None:
    chance = random.Random(5)
    first = make_listings(count)
    cut = [dataclasses.replace(listing, price=(listing.price or 0) - 50) if chance.random() < 0.3 else listing
           for listing in first]
    sold = [dataclasses.replace(listing, status=ListingStatus.SOLD) if chance.random() < 0.1 else listing
            for listing in cut]
    for run, (batch, seen) in enumerate(((first, NOW - timedelta(days=181)), (cut, NOW - timedelta(days=20)),
                                         (sold, NOW - timedelta(days=2)))):
        with database.transaction(connection):
            listings.upsert_listings(connection, batch, seen, f"bench-{run}")


def median_seconds(work: Callable[[], object]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    stored = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    condition = sql.translate(grammar.parse_expression(EXPRESSION))
    with tempfile.TemporaryDirectory() as folder:
        connection = database.connect(Path(folder) / "bench.db")
        fill(connection, stored)
        rows = connection.execute("SELECT count(*) FROM listing_history").fetchone()

        def figures() -> history.PriceHistory:
            return history.summarize(*prices.load_price_history(connection, condition, SINCE, NOW), SINCE, NOW)

        result = figures()
        charted = result.charted
        assert charted is not None
        timings = [
            ("price history: read + summarize (prices)", median_seconds(figures)),
            ("baseline: weekly backtest (rules test)",
             median_seconds(lambda: search.backtest(connection, condition, SINCE, NOW))),
            ("terminal chart, 80 columns (plotext)",
             median_seconds(lambda: terminal.render(charted, NOW, 80, "Asks", color=False))),
            ("HTML page with its SVG chart", median_seconds(lambda: page.render_page(result, EXPRESSION))),
        ]
        connection.close()
    print(f"{stored:,} stored listings, {rows[0] if rows else 0:,} history rows (duckdb {duckdb.__version__}); "
          f"{EXPRESSION} matched {result.matched:,}: {len(charted.asks):,} asks and "
          f"{len(charted.observations):,} observations in {charted.currency}")
    print(f"{'step, median of ' + str(RUNS) + ' runs':<48}{'time':>10}")
    for name, seconds in timings:
        print(f"{name:<48}{seconds * 1000:>7.0f} ms")


if __name__ == "__main__":
    main()
