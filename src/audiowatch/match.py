"""Which events match which watch rules (pure): events x compiled rules -> matches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from audiowatch.config.model import Config
from audiowatch.events import Event, EventKind
from audiowatch.listing import Listing
from audiowatch.rules import compile as rules_compile
from audiowatch.rules import conditions


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A watch rule ready to evaluate: the global filter, categories, filter and expression ANDed."""

    name: str
    predicate: rules_compile.Predicate
    channels: tuple[str, ...] | None  # None: every channel


@dataclass(frozen=True, slots=True)
class Match:
    """An event and the names of every rule it matched, in configuration order."""

    event: Event
    rules: tuple[str, ...]


def compile_rules(config: Config) -> list[CompiledRule]:
    """Compile every configured rule once for this tick. Raise RuleError for a bad one."""
    return [
        CompiledRule(rule.name, rules_compile.compile_expression(rule.tree), rule.channels)
        for rule in rule_conditions(config)
    ]


def rule_conditions(config: Config) -> list[conditions.RuleConditions]:
    """Return every configured rule as its parts: the global filter, categories, filter and expression."""
    return [
        conditions.assemble(
            rule.name, rule.expression, global_filter=config.filters.global_, categories=rule.categories,
            filter_text=rule.filter, channels=rule.channels,
        )
        for rule in config.rules
    ]


def match_events(events: Sequence[Event], rules: Sequence[CompiledRule], now: datetime) -> list[Match]:
    """Return one Match per event that at least one rule matches.

    New listings and price drops are judged on the listing as it is now; an ended listing is
    judged as it was before it ended, so "your HD800 sold" reaches whoever watched it.
    """
    matches: list[Match] = []
    for event in events:
        names = tuple(rule.name for rule in rules if _matches(rule, event, now))
        if names:
            matches.append(Match(event, names))
    return matches


def channels_for(match: Match, rules: Sequence[CompiledRule], channel_names: Sequence[str]) -> list[str]:
    """Return the channels a match goes to: the union of its rules' channels, in config order."""
    wanted: set[str] = set()
    for rule in rules:
        if rule.name in match.rules:
            wanted.update(rule.channels if rule.channels is not None else channel_names)
    return [name for name in channel_names if name in wanted]


def _matches(rule: CompiledRule, event: Event, now: datetime) -> bool:
    if event.kind is EventKind.ENDED:
        before: Listing = event.previous or event.listing
        return rule.predicate(before, now)
    return rule.predicate(event.listing, now)
