"""A loopback HTTP server that behaves like Discord's execute-webhook endpoint.

It checks each payload against Discord's documented limits (reference §6) and answers 400 with
Discord's error shape when one is broken; answers 200 with the created message for `?wait=true`
and 204 otherwise; works out who a message would ping, honouring `allowed_mentions`; and can be
told to answer the next requests with a 429 (Retry-After header and `retry_after` body), a 5xx,
another status, or to hang. It records every request that arrived, answered or not.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

WEBHOOK_ID = "1187654321098765432"
WEBHOOK_TOKEN = "s3cr3t-T0ken_ab12CD34ef56"  # a secret: tests check it never shows in logs

_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256, "field_name": 256,
           "field_value": 1024, "fields": 25, "embeds": 10, "total": 6000, "content": 2000}
_EVERYONE = re.compile(r"(?<!\\)@(everyone|here)")
_USER = re.compile(r"(?<!\\)<@!?(\d+)>")


@dataclass(frozen=True, slots=True)
class Respond:
    """Answer the next request with ``status``; for 429, a Retry-After header and body."""

    status: int
    retry_after: float | None = None
    retry_after_in_body_only: bool = False


HANG = Respond(0)  # accept the request and never answer (until the server stops)


@dataclass(slots=True)
class Arrival:
    """A request as it arrived, and what it was answered."""

    path: str
    query: dict[str, list[str]]
    payload: Any
    status: int = 0  # 0 while hanging


@dataclass(slots=True)
class _State:
    arrivals: list[Arrival] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)  # accepted, in order
    script: list[Respond] = field(default_factory=list)
    bucket: tuple[int, float] | None = None  # (size, reset_after): emulate a rate-limit bucket
    bucket_used: list[float] = field(default_factory=list)


class DiscordAPI:
    """Serve on 127.0.0.1 until stopped; use as a context manager."""

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._ids = count(1_300_000_000_000_000_000)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def __enter__(self) -> DiscordAPI:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def webhook_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"

    @property
    def arrivals(self) -> list[Arrival]:
        with self._lock:
            return list(self._state.arrivals)

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.messages)

    def titles(self) -> list[str]:
        """The embed titles of every accepted message, in order."""
        return [embed.get("title", "") for message in self.messages for embed in message["embeds"]]

    def then(self, *responses: Respond) -> None:
        """Answer the next requests like this, in order; after them, behave normally."""
        with self._lock:
            self._state.script.extend(responses)

    def limit_bucket(self, size: int, reset_after: float) -> None:
        """Allow ``size`` requests per ``reset_after`` seconds, announced in X-RateLimit headers."""
        with self._lock:
            self._state.bucket = (size, reset_after)

    def release(self) -> None:
        """Let hanging requests end (their clients have usually given up already)."""
        self._released.set()

    def handle(self, handler: _Handler, payload: Any) -> None:
        parts = urlsplit(handler.path)
        arrival = Arrival(parts.path, parse_qs(parts.query), payload)
        with self._lock:
            self._state.arrivals.append(arrival)
            scripted = self._state.script.pop(0) if self._state.script else None
        if scripted is HANG:
            self._released.wait(timeout=120)
            return
        status, body, headers = self._answer(parts.path, parts.query, payload, scripted)
        arrival.status = status
        handler.reply(status, body, headers)

    def _answer(
        self, path: str, query: str, payload: Any, scripted: Respond | None
    ) -> tuple[int, Any, dict[str, str]]:
        if path != f"/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}":
            return 404, {"message": "Unknown Webhook", "code": 10015}, {}
        if scripted is not None and scripted.status != 200:
            return _scripted(scripted)
        limited = self._take_from_bucket()
        if limited is not None:
            return limited
        problems = validate(payload)
        if problems:
            return 400, {"code": 50035, "message": "Invalid Form Body", "errors": problems}, {}
        message = self._created(payload)
        with self._lock:
            self._state.messages.append(message)
        headers = self._bucket_headers()
        if parse_qs(query).get("wait") == ["true"]:
            return 200, message, headers
        return 204, None, headers

    def _created(self, payload: dict[str, Any]) -> dict[str, Any]:
        content = payload.get("content") or ""
        allowed = payload.get("allowed_mentions")
        parse = set(allowed.get("parse", [])) if isinstance(allowed, dict) else {"users", "roles", "everyone"}
        return {
            "id": str(next(self._ids)), "webhook_id": WEBHOOK_ID, "content": content,
            "embeds": payload.get("embeds", []), "username": payload.get("username"),
            "mention_everyone": bool(_EVERYONE.search(content)) and "everyone" in parse,
            "mentions": [{"id": user} for user in _USER.findall(content)] if "users" in parse else [],
        }

    def _take_from_bucket(self) -> tuple[int, Any, dict[str, str]] | None:
        import time

        with self._lock:
            if self._state.bucket is None:
                return None
            size, reset_after = self._state.bucket
            now = time.monotonic()
            self._state.bucket_used = [moment for moment in self._state.bucket_used if now - moment < reset_after]
            if len(self._state.bucket_used) >= size:
                wait = reset_after - (now - self._state.bucket_used[0])
                return _scripted(Respond(429, round(wait, 3)))
            self._state.bucket_used.append(now)
        return None

    def _bucket_headers(self) -> dict[str, str]:
        with self._lock:
            if self._state.bucket is None:
                return {}
            size, reset_after = self._state.bucket
            remaining = size - len(self._state.bucket_used)
        return {"X-RateLimit-Limit": str(size), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset-After": str(reset_after), "X-RateLimit-Bucket": "audiowatch-test"}


def _scripted(response: Respond) -> tuple[int, Any, dict[str, str]]:
    if response.status == 429:
        retry_after = response.retry_after or 1.0
        headers = {} if response.retry_after_in_body_only else {"Retry-After": f"{retry_after:g}"}
        headers["X-RateLimit-Scope"] = "user"
        return 429, {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}, headers
    if response.status >= 500:
        return response.status, {"message": "Internal Server Error", "code": 0}, {}
    messages = {401: ("Invalid Webhook Token", 50027), 404: ("Unknown Webhook", 10015)}
    text, code = messages.get(response.status, ("Bad Request", 0))
    return response.status, {"message": text, "code": code}, {}


def validate(payload: Any) -> dict[str, Any]:
    """Return Discord-style errors for a payload that breaks a documented limit; {} when valid."""
    if not isinstance(payload, dict):
        return {"_errors": [{"code": "DICT_TYPE_CONVERT", "message": "Only dictionaries may be used."}]}
    problems: dict[str, Any] = {}
    embeds = payload.get("embeds") or []
    if not payload.get("content") and not embeds:
        problems["content"] = "Cannot send an empty message"
    if len(payload.get("content") or "") > _LIMITS["content"]:
        problems["content"] = f"Must be {_LIMITS['content']} or fewer in length."
    if len(embeds) > _LIMITS["embeds"]:
        problems["embeds"] = f"Must be {_LIMITS['embeds']} or fewer in length."
    for index, embed in enumerate(embeds):
        problems.update({f"embeds.{index}.{key}": value for key, value in _embed_problems(embed).items()})
    if sum(_embed_size(embed) for embed in embeds) > _LIMITS["total"]:
        problems["embeds"] = f"Embed size exceeds maximum size of {_LIMITS['total']}"
    allowed = payload.get("allowed_mentions")
    if isinstance(allowed, dict) and not set(allowed.get("parse", [])) <= {"users", "roles", "everyone"}:
        problems["allowed_mentions.parse"] = "Value must be one of users, roles, everyone."
    return problems


def _embed_problems(embed: dict[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    texts = {"title": embed.get("title", ""), "description": embed.get("description", ""),
             "footer": (embed.get("footer") or {}).get("text", ""),
             "author": (embed.get("author") or {}).get("name", "")}
    problems.update({key: f"Must be {_LIMITS[key]} or fewer in length." for key, text in texts.items()
                     if len(text) > _LIMITS[key]})
    fields = embed.get("fields", [])
    if len(fields) > _LIMITS["fields"]:
        problems["fields"] = f"Must be {_LIMITS['fields']} or fewer in length."
    for index, item in enumerate(fields):
        for part in ("name", "value"):
            text = item.get(part, "")
            if not text or len(text) > _LIMITS[f"field_{part}"]:
                problems[f"fields.{index}.{part}"] = f"Must be between 1 and {_LIMITS[f'field_{part}']} in length."
    for key, url in (("url", embed.get("url")), ("thumbnail.url", (embed.get("thumbnail") or {}).get("url"))):
        if url is not None and not str(url).startswith(("http://", "https://")):
            problems[key] = "Not a well formed URL."
    return problems


def _embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    return (len(embed.get("title", "")) + len(embed.get("description", ""))
            + len((embed.get("footer") or {}).get("text", "")) + len((embed.get("author") or {}).get("name", ""))
            + sum(len(item.get("name", "")) + len(item.get("value", "")) for item in fields))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: DiscordAPI


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Buffer the answer so headers and body leave in one segment: written apart, Nagle's
    # algorithm and the client's delayed ACK add 40 ms to every request.
    wbufsize = 64 * 1024

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        self.server.api.handle(self, payload)

    def reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean
