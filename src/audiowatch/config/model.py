"""Every configuration key, its type, default and range, in one place (SPEC §3)."""

from __future__ import annotations

import difflib
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from audiowatch import sources


class _Strict(BaseModel):
    # Unknown keys are errors, never silently ignored (STYLE §6).
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScraperSettings(_Strict):
    base_url: str = "https://www.head-fi.org"
    sources: list[str] = Field(default_factory=lambda: list(sources.LEAF_SLUGS), min_length=1)
    poll_interval_minutes: int = Field(5, ge=1, le=60)
    initial_scrape_days: int = Field(30, ge=1, le=3650)
    initial_max_pages: int = Field(10, ge=1, le=500)
    scheduled_max_pages: int = Field(2, ge=1, le=100)
    rate_limit_delay_seconds: float = Field(2.0, ge=0, le=300)
    # auto: plain HTTP, switching to the browser when the site serves a bot challenge (and
    # remembering that for a while); http and browser force one fetcher.
    fetcher: Literal["auto", "http", "browser"] = "auto"
    headless: bool = True
    timeout_seconds: float = Field(30, gt=0, le=600)
    executable_path: Path | None = None
    # With the index as a source: listing pages fetched per tick to learn new listings' categories.
    category_lookups_per_tick: int = Field(20, ge=0, le=200)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f'must start with http:// or https://, got "{value}"')
        return value.rstrip("/")

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in sources.SOURCE_NAMES]
        if unknown:
            allowed = ", ".join(sources.SOURCE_NAMES)
            raise ValueError(f"unknown source {', '.join(unknown)}; choose from: {allowed}")
        if len(set(value)) != len(value):
            raise ValueError("lists a source twice")
        return value


class DatabaseSettings(_Strict):
    path: Path = Path("data/audiowatch.db")


class FilterSettings(_Strict):
    # `global` is a Python keyword, hence the alias.
    global_: str | None = Field(
        'status = "active" AND listing_type != "Want To Buy"', alias="global"
    )
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rule(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    expression: str = Field(min_length=1)
    # Only listings in these category slugs (a parent slug includes its leaves); None: any category.
    categories: list[str] | None = Field(None, min_length=1)
    filter: str | None = Field(None, min_length=1)  # ANDed in after the global filter and categories
    channels: list[str] | None = None  # None: every channel
    urgent: bool = False  # its matches go out even during quiet hours

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str] | None) -> list[str] | None:
        for slug in value or []:
            if slug not in sources.CATEGORIES_BY_SLUG:
                close = difflib.get_close_matches(slug, sources.CATEGORIES_BY_SLUG, n=1)
                hint = f'did you mean "{close[0]}"?' if close else "categories are " + ", ".join(
                    sources.CATEGORIES_BY_SLUG)
                raise ValueError(f'unknown category "{slug}" ({hint})')
        return value


class _ChannelBase(_Strict):
    name: str = Field(min_length=1)
    # One message per tick holding everything due, instead of one per notification.
    digest: bool = False


class ConsoleChannel(_ChannelBase):
    """Prints each notification to standard output."""

    type: Literal["console"]


# Discord rejects webhook names containing these (reference §6).
_DISCORD_FORBIDDEN_NAMES = ("clyde", "discord")
_EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


class DiscordChannel(_ChannelBase):
    """Posts to a Discord channel through a webhook."""

    type: Literal["discord"]
    webhook_url: SecretStr  # holds the webhook token: a secret, masked in logs
    username: str | None = Field(None, min_length=1, max_length=80)
    avatar_url: str | None = None
    timeout_seconds: float = Field(10, gt=0, le=120)
    # How long one tick may wait out Discord's rate limit before leaving the rest to the next tick.
    max_retry_wait_seconds: float = Field(10, ge=0, le=300)

    @field_validator("webhook_url")
    @classmethod
    def _http_webhook(cls, value: SecretStr) -> SecretStr:
        # Never repeat the value: it holds the token.
        if not value.get_secret_value().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL (Server Settings > Integrations > Webhooks)")
        return value

    @field_validator("username")
    @classmethod
    def _allowed_username(cls, value: str | None) -> str | None:
        if value is not None and any(word in value.lower() for word in _DISCORD_FORBIDDEN_NAMES):
            raise ValueError('Discord refuses webhook names containing "clyde" or "discord"')
        return value

    @field_validator("avatar_url")
    @classmethod
    def _http_avatar(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f'must start with http:// or https://, got "{value}"')
        return value


