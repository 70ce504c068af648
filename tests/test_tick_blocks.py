"""Blocks: each kind stops the tick with 75, sets a back-off deadline, and no request goes out before it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.errors import BackingOff, LayoutChanged
from audiowatch.fetch.blocks import FIRST_WAIT, BlockKind
from audiowatch.simulator.behaviour import Challenge, Layout
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickOptions, TickResult, run_tick

SOURCES = ["full-size", "dacs"]


def block_with(kind: BlockKind) -> Callable[[SimulatedSite], None]:
    def apply(site: SimulatedSite) -> None:
        match kind:
            case BlockKind.FORBIDDEN:
                site.behaviour.block = 403
            case BlockKind.RATE_LIMITED:
                site.behaviour.block = 429
            case BlockKind.UNAVAILABLE:
                site.behaviour.block = 503
            case BlockKind.CHALLENGE:  # a script challenge is a block to plain HTTP
                site.behaviour.challenge = Challenge.SCRIPT
            case BlockKind.LOGIN_WALL:
                site.behaviour.login_wall = True

    return apply


KINDS = [pytest.param(kind, id=kind.value) for kind in BlockKind]


@pytest.fixture
def config(site: SimulatedSite, make_config: Callable[..., Path]) -> Config:
    return load_config(make_config(site.base_url, scraper={"sources": SOURCES, "initial_max_pages": 1}))


def at(moment: datetime) -> Callable[[], datetime]:
    offset = moment - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def tick(config: Config, moment: datetime | None = None, **options: Any) -> TickResult:
    with redirect_stdout(io.StringIO()):
        return run_tick(config, TickOptions(**options), clock=at(moment or datetime.now(UTC)))


def backoff_state(config: Config) -> dict[str, Any]:
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        row = connection.execute("SELECT value FROM state WHERE key = 'backoff'").fetchone()
    return json.loads(row[0]) if row else {}


def runs(config: Config) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        return connection.execute("SELECT outcome, exit_code, requests FROM scrape_logs ORDER BY started_at").fetchall()


@pytest.mark.parametrize("kind", KINDS)
def test_block_exits_75_naming_the_deadline(
    kind: BlockKind, config: Config, site: SimulatedSite, cli: Callable[..., Any]
) -> None:
    block_with(kind)(site)
    result = cli("tick", "--config", str(config.source_path))
    deadline = backoff_state(config)["deadline"]
    assert result.exit_code == 75
    assert f"Backing off until {deadline[:19]}" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_block_sets_the_first_wait_of_its_kind(kind: BlockKind, config: Config, site: SimulatedSite) -> None:
    block_with(kind)(site)
    with pytest.raises(BackingOff):
        tick(config)
    stored = backoff_state(config)
    waited = datetime.fromisoformat(stored["deadline"]) - datetime.fromisoformat(stored["blocked_at"])
    assert (stored["kind"], waited, stored["strikes"]) == (kind.value, FIRST_WAIT[kind], 1)


@pytest.mark.parametrize("kind", KINDS)
def test_no_request_reaches_the_site_before_the_deadline(kind: BlockKind, config: Config, site: SimulatedSite) -> None:
    block_with(kind)(site)
    with pytest.raises(BackingOff):
        tick(config)
    site.behaviour = type(site.behaviour)()  # the site is fine again; we do not know that yet
    site.reset_requests()
    almost = datetime.fromisoformat(backoff_state(config)["deadline"]) - timedelta(seconds=5)
    with pytest.raises(BackingOff, match="no request was made"):
        tick(config, almost)
    assert site.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_tick_after_the_deadline_fetches_again_and_forgets_the_block(
    kind: BlockKind, config: Config, site: SimulatedSite
) -> None:
    block_with(kind)(site)
    with pytest.raises(BackingOff):
        tick(config)
    site.behaviour = type(site.behaviour)()
    after = datetime.fromisoformat(backoff_state(config)["deadline"]) + timedelta(seconds=1)
    result = tick(config, after)
    assert (result.counts.requests, backoff_state(config)) == (len(SOURCES), {})


def test_repeated_block_doubles_the_wait(config: Config, site: SimulatedSite) -> None:
    site.behaviour.block = 429
    with pytest.raises(BackingOff):
        tick(config)
    after = datetime.fromisoformat(backoff_state(config)["deadline"]) + timedelta(seconds=1)
    with pytest.raises(BackingOff) as caught:
        tick(config, after)
    stored = backoff_state(config)
    waited = datetime.fromisoformat(stored["deadline"]) - datetime.fromisoformat(stored["blocked_at"])
    assert (waited, stored["strikes"], caught.value.strikes) == (2 * FIRST_WAIT[BlockKind.RATE_LIMITED], 2, 2)


def test_retry_after_longer_than_the_first_wait_sets_the_deadline(config: Config, site: SimulatedSite) -> None:
    site.behaviour.block, site.behaviour.retry_after = 429, "7200"
    with pytest.raises(BackingOff):
        tick(config)
    stored = backoff_state(config)
    waited = datetime.fromisoformat(stored["deadline"]) - datetime.fromisoformat(stored["blocked_at"])
    assert waited == timedelta(hours=2)


def test_run_records_show_the_block_then_the_skipped_ticks(config: Config, site: SimulatedSite) -> None:
    site.behaviour.block = 503
    for _ in range(2):
        with pytest.raises(BackingOff):
            tick(config)
    assert runs(config) == [("blocked", 75, 1), ("backing_off", 75, 0)]


def test_ignore_backoff_fetches_before_the_deadline(config: Config, site: SimulatedSite) -> None:
    site.behaviour.block = 403
    with pytest.raises(BackingOff):
        tick(config)
    site.behaviour.block = None
    result = tick(config, ignore_backoff=True)
    assert result.counts.requests == len(SOURCES) and backoff_state(config) == {}


def test_block_after_earlier_pages_stores_nothing_from_the_tick(config: Config, site: SimulatedSite) -> None:
    tick(config)
    site.catalog.add_listing(datetime.now(UTC), "Focal Utopia", "full-size", price=100.0)
    site.behaviour.block, site.behaviour.block_after = 429, 1  # full-size is served, dacs is refused
    with pytest.raises(BackingOff):
        tick(config)
    assert [served.status for served in site.page_requests()][-2:] == [200, 429]
    # Nothing half-done: the next tick after the deadline still finds the listing new.
    site.behaviour.block = None
    after = datetime.fromisoformat(backoff_state(config)["deadline"]) + timedelta(seconds=1)
    assert tick(config, after).counts.new_listings == 1


@pytest.mark.browser
@pytest.mark.slow
def test_challenge_the_browser_cannot_pass_is_a_block_for_auto(
    site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    config = load_config(make_config(site.base_url, scraper={"sources": SOURCES, "fetcher": "auto",
                                                             "timeout_seconds": 1}))
    site.behaviour.challenge = Challenge.CAPTCHA
    with pytest.raises(BackingOff, match="bot challenge"):
        tick(config)
    assert backoff_state(config)["kind"] == "challenge"


@pytest.mark.browser
@pytest.mark.slow
def test_browser_fetcher_backs_off_on_429_too(site: SimulatedSite, make_config: Callable[..., Path]) -> None:
    config = load_config(make_config(site.base_url, scraper={"sources": SOURCES, "fetcher": "browser"}))
    site.behaviour.block, site.behaviour.retry_after = 429, "600"
    with pytest.raises(BackingOff):
        tick(config)
    assert (backoff_state(config)["kind"], len(site.requests)) == ("rate_limited", 1)


def test_page_served_with_a_changed_layout_still_ends_the_block_streak(config: Config, site: SimulatedSite) -> None:
    site.behaviour.block = 429
    with pytest.raises(BackingOff):
        tick(config)
    site.behaviour = type(site.behaviour)(layout=Layout.RENAMED_CARDS)
    after = datetime.fromisoformat(backoff_state(config)["deadline"]) + timedelta(seconds=1)
    with pytest.raises(LayoutChanged):
        tick(config, after)
    assert backoff_state(config) == {}
