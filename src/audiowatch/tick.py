"""run_tick(): one pass of the whole job, stage by stage, in the order of SPEC §1.

    lock -> read state (back off?) -> fetch pages -> parse -> upsert into DuckDB -> detect events
    -> match rules -> enqueue notifications -> queue ops alerts, deliver pending, ping the dead-man URL
    -> write run record and state
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from audiowatch import events, lock, market, match, signals, site_state, sources
from audiowatch.config.model import Config
from audiowatch.errors import (
    AudioWatchError,
    BackingOff,
    ChannelsRefused,
    Interrupted,
    LayoutChanged,
    SiteBlocked,
    SourceUnavailable,
)
from audiowatch.exitcodes import ExitCode
from audiowatch.fetch import base as fetch_base
from audiowatch.listing import Listing
from audiowatch.notify import deliver, ops, ops_alerts, ping, registry, render
from audiowatch.notify.base import Channel, Message
from audiowatch.parse import layout_check
from audiowatch.rules import sql as rules_sql
from audiowatch.saved_pages import FAILED_PAGES_FOLDER
from audiowatch.scrape import Progress, ScrapeJob, Scraper, ScrapeResult
from audiowatch.store import database, listings, outbox, rules_seen, runs, state
from audiowatch.store import market as store_market

if TYPE_CHECKING:
    import duckdb

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TickOptions:
    max_pages: int | None = None  # overrides the page limit of this run
    headless: bool | None = None  # overrides scraper.headless
    dry_run: bool = False  # roll back the database and send nothing; report what would be sent
    ignore_backoff: bool = False  # fetch even before a back-off deadline has passed
    on_page: Callable[[Progress], None] | None = None  # told after each list page, e.g. to draw progress


@dataclass(frozen=True, slots=True)
class TickResult:
    run_id: str
    seeding: bool
    counts: runs.RunCounts
    matches: tuple[match.Match, ...] = ()
    delivery: deliver.DeliveryReport = field(default_factory=deliver.DeliveryReport)
    would_send: tuple[tuple[str, Message], ...] = ()  # (channel, message), dry runs only


def run_tick(config: Config, options: TickOptions = TickOptions(), *, clock: Clock = utc_now) -> TickResult:
    """Run one tick. Raise LockHeld (75) at once when another tick holds the lock.

    Every tick that gets the lock leaves a row in scrape_logs, whatever happens. The database
    is opened only for each short write, never while pages load or channels send, so `status`
    or a duckdb CLI session can read in between (DuckDB allows one process at a time).
    """
    rules = match.compile_rules(config)
    with lock.hold(lock.lock_path_for(config.database_path)), signals.stop_on_signals():
        run = _start(config, options, rules, clock)
        return _run_recorded(run)


@dataclass(slots=True)
class _Run:
    """What one tick works with, passed between its stages."""

    config: Config
    options: TickOptions
    rules: Sequence[match.CompiledRule]
    clock: Clock
    run_id: str
    started: datetime
    seeding: bool
    last_success: datetime | None
    site: site_state.SiteState
    baseline: dict[str, float]  # recent fill rates of the key fields, to spot a layout change
    counts: runs.RunCounts = field(default_factory=runs.RunCounts)
    details: runs.RunDetails = field(default_factory=runs.RunDetails)

    @property
    def database_path(self) -> Path:
        return self.config.database_path


def _start(config: Config, options: TickOptions, rules: Sequence[match.CompiledRule], clock: Clock) -> _Run:
    started = clock()
    with database.session(config.database_path) as connection:
        abandoned = runs.close_abandoned(connection)
        if abandoned:
            log.warning("abandoned_runs_closed", runs=abandoned, reason=runs.ABANDONED_ERROR)
        last_success = state.read_time(connection, state.LAST_SUCCESS)
        baseline = layout_check.baseline_rates(runs.recent_field_rates(connection))
        run = _Run(config, options, rules, clock, uuid.uuid4().hex[:12], started, last_success is None,
                   last_success, site_state.read(connection), baseline)
        runs.start_run(connection, run.run_id, started, run.seeding)
    return run


def _run_recorded(run: _Run) -> TickResult:
    structlog.contextvars.bind_contextvars(run_id=run.run_id)
    log.info("tick_started", seeding=run.seeding, dry_run=run.options.dry_run)
    outcome, exit_code, error_text = runs.Outcome.FAILED, ExitCode.ERROR, None
    try:
        result = _run_stages(run)
        outcome = runs.Outcome.DRY_RUN if run.options.dry_run else runs.Outcome.OK
        exit_code = ExitCode.OK
        return result
    except AudioWatchError as error:
        outcome = _outcome_of(error)
        exit_code, error_text = error.exit_code, str(error)
        _notify_despite(run, error)
        raise
    except Exception as error:  # recorded here, then re-raised to the CLI boundary
        error_text = f"{type(error).__name__}: {error}"
        raise
    finally:
        with database.session(run.database_path) as connection:
            runs.finish_run(connection, run.run_id, finished_at=run.clock(), outcome=outcome,
                            counts=run.counts, exit_code=int(exit_code), error=error_text, details=run.details)
        log.info("tick_finished", outcome=str(outcome), exit_code=int(exit_code),
                 **{name: getattr(run.counts, name) for name in run.counts.__slots__})
        structlog.contextvars.unbind_contextvars("run_id")


def _run_stages(run: _Run) -> TickResult:
    """Back off if told to; fetch and parse; store, detect, match and queue in one transaction; deliver."""
    site_state.honour_backoff(run.site, run.started, ignore=run.options.ignore_backoff)
    scraped = _scrape(run)
    matches, queued = _store_and_queue(run, scraped.listings)
    if run.options.dry_run:
        would_send = tuple((item.channel, message) for item, message in queued)
        return TickResult(run.run_id, run.seeding, run.counts, tuple(matches), would_send=would_send)
    report = _notify(run, ops.outcome_of(None))
    with database.session(run.database_path) as connection:
        state.write_time(connection, state.LAST_SUCCESS, run.started, run.clock())
        waiting = sum(outbox.count_pending(connection, name) for name, _ in report.refused)
    if report.refused:
        raise ChannelsRefused(list(report.refused), waiting)
    _ping(run.config)
    return TickResult(run.run_id, run.seeding, run.counts, tuple(matches), report)


def _scrape(run: _Run) -> ScrapeResult:
    """Scrape as deep as the plan says; a block becomes a stored back-off and BackingOff (75)."""
    scraper_settings, data_folder = run.config.scraper, run.database_path.parent
    plan = sources.plan_pages(scraper_settings, run.started, run.last_success, run.options.max_pages)
    job = ScrapeJob(scraper_settings, plan, _stored_lookup(run.database_path), run.baseline,
                    data_folder / FAILED_PAGES_FOLDER, run.options.on_page)
    fetcher = fetch_base.open_fetcher(scraper_settings, headless=run.options.headless,
                                      prefer_browser=run.site.prefers_browser(run.started),
                                      data_folder=data_folder)
    scraper = Scraper(fetcher, job)
    log.info("scrape_started", paging=str(plan.mode), page_budget=plan.page_budget, fetcher=fetcher.name)
    try:
        with fetcher:
            scraped = scraper.run()
    except SiteBlocked as blocked:
        raise site_state.record_block(run.database_path, blocked.block, run.site, run.clock()) from None
    except LayoutChanged:  # the site did answer: no block streak, whatever our parser made of it
        site_state.record_unblocked(run.database_path, run.site, fetcher.needs_browser(), run.clock())
        raise
    finally:
        run.counts.requests, run.counts.pages = fetcher.requests, scraper.pages
        run.details = runs.RunDetails(fetcher.name, str(plan.mode), scraper.field_rates)
    site_state.record_unblocked(run.database_path, run.site, fetcher.needs_browser(), run.clock())
    run.counts.skipped_cards = scraped.skipped_cards
    run.counts.listings_seen = len(scraped.listings)
    return scraped


def _stored_lookup(database_path: Path) -> Callable[[Sequence[int]], dict[int, Listing]]:
    """Return a lookup of stored listings that opens the database for each query only, never during a request."""

    def lookup(ids: Sequence[int]) -> dict[int, Listing]:
        with database.session(database_path, read_only=True) as connection:
            return listings.load_listings(connection, ids)

    return lookup


def _outcome_of(error: AudioWatchError) -> runs.Outcome:
    if isinstance(error, Interrupted):
        return runs.Outcome.INTERRUPTED
    if isinstance(error, BackingOff):
        return runs.Outcome.BLOCKED if error.new else runs.Outcome.BACKING_OFF
    return runs.Outcome.FAILED


def _store_and_queue(
    run: _Run, scraped: Sequence[Listing]
) -> tuple[list[match.Match], list[tuple[outbox.Pending, Message]]]:
    """Store the listings and queue notifications for the matches, all or nothing.

    A dry run sees its own writes and then rolls them back, so the next real tick still
    finds the same listings new.
    """
    now = run.clock()
    channel_names = [channel.name for channel in run.config.notifications.channels]
    with database.session(run.database_path) as connection, \
            database.transaction(connection, commit=not run.options.dry_run):
        changes = listings.upsert_listings(connection, scraped, now, run.run_id)
        run.counts.new_listings = sum(change.before is None for change in changes)
        run.counts.changed_listings = len(changes) - run.counts.new_listings
        found = events.detect_events(changes, seeding=run.seeding)
        watching = _watching_rules(connection, run.rules, now)
        first_seen = listings.first_seen_times(connection, [event.listing.listing_id for event in found])
        matches = match.match_events(found, watching, now, first_seen)
        run.counts.matches = len(matches)
        contexts = _market_contexts(connection, matches, watching, now)
        queued = _queue(matches, watching, channel_names, contexts)
        outbox.enqueue(connection, [item for item, _ in queued], now)
        state.write_time(connection, state.LAST_RUN, run.started, now)
    return matches, queued


def _watching_rules(
    connection: duckdb.DuckDBPyConnection, rules: Sequence[match.CompiledRule], now: datetime
) -> list[match.CompiledRule]:
    """The rules with when each was first seen: a new or edited rule starts quiet about stored listings."""
    since = rules_seen.register(connection, [(rule.name, rule.expression) for rule in rules], now)
    return match.with_since(rules, since)


def _market_contexts(
    connection: duckdb.DuckDBPyConnection, matches: Sequence[match.Match], rules: Sequence[match.CompiledRule],
    now: datetime,
) -> dict[str, market.MarketContext]:
    """Where each new or cheaper ask sits among comparable stored asks, by event key: one query per match."""
    contexts: dict[str, market.MarketContext] = {}
    for found in matches:
        comparable = match.comparable_for(found, rules)
        if comparable is None:
            continue
        context = store_market.market_context(connection, found.event.listing, rules_sql.translate(comparable), now)
        if context is not None:
            contexts[found.event.key] = context
    return contexts


def _queue(
    matches: Sequence[match.Match], rules: Sequence[match.CompiledRule], channel_names: Sequence[str],
    contexts: Mapping[str, market.MarketContext],
) -> list[tuple[outbox.Pending, Message]]:
    queued: list[tuple[outbox.Pending, Message]] = []
    for found in matches:
        message = render.render_message(found, contexts.get(found.event.key))
        urgent = match.is_urgent(found, rules)
        for channel in match.channels_for(found, rules, channel_names):
            pending = outbox.Pending(message.event_key, message.event_kind, found.event.listing.listing_id,
                                     channel, message.rules, message.to_json(), urgent)
            queued.append((pending, message))
    return queued


def _notify(run: _Run, outcome: ops.TickOutcome) -> deliver.DeliveryReport:
    """Give up stale notifications, queue the ops alerts this outcome calls for, deliver what is due."""
    with database.session(run.database_path) as connection, database.transaction(connection):
        upkeep = ops_alerts.queue_alerts(connection, run.config.notifications, outcome, run.clock())
    report = _deliver(run.config, run.clock())
    run.counts.notifications = report.sent
    return dataclasses.replace(report, expired=len(upkeep.expired))


def _notify_despite(run: _Run, error: AudioWatchError) -> None:
    """When the site fails, still deliver what is queued and the alert about the failure."""
    if run.options.dry_run or not isinstance(error, (SourceUnavailable, BackingOff)):
        return
    try:
        _notify(run, ops.outcome_of(error))
    except AudioWatchError as problem:  # the site's failure is the one to report
        log.error("notify_after_failure_failed", error=str(problem))


def _deliver(config: Config, now: datetime) -> deliver.DeliveryReport:
    channels: dict[str, Channel] = {}
    try:
        for settings in config.notifications.channels:
            channel = registry.open_channel(settings, config.folder)
            channel.check()
            channels[settings.name] = channel
        return deliver.deliver_due(config.database_path, channels, now, deliver.policy_for(config.notifications))
    finally:
        for channel in channels.values():
            channel.close()


def _ping(config: Config) -> None:
    """Tell the dead-man switch this tick went well; a failed ping is logged, never fatal."""
    url = config.notifications.ops.ping_url
    if url is None:
        return
    problem = ping.ping(url.get_secret_value())
    if problem is None:
        log.info("dead_man_pinged")
    else:
        log.warning("dead_man_ping_failed", reason=problem)
