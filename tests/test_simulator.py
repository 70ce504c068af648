"""The simulated Head-Fi site: routes, pagination, card markup and catalog edits, over real loopback HTTP."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from audiowatch.simulator.behaviour import Challenge, Layout
from audiowatch.simulator.catalog import Catalog, SimListing
from audiowatch.simulator.server import SimulatedSite

NOW = datetime(2026, 1, 10, 20, 0, tzinfo=UTC)
LISTING_ID = re.compile(r"\.(\d+)/?$")
# No proxy: the site is on loopback, and a developer's proxy settings must not reroute it.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(Catalog.seeded(NOW), now=lambda: NOW) as running:
        yield running


def fetch(site: SimulatedSite, path: str) -> tuple[int, str]:
    try:
        with OPENER.open(site.url(path), timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def get_tree(site: SimulatedSite, path: str) -> LexborHTMLParser:
    status, text = fetch(site, path)
    assert status == 200, path
    return LexborHTMLParser(text)


def card_ids(tree: LexborHTMLParser) -> list[int]:
    ids = []
    for card in tree.css("a.hfcUserListing"):
        match = LISTING_ID.search(card.attributes["href"] or "")
        assert match is not None
        ids.append(int(match[1]))
    return ids


def card_for(tree: LexborHTMLParser, listing_id: int) -> LexborNode:
    for card, card_id in zip(tree.css("a.hfcUserListing"), card_ids(tree), strict=True):
        if card_id == listing_id:
            return card
    raise AssertionError(f"no card for listing {listing_id}")


def newest(site: SimulatedSite, category: str | None = None) -> SimListing:
    return site.catalog.listings_in(category)[0]


def test_index_first_page_shows_twenty_newest_cards(site: SimulatedSite) -> None:
    expected = [listing.listing_id for listing in site.catalog.listings_in(None)[:20]]
    assert card_ids(get_tree(site, "/classifieds/")) == expected


def test_index_page_renders_page_nav_twice(site: SimulatedSite) -> None:
    assert len(get_tree(site, "/classifieds/page-2").css("nav.pageNavWrapper")) == 2


def test_index_first_page_next_links_point_to_page_two(site: SimulatedSite) -> None:
    tree = get_tree(site, "/classifieds/")
    hrefs = [node.attributes["href"] for node in tree.css("a.pageNav-jump.pageNav-jump--next")]
    assert hrefs == ["/classifieds/page-2", "/classifieds/page-2"]
    assert tree.css("a.pageNav-jump--prev") == []


def test_index_last_page_has_prev_but_no_next_link(site: SimulatedSite) -> None:
    tree = get_tree(site, "/classifieds/page-15")
    assert tree.css("a.pageNav-jump--next") == []
    assert len(tree.css("a.pageNav-jump--prev")) == 2


def test_page_nav_last_numbered_link_is_last_page(site: SimulatedSite) -> None:
    links = get_tree(site, "/classifieds/").css("ul.pageNav-main li.pageNav-page a")
    assert (links[-1].text(), links[-1].attributes["href"]) == ("15", "/classifieds/page-15")


def test_index_page_past_last_returns_404(site: SimulatedSite) -> None:
    assert fetch(site, "/classifieds/page-16")[0] == 404


@pytest.mark.parametrize(
    "path",
    ["/classifieds/categories/full-size.3/", "/classifieds/categories/headphones.2/"],
    ids=["wrong-id", "unknown-slug"],
)
def test_category_with_mismatched_slug_and_id_returns_404(site: SimulatedSite, path: str) -> None:
    assert fetch(site, path)[0] == 404


def test_category_page_lists_its_newest_listings(site: SimulatedSite) -> None:
    expected = [listing.listing_id for listing in site.catalog.listings_in("dacs")[:20]]
    assert card_ids(get_tree(site, "/classifieds/categories/dacs.8/")) == expected


def test_parent_category_lists_its_childrens_listings(site: SimulatedSite) -> None:
    ids = card_ids(get_tree(site, "/classifieds/categories/headphones-for-sale-trade.1/"))
    categories = {site.catalog.get(listing_id).category for listing_id in ids}  # type: ignore[union-attr]
    assert categories == {"full-size", "in-ear-monitors"}


def test_category_second_page_link_uses_category_path(site: SimulatedSite) -> None:
    tree = get_tree(site, "/classifieds/categories/full-size.2/")
    assert tree.css_first("a.pageNav-jump--next").attributes["href"] == (  # type: ignore[union-attr]
        "/classifieds/categories/full-size.2/page-2"
    )


def test_empty_category_renders_page_one_without_cards_or_next_link() -> None:
    with SimulatedSite(Catalog(), now=lambda: NOW) as empty_site:
        tree = get_tree(empty_site, "/classifieds/categories/daps.10/")
    assert (tree.css("a.hfcUserListing"), tree.css("a.pageNav-jump--next")) == ([], [])


def test_listing_page_shows_title_in_generic_h1(site: SimulatedSite) -> None:
    listing = newest(site)
    title = get_tree(site, listing.path).css_first("h1.p-title-value.head-fi_generic_page_title")
    assert title is not None and title.text() == listing.title


def test_listing_page_breadcrumbs_name_parent_and_category(site: SimulatedSite) -> None:
    listing = newest(site, "full-size")
    crumbs = [node.text() for node in get_tree(site, listing.path).css("ul.p-breadcrumbs li a")]
    assert crumbs == ["Classifieds", "Headphones For Sale / Trade", "Full-Size"]


def test_listing_page_unknown_id_returns_404(site: SimulatedSite) -> None:
    assert fetch(site, "/classifieds/nothing-here.99/")[0] == 404


def test_short_listing_url_redirects_to_canonical_path(site: SimulatedSite) -> None:
    listing = newest(site)
    with OPENER.open(site.url(f"/classifieds/{listing.listing_id}"), timeout=5) as response:
        assert response.url == site.url(listing.path)


def test_add_listing_appears_first_on_page_one(site: SimulatedSite) -> None:
    added = site.catalog.add_listing(NOW + timedelta(minutes=5), "Hifiman Arya", "full-size", price=899.0)
    assert card_ids(get_tree(site, "/classifieds/"))[0] == added.listing_id


def test_add_listing_pushes_oldest_card_of_page_one_to_page_two(site: SimulatedSite) -> None:
    last_on_page_one = card_ids(get_tree(site, "/classifieds/"))[-1]
    site.catalog.add_listing(NOW + timedelta(minutes=5), "Hifiman Arya", "full-size", price=899.0)
    assert card_ids(get_tree(site, "/classifieds/page-2"))[0] == last_on_page_one


def test_change_price_shows_new_price_on_card(site: SimulatedSite) -> None:
    listing = newest(site)
    site.catalog.change_price(listing.listing_id, 1149.0, NOW)
    price = card_for(get_tree(site, "/classifieds/"), listing.listing_id).css_first(".hfcPrice")
    assert price is not None and price.text().split("\u00a0")[-1].strip() == "$1,149.00 USD"


def test_change_price_adds_last_edit_date(site: SimulatedSite) -> None:
    listing = newest(site)
    site.catalog.change_price(listing.listing_id, 1149.0, NOW)
    card = card_for(get_tree(site, "/classifieds/"), listing.listing_id)
    assert card.css_first(".hfcLastEditDate time").attributes["datetime"] == (  # type: ignore[union-attr]
        "2026-01-10T12:00:00-0800"
    )


def test_mark_ended_shows_overlay_on_card(site: SimulatedSite) -> None:
    listing = newest(site)
    site.catalog.mark_ended(listing.listing_id, "traded", now=NOW)
    card = card_for(get_tree(site, "/classifieds/"), listing.listing_id)
    overlay = card.css_first(".hfcOverlayGlobal--content")
    assert overlay is not None and overlay.text() == "Traded"


def test_mark_ended_prefixes_listing_page_title(site: SimulatedSite) -> None:
    listing = newest(site)
    site.catalog.mark_ended(listing.listing_id)
    title = get_tree(site, listing.path).css_first("h1.head-fi_generic_page_title")
    assert title is not None and title.text() == f"Sold: {listing.title}"


def test_active_cards_have_no_overlay(site: SimulatedSite) -> None:
    active = [listing for listing in site.catalog.listings_in(None)[:20] if listing.status == "active"]
    tree = get_tree(site, "/classifieds/")
    overlays = [card_for(tree, listing.listing_id).css(".hfcOverlayGlobal--content") for listing in active]
    assert overlays == [[]] * len(active)


def test_price_label_is_followed_by_no_break_space(site: SimulatedSite) -> None:
    price = get_tree(site, "/classifieds/").css_first(".hfcPrice")
    assert price is not None
    # The split reference §3 describes: drop newlines, trim, split on the no-break space.
    chunks = [chunk.strip() for chunk in price.text().replace("\n", "").strip().split("\u00a0")]
    assert chunks == ["For Sale", "$1,299.00 USD"]


def test_want_to_buy_without_price_shows_label_only(site: SimulatedSite) -> None:
    listing = next(each for each in site.catalog.listings_in(None) if each.title == "WTB: 64 Audio U12t")
    price = card_for(get_tree(site, "/classifieds/"), listing.listing_id).css_first(".hfcPrice")
    assert price is not None and price.text().replace("\u00a0", " ").strip() == "Want To Buy"


def test_seller_without_feedback_has_no_count(site: SimulatedSite) -> None:
    listing = next(each for each in site.catalog.listings_in(None) if each.seller == "eu.audio.trader")
    creator = card_for(get_tree(site, "/classifieds/"), listing.listing_id).css_first(".hfcCreatorInfo")
    assert creator is not None and creator.text(separator="|") == "Listed by:| |eu.audio.trader"


def test_card_title_is_html_escaped(site: SimulatedSite) -> None:
    text = fetch(site, "/classifieds/categories/desktop.5/")[1]
    assert 'Schiit Jotunheim 2 &lt;balanced&gt; &quot;multibit&quot;' in text


def test_cards_use_both_time_flavours(site: SimulatedSite) -> None:
    tree = get_tree(site, "/classifieds/")
    assert tree.css("time.u-dt[data-time-string]") != [] and tree.css("time.u-dt[data-timestamp]") != []


def test_time_datetime_attribute_converts_to_listed_at(site: SimulatedSite) -> None:
    listing = newest(site)
    time = card_for(get_tree(site, "/classifieds/"), listing.listing_id).css_first(".hfcListingDate time")
    assert time is not None
    assert datetime.fromisoformat(time.attributes["datetime"] or "").astimezone(UTC) == listing.listed_at


def test_time_visible_text_is_relative(site: SimulatedSite) -> None:
    listing = newest(site)
    time = card_for(get_tree(site, "/classifieds/"), listing.listing_id).css_first(".hfcListingDate time")
    assert time is not None and time.text() == "35 minutes ago"


def test_request_log_records_paths_in_order(site: SimulatedSite) -> None:
    for path in ("/classifieds/", "/classifieds/page-2", "/classifieds/categories/dacs.8/"):
        fetch(site, path)
    assert site.requests == ["/classifieds/", "/classifieds/page-2", "/classifieds/categories/dacs.8/"]


def test_reset_requests_empties_the_log(site: SimulatedSite) -> None:
    fetch(site, "/classifieds/")
    site.reset_requests()
    assert site.requests == []


def test_delayed_path_answers_after_its_delay(site: SimulatedSite) -> None:
    site.delays["/classifieds/"] = 0.3
    started = time.monotonic()
    assert fetch(site, "/classifieds/")[0] == 200
    assert time.monotonic() - started >= 0.3


def test_stop_does_not_wait_out_a_delayed_answer() -> None:
    site = SimulatedSite(Catalog.seeded(NOW), now=lambda: NOW).start()
    site.delays["/classifieds/"] = 60
    waiting = threading.Thread(target=fetch, args=(site, "/classifieds/"), daemon=True)
    waiting.start()
    deadline = time.monotonic() + 10
    while "/classifieds/" not in site.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 5


def test_thumbnail_path_returns_png(site: SimulatedSite) -> None:
    with OPENER.open(site.url("/data/classifieds/100299/thumb.jpg"), timeout=5) as response:
        assert (response.headers["Content-Type"], response.read()[:8]) == ("image/png", b"\x89PNG\r\n\x1a\n")


def test_unknown_path_returns_404_html(site: SimulatedSite) -> None:
    status, text = fetch(site, "/forums/")
    assert status == 404 and "The requested page could not be found." in text


def test_seeded_catalog_is_deterministic() -> None:
    assert Catalog.seeded(NOW).listings_in(None) == Catalog.seeded(NOW).listings_in(None)


def test_seeded_ids_increase_with_listed_at() -> None:
    listings = Catalog.seeded(NOW).listings_in(None)
    assert [listing.listing_id for listing in listings] == sorted(
        (listing.listing_id for listing in listings), reverse=True
    )


VARIATIONS: dict[str, Callable[[SimListing], bool]] = {
    "for-sale": lambda listing: listing.listing_type == "For Sale",
    "for-sale-trade": lambda listing: listing.listing_type == "For Sale/Trade",
    "wtb-with-price": lambda listing: listing.listing_type == "Want To Buy" and listing.price is not None,
    "wtb-without-price": lambda listing: listing.listing_type == "Want To Buy" and listing.price is None,
    "sold": lambda listing: listing.status == "sold",
    "closed": lambda listing: listing.status == "closed",
    "traded": lambda listing: listing.status == "traded",
    "edited": lambda listing: listing.edited_at is not None,
    "never-edited": lambda listing: listing.edited_at is None,
    "no-thumbnail": lambda listing: listing.thumbnail is None,
    "relative-thumbnail": lambda listing: (listing.thumbnail or "").startswith("/data/"),
    "absolute-thumbnail": lambda listing: (listing.thumbnail or "").startswith("https://"),
    "seller-with-space": lambda listing: " " in (listing.seller or ""),
    "seller-with-dot": lambda listing: "." in (listing.seller or ""),
    "seller-with-dash": lambda listing: "-" in (listing.seller or ""),
    "seller-without-feedback": lambda listing: listing.seller is not None and listing.seller_feedback is None,
    "eur": lambda listing: listing.currency == "EUR",
    "gbp": lambda listing: listing.currency == "GBP",
    "price-over-1000": lambda listing: (listing.price or 0) >= 1000,
}


@pytest.mark.parametrize("is_variation", VARIATIONS.values(), ids=VARIATIONS.keys())
def test_seeded_catalog_covers_reference_variations(is_variation: Callable[[SimListing], bool]) -> None:
    # Even a tiny catalog holds every variation of reference §7, thanks to the showcase listings.
    assert any(is_variation(listing) for listing in Catalog.seeded(NOW, per_category=1).listings_in(None))


def test_sample_arrivals_add_the_demo_titles_newest_first() -> None:
    catalog = Catalog.seeded(NOW)
    catalog.add_sample_arrivals(NOW + timedelta(hours=1))
    titles = [listing.title for listing in catalog.listings_in(None)[:6]]
    assert titles == [
        "Topping D90SE", "Schiit Bifrost 2/64", "WTB: Moondrop Variations", "Moondrop Blessing 3",
        "Focal Utopia 2022", "Sennheiser HD800 S - mint, with case",
    ]


def test_add_listing_rejects_parent_category() -> None:
    with pytest.raises(ValueError, match="leaf slug"):
        Catalog().add_listing(NOW, "Anything", "headphones-for-sale-trade", price=1.0)


# Bursts


def test_burst_pushes_the_newest_listings_of_page_one_to_pages_two_and_three(site: SimulatedSite) -> None:
    before = card_ids(get_tree(site, "/classifieds/categories/full-size.2/"))
    site.catalog.add_burst(NOW + timedelta(minutes=5), 45, category="full-size")
    third_page = card_ids(get_tree(site, "/classifieds/categories/full-size.2/page-3"))
    assert third_page[5:] == before[:15]


def test_burst_spread_over_hours_posts_listings_across_that_time() -> None:
    catalog = Catalog.seeded(NOW)
    added = catalog.add_burst(NOW, 7, spread=timedelta(hours=6))
    # Seven listings, evenly spaced: the oldest six sevenths of the spread ago, the newest at NOW.
    assert (added[0].listed_at, added[-1].listed_at) == (NOW - timedelta(seconds=int(6 * 3600 * 6 / 7)), NOW)
    assert [listing.listing_id for listing in added] == sorted(listing.listing_id for listing in added)


# Misbehaviour on demand


def fetch_with_headers(site: SimulatedSite, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(site.url(path), headers={"Cookie": cookie} if cookie else {})
    try:
        with OPENER.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


@pytest.mark.parametrize("status", [403, 429, 503])
def test_block_answers_every_page_with_its_status_and_retry_after(site: SimulatedSite, status: int) -> None:
    site.behaviour.block, site.behaviour.retry_after = status, "120"
    answered, headers, _ = fetch_with_headers(site, "/classifieds/categories/dacs.8/")
    assert (answered, headers.get("Retry-After")) == (status, "120")


def test_block_spares_images(site: SimulatedSite) -> None:
    site.behaviour.block = 403
    assert fetch_with_headers(site, "/data/classifieds/100299/thumb.jpg")[0] == 200


def test_login_wall_shows_xenforo_login_form(site: SimulatedSite) -> None:
    site.behaviour.login_wall = True
    status, _, text = fetch_with_headers(site, "/classifieds/")
    assert status == 403 and 'data-template="login"' in text


def test_script_challenge_stops_clients_without_the_cookie(site: SimulatedSite) -> None:
    site.behaviour.challenge = Challenge.SCRIPT
    status, headers, text = fetch_with_headers(site, "/classifieds/")
    assert (status, headers.get("cf-mitigated")) == (403, "challenge")
    assert "<title>Just a moment...</title>" in text and site.clearance in text


def test_script_challenge_lets_the_clearance_cookie_through(site: SimulatedSite) -> None:
    site.behaviour.challenge = Challenge.SCRIPT
    status, _, text = fetch_with_headers(site, "/classifieds/", cookie=f"other=1; hf_clearance={site.clearance}")
    assert status == 200 and "hfcUserListing" in text


def test_captcha_challenge_has_no_script_that_passes_it(site: SimulatedSite) -> None:
    site.behaviour.challenge = Challenge.CAPTCHA
    _, _, text = fetch_with_headers(site, "/classifieds/")
    assert "Just a moment" in text and site.clearance not in text


def test_served_log_records_the_status_each_request_got(site: SimulatedSite) -> None:
    site.behaviour.block = 429
    fetch(site, "/classifieds/")
    site.behaviour.block = None
    fetch(site, "/classifieds/")
    assert [(served.path, served.status) for served in site.page_requests()] == [
        ("/classifieds/", 429), ("/classifieds/", 200)]


def test_slow_requests_count_down_to_normal_speed(site: SimulatedSite) -> None:
    site.behaviour.slow_seconds, site.behaviour.slow_requests = 0.05, 2
    for _ in range(3):
        fetch(site, "/classifieds/")
    assert site.behaviour.slow_requests == 0 and site.behaviour.take_slowness() == 0.0


def test_renamed_cards_layout_serves_pages_without_hfc_cards(site: SimulatedSite) -> None:
    site.behaviour.layout = Layout.RENAMED_CARDS
    status, text = fetch(site, "/classifieds/")
    assert status == 200 and "hfcUserListing" not in text and text.count('class="hfcListingCard"') == 20


def test_renamed_fields_layout_keeps_cards_but_moves_price_seller_and_date(site: SimulatedSite) -> None:
    site.behaviour.layout = Layout.RENAMED_FIELDS
    tree = get_tree(site, "/classifieds/")
    assert len(tree.css("a.hfcUserListing")) == 20
    assert tree.css(".hfcPrice, .hfcCreatorInfo, .hfcListingDate") == []


def test_block_after_serves_that_many_pages_first(site: SimulatedSite) -> None:
    site.behaviour.block, site.behaviour.block_after = 429, 2
    statuses = [fetch(site, "/classifieds/")[0] for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
