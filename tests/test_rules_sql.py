"""The DuckDB condition gives the same answers as the Python predicate, on a real listings table."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiowatch.listing import Listing
from audiowatch.rules import nodes, sql
from audiowatch.rules import text as rules_text
from audiowatch.rules.compile import compile_expression
from audiowatch.rules.grammar import parse_expression
from audiowatch.store import database, listings, search
from tests.support.listings import make_listing
from tests.support.rule_strategies import NOW, listing_batches, trees_for


@pytest.fixture(scope="module")
def memory() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory database for the module; each example empties it first."""
    connection = duckdb.connect()
    database.migrate(connection)
    yield connection
    connection.close()


def store(connection: duckdb.DuckDBPyConnection, batch: list[Listing]) -> None:
    with database.transaction(connection):
        connection.execute("DELETE FROM listings")
        connection.execute("DELETE FROM listing_history")
        listings.upsert_listings(connection, batch, NOW, "test")


def python_ids(node: nodes.Node, batch: list[Listing]) -> list[int]:
    predicate = compile_expression(node)
    return sorted(listing.listing_id for listing in batch if predicate(listing, NOW))


@settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=listing_batches, data=st.data())
def test_sql_condition_agrees_with_the_predicate_on_random_rules_and_listings(
    memory: duckdb.DuckDBPyConnection, batch: list[Listing], data: st.DataObject
) -> None:
    tree = data.draw(trees_for(batch), label="tree")
    store(memory, batch)
    # The rows read back are the listings the predicate judges: the store changes nothing rules see.
    assert listings.load_listings(memory, [listing.listing_id for listing in batch]) == {
        listing.listing_id: listing for listing in batch
    }
    condition = sql.translate(tree)
    expected = python_ids(tree, batch)
    assert search.matching_ids(memory, condition, NOW) == expected
    # Stored once at NOW, a listing as first seen is the listing now, judged at NOW.
    assert search.matching_ids_as_first_seen(memory, condition) == expected


def test_fold_agrees_with_duckdb_lower_on_every_code_point() -> None:
    characters = [chr(code) for code in range(1, 0x110000) if not 0xD800 <= code <= 0xDFFF]
    connection = duckdb.connect()
    rows = connection.execute("SELECT lower(unnest(?::VARCHAR[]))", [characters]).fetchall()
    differing = [hex(ord(character)) for character, (lowered,) in zip(characters, rows, strict=True)
                 if rules_text.fold(character) != lowered]
    assert differing == []


@pytest.mark.parametrize(
    "rule",
    [
        "title contains \"'; DROP TABLE listings; --\"",
        'seller = "x\\" OR 1=1 --"',
        "title matches \"'\"",
        'title in ["a\'", "b"]',
    ],
    ids=["quote-and-drop", "escaped-quote", "regex-quote", "list-quote"],
)
def test_user_text_is_bound_as_a_parameter_never_written_into_sql(
    memory: duckdb.DuckDBPyConnection, rule: str
) -> None:
    condition = sql.translate(parse_expression(rule))
    assert "'" not in condition.clause and "--" not in condition.clause
    store(memory, [make_listing(1, title="x'; DROP TABLE listings; --")])
    search.matching_ids(memory, condition, NOW)
    assert listings.count_listings(memory) == 1


def test_condition_names_only_known_fields() -> None:
    condition = sql.translate(parse_expression('title has "HD800" AND price between 1 and 2 OR age_hours < 5'))
    assert condition.clause.count('"title"') == 1
    assert condition.params == (rules_text.has_pattern("HD800"), 1.0, 2.0, 5.0)


def test_condition_refuses_a_field_outside_the_closed_set() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        sql.translate(nodes.Comparison('title" OR 1=1 --', nodes.Operator.EQUALS, "x", 1))


FIXED_BATCH = [
    make_listing(1, title="Sennheiser HD800 S - mint", price=949.5, seller="Audio.Fan-42", seller_feedback=17),
    make_listing(2, title="HD 800, hd-800 pads", price=None, listing_type="Want To Buy", seller=None),
    make_listing(3, title="Focal UTOPIA (2022)", price=2899.0, currency="EUR", listed_at=None),
    make_listing(4, title="İSTANBUL HD8000 ÉCOUTE", price=150.0, seller_feedback=None, category=None),
]
EVERY_OPERATOR_RULES = [
    'title contains "hd 800"', 'title has "HD800"', 'title has "utopia"', 'title has "istanbul"',
    'title startswith "SENN"', 'title endswith "PADS"', 'title endswith "(2022)"', 'title matches "HD ?800"',
    r'title matches "\p{Lu}{6}"', 'seller = "audio.fan-42"', 'seller != "AUDIO.FAN-42"',
    'listing_type in ["WANT TO BUY", "for sale/trade"]', 'category in ["FULL-SIZE"]', 'currency != "usd"',
    "price = 949.5", "price != 150", "price < 949.5", "price <= 949.5", "price > 150", "price >= 150",
    "price in [150, 2899]", "price between 150 and 949.5", "seller_feedback between 0 and 17",
    "age_hours < 100000", "age_hours != 3", 'listed_at startswith "2026-11-27T10"', 'NOT edited_at = "x"',
]  # fmt: skip


@pytest.mark.parametrize("rule", EVERY_OPERATOR_RULES, ids=EVERY_OPERATOR_RULES)
def test_sql_condition_agrees_with_the_predicate_on_each_operator(
    memory: duckdb.DuckDBPyConnection, rule: str
) -> None:
    tree = parse_expression(rule)
    store(memory, FIXED_BATCH)
    assert search.matching_ids(memory, sql.translate(tree), NOW) == python_ids(tree, FIXED_BATCH)


def test_every_operator_is_in_the_sql_agreement_table() -> None:
    used = {node.operator for node in map(parse_expression, EVERY_OPERATOR_RULES) if isinstance(node, nodes.Comparison)}
    assert used == set(nodes.Operator)
