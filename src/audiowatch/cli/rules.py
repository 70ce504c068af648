"""`audiowatch rules check|test|explain`: lint rules, backtest them on stored listings, explain a verdict."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from audiowatch.cli import options
from audiowatch.exitcodes import ExitCode

if TYPE_CHECKING:
    from audiowatch.config.model import Config
    from audiowatch.listing import Listing
    from audiowatch.rules.conditions import RuleConditions
    from audiowatch.rules.explain import Explanation
    from audiowatch.store.search import Backtest

_DEFAULT_SINCE = timedelta(days=30)
# The name given to an expression typed on the command line; a configured name cannot start with "(".
_AD_HOC = "(expression)"
_SAMPLE_SIZE = 10
_RULE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# A listing URL ends in ".<id>/" (SPEC §2), possibly with a page anchor or query after it.
_LISTING_URL_ID = re.compile(r"\.(\d+)/?(?:[?#].*)?$")


@click.group()
def rules() -> None:
    """Check watch rules, try them on stored listings, and explain why a listing matched or not.

    \b
    Example:
      audiowatch rules check
      audiowatch rules test 'title has "HD800" AND price < 1000' --since 8w
      audiowatch rules explain hd800-under-1000 812345
    """


@rules.command()
@options.config_option
@click.option("--strict", is_flag=True, help="Exit 78 when there is any warning (for CI or a pre-commit hook).")
def check(config_path: Path, strict: bool) -> None:
    """Validate every rule and warn about rules that can never match, duplicates and near-duplicates.

    A rule that does not parse stops with exit 78 and a caret under the mistake, as `tick` would.
    Warnings name the rule and its line: a rule that can never match (price < 100 AND price > 200,
    or status = "sold" under a global filter that wants "active"), two rules with the same
    conditions, and rules that differ only by a filter.

    \b
    Example:
      audiowatch rules check
      audiowatch rules check --config ~/.config/audiowatch/config.yaml --strict
    """
    from audiowatch import match
    from audiowatch.config import load
    from audiowatch.rules import lint

    config = options.load(config_path)
    findings = lint.check_rules(match.rule_conditions(config))
    index_by_name = {rule.name: index for index, rule in enumerate(config.rules)}
    for finding in findings:
        index = index_by_name[finding.rule]
        line = load.line_of(config_path, ("rules", index))
        click.echo(f'{config_path}:{line}: rules[{index}] "{finding.rule}": {finding.message}')
    count = len(config.rules)
    summary = f"{count} rule(s) checked, {len(findings)} warning(s)" if findings else f"{count} rule(s) OK"
    click.echo(f"{config_path}: {summary}", err=bool(findings))
    if findings and strict:
        click.get_current_context().exit(int(ExitCode.CONFIG))


@rules.command("test")
@click.argument("rule")
@options.config_option
@options.since_option
@click.option("--listings", "listings_file", type=click.File("r", encoding="utf-8"), default=None,
              help="Read listings from this file of `parse --json` lines (- for standard input) "
                   "instead of the database, and print the ids that match.")
@options.json_option
def test_rule(
    rule: str, config_path: Path, since: timedelta | None, listings_file: IO[str] | None, as_json: bool
) -> None:
    """Try a rule on listings before relying on it: how often it matched, week by week, and a sample.

    RULE is a configured rule's name or an expression; an expression gets the global filter, as a
    configured rule does. Stored listings are judged as they were when first stored (their price
    and status then), which is what a tick decided on. With --listings, print the matching ids one
    per line instead; with --json, print the matching listings as `parse --json` objects.

    \b
    Example:
      audiowatch rules test hd800-under-1000
      audiowatch rules test '"Moondrop" AND price < 300' --since 8w
      audiowatch parse saved/*.html --json | audiowatch rules test cheap-moondrop --listings -
    """
    config = options.load(config_path)
    conditions = _resolve_rule(config, rule)
    if listings_file is not None:
        if since is not None:
            raise click.UsageError("--since filters stored listings; it cannot be combined with --listings")
        _test_on_file(conditions, listings_file, as_json)
    else:
        _test_on_database(config, conditions, since or _DEFAULT_SINCE, as_json)


@rules.command()
@click.argument("rule")
@click.argument("listing")
@options.config_option
@options.json_option
def explain(rule: str, listing: str, config_path: Path, as_json: bool) -> None:
    """Show each clause of a rule as true or false on one stored listing, with the listing's values.

    RULE is a configured rule's name or an expression; LISTING is a listing id or its URL. The
    listing is judged as it is stored now, at the current time (for age_hours).

    \b
    Example:
      audiowatch rules explain hd800-under-1000 812345
      audiowatch rules explain focal-flagships https://www.head-fi.org/classifieds/focal-utopia.812345/
      audiowatch rules explain 'title has "HD800"' 812345 --json
    """
    from audiowatch.rules import explain as rules_explain

    config = options.load(config_path)
    conditions = _resolve_rule(config, rule)
    stored = _load_listing(config, _listing_id(listing))
    result = rules_explain.explain_rule(conditions, stored, datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    verdict = "matches" if result.matched else "does not match"
    click.echo(f"{_title(conditions)} {verdict} listing {stored.listing_id}: {stored.title}")
    rows = [row for part, explanation in result.parts for row in _part_rows(str(part), explanation)]
    width = max(len(text) for _, text, _ in rows)
    for result_word, text, value in rows:
        click.echo(f"  {result_word:<6} {text:<{width}}  {value}".rstrip())


def _resolve_rule(config: Config, text: str) -> RuleConditions:
    """Return the configured rule named ``text``, or ``text`` as an expression under the global filter."""
    from audiowatch import match
    from audiowatch.rules import conditions

    for configured in match.rule_conditions(config):
        if configured.name == text:
            return configured
    if _RULE_NAME.fullmatch(text):
        names = ", ".join(rule.name for rule in config.rules) or "none configured"
        raise click.BadParameter(
            f'no rule named "{text}" (rules: {names}). To try an expression, quote it: \'title has "{text}"\'',
            param_hint="RULE",
        )
    return conditions.assemble(_AD_HOC, text, global_filter=config.filters.global_)


def _title(conditions: RuleConditions) -> str:
    return "The expression" if conditions.name == _AD_HOC else f'Rule "{conditions.name}"'



def _describe_rule(conditions: RuleConditions) -> list[str]:
    from audiowatch.rules.unparse import format_expression

    return [f"  {part}: {format_expression(node)}" for part, node in conditions.parts]


def _test_on_file(conditions: RuleConditions, listings_file: IO[str], as_json: bool) -> None:
    from audiowatch.rules import compile as rules_compile

    predicate = rules_compile.compile_expression(conditions.tree)
    now = datetime.now(UTC)
    read = _read_listings(listings_file)
    matched = [listing for listing in read if predicate(listing, now)]
    for listing in matched:
        click.echo(json.dumps(listing.to_json(), ensure_ascii=False) if as_json else str(listing.listing_id))
    click.echo(f"{len(matched)} of {len(read)} listing(s) match {_title(conditions).lower()}", err=True)


def _read_listings(listings_file: IO[str]) -> list[Listing]:
    from audiowatch.listing import Listing

    read: list[Listing] = []
    name = getattr(listings_file, "name", "-")
    for number, line in enumerate(listings_file, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            read.append(Listing.from_json(record))
        except (ValueError, KeyError, TypeError) as error:
            detail = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            raise click.BadParameter(
                f"{name}:{number}: not a listing in the `parse --json` format ({detail})", param_hint="--listings"
            ) from None
    return read


def _test_on_database(config: Config, conditions: RuleConditions, since: timedelta, as_json: bool) -> None:
    from audiowatch.rules import sql
    from audiowatch.store import database, search

    if not options.has_database(config, ", or try the rule on saved pages with --listings"):
        return
    now = datetime.now(UTC)
    condition = sql.translate(conditions.tree)
    with database.session(config.database_path, read_only=True) as connection:
        if as_json:
            for listing in search.find_matching(connection, condition, now - since):
                click.echo(json.dumps(listing.to_json(), ensure_ascii=False))
            return
        result = search.backtest(connection, condition, now - since, now, _SAMPLE_SIZE)
    _print_backtest(conditions, result, now - since)


def _print_backtest(conditions: RuleConditions, result: Backtest, since: datetime) -> None:
    from audiowatch.notify import render

    click.echo(f"{_title(conditions)}, the AND of:")
    click.echo("\n".join(_describe_rule(conditions)))
    click.echo(f"\nListings posted since {since:%Y-%m-%d %H:%M} UTC, judged as first stored:")
    click.echo(f"  {'week of':<12}{'posted':>8}{'matched':>9}")
    for week in result.weeks:
        click.echo(f"  {week.week.isoformat():<12}{week.considered:>8}{week.matched:>9}")
    click.echo(f"  {'total':<12}{result.considered:>8}{result.matched:>9}")
    if not result.sample:
        click.echo("\nNo stored listing matched.")
        return
    click.echo(f"\nLatest {len(result.sample)} match(es):")
    for listing in result.sample:
        posted = (listing.listed_at or "")[:10]
        click.echo(f"  {listing.listing_id}  {posted:<10}  {render.format_price(listing):>16}  {listing.title}")
        click.echo(f"  {'':>{len(str(listing.listing_id))}}  {listing.url}")


def _listing_id(text: str) -> int:
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    found = _LISTING_URL_ID.search(stripped)
    if found is None:
        raise click.BadParameter(f'"{text}" is neither a listing id nor a listing URL ending in ".<id>/"',
                                 param_hint="LISTING")
    return int(found.group(1))


def _load_listing(config: Config, listing_id: int) -> Listing:
    from audiowatch.store import database, listings

    if config.database_path.exists():
        with database.session(config.database_path, read_only=True) as connection:
            found = listings.load_listings(connection, [listing_id]).get(listing_id)
        if found is not None:
            return found
    raise click.BadParameter(
        f"listing {listing_id} is not stored in {config.database_path}; only listings a tick has seen can be "
        "explained (try `audiowatch rules test RULE --listings FILE` for saved pages)",
        param_hint="LISTING",
    )


def _part_rows(part: str, explanation: Explanation) -> list[tuple[str, str, str]]:
    """Rows of (true/false, clause, the listing's value) for one part of a rule and its clauses."""
    if not explanation.children:
        return [(_word(explanation.result), f"{part}: {explanation.text}", _value_text(explanation))]
    head = (_word(explanation.result), f"{part} ({explanation.text})", "")
    return [head, *(row for child in explanation.children for row in _clause_rows(child, 1))]


def _clause_rows(explanation: Explanation, depth: int) -> list[tuple[str, str, str]]:
    row = (_word(explanation.result), "  " * depth + explanation.text, _value_text(explanation))
    return [row, *(found for child in explanation.children for found in _clause_rows(child, depth + 1))]


def _value_text(explanation: Explanation) -> str:
    return f"{_field_of(explanation.text)} is {explanation.value}" if explanation.value is not None else ""


def _field_of(clause: str) -> str:
    return clause.split(" ", 1)[0]


def _word(result: bool) -> str:
    return "true" if result else "false"
