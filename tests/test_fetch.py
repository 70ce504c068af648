"""Fetchers against the simulated site: real Chromium and plain HTTP, pacing, finding a browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audiowatch.config.model import ScraperSettings
from audiowatch.errors import BrowserUnavailable, SourceUnavailable
from audiowatch.fetch import blocks
from audiowatch.fetch.auto import AutoFetcher
from audiowatch.fetch.base import open_fetcher
from audiowatch.fetch.browser import BrowserFetcher, clean_temporary_files, find_chromium, temp_folder_for
from audiowatch.fetch.http import HttpFetcher
from audiowatch.fetch.pacing import Pacer
from audiowatch.simulator.behaviour import Challenge
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


# Retries


def test_http_fetcher_retries_a_timeout_and_returns_the_page(site: SimulatedSite) -> None:
    site.behaviour.slow_seconds, site.behaviour.slow_requests = 5.0, 1
    with open_fetcher(settings(site, fetcher="http", timeout_seconds=0.3)) as fetcher:
        page = fetcher.get(site.base_url + "/classifieds/")
    assert (page.status, fetcher.requests, len(site.requests)) == (200, 2, 2)


def test_http_fetcher_gives_up_after_three_timeouts_naming_the_setting(site: SimulatedSite) -> None:
    site.behaviour.slow_seconds = 5.0
    with open_fetcher(settings(site, fetcher="http", timeout_seconds=0.2)) as fetcher, \
            pytest.raises(SourceUnavailable, match=r"timeout_seconds\) \(tried 3 times\)"):
        fetcher.get(site.base_url + "/classifieds/")
    assert len(site.requests) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_http_fetcher_retries_server_errors_then_gives_up(site: SimulatedSite, status: int) -> None:
    site.behaviour.block = status
    with open_fetcher(settings(site, fetcher="http")) as fetcher, \
            pytest.raises(SourceUnavailable, match=f"HTTP {status} \\(tried 3 times\\)"):
        fetcher.get(site.base_url + "/classifieds/")
    assert len(site.requests) == 3


@pytest.mark.parametrize("status", [403, 404, 429, 503])
def test_http_fetcher_does_not_retry_answers_that_a_retry_cannot_change(site: SimulatedSite, status: int) -> None:
    site.behaviour.block = status
    with open_fetcher(settings(site, fetcher="http")) as fetcher:
        assert fetcher.get(site.base_url + "/classifieds/").status == status
    assert len(site.requests) == 1


def test_http_fetcher_passes_on_response_headers(site: SimulatedSite) -> None:
    site.behaviour.block, site.behaviour.retry_after = 429, "60"
    with open_fetcher(settings(site, fetcher="http")) as fetcher:
        assert fetcher.get(site.base_url + "/classifieds/").headers["retry-after"] == "60"


def test_http_fetcher_keeps_getting_the_challenge(site: SimulatedSite) -> None:
    site.behaviour.challenge = Challenge.SCRIPT
    with open_fetcher(settings(site, fetcher="http")) as fetcher:
        pages = [fetcher.get(site.base_url + "/classifieds/") for _ in range(2)]
    assert [blocks.classify(page) is not None for page in pages] == [True, True]


# auto


def test_auto_fetcher_stays_with_http_while_no_challenge_comes(site: SimulatedSite) -> None:
    with open_fetcher(settings(site, fetcher="auto")) as fetcher:
        page = fetcher.get(site.base_url + "/classifieds/")
        assert (page.status, fetcher.name, fetcher.needs_browser()) == (200, "auto (http)", None)


@pytest.mark.browser
def test_auto_fetcher_fetches_a_challenged_page_again_with_the_browser(site: SimulatedSite) -> None:
    site.behaviour.challenge = Challenge.SCRIPT
    with open_fetcher(settings(site, fetcher="auto")) as fetcher:
        first = fetcher.get(site.base_url + "/classifieds/")
        second = fetcher.get(site.base_url + "/classifieds/page-2")
        assert (fetcher.name, fetcher.needs_browser()) == ("auto (browser)", True)
    assert (first.status, second.status, blocks.classify(first), blocks.classify(second)) == (200, 200, None, None)
    # http met the challenge, the browser met it once and reloaded; page 2 carried the cookie.
    assert [served.status for served in site.page_requests()] == [403, 403, 200, 200]


@pytest.mark.browser
def test_auto_fetcher_returns_a_challenge_the_browser_cannot_pass(site: SimulatedSite) -> None:
    site.behaviour.challenge = Challenge.CAPTCHA
    with open_fetcher(settings(site, fetcher="auto", timeout_seconds=1)) as fetcher:
        block = blocks.classify(fetcher.get(site.base_url + "/classifieds/"))
    assert block is not None and block.kind is blocks.BlockKind.CHALLENGE


@pytest.mark.browser
def test_auto_fetcher_told_to_prefer_the_browser_starts_with_it(site: SimulatedSite) -> None:
    with open_fetcher(settings(site, fetcher="auto"), prefer_browser=True) as fetcher:
        fetcher.get(site.base_url + "/classifieds/")
        # No challenge met: no reason to renew the preference; it runs out on its own.
        assert (fetcher.name, fetcher.needs_browser(), site.requests) == ("auto (browser)", None, ["/classifieds/"])


# Browser


@pytest.mark.browser
def test_browser_fetcher_does_not_load_images(site: SimulatedSite) -> None:
    with open_fetcher(settings(site, fetcher="browser")) as fetcher:
        fetcher.get(site.base_url + "/classifieds/")
    assert [path for path in site.requests if not path.startswith("/classifieds")] == []


@pytest.mark.browser
def test_browser_start_removes_what_a_killed_browser_left(site: SimulatedSite, tmp_path: Path) -> None:
    folder = temp_folder_for(tmp_path)
    stale_profile = folder / "playwright_chromiumdev_profile-AbC123"
    (stale_profile / "Default").mkdir(parents=True)
    (folder / "playwright-artifacts-XyZ").mkdir()
    with open_fetcher(settings(site, fetcher="browser"), data_folder=tmp_path) as fetcher:
        fetcher.get(site.base_url + "/classifieds/")
        assert not stale_profile.exists() and not (folder / "playwright-artifacts-XyZ").exists()
    assert list(folder.iterdir()) == []


def test_browser_temp_folder_is_short_and_private_to_the_data_folder(tmp_path: Path) -> None:
    first, second = temp_folder_for(tmp_path / ("a" * 80)), temp_folder_for(tmp_path / "b")
    assert first != second and len(first.name) <= 20


def test_clean_temporary_files_counts_what_it_removed(tmp_path: Path) -> None:
    (tmp_path / "playwright_chromiumdev_profile-1").mkdir()
    (tmp_path / "org.chromium.Chromium.x").write_text("", encoding="utf-8")
    assert (clean_temporary_files(tmp_path), list(tmp_path.iterdir())) == (2, [])
