"""Draw one currency's price history as an inline SVG chart: points, the weekly median line, axes (pure).

Every text that comes from a listing is escaped; nothing is loaded from outside the document.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from audiowatch.listing import ListingStatus
from audiowatch.notify import render
from audiowatch.prices import axes, history

WIDTH, HEIGHT = 880, 400
_LEFT, _RIGHT, _TOP, _BOTTOM = 84, 24, 40, 48
ENDED_COLOR, ACTIVE_COLOR, MEDIAN_COLOR, GRID_COLOR = "#c0392b", "#1f77b4", "#222222", "#dddddd"


def chart(prices: history.CurrencyPrices, now: datetime) -> str:
    """Return an ``<svg>`` element charting ``prices`` from its first observation to ``now``.

    Call only when there are observations. Each point's tooltip names the listing, price, date and status.
    """
    start, end = axes.date_range(prices.observations[0].observed_at, now)
    levels = axes.price_ticks(*axes.price_range(prices), most=6)
    plot_width, plot_height = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x(moment: datetime) -> float:
        return _LEFT + plot_width * (moment - start) / (end - start)

    def y(price: float) -> float:
        return _TOP + plot_height * (levels[-1] - price) / (levels[-1] - levels[0])

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="price history chart" '
        'font-family="system-ui, sans-serif" font-size="12">',
        *_price_grid(levels, prices.currency, y),
        *_date_axis(axes.date_ticks(start, end, most=8), x),
        *_points(prices, x, y),
        _median_line(prices.weeks, start, end, x, y),
        *_legend(),
        "</svg>",
    ]
    return "\n".join(part for part in parts if part)


def _price_grid(levels: list[float], currency: str | None, y: Callable[[float], float]) -> list[str]:
    lines = []
    for level in levels:
        top = f"{y(level):.1f}"
        lines.append(f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{top}" y2="{top}" stroke="{GRID_COLOR}"/>')
        lines.append(f'<text x="{_LEFT - 8}" y="{top}" text-anchor="end" dominant-baseline="middle">'
                     f"{escape(axes.price_label(level, currency))}</text>")
    return lines


def _date_axis(ticks: list[tuple[datetime, str]], x: Callable[[datetime], float]) -> list[str]:
    bottom = HEIGHT - _BOTTOM
    lines = [f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#888888"/>',
             f'<line x1="{_LEFT}" x2="{_LEFT}" y1="{_TOP}" y2="{bottom}" stroke="#888888"/>']
    for moment, label in ticks:
        left = f"{x(moment):.1f}"
        lines.append(f'<line x1="{left}" x2="{left}" y1="{bottom}" y2="{bottom + 5}" stroke="#888888"/>')
        lines.append(f'<text x="{left}" y="{bottom + 20}" text-anchor="middle">{escape(label)}</text>')
    return lines


def _points(
    prices: history.CurrencyPrices, x: Callable[[datetime], float], y: Callable[[float], float]
) -> list[str]:
    listings = {ask.listing.listing_id: ask.listing for ask in prices.asks}
    circles = []
    for observation in prices.observations:
        listing = listings[observation.listing_id]
        active = listing.status is ListingStatus.ACTIVE
        tip = (f"{listing.title} — {render.format_amount(observation.price, observation.currency)} "
               f"from {observation.observed_at:%Y-%m-%d} ({listing.status})")
        fill = ACTIVE_COLOR if active else ENDED_COLOR
        circles.append(f'<circle cx="{x(observation.observed_at):.1f}" cy="{y(observation.price):.1f}" r="4" '
                       f'fill="{fill}" fill-opacity="0.75"><title>{escape(tip)}</title></circle>')
    return circles


def _median_line(
    weeks: tuple[history.WeeklyMedian, ...], start: datetime, end: datetime,
    x: Callable[[datetime], float], y: Callable[[float], float],
) -> str:
    corners = [(x(axes.week_middle(week.week, start, end)), y(week.median)) for week in weeks]
    path = " ".join(f"{left:.1f},{top:.1f}" for left, top in corners)
    marks = "".join(f'<rect x="{left - 3:.1f}" y="{top - 3:.1f}" width="6" height="6" fill="{MEDIAN_COLOR}"/>'
                    for left, top in corners)
    return (f'<polyline points="{path}" fill="none" stroke="{MEDIAN_COLOR}" stroke-width="2"/>{marks}'
            if corners else "")


def _legend() -> list[str]:
    entries = (("sold, closed or traded", ENDED_COLOR, "circle"), ("active", ACTIVE_COLOR, "circle"),
               ("weekly median", MEDIAN_COLOR, "line"))
    parts, left = [], _LEFT
    for label, color, shape in entries:
        if shape == "circle":
            parts.append(f'<circle cx="{left + 6}" cy="18" r="5" fill="{color}"/>')
        else:
            parts.append(f'<line x1="{left}" x2="{left + 14}" y1="18" y2="18" stroke="{color}" stroke-width="2"/>')
        parts.append(f'<text x="{left + 18}" y="18" dominant-baseline="middle">{escape(label)}</text>')
        left += 26 + 7 * len(label)
    return parts
