"""Rule matching throughput: compiled predicates beside a naive tree walk, and the SQL backtest.

Run: .venv/bin/python benchmarks/rules.py [RULES] [LISTINGS] [STORED]   (defaults 200 20000 100000)

1. RULES rules (each ANDed with the default global filter, as a tick does) against LISTINGS listings,
   every pair evaluated: once with the predicates rules/compile.py builds, once with a naive
   evaluator, written below, that walks the parsed tree for every listing (dispatching on node and
   operator and folding constants each time; its regexes are cached, as Python's re module would).
2. `rules test`'s backtest (store/search.py: the rule as a DuckDB condition, listings as first
   stored, week by week) over STORED listings in an on-disk DuckDB file, beside the baseline of
   reading every listing into Python and running the compiled predicate.
Listings and rules are generated from a fixed seed, so runs compare.
"""

from __future__ import annotations

import functools
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from audiowatch.listing import Listing, ListingStatus
from audiowatch.rules import compile as rules_compile
from audiowatch.rules import conditions, nodes, sql
from audiowatch.rules import text as rules_text
from audiowatch.store import database, listings, search

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
GLOBAL_FILTER = 'status = "active" AND listing_type != "Want To Buy"'
MODELS = ["HD800", "HD 800 S", "HD650", "HD6XX", "Utopia", "Stellia", "Clear MG", "Arya", "Susvara", "LCD-X",
          "Blessing 3", "Variations", "Bifrost 2", "D90SE", "Zen DAC", "RME ADI-2", "Hugo 2", "Mojo 2", "SP3000"]
BRANDS = ["Sennheiser", "Focal", "Hifiman", "Audeze", "Moondrop", "Schiit", "Topping", "iFi", "Chord", "Astell&Kern"]
EXTRAS = ["mint", "with box", "*reduced*", "barely used", "pads", "cable", "trade", "- price drop", "(2022)", "EU"]
CATEGORIES = ["full-size", "in-ear-monitors", "desktop", "portable", "dacs", "dac-amps", "daps"]
COUNTRIES = ["United States", "Worldwide", "Europe", "United Kingdom", "Canada", None]


def make_listings(count: int, seed: int = 1) -> list[Listing]:
    chance = random.Random(seed)
    made = []
    for number in range(count):
        listing_id = 100000 + number
        title = f"{chance.choice(BRANDS)} {chance.choice(MODELS)} {chance.choice(EXTRAS)}"
        listed = NOW - timedelta(minutes=chance.randrange(60 * 24 * 120))
        made.append(Listing(
            listing_id=listing_id, url=f"https://www.head-fi.org/classifieds/item.{listing_id}/", title=title,
            listing_type=chance.choice(["For Sale"] * 6 + ["For Sale/Trade", "Want To Buy"]),
            price=None if chance.random() < 0.1 else float(chance.randrange(50, 4000)),
            currency=chance.choice(["USD", "EUR", "GBP"]), condition="Excellent/Like new",
            negotiability=chance.choice(["Firm", "Or best offer"]), ships_to=chance.choice(COUNTRIES),
            seller=f"seller{chance.randrange(3000)}", seller_feedback=chance.randrange(0, 400),
            listed_at=listed.replace(microsecond=0).isoformat(),
            status=chance.choice([ListingStatus.ACTIVE] * 4 + [ListingStatus.SOLD]),
            category=chance.choice(CATEGORIES),
        ))
    return made


def make_rules(count: int, seed: int = 2) -> list[str]:
    chance = random.Random(seed)
    templates = [
        lambda: f'title has "{chance.choice(MODELS)}" AND price < {chance.randrange(200, 3000)}',
        lambda: f'"{chance.choice(BRANDS)}" AND price between {chance.randrange(50, 500)} '
                f"and {chance.randrange(600, 3000)}",
        lambda: f'(title has "{chance.choice(MODELS)}" OR title has "{chance.choice(MODELS)}") '
                f'AND ships_to contains "United States"',
        lambda: f'title matches "(?i){chance.choice(["hd ?6[05]0", "lcd-?[x2-5]", "d90 ?se", "utopia|stellia"])}" '
                f'AND seller_feedback >= {chance.randrange(0, 50)}',
        lambda: f'category in ["{chance.choice(CATEGORIES)}", "{chance.choice(CATEGORIES)}"] AND NOT title contains '
                f'"{chance.choice(EXTRAS)}" AND age_hours < {chance.randrange(24, 2000)}',
        lambda: f'title startswith "{chance.choice(BRANDS)}" AND listing_type in ["For Sale", "For Sale/Trade"]',
    ]
    return [chance.choice(templates)() for _ in range(count)]


# --- the baseline: evaluate the parsed tree directly, every time ------------------------------------


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> Any:
    return rules_text.compile_regex(pattern)


def naive_evaluate(node: nodes.Node, listing: Listing, now: datetime) -> bool:
    if isinstance(node, nodes.And):
        return all(naive_evaluate(operand, listing, now) for operand in node.operands)
    if isinstance(node, nodes.Or):
        return any(naive_evaluate(operand, listing, now) for operand in node.operands)
    if isinstance(node, nodes.Not):
        return not naive_evaluate(node.operand, listing, now)
    value = rules_compile.read_age_hours(listing, now) if node.field == "age_hours" else getattr(listing, node.field)
    if value is None:
        return node.operator is nodes.Operator.NOT_EQUALS
    if nodes.FIELDS[node.field] is nodes.FieldKind.NUMBER:
        return _naive_number(node.operator, float(value), node.value)
    return _naive_text(node.operator, str(value), node.value)


