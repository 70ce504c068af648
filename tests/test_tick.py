"""run_tick against the simulated site with the http fetcher: seeding, notifying, recording."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from audiowatch import lock
from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.errors import LockHeld, SourceUnavailable
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickOptions, TickResult, run_tick

RULES = [
    {"name": "hd800", "expression": '"HD800" AND price < 1000'},
    {"name": "utopia", "expression": '"Utopia"'},
]


@pytest.fixture
def config(site: SimulatedSite, make_config: Callable[..., Path]) -> Config:
    return load_config(make_config(site.base_url, rules=RULES))


def tick(config: Config, **options: object) -> tuple[TickResult, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        result = run_tick(config, TickOptions(**options))  # type: ignore[arg-type]
    return result, out.getvalue()


def query(config: Config, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_first_tick_seeds_without_notifying(config: Config) -> None:
    result, printed = tick(config)
    assert result.seeding
    assert result.counts.listings_seen > 100
    assert (result.counts.matches, printed) == (0, "")


def test_second_tick_notifies_matching_arrivals_only(config: Config, site: SimulatedSite, now: datetime) -> None:
    tick(config)
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=899.0)
    site.catalog.add_listing(now, "Focal Utopia", "full-size", price=2500.0)
    site.catalog.add_listing(now, "Focal Clear", "full-size", price=500.0)
    result, printed = tick(config)
    assert not result.seeding
    assert result.counts.new_listings == 3
    assert result.counts.notifications == 2
    assert "Sennheiser HD800 S" in printed and "Focal Utopia" in printed
    assert "Focal Clear" not in printed


def test_tick_without_site_changes_notifies_nothing(config: Config, site: SimulatedSite, now: datetime) -> None:
    tick(config)
    site.catalog.add_listing(now, "Sennheiser HD800", "full-size", price=899.0)
    tick(config)
    result, printed = tick(config)
    assert (result.counts.new_listings, result.counts.notifications, printed) == (0, 0, "")


def test_price_drop_on_matching_listing_is_notified(config: Config, site: SimulatedSite, now: datetime) -> None:
    tick(config)
    listing = site.catalog.add_listing(now, "Sennheiser HD800", "full-size", price=950.0)
    tick(config)
    site.catalog.change_price(listing.listing_id, 850.0, now + timedelta(minutes=5))
    result, printed = tick(config)
    assert result.counts.notifications == 1
    assert "Price drop" in printed and "$950.00" in printed and "$850.00" in printed


def test_sale_of_matching_listing_is_notified(config: Config, site: SimulatedSite, now: datetime) -> None:
    tick(config)
    listing = site.catalog.add_listing(now, "Focal Utopia", "full-size", price=2500.0)
    tick(config)
    site.catalog.mark_ended(listing.listing_id, "sold", now)
    result, printed = tick(config)
    assert result.counts.notifications == 1
    assert printed.startswith("Sold: Focal Utopia")


def test_dry_run_prints_matches_and_leaves_the_database_unchanged(
    config: Config, site: SimulatedSite, now: datetime
) -> None:
    tick(config)
    site.catalog.add_listing(now, "Sennheiser HD800", "full-size", price=899.0)
    dry, printed = tick(config, dry_run=True)
    assert [channel for channel, _ in dry.would_send] == ["console"]
    assert printed == ""
    real, printed = tick(config)
    assert real.counts.notifications == 1 and "Sennheiser HD800" in printed


def test_dry_run_on_first_run_leaves_the_next_tick_seeding(config: Config) -> None:
    tick(config, dry_run=True)
    result, _ = tick(config)
    assert result.seeding


def test_every_tick_writes_a_run_record(config: Config, site: SimulatedSite) -> None:
    tick(config)
    tick(config)
    rows = query(config, "SELECT outcome, seeding, pages > 0, error FROM scrape_logs ORDER BY started_at")
    assert rows == [("ok", True, True, None), ("ok", False, True, None)]


def test_max_pages_limits_the_pages_per_source(config: Config) -> None:
    result, _ = tick(config, max_pages=1)
    assert result.counts.pages == len(config.scraper.sources)


def test_unreachable_site_exits_69_and_records_the_failure(
    make_config: Callable[..., Path], tmp_path: Path
) -> None:
    config = load_config(make_config("http://127.0.0.1:9", rules=RULES))
    with pytest.raises(SourceUnavailable) as caught:
        run_tick(config)
    assert caught.value.exit_code == 69
    [(outcome, exit_code, error)] = query(config, "SELECT outcome, exit_code, error FROM scrape_logs")
    assert (outcome, exit_code) == ("failed", 69)
    assert "127.0.0.1:9" in str(error)


def test_failed_tick_does_not_count_as_success(
    config: Config, make_config: Callable[..., Path], site: SimulatedSite
) -> None:
    broken = load_config(make_config("http://127.0.0.1:9", rules=RULES))
    with pytest.raises(SourceUnavailable):
        run_tick(broken)
    result, _ = tick(config)
    assert result.seeding


def test_tick_raises_lock_held_when_the_lock_is_taken(config: Config) -> None:
    with lock.hold(lock.lock_path_for(config.database_path)), pytest.raises(LockHeld) as caught:
        run_tick(config)
    assert caught.value.exit_code == 75