class EmailChannel(_ChannelBase):
    """Sends mail through an SMTP server; the defaults suit Gmail with an app password."""

    type: Literal["email"]
    to: list[str] = Field(min_length=1)
    from_address: str | None = Field(None, alias="from")  # default: username
    username: str | None = None
    password: SecretStr | None = None
    host: str = Field("smtp.gmail.com", min_length=1)
    port: int | None = Field(None, ge=1, le=65535)  # default: 587 for starttls, 465 for tls
    security: Literal["starttls", "tls"] = "starttls"
    tls_ca_file: Path | None = None  # extra CA certificate to trust, for private relays
    timeout_seconds: float = Field(30, gt=0, le=300)
    subject_prefix: str = "[AudioWatch] "
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [address for address in value if not _EMAIL_ADDRESS.match(address)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        return value

    @field_validator("from_address")
    @classmethod
    def _from_address(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL_ADDRESS.match(value):
            raise ValueError(f"not an email address: {value}")
        return value

    @model_validator(mode="after")
    def _login_and_sender(self) -> EmailChannel:
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither (for a relay without login)")
        if self.from_address is None and not (self.username and _EMAIL_ADDRESS.match(self.username)):
            raise ValueError("set from: the sender address (it defaults to username, which is not an address)")
        return self

    @property
    def sender(self) -> str:
        return self.from_address or self.username or ""

    @property
    def effective_port(self) -> int:
        return self.port or (465 if self.security == "tls" else 587)


class AppriseChannel(_ChannelBase):
    """Sends through Apprise (ntfy, Telegram, Pushover and many more); needs audiowatch[apprise]."""

    type: Literal["apprise"]
    # One service per channel, so one failing service never makes another get a message twice.
    # Apprise URLs carry tokens: a secret.
    url: SecretStr


ChannelSettings = Annotated[
    ConsoleChannel | DiscordChannel | EmailChannel | AppriseChannel, Field(discriminator="type")
]


def _clock_time(value: Any) -> Any:
    # YAML reads an unquoted 22:00 as the base-60 number 1320; a quoted "22:00" is unambiguous.
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError('write the time in quotes, e.g. "22:00" (YAML reads an unquoted 22:00 as a number)')
    return value


class QuietHours(_Strict):
    """A daily window, in notifications.timezone, when only urgent rules notify."""

    start: time
    end: time

    _quoted = field_validator("start", "end", mode="before")(_clock_time)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end are the same time; remove quiet_hours to never be quiet")
        return self


class OpsSettings(_Strict):
    """Alerts about AudioWatch itself: failing ticks, blocks, layout changes, a daily heartbeat."""

    channel: str | None = None  # where ops alerts go; None: they are only logged
    failed_ticks: int = Field(3, ge=1, le=1000)  # alert after this many failed ticks in a row
    heartbeat: time | None = None  # a daily summary at this local time
    ping_url: SecretStr | None = None  # a dead-man switch (healthchecks.io style) hit after each good tick

    _quoted = field_validator("heartbeat", mode="before")(_clock_time)

    @field_validator("ping_url")
    @classmethod
    def _http_ping(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


def _default_channels() -> list[ChannelSettings]:
    return [ConsoleChannel(name="console", type="console")]


class NotificationSettings(_Strict):
    channels: list[ChannelSettings] = Field(default_factory=_default_channels)
    timezone: str | None = None  # for quiet hours and the heartbeat; None: this machine's
    quiet_hours: QuietHours | None = None
    # A notification still undelivered after this long is marked failed and reported.
    max_age_hours: float = Field(48, ge=1, le=24 * 30)
    ops: OpsSettings = Field(default_factory=OpsSettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'unknown time zone "{value}"; use an IANA name such as Europe/Berlin') from None
        return value

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, value: list[ChannelSettings]) -> list[ChannelSettings]:
        names = [channel.name for channel in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"channel name used twice: {', '.join(duplicates)}")
        return value


class LoggingSettings(_Strict):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class Config(_Strict):
    scraper: ScraperSettings = Field(default_factory=ScraperSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    filters: FilterSettings = Field(default_factory=FilterSettings)
    rules: list[Rule] = Field(default_factory=list)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    # Where the file was read from; relative paths resolve against its folder. Not a YAML key.
    source_path: Path | None = Field(default=None, exclude=True)

    @field_validator("rules")
    @classmethod
    def _unique_rule_names(cls, value: list[Rule]) -> list[Rule]:
        names = [rule.name for rule in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            # Notifications and `rules test NAME` name rules; two with one name would be ambiguous.
            raise ValueError(f"rule name used twice: {', '.join(duplicates)}")
        return value

    @property
    def folder(self) -> Path:
        return self.source_path.parent if self.source_path else Path.cwd()

    @property
    def database_path(self) -> Path:
        path = self.database.path.expanduser()
        return path if path.is_absolute() else (self.folder / path).resolve()

    def resolve_path(self, path: Path, folder: Path | None = None) -> Path:
        """Return ``path`` with ~ expanded, relative to the config file's folder unless absolute."""
        path = path.expanduser()
        return path if path.is_absolute() else ((folder or self.folder) / path).resolve()


# Kept for the type checker and for channels added later; SecretStr marks values never logged.
__all__ = ["ChannelSettings", "Config", "Rule", "ScraperSettings", "SecretStr"]
