"""The Discord channel: posts embeds to a webhook, waits for confirmation, honours rate limits."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from audiowatch.config.model import DiscordChannel as DiscordSettings
from audiowatch.log import MASK
from audiowatch.notify import discord_embed
from audiowatch.notify.base import Channel, ChannelRefused, Message, PermanentFailure, TemporaryFailure

# A Retry-After beyond this is not believable (one report had milliseconds): see reference §6.
_LONGEST_RETRY_AFTER = 3600.0
_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


class DiscordChannel(Channel):
    """Posts to a Discord channel through a webhook: one embed per listing, linked to it, with the
    price, condition, seller and the rules it matched. Nothing in a listing can ping anyone."""

    kind: ClassVar[str] = "discord"

    def __init__(self, settings: DiscordSettings) -> None:
        super().__init__(settings.name)
        self._settings = settings
        self._secret = settings.webhook_url.get_secret_value()
        self._url = with_wait(self._secret)
        self._host = urlsplit(self._secret).netloc
        self._session: requests.Session | None = None
        # Seconds this tick may still spend waiting out rate limits; the rest goes to the next tick.
        self._wait_left = settings.max_retry_wait_seconds
        self._bucket_free_at = 0.0  # time.monotonic() when the rate-limit bucket refills

    def send(self, message: Message) -> None:
        self._post(self._payload([message]))

    def split_digest(self, messages: Sequence[Message]) -> list[Sequence[Message]]:
        return discord_embed.split(messages)

    def send_digest(self, messages: Sequence[Message]) -> None:
        self._post(self._payload(messages))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _payload(self, messages: Sequence[Message]) -> dict[str, Any]:
        return discord_embed.build_payload(
            messages, username=self._settings.username, avatar_url=self._settings.avatar_url
        )

    def _post(self, payload: dict[str, Any]) -> None:
        """Post until Discord confirms; wait out rate limits while this tick's budget allows."""
        while True:
            self._wait_for_bucket()
            response = self._request(payload)
            self._remember_bucket(response)
            if response.status_code in (200, 204):
                return
            if response.status_code != 429:
                raise self._failure(response)
            retry_after = retry_after_seconds(response)
            if retry_after > self._wait_left:
                raise TemporaryFailure(
                    f"Discord is rate-limiting this webhook; retry in {retry_after:.1f} s", retry_after
                )
            self._pause(retry_after)

    def _request(self, payload: dict[str, Any]) -> requests.Response:
        if self._session is None:
            self._session = requests.Session()
        timeout = self._settings.timeout_seconds
        try:
            return self._session.post(self._url, json=payload, timeout=timeout)
        except requests.Timeout:
            raise TemporaryFailure(f"Discord ({self._host}) did not answer within {timeout:g} s") from None
        except requests.exceptions.SSLError:
            raise ChannelRefused(
                f"the TLS certificate of {self._host} is not trusted; check the host in webhook_url"
            ) from None
        except requests.RequestException as error:
            raise TemporaryFailure(f"could not reach Discord ({self._host}): {self._cause(error)}") from None

    def _wait_for_bucket(self) -> None:
        wait = self._bucket_free_at - time.monotonic()
        if wait <= 0:
            return
        if wait > self._wait_left:
            raise TemporaryFailure(f"Discord's rate limit for this webhook refills in {wait:.1f} s", wait)
        self._pause(wait)

    def _remember_bucket(self, response: requests.Response) -> None:
        # Discord says to read the limits from the headers, never to hard-code them (reference §6).
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset_after = _seconds(response.headers.get("X-RateLimit-Reset-After"))
        if remaining == "0" and reset_after is not None:
            self._bucket_free_at = time.monotonic() + min(reset_after, _LONGEST_RETRY_AFTER)

    def _pause(self, seconds: float) -> None:
        self._wait_left -= seconds
        time.sleep(seconds)  # SIGTERM still interrupts this: signals.py raises from the handler

    def _failure(self, response: requests.Response) -> Exception:
        status = response.status_code
        if status >= 500:
            return TemporaryFailure(f"Discord answered HTTP {status}")
        if status in (401, 403):
            return ChannelRefused(
                f"Discord refused the webhook (HTTP {status}): its token is wrong. Copy the webhook URL again "
                "(channel settings > Integrations > Webhooks) into the variable behind webhook_url."
            )
        if status == 404:
            return ChannelRefused(
                "Discord does not know this webhook (HTTP 404): it was deleted or webhook_url is mistyped. "
                "Create or copy the webhook again and update the variable behind webhook_url."
            )
        return PermanentFailure(f"Discord rejected the message (HTTP {status}): {self._detail(response)}")

    def _detail(self, response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return self._masked(response.text[:300]) or "no detail given"
        if isinstance(body, dict):
            detail = str(body.get("message", ""))
            if body.get("errors"):
                detail += " " + json.dumps(body["errors"])[:300]
            return self._masked(detail.strip()) or "no detail given"
        return self._masked(str(body)[:300])

    def _cause(self, error: requests.RequestException) -> str:
        found = _ERRNO_TEXT.search(str(error))
        return found.group(1).strip() if found else type(error).__name__

    def _masked(self, text: str) -> str:
        path = urlsplit(self._secret).path
        return text.replace(self._secret, MASK).replace(path, MASK) if path else text.replace(self._secret, MASK)


def with_wait(url: str) -> str:
    """Return the webhook URL asking Discord to confirm the message (``wait=true``), keeping
    any other parameter such as ``thread_id``."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "wait"] + [("wait", "true")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def retry_after_seconds(response: requests.Response) -> float:
    """Seconds to wait after a 429: the body's ``retry_after`` (a precise float), else the
    Retry-After header.

    Sanity-checked: a body value far above the header is taken as milliseconds (reference §6),
    and anything is clamped to an hour.
    """
    header = _seconds(response.headers.get("Retry-After"))
    body: float | None = None
    try:
        record = response.json()
        if isinstance(record, dict):
            body = _seconds(record.get("retry_after"))
    except ValueError:
        pass
    if header is not None and body is not None and body > header * 100:
        body = body / 1000
    value = body if body is not None else header
    return min(max(value if value is not None else 1.0, 0.0), _LONGEST_RETRY_AFTER)


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
