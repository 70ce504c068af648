"""Logging: JSON when not on a terminal, readable lines on request, and secrets masked."""

from __future__ import annotations

import io
import json

import structlog

from audiowatch import log


def logged(log_format: str, **fields: object) -> str:
    stream = io.StringIO()
    log.configure(level="info", log_format=log_format, stream=stream)
    structlog.get_logger("test").info("something_happened", **fields)
    return stream.getvalue()


def test_auto_format_writes_json_when_the_stream_is_not_a_terminal() -> None:
    record = json.loads(logged("auto", pages=3))
    assert (record["event"], record["pages"], record["level"]) == ("something_happened", 3, "info")
    assert record["timestamp"].endswith("Z")


def test_console_format_writes_readable_lines() -> None:
    line = logged("console", pages=3)
    assert "something_happened" in line and "pages=3" in line
    assert not line.startswith("{")


def test_secret_keys_are_masked() -> None:
    record = json.loads(logged("json", smtp_password="hunter2", webhook_url="https://x/y"))
    assert record["smtp_password"] == log.MASK and record["webhook_url"] == log.MASK


def test_webhook_tokens_inside_text_are_masked() -> None:
    record = json.loads(logged("json", error="POST https://discord.com/api/webhooks/123/abc-token failed"))
    assert "abc-token" not in record["error"]
    assert "https://discord.com/api/webhooks/" in record["error"]


def test_debug_lines_are_dropped_at_info_level() -> None:
    stream = io.StringIO()
    log.configure(level="info", log_format="json", stream=stream)
    structlog.get_logger("test").debug("noise")
    assert stream.getvalue() == ""
