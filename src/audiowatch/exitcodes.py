"""Every exit status AudioWatch uses (SPEC §6), named once."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit statuses; the numbers follow sysexits.h so systemd can name them."""

    OK = 0
    ERROR = 1  # an unexpected error: a bug, reported with where the traceback went
    UNAVAILABLE = 69  # EX_UNAVAILABLE: the source could not be scraped
    TEMPFAIL = 75  # EX_TEMPFAIL: another tick holds the lock, or the source asked us to back off
    CONFIG = 78  # EX_CONFIG: the configuration is wrong
    INTERRUPTED = 130  # 128 + SIGINT (2): stopped with Ctrl-C after cleaning up
    TERMINATED = 143  # 128 + SIGTERM (15): stopped by the service manager after cleaning up
