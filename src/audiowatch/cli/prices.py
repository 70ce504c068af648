"""`audiowatch prices`: the price history of what an expression matches, as figures and a chart."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from audiowatch.cli import options

if TYPE_CHECKING:
    from audiowatch.config.model import Config
    from audiowatch.prices.history import Ask, CurrencyPrices, PriceHistory
    from audiowatch.rules.nodes import Node

OUT_SUFFIXES = (".html", ".htm", ".png", ".txt")
# plotext needs some room for the price labels; past 120 columns a chart gets no easier to read.
_NARROWEST, _WIDEST, _FILE_WIDTH = 50, 120, 80
_CHARTABLE = 2  # observations: one point is a figure, not a history


def _check_out(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is None:
        return None
    if value.suffix.lower() not in OUT_SUFFIXES:
        raise click.BadParameter(
            f'cannot tell what to write from "{value.name}": end the name in .html (a page with the chart and '
            "tables), .png (that page as an image) or .txt (the text chart)", ctx, param)
    if not value.parent.resolve().is_dir():
        raise click.BadParameter(f"the folder {value.parent} does not exist; create it first", ctx, param)
    return value


@click.command()
@click.argument("expression")
@options.config_option
@click.option("--since", type=options.Duration(), default="180d", show_default=True,
              help="Only listings posted within this span before now, e.g. 8w, 90d, 365d.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), callback=_check_out,
              help="Write the chart and figures to FILE instead of drawing the chart here: FILE.html "
                   "(a self-contained page), FILE.png (that page drawn by headless Chromium) or FILE.txt.")
@click.option("--plot/--no-plot", default=True, show_default=True, help="Draw the chart in the terminal.")
@options.json_option
def prices(
    expression: str, config_path: Path, since: timedelta, out_path: Path | None, plot: bool, as_json: bool
) -> None:
    """Show what matching listings asked: per-currency median and percentiles, lowest recent asks, a chart.

    EXPRESSION is a rule expression (a bare "text" means title contains it), judged on the listings
    as stored now, whatever their status: what sold is the best evidence of what a thing goes for.
    The global filter is NOT applied. Want To Buy listings are left out (their prices are offers)
    and counted, as are listings without a price.

    An ask is a listing's latest price, one per listing. Currencies are never mixed: each has its
    own figures, and the chart shows the currency with the most asks. The chart has every price a
    listing asked (the first dated when it was posted, each change when a tick saw it) and the
    weekly median of those prices. --json prints the same figures as one object.

    \b
    Example:
      audiowatch prices 'title has "HD800S"'
      audiowatch prices '"Utopia" AND price > 1000' --since 365d --out utopia.html
      audiowatch prices 'title has "HD 650"' --out hd650.png
      audiowatch prices '"Sundara"' --json | jq '.currencies[0].spread.median'
    """
    from audiowatch.prices import text
    from audiowatch.rules import grammar

    config = options.load(config_path)
    tree = grammar.parse_expression(expression)  # RuleError: exit 78 with a caret under the mistake
    result = _price_history(config, tree, datetime.now(UTC), since)
    if as_json:
        click.echo(json.dumps(_as_json(result, expression), ensure_ascii=False))
    else:
        click.echo(text.report(result, expression))
    if out_path is not None:
        _write_out(out_path, result, expression, config)
        click.echo(f"Wrote {out_path}", err=True)
    elif plot and not as_json and result.matched:
        width = min(max(shutil.get_terminal_size((_FILE_WIDTH, 24)).columns, _NARROWEST), _WIDEST)
        click.echo("\n" + _chart_text(result, width, color="NO_COLOR" not in os.environ))


def _price_history(config: Config, tree: Node, now: datetime, since: timedelta) -> PriceHistory:
    from audiowatch.prices import history
    from audiowatch.rules import sql
    from audiowatch.store import database
    from audiowatch.store import prices as stored_prices

    if not options.has_database(config):
        return history.summarize([], [], now - since, now)
    with database.session(config.database_path, read_only=True) as connection:
        listings, observations = stored_prices.load_price_history(connection, sql.translate(tree), now - since, now)
    return history.summarize(listings, observations, now - since, now)


def _chart_text(result: PriceHistory, width: int, *, color: bool) -> str:
    from audiowatch.prices import terminal, text

    charted = result.charted
    if charted is None or len(charted.observations) < _CHARTABLE:
        return "Nothing to chart: fewer than two prices were observed." if charted else text.chart_caption(result)
    return text.chart_caption(result) + "\n" + terminal.render(
        charted, result.now, width, f"Asks in {text.currency_name(charted.currency)}", color=color)


def _write_out(path: Path, result: PriceHistory, expression: str, config: Config) -> None:
    from audiowatch.prices import page, screenshot, text

    suffix = path.suffix.lower()
    if suffix == ".png":
        screenshot.save_png(page.render_page(result, expression), path, config.scraper.executable_path,
                            config.scraper.timeout_seconds)
        return
    if suffix == ".txt":
        content = text.report(result, expression) + "\n\n" + _chart_text(result, _FILE_WIDTH, color=False) + "\n"
    else:
        content = page.render_page(result, expression)
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as error:
        raise click.FileError(str(path), hint=error.strerror or str(error)) from None


def _as_json(result: PriceHistory, expression: str) -> dict[str, Any]:
    charted = result.charted
    return {
        "expression": expression,
        "global_filter_applied": False,
        "now": result.now.isoformat(),
        "since": result.since.isoformat(),
        "recent_since": result.recent_since.isoformat(),
        "listings": {"matched": result.matched, "want_to_buy": result.want_to_buy,
                     "without_price": result.without_price},
        "charted_currency": charted.currency if charted else None,
        "currencies": [_currency_json(group) for group in result.currencies],
    }


def _currency_json(group: CurrencyPrices) -> dict[str, Any]:
    spread = group.spread
    return {
        "currency": group.currency,
        "count": len(group.asks),
        "by_status": {str(status): count for status, count in group.by_status},
        "spread": {"lowest": spread.lowest, "p10": spread.p10, "p25": spread.p25, "median": spread.median,
                   "p75": spread.p75, "p90": spread.p90, "highest": spread.highest},
        "weekly_medians": [{"week": week.week.isoformat(), "median": week.median, "observations": week.observations}
                           for week in group.weeks],
        "lowest_recent": [_ask_json(ask) for ask in group.lowest_recent],
        "asks": [_ask_json(ask) for ask in group.asks],
        "observations": [{"listing_id": found.listing_id, "observed_at": found.observed_at.isoformat(),
                          "price": found.price} for found in group.observations],
    }


def _ask_json(ask: Ask) -> dict[str, Any]:
    listing = ask.listing
    return {"listing_id": listing.listing_id, "title": listing.title, "url": listing.url,
            "status": str(listing.status), "posted_at": listing.posted_at.isoformat(), "price": ask.price,
            "currency": ask.currency, "asked_since": ask.asked_since.isoformat()}
