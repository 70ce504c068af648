"""`audiowatch prices` on a database filled by real ticks against the simulated site."""

from __future__ import annotations

import json
import statistics
import struct
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from audiowatch.config.load import load_config
from audiowatch.simulator.catalog import WANT_TO_BUY
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import run_tick

Cli = Callable[..., Any]
MODEL = "Abyss Diana TC"  # not among the simulator's own gear, so only the listings added here match
EXPRESSION = f'title contains "{MODEL}"'
HOSTILE = f"{MODEL} <script>alert('owned')</script>"
# (days since posted, title, price, currency)
ADDED = [
    (1, MODEL, 1150.0, "USD"), (2, HOSTILE, 990.0, "USD"), (4, f"{MODEL} - mint", 1200.0, "USD"),
    (6, MODEL, 1049.5, "USD"), (9, f"{MODEL} w/ cable", 880.0, "USD"), (12, MODEL, 1100.0, "USD"),
    (15, MODEL, 950.0, "USD"), (20, f"{MODEL} boxed", 1300.0, "USD"), (3, MODEL, 899.0, "EUR"),
    (8, MODEL, 1010.0, "EUR"),
]


@pytest.fixture
def priced(site: SimulatedSite, make_config: Callable[..., Path], now: datetime) -> Path:
    """A config whose database saw ADDED, a Want To Buy and a priceless listing, then price cuts and a sale."""
    ids = {}
    for days, title, price, currency in ADDED:
        added = site.catalog.add_listing(now - timedelta(days=days, hours=1), title, "full-size", price=price,
                                         currency=currency, seller="jay.doe", seller_feedback=20,
                                         condition="Very good", ships_to="Worldwide")
        ids[days] = added.listing_id
    site.catalog.add_listing(now - timedelta(days=5), f"WTB: {MODEL}", "full-size", listing_type=WANT_TO_BUY,
                             price=700.0, seller="MidFiMike")
    site.catalog.add_listing(now - timedelta(days=7), f"{MODEL}, make an offer", "full-size", seller="jay.doe")
    path = make_config(site.base_url, scraper={"sources": ["full-size"], "scheduled_max_pages": 3})
    config = load_config(path)
    run_tick(config)
    site.catalog.change_price(ids[4], 1100.0, now)
    site.catalog.change_price(ids[9], 860.0, now)
    site.catalog.mark_ended(ids[12], "sold", now)
    run_tick(config)
    site.catalog.change_price(ids[4], 1050.0, now)
    run_tick(config)
    return path


def asks_on_the_site(site: SimulatedSite, currency: str, *, posted_after: datetime | None = None) -> list[float]:
    """What the site asks now for the model in one currency: the expected asks, worked out without AudioWatch."""
    return sorted(item.price for item in site.catalog.listings_in("full-size")
                  if MODEL in item.title and item.listing_type != WANT_TO_BUY and item.price is not None
                  and item.currency == currency and (posted_after is None or item.listed_at >= posted_after))


def prices(cli: Cli, config: Path, *extra: str, expression: str = EXPRESSION) -> Any:
    return cli("prices", expression, "--config", str(config), *extra)


