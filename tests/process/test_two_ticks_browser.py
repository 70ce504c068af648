"""End to end with real Chromium: ticks in subprocesses against the simulated site."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from audiowatch.simulator.server import SimulatedSite
from tests.support.processes import run_tick

pytestmark = [pytest.mark.slow, pytest.mark.browser]

RULES = [
    {"name": "hd800", "expression": '("HD800" OR "HD 800") AND price < 1000'},
    {"name": "utopia", "expression": '"Utopia"'},
]


def test_seed_then_notify_arrivals_then_stay_quiet(
    site: SimulatedSite, make_config: Callable[..., Path], now: datetime
) -> None:
    config = make_config(site.base_url, rules=RULES,
                         scraper={"fetcher": "browser", "initial_max_pages": 2, "scheduled_max_pages": 1})

    first = run_tick(config)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""  # the first run seeds silently

    matching = [
        site.catalog.add_listing(now, "Sennheiser HD 800 - great condition", "full-size", price=875.0),
        site.catalog.add_listing(now, "Focal Utopia (2022)", "full-size", listing_type="For Sale/Trade",
                                 price=2999.0),
    ]
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=1400.0)  # too dear
    site.catalog.add_listing(now, "WTB: Focal Utopia", "full-size", listing_type="Want To Buy", price=None)
    site.catalog.add_listing(now, "Schiit Bifrost 2/64", "dacs", price=520.0)

    second = run_tick(config)
    assert second.returncode == 0, second.stderr
    headlines = sorted(line for line in second.stdout.splitlines() if line.startswith("New: "))
    assert headlines == sorted(f"New: {listing.title} — ${listing.price:,.2f} USD" for listing in matching)

    third = run_tick(config)
    assert third.returncode == 0, third.stderr
    assert third.stdout == ""
