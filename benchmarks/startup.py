"""Wall time and peak memory of lean commands, each beside a baseline in the same run.

Run: .venv/bin/python benchmarks/startup.py [REPEATS]

- `audiowatch --help` beside a bare `python -c pass`: what importing the CLI costs.
- a no-op scheduled tick (the site unchanged since the last tick) with the http fetcher beside
  the browser fetcher, against the simulated site on 127.0.0.1.

Memory is the peak, over the run, of the summed RSS and PSS of the command's whole process tree
(Chromium runs as a dozen processes; RSS double-counts their shared pages, PSS does not),
sampled every 20 ms from /proc.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.processes import descendants, memory_kib

from audiowatch.simulator.catalog import Catalog
from audiowatch.simulator.server import SimulatedSite

PYTHON = sys.executable


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_rss_mib: float
    peak_pss_mib: float


def measure(command: list[str], environment: dict[str, str] | None = None) -> Sample:
    peak = [0, 0]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = memory_kib([process.pid, *descendants(process.pid)])
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return Sample(elapsed, peak[0] / 1024, peak[1] / 1024)


def median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.seconds for s in samples), statistics.median(s.peak_rss_mib for s in samples),
                  statistics.median(s.peak_pss_mib for s in samples))


def show(name: str, sample: Sample) -> None:
    print(f"  {name:<44}{sample.seconds * 1000:>9.0f} ms"
          f"{sample.peak_rss_mib:>10.0f} MiB{sample.peak_pss_mib:>10.0f} MiB")


def write_config(folder: Path, base_url: str, fetcher: str) -> Path:
    path = folder / f"{fetcher}.yaml"
    data = {"scraper": {"base_url": base_url, "fetcher": fetcher, "rate_limit_delay_seconds": 0,
                        "scheduled_max_pages": 1, "initial_max_pages": 1},
            "database": {"path": f"{fetcher}.db"}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    header = f"  {'command (median of ' + str(repeats) + ')':<44}{'wall':>12}{'peak RSS':>14}{'peak PSS':>14}"
    print("Start-up")
    print(header)
    show("python -c pass (baseline)", median([measure([PYTHON, "-c", "pass"]) for _ in range(repeats)]))
    show("audiowatch --help", median([measure([PYTHON, "-m", "audiowatch", "--help"]) for _ in range(repeats)]))
    show("audiowatch tick --help",
         median([measure([PYTHON, "-m", "audiowatch", "tick", "--help"]) for _ in range(repeats)]))
    with SimulatedSite(Catalog.seeded(datetime.now(UTC))) as site, tempfile.TemporaryDirectory() as folder:
        print("\nNo-op scheduled tick (10 sources, 1 page each, nothing new)")
        print(header)
        for fetcher in ("http", "browser"):
            config = write_config(Path(folder), site.base_url, fetcher)
            tick = [PYTHON, "-m", "audiowatch", "tick", "--config", str(config)]
            measure(tick)  # the first tick seeds; the measured ones find nothing new
            show(f"tick, {fetcher} fetcher", median([measure(tick) for _ in range(repeats)]))


if __name__ == "__main__":
    main()
