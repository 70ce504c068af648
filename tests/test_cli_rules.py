"""`audiowatch rules check|test|explain`: exit codes, output for people, and --json for programs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audiowatch.config.load import load_config
from audiowatch.listing import Listing
from audiowatch.store import database, listings
from tests.support.listings import make_listing

Cli = Callable[..., Any]
ConfigFactory = Callable[..., Path]

RULES = [
    {"name": "hd800", "expression": 'title has "HD800" AND price < 1000'},
    {"name": "utopia", "expression": '"Utopia"', "categories": ["headphones-for-sale-trade"]},
]


def stored(config_path: Path, batch: list[Listing], at: datetime) -> None:
    with database.session(load_config(config_path).database_path) as connection, \
            database.transaction(connection):
        listings.upsert_listings(connection, batch, at, "test")


@pytest.fixture
def config_path(make_config: ConfigFactory) -> Path:
    return make_config(rules=RULES)


@pytest.fixture
def with_listings(config_path: Path) -> Path:
    now = datetime.now(UTC)
    stored(config_path, [
        make_listing(1, title="Sennheiser HD800", price=850.0, listed_at=(now - timedelta(days=2)).isoformat()),
        make_listing(2, title="Sennheiser HD800S", price=900.0, listed_at=(now - timedelta(days=3)).isoformat()),
        make_listing(3, title="Focal Utopia", price=2500.0, listed_at=(now - timedelta(days=60)).isoformat()),
        make_listing(4, title="WTB HD 800", price=None, listing_type="Want To Buy",
                     listed_at=(now - timedelta(days=1)).isoformat()),
    ], now)
    return config_path


# --- check ---------------------------------------------------------------------------------------


def test_check_reports_rules_ok(cli: Cli, config_path: Path) -> None:
    result = cli("rules", "check", "--config", str(config_path))
    assert result.exit_code == 0, result.stderr
    assert "2 rule(s) OK" in result.stdout


def test_check_warns_about_a_rule_that_can_never_match_with_its_line(
    cli: Cli, make_config: ConfigFactory
) -> None:
    path = make_config(rules=[*RULES, {"name": "never", "expression": "price < 100 AND price > 200"}])
    result = cli("rules", "check", "--config", str(path))
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    assert line.startswith(f'{path}:{_line_of(path, "name: never")}: rules[2] "never": can never match: ')
    assert "1 warning(s)" in result.stderr


def test_check_strict_exits_78_on_a_warning(cli: Cli, make_config: ConfigFactory) -> None:
    path = make_config(rules=[*RULES, {"name": "again", "expression": 'price < 1000 AND title has "hd800"'}])
    result = cli("rules", "check", "--strict", "--config", str(path))
    assert result.exit_code == 78
    assert 'has the same conditions as rule "hd800"' in result.stdout


def test_check_with_a_bad_rule_exits_78_with_a_caret(cli: Cli, make_config: ConfigFactory) -> None:
    path = make_config(rules=[{"name": "bad", "expression": 'title matches "(HD800"'}])
    result = cli("rules", "check", "--config", str(path))
    assert result.exit_code == 78
    assert 'rule "bad": bad regular expression: missing ): (HD800' in result.stderr
    assert result.stderr.rstrip().endswith("^")
    assert "Traceback" not in result.stderr


# --- test ----------------------------------------------------------------------------------------


def test_test_rule_name_backtests_stored_listings_week_by_week(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "test", "hd800", "--config", str(with_listings))
    assert result.exit_code == 0, result.stderr
    assert 'Rule "hd800", the AND of:' in result.stdout
    assert "global filter: status = \"active\"" in result.stdout
    total = next(line for line in result.stdout.splitlines() if line.strip().startswith("total"))
    assert total.split() == ["total", "3", "1"]  # the Utopia is older than 30 days
    assert "Sennheiser HD800\n" in result.stdout + "\n"
    assert "HD800S" not in result.stdout


def test_test_expression_gets_the_global_filter(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "test", '"HD 800"', "--json", "--config", str(with_listings))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the only "HD 800" is a Want To Buy post


def test_test_since_widens_the_window(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "test", "utopia", "--since", "9w", "--json", "--config", str(with_listings))
    assert [json.loads(line)["listing_id"] for line in result.stdout.splitlines()] == [3]


def test_test_json_prints_matching_listings_as_parse_json(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "test", 'title contains "sennheiser"', "--json", "--config", str(with_listings))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["listing_id"] for record in records] == [1, 2]
    assert Listing.from_json(records[0]).title == "Sennheiser HD800"


def test_test_without_a_database_says_to_run_a_tick(cli: Cli, config_path: Path) -> None:
    result = cli("rules", "test", "hd800", "--config", str(config_path))
    assert result.exit_code == 0
    assert "run `audiowatch tick` first" in result.stderr


def test_test_listings_file_prints_matching_ids(cli: Cli, config_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "listings.jsonl"
    batch = [make_listing(10, title="HD 800"), make_listing(11, title="HD8000"), make_listing(12, title="hd-800")]
    path.write_text("".join(json.dumps(listing.to_json()) + "\n" for listing in batch) + "\n", encoding="utf-8")
    result = cli("rules", "test", "hd800", "--listings", str(path), "--config", str(config_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["10", "12"]
    assert '2 of 3 listing(s) match rule "hd800"' in result.stderr


def test_test_listings_from_standard_input_with_json(cli: Cli, config_path: Path) -> None:
    line = json.dumps(make_listing(10, title="HD 800").to_json())
    result = cli("rules", "test", "hd800", "--listings", "-", "--json", "--config", str(config_path), input=line)
    assert [json.loads(row)["listing_id"] for row in result.stdout.splitlines()] == [10]


@pytest.mark.parametrize(
    ("content", "phrase"),
    [("not json\n", ":1: not a listing"), ('{"listing_id": 1}\n', "missing key 'url'"),
     ('\n{"listing_id": 1, "url": "u", "title": "t", "colour": "red"}\n', ":2: not a listing")],
    ids=["not-json", "missing-key", "unknown-key"],
)
def test_test_listings_file_with_a_bad_line_names_the_line(
    cli: Cli, config_path: Path, tmp_path: Path, content: str, phrase: str
) -> None:
    path = tmp_path / "listings.jsonl"
    path.write_text(content, encoding="utf-8")
    result = cli("rules", "test", "hd800", "--listings", str(path), "--config", str(config_path))
    assert result.exit_code == 2
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr


def test_test_since_with_listings_file_is_a_usage_error(cli: Cli, config_path: Path) -> None:
    result = cli("rules", "test", "hd800", "--listings", "-", "--since", "1d", "--config", str(config_path), input="")
    assert result.exit_code == 2
    assert "cannot be combined" in result.stderr


def test_test_unknown_rule_name_lists_the_rules(cli: Cli, config_path: Path) -> None:
    result = cli("rules", "test", "hd650", "--config", str(config_path))
    assert result.exit_code == 2
    assert 'no rule named "hd650" (rules: hd800, utopia)' in result.stderr


def test_test_bad_expression_exits_78_with_a_caret(cli: Cli, config_path: Path) -> None:
    result = cli("rules", "test", "prise < 5", "--config", str(config_path))
    assert result.exit_code == 78
    assert 'unknown field "prise" (did you mean "price"?)' in result.stderr


def test_test_bad_since_is_a_usage_error(cli: Cli, config_path: Path) -> None:
    result = cli("rules", "test", "hd800", "--since", "a month", "--config", str(config_path))
    assert result.exit_code == 2
    assert "is not a duration" in result.stderr


# --- explain -------------------------------------------------------------------------------------


def test_explain_shows_each_clause_true_or_false(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "explain", "hd800", "2", "--config", str(with_listings))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'Rule "hd800" does not match listing 2: Sennheiser HD800S'
    assert any(line.split()[:4] == ["false", "title", "has", '"HD800"'] and 'is "Sennheiser HD800S"' in line
               for line in lines)
    assert any(line.split()[:4] == ["true", "price", "<", "1000"] for line in lines)


def test_explain_accepts_a_listing_url(cli: Cli, with_listings: Path) -> None:
    url = "https://www.head-fi.org/classifieds/item.1/"
    result = cli("rules", "explain", "hd800", url, "--json", "--config", str(with_listings))
    assert json.loads(result.stdout)["matched"] is True


def test_explain_unknown_listing_is_a_usage_error(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "explain", "hd800", "999", "--config", str(with_listings))
    assert result.exit_code == 2
    assert "listing 999 is not stored" in result.stderr


def test_explain_text_that_is_not_a_listing_is_a_usage_error(cli: Cli, with_listings: Path) -> None:
    result = cli("rules", "explain", "hd800", "yesterday", "--config", str(with_listings))
    assert result.exit_code == 2
    assert "neither a listing id nor a listing URL" in result.stderr


def _line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)
