"""Loading config.yaml: the starter loads, and every kind of mistake names file, line and key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from audiowatch.config.load import load_config
from tests.support.configs import problems, write

REPOSITORY = Path(__file__).resolve().parents[1]


def test_starter_config_loads_with_three_rules_and_ten_sources(tmp_path: Path) -> None:
    starter = resources.files("audiowatch.config").joinpath("starter.yaml").read_text(encoding="utf-8")
    config = load_config(write(tmp_path, starter))
    assert len(config.rules) == 3
    assert len(config.scraper.sources) == 10
    assert [channel.type for channel in config.notifications.channels] == ["console"]


def test_repository_config_is_the_starter_config() -> None:
    starter = resources.files("audiowatch.config").joinpath("starter.yaml").read_text(encoding="utf-8")
    assert (REPOSITORY / "config.yaml").read_text(encoding="utf-8") == starter


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.scraper.poll_interval_minutes == 5
    assert config.rules == []


def test_database_path_resolves_against_the_config_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "database:\n  path: data/x.db\n"))
    assert config.database_path == (tmp_path / "data" / "x.db").resolve()


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  base_url: https://example.org\n  pol_interval_minutes: 5\n")
    assert f"{path}:3: scraper.pol_interval_minutes: unknown key" in problems(path)


def test_out_of_range_value_names_key_and_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  poll_interval_minutes: 90\n")
    message = problems(path)
    assert f"{path}:2: scraper.poll_interval_minutes:" in message
    assert "60" in message


def test_wrong_type_names_key(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  headless: sometimes\n")
    assert f"{path}:2: scraper.headless:" in problems(path)


def test_unknown_source_lists_the_choices(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  sources: [full-size, headphones]\n")
    message = problems(path)
    assert "scraper.sources: unknown source headphones" in message
    assert "in-ear-monitors" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  headless: maybe\n  timeout_seconds: -1\nlogging:\n  level: loud\n")
    message = problems(path)
    assert "3 problems" in message
    for key in ("scraper.headless", "scraper.timeout_seconds", "logging.level"):
        assert key in message


def test_missing_rule_field_points_at_the_rule(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: a\n    expression: '\"x\"'\n  - name: b\n")
    assert f"{path}:4: rules[1].expression: required key is missing" in problems(path)


def test_bad_rule_names_rule_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: cheap\n    expression: 'prise < 100'\n")
    message = problems(path)
    assert f"{path}:3: rules[0].expression" in message
    assert 'rule "cheap"' in message
    assert "prise" in message
    assert "    ^" in message


def test_rule_naming_unknown_channel_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: a\n    expression: '\"x\"'\n    channels: [discord]\n")
    assert 'rules[0].channels: unknown channel "discord"' in problems(path)


def test_duplicate_channel_names_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "notifications:\n  channels:\n    - {name: c, type: console}\n"
                           "    - {name: c, type: console}\n")
    assert "channel name used twice: c" in problems(path)


def test_unknown_channel_type_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "notifications:\n  channels:\n    - {name: c, type: pigeon}\n")
    assert f"{path}:3: notifications.channels[0]" in problems(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  base_url: [unclosed\nrules: []\n")
    assert "not valid YAML" in problems(path)
    assert f"{path}:" in problems(path)


def test_missing_file_suggests_init(tmp_path: Path) -> None:
    assert "audiowatch init" in problems(tmp_path / "nope.yaml")


def test_variable_expands_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8765")
    config = load_config(write(tmp_path, "scraper:\n  base_url: '${SITE_URL}'\n"))
    assert config.scraper.base_url == "http://127.0.0.1:8765"


def test_variable_expands_from_dotenv_beside_the_config(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("# comment\nexport SITE_URL='http://127.0.0.1:8766'\n", encoding="utf-8")
    config = load_config(write(tmp_path, "scraper:\n  base_url: '${SITE_URL}'\n"))
    assert config.scraper.base_url == "http://127.0.0.1:8766"


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("SITE_URL=http://127.0.0.1:1\n", encoding="utf-8")
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:2")
    config = load_config(write(tmp_path, "scraper:\n  base_url: '${SITE_URL}'\n"))
    assert config.scraper.base_url == "http://127.0.0.1:2"


def test_unset_variable_names_variable_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  sources: [full-size]\n  base_url: '${NO_SUCH_VARIABLE}'\n")
    message = problems(path)
    assert f"{path}:3: scraper.base_url: ${{NO_SUCH_VARIABLE}} is not set" in message


def test_escaped_variable_stays_literal(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "rules:\n  - name: a\n    expression: '\"\\${X}\"'\n"))
    assert config.rules[0].expression == '"${X}"'


def test_bad_rule_is_reported_beside_validation_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  headless: maybe\nrules:\n  - name: a\n    expression: 'prise < 1'\n")
    message = problems(path)
    assert "2 problems" in message
    assert "scraper.headless" in message and 'unknown field "prise"' in message


def test_unset_variable_is_reported_once_for_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, "scraper:\n  base_url: '${NO_SUCH_VARIABLE}'\n")
    assert problems(path).count("scraper.base_url") == 1


def test_rule_filter_that_does_not_parse_names_the_filter_key(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: a\n    expression: '\"x\"'\n    filter: 'price < \"cheap\"'\n")
    message = problems(path)
    assert f"{path}:4: rules[0].filter: rule \"a\": price is a number but \"cheap\" is text" in message


def test_rule_with_unknown_category_suggests_the_close_one(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: a\n    expression: '\"x\"'\n    categories: [full-sized]\n")
    assert 'rules[0].categories: unknown category "full-sized" (did you mean "full-size"?)' in problems(path)


def test_rule_names_must_be_unique(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - {name: a, expression: '\"x\"'}\n  - {name: a, expression: '\"y\"'}\n")
    assert "rules: rule name used twice: a" in problems(path)


def test_rule_categories_and_filter_load(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: a\n    expression: '\"x\"'\n    categories: [dacs]\n"
                           "    filter: 'price < 500'\n")
    [rule] = load_config(path).rules
    assert (rule.categories, rule.filter) == (["dacs"], "price < 500")
