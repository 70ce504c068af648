"""Local time for people: whether a moment falls in the quiet hours, and the user's clock (pure)."""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from zoneinfo import ZoneInfo


def zone(name: str | None) -> tzinfo | None:
    """Return the named IANA zone, or None for this machine's local time."""
    return ZoneInfo(name) if name else None


def local(moment: datetime, where: tzinfo | None) -> datetime:
    """Return the aware ``moment`` on the user's clock (this machine's when ``where`` is None)."""
    return moment.astimezone(where) if where is not None else moment.astimezone()


def is_quiet(moment: datetime, start: time, end: time, where: tzinfo | None) -> bool:
    """True when ``moment`` falls in the daily window [start, end) on the user's clock.

    A window whose end is earlier than its start runs overnight (22:00-07:00). Going by the
    wall clock keeps the window where the user expects it across daylight-saving changes.
    """
    clock = local(moment, where).time().replace(tzinfo=None)
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end