def report(cli: Cli, config: Path, *extra: str) -> dict[str, Any]:
    result = prices(cli, config, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def currency(found: dict[str, Any], code: str) -> dict[str, Any]:
    (group,) = [group for group in found["currencies"] if group["currency"] == code]
    return group


def test_prices_counts_one_ask_per_listing_at_its_latest_price(cli: Cli, priced: Path, site: SimulatedSite) -> None:
    expected = asks_on_the_site(site, "USD")
    deciles = statistics.quantiles(expected, n=10, method="inclusive")
    quartiles = statistics.quantiles(expected, n=4, method="inclusive")
    usd = currency(report(cli, priced), "USD")
    assert usd["count"] == len(expected) == 8
    assert sorted(ask["price"] for ask in usd["asks"]) == expected
    assert usd["spread"] == pytest.approx({
        "lowest": expected[0], "p10": deciles[0], "p25": quartiles[0], "median": statistics.median(expected),
        "p75": quartiles[2], "p90": deciles[8], "highest": expected[-1]})


def test_prices_keeps_currencies_apart_and_charts_the_most_asked(cli: Cli, priced: Path, site: SimulatedSite) -> None:
    found = report(cli, priced)
    assert [group["currency"] for group in found["currencies"]] == ["USD", "EUR"]
    assert found["charted_currency"] == "USD"
    eur = currency(found, "EUR")
    assert [ask["price"] for ask in eur["asks"]] == asks_on_the_site(site, "EUR") == [899.0, 1010.0]
    assert eur["spread"]["median"] == pytest.approx(954.5)
    assert "Chart: asks in USD, the currency with the most asks (EUR not charted)." in prices(cli, priced).stdout


def test_prices_charts_every_price_a_listing_asked(cli: Cli, priced: Path, site: SimulatedSite) -> None:
    usd = currency(report(cli, priced), "USD")
    (cut,) = [ask for ask in usd["asks"] if ask["title"] == f"{MODEL} - mint"]
    history = [(item["observed_at"], item["price"]) for item in usd["observations"]
               if item["listing_id"] == cut["listing_id"]]
    assert [price for _, price in history] == [1200.0, 1100.0, 1050.0]
    assert history[0][0] == cut["posted_at"]  # the first price counts from when it was posted
    assert len(usd["observations"]) == len(asks_on_the_site(site, "USD")) + 3  # three price cuts


def test_prices_counts_want_to_buy_and_priceless_listings_apart(cli: Cli, priced: Path) -> None:
    found = report(cli, priced)
    assert found["listings"] == {"matched": 12, "want_to_buy": 1, "without_price": 1}
    sentences = " ".join(prices(cli, priced).stdout.split())  # undo the wrapping at 80 columns
    assert "1 Want To Buy left out (their prices are offers, not asks); 1 without a price." in sentences


def test_prices_counts_sold_listings_by_status(cli: Cli, priced: Path) -> None:
    assert currency(report(cli, priced), "USD")["by_status"] == {"active": 7, "sold": 1}


def test_prices_ignores_the_global_filter(cli: Cli, priced: Path, make_config: Callable[..., Path]) -> None:
    config = load_config(priced)
    strict = make_config(config.scraper.base_url, scraper={"sources": ["full-size"]},
                         filters={"global": "price > 100000"})
    assert strict == priced  # the same file and database, now with a filter nothing passes
    assert currency(report(cli, strict), "USD")["count"] == 8


def test_prices_lowest_recent_asks_are_active_and_cheapest_first(cli: Cli, priced: Path) -> None:
    usd = currency(report(cli, priced), "USD")
    lowest = [(ask["price"], ask["status"]) for ask in usd["lowest_recent"]]
    active = sorted(ask["price"] for ask in usd["asks"] if ask["status"] == "active")
    assert lowest == [(price, "active") for price in active[:5]]
    assert lowest[0] == (860.0, "active")


def test_prices_since_leaves_older_listings_out(cli: Cli, priced: Path, site: SimulatedSite) -> None:
    found = report(cli, priced, "--since", "7d")
    since = datetime.fromisoformat(found["since"])
    assert currency(found, "USD")["count"] == len(asks_on_the_site(site, "USD", posted_after=since)) == 4


def test_prices_json_has_the_documented_shape(cli: Cli, priced: Path) -> None:
    found = report(cli, priced)
    assert set(found) == {"expression", "global_filter_applied", "now", "since", "recent_since", "listings",
                          "charted_currency", "currencies"}
    assert found["expression"] == EXPRESSION and found["global_filter_applied"] is False
    usd = currency(found, "USD")
    assert set(usd) == {"currency", "count", "by_status", "spread", "weekly_medians", "lowest_recent", "asks",
                        "observations"}
    assert set(usd["asks"][0]) == {"listing_id", "title", "url", "status", "posted_at", "price", "currency",
                                   "asked_since"}
    assert set(usd["weekly_medians"][0]) == {"week", "median", "observations"}
    assert sum(week["observations"] for week in usd["weekly_medians"]) == len(usd["observations"])


def test_prices_prints_figures_and_a_chart(cli: Cli, priced: Path, site: SimulatedSite) -> None:
    result = prices(cli, priced)
    assert result.exit_code == 0, result.stderr
    median = statistics.median(asks_on_the_site(site, "USD"))
    assert "USD: 8 asks (7 active, 1 sold) from 11 price observations" in result.stdout
    assert f"${median:,.2f}".removesuffix(".00") in result.stdout
    assert "┌" in result.stdout and "weekly median" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_prices_no_plot_prints_only_the_figures(cli: Cli, priced: Path) -> None:
    result = prices(cli, priced, "--no-plot")
    assert "USD: 8 asks" in result.stdout and "┌" not in result.stdout


def test_prices_without_matches_says_so(cli: Cli, priced: Path) -> None:
    result = prices(cli, priced, expression='title has "Orpheus HE1"')
    assert result.exit_code == 0
    assert "No stored listing posted in that time matches the expression." in result.stdout
    assert "┌" not in result.stdout


def test_prices_without_a_database_says_run_tick_and_exits_0(cli: Cli, make_config: Callable[..., Path]) -> None:
    result = prices(cli, make_config())
    assert result.exit_code == 0
    assert "run `audiowatch tick` first" in result.stderr


def test_prices_bad_expression_exits_78_with_a_caret(cli: Cli, make_config: Callable[..., Path]) -> None:
    result = prices(cli, make_config(), expression='title has "HD800" AND prise < 5')
    assert result.exit_code == 78
    assert 'unknown field "prise" (did you mean "price"?) (column 23)' in result.stderr
    assert "\n    " + " " * 22 + "^\n" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["chart.pdf", "chart"], ids=["pdf", "no-extension"])
