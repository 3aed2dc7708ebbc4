"""Odd global IDs and cursors are the client's mistake, never a masked internal error
(issue 11, defect 8): ``node(id:)`` answers null for an ID no object can have, and every
paginated list answers a ``BAD_USER_INPUT`` "invalid cursor" for a cursor it did not issue,
on both execution paths."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from domain.config import RosterConfig
from schema.builder import build_schema
from tests.api.tickets_helpers import new_queue, new_ticket
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_group


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def global_id(type_name: str, key: str) -> str:
    return b64(f"{type_name}:{key}".encode())


ODD_KEYS = [
    ("Group", "²"),  # str.isdigit() says yes, int() says no
    ("Group", "\u0667"),  # ARABIC-INDIC DIGIT SEVEN: int() reads other scripts' digits
    ("Group", "2147483648"),  # beyond the 32-bit id column
    ("Group", "9" * 5000),  # beyond what int() converts
    ("Group", "-1"),
    ("Group", "+7"),
    ("Group", " 7"),
    ("Service", "²"),
    ("Service", "2147483648"),
    ("Service", "9" * 5000),
    ("Service", "-2147483649"),
    ("Customer", "a\x00b"),
    ("CustomerUser", "\x00"),
    ("CustomerUser", ""),
    ("Nothing", "1"),
]
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


async def twice(api: Api, query: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers to the request sent twice: through Strawberry, then (the text now known
    valid) on the direct path."""
    answers = []
    for _ in range(2):
        response = await api.gql(query, variables)
        assert response.status == 200, response.body
        answers.append(response.body)
    return answers


@pytest.mark.parametrize(("type_name", "key"), ODD_KEYS, ids=lambda v: repr(v)[:12])
async def test_node_of_an_odd_id_is_null(api: Api, type_name: str, key: str) -> None:
    for body in await twice(api, NODE, {"id": global_id(type_name, key)}):
        assert (body["data"], body.get("errors")) == ({"node": None}, None), body


@pytest.mark.parametrize("odd", ["é", "!!!!", "R3JvdXA", "=" * 8, "x" * 10_000])
async def test_node_of_an_undecodable_id_is_null(api: Api, odd: str) -> None:
    for body in await twice(api, NODE, {"id": odd}):
        assert (body["data"], body.get("errors")) == ({"node": None}, None), body


# --- cursors --------------------------------------------------------------------------------

CONNECTION = "pageInfo { endCursor } nodes { __typename }"
USERS = f"query($after: String, $order: CustomerUserOrder) {{ customerUsers(first: 1, \
after: $after, orderBy: $order) {{ {CONNECTION} }} }}"
LISTS: dict[str, tuple[str, list[str]]] = {
    # name: (query with $after and maybe $key, path to the connection)
    "Query.customers": (
        f"query($after: String) {{ customers(first: 1, after: $after) {{ {CONNECTION} }} }}",
        ["customers"],
    ),
    "Query.groups": (
        f"query($after: String) {{ groups(first: 1, after: $after) {{ {CONNECTION} }} }}",
        ["groups"],
    ),
    "Query.services": (
        f"query($after: String) {{ services(first: 1, after: $after) {{ {CONNECTION} }} }}",
        ["services"],
    ),
    "Customer.customerUsers": (
        f"query($after: String, $key: String!) {{ customer(customerId: $key) {{ \
customerUsers(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["customer", "customerUsers"],
    ),
    "Group.customerUsers": (
        f"query($after: String, $key: String!) {{ group(name: $key) {{ \
customerUsers(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["group", "customerUsers"],
    ),
    "Service.customerUsers": (
        f"query($after: String, $key: String!) {{ service(name: $key) {{ \
customerUsers(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["service", "customerUsers"],
    ),
    "CustomerUser.tickets": (
        f"query($after: String, $key: String!) {{ customerUser(login: $key) {{ \
tickets(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["customerUser", "tickets"],
    ),
    "Query.auditEvents": (
        f"query($after: String) {{ auditEvents(first: 1, after: $after) {{ {CONNECTION} }} }}",
        ["auditEvents"],
    ),
    "Query.changes": (
        f"query($after: String) {{ changes(first: 1, after: $after) {{ {CONNECTION} }} }}",
        ["changes"],
    ),
    "CustomerUser.history": (
        f"query($after: String, $key: String!) {{ customerUser(login: $key) {{ \
history(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["customerUser", "history"],
    ),
    "Customer.history": (
        f"query($after: String, $key: String!) {{ customer(customerId: $key) {{ \
history(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["customer", "history"],
    ),
    "Group.history": (
        f"query($after: String, $key: String!) {{ group(name: $key) {{ \
history(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["group", "history"],
    ),
    "Service.history": (
        f"query($after: String, $key: String!) {{ service(name: $key) {{ \
history(first: 1, after: $after) {{ {CONNECTION} }} }} }}",
        ["service", "history"],
    ),
    **{
        f"Query.customerUsers:{field}": (USERS, ["customerUsers"])
        for field in ("LOGIN", "LAST_NAME", "EMAIL", "CUSTOMER_ID", "CHANGED_AT")
    },
}


