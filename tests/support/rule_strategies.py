"""Hypothesis strategies: random rule trees and listings drawn so that they often meet.

Values come from small shared pools (model names written several ways, prices at the edges of the
numbers rules use, times whole hours from NOW) mixed with arbitrary text and numbers, so equality,
boundaries, case and missing values are all exercised, not only "no match".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from audiowatch.listing import Listing, ListingStatus
from audiowatch.rules import nodes
from audiowatch.rules import text as rules_text
from audiowatch.rules.compile import read_age_hours

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

TEXTS = [
    "HD800", "HD 800", "hd-800", "HD800S", "HD8000", "Sennheiser HD800 S - mint", "Focal Utopia", "Utopia",
    "ÉCOUTE", "écoute", "Straße", "STRASSE", "İstanbul", "istanbul", "WTB: Moondrop", "For Sale", "for sale",
    "For Sale/Trade", "Want To Buy", "active", "sold", "", " ", "a\nb", "100%", "_x_", "ǅ", "ﬁ", "Ω", "x–y",
    "HD\u00a0800", "2026-11", "+00:00", "T11", "full-size", "USD", "[a]", "(?i)", "\\d", "'\"",
]  # fmt: skip
REGEXES = [
    "hd ?8[05]0", "^sennheiser", "utopia$", r"\d{3}", "a|b", "[[:alpha:]]+", "é", r"\bhd", ".", "^$", r"\p{Lu}",
    "(?-i)HD", r"\s", "T1[0-2]:", "s$", "ǆ",
]  # fmt: skip
NUMBERS = [0.0, 1.0, 12.0, 17.0, 150.0, 299.99, 300.0, 949.5, 1000.0, -5.0, 1e15, 2.0**53 + 2, 100001.0, 0.5]

_characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
texts = st.one_of(
    st.sampled_from(TEXTS),
    st.text(_characters, max_size=8),
    st.lists(st.sampled_from(TEXTS), min_size=2, max_size=3).map(" ".join),
    st.builds(lambda a, b: a + b, st.sampled_from(TEXTS), st.text(_characters, max_size=3)),
)
numbers = st.one_of(
    st.sampled_from(NUMBERS), st.floats(allow_nan=False, allow_infinity=False), st.integers(-10, 2000).map(float)
)
has_terms = st.one_of(st.sampled_from(TEXTS), st.text(_characters, min_size=1, max_size=4)).filter(
    lambda term: bool(rules_text.has_term_characters(term))
)


class _Pools:
    """Constants for rules: the fixed pools, plus each field's values in the listings a rule will judge.

    A plain class, not a dataclass: Hypothesis prints a dataclass argument field by field, and the
    full pools would make a repr big enough to warn about.
    """

    def __init__(self, texts: dict[str, st.SearchStrategy[str]], numbers: dict[str, st.SearchStrategy[float]]):
        self.texts = texts
        self.numbers = numbers

    def __repr__(self) -> str:
        return "_Pools(...)"


def _pieces(value: str) -> list[str]:
    """Parts of a listing's text a rule might name: itself, a prefix, a suffix, a middle, recased."""
    half = len(value) // 2
    return [value, value[:half], value[half:], value[1:-1], value.upper(), value.lower(), *value.split()]


def _field_values(batch: list[Listing], field: str) -> list[object]:
    if field == nodes.AGE_HOURS:
        return [read_age_hours(listing, NOW) for listing in batch]
    return [getattr(listing, field) for listing in batch]


def _pools(batch: list[Listing]) -> _Pools:
    text_pools: dict[str, st.SearchStrategy[str]] = {}
    number_pools: dict[str, st.SearchStrategy[float]] = {}
    for field, kind in nodes.FIELDS.items():
        values = [value for value in _field_values(batch, field) if value is not None]
        if kind is nodes.FieldKind.TEXT:
            pieces = sorted({piece for value in values for piece in _pieces(str(value))})
            text_pools[field] = st.one_of(st.sampled_from(pieces), texts) if pieces else texts
        else:
            nearby = sorted({float(value) + step for value in values for step in (0.0, -0.5, 0.5)})  # type: ignore[arg-type]
            number_pools[field] = st.one_of(st.sampled_from(nearby), numbers) if nearby else numbers
    return _Pools(text_pools, number_pools)


