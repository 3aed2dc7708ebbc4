"""Nested pages completed level by level (``schema.flat_lists``) answer byte for byte what
graphql-core's field-by-field completion answers, with the same statements (issue 15).

Every query shape here runs twice on the same data: as shipped (a list whose selection has
direct readers throughout is completed by the plan) and inside ``flat_lists.disabled()``
(graphql-core completes every field). The response bodies must be identical bytes, and the
statement counts equal and fixed per shape: the peer benchmark's Q2 (a page of users with
their customer, customer IDs, group grants and services) and Q3 (one user with everything),
``bench/run.py``'s scenarios (2), (4) and (6), lists of customers with their grants, and the
selections the plan must leave to graphql-core (arguments, connections, errors).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import pytest

from schema import flat_lists, planner
from tests.api.groups_helpers import (
    bulk_users,
    set_customer_groups,
    set_user_customers,
    set_user_groups,
)
from tests.api.services_helpers import set_defaults, set_services
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_group, new_service

Q2 = """query($f: Int!, $c: String) { customerUsers(valid: false, first: $f, customerIdExact: $c) {
  nodes { login firstName lastName email customerId customer { name } customerIds
    groupGrants { group { name } permissions } services { name } } } }"""
Q3 = """query($l: String!) { customerUser(login: $l) {
  login email customerId title firstName lastName phone fax mobile street zip city country
  comment validity createdAt changedAt
  customer { customerId name street zip city country url comment validity
    groupGrants { group { name } permissions context } }
  customers { customerId name }
  groupGrants { group { name } permissions }
  services { name validity } }
  defaultServices { name validity } }"""
PAGE_AND_CUSTOMER = (
    "query($f: Int!) { customerUsers(first: $f) { nodes { login customer { name } } } }"
)
AVAILABLE_SERVICES = """query($f: Int!) { customerUsers(first: $f) { nodes {
  login availableServices { name } usesDefaultServices } } }"""
EFFECTIVE = """query($f: Int!) { customerUsers(first: $f) { nodes { login customer { name }
  customerIds effectivePermissions { group { name } permission reasons { kind customerId } }
  } } }"""
CUSTOMERS = """query($f: Int!) { customers(first: $f) { nodes { customerId name
  groupGrants { __typename group { name groupId validity } context permissions } } } }"""
ALIASES = """query($f: Int!) { customerUsers(first: $f) { nodes {
  __typename who: login login customer { __typename name again: name }
  c: customer { customerId } ids: customerIds customerIds
  groupGrants { group { name } } grants: groupGrants { permissions group { groupId } }
  services @include(if: true) { name } skipped: services @skip(if: true) { name } } } }"""
NOT_PLANNED = """query($f: Int!) { customerUsers(first: $f) { nodes { login
  customer { name customerUsers(first: 2) { totalCount nodes { login } } }
  hasPermission(group: "g-a", permission: "ro") } } }"""
"""A field with arguments below the list: graphql-core completes it all."""


@pytest.fixture(autouse=True)
def _general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests compare the level-by-level completion with graphql-core's: on PostgreSQL
    the planner would answer these shapes with one statement before either runs
    (``tests/api/test_planner.py`` compares that path)."""
    monkeypatch.setattr(planner, "_enabled", ContextVar("planner_off", default=False))


async def _fill(api: Api) -> tuple[list[str], str]:
    """Customers with Same and Other grants, users with grants, extra customers and services,
    and default services; returns the users' logins and one customer ID."""
    customers = [await new_customer(api, f"nest-{i}") for i in range(4)]
    groups = [await new_group(api, name) for name in ("g-a", "g-b", "g-c")]
    services = [await new_service(api, f"svc-{i}") for i in range(4)]
    logins = await bulk_users(api, customers, 24, "nest")
    for i, login in enumerate(logins[:18]):
        await set_user_groups(api, login, {groups[i % 3]: ["ro"], groups[(i + 1) % 3]: ["rw"]})
        await set_user_customers(api, login, [customers[(i + 1) % 4]])
        if i % 3:
            await set_services(api, login, services[i % 2 : i % 2 + 2])
    for i, customer in enumerate(customers[:3]):
        await set_customer_groups(
            api, customer, [(groups[i], ["rw"], "SAME"), (groups[(i + 1) % 3], ["ro"], "OTHER")]
        )
    await set_defaults(api, services[2:])
    return logins, customers[0]