def test_prices_out_with_an_unknown_extension_exits_2(cli: Cli, priced: Path, tmp_path: Path, name: str) -> None:
    result = prices(cli, priced, "--out", str(tmp_path / name))
    assert result.exit_code == 2
    assert "end the name in .html" in result.stderr
    assert not (tmp_path / name).exists()


def test_prices_out_in_a_missing_folder_exits_2(cli: Cli, priced: Path, tmp_path: Path) -> None:
    result = prices(cli, priced, "--out", str(tmp_path / "nowhere" / "chart.html"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


class _Tags(HTMLParser):
    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_prices_out_html_is_a_page_with_escaped_listing_text(cli: Cli, priced: Path, tmp_path: Path) -> None:
    out = tmp_path / "prices.html"
    result = prices(cli, priced, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {out}" in result.stderr and "┌" not in result.stdout  # the chart went to the file
    parsed = _Tags(out.read_text(encoding="utf-8"))
    assert "script" not in parsed.tags
    assert "svg" in parsed.tags and parsed.tags.count("circle") >= 11
    assert any(HOSTILE in text for text in parsed.text)


def test_prices_out_txt_has_the_figures_and_the_chart_without_colour(cli: Cli, priced: Path, tmp_path: Path) -> None:
    out = tmp_path / "prices.txt"
    assert prices(cli, priced, "--out", str(out)).exit_code == 0
    written = out.read_text(encoding="utf-8")
    assert "USD: 8 asks" in written and "┌" in written and "weekly median" in written
    assert "\x1b[" not in written
    assert max(len(line) for line in written.splitlines() if "│" in line) <= 80


@pytest.mark.browser
def test_prices_out_png_draws_the_page_in_chromium(cli: Cli, priced: Path, tmp_path: Path) -> None:
    out = tmp_path / "prices.png"
    result = prices(cli, priced, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    image = out.read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", image[16:24])  # the IHDR chunk comes first
    assert width == 980 and height > 700  # the full page, taller than the window


def test_prices_out_png_without_chromium_exits_69_naming_the_setting(
    cli: Cli, priced: Path, make_config: Callable[..., Path], tmp_path: Path
) -> None:
    config = load_config(priced)
    missing = tmp_path / "no-such-chromium"
    make_config(config.scraper.base_url, scraper={"sources": ["full-size"], "executable_path": str(missing)})
    result = prices(cli, priced, "--out", str(tmp_path / "prices.png"))
    assert result.exit_code == 69
    assert f"scraper.executable_path is {missing}, which does not exist" in result.stderr
    assert not (tmp_path / "prices.png").exists()


def test_prices_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\nfrom audiowatch.cli import cli\n"
        "try:\n    cli(['prices', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('duckdb', 'playwright', 'plotext', 'requests') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip().splitlines()[-1] == "[]"
