"""What AudioWatch remembers about the site between ticks: a back-off deadline after a block, and whether
`auto` should start with the browser. Read once at a tick's start; written in short sessions after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from audiowatch.errors import BackingOff
from audiowatch.fetch import blocks
from audiowatch.store import database, state

if TYPE_CHECKING:
    import duckdb

log = structlog.get_logger(__name__)

# After a challenge, `auto` starts with the browser for this long, then tries plain HTTP again: at
# most one wasted request per period while the site keeps challenging. (The browser keeps its
# clearance cookie, so it is not challenged itself and cannot tell whether the site stopped.)
PREFER_BROWSER_FOR = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class SiteState:
    backoff: blocks.Backoff | None  # the last back-off, in force or expired
    browser_preferred_until: datetime | None

    def prefers_browser(self, now: datetime) -> bool:
        return self.browser_preferred_until is not None and self.browser_preferred_until > now


def read(connection: duckdb.DuckDBPyConnection) -> SiteState:
    return SiteState(state.read_backoff(connection), state.read_time(connection, state.BROWSER_PREFERRED_UNTIL))


def honour_backoff(site: SiteState, now: datetime, *, ignore: bool = False) -> None:
    """Raise BackingOff (exit 75) while a back-off deadline has not passed, unless told to ``ignore`` it."""
    backoff = site.backoff
    if backoff is None or backoff.deadline <= now:
        return
    if ignore:
        log.warning("backoff_ignored", deadline=backoff.deadline.isoformat(), kind=str(backoff.kind))
        return
    log.warning("backing_off", deadline=backoff.deadline.isoformat(), kind=str(backoff.kind), url=backoff.url,
                strikes=backoff.strikes, requests=0)
    raise BackingOff(backoff.describe(), backoff.deadline, strikes=backoff.strikes)


def record_block(database_path: Path, block: blocks.Block, site: SiteState, now: datetime) -> BackingOff:
    """Store the back-off ``block`` calls for (longer if blocks came before) and return the error to raise."""
    backoff = blocks.back_off(block, site.backoff, now)
    with database.session(database_path) as connection:
        state.write_backoff(connection, backoff, now)
    log.warning("backing_off", deadline=backoff.deadline.isoformat(), kind=str(block.kind), url=block.url,
                status=block.status, strikes=backoff.strikes)
    return BackingOff(block.describe(), backoff.deadline, new=True, strikes=backoff.strikes)


def record_unblocked(database_path: Path, site: SiteState, needs_browser: bool | None, now: datetime) -> None:
    """After a scrape the site answered without a block: forget the back-off; when it challenged this tick
    (``needs_browser``), have `auto` start with the browser for PREFER_BROWSER_FOR."""
    forget_backoff = site.backoff is not None
    if not (forget_backoff or needs_browser):
        return
    with database.session(database_path) as connection:
        if forget_backoff:
            state.delete(connection, state.BACKOFF)
        if needs_browser:
            until = now + PREFER_BROWSER_FOR
            state.write_time(connection, state.BROWSER_PREFERRED_UNTIL, until, now)
            log.info("browser_preferred", until=until.isoformat())
