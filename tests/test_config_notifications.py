"""Notification settings: channels, quiet hours, ops; secrets stay hidden; the starter documents every key."""

from __future__ import annotations

import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic
import pytest

from audiowatch.config import model
from audiowatch.config.load import load_config
from tests.support.configs import problems, write

CHANNELS = """\
notifications:
  channels:
    - {name: discord, type: discord, webhook_url: '${HOOK}'}
    - {name: email, type: email, to: me@example.org, username: me@gmail.com, password: '${APP_PASSWORD}'}
    - {name: phone, type: apprise, url: 'ntfy://ntfy.sh/${TOPIC}'}
"""


def test_discord_email_and_apprise_channels_load_with_secrets_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("HOOK=https://discord.com/api/webhooks/1/t0ken\nAPP_PASSWORD=abcd efgh\n"
                                   "TOPIC=secret-topic\n", encoding="utf-8")
    config = load_config(write(tmp_path, CHANNELS))
    discord, email, phone = config.notifications.channels
    assert isinstance(discord, model.DiscordChannel) and isinstance(email, model.EmailChannel)
    assert isinstance(phone, model.AppriseChannel)
    assert (email.host, email.effective_port, email.sender, email.to) == ("smtp.gmail.com", 587, "me@gmail.com",
                                                                          ["me@example.org"])
    shown = repr(config) + str(config.model_dump())
    assert "t0ken" not in shown and "abcd efgh" not in shown and "secret-topic" not in shown


def test_implicit_tls_defaults_to_port_465(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "notifications:\n  channels:\n    - {name: e, type: email, to: a@b.org,"
                                         " from: c@d.org, security: tls}\n"))
    channel = config.notifications.channels[0]
    assert isinstance(channel, model.EmailChannel) and channel.effective_port == 465


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("notifications:\n  channels:\n    - {name: d, type: discord, webhook_url: 'ftp://x'}\n",
         "config.yaml:3: notifications.channels[0].webhook_url: must be an http:// or https:// URL"),
        ("notifications:\n  channels:\n    - {name: d, type: discord, webhook_url: 'https://x',"
         " username: Discord Bot}\n",
         'notifications.channels[0].username: Discord refuses webhook names containing "clyde" or "discord"'),
        ("notifications:\n  channels:\n    - {name: e, type: email, to: not-an-address, from: a@b.org}\n",
         "notifications.channels[0].to: not an email address: not-an-address"),
        ("notifications:\n  channels:\n    - {name: e, type: email, to: a@b.org, username: a@b.org}\n",
         "set both username and password, or neither"),
        ("notifications:\n  quiet_hours: {start: 22:00, end: '07:00'}\n",
         'notifications.quiet_hours.start: write the time in quotes, e.g. "22:00"'),
        ("notifications:\n  quiet_hours: {start: '22:00', end: '22:00'}\n",
         "notifications.quiet_hours: start and end are the same time"),
        ("notifications:\n  timezone: Europe/Berln\n",
         'config.yaml:2: notifications.timezone: unknown time zone "Europe/Berln"'),
        ("notifications:\n  ops: {channel: pager}\n",
         'config.yaml:2: notifications.ops.channel: unknown channel "pager"; configured channels: console'),
        ("notifications:\n  max_age_hours: 0\n", "notifications.max_age_hours"),
    ],
    ids=["webhook-not-http", "webhook-name-discord", "bad-address", "password-missing", "unquoted-time",
         "empty-window", "unknown-zone", "unknown-ops-channel", "max-age-zero"],
)
def test_notification_mistakes_name_key_and_line(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in problems(write(tmp_path, text))


def test_unset_webhook_variable_is_an_error_not_a_disabled_channel(tmp_path: Path) -> None:
    message = problems(write(tmp_path, CHANNELS))
    assert "notifications.channels[0].webhook_url: ${HOOK} is not set" in message


def _keys(model_type: Any, seen: set[Any]) -> set[str]:
    """Every YAML key of a settings model and the models inside it."""
    if model_type in seen:
        return set()
    seen.add(model_type)
    keys: set[str] = set()
    for name, field in model_type.model_fields.items():
        if field.exclude:
            continue
        keys.add(field.alias or name)
        for inner in _models_in(field.annotation):
            keys |= _keys(inner, seen)
    return keys


def _models_in(annotation: Any) -> list[Any]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        return [found for argument in typing.get_args(annotation) for found in _models_in(argument)]
    return []


def test_starter_config_mentions_every_key() -> None:
    starter = resources.files("audiowatch.config").joinpath("starter.yaml").read_text(encoding="utf-8")
    missing = sorted(key for key in _keys(model.Config, set()) if f"{key}:" not in starter)
    assert missing == []
