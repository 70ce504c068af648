"""Every configuration key, its type, default and range, in one place (SPEC §3)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

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
    # auto: until block-aware fetching lands, auto drives the browser (the mode that gets
    # past challenge pages); http and browser force one fetcher.
    fetcher: Literal["auto", "http", "browser"] = "auto"
    headless: bool = True
    timeout_seconds: float = Field(30, gt=0, le=600)
    executable_path: Path | None = None

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


class ConsoleChannel(_Strict):
    """Prints each notification to standard output."""

    name: str = Field(min_length=1)
    type: Literal["console"]


ChannelSettings = Annotated[ConsoleChannel, Field(discriminator="type")]


class NotificationSettings(_Strict):
    channels: list[ChannelSettings] = Field(
        default_factory=lambda: [ConsoleChannel(name="console", type="console")]
    )

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


# Kept for the type checker and for channels added later; SecretStr marks values never logged.
__all__ = ["ChannelSettings", "Config", "Rule", "ScraperSettings", "SecretStr"]
