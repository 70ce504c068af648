"""Round axis ticks for prices and dates, and short price labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from audiowatch.prices import axes

START = datetime(2026, 10, 3, 15, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(704.0, 966.0, [700.0, 750.0, 800.0, 850.0, 900.0, 950.0, 1000.0]),
     (800.0, 1299.0, [800.0, 900.0, 1000.0, 1100.0, 1200.0, 1300.0]),
     (12.5, 13.0, [12.5, 12.6, 12.7, 12.8, 12.9, 13.0])],
    ids=["fifties", "hundreds", "tenths"],
)
def test_price_ticks_are_round_and_cover_the_range(low: float, high: float, expected: list[float]) -> None:
    ticks = axes.price_ticks(low, high, most=7)
    assert ticks == expected


@pytest.mark.parametrize(("low", "high"), [(1.0, 99999.0), (0.0, 7.0), (1049.5, 1050.5), (3.0, 3000.0)],
                         ids=["wide", "small", "narrow", "from-zero"])
def test_price_ticks_never_exceed_the_limit(low: float, high: float) -> None:
    ticks = axes.price_ticks(low, high, most=5)
    assert 2 <= len(ticks) <= 5
    assert ticks[0] <= low and ticks[-1] >= high


def test_price_ticks_put_a_single_price_inside_the_range() -> None:
    ticks = axes.price_ticks(1000.0, 1000.0)
    assert ticks[0] < 1000.0 < ticks[-1]


@pytest.mark.parametrize(
    ("span", "label"),
    [(timedelta(days=2), "10-04 12:00"), (timedelta(days=9), "2026-10-05"), (timedelta(days=58), "2026-10-12"),
     (timedelta(days=180), "Nov 2026"), (timedelta(days=3000), "2028")],
    ids=["hours", "days", "weeks", "months", "years"],
)
def test_date_ticks_pick_a_step_that_fits(span: timedelta, label: str) -> None:
    ticks = axes.date_ticks(START, START + span, most=6)
    assert 2 <= len(ticks) <= 6
    assert all(START <= moment <= START + span for moment, _ in ticks)
    assert label in [text for _, text in ticks]


def test_date_range_spans_at_least_two_days() -> None:
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert axes.date_range(now - timedelta(hours=1), now) == (datetime(2026, 11, 26, tzinfo=UTC), now)


def test_week_middle_stays_inside_the_charted_span() -> None:
    start, end = datetime(2026, 11, 18, tzinfo=UTC), datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert axes.week_middle(date(2026, 11, 16), start, end) == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert axes.week_middle(date(2026, 11, 23), start, end) == datetime(2026, 11, 25, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "currency", "label"),
    [(1050.0, "USD", "$1,050"), (899.5, "EUR", "€899.50"), (12.0, "CHF", "12"), (7.25, None, "7.25")],
    ids=["whole-dollars", "euro-cents", "no-symbol", "no-currency"],
)
def test_price_label_is_short(amount: float, currency: str | None, label: str) -> None:
    assert axes.price_label(amount, currency) == label
