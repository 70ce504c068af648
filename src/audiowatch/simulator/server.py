"""The simulated Head-Fi classifieds site: routes loopback HTTP requests to pages of a Catalog."""

from __future__ import annotations

import base64
import contextlib
import math
import re
import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from audiowatch import sources
from audiowatch.simulator import behaviour, pages
from audiowatch.simulator.catalog import Catalog

HTML_CONTENT_TYPE = "text/html; charset=utf-8"

# URL shapes from reference/headfi-markup.md §1; matched against the whole path.
_INDEX_ROUTE = re.compile(r"/classifieds/(?:page-(\d+)/?)?")
_CATEGORY_ROUTE = re.compile(r"/classifieds/categories/([^/]+)\.(\d+)(?:/(?:page-(\d+)/?)?)?")
_SHORT_LISTING_ROUTE = re.compile(r"/classifieds/(\d+)/?")
_LISTING_ROUTE = re.compile(r"/classifieds/([^/]+)\.(\d+)/?")

# A 1x1 transparent PNG, so a browser rendering the cards gets a real image for every thumbnail.
_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass(frozen=True, slots=True)
class Response:
    """What the site answers to one request."""

    status: int
    body: bytes = b""
    content_type: str = HTML_CONTENT_TYPE
    location: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Served:
    """One request the site answered: the path (with query) and the status it got."""

    path: str
    status: int


