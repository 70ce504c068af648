"""`audiowatch scrape --save-html` and `audiowatch parse` on whatever page was saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audiowatch import lock
from audiowatch.config.load import load_config
from audiowatch.simulator.behaviour import Challenge
from audiowatch.simulator.server import SimulatedSite

PAGES = Path(__file__).parent / "pages"


@pytest.fixture
def config_path(site: SimulatedSite, make_config: Callable[..., Path]) -> Path:
    return make_config(site.base_url, scraper={"sources": ["full-size", "index"]})


def test_scrape_saves_each_source_page_and_lists_them(
    cli: Callable[..., Any], config_path: Path, tmp_path: Path, site: SimulatedSite
) -> None:
    result = cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path / "pages"), "--max-pages", "2")
    assert result.exit_code == 0, result.stderr
    names = sorted(path.name for path in (tmp_path / "pages").iterdir())
    assert names == ["full-size-page-1.html", "full-size-page-2.html", "index-page-1.html", "index-page-2.html"]
    first_page = site.url("/classifieds/categories/full-size.2/")
    assert result.stdout.splitlines()[0].endswith(f"HTTP 200  20 cards  {first_page}")


def test_scrape_stores_nothing_in_the_database(cli: Callable[..., Any], config_path: Path, tmp_path: Path) -> None:
    cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path / "pages"))
    database = load_config(config_path).database_path
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM listings").fetchone() == (0,)


def test_scrape_url_saves_a_listing_page(
    cli: Callable[..., Any], config_path: Path, tmp_path: Path, site: SimulatedSite
) -> None:
    listing = site.catalog.listings_in("dacs")[0]
    result = cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path), "--url",
                 f"/classifieds/{listing.listing_id}")
    assert result.exit_code == 0, result.stderr
    assert "HTTP 200  listing page" in result.stdout and len(list(tmp_path.glob("page-1-*.html"))) == 1


def test_scrape_saves_a_block_page_then_exits_75(
    cli: Callable[..., Any], config_path: Path, tmp_path: Path, site: SimulatedSite
) -> None:
    site.behaviour.challenge = Challenge.SCRIPT
    result = cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path / "pages"))
    assert result.exit_code == 75 and "Backing off until" in result.stderr
    saved, url = tmp_path / "pages" / "full-size-page-1.html", site.url("/classifieds/categories/full-size.2/")
    assert result.stdout == f"{saved}  HTTP 403  challenge  {url}\n"


def test_scrape_honours_a_back_off_without_a_request(
    cli: Callable[..., Any], config_path: Path, tmp_path: Path, site: SimulatedSite
) -> None:
    site.behaviour.block = 429
    cli("tick", "--config", str(config_path))
    site.reset_requests()
    result = cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path / "pages"))
    assert result.exit_code == 75 and "no request was made" in result.stderr and site.requests == []


def test_scrape_waits_for_no_running_tick(cli: Callable[..., Any], config_path: Path, tmp_path: Path) -> None:
    with lock.hold(lock.lock_path_for(load_config(config_path).database_path)):
        result = cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path / "pages"))
    assert result.exit_code == 75 and "another tick is running" in result.stderr


def test_scrape_rejects_an_unknown_source(cli: Callable[..., Any], config_path: Path, tmp_path: Path) -> None:
    result = cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path), "--source", "headphones")
    assert result.exit_code == 78 and "--source headphones: unknown" in result.stderr


def test_parse_reads_a_scraped_page_with_its_site(
    cli: Callable[..., Any], config_path: Path, tmp_path: Path, site: SimulatedSite
) -> None:
    cli("scrape", "--config", str(config_path), "--save-html", str(tmp_path), "--source", "full-size")
    result = cli("parse", "--json", str(tmp_path / "full-size-page-1.html"))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 20 and all(record["url"].startswith(site.base_url + "/") for record in records)


def test_parse_listing_page_prints_its_listing_with_category_and_status(cli: Callable[..., Any]) -> None:
    result = cli("parse", "--json", str(PAGES / "listing-sold.html"))
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (record["category"], record["status"], record["title"]) == ("daps", "sold", "Astell&Kern SP2000T - copper")
    assert "a listing page (sold, category daps)" in result.stderr


@pytest.mark.parametrize(("name", "kind"), [("challenge.html", "challenge"), ("login-wall.html", "login wall")],
                         ids=["challenge", "login-wall"])
def test_parse_names_a_block_page_on_stderr(cli: Callable[..., Any], name: str, kind: str) -> None:
    result = cli("parse", str(PAGES / name))
    assert result.exit_code == 0 and result.stdout == ""
    assert f"a {kind} page" in result.stderr and "nothing to parse" in result.stderr


def test_parse_says_when_a_page_has_no_cards(cli: Callable[..., Any], tmp_path: Path) -> None:
    page = tmp_path / "redesigned.html"
    page.write_text('<html><body><a class="hfcListingCard" href="/classifieds/x.1/">x</a></body></html>',
                    encoding="utf-8")
    result = cli("parse", str(page))
    assert "no listing cards" in result.stderr and "layout changed" in result.stderr
