"""Layout changes: a page that no longer parses fails the tick (69), is saved, and the run keeps the rates."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audiowatch import saved_pages
from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.errors import LayoutChanged
from audiowatch.fetch.base import Page
from audiowatch.simulator.behaviour import Layout
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickResult, run_tick

SOURCES = ["full-size", "dacs"]
LAYOUTS = [pytest.param(Layout.RENAMED_CARDS, id="cards-renamed"),
           pytest.param(Layout.RENAMED_FIELDS, id="fields-renamed")]


@pytest.fixture
def config(site: SimulatedSite, make_config: Callable[..., Path]) -> Config:
    return load_config(make_config(site.base_url, scraper={"sources": SOURCES, "initial_max_pages": 1}))


def tick(config: Config) -> TickResult:
    with redirect_stdout(io.StringIO()):
        return run_tick(config)


def last_run(config: Config) -> tuple[Any, ...]:
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        row = connection.execute("SELECT outcome, exit_code, error, field_rates FROM scrape_logs "
                                 "ORDER BY started_at DESC LIMIT 1").fetchone()
    assert row is not None
    return row


def failed_pages(config: Config) -> list[Path]:
    return sorted((config.database_path.parent / "failed-pages").glob("*.html"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_changed_layout_exits_69_and_names_the_saved_page(
    layout: Layout, config: Config, site: SimulatedSite, cli: Callable[..., Any]
) -> None:
    tick(config)
    site.behaviour.layout = layout
    result = cli("tick", "--config", str(config.source_path))
    [saved] = failed_pages(config)
    assert result.exit_code == 69
    assert "page layout looks changed" in result.stderr and str(saved) in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("layout", LAYOUTS)
def test_changed_layout_saves_the_page_as_served(layout: Layout, config: Config, site: SimulatedSite) -> None:
    tick(config)
    site.behaviour.layout = layout
    with pytest.raises(LayoutChanged) as caught:
        tick(config)
    assert caught.value.saved_html is not None and caught.value.saved_html.name.endswith("-full-size.html")
    page = saved_pages.read_page(caught.value.saved_html)
    assert (page.url, page.status) == (site.url("/classifieds/categories/full-size.2/"), 200)
    assert page.html.count("hfcListingCard" if layout is Layout.RENAMED_CARDS else "hfcListingPrice") == 20


def test_run_record_shows_the_failure_and_the_field_rates(config: Config, site: SimulatedSite) -> None:
    tick(config)
    site.behaviour.layout = Layout.RENAMED_FIELDS
    with pytest.raises(LayoutChanged):
        tick(config)
    outcome, exit_code, error, rates = last_run(config)
    assert (outcome, exit_code) == ("failed", 69)
    assert "key fields stopped parsing" in error and "price on 0%" in error
    assert (rates["price"], rates["seller"], rates["listed_at"], rates["listing_type"]) == (0.0, 0.0, 0.0, 0.0)


def test_successful_runs_keep_their_field_rates(config: Config) -> None:
    tick(config)
    outcome, _, _, rates = last_run(config)
    assert outcome == "ok" and rates["listing_type"] == 1.0 and 0.5 < rates["price"] <= 1.0


def test_field_rates_can_be_queried_with_sql(config: Config) -> None:
    tick(config)
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        row = connection.execute("SELECT field_rates['seller'], fetcher, paging FROM scrape_logs").fetchone()
    assert row == (pytest.approx(1.0), "http", "seeding")


def test_page_without_cards_on_the_first_run_is_a_layout_change(config: Config, site: SimulatedSite) -> None:
    site.behaviour.layout = Layout.RENAMED_CARDS
    with pytest.raises(LayoutChanged, match="no listing cards"):
        tick(config)


def test_fields_missing_from_the_first_run_are_warned_about_not_failed(
    config: Config, site: SimulatedSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.behaviour.layout = Layout.RENAMED_FIELDS
    assert tick(config).counts.listings_seen == 40
    assert "key_fields_rarely_parsed" in capsys.readouterr().err


def test_changed_layout_is_not_taken_for_nothing_new(config: Config, site: SimulatedSite) -> None:
    tick(config)
    site.behaviour.layout = Layout.RENAMED_CARDS
    with pytest.raises(LayoutChanged):
        tick(config)
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        successes = connection.execute("SELECT count(*) FROM scrape_logs WHERE outcome = 'ok'").fetchone()
    assert successes == (1,)


def test_tick_recovers_once_the_layout_is_back(config: Config, site: SimulatedSite) -> None:
    tick(config)
    site.behaviour.layout = Layout.RENAMED_CARDS
    with pytest.raises(LayoutChanged):
        tick(config)
    site.behaviour.layout = Layout.NORMAL
    assert tick(config).counts.pages == len(SOURCES)


def test_failed_pages_keep_only_the_newest(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for minute in range(saved_pages.KEEP_FAILED_PAGES + 3):
        page = Page("https://www.head-fi.org/classifieds/", 200, "<html></html>", start + timedelta(minutes=minute))
        saved_pages.save_failed_page(tmp_path, "index", page)
    kept = sorted(tmp_path.glob("*.html"))
    assert len(kept) == saved_pages.KEEP_FAILED_PAGES and kept[0].name == "20260101T000300Z-index.html"
