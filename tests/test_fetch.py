"""Fetchers against the simulated site: real Chromium and plain HTTP, pacing, finding a browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import BrowserUnavailable, SourceUnavailable
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


def test_pacer_does_not_wait_before_the_first_request() -> None:
    clock = FakeClock()
    assert Pacer(2.0, clock, clock.sleep).wait() == 0.0


def test_pacer_waits_out_the_rest_of_the_delay() -> None:
    clock = FakeClock()
    pacer = Pacer(2.0, clock, clock.sleep)
    pacer.wait()
    clock.now += 0.5
    pacer.wait()
    assert clock.slept == [1.5]


def test_pacer_does_not_wait_when_the_delay_already_passed() -> None:
    clock = FakeClock()
    pacer = Pacer(2.0, clock, clock.sleep)
    pacer.wait()
    clock.now += 3
    assert pacer.wait() == 0.0


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
                                            ("auto", BrowserFetcher)], ids=["http", "browser", "auto"])
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
