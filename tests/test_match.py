"""Matching events against compiled rules, with the global filter and per-rule channels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.events import Event, EventKind
from audiowatch.listing import ListingStatus
from audiowatch.match import channels_for, compile_rules, match_events
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def config_with(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


RULES = """
notifications:
  channels:
    - {name: console, type: console}
    - {name: quiet, type: console}
rules:
  - {name: hd800, expression: '"HD800" AND price < 1000'}
  - {name: sennheiser, expression: '"Sennheiser"', channels: [quiet]}
  - {name: utopia, expression: '"Utopia"', channels: [console]}
"""


def test_event_matching_two_rules_is_one_match_naming_both(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, RULES))
    [found] = match_events([Event(EventKind.NEW, make_listing(1, title="Sennheiser HD800"))], rules, NOW)
    assert found.rules == ("hd800", "sennheiser")


def test_event_matching_no_rule_is_dropped(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, RULES))
    assert match_events([Event(EventKind.NEW, make_listing(1, title="Focal Clear"))], rules, NOW) == []


def test_global_filter_hides_want_to_buy(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, RULES))
    wanted = make_listing(1, title="WTB HD800", listing_type="Want To Buy", price=None)
    assert match_events([Event(EventKind.NEW, wanted)], rules, NOW) == []


def test_global_filter_can_be_switched_off(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, RULES + "filters:\n  global: null\n"))
    sold = make_listing(1, title="Utopia", status=ListingStatus.SOLD)
    assert len(match_events([Event(EventKind.NEW, sold)], rules, NOW)) == 1


def test_ended_listing_matches_on_its_state_before_it_ended(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, RULES))
    before = make_listing(1, title="Focal Utopia")
    after = make_listing(1, title="Focal Utopia", status=ListingStatus.SOLD)
    [found] = match_events([Event(EventKind.ENDED, after, before)], rules, NOW)
    assert found.rules == ("utopia",)


def test_channels_are_the_union_of_the_matched_rules_channels(tmp_path: Path) -> None:
    config = config_with(tmp_path, RULES)
    rules = compile_rules(config)
    [found] = match_events([Event(EventKind.NEW, make_listing(1, title="Sennheiser HD800"))], rules, NOW)
    assert channels_for(found, rules, ["console", "quiet"]) == ["console", "quiet"]


def test_rule_with_channels_only_goes_there(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, RULES))
    [found] = match_events([Event(EventKind.NEW, make_listing(1, title="Focal Utopia"))], rules, NOW)
    assert channels_for(found, rules, ["console", "quiet"]) == ["console"]


PARTS = """
rules:
  - {name: headphones, expression: '"HD800"', categories: [headphones-for-sale-trade]}
  - {name: cheap-dac, expression: '"DAC"', categories: [dacs, dac-amps], filter: 'price < 300'}
"""


def test_rule_categories_keep_listings_from_other_categories_out(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, PARTS))
    found = match_events([Event(EventKind.NEW, make_listing(1, title="HD800 stand", category="desktop"))], rules, NOW)
    assert found == []


def test_rule_parent_category_includes_its_leaves(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, PARTS))
    [found] = match_events([Event(EventKind.NEW, make_listing(1, title="HD800", category="full-size"))], rules, NOW)
    assert found.rules == ("headphones",)


def test_rule_without_a_known_category_does_not_match_a_rule_with_categories(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, PARTS))
    assert match_events([Event(EventKind.NEW, make_listing(1, title="HD800", category=None))], rules, NOW) == []


def test_rule_filter_is_anded_in(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, PARTS))
    cheap = make_listing(1, title="Schiit DAC", price=250.0, category="dacs")
    dear = make_listing(2, title="Chord DAC", price=2500.0, category="dacs")
    found = match_events([Event(EventKind.NEW, cheap), Event(EventKind.NEW, dear)], rules, NOW)
    assert [match.event.listing.listing_id for match in found] == [1]


def test_global_filter_still_applies_to_rules_with_parts(tmp_path: Path) -> None:
    rules = compile_rules(config_with(tmp_path, PARTS))
    sold = make_listing(1, title="Schiit DAC", price=250.0, category="dacs", status=ListingStatus.SOLD)
    assert match_events([Event(EventKind.NEW, sold)], rules, NOW) == []
