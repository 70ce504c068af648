"""Which events match which watch rules (pure): events x compiled rules -> matches."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from audiowatch.config.model import Config
from audiowatch.events import Event, EventKind
from audiowatch.listing import Listing
from audiowatch.rules import comparable as rules_comparable
from audiowatch.rules import compile as rules_compile
from audiowatch.rules import conditions, nodes


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A watch rule ready to evaluate: the global filter, categories, filter and expression ANDed."""

    name: str
    predicate: rules_compile.Predicate
    channels: tuple[str, ...] | None  # None: every channel
    expression: str = ""  # as written; with the name, identifies the rule across ticks
    urgent: bool = False  # its matches go out even during quiet hours
    # When this rule (name and expression) was first seen; it fires only for listings first
    # seen since then. None: not yet known (every listing counts).
    since: datetime | None = None
    # Which stored listings compare with its matches, for market context; None: none do (see
    # rules/comparable.py).
    comparable: nodes.Node | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """An event and the names of every rule it matched, in configuration order."""

    event: Event
    rules: tuple[str, ...]


def compile_rules(config: Config) -> list[CompiledRule]:
    """Compile every configured rule once for this tick. Raise RuleError for a bad one."""
    return [
        CompiledRule(parts.name, rules_compile.compile_expression(parts.tree), parts.channels,
                     expression=rule.expression, urgent=rule.urgent,
                     comparable=rules_comparable.comparable_for_rule(parts))
        for rule, parts in zip(config.rules, rule_conditions(config), strict=True)
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


def with_since(rules: Sequence[CompiledRule], since: Mapping[tuple[str, str], datetime]) -> list[CompiledRule]:
    """Return the rules with ``since`` filled in from (name, expression) -> first seen."""
    return [dataclasses.replace(rule, since=since.get((rule.name, rule.expression))) for rule in rules]


def match_events(
    events: Sequence[Event], rules: Sequence[CompiledRule], now: datetime,
    first_seen: Mapping[int, datetime] | None = None,
) -> list[Match]:
    """Return one Match per event that at least one rule matches.

    New listings and price drops are judged on the listing as it is now; an ended listing is
    judged as it was before it ended, so "your HD800 sold" reaches whoever watched it.
    A rule ignores listings stored before it existed (``first_seen`` maps listing id to when
    AudioWatch first stored it), so adding a rule never floods the user with old listings.
    """
    first_seen = first_seen or {}
    matches: list[Match] = []
    for event in events:
        seen = first_seen.get(event.listing.listing_id, now)
        names = tuple(rule.name for rule in rules if _is_watching(rule, seen) and _matches(rule, event, now))
        if names:
            matches.append(Match(event, names))
    return matches


def is_urgent(match: Match, rules: Sequence[CompiledRule]) -> bool:
    """True when any rule the match names is urgent."""
    return any(rule.urgent for rule in rules if rule.name in match.rules)


def channels_for(match: Match, rules: Sequence[CompiledRule], channel_names: Sequence[str]) -> list[str]:
    """Return the channels a match goes to: the union of its rules' channels, in config order."""
    wanted: set[str] = set()
    for rule in rules:
        if rule.name in match.rules:
            wanted.update(rule.channels if rule.channels is not None else channel_names)
    return [name for name in channel_names if name in wanted]


def comparable_for(match: Match, rules: Sequence[CompiledRule]) -> nodes.Node | None:
    """Return the condition that picks the asks comparable to a match, or None.

    It is the comparable condition (rules/comparable.py) of the first rule the match names, in
    config order, that has one. An ended listing gets None: its price is no longer on offer.
    """
    if match.event.kind is EventKind.ENDED:
        return None
    return next((rule.comparable for rule in rules if rule.name in match.rules and rule.comparable is not None), None)


def _is_watching(rule: CompiledRule, listing_first_seen: datetime) -> bool:
    return rule.since is None or listing_first_seen >= rule.since


def _matches(rule: CompiledRule, event: Event, now: datetime) -> bool:
    if event.kind is EventKind.ENDED:
        before: Listing = event.previous or event.listing
        return rule.predicate(before, now)
    return rule.predicate(event.listing, now)