async def _both(
    api: Api, query: str, variables: dict[str, Any], *, same_statements: bool = True
) -> tuple[Any, int, int]:
    """The query on both paths: equal bodies (bytes) and statement counts; returns the data,
    the count (the planned path's) and how many lists the plans completed.

    ``same_statements=False`` for a query whose loads start at different depths (one user with
    everything): whether two of them share a batch depends on when the database answers, on
    either path, so the count varies by one or two from run to run on a networked database."""
    before = flat_lists.Tally.planned
    planned = await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {api.admin_key}"},
    )
    planned_lists = flat_lists.Tally.planned - before
    with flat_lists.disabled():
        general = await api.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {api.admin_key}"},
        )
    assert planned.status_code == general.status_code == 200
    assert planned.content == general.content
    statements = planned.headers["x-roster-sql-statements"]
    if same_statements:
        assert statements == general.headers["x-roster-sql-statements"]
    body = planned.json()
    assert "errors" not in body, body
    assert flat_lists.Tally.planned - before == planned_lists  # none on the general path
    return body["data"], int(statements), planned_lists


async def _api(make_api: MakeApi) -> Api:
    api = await make_api(
        customer_group={"support": True, "always_groups": ["g-c"], "contexts": ["Same", "Other"]}
    )
    await api.gql("{ customerUsers(first: 1) { nodes { login } } }")  # the key is looked up
    return api


async def test_the_peer_benchmark_page_is_the_same_on_both_paths(make_api: MakeApi) -> None:
    api = await _api(make_api)
    logins, customer = await _fill(api)
    data, statements, planned = await _both(api, Q2, {"f": 30, "c": None})
    assert planned == 1  # the whole page in one plan
    nodes = data["customerUsers"]["nodes"]
    assert [n["login"] for n in nodes] == sorted(logins)
    first = nodes[0]
    assert first["customer"] == {"name": "Company nest-0"}
    assert first["customerIds"] == ["nest-0", "nest-1"]
    assert [g["group"]["name"] for g in first["groupGrants"]] == ["g-a", "g-b"]
    assert [g["permissions"] for g in first["groupGrants"]] == [["ro"], ["rw"]]
    # the page; customers, extra customers' rows, grants with their groups, services with
    # theirs; the extra customers
    assert statements == 5
    small, small_statements, _ = await _both(api, Q2, {"f": 30, "c": customer})
    assert len(small["customerUsers"]["nodes"]) == 6
    assert small_statements == statements


async def test_one_user_with_everything_is_the_same_on_both_paths(make_api: MakeApi) -> None:
    api = await _api(make_api)
    logins, _ = await _fill(api)
    data, statements, planned = await _both(api, Q3, {"l": logins[4]}, same_statements=False)
    assert planned == 1  # the user: one object, planned with everything below it
    user = data["customerUser"]
    assert user["customer"]["customerId"] == "nest-0"
    assert [g["context"] for g in user["customer"]["groupGrants"]] == ["SAME", "OTHER"]
    assert user["customers"] == [{"customerId": "nest-1", "name": "Company nest-1"}]
    assert [s["name"] for s in user["services"]] == ["svc-0", "svc-1"]
    assert [s["name"] for s in data["defaultServices"]] == ["svc-2", "svc-3"]
    # the user; the default services with their rows; then the user's level at once: the
    # customer, the extra customers with their rows, the grants with their groups, the
    # services with theirs; then the customer's grants with their groups. Every relation is
    # read with what it names, so no two lookups can merge or not by timing: a fixed count
    # on the planned path, every time.
    assert statements == 7
    for _ in range(3):
        _, again, _ = await _both(api, Q3, {"l": logins[4]}, same_statements=False)
        assert again == statements


