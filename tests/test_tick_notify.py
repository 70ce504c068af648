"""Whole ticks against the simulated site, notifying a loopback Discord: seeding, new rules, quiet
hours, ops alerts, the dead-man ping, refused channels and expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audiowatch.config.load import load_config
from audiowatch.config.model import Config
from audiowatch.errors import ChannelsRefused, SourceUnavailable
from audiowatch.simulator.server import SimulatedSite
from audiowatch.tick import TickResult, run_tick
from tests.support.discord_api import WEBHOOK_TOKEN, DiscordAPI, Respond
from tests.support.http_recorder import RecordingServer

HD800 = {"name": "hd800", "expression": '"HD800" AND price < 1000'}
DEAD_SITE = "http://127.0.0.1:9"


@pytest.fixture
def configure(
    site: SimulatedSite, make_config: Callable[..., Path], discord_api: DiscordAPI
) -> Callable[..., Config]:
    """Write and load a config whose only channel is the loopback Discord, merging ``notifications``."""

    def write(rules: list[dict[str, Any]] | None = None, base_url: str | None = None, **notifications: Any) -> Config:
        channels = notifications.pop("channels", [{"name": "discord", "type": "discord",
                                                   "webhook_url": discord_api.webhook_url, "timeout_seconds": 2}])
        path = make_config(base_url or site.base_url, rules=rules or [HD800],
                           notifications={"channels": channels, **notifications})
        return load_config(path)

    return write


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def tick(config: Config, moment: datetime | None = None) -> TickResult:
    return run_tick(config, clock=at(moment)) if moment else run_tick(config)


def failing_tick(config: Config, moment: datetime | None = None) -> None:
    with pytest.raises(SourceUnavailable):
        tick(config, moment)


def outbox_counts(config: Config) -> list[tuple[object, ...]]:
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        return connection.execute("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status").fetchall()


def test_first_run_sends_nothing_for_listings_already_listed(
    configure: Callable[..., Config], site: SimulatedSite, discord_api: DiscordAPI, now: datetime
) -> None:
    site.catalog.add_listing(now, "Sennheiser HD800 - listed before AudioWatch", "full-size", price=700.0)
    result = tick(configure(ops={"channel": None}))
    assert result.seeding and discord_api.arrivals == []


def test_new_rule_stays_silent_about_listings_already_stored(
    configure: Callable[..., Config], site: SimulatedSite, discord_api: DiscordAPI, now: datetime
) -> None:
    tick(configure())
    clear = site.catalog.add_listing(now, "Focal Clear MG", "full-size", price=900.0)
    elex = site.catalog.add_listing(now, "Focal Elex", "full-size", price=500.0)
    tick(configure())  # stored, but no rule wants Focal yet
    focal = {"name": "focal", "expression": '"Focal"'}
    site.catalog.change_price(clear.listing_id, 750.0, now)
    site.catalog.mark_ended(elex.listing_id, "sold", now)
    site.catalog.add_listing(now, "Focal Utopia", "full-size", price=3000.0)
    result = tick(configure([HD800, focal]))
    assert result.counts.changed_listings == 2
    assert discord_api.titles() == ["Focal Utopia"]


def test_urgent_rule_skips_quiet_hours_and_the_rest_arrive_as_one_digest_after(
    configure: Callable[..., Config], site: SimulatedSite, discord_api: DiscordAPI, now: datetime
) -> None:
    night = now.replace(hour=23, minute=0)
    rules = [HD800, {"name": "utopia", "expression": '"Utopia"', "urgent": True}]
    config = configure(rules, timezone="UTC", quiet_hours={"start": "22:00", "end": "07:00"})
    tick(config, night)
    for title in ("Sennheiser HD800 one", "Focal Utopia", "Sennheiser HD800 two"):
        site.catalog.add_listing(now, title, "full-size", price=900.0)
    held = tick(config, night + timedelta(minutes=5))
    assert (held.delivery.sent, held.delivery.held, discord_api.titles()) == (1, 2, ["Focal Utopia"])

    morning = tick(config, night + timedelta(hours=8, minutes=5))
    assert morning.delivery.sent == 2
    digest = discord_api.messages[-1]
    assert digest["content"] == "AudioWatch: 2 notifications"
    assert [embed["title"] for embed in digest["embeds"]] == ["Sennheiser HD800 one", "Sennheiser HD800 two"]


def test_failing_ticks_alert_the_ops_channel_once_and_once_more_on_recovery(
    configure: Callable[..., Config], discord_api: DiscordAPI, now: datetime
) -> None:
    ops = {"channel": "discord", "failed_ticks": 2}
    tick(configure(ops=ops), now)
    for minutes in (5, 10, 15):
        failing_tick(configure(base_url=DEAD_SITE, ops=ops), now + timedelta(minutes=minutes))
    tick(configure(ops=ops), now + timedelta(minutes=20))
    assert discord_api.titles() == ["AudioWatch: 2 ticks in a row failed", "AudioWatch works again"]
    assert "could not scrape the classifieds (http://127.0.0.1:9" in discord_api.messages[0]["embeds"][0]["description"]


def test_site_failure_still_delivers_what_is_queued(
    configure: Callable[..., Config], site: SimulatedSite, discord_api: DiscordAPI, now: datetime
) -> None:
    tick(configure(), now)
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=950.0)
    discord_api.then(Respond(503))
    assert tick(configure(), now + timedelta(minutes=5)).delivery.deferred == 1
    failing_tick(configure(base_url=DEAD_SITE), now + timedelta(minutes=10))
    assert discord_api.titles() == ["Sennheiser HD800 S"]


def test_refused_webhook_exits_78_and_its_notifications_go_out_once_fixed(
    configure: Callable[..., Config], site: SimulatedSite, discord_api: DiscordAPI, now: datetime
) -> None:
    wrong = [{"name": "discord", "type": "discord", "webhook_url": discord_api.webhook_url.replace("/api/", "/x/")}]
    tick(configure(channels=wrong), now)
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=950.0)
    with pytest.raises(ChannelsRefused) as caught:
        tick(configure(channels=wrong), now + timedelta(minutes=5))
    assert caught.value.exit_code == 78
    assert "HTTP 404" in str(caught.value) and "1 notification(s) wait in the outbox" in str(caught.value)
    assert WEBHOOK_TOKEN not in str(caught.value)

    fixed = tick(configure(), now + timedelta(minutes=10))
    assert (fixed.delivery.sent, discord_api.titles()) == (1, ["Sennheiser HD800 S"])


def test_notifications_undelivered_too_long_are_failed_and_reported_to_the_ops_channel(
    configure: Callable[..., Config], site: SimulatedSite, capsys: pytest.CaptureFixture[str], now: datetime
) -> None:
    channels = [{"name": "discord", "type": "discord", "webhook_url": f"http://127.0.0.1:9/api/webhooks/1/{WEBHOOK_TOKEN}"},
                {"name": "console", "type": "console"}]
    rules = [{**HD800, "channels": ["discord"]}]
    config = configure(rules, channels=channels, max_age_hours=24, ops={"channel": "console"})
    tick(config, now)
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=950.0)
    tick(config, now + timedelta(minutes=5))
    capsys.readouterr()
    result = tick(config, now + timedelta(hours=25))
    out = capsys.readouterr().out
    assert result.delivery.expired == 1
    assert "AudioWatch gave up on 1 notification(s) undelivered for 24 hours" in out
    assert 'for channel "discord": not delivered within 24 hours' in out
    assert outbox_counts(config) == [("failed", 1), ("sent", 1)]


def test_heartbeat_goes_to_the_ops_channel_once_a_day(
    configure: Callable[..., Config], discord_api: DiscordAPI, now: datetime
) -> None:
    config = configure(timezone="UTC", ops={"channel": "discord", "heartbeat": "00:00"})
    tick(config, now)
    tick(config, now + timedelta(minutes=5))
    tick(config, now + timedelta(days=1))
    assert [title.split(":")[0] for title in discord_api.titles()] == ["AudioWatch daily summary"] * 2


def test_dead_man_ping_is_hit_after_good_ticks_only(
    configure: Callable[..., Config], now: datetime
) -> None:
    with RecordingServer() as checks:
        ops = {"ping_url": checks.url("/ping/5f3c2a1e-uuid")}
        tick(configure(ops=ops), now)
        failing_tick(configure(base_url=DEAD_SITE, ops=ops), now + timedelta(minutes=5))
        assert [(request.method, request.path) for request in checks.requests] == [("GET", "/ping/5f3c2a1e-uuid")]


def test_dead_man_ping_failure_is_logged_and_the_tick_still_succeeds(
    configure: Callable[..., Config], capsys: pytest.CaptureFixture[str]
) -> None:
    with RecordingServer(status=500) as checks:
        result = tick(configure(ops={"ping_url": checks.url("/ping/5f3c2a1e-uuid")}))
    err = capsys.readouterr().err
    assert result.seeding
    assert "dead_man_ping_failed" in err and "answered HTTP 500" in err
    assert "5f3c2a1e" not in err


def test_webhook_token_never_reaches_the_logs(
    configure: Callable[..., Config], site: SimulatedSite, discord_api: DiscordAPI, now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from audiowatch import log

    log.configure(level="debug", log_format="json")
    config = configure()
    tick(config, now)
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=950.0)
    discord_api.then(Respond(500))
    tick(config, now + timedelta(minutes=5))
    err = capsys.readouterr().err
    assert "notification_deferred" in err
    assert WEBHOOK_TOKEN not in err
