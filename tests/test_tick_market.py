"""Market context end to end: ticks against the simulated site put it in console notifications, or leave it out."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickOptions, run_tick

# A model the seeded catalog does not hold, so the test decides every comparable ask.
RULE = {"name": "zorblax", "expression": 'title has "Zorblax Z1" AND price < 1000'}
MARKET_LINE = "  Market:     17th percentile of 6 asks in the last 180 days, median $1,150.00 USD"


@pytest.fixture
def config(site: SimulatedSite, make_config: Callable[..., Path]) -> Config:
    return load_config(make_config(site.base_url, rules=[RULE]))


def tick(config: Config) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        run_tick(config, TickOptions())
    return out.getvalue()


def add_comparables(site: SimulatedSite, now: datetime, prices: list[float]) -> None:
    """Asks the rule does not notify (too dear, or sold) but that make the market: the first one is sold."""
    for index, price in enumerate(prices):
        added = site.catalog.add_listing(now, f"Zorblax Z1 headphones #{index}", "full-size", price=price)
        if index == 0:
            site.catalog.mark_ended(added.listing_id, "sold", now)


def test_new_match_shows_market_context_among_enough_stored_asks(
    config: Config, site: SimulatedSite, now: datetime
) -> None:
    tick(config)
    add_comparables(site, now, [800.0, 1000.0, 1100.0, 1200.0, 1300.0, 1400.0])
    assert tick(config) == ""
    site.catalog.add_listing(now + timedelta(minutes=5), "Zorblax Z1 - mint", "full-size", price=950.0)
    printed = tick(config)
    assert printed.splitlines()[:2] == ["New: Zorblax Z1 - mint — $950.00 USD", MARKET_LINE]


def test_new_match_leaves_out_market_context_with_too_few_stored_asks(
    config: Config, site: SimulatedSite, now: datetime
) -> None:
    tick(config)
    add_comparables(site, now, [800.0, 1000.0, 1100.0, 1200.0])
    tick(config)
    site.catalog.add_listing(now + timedelta(minutes=5), "Zorblax Z1 - mint", "full-size", price=950.0)
    printed = tick(config)
    assert printed.startswith("New: Zorblax Z1 - mint")
    assert "Market:" not in printed


def test_price_drop_shows_market_context_for_the_new_price(config: Config, site: SimulatedSite, now: datetime) -> None:
    tick(config)
    add_comparables(site, now, [800.0, 1000.0, 1100.0, 1200.0, 1300.0, 1400.0])
    listing = site.catalog.add_listing(now, "Zorblax Z1 - mint", "full-size", price=990.0)
    tick(config)
    site.catalog.change_price(listing.listing_id, 950.0, now + timedelta(minutes=5))
    printed = tick(config)
    assert printed.splitlines()[:2] == ["Price drop: Zorblax Z1 - mint — $990.00 USD → $950.00 USD", MARKET_LINE]


def test_sale_notification_has_no_market_context(config: Config, site: SimulatedSite, now: datetime) -> None:
    tick(config)
    add_comparables(site, now, [800.0, 1000.0, 1100.0, 1200.0, 1300.0, 1400.0])
    listing = site.catalog.add_listing(now, "Zorblax Z1 - mint", "full-size", price=950.0)
    tick(config)
    site.catalog.mark_ended(listing.listing_id, "sold", now + timedelta(minutes=5))
    printed = tick(config)
    assert printed.startswith("Sold: Zorblax Z1 - mint")
    assert "Market:" not in printed
