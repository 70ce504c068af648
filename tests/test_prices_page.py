"""The HTML page: escaped listing text, web links only, one chart point per observation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from audiowatch.listing import ListingStatus
from audiowatch.prices import history, page

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOSTILE = 'HD800S <script>alert("owned")</script> & <img src=x onerror=alert(1)>'


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser would see them."""

    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]


def price_history(title: str = HOSTILE, url: str = "https://example.org/classifieds/x.1/") -> history.PriceHistory:
    matched = [history.MatchedListing(1, title, url, "For Sale", ListingStatus.ACTIVE, NOW - timedelta(days=3)),
               history.MatchedListing(2, "HD800S", "https://example.org/2/", "For Sale", ListingStatus.SOLD,
                                      NOW - timedelta(days=9))]
    observations = [history.Observation(1, NOW - timedelta(days=3), 1000.0, "USD"),
                    history.Observation(2, NOW - timedelta(days=9), 1200.0, "USD"),
                    history.Observation(2, NOW - timedelta(days=1), 1100.0, "USD")]
    return history.summarize(matched, observations, NOW - timedelta(days=180), NOW)


def test_listing_titles_are_escaped_everywhere() -> None:
    document = page.render_page(price_history(), '"HD800S" AND title contains "<b>"')
    elements = Elements(document)
    assert not elements.named("script") and not elements.named("img") and not elements.named("b")
    assert HOSTILE in "".join(elements.text)  # shown as text, in the table and the points' tooltips
    assert '"HD800S" AND title contains "<b>"' in "".join(elements.text)


def test_only_web_addresses_become_links() -> None:
    elements = Elements(page.render_page(price_history(url="javascript:alert(1)"), '"HD800S"'))
    assert [link["href"] for link in elements.named("a")] == []
    assert "javascript:alert(1)" in "".join(elements.text)


def test_chart_has_a_point_per_observation_and_a_median_line() -> None:
    elements = Elements(page.render_page(price_history(), '"HD800S"'))
    tooltips = [text for text in elements.text if "USD from" in text]
    assert len(tooltips) == 3
    assert len(elements.named("polyline")) == 1


def test_page_loads_nothing_from_outside() -> None:
    elements = Elements(page.render_page(price_history(), '"HD800S"'))
    assert [tag for tag, attributes in elements.tags if tag != "a" and {"src", "href"} & attributes.keys()] == []


def test_page_without_matches_has_no_chart() -> None:
    empty = history.summarize([], [], NOW - timedelta(days=180), NOW)
    elements = Elements(page.render_page(empty, '"Nothing"'))
    assert not elements.named("svg")
    assert "No stored listing posted in that time matches the expression." in "".join(elements.text)
