"""A tick killed (SIGKILL) in the middle of delivering: the next tick delivers every pending
notification, and at most the one message in flight arrives twice."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from audiowatch.simulator.server import SimulatedSite
from tests.support.discord_api import HANG, DiscordAPI, Respond
from tests.support.polling import wait_until
from tests.support.processes import run_tick, tick_command

pytestmark = pytest.mark.slow


def test_tick_killed_mid_delivery_loses_nothing_and_repeats_at_most_the_message_in_flight(
    site: SimulatedSite, make_config: Callable[..., Path], discord_api: DiscordAPI, now: datetime
) -> None:
    discord = {"name": "discord", "type": "discord", "webhook_url": discord_api.webhook_url, "timeout_seconds": 60}
    config = make_config(site.base_url, scraper={"scheduled_max_pages": 1}, notifications={"channels": [discord]})
    assert run_tick(config).returncode == 0  # seed
    titles = [f"Sennheiser HD800 number {number}" for number in range(1, 6)]
    for title in titles:
        site.catalog.add_listing(now, title, "full-size", price=800.0)
    discord_api.then(Respond(200), Respond(200), HANG)

    killed = subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: len(discord_api.arrivals) == 3, timeout=60, what="the third message to be in flight")
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL

    after = run_tick(config)
    assert after.returncode == 0, after.stderr
    arrived = [arrival.payload["embeds"][0]["title"] for arrival in discord_api.arrivals]
    in_flight = arrived[2]
    repeats = {title: count for title, count in Counter(arrived).items() if count > 1}
    assert repeats == {in_flight: 2}
    assert discord_api.titles() == titles  # every one accepted, once each, in order
    with duckdb.connect(str(config.parent / "data" / "audiowatch.db"), read_only=True) as connection:
        assert connection.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall() == [("sent", 5)]


def test_sigterm_while_a_webhook_hangs_exits_143_and_keeps_the_message_pending(
    site: SimulatedSite, make_config: Callable[..., Path], discord_api: DiscordAPI, now: datetime
) -> None:
    discord = {"name": "discord", "type": "discord", "webhook_url": discord_api.webhook_url, "timeout_seconds": 60}
    config = make_config(site.base_url, scraper={"scheduled_max_pages": 1}, notifications={"channels": [discord]})
    assert run_tick(config).returncode == 0  # seed
    site.catalog.add_listing(now, "Sennheiser HD800 S", "full-size", price=800.0)
    discord_api.then(HANG)

    stopped = subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: len(discord_api.arrivals) == 1, timeout=60, what="the message to be in flight")
    stopped.send_signal(signal.SIGTERM)
    _, stderr = stopped.communicate(timeout=30)

    assert stopped.returncode == 143, stderr
    with duckdb.connect(str(config.parent / "data" / "audiowatch.db"), read_only=True) as connection:
        assert connection.execute("SELECT status, attempts FROM outbox").fetchall() == [("pending", 0)]
        outcomes = connection.execute("SELECT outcome FROM scrape_logs ORDER BY started_at").fetchall()
    assert outcomes == [("ok",), ("interrupted",)]