class SimulatedSite:
    """A Head-Fi-like classifieds site served from a thread on loopback; tests edit `catalog` between runs.

    Use as a context manager, or call `start()` and `stop()`. `requests` lists every requested path
    (with its query string) in arrival order, `served` the same with the status each got. Set fields of
    `behaviour` to make the site block, challenge, stall or change its layout (simulator/behaviour.py);
    `delays` maps a path to the seconds its answer is held back, to catch a scraper mid-page; `stop()`
    cuts such waits short.
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        per_page: int = 20,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._now = now or _utc_now
        self.catalog = catalog if catalog is not None else Catalog.seeded(self._now())
        self.host = host
        self.per_page = per_page
        self.requests: list[str] = []
        self.delays: dict[str, float] = {}
        self.served: list[Served] = []
        self.behaviour = behaviour.Behaviour()
        # The clearance cookie the script challenge hands out; only a client running it learns it.
        self.clearance = secrets.token_hex(8)
        self._stopping = threading.Event()
        self._requested_port = port
        self._requests_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """Return `http://HOST:PORT` with the port actually bound. Raise RuntimeError before start()."""
        if self._server is None:
            raise RuntimeError("the simulated site has no address until start() is called")
        return f"http://{self.host}:{self._server.server_port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of a site-relative path such as `/classifieds/page-2`."""
        return self.base_url + path

    def start(self, *, poll_interval: float = 0.01) -> SimulatedSite:
        """Bind the port and serve in a daemon thread; return self. Raise OSError if the port is taken.

        `poll_interval` bounds how long stop() waits for the serving loop to notice: short for tests
        that start a site each, longer for a long-running site that should idle quietly.
        """
        if self._server is not None:
            raise RuntimeError("the simulated site is already running")
        server = _Server((self.host, self._requested_port), _Handler)
        server.site = self
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": poll_interval},
            name="simulated-headfi",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; does nothing when not running."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        self._stopping.set()  # wake delayed and stalled answers, or closing the server would wait them out
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> SimulatedSite:
        return self.start()

    def __exit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def reset_requests(self) -> None:
        """Forget the requests recorded so far."""
        with self._requests_lock:
            self.requests.clear()
            self.served.clear()

    def page_requests(self) -> list[Served]:
        """Return the requests for pages (list and listing pages), leaving out images and the favicon."""
        with self._requests_lock:
            return [served for served in self.served if served.path.startswith("/classifieds")]

    def handle(self, raw_path: str, cookie_header: str | None = None) -> Response:
        """Record the request and return the response for a request path (query string allowed).

        `cookie_header` is the request's Cookie header: the script challenge lets through a client
        that sends back the clearance cookie it set.
        """
        with self._requests_lock:
            self.requests.append(raw_path)
        path = urlsplit(raw_path).path
        if path in self.delays:
            self._stopping.wait(self.delays[path])
        response = self._refusal(path, cookie_header) or self._route(path)
        if response.content_type == HTML_CONTENT_TYPE:
            self._stopping.wait(self.behaviour.take_slowness())
        with self._requests_lock:
            self.served.append(Served(raw_path, response.status))
        return response

    def _refusal(self, path: str, cookie_header: str | None) -> Response | None:
        """Return the block, login wall or challenge the current behaviour answers instead, if any."""
        mood = self.behaviour
        if path.startswith("/data/") or path == "/favicon.ico":
            return None
        status = mood.take_block()
        if status is not None:
            retry_after = (("Retry-After", mood.retry_after),) if mood.retry_after else ()
            return Response(status, behaviour.render_block(status).encode(), headers=retry_after)
        if mood.login_wall:
            return Response(403, behaviour.render_login_wall().encode())
        if mood.challenge is not None and not self._has_clearance(cookie_header):
            body = behaviour.render_challenge(mood.challenge, self.clearance).encode()
            return Response(403, body, headers=(("cf-mitigated", "challenge"), ("Cache-Control", "no-store")))
        return None

    def _has_clearance(self, cookie_header: str | None) -> bool:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(cookie_header or "")
        except CookieError:
            return False
        morsel = cookies.get(behaviour.CLEARANCE_COOKIE)
        return morsel is not None and morsel.value == self.clearance

    def _route(self, path: str) -> Response:
        if path == "/favicon.ico":
            return Response(204, content_type="image/x-icon")
        if path.startswith("/data/"):
            return Response(200, _PIXEL_PNG, content_type="image/png")
        if match := _INDEX_ROUTE.fullmatch(path):
            return self._list_response(path, None, match[1])
        if match := _CATEGORY_ROUTE.fullmatch(path):
            return self._category_response(path, match)
        if match := _SHORT_LISTING_ROUTE.fullmatch(path):
            return self._short_listing_response(path, int(match[1]))
        if match := _LISTING_ROUTE.fullmatch(path):
            return self._listing_response(path, int(match[2]))
        return _not_found(path)

    def _category_response(self, path: str, match: re.Match[str]) -> Response:
        slug, category_id, page_text = match.groups()
        category = sources.CATEGORIES_BY_SLUG.get(slug)
        # XenForo resolves by id and redirects a wrong slug; here any mismatch is a 404, which
        # catches a scraper building category URLs wrongly.
        if category is None or category.category_id != int(category_id):
            return _not_found(path)
        return self._list_response(path, category, page_text)

    def _list_response(self, path: str, category: sources.Category | None, page_text: str | None) -> Response:
        listings = self.catalog.listings_in(None if category is None else category.slug)
        total_pages = max(1, math.ceil(len(listings) / self.per_page))
        page = 1 if page_text is None else int(page_text)
        if not 1 <= page <= total_pages:
            # XenForo redirects a page past the end to the last page; a 404 ends paging just as surely.
            return _not_found(path)
        first = (page - 1) * self.per_page
        text = pages.render_list_page(
            listings[first : first + self.per_page],
            page=page,
            total_pages=total_pages,
            base_path=pages.CLASSIFIEDS_PATH if category is None else category.path,
            title="Classifieds" if category is None else category.name,
            now=self._now(),
            breadcrumbs=() if category is None else pages.breadcrumbs_for(category, include_self=False),
        )
        return Response(200, behaviour.redesign(text, self.behaviour.layout).encode())

    def _short_listing_response(self, path: str, listing_id: int) -> Response:
        # Reference §1: `/classifieds/<id>` resolves; like XenForo, send it to the canonical URL.
        listing = self.catalog.get(listing_id)
        if listing is None:
            return _not_found(path)
        return Response(301, location=listing.path)

    def _listing_response(self, path: str, listing_id: int) -> Response:
        listing = self.catalog.get(listing_id)
        if listing is None:
            return _not_found(path)
        return Response(200, pages.render_listing_page(listing, now=self._now(), site_url=self.base_url).encode())


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 7,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve a freshly seeded site until Ctrl-C (KeyboardInterrupt), then shut it down cleanly.

    `on_ready` receives the base URL once the port is bound, so a caller can say where to look.
    Raise OSError if the port is taken.
    """
    site = SimulatedSite(Catalog.seeded(_utc_now(), seed=seed), host=host, port=port)
    site.start(poll_interval=0.5)
    try:
        if on_ready is not None:
            on_ready(site.base_url)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        site.stop()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _not_found(path: str) -> Response:
    return Response(404, pages.render_not_found(path).encode())


class _Server(ThreadingHTTPServer):
    """The HTTP server, carrying the site its handlers ask for responses."""

    site: SimulatedSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser dropping a connection (an aborted image, a closed tab) is normal traffic, not a
        # simulator bug; anything else still gets the default traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Turns one HTTP request into `SimulatedSite.handle` and writes the answer back."""

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: tests and the demo read `SimulatedSite.requests` instead of a stderr access log.
        return

    def _answer(self, *, with_body: bool) -> None:
        assert isinstance(self.server, _Server)
        response = self.server.site.handle(self.path, self.headers.get("Cookie"))
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        if response.location is not None:
            self.send_header("Location", response.location)
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)
