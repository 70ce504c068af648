"""Market context: where one listing's price sits among comparable asks of recent months (pure record).

``store/market.py`` computes it from the stored listings; the tick attaches it to new-match and
price-drop notifications, and ``notify/render.py`` words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WINDOW_DAYS = 180
"""Asks posted this many days before the tick count; older ones describe a different market."""

MINIMUM_ASKS = 5
"""Fewer comparable asks than this give no market context: a percentile of two asks says nothing."""

WANT_TO_BUY = "Want To Buy"
"""A Want To Buy listing's price is a budget, not an ask, so it never counts as one."""


@dataclass(frozen=True, slots=True)
class MarketContext:
    """Comparable asks (same currency, posted in the last ``days`` days, any status, this listing left out).

    ``below`` counts the asks priced strictly below this listing; ``percentile`` is their share, so
    the cheapest ask ever is at the 0th percentile and one dearer than all of them at the 100th.
    ``median`` is that of the comparable asks, the mean of the middle two when their number is even.
    """

    asks: int
    below: int
    median: float
    currency: str
    days: int = WINDOW_DAYS

    @property
    def percentile(self) -> int:
        """The share of comparable asks priced below this one, in whole percent (halves round up)."""
        return (200 * self.below + self.asks) // (2 * self.asks)

    def to_json(self) -> dict[str, Any]:
        return {"asks": self.asks, "below": self.below, "median": self.median, "currency": self.currency,
                "days": self.days}

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> MarketContext:
        return cls(int(record["asks"]), int(record["below"]), float(record["median"]), str(record["currency"]),
                   int(record["days"]))
