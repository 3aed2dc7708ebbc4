"""Several mutations in one request: each sees what the earlier ones wrote.

GraphQL runs a request's mutations one after the other, and each payload's fields are read
before the next mutation starts. Those fields read through the request's DataLoaders, which
remember what they loaded: a mutation that wrote without making them forget served the next
mutation's payload the old rows (a renamed customer read back under its old name).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.api.customer_users_helpers import create_ok
from tests.conftest import Api, unique
from tests.factories import new_customer

USER_CUSTOMER = "customerUser { customer { customerId name } }"
CUSTOMER_MEMBERS = "customer { customerUsers(first: 100) { nodes { login firstName } } }"


async def run(api: Api, mutations: str, variables: dict[str, Any]) -> dict[str, Any]:
    declared = ", ".join(f"${name}: {kind}" for name, kind in _types(variables).items())
    response = await api.gql(f"mutation({declared}) {{ {mutations} }}", variables)
    return response.data  # type: ignore[no-any-return]


def _types(variables: dict[str, Any]) -> dict[str, str]:
    kinds = {
        "u": "CustomerUserUpdateInput!",
        "c": "CustomerUpdateInput!",
        "cc": "CustomerCreateInput!",
        "cu": "CustomerUserCreateInput!",
        "g": "GroupCreateInput!",
        "p": "CustomerUserSetPasswordInput!",
    }
    return {name: kinds[name] for name in variables}


async def test_customer_update_is_seen_by_a_later_mutation(api: Api) -> None:
    cid = await new_customer(api)
    login = (await create_ok(api, cid))["login"]
    data = await run(
        api,
        f"a: customerUserUpdate(input: $u) {{ {USER_CUSTOMER} }}"
        " b: customerUpdate(input: $c) { customer { name } }"
        f" c: customerUserUpdate(input: $u) {{ {USER_CUSTOMER} }}",
        {"u": {"login": login}, "c": {"customerId": cid, "name": "Renamed Co"}},
    )
    assert data["a"]["customerUser"]["customer"]["name"] == f"Company {cid}"
    assert data["c"]["customerUser"]["customer"] == {"customerId": cid, "name": "Renamed Co"}


async def test_customer_create_is_seen_by_a_later_mutation(api: Api) -> None:
    cid = await new_customer(api)
    login = (await create_ok(api, cid))["login"]
    missing = unique("C")
    async with api.storage.engine.begin() as conn:  # a user whose customer does not exist yet
        await conn.execute(
            sa.text("UPDATE customer_user SET customer_id = :c WHERE login = :l"),
            {"c": missing, "l": login},
        )
    data = await run(
        api,
        f"a: customerUserUpdate(input: $u) {{ {USER_CUSTOMER} }}"
        " b: customerCreate(input: $cc) { customer { customerId } }"
        f" c: customerUserUpdate(input: $u) {{ {USER_CUSTOMER} }}",
        {"u": {"login": login}, "cc": {"customerId": missing, "name": "Late Co"}},
    )
    assert data["a"]["customerUser"]["customer"] is None
    assert data["c"]["customerUser"]["customer"] == {"customerId": missing, "name": "Late Co"}


async def test_customer_user_create_and_update_are_seen_by_a_later_mutation(api: Api) -> None:
    cid = await new_customer(api)
    first = (await create_ok(api, cid, firstName="Before"))["login"]
    second = unique("u")
    data = await run(
        api,
        f"a: customerUpdate(input: $c) {{ {CUSTOMER_MEMBERS} }}"
        " b: customerUserCreate(input: $cu) { customerUser { login } }"
        " c: customerUserUpdate(input: $u) { customerUser { login } }"
        f" d: customerUpdate(input: $c) {{ {CUSTOMER_MEMBERS} }}",
        {
            "c": {"customerId": cid},
            "cu": {
                "login": second,
                "firstName": "New",
                "lastName": "User",
                "email": f"{second}@acme.test",
                "customerId": cid,
            },
            "u": {"login": first, "firstName": "After"},
        },
    )
    before = data["a"]["customer"]["customerUsers"]["nodes"]
    after = data["d"]["customer"]["customerUsers"]["nodes"]
    assert before == [{"login": first, "firstName": "Before"}]
    assert sorted((n["login"], n["firstName"]) for n in after) == sorted(
        [(first, "After"), (second, "New")]
    )


async def test_group_create_is_seen_by_a_later_mutation(api: Api) -> None:
    # Group support is off by default: every customer user holds every valid group.
    cid = await new_customer(api)
    login = (await create_ok(api, cid))["login"]
    name = unique("g")
    groups = "customerUser { effectivePermissions { group { name } } }"
    data = await run(
        api,
        f"a: customerUserUpdate(input: $u) {{ {groups} }}"
        " b: groupCreate(input: $g) { group { name } }"
        f" c: customerUserUpdate(input: $u) {{ {groups} }}",
        {"u": {"login": login}, "g": {"name": name}},
    )

    def held(payload: dict[str, Any]) -> set[str]:
        return {p["group"]["name"] for p in payload["customerUser"]["effectivePermissions"]}

    assert name not in held(data["a"])
    assert name in held(data["c"])
