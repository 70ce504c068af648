"""Tests for parse/headfi.py: synthetic Head-Fi list pages (tests/pages) and hostile input."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiowatch.listing import Listing, ListingStatus
from audiowatch.parse import headfi, layout_check, listing_page

PAGES = Path(__file__).parent / "pages"
HEAD_FI = "https://www.head-fi.org"
SIMULATOR = "http://127.0.0.1:8765"
FIXTURES = ("category-page-first.html", "category-page-last.html", "card-variations.html", "empty-page.html")
LISTING_FIXTURES = ("listing-sold.html", "challenge.html", "login-wall.html")


@functools.cache
def page(name: str) -> str:
    """Return the text of tests/pages/<name>."""
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def variations() -> dict[int, Listing]:
    result = headfi.parse_list_page(page("card-variations.html"), HEAD_FI, "full-size")
    return {listing.listing_id: listing for listing in result.listings}


def card_page(body: str = "", href: str = "/classifieds/test-card.4242/", title: str = "Test card") -> str:
    """Return a page holding one card with the given href, title and extra card markup."""
    return f'<a class="hfcUserListing" href="{href}"><div class="hfcListingTitle">{title}</div>{body}</a>'


def only_listing(html: str, base_url: str = HEAD_FI) -> Listing:
    (listing,) = headfi.parse_list_page(html, base_url).listings
    return listing


def time_card(attributes: str) -> str:
    time = f'<time class="u-dt" {attributes}>Today</time>'
    return card_page(f'<div class="hfcListingDate">Listed: {time}</div>')


# Pages


def test_first_page_returns_every_card_in_page_order() -> None:
    result = headfi.parse_list_page(page("category-page-first.html"), HEAD_FI)
    assert [listing.listing_id for listing in result.listings] == list(range(900020, 900000, -1))


def test_first_page_cards_are_all_counted_and_none_skipped() -> None:
    result = headfi.parse_list_page(page("category-page-first.html"), HEAD_FI)
    assert (result.cards, result.skipped) == (20, 0)


def test_first_page_next_link_becomes_absolute_next_url() -> None:
    result = headfi.parse_list_page(page("category-page-first.html"), HEAD_FI)
    assert result.next_url == f"{HEAD_FI}/classifieds/categories/full-size.2/page-2"


def test_next_url_on_simulator_base_uses_that_base() -> None:
    result = headfi.parse_list_page(page("category-page-first.html"), SIMULATOR)
    assert result.next_url == f"{SIMULATOR}/classifieds/categories/full-size.2/page-2"


def test_last_page_without_next_link_has_null_next_url() -> None:
    result = headfi.parse_list_page(page("category-page-last.html"), HEAD_FI)
    assert result.next_url is None


def test_next_url_with_two_page_navs_comes_from_the_first() -> None:
    nav = '<nav class="pageNavWrapper"><a class="pageNav-jump pageNav-jump--next" href="{}">Next</a></nav>'
    html = nav.format("/classifieds/page-2") + card_page() + nav.format("/classifieds/page-9")
    assert headfi.parse_list_page(html, HEAD_FI).next_url == f"{HEAD_FI}/classifieds/page-2"


def test_empty_page_has_no_cards_listings_or_next_url() -> None:
    result = headfi.parse_list_page(page("empty-page.html"), HEAD_FI)
    assert (result.listings, result.cards, result.skipped, result.next_url) == ((), 0, 0, None)


def test_empty_string_parses_to_empty_result() -> None:
    result = headfi.parse_list_page("", HEAD_FI)
    assert (result.listings, result.cards, result.skipped, result.next_url) == ((), 0, 0, None)


# Field rates


def test_field_rates_cover_exactly_the_optional_fields() -> None:
    result = headfi.parse_list_page(page("card-variations.html"), HEAD_FI)
    assert set(result.field_rates) == {
        "price", "listing_type", "seller", "listed_at", "condition", "ships_to", "thumbnail_url",
    }


def test_field_rates_without_listings_are_all_one() -> None:
    result = headfi.parse_list_page(page("empty-page.html"), HEAD_FI)
    assert set(result.field_rates.values()) == {1.0}


def test_field_rates_on_complete_page_are_all_one() -> None:
    result = headfi.parse_list_page(page("category-page-first.html"), HEAD_FI)
    assert set(result.field_rates.values()) == {1.0}


def test_field_rates_are_share_of_listings_with_the_field() -> None:
    result = headfi.parse_list_page(page("card-variations.html"), HEAD_FI)
    with_price = sum(listing.price is not None for listing in result.listings)
    assert (with_price, len(result.listings)) == (7, 17)
    assert result.field_rates["price"] == pytest.approx(7 / 17)


# Skipped and repeated cards


def test_cards_without_id_or_title_are_counted_as_skipped() -> None:
    result = headfi.parse_list_page(page("card-variations.html"), HEAD_FI)
    assert result.skipped == 4


def test_card_count_includes_skipped_and_repeated_cards() -> None:
    result = headfi.parse_list_page(page("card-variations.html"), HEAD_FI)
    assert (result.cards, len(result.listings), result.skipped) == (22, 17, 4)


@pytest.mark.parametrize("listing_id", [100901, 100902], ids=["no-title-element", "blank-title"])
def test_card_without_title_is_not_returned(variations: dict[int, Listing], listing_id: int) -> None:
    assert listing_id not in variations


def test_repeated_card_keeps_the_first_one(variations: dict[int, Listing]) -> None:
    assert variations[100001].title == "Sennheiser HD 800 S & Cardas cable"


@pytest.mark.parametrize(
    "href",
    [
        "/classifieds/some-listing/",
        "/classifieds/some-listing.12a/",
        "javascript:void(0)",
        "http://[::1/classifieds/x.5/",
        "/classifieds/x." + "9" * 19 + "/",
        "",
    ],
    ids=["no-id", "letters-after-digits", "javascript", "broken-ipv6-host", "id-too-long", "empty"],
)
def test_card_href_without_usable_id_is_skipped(href: str) -> None:
    result = headfi.parse_list_page(card_page(href=href), HEAD_FI)
    assert (result.listings, result.skipped) == ((), 1)


# URL, id, title, category


@pytest.mark.parametrize(
    ("listing_id", "url"),
    [
        (100001, f"{HEAD_FI}/classifieds/sennheiser-hd-800-s-cardas-cable.100001/"),
        (100002, f"{HEAD_FI}/classifieds/moondrop-variations-iem.100002/"),
        (100401, f"{HEAD_FI}/classifieds/hifiman-susvara.100401/"),
    ],
    ids=["trailing-slash", "no-trailing-slash", "absolute-with-query-and-fragment"],
)
def test_listing_url_is_absolute_with_trailing_slash(
    variations: dict[int, Listing], listing_id: int, url: str
) -> None:
    assert variations[listing_id].url == url


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("/classifieds/x.5", f"{SIMULATOR}/classifieds/x.5/"),
        ("https://www.head-fi.org/classifieds/x.5/", f"{SIMULATOR}/classifieds/x.5/"),
        ("x.5/?page=2#post-1", f"{SIMULATOR}/x.5/"),
    ],
    ids=["site-relative", "other-host", "relative-with-query"],
)
def test_listing_url_is_built_on_the_given_base_url(href: str, url: str) -> None:
    assert only_listing(card_page(href=href), SIMULATOR).url == url


def test_listing_id_is_the_digits_after_the_last_dot() -> None:
    assert only_listing(card_page(href="/classifieds/hd-800.s-mint.31337/")).listing_id == 31337


@pytest.mark.parametrize(
    ("listing_id", "title"),
    [
        (100001, "Sennheiser HD 800 S & Cardas cable"),
        (100002, 'Moondrop "Variations" IEM'),
        (100401, "HiFiMAN Susvara (2023 batch)"),
    ],
    ids=["amp-entity", "quot-entity", "lines-and-inline-markup"],
)
def test_title_is_decoded_and_whitespace_collapsed(
    variations: dict[int, Listing], listing_id: int, title: str
) -> None:
    assert variations[listing_id].title == title


def test_category_is_stored_on_every_listing() -> None:
    result = headfi.parse_list_page(page("category-page-last.html"), HEAD_FI, "full-size")
    assert {listing.category for listing in result.listings} == {"full-size"}


def test_category_not_given_is_null() -> None:
    assert only_listing(card_page()).category is None


# Type, price and currency


@pytest.mark.parametrize(
    ("listing_id", "listing_type"),
    [(100001, "For Sale"), (100002, "For Sale/Trade"), (100003, "Want To Buy"), (100104, None)],
    ids=["for-sale", "for-sale-trade", "want-to-buy", "no-price-block"],
)
def test_listing_type_is_the_price_label(
    variations: dict[int, Listing], listing_id: int, listing_type: str | None
) -> None:
    assert variations[listing_id].listing_type == listing_type


@pytest.mark.parametrize(
    ("listing_id", "price", "currency"),
    [
        (100001, 1299.0, "USD"),
        (100002, 450.0, "EUR"),
        (100003, 300.0, "USD"),
        (100005, 80.0, "GBP"),
    ],
    ids=["thousands-comma-usd", "euro-sign-and-code", "want-to-buy-with-price", "pound-sign-without-code"],
)
def test_price_and_currency_are_read_after_the_label(
    variations: dict[int, Listing], listing_id: int, price: float, currency: str
) -> None:
    assert (variations[listing_id].price, variations[listing_id].currency) == (price, currency)


def test_want_to_buy_without_price_has_null_price(variations: dict[int, Listing]) -> None:
    assert (variations[100004].price, variations[100004].currency) == (None, None)


@pytest.mark.parametrize(
    ("price_text", "price", "currency"),
    [
        ("$1,299.00 USD", 1299.0, "USD"),
        ("$12,345,678.50 USD", 12345678.5, "USD"),
        ("1.299,00 EUR", 1299.0, "EUR"),
        ("450,50 EUR", 450.5, "EUR"),
        ("€450", 450.0, "EUR"),
        ("USD 999", 999.0, "USD"),
        ("CA$120.00", 120.0, "CAD"),
        ("$75", 75.0, "USD"),
        ("250.00", 250.0, None),
    ],
    ids=[
        "comma-thousands", "several-thousands-groups", "dot-thousands-comma-decimals", "comma-decimals",
        "euro-sign-only", "code-before-amount", "canadian-dollar-sign", "dollar-sign-only", "bare-amount",
    ],
)
def test_price_text_parses_to_amount_and_currency(
    price_text: str, price: float, currency: str | None
) -> None:
    label = '<span class="label">For Sale</span>'
    listing = only_listing(card_page(f'<div class="hfcPrice">{label}&nbsp;{price_text}</div>'))
    assert (listing.price, listing.currency) == (price, currency)


@pytest.mark.parametrize(
    "separator",
    ['<span class="label-append">&nbsp;</span>\n          ', "&nbsp;", "\u00a0", " ", "\n\t  ", ""],
    ids=["label-append-and-indent", "nbsp-entity", "nbsp-character", "space", "newline-and-tab", "none"],
)
def test_price_after_any_separator_parses(separator: str) -> None:
    label = '<span class="label">For Sale</span>'
    listing = only_listing(card_page(f'<div class="hfcPrice">\n  {label}{separator}$999.00 USD\n</div>'))
    assert (listing.listing_type, listing.price, listing.currency) == ("For Sale", 999.0, "USD")


# Custom fields


@pytest.mark.parametrize(
    ("field", "value"),
    [("condition", "Excellent/Like new"), ("negotiability", "Or best offer"), ("ships_to", "United States")],
    ids=["condition", "negotiability", "ships-to"],
)
def test_custom_field_is_read_from_its_pair(variations: dict[int, Listing], field: str, value: str) -> None:
    assert getattr(variations[100001], field) == value


def test_custom_fields_are_matched_by_label_not_position(variations: dict[int, Listing]) -> None:
    listing = variations[100003]
    assert (listing.condition, listing.negotiability, listing.ships_to) == ("Good", "Or best offer", "CONUS")


def test_card_without_custom_fields_has_null_condition(variations: dict[int, Listing]) -> None:
    assert variations[100004].condition is None


# Seller


@pytest.mark.parametrize(
    ("listing_id", "seller"),
    [
        (100001, "jay.doe"),
        (100002, "Mr Audio-Phile"),
        (100003, "wtb-hunter"),
        (100301, "Dr. J. Smith-Jones"),
        (100302, "iem_lover"),
    ],
    ids=["dot", "space-and-dash", "no-feedback", "label-in-same-text", "no-space-before-feedback"],
)
def test_seller_name_keeps_dots_spaces_and_dashes(
    variations: dict[int, Listing], listing_id: int, seller: str
) -> None:
    assert variations[listing_id].seller == seller


@pytest.mark.parametrize(
    ("listing_id", "feedback"),
    [(100001, 57), (100002, 3), (100301, 1204), (100302, 0), (100003, None)],
    ids=["separate-span", "plain-text", "thousands-comma", "zero", "absent"],
)
def test_seller_feedback_is_the_number_in_parentheses(
    variations: dict[int, Listing], listing_id: int, feedback: int | None
) -> None:
    assert variations[listing_id].seller_feedback == feedback


def test_card_without_creator_info_has_null_seller(variations: dict[int, Listing]) -> None:
    assert (variations[100102].seller, variations[100102].seller_feedback) == (None, None)


# Dates


@pytest.mark.parametrize(
    ("listing_id", "field", "timestamp"),
    [
        (100001, "listed_at", "2026-01-09T22:03:11+00:00"),
        (100001, "edited_at", "2026-01-10T16:15:00+00:00"),
        (100002, "listed_at", "2026-09-03T02:02:03+00:00"),
        (100003, "listed_at", "2026-01-08T18:45:00+00:00"),
        (100204, "listed_at", "2026-01-05T10:00:00+00:00"),
        (100204, "edited_at", "2026-01-05T10:30:00+00:00"),
    ],
    ids=["xf22-minus0800", "xf22-edited", "xf23-plus0700", "plus0100", "z-suffix", "colon-offset"],
)
def test_time_datetime_is_converted_to_utc(
    variations: dict[int, Listing], listing_id: int, field: str, timestamp: str
) -> None:
    assert getattr(variations[listing_id], field) == timestamp


@pytest.mark.parametrize(
    ("listing_id", "timestamp"),
    [(100201, "2026-09-03T02:02:03+00:00"), (100202, "2026-01-06T17:00:00+00:00")],
    ids=["xf23-data-timestamp", "xf22-data-time-digits"],
)
def test_unusable_datetime_falls_back_to_unix_seconds(
    variations: dict[int, Listing], listing_id: int, timestamp: str
) -> None:
    assert variations[listing_id].listed_at == timestamp


def test_xf23_clock_string_data_time_is_not_read_as_seconds(variations: dict[int, Listing]) -> None:
    assert variations[100203].listed_at is None


def test_card_without_last_edit_date_has_null_edited_at(variations: dict[int, Listing]) -> None:
    assert variations[100002].edited_at is None


@pytest.mark.parametrize(
    "attributes",
    [
        'datetime="2026-01-05T10:00:00"',
        'datetime="0001-01-01T00:00:00+0500"',
        'data-timestamp="999999999999"',
        'data-timestamp="-5"',
        'data-time="1e9"',
        "",
    ],
    ids=[
        "no-offset", "before-year-one-in-utc", "beyond-year-9999", "negative", "float-text", "no-attributes",
    ],
)
def test_time_without_usable_instant_gives_null_date(attributes: str) -> None:
    assert only_listing(time_card(attributes)).listed_at is None


# Status and thumbnail


@pytest.mark.parametrize(
    ("listing_id", "status"),
    [
        (100101, ListingStatus.SOLD),
        (100102, ListingStatus.CLOSED),
        (100103, ListingStatus.TRADED),
        (100104, ListingStatus.CLOSED),
        (100105, ListingStatus.ACTIVE),
        (100001, ListingStatus.ACTIVE),
    ],
    ids=[
        "sold", "closed", "traded-uppercase", "expired-means-closed", "unknown-word-stays-active",
        "no-overlay",
    ],
)
def test_overlay_text_sets_status(
    variations: dict[int, Listing], listing_id: int, status: ListingStatus
) -> None:
    assert variations[listing_id].status is status


@pytest.mark.parametrize(
    ("listing_id", "thumbnail_url"),
    [
        (100001, f"{HEAD_FI}/data/assets/classifieds/thumb/100001.jpg"),
        (100002, f"{HEAD_FI}/data/assets/classifieds/thumb/100002.jpg"),
        (100401, "https://cdn.head-fi.org/thumb/100401.jpg"),
    ],
    ids=["absolute-beside-blur-image", "site-relative", "protocol-relative"],
)
def test_thumbnail_url_is_the_clear_cover_image_made_absolute(
    variations: dict[int, Listing], listing_id: int, thumbnail_url: str
) -> None:
    assert variations[listing_id].thumbnail_url == thumbnail_url


def test_card_without_cover_image_has_null_thumbnail(variations: dict[int, Listing]) -> None:
    assert variations[100003].thumbnail_url is None


# Hostile input

FRAGMENTS = (
    card_page(),
    '<a class="hfcUserListing" href="/classifieds/x.7/">',
    '<a class="hfcUserListing" href="http://[::1/x.8">',
    "</a>",
    '<div class="hfcListingTitle">',
    "</div>",
    '<div class="hfcPrice"><span class="label">For Sale</span>&nbsp;',
    '<div class="hfcCreatorInfo">Listed by: (',
    '<time datetime="',
    '<time data-timestamp="99999999999">',
    '<dl class="pairs"><dt>Ship',
    '<span class="hfcOverlayGlobal--content">',
    '<img class="hfcCoverImage--clear" src="',
    '<a class="pageNav-jump--next" href="',
    '<link rel="canonical" href="',
    '<link rel="canonical" href="/classifieds/x.9/">',
    '<h1 class="p-title-value head-fi_generic_page_title">',
    "Sold: ",
    '<ul class="p-breadcrumbs"><li><a href="/classifieds/categories/',
    'daps.10/">',
    "<!--",
    "-->",
    "<",
    ">",
    '"',
    "&nbsp;",
    "&#",
    "\u00a0",
    "\x00",
    "9" * 40,
    ".",
    ",",
    "$",
)

TEXT_OR_FRAGMENTS = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=10)), max_size=40).map("".join),
)


@st.composite
def mangled_fixtures(draw: st.DrawFn, names: tuple[str, ...] = FIXTURES) -> str:
    """A fixture page after a few random slices, deletions, tag removals and insertions."""
    text = page(draw(st.sampled_from(names)))
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        action = draw(st.sampled_from(["slice", "delete", "drop-tag", "insert"]))
        if action == "slice":
            text = text[start:end]
        elif action == "delete":
            text = text[:start] + text[start + (end - start) % 500 :]
        elif action == "drop-tag":
            text = _without_next_tag(text, start)
        else:
            text = text[:start] + draw(st.sampled_from(FRAGMENTS)) + text[start:]
    return text


def _without_next_tag(text: str, start: int) -> str:
    opening = text.find("<", start)
    closing = text.find(">", opening) if opening != -1 else -1
    return text if closing == -1 else text[:opening] + text[closing + 1 :]


def assert_well_formed(result: headfi.ParseResult) -> None:
    for listing in result.listings:
        assert isinstance(listing.listing_id, int)
        assert listing.title.strip()
        assert listing.url.startswith(SIMULATOR + "/")
    assert len(result.listings) + result.skipped <= result.cards
    assert all(0.0 <= rate <= 1.0 for rate in result.field_rates.values())


@pytest.mark.parametrize(
    "html",
    [
        "\ud800<a class='hfcUserListing' href='/x.1'><div class='hfcListingTitle'>t\udfff</div></a>",
        "\x00" * 100,
        # lexbor's tree building is quadratic in nesting depth, so 5,000 levels is deep but quick.
        "<div>" * 5_000 + card_page() + "<b>" * 5_000,
        card_page() * 2_000,
        card_page(f'<div class="hfcPrice">$1{"9" * 400}.00 USD</div>'),
        card_page('<div class="hfcCreatorInfo">Listed by: x (' + "1" * 5_000 + ")</div>"),
        "<a class=hfcUserListing href>",
    ],
    ids=[
        "lone-surrogates", "nul-bytes", "deep-nesting", "many-cards", "huge-price", "huge-feedback",
        "bare-href",
    ],
)
def test_hostile_input_parses_without_raising(html: str) -> None:
    assert_well_formed(headfi.parse_list_page(html, SIMULATOR))


@settings(max_examples=200, deadline=None)
@given(TEXT_OR_FRAGMENTS)
def test_arbitrary_text_never_raises_and_listings_are_well_formed(html: str) -> None:
    assert_well_formed(headfi.parse_list_page(html, SIMULATOR))


@settings(max_examples=200, deadline=None)
@given(mangled_fixtures())
def test_mangled_fixtures_never_raise_and_listings_are_well_formed(html: str) -> None:
    assert_well_formed(headfi.parse_list_page(html, SIMULATOR))


@settings(max_examples=200, deadline=None)
@given(TEXT_OR_FRAGMENTS)
def test_layout_check_judges_any_parse_without_raising(html: str) -> None:
    result = headfi.parse_list_page(html, SIMULATOR)
    problem = layout_check.find_layout_problem(result, layout_check.baseline_rates([]))
    assert problem is None or problem.strip()


def assert_listing_page_well_formed(found: listing_page.ListingPage) -> None:
    if found.listing is not None:
        assert isinstance(found.listing.listing_id, int)
        assert found.listing.title.strip() and found.listing.title == found.title
        assert found.listing.url.startswith(SIMULATOR + "/classifieds/")
        assert found.listing.category == found.category
    assert found.category is None or found.category.strip()


@settings(max_examples=200, deadline=None)
@given(TEXT_OR_FRAGMENTS)
def test_listing_page_parser_never_raises_on_arbitrary_text(html: str) -> None:
    assert_listing_page_well_formed(listing_page.parse_listing_page(html, SIMULATOR))


@settings(max_examples=200, deadline=None)
@given(mangled_fixtures(LISTING_FIXTURES))
def test_listing_page_parser_never_raises_on_mangled_pages(html: str) -> None:
    assert_listing_page_well_formed(listing_page.parse_listing_page(html, SIMULATOR))
