"""The Discord channel against a loopback server that behaves like Discord's webhook API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from audiowatch.config.model import DiscordChannel as DiscordSettings
from audiowatch.events import Event, EventKind
from audiowatch.market import MarketContext
from audiowatch.match import Match
from audiowatch.notify import discord_embed, render
from audiowatch.notify.base import ChannelRefused, Message, PermanentFailure, TemporaryFailure
from audiowatch.notify.deliver import deliver_due
from audiowatch.notify.discord import DiscordChannel, retry_after_seconds, with_wait
from audiowatch.store import outbox
from tests.support.discord_api import HANG, WEBHOOK_TOKEN, DiscordAPI, Respond, validate
from tests.support.listings import make_listing

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def message(listing_id: int = 100001, kind: EventKind = EventKind.NEW, **fields: Any) -> Message:
    listing = make_listing(listing_id, **fields)
    previous = make_listing(listing_id, price=1200.0) if kind is not EventKind.NEW else None
    return render.render_message(Match(Event(kind, listing, previous), ("hd800", "cheap-flagships")))


def channel(api: DiscordAPI, **settings: Any) -> DiscordChannel:
    values: dict[str, Any] = {"name": "discord", "type": "discord", "webhook_url": api.webhook_url,
                              "timeout_seconds": 2, "max_retry_wait_seconds": 2}
    values.update(settings)
    return DiscordChannel(DiscordSettings.model_validate(values))


# -- the payload (pure) ------------------------------------------------------------------------


def test_embed_links_the_title_to_the_listing_with_its_details() -> None:
    [embed] = discord_embed.build_payload([message(thumbnail_url="https://img.example/1.jpg")])["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert (embed["title"], embed["url"]) == ("Sennheiser HD800 S", "https://www.head-fi.org/classifieds/item.100001/")
    assert fields["Price"] == "$999.00 USD"
    assert fields["Seller"] == "jay.doe (12 feedback)"
    assert fields["Rules"] == "hd800, cheap-flagships"
    assert embed["thumbnail"] == {"url": "https://img.example/1.jpg"}


def test_price_drop_embed_shows_the_old_price() -> None:
    [embed] = discord_embed.build_payload([message(kind=EventKind.PRICE_DROP)])["embeds"]
    assert embed["fields"][0] == {"name": "Price", "value": "$999.00 USD (was $1,200.00 USD)", "inline": True}


def test_market_context_is_a_full_width_field_under_the_price() -> None:
    market = MarketContext(asks=37, below=4, median=1050.0, currency="USD")
    found = render.render_message(Match(Event(EventKind.NEW, make_listing(100001)), ("hd800",)), market)
    [embed] = discord_embed.build_payload([found])["embeds"]
    assert embed["fields"][:2] == [
        {"name": "Price", "value": "$999.00 USD", "inline": True},
        {"name": "Market", "value": "11th percentile of 37 asks in the last 180 days, median $1,050.00 USD",
         "inline": False},
    ]


def test_payload_allows_no_mentions_at_all() -> None:
    assert discord_embed.build_payload([message()])["allowed_mentions"] == {"parse": []}


def test_markdown_in_a_title_is_escaped_so_it_cannot_fake_a_link() -> None:
    [embed] = discord_embed.build_payload([message(title="[FREE](https://evil.example) **HD800**")])["embeds"]
    assert embed["title"] == "\\[FREE\\](https://evil.example) \\*\\*HD800\\*\\*"


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "HD800 " * 100},
        {"ships_to": "Worldwide, " * 200},
        {"title": "😀" * 300},
        {"title": "T" * 300, "condition": "C" * 2000, "ships_to": "S" * 2000, "seller": "s" * 2000,
         "negotiability": "N" * 2000, "listing_type": "L" * 2000, "category": "c" * 2000},
    ],
    ids=["long-title", "long-field", "emoji-title", "everything-long"],
)
def test_over_long_listings_are_cut_to_discords_limits(fields: dict[str, Any]) -> None:
    payload = discord_embed.build_payload([message(**fields)])
    assert validate(payload) == {}
    assert discord_embed.size_of(payload["embeds"]) <= discord_embed.TOTAL_LIMIT
    assert "…" in json.dumps(payload["embeds"], ensure_ascii=False)


def test_fit_total_cuts_only_the_longest_texts() -> None:
    embeds = [{"title": "short", "fields": [{"name": "a", "value": "x" * 5000}, {"name": "b", "value": "keep me"}]}]
    [fitted] = discord_embed.fit_total(embeds, limit=1000)
    assert fitted["title"] == "short" and fitted["fields"][1]["value"] == "keep me"
    assert discord_embed.size_of([fitted]) <= 1000
    assert fitted["fields"][0]["value"].endswith("…")


def test_digest_splits_into_posts_of_at_most_ten_embeds_and_6000_characters() -> None:
    messages = [message(100000 + index, ships_to="Everywhere " * 80) for index in range(23)]
    parts = discord_embed.split(messages)
    assert [m.event_key for part in parts for m in part] == [m.event_key for m in messages]
    for part in parts:
        payload = discord_embed.build_payload(part)
        assert len(part) <= 10 and validate(payload) == {}


def test_webhook_url_keeps_its_thread_and_asks_to_wait() -> None:
    url = "https://discord.com/api/webhooks/1/abc?thread_id=42&wait=false"
    assert with_wait(url) == "https://discord.com/api/webhooks/1/abc?thread_id=42&wait=true"


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [("2", 1.5, 1.5), (None, 0.25, 0.25), ("3", None, 3.0), ("2", 2000.0, 2.0), (None, 99999.0, 3600.0)],
    ids=["body-wins", "body-only", "header-only", "milliseconds-in-body", "clamped"],
)
def test_retry_after_is_read_sanity_checked(header: str | None, body: float | None, expected: float) -> None:
    response = requests.Response()
    response.status_code = 429
    if header is not None:
        response.headers["Retry-After"] = header
    response._content = json.dumps({"retry_after": body} if body is not None else {}).encode()
    assert retry_after_seconds(response) == expected


# -- the channel against the loopback Discord --------------------------------------------------


def test_discord_send_asks_for_and_gets_confirmation(discord_api: DiscordAPI) -> None:
    channel(discord_api).send(message())
    [arrival] = discord_api.arrivals
    assert (arrival.query.get("wait"), arrival.status) == (["true"], 200)
    assert discord_api.titles() == ["Sennheiser HD800 S"]


def test_loopback_discord_answers_204_without_wait_like_discord(discord_api: DiscordAPI) -> None:
    payload = discord_embed.build_payload([message()])
    response = requests.post(discord_api.webhook_url, json=payload, timeout=5)
    assert (response.status_code, response.content) == (204, b"")


def test_discord_title_with_everyone_pings_no_one(discord_api: DiscordAPI) -> None:
    channel(discord_api).send(message(title="@everyone <@123456> HD800 at @here prices"))
    [sent] = discord_api.messages
    assert "everyone" in sent["content"]
    assert (sent["mention_everyone"], sent["mentions"]) == (False, [])


def test_discord_over_long_embed_is_truncated_not_rejected(discord_api: DiscordAPI) -> None:
    channel(discord_api).send(message(title="Sennheiser HD800 " * 40, ships_to="Anywhere " * 300))
    [arrival] = discord_api.arrivals
    assert arrival.status == 200
    assert discord_api.titles()[0].endswith("…")


@pytest.mark.parametrize("body_only", [False, True], ids=["retry-after-header", "retry-after-body"])
def test_discord_429_within_the_wait_budget_is_retried_in_the_tick(discord_api: DiscordAPI, body_only: bool) -> None:
    discord_api.then(Respond(429, retry_after=0.2, retry_after_in_body_only=body_only))
    channel(discord_api).send(message())
    assert [arrival.status for arrival in discord_api.arrivals] == [429, 200]
    assert len(discord_api.messages) == 1


def test_discord_429_beyond_the_wait_budget_defers_with_retry_after(discord_api: DiscordAPI) -> None:
    discord_api.then(Respond(429, retry_after=45))
    with pytest.raises(TemporaryFailure) as caught:
        channel(discord_api).send(message())
    assert caught.value.retry_after == 45
    assert len(discord_api.arrivals) == 1


def test_discord_waits_for_its_rate_limit_bucket_instead_of_hitting_429(discord_api: DiscordAPI) -> None:
    discord_api.limit_bucket(size=2, reset_after=0.3)
    sender = channel(discord_api)
    for listing_id in range(5):
        sender.send(message(100000 + listing_id))
    assert [arrival.status for arrival in discord_api.arrivals] == [200] * 5


@pytest.mark.parametrize(
    ("response", "failure"),
    [(Respond(500), TemporaryFailure), (Respond(503), TemporaryFailure), (HANG, TemporaryFailure),
     (Respond(404), ChannelRefused), (Respond(401), ChannelRefused), (Respond(400), PermanentFailure)],
    ids=["500", "503", "hang", "404-deleted-webhook", "401-bad-token", "400-rejected"],
)
def test_discord_failures_are_typed_and_never_show_the_token(
    discord_api: DiscordAPI, response: Respond, failure: type[Exception]
) -> None:
    discord_api.then(response)
    with pytest.raises(failure) as caught:
        channel(discord_api, timeout_seconds=0.5).send(message())
    assert WEBHOOK_TOKEN not in str(caught.value)


def test_discord_unreachable_is_temporary_and_never_shows_the_token() -> None:
    settings = DiscordSettings.model_validate(
        {"name": "d", "type": "discord", "webhook_url": f"http://127.0.0.1:9/api/webhooks/1/{WEBHOOK_TOKEN}"}
    )
    with pytest.raises(TemporaryFailure) as caught:
        DiscordChannel(settings).send(message())
    assert "Connection refused" in caught.value.reason
    assert WEBHOOK_TOKEN not in caught.value.reason


# -- through the outbox: once, in order, nothing lost ------------------------------------------


def queue(connection: duckdb.DuckDBPyConnection, count: int) -> list[str]:
    messages = [message(200000 + index, title=f"Listing {index}") for index in range(count)]
    outbox.enqueue(connection, [outbox.Pending(m.event_key, m.event_kind, 200000 + index, "discord", m.rules,
                                               m.to_json()) for index, m in enumerate(messages)], NOW)
    return [f"Listing {index}" for index in range(count)]


def test_discord_delivery_through_500_hang_and_429_arrives_once_in_order(
    discord_api: DiscordAPI, connection: duckdb.DuckDBPyConnection, database_path: Path
) -> None:
    titles = queue(connection, 6)
    discord_api.then(Respond(200), Respond(500))  # tick 1: one sent, then the server breaks
    later = [NOW + timedelta(minutes=minutes) for minutes in (0, 5, 10, 20)]
    deliver_due(database_path, {"discord": channel(discord_api)}, later[0])
    discord_api.then(Respond(200), HANG)  # tick 2: the retry goes, the next one hangs
    deliver_due(database_path, {"discord": channel(discord_api, timeout_seconds=0.5)}, later[1])
    discord_api.then(Respond(200), Respond(429, retry_after=60))  # tick 3: rate-limited for a minute
    deliver_due(database_path, {"discord": channel(discord_api)}, later[2])
    report = deliver_due(database_path, {"discord": channel(discord_api)}, later[3])

    assert report.sent == 3
    assert discord_api.titles() == titles
    assert outbox.count_by_status(connection) == {"pending": 0, "sent": 6, "failed": 0}
