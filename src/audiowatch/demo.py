"""The demo: two real ticks against the simulated site, in a throwaway folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from audiowatch import tick
from audiowatch.config.load import load_config
from audiowatch.simulator.catalog import Catalog
from audiowatch.simulator.server import SimulatedSite


@dataclass(frozen=True, slots=True)
class DemoResult:
    seeding: tick.TickResult
    second: tick.TickResult
    arrivals: tuple[str, ...]  # titles of the listings added between the ticks


def write_demo_config(folder: Path, base_url: str, fetcher: str) -> Path:
    """Write the starter config, pointed at the simulator, into ``folder``; return its path.

    The rules and channels are the starter's, so the demo shows what a new install does.
    """
    starter = resources.files("audiowatch.config").joinpath("starter.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(starter)
    data["scraper"].update(
        base_url=base_url,
        fetcher=fetcher,
        # The simulator is on loopback and ours: no need to be polite to it.
        rate_limit_delay_seconds=0,
        initial_max_pages=3,
        scheduled_max_pages=1,
        timeout_seconds=20,
    )
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_demo(
    folder: Path, *, fetcher: str = "browser", say: Callable[[str], None] = lambda _: None
) -> DemoResult:
    """Serve the simulated site, seed with a first tick, add listings, notify with a second."""
    now = datetime.now(UTC)
    with SimulatedSite(Catalog.seeded(now)) as site:
        config = load_config(write_demo_config(folder, site.base_url, fetcher))
        say(f"Simulated Head-Fi classifieds at {site.base_url}; data in {folder}")
        say("Tick 1: first run, storing what is listed now without notifying ...")
        seeding = tick.run_tick(config)
        say(f"  stored {seeding.counts.listings_seen} listings from {seeding.counts.pages} pages, "
            "notified nothing (first runs are silent)")
        arrivals = site.catalog.add_sample_arrivals(datetime.now(UTC))
        say(f"The site gains {len(arrivals)} new listings: "
            + "; ".join(listing.title for listing in arrivals))
        say("Tick 2: scheduled run, notifying new matches ...\n")
        second = tick.run_tick(config)
        say(f"Tick 2 matched {second.counts.matches} new listing(s) and sent "
            f"{second.counts.notifications} notification(s).")
    return DemoResult(seeding, second, tuple(listing.title for listing in arrivals))
