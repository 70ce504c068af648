"""MarketContext: the percentile it reports and its JSON form in the outbox."""

from __future__ import annotations

import pytest

from audiowatch.market import MarketContext


@pytest.mark.parametrize(
    ("below", "asks", "percentile"),
    [(0, 37, 0), (4, 37, 11), (5, 37, 14), (1, 8, 13), (1, 3, 33), (2, 3, 67), (37, 37, 100)],
    ids=["cheapest", "rounds-down", "rounds-up", "half-rounds-up", "third", "two-thirds", "dearest"],
)
def test_percentile_is_the_share_below_in_whole_percent(below: int, asks: int, percentile: int) -> None:
    assert MarketContext(asks, below, 1000.0, "USD").percentile == percentile


def test_market_context_round_trips_through_json() -> None:
    context = MarketContext(asks=37, below=4, median=1049.5, currency="EUR", days=90)
    assert MarketContext.from_json(context.to_json()) == context
