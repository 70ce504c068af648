"""Round tick values for the price and date axes of a chart (pure)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from audiowatch.prices import history

# Steps people read at a glance; the first that keeps the ticks under the limit wins.
_PRICE_MULTIPLES = (1.0, 2.0, 2.5, 5.0, 10.0)
_HOURS = (1, 3, 6, 12)
_DAYS = (1, 2, 7, 14)
_MONTHS = (1, 2, 3, 6, 12)


def price_range(prices: history.CurrencyPrices) -> tuple[float, float]:
    """The lowest and highest price a chart must show: every observation, not only the latest asks."""
    observed = [observation.price for observation in prices.observations]
    return min(observed), max(observed)


def price_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Return evenly spaced round prices, at most ``most`` of them, from at or below ``low`` to at or above ``high``."""
    if high - low < 1e-9:
        # One price: centre it in a band of about 10% so it is not drawn on the frame.
        margin = max(abs(low) * 0.05, 1.0)
        low, high = low - margin, high + margin
    raw = (high - low) / max(most - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in _PRICE_MULTIPLES:
        step = multiple * magnitude
        first, last = math.floor(low / step), math.ceil(high / step)
        if last - first + 1 <= most:
            return [round(index * step, 10) for index in range(first, last + 1)]
    raise AssertionError("the 10x step always fits")  # pragma: no cover


def date_range(first: datetime, now: datetime) -> tuple[datetime, datetime]:
    """Return the span a chart's time axis covers: from the day of ``first`` to ``now``, at least two days."""
    return _floor_day(min(first, now - timedelta(days=2))), now


def week_middle(week: date, start: datetime, end: datetime) -> datetime:
    """Where the median of the week starting Monday ``week`` is drawn: the middle of its part inside [start, end]."""
    monday = datetime(week.year, week.month, week.day, tzinfo=UTC)
    first, last = max(monday, start), min(monday + timedelta(days=7), end)
    return first + (last - first) / 2


def date_ticks(start: datetime, end: datetime, most: int = 6) -> list[tuple[datetime, str]]:
    """Return up to ``most`` round moments between ``start`` and ``end`` (aware UTC), each with its label."""
    for hours in _HOURS:
        ticks = _every(_floor_hours(start, hours), timedelta(hours=hours), start, end)
        if len(ticks) <= most:
            return [(tick, tick.strftime("%m-%d %H:%M")) for tick in ticks]
    for days in _DAYS:
        first = _floor_day(start) - (timedelta(days=start.weekday()) if days >= 7 else timedelta(0))
        ticks = _every(first, timedelta(days=days), start, end)
        if len(ticks) <= most:
            return [(tick, tick.strftime("%Y-%m-%d")) for tick in ticks]
    for months in _MONTHS:
        ticks = _month_starts(start, end, months)
        if len(ticks) <= most:
            return [(tick, tick.strftime("%b %Y")) for tick in ticks]
    years = _month_starts(start, end, 12 * math.ceil((end.year - start.year + 1) / most))
    return [(tick, tick.strftime("%Y")) for tick in years]


def _every(first: datetime, step: timedelta, start: datetime, end: datetime) -> list[datetime]:
    ticks: list[datetime] = []
    tick = first
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        tick += step
    return ticks


def _floor_day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _floor_hours(moment: datetime, hours: int) -> datetime:
    return _floor_day(moment) + timedelta(hours=moment.hour - moment.hour % hours)


def _month_starts(start: datetime, end: datetime, months: int) -> list[datetime]:
    ticks: list[datetime] = []
    index = (start.year * 12 + start.month - 1) // months * months
    while True:
        tick = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
        if tick > end:
            return ticks
        if tick >= start:
            ticks.append(tick)
        index += months


def price_label(amount: float, currency: str | None) -> str:
    """A short amount for axes and tables, where the currency is named once nearby: `$1,050`, `€899.50`."""
    from audiowatch.notify import render

    text = render.format_amount(amount, currency)
    if currency:
        text = text.removesuffix(f" {currency}")
    return text.removesuffix(".00")