async def test_one_object_is_planned_like_a_list_of_one(make_api: MakeApi) -> None:
    """``customerUser(login:)`` alone, a user without relations, a missing user, and the
    same user through ``customerUsers`` with one item: the same bytes on both paths."""
    api = await _api(make_api)
    logins, customer = await _fill(api)
    one = """query($l: String!) { customerUser(login: $l) { login customer { name
      groupGrants { group { name } permissions context } } customerIds
      groupGrants { group { name } permissions } services { name } availableServices { name }
      usesDefaultServices effectivePermissions { group { name } permission } } }"""
    before = flat_lists.Tally.planned
    for login in (logins[0], logins[4], logins[20], "nobody-here"):
        data, _, _ = await _both(api, one, {"l": login}, same_statements=False)
        if login == "nobody-here":
            assert data["customerUser"] is None
        else:
            assert data["customerUser"]["login"] == login
    assert flat_lists.Tally.planned - before >= 3
    leaves = "query($l: String!) { customerUser(login: $l) { login email validity } }"
    data, statements, _ = await _both(api, leaves, {"l": logins[1]})
    assert data["customerUser"]["login"] == logins[1]
    assert statements == 1
    data, _, _ = await _both(api, Q2, {"f": 30, "c": customer})
    assert len(data["customerUsers"]["nodes"]) == 6


async def test_the_bench_scenarios_are_the_same_on_both_paths(make_api: MakeApi) -> None:
    api = await _api(make_api)
    await _fill(api)
    for query, expected in ((PAGE_AND_CUSTOMER, 2), (AVAILABLE_SERVICES, 2), (EFFECTIVE, 6)):
        _, few, _ = await _both(api, query, {"f": 3})
        large, many, planned = await _both(api, query, {"f": 20})
        assert planned == 1
        assert len(large["customerUsers"]["nodes"]) == 20
        assert few == many == expected, (query, few, many)
    data, _, _ = await _both(api, AVAILABLE_SERVICES, {"f": 20})
    by_default = [n["usesDefaultServices"] for n in data["customerUsers"]["nodes"]]
    assert True in by_default
    assert False in by_default


async def test_customers_aliases_and_other_shapes_are_the_same_on_both_paths(
    make_api: MakeApi,
) -> None:
    api = await _api(make_api)
    await _fill(api)
    data, statements, planned = await _both(api, CUSTOMERS, {"f": 10})
    assert planned == 1
    grants = [n["groupGrants"] for n in data["customers"]["nodes"]]
    assert grants[0][0]["__typename"] == "CustomerGroupGrant"
    assert statements == 2  # the page, the grants with their groups
    data, _, planned = await _both(api, ALIASES, {"f": 10})
    assert planned == 1
    node = data["customerUsers"]["nodes"][0]
    assert list(node) == [
        "__typename", "who", "login", "customer", "c", "ids", "customerIds", "groupGrants",
        "grants", "services",
    ]  # fmt: skip
    assert node["customer"]["again"] == node["customer"]["name"]
    _, _, planned = await _both(api, NOT_PLANNED, {"f": 10})
    assert planned == 0  # the arguments below the page: graphql-core completes it


async def test_an_empty_or_single_page_is_the_same_on_both_paths(make_api: MakeApi) -> None:
    api = await _api(make_api)
    data, _, planned = await _both(api, Q2, {"f": 10, "c": None})
    assert data["customerUsers"]["nodes"] == []
    assert planned == 0
    await _fill(api)
    data, _, _ = await _both(api, Q2, {"f": 1, "c": None})
    assert len(data["customerUsers"]["nodes"]) == 1


