"""structlog set-up: readable lines on a terminal, JSON lines otherwise, secrets masked."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|webhook|api_key|authorization", re.IGNORECASE)
# Discord webhook URLs carry their token in the path: keep the host, hide the rest.
_WEBHOOK_URL = re.compile(r"(https?://[^/\s]+/api/webhooks/)[^\s\"']+")
MASK = "**********"


def configure(level: str = "info", log_format: str = "auto", stream: Any = None) -> None:
    """Set up logging to ``stream`` (standard error by default; standard output carries results).

    ``auto`` picks readable lines when the stream is a terminal and JSON lines otherwise
    (systemd journal, cron mail, pipes).
    """
    stream = stream or _CurrentStderr()
    as_json = log_format == "json" or (log_format == "auto" and not _is_terminal(stream))
    renderer: Any
    if as_json:
        # No frame locals in tracebacks: a password held in a local would leak (reference §8).
        exceptions: Any = structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        )
        renderer = structlog.processors.JSONRenderer()
    else:
        exceptions = structlog.processors.format_exc_info
        renderer = structlog.dev.ConsoleRenderer(colors=_is_terminal(stream))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_secrets,
            exceptions,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


def mask_secrets(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replace values under secret-sounding keys, and webhook tokens inside any text."""
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key) and value is not None:
            event[key] = MASK
        elif isinstance(value, str):
            event[key] = mask_text(value)
    return event


def mask_text(text: str) -> str:
    return _WEBHOOK_URL.sub(lambda match: match.group(1) + MASK, text)


class _CurrentStderr:
    """Writes to whatever sys.stderr is at the time, so redirection after set-up is honoured."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
