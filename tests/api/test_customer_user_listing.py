"""customerUsers as a plain listing: code point order, stable cursors, the validity filter and
totalCount, page sizes, garbage cursors, a cost that does not grow with the page, and lists of
plain fields read as each item would.

Tests that compare exact listings run on a fresh database (``make_api``); SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.api.customer_users_helpers import LIST, assert_clean_failure, create_ok
from tests.checks import at_one_cost, b64
from tests.conftest import Api, MakeApi
from tests.factories import new_customer

# ---- listing ------------------------------------------------------------------------------


async def test_listing_pages_in_code_point_order_without_gaps(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    logins = [
        "alpha",
        "Alpha2",
        "ALPHA3",
        "beta",
        "Zulu",
        "zulu2",
        "_under",
        "0zero",
        "9nine",
        "ärger",
        "Ärger2",
        "zebra",
        "Émile",
        "émile2",
        "~tilde",
        "a-b",
        "a_b",
        "a.b",
        "aa",
        "AA2",
        "b",
        "B2",
        "カス",
        "😀smile",
        "mid",
    ]
    assert len(logins) == 25
    for login in logins:
        await create_ok(fresh, cid, login=login)

    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        conn = (await fresh.gql(LIST, {"first": 10, "after": after})).data["customerUsers"]
        pages += 1
        assert conn["totalCount"] == 25
        assert conn["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert [e["cursor"] for e in conn["edges"]][-1:] == [conn["pageInfo"]["endCursor"]]
        seen += [n["login"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        assert len(conn["nodes"]) == 10
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert seen == sorted(logins)  # Python's str order is code point order


async def test_listing_is_stable_when_users_are_added_between_pages(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    for i in range(6):
        await create_ok(fresh, cid, login=f"user{i * 2}")  # user0 user2 ... user10
    first = (await fresh.gql(LIST, {"first": 3})).data["customerUsers"]
    assert [n["login"] for n in first["nodes"]] == ["user0", "user10", "user2"]
    await create_ok(fresh, cid, login="user1")  # sorts before the cursor
    await create_ok(fresh, cid, login="user9")  # sorts after it
    rest = (await fresh.gql(LIST, {"first": 100, "after": first["pageInfo"]["endCursor"]})).data[
        "customerUsers"
    ]
    assert [n["login"] for n in rest["nodes"]] == ["user4", "user6", "user8", "user9"]


async def test_total_count_counts_valid_users_by_default(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    for validity in ("VALID", "VALID", "VALID", "INVALID", "INVALID_TEMPORARILY"):
        await create_ok(fresh, cid, validity=validity)
    default = (await fresh.gql(LIST, {"first": 100})).data["customerUsers"]
    assert default["totalCount"] == 3
    assert {n["validity"] for n in default["nodes"]} == {"VALID"}
    assert len(default["nodes"]) == 3
    for valid in (False, None):
        everything = (await fresh.gql(LIST, {"first": 100, "valid": valid})).data["customerUsers"]
        assert everything["totalCount"] == 5
        assert len(everything["nodes"]) == 5
    only_valid = (await fresh.gql(LIST, {"first": 100, "valid": True})).data["customerUsers"]
    assert only_valid["totalCount"] == 3


async def test_listing_first_zero_and_max(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    await create_ok(fresh, cid)
    zero = (await fresh.gql(LIST, {"first": 0})).data["customerUsers"]
    assert zero["nodes"] == []
    assert zero["totalCount"] == 1
    assert zero["pageInfo"]["endCursor"] is None
    full = (await fresh.gql(LIST, {"first": 1000})).data["customerUsers"]
    assert len(full["nodes"]) == 1
    assert full["pageInfo"]["hasNextPage"] is False


async def test_listing_first_zero_still_says_more_follow(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    await create_ok(fresh, cid)
    zero = (await fresh.gql(LIST, {"first": 0})).data["customerUsers"]
    assert zero["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [1001, 10_000, 2**31 - 1, -1])
async def test_listing_first_out_of_range_is_bad_user_input(api: Api, first: int) -> None:
    r = await api.gql(LIST, {"first": first})
    assert_clean_failure(r)
    assert r.error_codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "after",
    [
        "garbage",
        "!!!",
        "",
        b64("not json"),
        b64('{"k": [], "p": 1}'),
        b64('{"k": ["a"], "p": -1}'),
        b64('{"k": ["a", "b"], "p": 1}'),
        b64('{"k": [{"x": 1}], "p": 1}'),
        b64("[1, 2]"),
        "x" * 100_000,
    ],
    ids=lambda v: repr(v)[:30],
)
async def test_garbage_cursor_is_bad_user_input(api: Api, after: str) -> None:
    r = await api.gql(LIST, {"first": 5, "after": after})
    assert_clean_failure(r)
    assert r.error_codes == ["BAD_USER_INPUT"]


async def test_listing_cost_does_not_grow_with_the_page(make_api: MakeApi) -> None:
    fresh = await make_api()
    customers = [await new_customer(fresh) for _ in range(5)]
    expected: dict[str, str] = {}
    for i in range(50):
        cid = customers[i % 5]
        user = await create_ok(fresh, cid, login=f"n{i:02d}")
        expected[user["login"]] = f"Company {cid}"
    query = "query($n: Int!) { customerUsers(first: $n) { nodes { login customer { name } } } }"
    small, large = await at_one_cost(fresh, query, {"n": 5}, {"n": 50})
    for r, n in ((small, 5), (large, 50)):
        nodes = r.data["customerUsers"]["nodes"]
        assert len(nodes) == n
        assert all(node["customer"]["name"] == expected[node["login"]] for node in nodes)
    assert small.statements > 0

    audited = (
        "query($n: Int!) { customerUsers(first: $n) { totalCount nodes { login createdBy"
        " changedBy customer { name createdBy } } } }"
    )
    await at_one_cost(fresh, audited, {"n": 5}, {"n": 50})


# ---- lists of plain fields (completed in one loop by schema.flat_lists) ---------------------


async def test_a_list_of_plain_fields_reads_as_each_item_would(api: Api) -> None:
    """``nodes`` with only plain fields takes the one-loop path; ``edges { node }`` takes
    graphql-core's: aliases, ``__typename``, repeated fields and ``@include`` must agree."""
    cid = await new_customer(api)
    for _ in range(3):
        await create_ok(api, cid, title=None)
    fields = """__typename login first: firstName email title validity customerId
        again: login skipped: email @include(if: false) login"""
    query = f"""{{ a: customerUsers(customerIdExact: "{cid}") {{ nodes {{ {fields} }} }}
        b: customerUsers(customerIdExact: "{cid}") {{ edges {{ node {{ {fields} }} }} }} }}"""
    data = await api.data(query)
    nodes = data["a"]["nodes"]
    assert len(nodes) == 3
    assert nodes == [edge["node"] for edge in data["b"]["edges"]]
    first = nodes[0]
    assert list(first) == [
        "__typename", "login", "first", "email", "title", "validity", "customerId", "again"
    ]  # fmt: skip
    assert first["__typename"] == "CustomerUser"
    assert first["again"] == first["login"]
    assert first["title"] is None
    assert first["validity"] == "VALID"
    assert first["customerId"] == cid