def _text_value(operator: nodes.Operator, pool: st.SearchStrategy[str]) -> st.SearchStrategy[nodes.Value]:
    match operator:
        case nodes.Operator.HAS:
            return st.one_of(pool, has_terms).filter(lambda term: bool(rules_text.has_term_characters(term)))
        case nodes.Operator.MATCHES:
            return st.one_of(pool.map(rules_text.escape_regex), st.sampled_from(REGEXES))
        case nodes.Operator.IN:
            return st.lists(pool, min_size=1, max_size=3).map(tuple)
        case _:
            return pool


def _number_value(operator: nodes.Operator, pool: st.SearchStrategy[float]) -> st.SearchStrategy[nodes.Value]:
    match operator:
        case nodes.Operator.IN:
            return st.lists(pool, min_size=1, max_size=3).map(tuple)
        case nodes.Operator.BETWEEN:
            return st.lists(pool, min_size=2, max_size=2).map(lambda pair: (min(pair), max(pair)))
        case _:
            return pool


@st.composite
def _comparisons(draw: st.DrawFn, pools: _Pools) -> nodes.Comparison:
    field = draw(st.sampled_from(sorted(nodes.FIELDS)))
    kind = nodes.FIELDS[field]
    operator = draw(st.sampled_from(nodes.OPERATORS_BY_KIND[kind]))
    if kind is nodes.FieldKind.TEXT:
        value = draw(_text_value(operator, pools.texts[field]))
    else:
        value = draw(_number_value(operator, pools.numbers[field]))
    return nodes.Comparison(field, operator, value, 1)


def _combine(children: st.SearchStrategy[nodes.Node]) -> st.SearchStrategy[nodes.Node]:
    pairs = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(pairs.map(nodes.And), pairs.map(nodes.Or), children.map(nodes.Not))


def trees_for(batch: list[Listing]) -> st.SearchStrategy[nodes.Node]:
    """Random rule trees whose constants are often taken from ``batch``, so they meet its listings."""
    return st.recursive(_comparisons(_pools(batch)), _combine, max_leaves=6)


trees: st.SearchStrategy[nodes.Node] = trees_for([])

_times = st.one_of(
    st.integers(-48, 24 * 400).map(lambda hours: NOW - timedelta(hours=hours)),
    st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
)
iso_times = _times.map(lambda moment: moment.isoformat())


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), strategy)


@st.composite
def listings(draw: st.DrawFn, listing_id: int) -> Listing:
    return Listing(
        listing_id=listing_id,
        url=f"https://www.head-fi.org/classifieds/{draw(st.sampled_from(['hd800', 'utopia', 'x']))}.{listing_id}/",
        title=draw(texts),
        listing_type=draw(_maybe(st.sampled_from(["For Sale", "For Sale/Trade", "Want To Buy"]) | texts)),
        price=draw(_maybe(numbers)),
        currency=draw(_maybe(st.sampled_from(["USD", "EUR", "GBP"]))),
        condition=draw(_maybe(texts)),
        negotiability=draw(_maybe(st.sampled_from(["Firm", "Or best offer"]))),
        ships_to=draw(_maybe(texts)),
        seller=draw(_maybe(texts)),
        seller_feedback=draw(_maybe(st.one_of(st.sampled_from([0, 1, 17, 300]), st.integers(-(2**31), 2**31 - 1)))),
        listed_at=draw(_maybe(iso_times)),
        edited_at=draw(_maybe(iso_times)),
        status=draw(st.sampled_from(ListingStatus)),
        thumbnail_url=draw(_maybe(texts)),
        category=draw(_maybe(st.sampled_from(["full-size", "dacs", "in-ear-monitors"]) | texts)),
    )


listing_batches: st.SearchStrategy[list[Listing]] = st.integers(1, 8).flatmap(
    lambda count: st.tuples(*(listings(100001 + index) for index in range(count))).map(list)
)
