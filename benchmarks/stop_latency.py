"""How fast a tick stops on a signal mid-page-load: the browser tick beside the http tick (the baseline).

Each round starts `audiowatch tick` against the simulated site, which holds the first page back;
once the request has arrived, the tick is signalled. "exit" is signal to process exit (the run
recorded, the browser closed, the lock released); "Chromium gone" is signal until the last of the
tick's Chromium processes has ended. The http tick has no browser to close, so it shows the floor.

Run: .venv/bin/python benchmarks/stop_latency.py [ROUNDS]
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.processes import command_line, descendants, is_running

from audiowatch import sources
from audiowatch.simulator.server import SimulatedSite

SLOW_PATH = sources.CATEGORIES_BY_SLUG["full-size"].path


def one_round(site: SimulatedSite, fetcher: str, number: signal.Signals, to_group: bool) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp(prefix="aw-"))
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({
        "scraper": {"base_url": site.base_url, "fetcher": fetcher, "sources": ["full-size"], "timeout_seconds": 120,
                    "rate_limit_delay_seconds": 0},
        "database": {"path": "data/audiowatch.db"},
    }), encoding="utf-8")
    site.reset_requests()
    process = subprocess.Popen([sys.executable, "-m", "audiowatch", "tick", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(folder)})
    while SLOW_PATH not in site.requests:
        time.sleep(0.01)
    browser = [pid for pid in descendants(process.pid) if "chromium" in command_line(pid)]
    signalled = time.monotonic()
    if to_group:
        os.killpg(process.pid, number)
    else:
        process.send_signal(number)
    process.wait(timeout=60)
    exited = time.monotonic() - signalled
    while any(is_running(pid) for pid in browser):
        time.sleep(0.005)
    gone = time.monotonic() - signalled
    shutil.rmtree(folder, ignore_errors=True)
    return exited, gone


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    cases = [("browser, SIGTERM to the tick", "browser", signal.SIGTERM, False),
             ("browser, Ctrl-C to the group", "browser", signal.SIGINT, True),
             ("http (baseline), SIGTERM", "http", signal.SIGTERM, False)]
    print(f"signal mid-page-load to exit, median (max) of {rounds} rounds")
    print(f"{'tick':<32}{'exit':>18}{'Chromium gone':>20}")
    with SimulatedSite() as site:
        site.delays[SLOW_PATH] = 120
        for label, fetcher, number, to_group in cases:
            timings = [one_round(site, fetcher, number, to_group) for _ in range(rounds)]
            exits, gone = [1000 * exit for exit, _ in timings], [1000 * end for _, end in timings]
            print(f"{label:<32}{statistics.median(exits):>9.0f} ms ({max(exits):>4.0f})"
                  f"{statistics.median(gone):>11.0f} ms ({max(gone):>4.0f})")


if __name__ == "__main__":
    main()
