"""Does a parsed list page still look like Head-Fi's layout? A parse failure must not pass for "nothing new" (pure).

A page served with HTTP 200 that holds no cards, or whose cards mostly lack an id and a title, or whose
key fields (price, type, seller, date) suddenly fail to parse far more often than in recent runs, means
the markup changed under the parser. The baseline is the median of recent successful runs' fill rates;
without history there is no "suddenly", only the structural checks (reference/headfi-markup.md leaves
some fields unverified, and a field the real cards never show must not fail every tick).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from audiowatch.parse.headfi import CARD_SELECTOR, ParseResult

KEY_FIELDS: tuple[str, ...] = ("price", "listing_type", "seller", "listed_at")
# A key field read on this much less of a page's listings than usual is a layout change, not chance:
# Want To Buy posts without a price, say, vary from page to page by far less.
SUDDEN_DROP = 0.5
# Fewer listings than this on a page say too little about fill rates to judge them.
FEWEST_LISTINGS = 5
# Cards without an id or a title: a few happen; this share of a page means the card markup moved.
MOST_SKIPPED = 0.5
# Without history, a key field read on less than this share of a page is worth a warning.
RARELY = 0.5


def baseline_rates(recent: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Return, per key field with history, the median fill rate of ``recent`` runs."""
    rates: dict[str, float] = {}
    for name in KEY_FIELDS:
        values = [run[name] for run in recent if name in run]
        if values:
            rates[name] = statistics.median(values)
    return rates


def find_layout_problem(result: ParseResult, baseline: Mapping[str, float]) -> str | None:
    """Return what looks broken on this 200 page, in words, or None when it parsed as usual."""
    if result.cards == 0:
        return f"the page holds no listing cards ({CARD_SELECTOR})"
    if result.skipped / result.cards >= MOST_SKIPPED:
        return f"{result.skipped} of {result.cards} cards had no listing id or no title"
    if len(result.listings) < FEWEST_LISTINGS:
        return None
    failing = [
        f"{name} on {result.field_rates[name]:.0%} (usually {baseline[name]:.0%})"
        for name in KEY_FIELDS
        if name in baseline and baseline[name] - result.field_rates[name] >= SUDDEN_DROP
    ]
    if not failing:
        return None
    return f"key fields stopped parsing on its {len(result.listings)} listings: " + ", ".join(failing)


def rarely_parsed(result: ParseResult, baseline: Mapping[str, float]) -> list[str]:
    """Return the key fields without history that this page read on less than RARELY of its listings."""
    if len(result.listings) < FEWEST_LISTINGS:
        return []
    return [name for name in KEY_FIELDS if name not in baseline and result.field_rates[name] < RARELY]


def combined_rates(results: Sequence[ParseResult]) -> dict[str, float]:
    """Return the fill rate of each field over all listings of ``results`` (pages weigh by their listings)."""
    total = sum(len(result.listings) for result in results)
    if total == 0:
        return {}
    names = results[0].field_rates.keys()
    return {
        name: round(sum(result.field_rates[name] * len(result.listings) for result in results) / total, 4)
        for name in names
    }
