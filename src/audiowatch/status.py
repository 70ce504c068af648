"""Gather what `audiowatch status` shows: read the database briefly, then judge it (health.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from audiowatch import health, site_state
from audiowatch.config.model import Config
from audiowatch.store import database, reports, runs, state

RUNS_SHOWN = 10


class NoDatabase(Exception):
    """No tick has created the database yet."""


def gather(config: Config, now: datetime, runs_shown: int = RUNS_SHOWN) -> health.StatusFacts:
    """Read everything `status` needs in one short read-only session.

    Raise NoDatabase when no tick has run yet, and DatabaseBusy when a tick keeps it locked.
    """
    path = config.database_path
    if not path.exists():
        raise NoDatabase(str(path))
    with database.session(path, read_only=True) as connection:
        listings_stored, listings_active = reports.listing_counts(connection)
        site = site_state.read(connection)
        rates = runs.recent_field_rates(connection, limit=1)
        return health.StatusFacts(
            now=now,
            poll_interval=timedelta(minutes=config.scraper.poll_interval_minutes),
            last_run_at=state.read_time(connection, state.LAST_RUN),
            last_success_at=state.read_time(connection, state.LAST_SUCCESS),
            runs=tuple(reports.recent_runs(connection, runs_shown)),
            consecutive_failures=reports.consecutive_failures(connection),
            outbox=reports.outbox_summary(connection, now - reports.DAY),
            listings_stored=listings_stored,
            listings_active=listings_active,
            latency_day=reports.alert_latency(connection, now - reports.DAY),
            latency_week=reports.alert_latency(connection, now - reports.WEEK),
            backoff=site.backoff,
            browser_preferred_until=site.browser_preferred_until,
            field_rates=rates[0] if rates else None,
        )
