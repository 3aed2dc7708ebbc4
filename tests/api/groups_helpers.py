"""What the ``test_group_*`` modules share: GraphQL documents and helpers for groups,
customer-group permissions and effective permissions (issue 4).

The tests were one 2,100-line ``test_groups.py``; they are now split by subject, and what
several of them use lives here. Creating customers, users and groups is ``tests.factories``;
judging an answer (``assert_clean``, ``codes``) is ``tests.checks``; the shared app with group
support on (``on``) is in ``tests/api/conftest.py``. Bulk setup through SQL (``bulk_users``) is
the only write that bypasses the API.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import customer_user
from tests.checks import assert_clean as assert_clean  # the group tests import these two
from tests.checks import b64
from tests.checks import codes as codes
from tests.conftest import Api, GraphQLResponse
from tests.factories import ERRORS, GROUP_CREATE, GROUP_FIELDS

# --- GraphQL documents ---------------------------------------------------------------------------

CHANGES = "changes { kind login customerId groupId permission context }"

USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ login validity }} {ERRORS} }} }}"
)
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    f"customer {{ customerId }} {ERRORS} }} }}"
)
GROUP_UPDATE = (
    "mutation($i: GroupUpdateInput!) { groupUpdate(input: $i) { "
    f"group {{ {GROUP_FIELDS} }} {ERRORS} }} }}"
)
GROUP_GET = f"query($n: String!) {{ group(name: $n) {{ {GROUP_FIELDS} }} }}"
GROUPS = (
    "query($v: Boolean, $f: Int!, $a: String) { groups(valid: $v, first: $f, after: $a) { "
    "nodes { groupId name validity } totalCount "
    "pageInfo { hasNextPage endCursor } } }"
)
NODE = "query($id: ID!) { node(id: $id) { __typename ... on Group { groupId name } } }"
SETTINGS = (
    "{ customerGroupSettings { support alwaysGroups companyAlwaysGroups permissionTypes "
    "contexts } }"
)

ASSIGN = {
    "customerUserSetGroups": ("CustomerUserSetGroupsInput", "customerUser { login }"),
    "groupSetCustomerUsers": ("GroupSetCustomerUsersInput", "group { groupId }"),
    "customerSetGroups": ("CustomerSetGroupsInput", "customer { customerId }"),
    "groupSetCustomers": ("GroupSetCustomersInput", "group { groupId }"),
    "customerUserSetCustomers": ("CustomerUserSetCustomersInput", "customerUser { login }"),
    "customerSetCustomerUsers": ("CustomerSetCustomerUsersInput", "customer { customerId }"),
}

REASONS = "reasons { kind customerId viaRw }"
EFFECTIVE = (
    "query($l: String!) { customerUser(login: $l) { login customerIds "
    f"effectivePermissions {{ group {{ name }} permission {REASONS} }} }} }}"
)
USER_RELATIONS = (
    "query($l: String!) { customerUser(login: $l) { login customerIds "
    "customers { customerId } groupGrants { group { groupId name } permissions } } }"
)
HAS = (
    "query($l: String!, $g: String!, $p: String!) { customerUser(login: $l) { "
    "hasPermission(group: $g, permission: $p) } }"
)
MEMBERS = (
    "query($n: String!, $p: String!, $f: Int!, $a: String) { group(name: $n) { "
    "customerUsers(permission: $p, first: $f, after: $a) { totalCount "
    f"nodes {{ customerUser {{ login }} permission {REASONS} }} "
    "pageInfo { hasNextPage endCursor } } } }"
)
GROUP_GRANTS = (
    "query($n: String!) { group(name: $n) { "
    "userGrants { login permissions customerUser { login } } "
    "customerGrants { customerId context permissions customer { customerId } } } }"
)
CUSTOMER_GRANTS = (
    "query($c: String!) { customer(customerId: $c) { "
    "groupGrants { group { groupId name } context permissions } } }"
)

Reason = tuple[str, str | None, bool]


# --- helpers -------------------------------------------------------------------------------------


async def group_create(api: Api, **values: Any) -> dict[str, Any]:
    r = await api.gql(GROUP_CREATE, {"i": values})
    assert_clean(r)
    payload: dict[str, Any] = r.data["groupCreate"]
    return payload


async def group_update(api: Api, **values: Any) -> dict[str, Any]:
    r = await api.gql(GROUP_UPDATE, {"i": values})
    assert_clean(r)
    payload: dict[str, Any] = r.data["groupUpdate"]
    return payload


async def set_validity(api: Api, group_id: int, validity: str) -> None:
    payload = await group_update(api, groupId=group_id, validity=validity)
    assert payload["userErrors"] == [], payload


async def group_name(api: Api, group_id: int) -> str:
    r = await api.gql(NODE, {"id": gid(group_id)})
    name: str = r.data["node"]["name"]
    return name


def gid(group_id: int) -> str:
    """The global ID of a group as the API encodes it (``Group:<id>``, unpadded base64)."""
    return b64(f"Group:{group_id}")


async def assign_raw(
    api: Api, mutation: str, values: dict[str, Any], *, key: str | None = "admin"
) -> GraphQLResponse:
    input_type, target = ASSIGN[mutation]
    query = (
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {target} {CHANGES} {ERRORS} }} }}"
    )
    r = await api.gql(query, {"i": values}, key=key)
    assert_clean(r)
    return r


async def assign(api: Api, mutation: str, **values: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await assign_raw(api, mutation, values)).data[mutation]
    return payload


async def assign_ok(api: Api, mutation: str, **values: Any) -> set[tuple[Any, ...]]:
    payload = await assign(api, mutation, **values)
    assert payload["userErrors"] == [], payload
    return change_rows(payload)


def change_rows(payload: dict[str, Any]) -> set[tuple[Any, ...]]:
    rows = [
        (c["kind"], c["login"], c["customerId"], c["groupId"], c["permission"], c["context"])
        for c in payload["changes"]
    ]
    assert len(rows) == len(set(rows)), rows
    return set(rows)


async def set_user_groups(
    api: Api, login: str, grants: dict[int, list[str]], *, dry_run: bool = False
) -> set[tuple[Any, ...]]:
    items = [{"groupId": g, "permissions": p} for g, p in grants.items()]
    return await assign_ok(api, "customerUserSetGroups", login=login, grants=items, dryRun=dry_run)


async def set_customer_groups(
    api: Api,
    customer_id: str,
    grants: list[tuple[int, list[str], str]],
    *,
    dry_run: bool = False,
) -> set[tuple[Any, ...]]:
    items = [{"groupId": g, "permissions": p, "context": c} for g, p, c in grants]
    return await assign_ok(
        api, "customerSetGroups", customerId=customer_id, grants=items, dryRun=dry_run
    )


async def set_user_customers(api: Api, login: str, customer_ids: list[str]) -> None:
    await assign_ok(api, "customerUserSetCustomers", login=login, customerIds=customer_ids)


async def effective(api: Api, login: str) -> dict[tuple[str, str], set[Reason]]:
    """(group name, permission) → the reasons, for one user."""
    r = await api.gql(EFFECTIVE, {"l": login})
    assert_clean(r)
    user = r.data["customerUser"]
    assert user is not None, login
    out: dict[tuple[str, str], set[Reason]] = {}
    for held in user["effectivePermissions"]:
        key = (held["group"]["name"], held["permission"])
        assert key not in out, key
        out[key] = {(x["kind"], x["customerId"], x["viaRw"]) for x in held["reasons"]}
    return out


async def held(api: Api, login: str) -> set[tuple[str, str]]:
    return set(await effective(api, login))


async def has(api: Api, login: str, group: str, permission: str) -> bool:
    r = await api.gql(HAS, {"l": login, "g": group, "p": permission})
    assert_clean(r)
    value: bool = r.data["customerUser"]["hasPermission"]
    return value


async def members(api: Api, group: str, permission: str = "ro") -> dict[str, set[Reason]]:
    """Group.customerUsers(permission:) as login → reasons (all pages, checked for order)."""
    out: dict[str, set[Reason]] = {}
    after: str | None = None
    while True:
        r = await api.gql(MEMBERS, {"n": group, "p": permission, "f": 50, "a": after})
        assert_clean(r)
        connection = r.data["group"]["customerUsers"]
        for node in connection["nodes"]:
            login = node["customerUser"]["login"]
            assert login not in out, login
            assert node["permission"] == permission
            out[login] = {(x["kind"], x["customerId"], x["viaRw"]) for x in node["reasons"]}
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after is not None
    assert list(out) == sorted(out), "members come ordered by login"
    return out


async def user_relations(api: Api, login: str) -> dict[str, Any]:
    r = await api.gql(USER_RELATIONS, {"l": login})
    assert_clean(r)
    user: dict[str, Any] = r.data["customerUser"]
    return user


async def direct_grants(api: Api, login: str) -> dict[str, set[str]]:
    user = await user_relations(api, login)
    return {g["group"]["name"]: set(g["permissions"]) for g in user["groupGrants"]}


async def group_grants(api: Api, group: str) -> dict[str, Any]:
    r = await api.gql(GROUP_GRANTS, {"n": group})
    assert_clean(r)
    found: dict[str, Any] = r.data["group"]
    return found


async def user_grant_rows(api: Api, group: str) -> dict[str, set[str]]:
    return {
        g["login"]: set(g["permissions"]) for g in (await group_grants(api, group))["userGrants"]
    }


async def customer_grant_rows(api: Api, group: str) -> dict[tuple[str, str], set[str]]:
    return {
        (g["customerId"], g["context"]): set(g["permissions"])
        for g in (await group_grants(api, group))["customerGrants"]
    }


async def customer_group_rows(api: Api, customer_id: str) -> dict[tuple[str, str], set[str]]:
    r = await api.gql(CUSTOMER_GRANTS, {"c": customer_id})
    assert_clean(r)
    return {
        (g["group"]["name"], g["context"]): set(g["permissions"])
        for g in r.data["customer"]["groupGrants"]
    }


async def bulk_users(api: Api, customer_ids: list[str], count: int, prefix: str) -> list[str]:
    """Insert ``count`` customer users straight into ``customer_user``, spread over
    ``customer_ids``. Bulk setup is the only SQL write in this file: creating thousands of
    users through the API (each hashing a password) would take minutes."""
    now = utcnow()
    logins = [f"{prefix}-{i:05d}" for i in range(count)]
    rows = [
        {
            "login": login,
            "email": f"{login}@acme.test",
            "customer_id": customer_ids[i % len(customer_ids)],
            "first_name": "Bulk",
            "last_name": f"User {i}",
            "valid_id": 1,
            "create_time": now,
            "create_by": 1,
            "change_time": now,
            "change_by": 1,
        }
        for i, login in enumerate(logins)
    ]
    async with api.storage.engine.begin() as conn:
        await conn.execute(sa.insert(customer_user), rows)
    return logins
