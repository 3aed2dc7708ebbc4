"""customerUsers search limits: search_list_limit (the result is cut, across pages), the length
and control characters a search value may have, SQL/GLOB/LIKE specials taken literally, and a
statement count that does not grow with the result.

Runs on SQLite and PostgreSQL, against the read-only ``search_world`` or a fresh app.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api.customer_user_search_helpers import (
    ALL_USERS,
    VALID_USERS,
    all_pages,
    assert_bad_user_input,
    assert_clean_ok,
    backend,
    connection,
    found,
    new_user,
    page_logins,
    run,
    small_world,
)
from tests.checks import at_one_cost
from tests.conftest import Api, MakeApi
from tests.factories import new_customer

# ---- the list limit -----------------------------------------------------------------------


async def limited_api(make_api: MakeApi) -> Api:
    """search_list_limit 5; 8 users match `lim`, 5 of them are customer `five`, 2 don't."""
    fresh = await make_api(**backend(search_list_limit=5))
    await new_customer(fresh, "five")
    await new_customer(fresh, "three")
    await new_customer(fresh, "other")
    for i in range(8):
        await new_user(fresh, f"lim{i}", "Lim", f"User{i}", "five" if i < 5 else "three")
    await new_user(fresh, "zed", "Zed", "Nobody", "other")
    await new_user(fresh, "zora", "Zora", "Nobody", "other")
    return fresh


async def test_search_stops_at_the_list_limit_across_pages(make_api: MakeApi) -> None:
    # §3.7 / OTOBO T67 (Limit 3 gives 3 logins): the result is cut at search_list_limit.
    fresh = await limited_api(make_api)
    pages = await all_pages(fresh, 2, search="lim")
    result = page_logins(pages)
    assert result == ["lim0", "lim1", "lim2", "lim3", "lim4"]
    for page in pages:
        assert page["limitReached"] is True
        assert page["totalCount"] == 5
    assert [len(p["nodes"]) for p in pages if p["nodes"]] == [2, 2, 1]
    # One page that asks for more than the limit gets the limit.
    conn = await connection(fresh, search="lim", first=100)
    assert [n["login"] for n in conn["nodes"]] == result
    assert conn["limitReached"] is True
    assert conn["totalCount"] == 5


