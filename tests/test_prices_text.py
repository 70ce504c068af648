"""The text report: sentences wrapped for a terminal, one ask shown as itself, counts in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from audiowatch.listing import ListingStatus
from audiowatch.prices import history, text

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def summarize(*asks: tuple[int, float, str, str]) -> history.PriceHistory:
    """asks: (listing id, price, currency, title)."""
    matched = [history.MatchedListing(key, title, f"https://example.org/classifieds/item.{key}/", "For Sale",
                                      ListingStatus.ACTIVE, NOW - timedelta(days=key)) for key, _, _, title in asks]
    observations = [history.Observation(key, NOW - timedelta(days=key), price, currency)
                    for key, price, currency, _ in asks]
    return history.summarize(matched, observations, NOW - timedelta(days=180), NOW)


def test_report_lines_fit_80_columns_but_links() -> None:
    result = summarize(*((key, 900.0 + key * 1000, "USD", "Sennheiser HD800S " + "very long title " * 5)
                         for key in range(1, 9)), (9, 12345.5, "EUR", "x"))
    lines = text.report(result, 'title has "HD800S"').splitlines()
    assert max(len(line) for line in lines if "https://" not in line) <= 80
    assert any("…" in line for line in lines)  # long titles are shortened, not wrapped


def test_report_shows_a_single_ask_without_a_spread() -> None:
    report = text.report(summarize((1, 1789.99, "EUR", "Focal Utopia")), '"Focal"')
    assert "EUR: 1 ask (1 active) from 1 price observation: €1,789.99 EUR" in report
    assert "median" not in report


def test_matched_line_names_each_currency_with_the_most_asked_first() -> None:
    result = summarize((1, 10.0, "GBP", "a"), (2, 20.0, "USD", "b"), (3, 30.0, "USD", "c"))
    assert text.matched_line(result) == "3 listings matched: 2 asks in USD, 1 in GBP."
    assert text.chart_caption(result) == "Chart: asks in USD, the currency with the most asks (GBP not charted)."
