"""Event detection: new, price drop and ended listings; silence while seeding."""

from __future__ import annotations

from audiowatch.events import Event, EventKind, detect_events
from audiowatch.listing import ListingStatus
from audiowatch.store.listings import Change
from tests.support.listings import make_listing


def test_new_listing_is_a_new_event() -> None:
    [event] = detect_events([Change(None, make_listing(1))], seeding=False)
    assert (event.kind, event.key) == (EventKind.NEW, "new:1")


def test_seeding_produces_no_events() -> None:
    assert detect_events([Change(None, make_listing(1))], seeding=True) == []


def test_lower_price_is_a_price_drop_keyed_by_new_price() -> None:
    before, after = make_listing(1, price=999.0), make_listing(1, price=899.0)
    [event] = detect_events([Change(before, after)], seeding=False)
    assert (event.kind, event.key, event.previous) == (EventKind.PRICE_DROP, "price_drop:1:899.0", before)


def test_higher_price_is_no_event() -> None:
    change = Change(make_listing(1, price=5.0), make_listing(1, price=6.0))
    assert detect_events([change], seeding=False) == []


def test_currency_switch_is_not_a_price_drop() -> None:
    before = make_listing(1, price=999.0, currency="USD")
    after = make_listing(1, price=900.0, currency="EUR")
    assert detect_events([Change(before, after)], seeding=False) == []


def test_sold_listing_is_an_ended_event() -> None:
    before, after = make_listing(1), make_listing(1, status=ListingStatus.SOLD)
    [event] = detect_events([Change(before, after)], seeding=False)
    assert (event.kind, event.key) == (EventKind.ENDED, "ended:1:sold")


def test_edit_without_price_or_status_change_is_no_event() -> None:
    before = make_listing(1)
    after = make_listing(1, edited_at="2026-11-28T10:00:00+00:00")
    assert detect_events([Change(before, after)], seeding=False) == []


def test_event_keys_differ_per_kind_and_listing() -> None:
    keys = {Event(EventKind.NEW, make_listing(1)).key, Event(EventKind.NEW, make_listing(2)).key}
    assert len(keys) == 2


def test_events_come_oldest_listing_first() -> None:
    changes = [Change(None, make_listing(3)), Change(None, make_listing(1)), Change(None, make_listing(2))]
    assert [event.listing.listing_id for event in detect_events(changes, seeding=False)] == [1, 2, 3]
