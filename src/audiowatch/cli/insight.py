"""`audiowatch status` and `audiowatch listings`: what AudioWatch did and what it found."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from audiowatch.cli import options

if TYPE_CHECKING:
    from audiowatch import health
    from audiowatch.store.reports import Latency, LatencyReport


@click.command()
@options.config_option
@options.json_option
@click.option("--runs", "runs_shown", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many recent runs to show.")
def status(config_path: Path, as_json: bool, runs_shown: int) -> None:
    """Show whether AudioWatch is healthy: last runs, notifications, listings, alert latency.

    Exits 0 when healthy and 69 when not (no successful tick for three intervals, ticks failing
    in a row, or notifications failing), so a monitor can run it too.

    \b
    Example:
      audiowatch status
      audiowatch status --json | jq .healthy
      audiowatch status || echo "AudioWatch needs attention"
    """
    from audiowatch import health
    from audiowatch import status as status_module
    from audiowatch.exitcodes import ExitCode

    config = options.load(config_path)
    now = datetime.now(UTC)
    try:
        facts = status_module.gather(config, now, runs_shown)
    except status_module.NoDatabase:
        message = f"No tick has run yet: there is no database at {config.database_path}. Run `audiowatch tick`."
        click.echo(json.dumps({"healthy": False, "problems": [message]}) if as_json else message)
        raise click.exceptions.Exit(int(ExitCode.UNAVAILABLE)) from None
    verdict = health.assess(facts)
    if as_json:
        click.echo(json.dumps(_as_json(facts, verdict), indent=2))
    else:
        click.echo(_as_text(config_path, config.database_path, facts, verdict))
    if not verdict.healthy:
        raise click.exceptions.Exit(int(ExitCode.UNAVAILABLE))


_STATUSES = ("active", "sold", "closed", "traded")
_LISTING_COLUMNS = ("listing_id", "listed_at", "price", "currency", "status", "listing_type", "category", "seller",
                    "title", "url")


@click.command()
@click.argument("expression", required=False)
@options.config_option
@options.since_option
@click.option("--status", "statuses", type=click.Choice([*_STATUSES, "any"]), multiple=True,
              help="Only listings with this status; repeat for several [default: any].")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="At most this many listings, newest first.")
@options.json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row.")
def listings(config_path: Path, expression: str | None, since: timedelta | None, statuses: tuple[str, ...],
             limit: int, as_json: bool, as_csv: bool) -> None:
    """Browse stored listings, newest first, filtered by a rule expression.

    EXPRESSION uses the watch-rule language and is judged on listings as stored now; the global
    filter is not applied, so sold listings and Want To Buy posts show unless you ask otherwise.

    \b
    Example:
      audiowatch listings 'title has "HD800"' --since 90d
      audiowatch listings 'category = "dacs" AND price < 500' --status active --csv > dacs.csv
      audiowatch listings --limit 10 --json
    """
    from audiowatch.rules import grammar, sql
    from audiowatch.store import database, search

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    config = options.load(config_path)
    condition = sql.translate(grammar.parse_expression(expression)) if expression else None
    if not options.has_database(config):
        return
    now = datetime.now(UTC)
    wanted = () if "any" in statuses else statuses
    with database.session(config.database_path, read_only=True) as connection:
        found = search.browse(connection, condition, now=now, since=now - (since or timedelta(days=30)),
                              statuses=wanted, limit=limit)
    _print_listings(found, limit, as_json=as_json, as_csv=as_csv)


def _print_listings(found: list[Any], limit: int, *, as_json: bool, as_csv: bool) -> None:
    from audiowatch.notify import render

    if as_json:
        for listing in found:
            click.echo(json.dumps(listing.to_json(), ensure_ascii=False))
        return
    if as_csv:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(_LISTING_COLUMNS)
        for listing in found:
            writer.writerow([str(getattr(listing, column) or "") for column in _LISTING_COLUMNS])
        click.echo(buffer.getvalue(), nl=False)
        return
    for listing in found:
        posted = _local(datetime.fromisoformat(listing.listed_at)) if listing.listed_at else "date unknown"
        click.echo(f"{listing.listing_id:>9}  {posted:<20} {render.format_price(listing):>18}  "
                   f"{listing.status!s:<6}  {listing.title[:70]}")
    more = " (--limit reached; there may be more)" if len(found) >= limit else ""
    click.echo(f"{len(found)} listing(s){more}", err=True)


def _as_text(config_path: Path, database_path: Path, facts: health.StatusFacts, verdict: health.Verdict) -> str:
    from audiowatch.health import describe_age

    outbox = facts.outbox
    last = facts.runs[0] if facts.runs else None
    lines = [
        f"AudioWatch is {'healthy' if verdict.healthy else 'UNHEALTHY'}",
        f"  config:         {config_path}",
        f"  database:       {database_path}",
        f"  last run:       {_when(facts.last_run_at, facts.now)}" + (f" — {last.outcome}" if last else ""),
        f"  last success:   {_when(facts.last_success_at, facts.now)}",
        f"  next run:       {_local(verdict.expected_next_run)} (estimate: last run + "
        f"{describe_age(facts.poll_interval)})" if verdict.expected_next_run else "  next run:       unknown",
        f"  site:           {_site_text(facts)}",
        f"  parse rates:    {_rates_text(facts.field_rates)}",
        f"  listings:       {facts.listings_stored} stored, {facts.listings_active} active",
        f"  notifications:  {outbox.pending} pending, {outbox.sent} sent, {outbox.failed} failed"
        + (f" (oldest pending since {_local(outbox.oldest_pending_at)})" if outbox.oldest_pending_at else ""),
        f"  alert latency:  last day {_latency_text(facts.latency_day)}",
        f"                  last week {_latency_text(facts.latency_week)}",
        "",
        "Recent runs (newest first):",
        f"  {'started':<20} {'outcome':<12} {'pages':>5} {'new':>5} {'matches':>7} {'sent':>5} {'took':>8}  error",
    ]
    lines.extend(_run_line(run) for run in facts.runs)
    if verdict.problems:
        lines += ["", "Problems:"] + [f"  - {problem}" for problem in verdict.problems]
    return "\n".join(lines)


def _site_text(facts: health.StatusFacts) -> str:
    backoff = facts.backoff
    if backoff is not None and facts.backing_off:
        text = f"BACKING OFF until {_local(backoff.deadline)} ({backoff.describe()}, block {backoff.strikes} in a row)"
    else:
        text = "answering" + (f" (last block cleared: {backoff.describe()})" if backoff else "")
    if facts.browser_preferred_until is not None and facts.browser_preferred_until > facts.now:
        text += f"; auto fetcher uses the browser until {_local(facts.browser_preferred_until)}"
    return text


def _rates_text(rates: dict[str, float] | None) -> str:
    if not rates:
        return "no run has parsed listings yet"
    return ", ".join(f"{name} {rate:.0%}" for name, rate in sorted(rates.items()))


def _run_line(run: Any) -> str:
    from audiowatch.health import describe_age

    took = describe_age(run.finished_at - run.started_at) if run.finished_at else "-"
    error = (run.error or "").splitlines()[0][:80] if run.error else ""
    return (f"  {_local(run.started_at):<20} {run.outcome + (' (seed)' if run.seeding else ''):<12} "
            f"{run.pages:>5} {run.new_listings:>5} {run.matches:>7} {run.notifications:>5} {took:>8}  {error}")


def _latency_text(report: LatencyReport) -> str:
    from audiowatch.health import describe_age

    total = report.listed_to_delivered
    if not total.samples or total.p50_seconds is None or total.p95_seconds is None:
        return "no new matches delivered"
    def pair(latency: Latency) -> str:
        if latency.p50_seconds is None or latency.p95_seconds is None:
            return "n/a"
        return (f"P50 {describe_age(timedelta(seconds=latency.p50_seconds))} / "
                f"P95 {describe_age(timedelta(seconds=latency.p95_seconds))}")

    return (f"listed→delivered {pair(total)} over {total.samples} match(es) "
            f"(listed→seen {pair(report.listed_to_seen)}, seen→delivered {pair(report.seen_to_delivered)})")


def _as_json(facts: health.StatusFacts, verdict: health.Verdict) -> dict[str, Any]:
    def latency(report: LatencyReport) -> dict[str, Any]:
        return {name: {"samples": value.samples, "p50_seconds": value.p50_seconds, "p95_seconds": value.p95_seconds}
                for name, value in (("listed_to_seen", report.listed_to_seen),
                                    ("seen_to_delivered", report.seen_to_delivered),
                                    ("listed_to_delivered", report.listed_to_delivered))}

    return {
        "healthy": verdict.healthy,
        "problems": list(verdict.problems),
        "now": facts.now.isoformat(),
        "last_run_at": _iso(facts.last_run_at),
        "last_success_at": _iso(facts.last_success_at),
        "last_success_age_seconds": (facts.now - facts.last_success_at).total_seconds()
        if facts.last_success_at else None,
        "expected_next_run_at": _iso(verdict.expected_next_run),
        "consecutive_failures": facts.consecutive_failures,
        "backoff": {"active": facts.backing_off, "kind": str(facts.backoff.kind), "status": facts.backoff.status,
                    "url": facts.backoff.url, "deadline": _iso(facts.backoff.deadline),
                    "strikes": facts.backoff.strikes} if facts.backoff else None,
        "browser_preferred_until": _iso(facts.browser_preferred_until),
        "field_rates": facts.field_rates,
        "listings": {"stored": facts.listings_stored, "active": facts.listings_active},
        "notifications": {"pending": facts.outbox.pending, "sent": facts.outbox.sent, "failed": facts.outbox.failed,
                          "failed_last_day": facts.outbox.failed_recently,
                          "oldest_pending_at": _iso(facts.outbox.oldest_pending_at),
                          "last_error": facts.outbox.last_error},
        "latency": {"last_day": latency(facts.latency_day), "last_week": latency(facts.latency_week)},
        "runs": [{"run_id": run.run_id, "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
                  "outcome": run.outcome, "seeding": run.seeding, "pages": run.pages,
                  "new_listings": run.new_listings, "matches": run.matches, "notifications": run.notifications,
                  "exit_code": run.exit_code, "error": run.error} for run in facts.runs],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _local(moment: datetime | None) -> str:
    # Stored times are UTC; people read their own clock.
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def _when(moment: datetime | None, now: datetime) -> str:
    from audiowatch.health import describe_age

    return f"{_local(moment)} ({describe_age(now - moment)} ago)" if moment else "never"
