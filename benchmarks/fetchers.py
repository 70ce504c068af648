"""CPU seconds and peak memory of a steady-state tick in each fetcher mode, whole process tree, same run.

Each tick is a real `audiowatch tick` process (ten categories, nothing new: ten requests) against the
simulator, which runs in this process and so is not counted. CPU is user + system time of the tick and
every descendant (Chromium and the Playwright driver included), from getrusage(RUSAGE_CHILDREN): each
parent reaps its children, so their time reaches us. Memory is the peak of the summed PSS (proportional
set size: shared pages split between the processes sharing them) over the tick's process tree, sampled
from /proc every 20 ms. Modes: http; browser; auto on a quiet site (plain HTTP); auto on a site that
challenges plain clients (Chromium, remembered from the tick before, cookie kept). The baseline is the
same tick process when it fetches nothing (it is backing off): subtracting it leaves the fetching.

Run: .venv/bin/python benchmarks/fetchers.py [ROUNDS]   (Linux: it reads /proc)
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.processes import descendants, memory_kib

from audiowatch.simulator.behaviour import Behaviour, Challenge
from audiowatch.simulator.catalog import Catalog
from audiowatch.simulator.server import SimulatedSite

SAMPLE_SECONDS = 0.02
MODES = (("http", "http", False), ("browser", "browser", False), ("auto, site quiet", "auto", False),
         ("auto, site challenging", "auto", True))


@dataclass(frozen=True, slots=True)
class Measure:
    cpu_seconds: float
    peak_pss_mib: float
    wall_seconds: float


def measure_tick(config: Path, expect: int = 0) -> Measure:
    """Run one tick process; return its tree's CPU time and peak summed PSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = datetime.now(UTC)
    process = subprocess.Popen([sys.executable, "-m", "audiowatch", "--log-level", "warning", "tick",
                                "--config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(SAMPLE_SECONDS):
            peak = max(peak, memory_kib([process.pid, *descendants(process.pid)])[1])

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != expect:
        sys.exit(f"the tick failed ({process.returncode}): {errors.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measure(cpu, peak / 1024, (datetime.now(UTC) - started).total_seconds())


def write_config(folder: Path, base_url: str, fetcher: str) -> Path:
    path = folder / "config.yaml"
    scraper = {"base_url": base_url, "fetcher": fetcher, "rate_limit_delay_seconds": 0, "initial_max_pages": 1}
    path.write_text(yaml.safe_dump({"scraper": scraper}), encoding="utf-8")
    return path


def measure_baseline(rounds: int) -> list[Measure]:
    """Measure ticks that fetch nothing: the site blocked the tick before, so they back off (exit 75)."""
    with tempfile.TemporaryDirectory() as folder, SimulatedSite(Catalog.seeded(datetime.now(UTC))) as site:
        config = write_config(Path(folder), site.base_url, "http")
        measure_tick(config)
        site.behaviour.block = 429
        measure_tick(config, expect=75)
        site.behaviour = Behaviour()
        site.reset_requests()
        measures = [measure_tick(config, expect=75) for _ in range(rounds)]
        if site.requests:
            sys.exit("a backing-off tick made requests")
        return measures


def measure_mode(fetcher: str, challenging: bool, rounds: int) -> list[Measure]:
    with tempfile.TemporaryDirectory() as folder, SimulatedSite(Catalog.seeded(datetime.now(UTC))) as site:
        config = write_config(Path(folder), site.base_url, fetcher)
        measure_tick(config)  # seeds: not a steady-state tick
        if challenging:
            site.behaviour.challenge = Challenge.SCRIPT
            measure_tick(config)  # meets the challenge, switches to Chromium and remembers it
        site.reset_requests()
        measures = [measure_tick(config) for _ in range(rounds)]
        if len(site.page_requests()) != 10 * rounds:
            sys.exit(f"{fetcher}: expected 10 requests per tick, the site saw {len(site.page_requests())}")
        return measures


def median(measures: list[Measure]) -> Measure:
    return Measure(*(statistics.median(getattr(each, field) for each in measures)
                     for field in ("cpu_seconds", "peak_pss_mib", "wall_seconds")))


def main(rounds: int) -> None:
    print(f"steady-state tick (10 categories, nothing new, 10 requests), median of {rounds}, whole process tree")
    print(f"{'fetcher':<34}{'CPU':>8}{'peak PSS':>12}{'wall':>9}{'fetching: CPU':>16}{'PSS':>9}")
    baseline = median(measure_baseline(rounds))
    print(f"{'none (baseline: backing off)':<34}{baseline.cpu_seconds:>6.2f} s{baseline.peak_pss_mib:>8.0f} MiB"
          f"{baseline.wall_seconds:>7.2f} s")
    fetching = {}
    for name, fetcher, challenging in MODES:
        found = median(measure_mode(fetcher, challenging, rounds))
        fetching[name] = (found.cpu_seconds - baseline.cpu_seconds, found.peak_pss_mib - baseline.peak_pss_mib)
        print(f"{name:<34}{found.cpu_seconds:>6.2f} s{found.peak_pss_mib:>8.0f} MiB{found.wall_seconds:>7.2f} s"
              f"{fetching[name][0]:>14.2f} s{fetching[name][1]:>5.0f} MiB")
    (http_cpu, http_pss), (browser_cpu, browser_pss) = fetching["http"], fetching["browser"]
    print(f"whole tick, browser / http: {(browser_cpu + baseline.cpu_seconds) / (http_cpu + baseline.cpu_seconds):.1f}x"
          f" the CPU, {(browser_pss + baseline.peak_pss_mib) / (http_pss + baseline.peak_pss_mib):.1f}x the memory")
    print(f"fetching alone, browser / http: {browser_cpu / http_cpu:.0f}x the CPU, "
          f"{browser_pss / max(http_pss, 1):.0f}x the memory")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