def test_every_paginated_list_is_checked() -> None:
    """A new list with ``after:`` must be added to LISTS."""
    schema = build_schema(RosterConfig.model_validate({}))._schema
    paginated = {
        f"{name}.{field_name}"
        for name, type_ in schema.type_map.items()
        if not name.startswith("__")
        for field_name, field in (getattr(type_, "fields", None) or {}).items()
        if "after" in getattr(field, "args", {})
    }
    assert paginated == {name.split(":")[0] for name in LISTS}


async def _mutate(api: Api, name: str, value: dict[str, Any], result: str) -> Any:
    input_type = {
        "customerCreate": "CustomerCreateInput",
        "customerUserCreate": "CustomerUserCreateInput",
        "groupCreate": "GroupCreateInput",
        "serviceCreate": "ServiceCreateInput",
        "customerUserSetServices": "CustomerUserSetServicesInput",
    }[name]
    query = (
        f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {result} userErrors {{ code }} }} }}"
    )
    payload = (await api.gql(query, {"i": value})).data[name]
    assert payload["userErrors"] == [], payload
    return payload


@pytest.fixture
async def seeded(make_api: MakeApi) -> tuple[Api, dict[str, str]]:
    """A fresh app with one item in every list (its own database: the lists are global)."""
    api = await make_api()
    customer_id, login, group, service = unique("C"), unique("u"), unique("g"), unique("S")
    await _mutate(api, "customerCreate", {"customerId": customer_id, "name": "C"}, "")
    await _mutate(
        api,
        "customerUserCreate",
        {
            "login": login,
            "firstName": "F",
            "lastName": "L",
            "email": f"{login}@roster.test",
            "customerId": customer_id,
        },
        "",
    )
    await _mutate(api, "groupCreate", {"name": group}, "")
    created = await _mutate(api, "serviceCreate", {"name": service}, "service { serviceId }")
    service_id = created["service"]["serviceId"]
    await _mutate(api, "customerUserSetServices", {"login": login, "serviceIds": [service_id]}, "")
    queue_id, _ = await new_queue(api, await new_group(api))
    await new_ticket(api, queue_id, customer_user=login, customer_id=customer_id)
    keys = {"Customer": customer_id, "Group": group, "Service": service, "CustomerUser": login}
    return api, keys


def _variables(name: str, keys: dict[str, str], after: str | None) -> dict[str, Any]:
    variables: dict[str, Any] = {"after": after}
    owner, _, rest = name.partition(".")
    if owner in keys:
        variables["key"] = keys[owner]
    if ":" in rest:
        variables["order"] = {"field": rest.split(":")[1], "direction": "ASC"}
    return variables


def _connection(body: dict[str, Any], path: list[str]) -> Any:
    value = body["data"]
    for step in path:
        value = value[step]
    return value


def _mangled(cursor: str) -> list[str]:
    """Cursors shaped like ``cursor`` that this server did not issue."""
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    surrogates = {**data, "k": ["\ud800" for _ in data["k"]]}
    inner = {**data, "k": [f"a\udfffb{k}" for k in data["k"]]}
    return [
        b64(json.dumps(surrogates).encode()),  # JSON's "\ud800": a lone surrogate
        b64(json.dumps(inner).encode()),
        b64(json.dumps(data).encode().replace(b'"k"', b'"k\xff"')),  # not UTF-8
        b64(b'{"k": ["\xff\xfe"], "p": 1}'),
        b64(b"[" * 100_000),  # nested beyond the recursion limit
        b64(json.dumps({**data, "p": 1e999}).encode().replace(b"Infinity", b"1e999")),
        b64(json.dumps({**data, "k": "abc"}).encode()),
        b64(b'"just a string"'),
    ]


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_cursor_it_did_not_issue_is_bad_user_input(
    seeded: tuple[Api, dict[str, str]], name: str
) -> None:
    api, keys = seeded
    query, path = LISTS[name]
    first = await api.gql(query, _variables(name, keys, None))
    connection = _connection(first.body, path)
    assert connection["nodes"], (name, first.body)  # the seed reached this list
    for cursor in _mangled(connection["pageInfo"]["endCursor"]):
        for body in await twice(api, query, _variables(name, keys, cursor)):
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
            assert codes == ["BAD_USER_INPUT"], (name, cursor[:40], body)
            assert "cursor" in body["errors"][0]["message"]
