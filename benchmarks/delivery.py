"""What delivering through the outbox costs: AudioWatch's deliver_due, which opens the DuckDB file
only to record each outcome (so readers get in between), beside a baseline that holds one
connection open for the whole run, and beside digest mode (10 embeds a post).

Every run posts to the same loopback server that behaves like Discord's webhook API.

    python benchmarks/delivery.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# The loopback Discord lives with the tests; benchmarks run from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.discord_api import DiscordAPI

from audiowatch.config.model import DiscordChannel as DiscordSettings
from audiowatch.listing import Listing
from audiowatch.notify.base import Message
from audiowatch.notify.deliver import DeliveryPolicy, deliver_due
from audiowatch.notify.discord import DiscordChannel
from audiowatch.store import database, outbox

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def queue(path: Path, count: int) -> None:
    items = []
    for index in range(count):
        listing = Listing(100000 + index, f"https://www.head-fi.org/classifieds/item.{100000 + index}/",
                          f"Sennheiser HD800 S number {index}", "For Sale", 999.0, "USD", seller="jay.doe")
        message = Message(f"new:{listing.listing_id}", "new", f"New: {listing.title}", listing, ("hd800",))
        items.append(outbox.Pending(message.event_key, "new", listing.listing_id, "discord", ("hd800",),
                                    message.to_json()))
    with database.session(path) as connection:
        outbox.enqueue(connection, items, NOW)


def channel(api: DiscordAPI) -> DiscordChannel:
    return DiscordChannel(DiscordSettings.model_validate({"name": "discord", "type": "discord",
                                                          "webhook_url": api.webhook_url}))


def audiowatch_run(path: Path, api: DiscordAPI, policy: DeliveryPolicy | None = None) -> float:
    sender = channel(api)
    started = time.perf_counter()
    deliver_due(path, {"discord": sender}, NOW, policy or DeliveryPolicy())
    elapsed = time.perf_counter() - started
    sender.close()
    return elapsed


def baseline_run(path: Path, api: DiscordAPI) -> float:
    """The same sends and marks, but with one connection held open throughout."""
    sender = channel(api)
    started = time.perf_counter()
    with database.session(path) as connection:
        for row in outbox.claim_due(connection, ["discord"], NOW):
            sender.send(Message.from_json(row.payload))
            outbox.mark_sent(connection, row.row_id, NOW)
    elapsed = time.perf_counter() - started
    sender.close()
    return elapsed


def main(count: int) -> None:
    import duckdb

    from audiowatch import log

    log.configure(level="warning")  # one line per notification would drown the figures
    print(f"delivering {count} queued notifications to a loopback Discord (duckdb {duckdb.__version__})")
    print(f"{'method':<52}{'total':>10}{'per notification':>20}")
    with tempfile.TemporaryDirectory() as folder, DiscordAPI() as api:
        runs = [
            ("deliver_due, DB open per outcome (AudioWatch)", lambda path: audiowatch_run(path, api)),
            ("one connection held throughout (baseline)", lambda path: baseline_run(path, api)),
            ("deliver_due in digest mode (10 embeds a post)",
             lambda path: audiowatch_run(path, api, DeliveryPolicy(digest_channels=frozenset({"discord"})))),
        ]
        for index, (label, run) in enumerate(runs):
            path = Path(folder) / f"run{index}.db"
            queue(path, count)
            seconds = run(path)
            print(f"{label:<52}{seconds * 1000:>8.0f} ms{seconds * 1000 / count:>17.2f} ms")
        print(f"posts received by the loopback Discord: {len(api.messages)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
