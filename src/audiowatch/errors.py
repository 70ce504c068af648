"""The exceptions AudioWatch raises on purpose, each carrying the exit code it ends with.

    AudioWatchError (1)
    ├── ConfigError (78)            the config file, a rule or a secret is wrong
    │   ├── RuleError (78)          a watch rule does not parse; points a caret at the column
    │   └── ChannelsRefused (78)    a notification service refused a channel's settings
    ├── LockHeld (75)               another tick holds the lock
    ├── SiteBlocked (75)            the site answered a page with a block (403, 429, 503, challenge)
    ├── BackingOff (75)             the source asked us to wait until a deadline
    ├── DatabaseBusy (75)           another program has the DuckDB file open
    ├── ScheduleError (1)           a schedule file cannot be installed or removed as asked
    ├── SourceUnavailable (69)      the site could not be scraped (network, browser)
    │   ├── BrowserUnavailable (69) no Chromium could be found or started
    │   └── LayoutChanged (69)      pages arrived but their cards did not parse
    ├── ChannelTestFailed (69/78)   `notify test`: a channel could not deliver its sample
    └── Interrupted (130/143)       SIGINT or SIGTERM arrived; cleanup has run

Each exception keeps structured fields and renders a message for people in ``__str__``:
what was wrong, where, and what to do.
"""

from __future__ import annotations

import signal
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from audiowatch.exitcodes import ExitCode

if TYPE_CHECKING:
    from audiowatch.fetch.blocks import Block


class AudioWatchError(Exception):
    """Root of every error AudioWatch raises on purpose."""

    exit_code: ExitCode = ExitCode.ERROR


class ConfigError(AudioWatchError):
    """The configuration is wrong. Holds one line per problem, each naming file, line and key."""

    exit_code = ExitCode.CONFIG

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return f"bad configuration: {self.problems[0]}"
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        return f"bad configuration ({len(self.problems)} problems):\n{lines}"


class RuleError(ConfigError):
    """A watch rule expression does not parse or does not make sense.

    ``column`` is 1-based, as people count, and the message repeats the expression
    with a caret under that column.
    """

    def __init__(self, reason: str, expression: str, column: int, rule: str | None = None) -> None:
        self.reason = reason
        self.expression = expression
        self.column = column
        self.rule = rule
        super().__init__(self._render())

    def with_rule(self, rule: str, where: str = "") -> RuleError:
        """Return the same error naming the rule (and where it was configured)."""
        error = RuleError(self.reason, self.expression, self.column, rule)
        if where:
            error.problems = [f"{where}: {error._render()}"]
        return error

    def _render(self) -> str:
        named = f'rule "{self.rule}": ' if self.rule else ""
        caret = " " * (self.column - 1) + "^"
        return f"{named}{self.reason} (column {self.column})\n    {self.expression}\n    {caret}"

    def __str__(self) -> str:
        return self.problems[0]


class ChannelsRefused(ConfigError):
    """Notification services refused channels' settings (login, deleted webhook, untrusted certificate).

    ``refusals`` holds (channel name, reason); the reason already says what to fix. The tick did
    its work and the notifications wait in the outbox, so fixing the setting delivers them.
    """

    def __init__(self, refusals: list[tuple[str, str]], waiting: int) -> None:
        self.refusals = refusals
        self.waiting = waiting
        problems = [f'notifications.channels "{name}": {reason}' for name, reason in refusals]
        problems.append(f"{waiting} notification(s) wait in the outbox and go out once this is fixed "
                        "(check with `audiowatch notify test`).")
        super().__init__(problems)


class ChannelTestFailed(AudioWatchError):
    """`notify test` could not deliver through every channel; the per-channel results say why.

    Exits 78 when a service refused a channel's settings (fix the config), else 69 (try later).
    """

    def __init__(self, failed: list[str], *, refused: bool) -> None:
        self.failed = failed
        self.refused = refused
        super().__init__(failed)

    @property
    def exit_code(self) -> ExitCode:  # type: ignore[override]
        return ExitCode.CONFIG if self.refused else ExitCode.UNAVAILABLE

    def __str__(self) -> str:
        return f"the test notification did not get through on: {', '.join(self.failed)}"


