"""Messages -> one RFC 5322 mail with a plain-text and an HTML part, every listing value escaped (pure)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from audiowatch.notify import render
from audiowatch.notify.base import Message

_STYLE_LABEL = "color:#666;padding:2px 12px 2px 0;vertical-align:top"


def build_mail(
    messages: Sequence[Message], *, sender: str, recipients: Sequence[str], subject_prefix: str,
    channel: str, now: datetime,
) -> EmailMessage:
    """Return the mail for one message, or one digest of several.

    The Message-ID is derived from the events and the channel, so a mail repeated after a
    crash carries the same ID and mail clients can fold the two together.
    """
    single = messages[0] if len(messages) == 1 else None
    headline = single.headline if single else render.digest_headline(messages)
    mail = EmailMessage()
    mail["Subject"] = _one_line(subject_prefix + headline)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id([message.event_key for message in messages], channel, sender)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it, please
    text = render.format_text(single) if single else render.format_text(render.digest_message(messages))
    # text/plain first, then HTML: the order that makes clients prefer the HTML (reference §7).
    mail.set_content(text + "\n\n-- \nSent by AudioWatch\n")
    mail.add_alternative(html_document(messages), subtype="html")
    return mail


def message_id(event_keys: Sequence[str], channel: str, sender: str) -> str:
    digest = hashlib.sha256("\n".join([channel, *event_keys]).encode("utf-8")).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "audiowatch.invalid"
    return f"<audiowatch.{digest}@{domain}>"


def html_document(messages: Sequence[Message]) -> str:
    """The HTML part: one section per message. Every value from a listing is escaped."""
    sections = "\n<hr style=\"border:0;border-top:1px solid #ddd;margin:18px 0\">\n".join(
        html_section(message) for message in messages
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
        "<body style=\"font-family:Arial,Helvetica,sans-serif;color:#222;font-size:14px\">\n"
        f"{sections}\n"
        "<p style=\"color:#999;font-size:12px;margin-top:24px\">Sent by AudioWatch</p>\n</body></html>\n"
    )


def html_section(message: Message) -> str:
    parts = [f"<h2 style=\"font-size:17px;margin:0 0 10px\">{_escape(message.headline)}</h2>"]
    if message.body:
        parts.append("<p>" + "<br>\n".join(_escape(line) for line in message.body.splitlines()) + "</p>")
    listing = message.listing
    if listing is not None:
        if listing.thumbnail_url and _is_web_url(listing.thumbnail_url):
            parts.append(f"<img src=\"{_escape(listing.thumbnail_url)}\" alt=\"\" width=\"160\" "
                         "style=\"float:right;margin:0 0 8px 12px\">")
        rows = "".join(
            f"<tr><td style=\"{_STYLE_LABEL}\">{_escape(label)}</td><td>{_escape(value)}</td></tr>"
            for label, value in render.details(message) if label != "Link"
        )
        parts.append(f"<table style=\"border-collapse:collapse\">{rows}</table>")
        if _is_web_url(listing.url):
            parts.append(f"<p><a href=\"{_escape(listing.url)}\">Open the listing on Head-Fi</a></p>")
    return "\n".join(parts)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _one_line(text: str) -> str:
    # A header must not carry a line break: that would let a title inject headers.
    return " ".join(text.split())


def _is_web_url(url: str) -> bool:
    return url.startswith(("https://", "http://"))
