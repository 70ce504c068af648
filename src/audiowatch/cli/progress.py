"""A one-line progress display for scrapes run from a terminal (logs stay structured elsewhere)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from audiowatch.scrape import Progress


class ProgressLine:
    """Rewrites one line of a terminal after each page: pages read, listings seen, new ones."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        # \r and "erase line" redraw in place; a terminal is the only place this is used.
        self._stream.write(f"\r\x1b[2KScraping: {progress.pages} page(s), {progress.listings_read} listings read, "
                           f"{progress.new} new")
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """End the line, so what is printed next starts on its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


def for_terminal(stream: TextIO) -> ProgressLine | None:
    """Return a progress line when ``stream`` is a terminal, else None (cron, systemd, pipes get logs)."""
    isatty = getattr(stream, "isatty", None)
    return ProgressLine(stream) if isatty is not None and isatty() else None