class LockHeld(AudioWatchError):
    """Another tick holds the lock file, so this one skips its turn."""

    exit_code = ExitCode.TEMPFAIL

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        super().__init__(lock_path)

    def __str__(self) -> str:
        return (
            f"another tick is running (it holds {self.lock_path}); skipping this one. "
            "This is normal when a tick takes longer than the interval."
        )


class SiteBlocked(AudioWatchError):
    """The site answered a page with a block; the tick turns it into a back-off deadline."""

    exit_code = ExitCode.TEMPFAIL

    def __init__(self, block: Block) -> None:
        self.block = block
        super().__init__(block)

    def __str__(self) -> str:
        return f"the site refused us: {self.block.describe()}"


class BackingOff(AudioWatchError):
    """The source told us to wait; no request is made before ``deadline``.

    ``new`` is True for the tick that met the block, False for later ticks that skip their turn.
    """

    exit_code = ExitCode.TEMPFAIL

    def __init__(self, reason: str, deadline: datetime, *, new: bool = False, strikes: int = 1) -> None:
        self.reason = reason
        self.deadline = deadline
        self.new = new
        self.strikes = strikes
        super().__init__(reason, deadline)

    def __str__(self) -> str:
        until = self.deadline.isoformat(timespec="seconds")
        in_a_row = f" ({self.strikes} blocks in a row)" if self.strikes > 1 else ""
        if self.new:
            return (f"the site refused us: {self.reason}. Backing off until {until}{in_a_row}: ticks until "
                    "then make no request. `audiowatch tick --ignore-backoff` tries anyway.")
        return (f"backing off until {until}{in_a_row} because the site refused us: {self.reason}; "
                "no request was made. `audiowatch tick --ignore-backoff` tries anyway.")


class DatabaseBusy(AudioWatchError):
    """Another process holds the DuckDB file: a tick writing, or a reader such as the duckdb CLI."""

    exit_code = ExitCode.TEMPFAIL

    def __init__(self, path: Path, detail: str, *, reading: bool = False) -> None:
        self.path = path
        self.detail = detail
        self.reading = reading
        super().__init__(path, detail)

    def __str__(self) -> str:
        if self.reading:
            return (
                f"the database {self.path} is busy ({self.detail}): a tick is probably writing to it. "
                "Try again in a few seconds."
            )
        return (
            f"the database {self.path} is open in another program ({self.detail}). DuckDB allows "
            "one process at a time to write, and an open reader blocks it too: close other sessions "
            "on it (the duckdb CLI, a notebook) or open them only between ticks."
        )


class ScheduleError(AudioWatchError):
    """`audiowatch schedule` cannot do what was asked: no permission, a foreign file, no crontab."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    def __str__(self) -> str:
        return self.reason


class SourceUnavailable(AudioWatchError):
    """The site could not be scraped: unreachable, timing out, or answering with errors."""

    exit_code = ExitCode.UNAVAILABLE

    def __init__(self, reason: str, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(reason, url)

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"could not scrape the classifieds{where}: {self.reason}"


class BrowserUnavailable(SourceUnavailable):
    """No Chromium was found, or it would not start."""

    def __str__(self) -> str:
        return self.reason


class LayoutChanged(SourceUnavailable):
    """A page arrived but its listings did not parse: the site's markup probably changed."""

    def __init__(self, reason: str, url: str, saved_html: Path | None = None) -> None:
        super().__init__(reason, url)
        self.saved_html = saved_html

    def __str__(self) -> str:
        saved = f"; the page was saved to {self.saved_html}" if self.saved_html else ""
        return f"the page layout looks changed at {self.url}: {self.reason}{saved}"


class Interrupted(AudioWatchError):
    """A stop signal arrived; the tick cleaned up and exits with 128 + the signal number."""

    def __init__(self, signal_number: int, when: str = "after cleaning up") -> None:
        self.signal_number = signal_number
        self.when = when
        super().__init__(signal_number)

    @property
    def exit_code(self) -> ExitCode:  # type: ignore[override]
        if self.signal_number == signal.SIGINT:
            return ExitCode.INTERRUPTED
        return ExitCode.TERMINATED

    def __str__(self) -> str:
        return f"stopped by {signal.Signals(self.signal_number).name} {self.when}"
