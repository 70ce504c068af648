"""The plotext chart: fits the width asked for, colours only on request, a legend below."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from audiowatch.listing import ListingStatus
from audiowatch.prices import history, terminal

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def sample_prices() -> history.CurrencyPrices:
    rng = random.Random(5)
    matched = [history.MatchedListing(index, f"HD800S #{index}", f"https://example.org/{index}/", "For Sale",
                                      rng.choice(list(ListingStatus)), NOW - timedelta(days=index * 2))
               for index in range(1, 30)]
    observations = [history.Observation(item.listing_id, item.posted_at, rng.uniform(700, 1400), "USD")
                    for item in matched]
    result = history.summarize(matched, observations, NOW - timedelta(days=180), NOW)
    assert result.charted is not None
    return result.charted


@pytest.mark.parametrize("width", [50, 80, 120], ids=lambda width: f"{width}-columns")
def test_chart_lines_fit_the_width(width: int) -> None:
    text = terminal.render(sample_prices(), NOW, width, "Asks in USD", color=False)
    assert max(len(line) for line in text.splitlines()) <= width


def test_chart_without_colour_has_no_escape_codes() -> None:
    text = terminal.render(sample_prices(), NOW, 80, "Asks in USD", color=False)
    assert "\x1b[" not in text
    assert "$1,400" in text and "┌" in text
    assert text.splitlines()[-1] == terminal.LEGEND


def test_chart_with_colour_has_escape_codes() -> None:
    assert "\x1b[" in terminal.render(sample_prices(), NOW, 80, "Asks in USD", color=True)