_FOLD = rules_text.fold
_NAIVE_NUMBER: dict[nodes.Operator, Callable[[float, Any], bool]] = {
    nodes.Operator.EQUALS: lambda value, constant: value == constant,
    nodes.Operator.NOT_EQUALS: lambda value, constant: value != constant,
    nodes.Operator.LESS: lambda value, constant: value < constant,
    nodes.Operator.LESS_EQUAL: lambda value, constant: value <= constant,
    nodes.Operator.GREATER: lambda value, constant: value > constant,
    nodes.Operator.GREATER_EQUAL: lambda value, constant: value >= constant,
    nodes.Operator.IN: lambda value, constant: value in constant,
    nodes.Operator.BETWEEN: lambda value, constant: bool(constant[0] <= value <= constant[1]),
}
_NAIVE_TEXT: dict[nodes.Operator, Callable[[str, Any], bool]] = {
    nodes.Operator.CONTAINS: lambda value, constant: _FOLD(constant) in _FOLD(value),
    nodes.Operator.HAS: lambda value, constant: _regex(rules_text.has_pattern(constant)).search(_FOLD(value))
    is not None,
    nodes.Operator.STARTS_WITH: lambda value, constant: _FOLD(value).startswith(_FOLD(constant)),
    nodes.Operator.ENDS_WITH: lambda value, constant: _FOLD(value).endswith(_FOLD(constant)),
    nodes.Operator.MATCHES: lambda value, constant: _regex(rules_text.matches_pattern(constant)).search(value)
    is not None,
    nodes.Operator.EQUALS: lambda value, constant: _FOLD(value) == _FOLD(constant),
    nodes.Operator.NOT_EQUALS: lambda value, constant: _FOLD(value) != _FOLD(constant),
    nodes.Operator.IN: lambda value, constant: _FOLD(value) in {_FOLD(item) for item in constant},
}


def _naive_number(operator: nodes.Operator, value: float, constant: Any) -> bool:
    return _NAIVE_NUMBER[operator](value, constant)


def _naive_text(operator: nodes.Operator, value: str, constant: Any) -> bool:
    return _NAIVE_TEXT[operator](value, constant)


# --- the runs ---------------------------------------------------------------------------------------


def time_matching(trees: list[nodes.Node], batch: list[Listing]) -> None:
    started = time.perf_counter()
    predicates = [rules_compile.compile_expression(tree) for tree in trees]
    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    compiled = sum(predicate(listing, NOW) for predicate in predicates for listing in batch)
    compiled_seconds = time.perf_counter() - started
    started = time.perf_counter()
    naive = sum(naive_evaluate(tree, listing, NOW) for tree in trees for listing in batch)
    naive_seconds = time.perf_counter() - started
    assert compiled == naive, (compiled, naive)
    pairs = len(trees) * len(batch)
    print(f"{len(trees)} rules x {len(batch)} listings = {pairs:,} evaluations, {compiled:,} matches")
    print(f"{'method':<40}{'total':>10}{'per listing, all rules':>26}{'evaluations/s':>16}")
    for name, seconds in (("compiled predicates (AudioWatch)", compiled_seconds),
                          ("naive tree walk (baseline)", naive_seconds)):
        print(f"{name:<40}{seconds:>8.2f} s{seconds / len(batch) * 1e6:>23.0f} µs{pairs / seconds:>16,.0f}")
    print(f"(compiling the {len(trees)} rules took {compile_seconds * 1000:.0f} ms)")


def time_backtest(trees: list[nodes.Node], stored: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        connection = database.connect(Path(folder) / "bench.db")
        batch = make_listings(stored, seed=3)
        with database.transaction(connection):
            listings.upsert_listings(connection, batch, NOW, "bench")
        since = NOW - timedelta(days=365)
        print(f"\nbacktest of one rule over {stored:,} stored listings in an on-disk DuckDB file "
              f"(duckdb {duckdb.__version__}), mean of {len(trees)} rules")
        started = time.perf_counter()
        matched_sql = [search.backtest(connection, sql.translate(tree), since, NOW).matched for tree in trees]
        sql_seconds = (time.perf_counter() - started) / len(trees)
        started = time.perf_counter()
        matched_python = [_python_scan(connection, tree) for tree in trees]
        python_seconds = (time.perf_counter() - started) / len(trees)
        connection.close()
    assert matched_sql == matched_python, (matched_sql, matched_python)
    print(f"{'method':<52}{'per rule':>12}")
    print(f"{'SQL condition in DuckDB, weekly counts + sample':<52}{sql_seconds * 1000:>9.0f} ms")
    print(f"{'read all rows into Python + compiled predicate':<52}{python_seconds * 1000:>9.0f} ms")


def _python_scan(connection: duckdb.DuckDBPyConnection, tree: nodes.Node) -> int:
    ids = [row[0] for row in connection.execute("SELECT listing_id FROM listings").fetchall()]
    predicate = rules_compile.compile_expression(tree)
    # Stored once, so a listing as first stored is the listing now; judged when it was stored (NOW).
    return sum(predicate(listing, NOW) for listing in listings.load_listings(connection, ids).values())


def main() -> None:
    rule_count, listing_count, stored = (int(value) for value in [*sys.argv[1:], "200", "20000", "100000"][:3])
    trees = [conditions.assemble(f"r{index}", text, global_filter=GLOBAL_FILTER).tree
             for index, text in enumerate(make_rules(rule_count))]
    time_matching(trees, make_listings(listing_count))
    time_backtest(trees[:10], stored)


if __name__ == "__main__":
    main()