async def test_page_ending_at_the_list_limit_has_no_next_page(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    pages = await all_pages(fresh, 2, search="lim")
    assert [len(p["nodes"]) for p in pages] == [2, 2, 1]
    assert pages[-1]["pageInfo"]["hasNextPage"] is False
    # One page that asks for more than the limit gets all of it, and nothing follows.
    conn = await connection(fresh, search="lim", first=100)
    assert len(conn["nodes"]) == 5
    assert conn["pageInfo"]["hasNextPage"] is False


async def test_limit_not_reached_when_exactly_the_limit_matches(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    conn = await connection(fresh, customerId="five")
    assert [n["login"] for n in conn["nodes"]] == ["lim0", "lim1", "lim2", "lim3", "lim4"]
    assert conn["limitReached"] is False
    assert conn["totalCount"] == 5
    pages = await all_pages(fresh, 2, customerId="five")
    assert page_logins(pages) == ["lim0", "lim1", "lim2", "lim3", "lim4"]
    assert all(p["limitReached"] is False for p in pages)
    # Fewer than the limit: also not reached.
    small = await connection(fresh, customerId="three")
    assert small["limitReached"] is False
    assert small["totalCount"] == 3


async def test_every_criterion_is_capped(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    for arguments in ({"login": "lim"}, {"customerId": "*"}, {"search": "*"}):
        conn = await connection(fresh, **arguments)
        assert len(conn["nodes"]) == 5, arguments
        assert conn["limitReached"] is True, arguments
        assert conn["totalCount"] == 5, arguments


async def test_plain_listing_is_not_capped(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    for arguments in ({}, {"valid": False}, {"orderBy": {"field": "LAST_NAME"}}):
        conn = await connection(fresh, **arguments)
        assert len(conn["nodes"]) == 10, arguments
        assert conn["totalCount"] == 10, arguments
        assert conn["limitReached"] is False, arguments
    pages = await all_pages(fresh, 3)
    assert len(page_logins(pages)) == 10
    assert all(p["limitReached"] is False for p in pages)


# ---- bad input ----------------------------------------------------------------------------

ARGUMENTS = ["search", "login", "email", "customerId", "customerIdExact"]


@pytest.mark.parametrize("argument", ARGUMENTS)
@pytest.mark.parametrize(
    "value",
    [
        "x" * 10_000,
        "j" * 1001,
        "jo\x00hn",
        "\x00",
        "jo\x01hn",
        "jo\x1bhn",
        "jo\nhn",
        "jo\rhn",
        "jo\x7fhn",
        "jo\x08hn",
    ],
    ids=["10000-chars", "1001-chars", "nul", "only-nul", "soh", "esc", "lf", "cr", "del", "bs"],
)
async def test_long_or_control_character_values_are_bad_user_input(
    search_world: Api, argument: str, value: str
) -> None:
    assert_bad_user_input(await run(search_world, **{argument: value}), argument)


@pytest.mark.parametrize("argument", ARGUMENTS)
async def test_longest_accepted_value_works(search_world: Api, argument: str) -> None:
    assert assert_clean_ok(await run(search_world, **{argument: "j" * 1000})) == []


async def test_too_many_words_is_bad_user_input(search_world: Api) -> None:
    words = [f"w{i}" for i in range(40)]
    assert assert_clean_ok(await run(search_world, search="+".join(words[:32]))) == []
    assert_bad_user_input(await run(search_world, search="+".join(words[:33])), "search")
    assert_bad_user_input(await run(search_world, search=" OR ".join(words[:33])), "search")
    assert_bad_user_input(
        await run(search_world, search="+".join(f"!{w}" for w in words)), "search"
    )
    # Spaces do not split words, so 40 space-separated words are one (literal) word.
    assert assert_clean_ok(await run(search_world, search=" ".join(words))) == []


@pytest.mark.parametrize("argument", ARGUMENTS)
@pytest.mark.parametrize(
    "value",
    [
        "'; DROP TABLE customer_user; --",
        "' OR '1'='1",
        "%' OR 1=1 --",
        '"; DELETE FROM customer_user; --',
        "john'--",
        "\\'",
        "/",
        "//%",
        "[a-z]*",
        "?",
        "$1",
        ":login",
    ],
)
async def test_sql_metacharacters_are_literal(search_world: Api, argument: str, value: str) -> None:
    assert assert_clean_ok(await run(search_world, **{argument: value})) == []


async def test_sql_injection_leaves_the_table_intact(search_world: Api) -> None:
    for argument in ARGUMENTS:
        r = await run(search_world, **{argument: "'; DROP TABLE customer_user; --"})
        assert assert_clean_ok(r) == []
    async with search_world.storage.engine.connect() as conn:
        count = (await conn.execute(sa.text("SELECT count(*) FROM customer_user"))).scalar_one()
    assert count == len(ALL_USERS)
    assert await found(search_world, search="*") == VALID_USERS


@pytest.mark.parametrize("argument", ["search", "login", "customerId"])
async def test_glob_and_like_specials_are_literal(search_world: Api, argument: str) -> None:
    # SQLite's case-sensitive path uses GLOB; LIKE uses `/` as escape: none may leak.
    for value in ("[", "]", "?", "/", "[j]ohn", "j?hn"):
        assert assert_clean_ok(await run(search_world, **{argument: value})) == [], value


@pytest.mark.parametrize("term", ["[j]*", "j?hn", "/", "//", "/%"])
async def test_glob_and_like_specials_are_literal_when_case_sensitive(
    make_api: MakeApi, term: str
) -> None:
    fresh = await make_api(**backend(search_case_sensitive=True))
    await small_world(fresh)
    assert await found(fresh, search=term) == set()
    assert await found(fresh, login=term) == set()
    assert await found(fresh, customerIdExact=term) == set()


# ---- cost ---------------------------------------------------------------------------------


async def test_statement_count_does_not_grow_with_the_result(make_api: MakeApi) -> None:
    fresh = await make_api()
    customers = [f"cost{i}" for i in range(5)]
    for customer_id in customers:
        await new_customer(fresh, customer_id)
    for i in range(50):
        first = "Fivefold" if i < 5 else "Other"
        await new_user(fresh, f"s{i:02d}", first, "Searchable", customers[i % 5])
    query = (
        "query($s: String!, $n: Int!) { customerUsers(search: $s, first: $n) {"
        " totalCount limitReached nodes { login customer { customerId name } } } }"
    )
    five, fifty, first_five = await at_one_cost(
        fresh,
        query,
        {"s": "fivefold", "n": 50},
        {"s": "searchable", "n": 50},
        {"s": "searchable", "n": 5},
    )
    for r, n in ((five, 5), (fifty, 50), (first_five, 5)):
        nodes = r.data["customerUsers"]["nodes"]
        assert len(nodes) == n
        assert r.data["customerUsers"]["totalCount"] == (5 if r is five else 50)
        for node in nodes:
            number = int(node["login"][1:])
            assert node["customer"] == {
                "customerId": customers[number % 5],
                "name": f"Company {customers[number % 5]}",
            }
    assert five.statements > 0
    # The same under an ordering and combined criteria.
    ordered = (
        'query($s: String!, $n: Int!) { customerUsers(search: $s, login: "s", first: $n,'
        " orderBy: {field: CUSTOMER_ID, direction: DESC}) {"
        " totalCount nodes { login customer { name } } } }"
    )
    small, large = await at_one_cost(
        fresh, ordered, {"s": "fivefold", "n": 50}, {"s": "searchable", "n": 50}
    )
    assert len(small.data["customerUsers"]["nodes"]) == 5
    assert len(large.data["customerUsers"]["nodes"]) == 50
