"""`audiowatch listings`: stored listings filtered with the rule language, as text, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audiowatch.listing import LISTING_FIELDS


def listings(cli: Callable[..., Any], config: Path, *extra: str) -> Any:
    return cli("listings", "--config", str(config), *extra)


def test_listings_filter_with_a_rule_expression(cli: Callable[..., Any], ticked: Path) -> None:
    result = listings(cli, ticked, 'title has "HD800" AND price < 900', "--json")
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert found and all("800" in item["title"] and item["price"] < 900 for item in found)
    assert all(set(item) == LISTING_FIELDS for item in found)


def test_listings_come_newest_first_up_to_the_limit(cli: Callable[..., Any], ticked: Path) -> None:
    found = [json.loads(line) for line in listings(cli, ticked, "--limit", "5", "--json").stdout.splitlines()]
    assert len(found) == 5
    dates = [item["listed_at"] for item in found]
    assert dates == sorted(dates, reverse=True)


def test_listings_status_filter_keeps_only_that_status(cli: Callable[..., Any], ticked: Path) -> None:
    result = listings(cli, ticked, "--status", "sold", "--since", "90d", "--limit", "500", "--json")
    statuses = {json.loads(line)["status"] for line in result.stdout.splitlines()}
    assert statuses == {"sold"}


def test_listings_csv_has_a_header_and_a_row_per_listing(cli: Callable[..., Any], ticked: Path) -> None:
    rows = list(csv.reader(io.StringIO(listings(cli, ticked, "--limit", "3", "--csv").stdout)))
    assert rows[0][:3] == ["listing_id", "listed_at", "price"]
    assert len(rows) == 4


def test_listings_text_reports_the_count_on_stderr(cli: Callable[..., Any], ticked: Path) -> None:
    result = listings(cli, ticked, '"HD800"')
    assert "Sennheiser HD800" in result.stdout
    assert "listing(s)" in result.stderr


def test_listings_with_a_bad_expression_points_at_the_column(cli: Callable[..., Any], ticked: Path) -> None:
    result = listings(cli, ticked, "prise < 5")
    assert result.exit_code == 78
    assert 'unknown field "prise"' in result.stderr and "^" in result.stderr


def test_listings_without_a_database_says_run_tick(cli: Callable[..., Any], make_config: Callable[..., Path]) -> None:
    result = listings(cli, make_config())
    assert result.exit_code == 0
    assert "run `audiowatch tick` first" in result.stderr
