"""`audiowatch notify test`: a sample through each channel, a report per channel, the right exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.discord_api import WEBHOOK_TOKEN, DiscordAPI, Respond


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
    assert result.stdout.count("sent in ") == 2
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
    assert "failed in " in result.stdout and "Discord answered HTTP 502" in result.stdout
    assert "did not get through on: discord" in result.stderr
    assert WEBHOOK_TOKEN not in result.stdout + result.stderr


def test_notify_test_refused_webhook_exits_78(
    cli: Callable[..., Any], make_config: Callable[..., Path], discord_api: DiscordAPI
) -> None:
    discord_api.then(Respond(401))
    result = cli("notify", "test", "--config", str(make_config(notifications=channels(discord_api))))
    assert result.exit_code == 78
    assert "refused in " in result.stdout and "token is wrong" in result.stdout
    assert "Traceback" not in result.stderr
