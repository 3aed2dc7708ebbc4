"""Query cost (``schema/query_cost.py``) and the linear depth/alias limits
(``schema/limit_rules.py``), on SQLite and PostgreSQL, on both execution paths: each query is
sent twice, the first time through Strawberry, the second straight to the executor
(``schema/direct_execution.py``), and must be answered the same both times."""

from __future__ import annotations

import time
from typing import Any

from tests.api.auth_helpers import create_customer, create_user
from tests.checks import baseline_statements
from tests.conftest import Api, GraphQLResponse, MakeApi

MAXIMUM = 1_000_000  # server.max_query_cost's default

# The issue's query: four nested pages of 1000, 10^12 objects asked for in 192 bytes.
ISSUE_QUERY = (
    "{customers(first:1000){nodes{customerUsers(first:1000){nodes{login customer{"
    "customerUsers(first:1000){nodes{login customer{customerUsers(first:1000){nodes{login "
    "customer{customerId}}}}}}}}}}}}"
)
TWO_LEVELS = "customers(first:1000){nodes{customerUsers(first:1000){nodes{login}}}}"


async def twice(
    api: Api, query: str, variables: dict[str, Any] | None = None, key: str = "admin"
) -> list[GraphQLResponse]:
    """Both answers to ``query``: through Strawberry (first), then the direct path."""
    payload = {"query": query, "variables": variables or {}}
    first = await api.post(payload, key=key)
    second = await api.post(payload, key=key)
    assert (second.status, second.body) == (first.status, first.body)
    return [first, second]


def assert_too_costly(r: GraphQLResponse, cost: int, maximum: int = MAXIMUM) -> None:
    assert r.status == 200, r.body
    assert r.body.get("data") is None, r.body
    assert r.error_codes == ["QUERY_TOO_COSTLY"], r.body
    error = r.errors[0]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": cost,
        "maximumCost": maximum,
    }
    assert str(cost) in error["message"], error
    assert str(maximum) in error["message"], error
    assert "extensions" not in r.body  # no cost reported for a refused query


def cost_of(r: GraphQLResponse, maximum: int = MAXIMUM) -> int:
    assert "errors" not in r.body, r.body
    extensions = r.body["extensions"]
    assert extensions["cost"]["maximum"] == maximum, extensions
    return extensions["cost"]["requested"]  # type: ignore[no-any-return]


NOT_A_HANG = 15.0
"""Seconds. Not a speed target (speed is measured in bench/): linear work answers these in
milliseconds, while the exponential walks this guards against (2^30 and more fragment spreads,
four nested pages of 1000) take minutes to hours. Generous, so a loaded machine never trips it."""


async def test_the_issue_query_is_refused_before_it_runs(api: Api) -> None:
    customer = await create_customer(api)
    await create_user(api, customer["customerId"])
    baseline = await baseline_statements(api, key="read")
    for r in await twice(api, ISSUE_QUERY, key="read"):
        # 1 + 1000 (1 + 1 + 1000 (…)) per level: four levels of 1000.
        assert_too_costly(r, 3_004_004_002_002)
        assert r.statements == baseline  # nothing was executed
    started = time.perf_counter()
    await api.gql(ISSUE_QUERY, key="read")
    assert time.perf_counter() - started < NOT_A_HANG


async def test_thirty_aliases_of_a_two_level_query_are_refused(api: Api) -> None:
    query = "{" + " ".join(f"a{i}: {TWO_LEVELS}" for i in range(30)) + "}"
    baseline = await baseline_statements(api, key="read")
    for r in await twice(api, query, key="read"):
        assert_too_costly(r, 30 * 1_002_002)
        assert r.statements == baseline


async def test_an_accepted_query_reports_its_cost(api: Api) -> None:
    cid = (await create_customer(api))["customerId"]
    query = "query($c: String!) { customer(customerId: $c) { customerId name } }"
    for r in await twice(api, query, {"c": cid}):
        assert r.data == {"customer": {"customerId": cid, "name": f"N {cid}"}}
        assert r.body["extensions"] == {"cost": {"requested": 3, "maximum": MAXIMUM}}
    # Fields of the connection count once, its list fields once per item of the page.
    query = "{ customers(first: 5) { totalCount nodes { customerId name } } }"
    for r in await twice(api, query):
        assert cost_of(r) == 1 + 1 + (1 + 5 * 2)
    # Without `first`, the field's default page size (100).
    for r in await twice(api, "{ customers { edges { cursor node { customerId } } } }"):
        assert cost_of(r) == 1 + (1 + 100 * (1 + 2))


async def test_a_page_of_1000_users_with_nested_objects_is_accepted(api: Api) -> None:
    query = "{ customerUsers(first: 1000) { nodes { login customer { name } } } }"
    for r in await twice(api, query, key="read"):
        assert cost_of(r) == 1 + 1 + 1000 * (1 + 2)


async def test_the_cost_follows_first_given_as_a_variable(make_api: MakeApi) -> None:
    small = await make_api(server={"max_query_cost": 500})
    query = "query($n: Int!) { customers(first: $n) { nodes { customerId } } }"
    for n in (1, 400):
        for r in await twice(small, query, {"n": n}):
            assert cost_of(r, 500) == 2 + n
    for r in await twice(small, query, {"n": 999}):
        assert_too_costly(r, 2 + 999, 500)
    # The variable's default when the request does not send it.
    with_default = "query($n: Int! = 7) { customers(first: $n) { nodes { customerId } } }"
    for r in await twice(small, with_default):
        assert cost_of(r, 500) == 2 + 7
    for r in await twice(small, with_default, {"n": 600}):
        assert_too_costly(r, 2 + 600, 500)
    # A first beyond the largest page counts as the largest page: the field refuses it.
    for r in await twice(small, query, {"n": 100_000}):
        assert_too_costly(r, 2 + 1000, 500)