async def test_a_failing_relation_is_answered_by_graphql_core_on_both_paths(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that raises (a store that fails) hands the page back: the answer is
    graphql-core's, the same data and errors on both paths. The errors' order may differ:
    graphql-core lists them as the failures arrive, and on the handed-back page every
    failure is already there (the loaders cached it), so they come in item order."""
    api = await _api(make_api)
    await _fill(api)

    async def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the customer table is gone")

    monkeypatch.setattr(api.storage.customers, "get_many", failing)
    request = {"query": Q2, "variables": {"f": 5, "c": None}}
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    handed_back = flat_lists.Tally.handed_back
    planned = await api.client.post("/graphql", json=request, headers=headers)
    assert flat_lists.Tally.handed_back == handed_back + 1
    with flat_lists.disabled():
        general = await api.client.post("/graphql", json=request, headers=headers)
    body, general_body = planned.json(), general.json()
    assert body["data"] == general_body["data"]
    assert sorted(body["errors"], key=str) == sorted(general_body["errors"], key=str)
    assert [e["path"][-1] for e in body["errors"]] == ["customer"] * 5
    assert "the customer table is gone" not in planned.text  # masked as everywhere
    assert [n["customer"] for n in body["data"]["customerUsers"]["nodes"]] == [None] * 5


async def test_a_plan_made_once_follows_the_boolean_variables(make_api: MakeApi) -> None:
    """Plans are shared by the requests of one query text (``flat_lists._shared_plan``):
    ``@include``/``@skip`` on a variable must still decide per request."""
    api = await _api(make_api)
    logins, _ = await _fill(api)
    query = """query($l: String!, $with: Boolean!, $f: Int!) {
      customerUser(login: $l) { login customer @include(if: $with) { name
        groupGrants { permissions } } services @skip(if: $with) { name } }
      customerUsers(first: $f) { nodes { login customer @include(if: $with) { name }
        groupGrants @skip(if: $with) { group { name } } } } }"""
    for flag in (True, False, True):
        variables = {"l": logins[4], "with": flag, "f": 5}
        data, _, _ = await _both(api, query, variables, same_statements=False)
        user = data["customerUser"]
        assert ("customer" in user) is flag
        assert ("services" in user) is not flag
        node = data["customerUsers"]["nodes"][0]
        assert ("customer" in node) is flag
        assert ("groupGrants" in node) is not flag


async def test_big_batches_read_rows_then_what_they_name_the_same_on_both_paths(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``batching.JOINED_UP_TO`` keys (lowered to 2 here) the relation rows and the
    groups, services and customers they name are read one after the other: the same
    answers on both paths, and a fixed count for the page."""
    import loaders.groups
    import loaders.registry
    import loaders.services

    for module in (loaders.groups, loaders.services, loaders.registry):
        monkeypatch.setattr(module, "JOINED_UP_TO", 2)
    api = await _api(make_api)
    await _fill(api)
    data, statements, planned = await _both(api, Q2, {"f": 30, "c": None})
    assert planned == 1
    assert len(data["customerUsers"]["nodes"]) == 24
    # the page; customers, extra customers' rows, grants, services' rows; groups, services
    assert statements == 7
    with_customers = Q2.replace("customerIds", "customerIds customers { customerId name }")
    data, _, _ = await _both(api, with_customers, {"f": 30, "c": None})
    assert data["customerUsers"]["nodes"][0]["customers"] == [
        {"customerId": "nest-1", "name": "Company nest-1"}
    ]
    for query in (AVAILABLE_SERVICES, EFFECTIVE, CUSTOMERS):
        await _both(api, query, {"f": 20})


async def test_a_page_answers_each_users_permissions_as_the_user_alone(
    make_api: MakeApi,
) -> None:
    """A page computes effective permissions once per distinct (customer IDs, direct grants)
    and shares the result (``resolvers.groups.users_effective_permissions``): every user on
    the page holds exactly what the same user asked alone holds, both for users of one
    company with the same inputs and for users of one company with different grants."""
    api = await _api(make_api)
    logins, _ = await _fill(api)
    query = """query($f: Int!) { customerUsers(first: $f) { nodes { login customerIds
      effectivePermissions { group { name } permission reasons { kind viaRw customerId } }
      } } }"""
    one = """query($l: String!) { customerUser(login: $l) {
      effectivePermissions { group { name } permission reasons { kind viaRw customerId } }
      } }"""
    data, _, _ = await _both(api, query, {"f": 30})
    nodes = data["customerUsers"]["nodes"]
    assert sorted(n["login"] for n in nodes) == sorted(logins)
    for node in nodes:
        alone = await api.data(one, {"l": node["login"]})
        assert node["effectivePermissions"] == alone["customerUser"]["effectivePermissions"]
    answers: dict[tuple[str, ...], list[str]] = {}
    for node in nodes:
        ids = tuple(node["customerIds"])
        answers.setdefault(ids, []).append(repr(node["effectivePermissions"]))
    # the data has users of the same customers with different answers (direct grants) …
    assert any(len(set(found)) > 1 for found in answers.values())
    # … and users of the same customers with the same answer (no grants of their own)
    assert any(len(set(found)) < len(found) for found in answers.values())
