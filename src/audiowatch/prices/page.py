"""The price history as one self-contained HTML page: chart, statistics, lowest recent asks (pure).

Every value that came from a listing or the command line is HTML-escaped, links are kept only for
http(s) URLs, and the page loads nothing from outside itself, so it opens offline and renders the
same in the headless browser that turns it into a PNG.
"""

from __future__ import annotations

from html import escape

from audiowatch import __version__
from audiowatch.notify import render
from audiowatch.prices import history, svg, text

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 940px; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 24px 0 8px; }
code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; margin: 4px 0 12px; font-size: 14px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
th.text, td.text { text-align: left; }
td.title { text-align: left; white-space: normal; }
p.note { color: #666; font-size: 13px; }
"""


def render_page(result: history.PriceHistory, expression: str) -> str:
    """Return the HTML document for ``result``, the price history of ``expression``."""
    body = [
        "<h1>Price history</h1>",
        f"<p>Expression: <code>{escape(expression)}</code></p>",
        f"<p>{escape(text.window_line(result))}</p>",
        f"<p>{escape(text.matched_line(result))}</p>" if result.matched else "<p>No stored listing posted in that "
        "time matches the expression.</p>",
        *_chart_section(result),
        *_statistics_section(result),
        *(part for group in result.currencies for part in _lowest_section(group, result)),
        f'<p class="note">{escape(text.DEFINITIONS)} Made by AudioWatch {escape(__version__)} at '
        f"{result.now:%Y-%m-%d %H:%M} UTC.</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(f'AudioWatch prices: {expression}')}</title>\n<style>{_STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _chart_section(result: history.PriceHistory) -> list[str]:
    charted = result.charted
    caption = f"<h2>{escape(text.chart_caption(result))}</h2>"
    if charted is None:
        return [caption] if result.matched else []
    return [caption, svg.chart(charted, result.now)]


def _statistics_section(result: history.PriceHistory) -> list[str]:
    if not result.currencies:
        return []
    headings = ["Currency", "Asks", "By status", "Observations", "Lowest", "P10", "P25", "Median", "P75", "P90",
                "Highest"]
    rows = [
        [text.currency_name(group.currency), str(len(group.asks)), text.status_counts(group),
         str(len(group.observations)), *text.spread_values(group)]
        for group in result.currencies
    ]
    header = "".join(f'<th class="{_kind(index)}">{escape(heading)}</th>' for index, heading in enumerate(headings))
    lines = ["<h2>Asks by currency</h2>", "<table>", f"<tr>{header}</tr>"]
    lines += ["<tr>" + "".join(f'<td class="{_kind(index)}">{escape(cell)}</td>' for index, cell in enumerate(row))
              + "</tr>" for row in rows]
    return [*lines, "</table>"]


def _kind(column: int) -> str:
    return "text" if column in (0, 2) else "number"


def _lowest_section(group: history.CurrencyPrices, result: history.PriceHistory) -> list[str]:
    heading = (f"<h2>Lowest recent asks in {escape(text.currency_name(group.currency))} (active, posted since "
               f"{result.recent_since:%Y-%m-%d})</h2>")
    if not group.lowest_recent:
        return [heading, "<p>None.</p>"]
    rows = [
        f'<tr><td>{escape(render.format_amount(ask.price, ask.currency))}</td>'
        f'<td>{ask.listing.posted_at:%Y-%m-%d}</td><td class="title">{_link(ask.listing)}</td></tr>'
        for ask in group.lowest_recent
    ]
    return [heading, "<table>", '<tr><th>Price</th><th>Posted</th><th class="text">Listing</th></tr>', *rows,
            "</table>"]


def _link(listing: history.MatchedListing) -> str:
    title = escape(listing.title)
    # A URL is escaped like any text, and only web links become links: never javascript: or data:.
    if listing.url.lower().startswith(("https://", "http://")):
        return f'<a href="{escape(listing.url, quote=True)}">{title}</a>'
    return f"{title} ({escape(listing.url)})"
