"""Back-off outlives the process that set it: a later `audiowatch tick` process sends no request (real processes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from audiowatch.fetch.blocks import BlockKind
from audiowatch.simulator.behaviour import Behaviour
from audiowatch.simulator.server import SimulatedSite
from tests.support.processes import run_tick
from tests.test_tick_blocks import KINDS, block_with

pytestmark = pytest.mark.slow


def log_events(stderr: str, name: str) -> list[dict[str, object]]:
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [event for event in events if event.get("event") == name]


@pytest.mark.parametrize("kind", KINDS)
def test_backoff_set_by_one_process_stops_the_next_before_any_request(
    kind: BlockKind, site: SimulatedSite, make_config: Callable[..., Path]
) -> None:
    config = make_config(site.base_url, scraper={"sources": ["full-size", "dacs"], "initial_max_pages": 1})
    block_with(kind)(site)
    first = run_tick(config)
    assert first.returncode == 75, first.stderr
    [logged] = log_events(first.stderr, "backing_off")

    site.behaviour = Behaviour()
    site.reset_requests()
    second = run_tick(config)

    assert second.returncode == 75, second.stderr
    assert site.requests == []
    assert f"backing off until {str(logged['deadline'])[:19]}" in second.stderr
    assert "no request was made" in second.stderr
    [skipped] = log_events(second.stderr, "backing_off")
    assert (skipped["deadline"], skipped["kind"], skipped["requests"]) == (logged["deadline"], kind.value, 0)
