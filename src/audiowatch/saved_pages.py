"""Fetched pages written to disk: pages that failed to parse, for the user to inspect or report,
and pages captured with `audiowatch scrape --save-html` for test fixtures."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from audiowatch.fetch.base import Page

# A layout change fails every tick until the parser is fixed; keep the newest few, not one per tick.
KEEP_FAILED_PAGES = 20
FAILED_PAGES_FOLDER = "failed-pages"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HEADER = re.compile(r"\A<!-- saved by AudioWatch: (\S+) answered HTTP (\d{3}) at (\S+) -->\n")


def save_failed_page(folder: Path, source: str, page: Page) -> Path:
    """Write ``page`` to ``folder/<UTC timestamp>-<source>.html`` and prune the oldest beyond
    KEEP_FAILED_PAGES; return the file written. Raise OSError when the folder is not writable."""
    stamp = page.fetched_at.strftime("%Y%m%dT%H%M%SZ")
    path = write_page(folder, f"{stamp}-{_safe(source)}", page)
    saved = sorted(folder.glob("*.html"))
    for old in saved[: max(0, len(saved) - KEEP_FAILED_PAGES)]:
        old.unlink(missing_ok=True)
    return path


def write_page(folder: Path, name: str, page: Page) -> Path:
    """Write ``page`` as ``folder/<name>.html``, headed by a comment naming its URL, status and time.

    The comment is the only addition: the page itself is kept byte for byte as the site sent it
    (as decoded text), so `audiowatch parse` reads the file as the tick read the page.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_safe(name)}.html"
    note = describe(page.url, page.status, page.fetched_at)
    path.write_text(f"<!-- {note} -->\n{page.html}", encoding="utf-8")
    return path


def describe(url: str, status: int, fetched_at: datetime) -> str:
    """Return the header comment's text (made safe to sit inside an HTML comment)."""
    text = f"saved by AudioWatch: {url} answered HTTP {status} at {fetched_at.isoformat(timespec='seconds')}"
    return html.escape(text.replace("--", "- -"), quote=False)


def read_page(path: Path) -> Page:
    """Read a saved page back, with the URL, status and time its header comment recorded.

    A file saved some other way (a browser's "Save page as") reads as an HTTP 200 page at its file URL.
    Raise OSError when the file cannot be read.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    header = _HEADER.match(text)
    if header is None:
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return Page(path.resolve().as_uri(), 200, text, modified)
    url, status, moment = html.unescape(header.group(1)), int(header.group(2)), header.group(3)
    try:
        fetched_at = datetime.fromisoformat(moment)
    except ValueError:
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Page(url, status, text[header.end():], fetched_at)


def site_root(url: str) -> str | None:
    """Return ``scheme://host[:port]`` of an http(s) URL, else None."""
    match = re.match(r"(https?://[^/?#]+)", url)
    return match.group(1) if match else None


def _safe(name: str) -> str:
    return _UNSAFE.sub("-", name).strip("-") or "page"
