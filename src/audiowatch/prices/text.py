"""The price history as plain text, for the terminal and `--out FILE.txt` (pure)."""

from __future__ import annotations

import textwrap

from audiowatch.health import describe_age
from audiowatch.notify import render
from audiowatch.prices import axes, history

_TITLE_WIDTH = 46  # so a lowest-ask line (indent, price, date, title) fits 80 columns
_PROSE_WIDTH = 80  # sentences are wrapped to fit a standard terminal
_SPREAD_HEADINGS = ("lowest", "P10", "P25", "median", "P75", "P90", "highest")
DEFINITIONS = ("An ask is a listing's latest price, one per listing; P10 to P90 are percentiles of the asks. "
               "A listing's first price is dated when it was posted, each change when a tick saw it.")


def currency_name(currency: str | None) -> str:
    return currency or "no currency shown"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def window_line(result: history.PriceHistory) -> str:
    span = describe_age(result.now - result.since)
    return (f"Listings posted since {result.since:%Y-%m-%d %H:%M} UTC (the last {span}), any status; "
            "the global filter is not applied.")


def matched_line(result: history.PriceHistory) -> str:
    """E.g. `42 listing(s) matched: 30 asks in USD, 5 in EUR; 2 Want To Buy left out; 5 without a price.`"""
    counts = [f"{plural(len(group.asks), 'ask') if index == 0 else len(group.asks)} in {currency_name(group.currency)}"
              for index, group in enumerate(result.currencies)]
    extra = []
    if result.want_to_buy:
        extra.append(f"{result.want_to_buy} Want To Buy left out (their prices are offers, not asks)")
    if result.without_price:
        extra.append(f"{result.without_price} without a price")
    text = f"{plural(result.matched, 'listing')} matched"
    if counts:
        text += ": " + ", ".join(counts)
    return text + "".join(f"; {part}" for part in extra) + "."


def status_counts(group: history.CurrencyPrices) -> str:
    return ", ".join(f"{count} {status}" for status, count in group.by_status)


def spread_values(group: history.CurrencyPrices) -> list[str]:
    spread = group.spread
    values = (spread.lowest, spread.p10, spread.p25, spread.median, spread.p75, spread.p90, spread.highest)
    return [axes.price_label(value, group.currency) for value in values]


def report(result: history.PriceHistory, expression: str) -> str:
    """Return the statistics of every currency and its lowest recent asks, for people."""
    lines = [f"Price history of: {expression}", _wrap(window_line(result))]
    if not result.matched:
        return "\n".join([*lines, "No stored listing posted in that time matches the expression."])
    lines.append(_wrap(matched_line(result)))
    for group in result.currencies:
        lines += ["", *_currency_lines(group, result)]
    return "\n".join([*lines, "", _wrap(DEFINITIONS)])


def chart_caption(result: history.PriceHistory) -> str:
    charted = result.charted
    if charted is None:
        return "Nothing to chart: no matched listing showed a price."
    others = [currency_name(group.currency) for group in result.currencies[1:]]
    because = f", the currency with the most asks ({', '.join(others)} not charted)" if others else ""
    return f"Chart: asks in {currency_name(charted.currency)}{because}."


def _currency_lines(group: history.CurrencyPrices, result: history.PriceHistory) -> list[str]:
    lines = [f"{currency_name(group.currency)}: {plural(len(group.asks), 'ask')} ({status_counts(group)}) "
             f"from {plural(len(group.observations), 'price observation')}"]
    if len(group.asks) == 1:  # one ask has no spread to show
        lines[0] += f": {render.format_amount(group.asks[0].price, group.currency)}"
    else:
        lines += ["  " + "".join(f"{heading:>11}" for heading in _SPREAD_HEADINGS),
                  "  " + "".join(f"{value:>11}" for value in spread_values(group))]
    if not group.lowest_recent:
        return [*lines, f"  No active listing posted since {result.recent_since:%Y-%m-%d} asks in this currency."]
    lines.append(f"  Lowest recent asks (active, posted since {result.recent_since:%Y-%m-%d}):")
    for ask in group.lowest_recent:
        price = render.format_amount(ask.price, ask.currency)
        lines.append(f"    {price:>16}  {ask.listing.posted_at:%Y-%m-%d}  {_shorten(ask.listing.title)}")
        lines.append(f"    {'':>16}  {'':10}  {ask.listing.url}")
    return lines


def _wrap(sentence: str) -> str:
    return textwrap.fill(sentence, _PROSE_WIDTH)


def _shorten(title: str) -> str:
    return title if len(title) <= _TITLE_WIDTH else title[: _TITLE_WIDTH - 1] + "…"

