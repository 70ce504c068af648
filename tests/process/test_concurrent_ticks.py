"""Ten ticks started at once: exactly one scrapes, the others exit 75, nothing is sent twice."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from audiowatch import sources
from audiowatch.simulator.server import SimulatedSite
from tests.support.processes import run_tick, tick_command

pytestmark = pytest.mark.slow


def test_ten_concurrent_ticks_run_once_and_notify_once(
    site: SimulatedSite, make_config: Callable[..., Path], now: datetime
) -> None:
    config = make_config(site.base_url, scraper={"scheduled_max_pages": 1})
    assert run_tick(config).returncode == 0  # seed
    titles = ["Sennheiser HD800 one", "Sennheiser HD800 two", "Sennheiser HD800 three"]
    for title in titles:
        site.catalog.add_listing(now, title, "full-size", price=800.0)
    # A polite delay stretches the one real tick to several seconds, so all ten overlap it.
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["scraper"]["rate_limit_delay_seconds"] = 0.8
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    site.reset_requests()

    processes = [subprocess.Popen(tick_command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(10)]
    outputs = [process.communicate(timeout=120) for process in processes]
    results = [(process.returncode, stdout, stderr)
               for process, (stdout, stderr) in zip(processes, outputs, strict=True)]

    assert sorted(code for code, _, _ in results) == [0] + [75] * 9
    assert all("another tick is running" in stderr for code, _, stderr in results if code == 75)
    printed = Counter(line for _, stdout, _ in results for line in stdout.splitlines()
                      if line.startswith("New: "))
    assert sorted(printed.values()) == [1, 1, 1]
    assert len(site.requests) == len(sources.LEAF_SLUGS)  # one scraper, one page per source
    with duckdb.connect(str(config.parent / "data" / "audiowatch.db"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM scrape_logs").fetchone() == (2,)
