"""The command line: help, init, parse, and how tick reports configuration and site errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from audiowatch.cli import cli as root
from audiowatch.listing import LISTING_FIELDS
from audiowatch.simulator.server import SimulatedSite

PAGES = Path(__file__).parent / "pages"


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = [(prefix or "audiowatch", group)]
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(root), ids=lambda value: str(value))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help and "Example:" in command.help, f"{name} needs an Example: in its help"


@pytest.mark.parametrize("command", ["tick", "scrape", "parse"])
def test_help_does_not_import_heavy_libraries(command: str) -> None:
    code = (
        "import sys\nfrom audiowatch.cli import cli\n"
        f"try:\n    cli(['{command}', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('duckdb', 'playwright', 'requests') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip().splitlines()[-1] == "[]"


def test_init_writes_a_config_that_loads(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    result = cli("init", "--config", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.is_file() and (tmp_path / "data").is_dir()


def test_init_refuses_to_overwrite_an_existing_config(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("rules: []\n", encoding="utf-8")
    result = cli("init", "--config", str(path))
    assert result.exit_code == 78
    assert "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "rules: []\n"


def test_parse_json_prints_one_spec_object_per_listing(cli: Callable[..., Any]) -> None:
    result = cli("parse", str(PAGES / "category-page-first.html"), "--json")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 20
    assert all(set(record) == LISTING_FIELDS for record in records)


def test_parse_without_json_prints_a_line_per_listing(cli: Callable[..., Any]) -> None:
    result = cli("parse", str(PAGES / "category-page-last.html"))
    assert result.exit_code == 0
    assert "listing(s)" in result.stderr
    assert len(result.stdout.splitlines()) >= 1


def test_tick_with_malformed_config_exits_78_naming_the_key(
    cli: Callable[..., Any], make_config: Callable[..., Path]
) -> None:
    path = make_config(scraper={"rate_limit_delay_seconds": "fast"})
    result = cli("tick", "--config", str(path))
    assert result.exit_code == 78
    assert "scraper.rate_limit_delay_seconds" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_tick_with_unset_variable_exits_78_naming_it(
    cli: Callable[..., Any], make_config: Callable[..., Path]
) -> None:
    path = make_config(scraper={"base_url": "${AUDIOWATCH_TEST_SITE}"})
    result = cli("tick", "--config", str(path))
    assert result.exit_code == 78
    assert "${AUDIOWATCH_TEST_SITE} is not set" in result.stderr
    assert "scraper.base_url" in result.stderr
    assert "Traceback" not in result.stderr


def test_tick_with_unparsable_yaml_exits_78(cli: Callable[..., Any], tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("scraper:\n  sources: [full-size\n", encoding="utf-8")
    result = cli("tick", "--config", str(path))
    assert result.exit_code == 78
    assert "not valid YAML" in result.stderr


def test_tick_against_an_unreachable_site_exits_69(
    cli: Callable[..., Any], make_config: Callable[..., Path]
) -> None:
    result = cli("tick", "--config", str(make_config("http://127.0.0.1:9")))
    assert result.exit_code == 69
    assert "could not scrape" in result.stderr
    assert "Traceback" not in result.stderr


def test_tick_dry_run_says_nothing_was_sent(
    cli: Callable[..., Any], make_config: Callable[..., Path], site: SimulatedSite
) -> None:
    result = cli("tick", "--dry-run", "--max-pages", "1", "--config", str(make_config(site.base_url)))
    assert result.exit_code == 0, result.stderr
    assert "nothing was sent" in result.stdout


def test_log_format_json_writes_json_lines_to_stderr(
    cli: Callable[..., Any], make_config: Callable[..., Path], site: SimulatedSite
) -> None:
    result = cli("--log-format", "json", "tick", "--max-pages", "1", "--config", str(make_config(site.base_url)))
    events = [json.loads(line)["event"] for line in result.stderr.splitlines() if line.startswith("{")]
    assert "tick_started" in events and "tick_finished" in events


def test_subcommand_help_does_not_import_structlog() -> None:
    code = (
        "import sys\nfrom audiowatch.cli import cli\n"
        "try:\n    cli(['status', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('structlog' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip().splitlines()[-1] == "False"
