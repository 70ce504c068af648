"""Fetchers against the simulated site: real Chromium and plain HTTP, pacing, finding a browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import BrowserUnavailable, SourceUnavailable
from audiowatch.fetch.auto import AutoFetcher
from audiowatch.fetch.base import open_fetcher
from audiowatch.fetch.browser import BrowserFetcher, find_chromium
from audiowatch.fetch.http import HttpFetcher
from audiowatch.fetch.pacing import Pacer
from audiowatch.simulator.server import SimulatedSite


def settings(site: SimulatedSite | None = None, **values: object) -> ScraperSettings:
    base = {"base_url": site.base_url if site else "http://127.0.0.1:9", "rate_limit_delay_seconds": 0,
            "timeout_seconds": 10}
    return ScraperSettings.model_validate({**base, **values})


class FakeClock:
    """A clock the test moves by hand; sleeping advances it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(clock: FakeClock, delay: float = 2.0, jitter: float = 0.0) -> Pacer:
    return Pacer(delay, clock, clock.sleep, lambda: jitter)


def test_pacer_does_not_wait_before_the_first_request() -> None:
    clock = FakeClock()
    assert pacer(clock).wait() == 0.0


def test_pacer_waits_out_the_rest_of_the_delay() -> None:
    clock = FakeClock()
    paced = pacer(clock)
    paced.wait()
    clock.now += 0.5
    paced.wait()
    assert clock.slept == [1.5]


def test_pacer_does_not_wait_when_the_delay_already_passed() -> None:
    clock = FakeClock()
    paced = pacer(clock)
    paced.wait()
    clock.now += 3
    assert paced.wait() == 0.0


@pytest.mark.parametrize(("jitter", "gap"), [(0.0, 2.0), (0.5, 2.25), (1.0, 2.5)], ids=["none", "half", "most"])
def test_pacer_adds_up_to_a_quarter_of_the_delay_as_jitter(jitter: float, gap: float) -> None:
    clock = FakeClock()
    paced = pacer(clock, jitter=jitter)
    paced.wait()
    paced.wait()
    assert clock.slept == [pytest.approx(gap)]


def test_pacer_with_real_randomness_never_waits_less_than_the_delay() -> None:
    clock = FakeClock()
    paced = Pacer(2.0, clock, clock.sleep)
    for _ in range(50):
        paced.wait()
    assert all(2.0 <= gap <= 2.5 for gap in clock.slept)


@pytest.mark.parametrize(("delay", "pauses"), [(2.0, [2.0, 4.0]), (0.0, [0.25, 0.5])], ids=["delay", "no-delay"])
def test_retry_pause_doubles_from_the_delay(delay: float, pauses: list[float]) -> None:
    paced = pacer(FakeClock(), delay=delay)
    assert [paced.retry_pause(1), paced.retry_pause(2)] == pauses


def test_configured_executable_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BrowserUnavailable, match="executable_path"):
        find_chromium(tmp_path / "no-chromium")


def test_configured_executable_is_used_as_given(tmp_path: Path) -> None:
    binary = tmp_path / "chrome"
    binary.write_text("", encoding="utf-8")
    assert find_chromium(binary) == str(binary)


def test_chromium_on_path_is_found_without_configuration() -> None:
    assert find_chromium(None) == shutil.which("chromium")


@pytest.mark.parametrize(("name", "kind"), [("http", HttpFetcher), ("browser", BrowserFetcher),
                                            ("auto", AutoFetcher)], ids=["http", "browser", "auto"])
def test_open_fetcher_picks_the_configured_kind(name: str, kind: type) -> None:
    assert isinstance(open_fetcher(settings(fetcher=name)), kind)


def test_http_fetcher_returns_the_page_and_counts_requests(site: SimulatedSite) -> None:
    with open_fetcher(settings(site, fetcher="http")) as fetcher:
        page = fetcher.get(site.base_url + "/classifieds/")
        assert (page.status, "hfcUserListing" in page.html, fetcher.requests) == (200, True, 1)


def test_http_fetcher_returns_error_statuses_as_pages(site: SimulatedSite) -> None:
    with open_fetcher(settings(site, fetcher="http")) as fetcher:
        assert fetcher.get(site.base_url + "/classifieds/nothing-here").status == 404


def test_http_fetcher_raises_source_unavailable_when_nothing_answers() -> None:
    with open_fetcher(settings(fetcher="http")) as fetcher, pytest.raises(SourceUnavailable):
        fetcher.get("http://127.0.0.1:9/classifieds/")


@pytest.mark.browser
def test_browser_fetcher_returns_the_rendered_page(site: SimulatedSite) -> None:
    with open_fetcher(settings(site, fetcher="browser")) as fetcher:
        page = fetcher.get(site.base_url + "/classifieds/")
        missing = fetcher.get(site.base_url + "/classifieds/nothing-here")
    assert (page.status, page.html.count('class="hfcUserListing"'), missing.status) == (200, 20, 404)


@pytest.mark.browser
def test_browser_fetcher_raises_source_unavailable_when_nothing_answers() -> None:
    with open_fetcher(settings(fetcher="browser")) as fetcher, pytest.raises(SourceUnavailable):
        fetcher.get("http://127.0.0.1:9/classifieds/")


@pytest.mark.browser
def test_browser_fetcher_close_is_safe_twice(site: SimulatedSite) -> None:
    fetcher = BrowserFetcher(settings(site))
    with fetcher:
        fetcher.get(site.base_url + "/classifieds/")
    fetcher.close()
    with pytest.raises(RuntimeError):
        fetcher.get(site.base_url + "/classifieds/")