async def test_lists_without_first_count_the_assumed_size(make_api: MakeApi) -> None:
    sized = await make_api(server={"assumed_list_size": 3})
    customer = await create_customer(sized)
    user = await create_user(sized, customer["customerId"])
    query = (
        "query($l: String!) { customerUser(login: $l) { login customerIds "
        "services { name } effectivePermissions { permission reasons { kind } } } }"
    )
    for r in await twice(sized, query, {"l": user["login"]}):
        # customerIds is a list of strings: 1; services: 1 + 3 * 1; permissions: 1 + 3 *
        # (1 + (1 + 3 * 1)).
        assert cost_of(r) == 1 + 1 + 1 + (1 + 3) + (1 + 3 * (1 + 1 + 3))


def fragment_bomb(depth: int) -> str:
    """``F0`` spreads ``F1`` twice, which spreads ``F2`` twice…: 2^depth spreads in a
    document of a few KB."""
    fragments = " ".join(
        f"fragment F{i} on CustomerUser {{ login ...F{i + 1} ...F{i + 1} }}" for i in range(depth)
    )
    return (
        "query($l: String!) { customerUser(login: $l) { ...F0 } } "
        f"{fragments} fragment F{depth} on CustomerUser {{ login }}"
    )


async def test_a_fragment_bomb_is_refused_at_once(api: Api) -> None:
    for depth in (30, 60):
        started = time.perf_counter()
        for r in await twice(api, fragment_bomb(depth), {"l": "nobody"}):
            assert r.error_codes == ["QUERY_TOO_COSTLY"], r.body
        assert time.perf_counter() - started < NOT_A_HANG, depth


async def test_a_fragment_bomb_validates_and_runs_in_linear_time(make_api: MakeApi) -> None:
    """With the cost no obstacle, the depth and alias limits (walked for each spread, 2^k
    times, by Strawberry's rules) and the execution must still take linear time."""
    lenient = await make_api(server={"max_query_cost": 10**18})
    customer = await create_customer(lenient)
    login = (await create_user(lenient, customer["customerId"]))["login"]
    for depth in (30, 60):
        started = time.perf_counter()
        for r in await twice(lenient, fragment_bomb(depth), {"l": login}):
            assert r.data == {"customerUser": {"login": login}}
            # 2^(depth + 1), counted up to JSON's largest exact integer.
            assert cost_of(r, 10**18) == min(2 ** (depth + 1), 2**53)
        assert time.perf_counter() - started < NOT_A_HANG, depth


async def test_the_depth_limit_holds_through_nested_fragments(make_api: MakeApi) -> None:
    shallow = await make_api(server={"max_query_depth": 3})
    ok = (
        "{ customerUsers { ...C } } fragment C on CustomerUserConnection { nodes { ...U } } "
        "fragment U on CustomerUser { login customer { name } }"
    )
    for r in await twice(shallow, ok):
        assert r.data == {"customerUsers": {"nodes": []}}
    deep = (
        "query Deep { customerUsers { ...C } } "
        "fragment C on CustomerUserConnection { nodes { ...U ...U } } "
        "fragment U on CustomerUser { login customer { ...K } } "
        "fragment K on Customer { customerUsers { totalCount } }"
    )
    for r in await twice(shallow, deep):
        assert len(r.errors) == 1, r.errors
        assert "'Deep' exceeds maximum operation depth of 3" in r.errors[0]["message"]
        assert r.body.get("data") is None


async def test_aliases_in_a_fragment_count_at_each_spread(api: Api) -> None:
    fragment = "fragment A on Customer { a: name b: name c: name d: name }"
    spreads = " ".join(f'c{i}: customer(customerId: "x{i}") {{ ...A }}' for i in range(6))
    # 6 aliased fields + 6 spreads of 4 aliases = 30: the limit.
    for r in await twice(api, "{ " + spreads + " } " + fragment):
        assert r.data == {f"c{i}": None for i in range(6)}
    spreads += ' c6: customer(customerId: "x6") { ...A }'
    for r in await twice(api, "{ " + spreads + " } " + fragment):
        assert len(r.errors) == 1, r.errors
        assert "35 aliases found. Allowed: 30" in r.errors[0]["message"]
        assert r.body.get("data") is None


async def test_a_fragment_cycle_is_refused_without_looping(api: Api) -> None:
    query = (
        '{ customerUser(login: "x") { ...A } } '
        "fragment A on CustomerUser { login customer { customerUsers { nodes { ...B } } } } "
        "fragment B on CustomerUser { customer { customerUsers { nodes { ...A } } } }"
    )
    for r in await twice(api, query):
        assert r.errors
        assert r.body.get("data") is None
        assert any("within itself" in e["message"] for e in r.errors), r.errors


async def test_a_long_chain_of_fragments_is_refused_as_a_client_error(api: Api) -> None:
    """600 fragments each spreading the next (within the token limit): the limits must not
    overflow the interpreter's stack while measuring them (a server error)."""
    chain = " ".join(f"fragment F{i} on CustomerUser {{ ...F{i + 1} }}" for i in range(600))
    query = '{ customerUser(login: "x") { ...F0 } } ' + chain
    query += " fragment F600 on CustomerUser { login }"
    for r in await twice(api, query):
        assert r.status == 200
        assert r.errors
        assert "INTERNAL_SERVER_ERROR" not in r.error_codes, r.errors
        assert r.body.get("data") is None
