"""Render the HTML price page to a PNG with headless Chromium through Playwright."""

from __future__ import annotations

from pathlib import Path

from audiowatch.errors import BrowserUnavailable

# Wide enough for the 880-pixel chart and the tables beside the page margins; the height grows to fit.
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 980, 700


def save_png(html: str, path: Path, executable_path: Path | None, timeout_seconds: float) -> None:
    """Write ``html``, as Chromium draws it (the whole page, not just the viewport), to ``path`` as a PNG.

    Chromium is found as the browser fetcher finds it (scraper.executable_path, then PATH). Raise
    BrowserUnavailable (exit 69) when there is none, or it will not start or draw.
    """
    from playwright.sync_api import Error, sync_playwright

    from audiowatch.fetch import browser

    executable = browser.find_chromium(executable_path)
    with sync_playwright() as playwright:
        if executable is None and not Path(playwright.chromium.executable_path).exists():
            raise BrowserUnavailable(browser.HOW_TO_GET_A_BROWSER)
        try:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                                  args=list(browser.CHROMIUM_ARGS), timeout=timeout_seconds * 1000)
        except Error as error:
            raise BrowserUnavailable(f"Chromium ({executable or 'Playwright bundled'}) would not start to draw "
                                     f"{path}: {error.message.splitlines()[0]}") from None
        try:
            page = chromium.new_page(viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT})
            # The page is self-contained; whatever it might still ask for stays offline.
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load", timeout=timeout_seconds * 1000)
            page.screenshot(path=str(path), full_page=True, timeout=timeout_seconds * 1000)
        except Error as error:
            raise BrowserUnavailable(f"Chromium could not draw {path}: {error.message.splitlines()[0]}") from None
        finally:
            chromium.close()
