"""Draw one currency's price history as text with plotext: points per listing status, the weekly median."""

from __future__ import annotations

from datetime import datetime

from audiowatch.listing import ListingStatus
from audiowatch.prices import axes, history

HEIGHT = 20
# (plotext marker, whether the listing is active now): what ended (sold…) is the better price evidence,
# so it is told apart from what is still for sale.
_SERIES = (("dot", False), ("x", True))
# Below the chart rather than plotext's legend, which sits inside the frame and hides points.
LEGEND = "• sold or ended  x active  ▄▀ weekly median"


def render(prices: history.CurrencyPrices, now: datetime, width: int, title: str, *, color: bool) -> str:
    """Return the chart of ``prices`` from its first observation to ``now``, ``width`` columns wide, and its legend.

    Call only when there are observations. ANSI colours are kept only with ``color``.
    """
    import plotext as plt

    start, end = axes.date_range(prices.observations[0].observed_at, now)
    statuses = {ask.listing.listing_id: ask.listing.status for ask in prices.asks}

    def days(moment: datetime) -> float:
        return (moment - start).total_seconds() / 86_400

    plt.clear_figure()
    plt.plotsize(width, HEIGHT)
    plt.theme("clear")  # no background colour, so it reads on light and dark terminals alike
    plt.title(title)
    # The median line first, so the points (the data) are drawn over it, not hidden by it.
    plt.plot([days(axes.week_middle(week.week, start, end)) for week in prices.weeks],
             [week.median for week in prices.weeks])
    for marker, active in _SERIES:
        chosen = [found for found in prices.observations
                  if (statuses[found.listing_id] is ListingStatus.ACTIVE) is active]
        if chosen:
            plt.scatter([days(found.observed_at) for found in chosen], [found.price for found in chosen],
                        marker=marker)
    ticks = axes.date_ticks(start, end, most=max(2, width // 14))
    plt.xticks([days(moment) for moment, _ in ticks], [label for _, label in ticks])
    plt.xlim(0, days(end))
    levels = axes.price_ticks(*axes.price_range(prices), most=6)
    plt.yticks(levels, [axes.price_label(level, prices.currency) for level in levels])
    plt.ylim(levels[0], levels[-1])
    text: str = plt.build()
    plt.clear_figure()  # plotext keeps one global figure; leave it empty for the next caller
    return (text if color else str(plt.uncolorize(text))) + "\n" + LEGEND

