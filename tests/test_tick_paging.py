"""Incremental paging against the simulated site, with plain HTTP, real Chromium, and `auto` switching to
Chromium when the site starts challenging plain clients: bursts, steady state, catch-up after a gap."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from audiowatch import sources
from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.simulator.behaviour import Challenge
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickOptions, TickResult, run_tick

SOURCES = ["full-size", "dacs", "index"]
BROWSER = [pytest.mark.browser, pytest.mark.slow]
FETCHERS = [
    pytest.param("http", id="http"),
    pytest.param("browser", id="browser", marks=BROWSER),
    pytest.param("auto", id="auto-challenged", marks=BROWSER),
]


@pytest.fixture
def configure(site: SimulatedSite, make_config: Callable[..., Path]) -> Callable[..., Config]:
    def build(fetcher: str, **scraper: object) -> Config:
        settings = {"fetcher": fetcher, "sources": SOURCES, "initial_max_pages": 5, "scheduled_max_pages": 2,
                    "poll_interval_minutes": 5, "category_lookups_per_tick": 5, **scraper}
        return load_config(make_config(site.base_url, scraper=settings))

    return build


def tick(config: Config, at: datetime | None = None) -> TickResult:
    """Run a tick, at ``at`` if given (time moves on from there as it does for real)."""
    with redirect_stdout(io.StringIO()):
        if at is None:
            return run_tick(config)
        offset = at - datetime.now(UTC)
        return run_tick(config, TickOptions(), clock=lambda: datetime.now(UTC) + offset)


def query(config: Config, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def start_challenging(site: SimulatedSite, fetcher: str) -> None:
    """For `auto`: from now on plain clients get the script challenge, which only a browser passes."""
    if fetcher == "auto":
        site.behaviour.challenge = Challenge.SCRIPT


def first_page_paths() -> list[str]:
    return sorted(sources.source_url("", source) for source in SOURCES)


@pytest.mark.parametrize("fetcher", FETCHERS)
def test_burst_of_45_new_listings_between_ticks_is_caught_completely(
    fetcher: str, configure: Callable[..., Config], site: SimulatedSite, now: datetime
) -> None:
    config = configure(fetcher)
    tick(config)
    start_challenging(site, fetcher)
    burst = site.catalog.add_burst(now + timedelta(minutes=5), 45, category="full-size")

    result = tick(config)

    stored = query(config, "SELECT listing_id, category FROM listings WHERE listing_id >= ? ORDER BY 1",
                   burst[0].listing_id)
    assert stored == [(listing.listing_id, "full-size") for listing in burst]
    assert result.counts.new_listings == 45


@pytest.mark.parametrize("fetcher", FETCHERS)
def test_steady_state_tick_makes_one_request_per_source(
    fetcher: str, configure: Callable[..., Config], site: SimulatedSite
) -> None:
    config = configure(fetcher)
    tick(config)
    start_challenging(site, fetcher)
    tick(config)  # for auto: meets the challenge, switches to Chromium, remembers both
    site.reset_requests()

    result = tick(config)

    assert sorted(served.path for served in site.page_requests()) == first_page_paths()
    assert {served.status for served in site.page_requests()} == {200}
    assert (result.counts.requests, result.counts.new_listings) == (len(SOURCES), 0)


@pytest.mark.browser
@pytest.mark.slow
def test_auto_switches_to_the_browser_when_challenged_and_keeps_it(
    configure: Callable[..., Config], site: SimulatedSite
) -> None:
    config = configure("auto")
    tick(config)
    site.behaviour.challenge = Challenge.SCRIPT
    for _ in range(3):
        site.reset_requests()
        tick(config)
    assert query(config, "SELECT fetcher FROM scrape_logs ORDER BY started_at") == [
        ("auto (http)",), ("auto (browser)",), ("auto (browser)",), ("auto (browser)",)]
    # The last tick went straight to the browser, which still had its clearance cookie.
    assert {served.status for served in site.page_requests()} == {200}


@pytest.mark.browser
@pytest.mark.slow
def test_auto_tries_plain_http_again_once_the_preference_runs_out(
    configure: Callable[..., Config], site: SimulatedSite, now: datetime
) -> None:
    config = configure("auto")
    tick(config)
    site.behaviour.challenge = Challenge.SCRIPT
    tick(config)
    site.reset_requests()
    tick(config, at=now + timedelta(hours=7))
    assert [served.status for served in site.page_requests()][:2] == [403, 200]  # http, then Chromium


@pytest.mark.parametrize("fetcher", FETCHERS)
def test_tick_after_a_six_hour_gap_finds_everything_listed_in_the_gap(
    fetcher: str, configure: Callable[..., Config], site: SimulatedSite, now: datetime
) -> None:
    config = configure(fetcher)
    tick(config)
    start_challenging(site, fetcher)
    later = now + timedelta(hours=6)
    gap = site.catalog.add_burst(later, 60, spread=timedelta(hours=6) - timedelta(minutes=1), seed=5)

    result = tick(config, at=later)

    stored = {row[0] for row in query(config, "SELECT listing_id FROM listings WHERE listing_id >= ?",
                                      gap[0].listing_id)}
    assert stored == {listing.listing_id for listing in gap}
    assert result.counts.new_listings == 60
    assert query(config, "SELECT paging FROM scrape_logs ORDER BY started_at") == [("seeding",), ("catch_up",)]
