"""`audiowatch notify test`: a sample through each channel, a report per channel, the right exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from audiowatch.simulator.server import SimulatedSite
from tests.support.discord_api import WEBHOOK_TOKEN, DiscordAPI, Respond
from tests.support.smtp_server import SmtpServer


def channels(api: DiscordAPI) -> dict[str, Any]:
    return {"channels": [{"name": "console", "type": "console"},
                         {"name": "discord", "type": "discord", "webhook_url": api.webhook_url}]}


def test_notify_test_sends_the_sample_through_every_channel(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI
) -> None:
    result = cli("notify", "test", "--config", str(make_config(notifications=channels(discord_api))))
    assert result.exit_code == 0, result.stderr
    assert "console (console): Prints each notification to standard output" in result.stdout
    assert "discord (discord): Posts to a Discord channel through a webhook" in result.stdout
    assert result.stdout.count("  sent (") == 2
    assert "Test from AudioWatch: Sennheiser HD 800 S" in result.stdout  # what the console channel printed
    assert discord_api.titles() == ["Sennheiser HD 800 S - mint, with case and balanced cable"]


def test_notify_test_channel_option_tests_only_that_channel(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI
) -> None:
    path = make_config(notifications=channels(discord_api))
    result = cli("notify", "test", "--channel", "discord", "--json", "--config", str(path))
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (record["name"], record["type"], record["ok"], record["outcome"]) == ("discord", "discord", True, "sent")


def test_notify_test_unknown_channel_exits_78_naming_the_configured_ones(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI
) -> None:
    path = make_config(notifications=channels(discord_api))
    result = cli("notify", "test", "--channel", "pager", "--config", str(path))
    assert result.exit_code == 78
    assert "no channel named pager; configured channels: console, discord" in result.stderr


def test_notify_test_failing_channel_exits_69_with_the_reason(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI
) -> None:
    discord_api.then(Respond(502))
    result = cli("notify", "test", "--config", str(make_config(notifications=channels(discord_api))))
    assert result.exit_code == 69
    assert "  failed (" in result.stdout and "Discord answered HTTP 502" in result.stdout
    assert "did not get through on: discord" in result.stderr
    assert WEBHOOK_TOKEN not in result.stdout + result.stderr


def test_notify_test_refused_webhook_exits_78(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI
) -> None:
    discord_api.then(Respond(401))
    result = cli("notify", "test", "--config", str(make_config(notifications=channels(discord_api))))
    assert result.exit_code == 78
    assert "  refused (" in result.stdout and "token is wrong" in result.stdout
    assert "Traceback" not in result.stderr


def test_tick_says_how_many_notifications_wait_for_a_retry(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI, site: SimulatedSite,
    now: datetime,
) -> None:
    path = make_config(site.base_url, notifications=channels(discord_api))
    assert cli("tick", "--config", str(path)).exit_code == 0
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=950.0)
    discord_api.then(Respond(503))
    result = cli("tick", "--config", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Notifications: 1 sent, 1 waiting to be retried, 0 held for the quiet hours, 0 failed" in result.stderr


def test_notify_test_email_trusts_a_tls_ca_file_relative_to_the_config(
    cli: Callable[..., Any], make_config: Callable[..., Path], smtp_server: SmtpServer, tmp_path: Path
) -> None:
    email = smtp_server.channel_settings(tls_ca_file=smtp_server.ca_file.name)
    assert smtp_server.ca_file.parent == tmp_path
    result = cli("notify", "test", "--config", str(make_config(notifications={"channels": [email]})))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "email (email): Sends mail over SMTP with a verified TLS connection" in result.stdout
    assert [received.mail["Subject"].startswith("[AudioWatch] Test from AudioWatch") for received in
            smtp_server.received] == [True]
