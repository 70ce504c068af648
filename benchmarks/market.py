"""What market context adds to a tick: one DuckDB query per match, beside the tick's other per-match work.

Run: .venv/bin/python benchmarks/market.py [STORED] [MATCHES]   (defaults 100000 40)

STORED listings (a year of them, in three currencies, one in eight Want To Buy) go into an on-disk
DuckDB file. Then, for MATCHES new listings, each with a rule of its own (templates below, as
users write them), three things are timed in the same process:

1. the market query (store/market.py) with the rule's comparable condition (rules/comparable.py);
2. the rest of what a tick does for that match in its one transaction: store the listing, detect
   the event, match the rule, render the message, queue it (rolled back, so every round is "new");
3. a baseline that computes the same context in Python: read the stored listings, keep the
   comparable asks with the compiled predicate, sort for the median (every answer is checked equal).
Listings and rules come from fixed seeds, so runs compare.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from audiowatch import events, market, match
from audiowatch.listing import Listing, ListingStatus
from audiowatch.market import MarketContext
from audiowatch.notify import render
from audiowatch.rules import comparable, conditions, nodes, sql
from audiowatch.rules import compile as rules_compile
from audiowatch.store import database, listings, outbox
from audiowatch.store import market as store_market

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
GLOBAL_FILTER = 'status = "active" AND listing_type != "Want To Buy"'
MODELS = ["HD800", "HD 800 S", "HD650", "HD6XX", "Utopia", "Stellia", "Clear MG", "Arya", "Susvara", "LCD-X",
          "Blessing 3", "Variations", "Bifrost 2", "D90SE", "Zen DAC", "RME ADI-2", "Hugo 2", "Mojo 2", "SP3000"]
BRANDS = ["Sennheiser", "Focal", "Hifiman", "Audeze", "Moondrop", "Schiit", "Topping", "iFi", "Chord", "Astell&Kern"]
EXTRAS = ["mint", "with box", "*reduced*", "barely used", "pads", "cable", "trade", "- price drop", "(2022)", "EU"]
CATEGORIES = ["full-size", "in-ear-monitors", "desktop", "portable", "dacs", "dac-amps", "daps"]
CONDITIONS = ["Excellent/Like new", "Very good", "Good", "New"]


def make_listing(chance: random.Random, listing_id: int, age: timedelta) -> Listing:
    return Listing(
        listing_id=listing_id, url=f"https://www.head-fi.org/classifieds/item.{listing_id}/",
        title=f"{chance.choice(BRANDS)} {chance.choice(MODELS)} {chance.choice(EXTRAS)}",
        listing_type=chance.choice(["For Sale"] * 6 + ["For Sale/Trade", "Want To Buy"]),
        price=None if chance.random() < 0.1 else float(chance.randrange(50, 4000)),
        currency=chance.choice(["USD"] * 3 + ["EUR", "GBP"]), condition=chance.choice(CONDITIONS),
        negotiability=chance.choice(["Firm", "Or best offer"]), seller=f"seller{chance.randrange(3000)}",
        seller_feedback=chance.randrange(0, 400), listed_at=(NOW - age).replace(microsecond=0).isoformat(),
        status=chance.choice([ListingStatus.ACTIVE] * 3 + [ListingStatus.SOLD]), category=chance.choice(CATEGORIES),
    )


def make_stored(count: int) -> list[Listing]:
    chance = random.Random(1)
    return [make_listing(chance, 100000 + number, timedelta(minutes=chance.randrange(60 * 24 * 365)))
            for number in range(count)]


def make_rules(count: int) -> list[str]:
    chance = random.Random(2)
    templates: list[Callable[[], str]] = [
        lambda: f'title has "{chance.choice(MODELS)}" AND price < {chance.randrange(500, 3000)}',
        lambda: f'"{chance.choice(BRANDS)}" AND "{chance.choice(MODELS)}" AND price between 100 and 2500',
        lambda: f'(title has "{chance.choice(MODELS)}" OR title has "{chance.choice(MODELS)}") '
                f"AND seller_feedback >= {chance.randrange(0, 50)}",
        lambda: f'title matches "(?i){chance.choice(["hd ?6[05]0", "lcd-?[x2-5]", "d90 ?se", "utopia|stellia"])}" '
                f'AND NOT title contains "{chance.choice(EXTRAS)}" AND age_hours < 48',
        lambda: f'title has "{chance.choice(MODELS)}" AND condition in ["Excellent/Like new", "New"] '
                f"AND price < {chance.randrange(500, 3000)}",
    ]
    return [chance.choice(templates)() for _ in range(count)]


def matching_pairs(count: int, first_id: int) -> list[tuple[match.CompiledRule, nodes.Node, Listing]]:
    """Each rule with a new listing it matches (drawn until one does), and its comparable condition."""
    chance = random.Random(3)
    pairs = []
    for index, text in enumerate(make_rules(count)):
        parts = conditions.assemble(f"rule{index}", text, global_filter=GLOBAL_FILTER)
        rule = match.CompiledRule(parts.name, rules_compile.compile_expression(parts.tree), None, text)
        found = comparable.comparable_for_rule(parts)
        assert found is not None, text
        listing = make_listing(chance, first_id + index, timedelta(0))
        while not rule.predicate(listing, NOW):
            listing = make_listing(chance, first_id + index, timedelta(0))
        pairs.append((rule, found, listing))
    return pairs


def python_context(connection: duckdb.DuckDBPyConnection, found: nodes.Node, listing: Listing) -> MarketContext | None:
    """The baseline: the same answer as store/market.py, computed over every stored listing in Python."""
    assert listing.price is not None and listing.currency is not None
    ids = [row[0] for row in connection.execute("SELECT listing_id FROM listings").fetchall()]
    predicate = rules_compile.compile_expression(found)
    since = NOW - timedelta(days=market.WINDOW_DAYS)
    prices = sorted(
        other.price for other in listings.load_listings(connection, ids).values()
        if other.listing_id != listing.listing_id and other.currency == listing.currency and other.price is not None
        and other.listed_at is not None and datetime.fromisoformat(other.listed_at) >= since
        and other.listing_type != market.WANT_TO_BUY and predicate(other, NOW)
    )
    if len(prices) < market.MINIMUM_ASKS:
        return None
    below = sum(price < listing.price for price in prices)
    return MarketContext(len(prices), below, statistics.median(prices), listing.currency)


def tick_work(connection: duckdb.DuckDBPyConnection, rule: match.CompiledRule, listing: Listing) -> None:
    """What a tick does for one new matching listing inside its transaction, market context aside."""
    with database.transaction(connection, commit=False):
        changes = listings.upsert_listings(connection, [listing], NOW, "bench")
        found = match.match_events(events.detect_events(changes, seeding=False), [rule], NOW)
        message = render.render_message(found[0])
        outbox.enqueue(connection, [outbox.Pending(message.event_key, message.event_kind, listing.listing_id,
                                                   "console", message.rules, message.to_json())], NOW)


def mean_ms(action: Callable[[], object], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - started) / rounds * 1000


def main() -> None:
    stored, count = (int(value) for value in [*sys.argv[1:], "100000", "40"][:2])
    with tempfile.TemporaryDirectory() as folder:
        connection = database.connect(Path(folder) / "bench.db")
        with database.transaction(connection):
            listings.upsert_listings(connection, make_stored(stored), NOW, "bench")
        pairs = matching_pairs(count, 100000 + stored)
        conditions_sql = [sql.translate(found) for _, found, _ in pairs]
        print(f"market context for {count} matches over {stored:,} stored listings in an on-disk DuckDB file "
              f"(duckdb {duckdb.__version__})")
        answers = [store_market.market_context(connection, listing, condition, NOW)
                   for (_, _, listing), condition in zip(pairs, conditions_sql, strict=True)]
        query_ms = mean_ms(lambda: [store_market.market_context(connection, listing, condition, NOW)
                                    for (_, _, listing), condition in zip(pairs, conditions_sql, strict=True)], 3)
        work_ms = mean_ms(lambda: [tick_work(connection, rule, listing) for rule, _, listing in pairs], 3)
        baseline_pairs = pairs[:5]  # a second or more each
        started = time.perf_counter()
        expected = [python_context(connection, found, listing) for _, found, listing in baseline_pairs]
        python_ms = (time.perf_counter() - started) * 1000
        connection.close()
    assert answers[: len(expected)] == expected, (answers[: len(expected)], expected)
    with_context = [answer for answer in answers if answer is not None]
    print(f"{len(with_context)} of {count} matches had at least {market.MINIMUM_ASKS} comparable asks "
          f"(median {statistics.median(answer.asks for answer in with_context):.0f} asks)")
    print(f"{'per match':<64}{'mean':>10}")
    print(f"{'market query in DuckDB (AudioWatch)':<64}{query_ms / count:>7.1f} ms")
    print(f"{'store, detect, match, render, queue: the rest of a tick in DuckDB':<64}{work_ms / count:>7.1f} ms")
    print(f"{'read all rows into Python + compiled predicate (baseline)':<64}"
          f"{python_ms / len(baseline_pairs):>7.0f} ms")


if __name__ == "__main__":
    main()
