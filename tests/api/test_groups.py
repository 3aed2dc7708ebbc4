"""Groups, customer-group permissions and effective permissions through GraphQL (issue 4).

Runs on SQLite and PostgreSQL. Covers groupCreate/groupUpdate/group/groups/node, the four
group assignment mutations (replace semantics, ``changes``, idempotence, dryRun, read keys, bad
input, atomicity, size limits), rename safety, the statement count of a nested page, and a port
of the catalogue in ``otobo-groups-services.md`` §7 (each ported case names its number, e.g.
``CG.t 7.1 step 6``). The user ↔ customer assignments are in ``test_customer_relations.py``.

Most tests share one app per database kind with group support on and the Other context
configured (``on``); tests that need another configuration get a fresh app from ``make_api``.
Every test uses names of its own, so tests sharing an app do not see each other's rows.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import customer_user
from tests.conftest import Api, Databases, GraphQLResponse, MakeApi, base_config, open_api, unique

SUPPORT_ON: dict[str, Any] = {
    "support": True,
    "always_groups": [],
    "company_always_groups": [],
    "contexts": ["Same", "Other"],
}


@pytest.fixture(scope="module")
async def on(api: Api, databases: Databases) -> AsyncIterator[Api]:
    """An app on a fresh database of ``api``'s kind: group support on, no always-groups,
    contexts Same and Other."""
    url = await databases.create(api.kind)
    async with open_api(api.kind, base_config(url, customer_group=SUPPORT_ON)) as shared:
        yield shared


# --- GraphQL documents ---------------------------------------------------------------------------

ERRORS = "userErrors { field code message }"
CHANGES = "changes { kind login customerId groupId permission context }"
GROUP_FIELDS = "id groupId name comment validity createdAt changedAt"

CUSTOMER_CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    f"customer {{ customerId }} {ERRORS} }} }}"
)
USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    f"customerUser {{ login }} {ERRORS} }} }}"
)
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ login validity }} {ERRORS} }} }}"
)
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    f"customer {{ customerId }} {ERRORS} }} }}"
)
GROUP_CREATE = (
    "mutation($i: GroupCreateInput!) { groupCreate(input: $i) { "
    f"group {{ {GROUP_FIELDS} }} {ERRORS} }} }}"
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


def assert_clean(response: GraphQLResponse) -> None:
    text = json.dumps(response.body)
    assert response.status < 500, response.body
    assert "Traceback" not in text
    assert ".py" not in text, text[:500]


def codes(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [(tuple(e["field"]) if e["field"] else None, e["code"]) for e in payload["userErrors"]]


async def new_customer(api: Api, customer_id: str | None = None) -> str:
    cid = customer_id or unique("C")
    r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": f"Company {cid}"}})
    assert_clean(r)
    assert r.data["customerCreate"]["userErrors"] == [], r.body
    return cid


async def new_user(
    api: Api, customer_id: str, login: str | None = None, *, validity: str = "VALID"
) -> str:
    name = login or unique("u")
    values = {
        "login": name,
        "firstName": "First",
        "lastName": "Last",
        "email": f"{unique('m')}@acme.test",
        "customerId": customer_id,
        "password": "correct horse battery staple",
        "validity": validity,
    }
    r = await api.gql(USER_CREATE, {"i": values})
    assert_clean(r)
    assert r.data["customerUserCreate"]["userErrors"] == [], r.body
    return name


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


async def new_group(api: Api, name: str | None = None, *, validity: str = "VALID") -> int:
    payload = await group_create(api, name=name or unique("g"), validity=validity)
    assert payload["userErrors"] == [], payload
    group_id: int = payload["group"]["groupId"]
    return group_id


async def set_validity(api: Api, group_id: int, validity: str) -> None:
    payload = await group_update(api, groupId=group_id, validity=validity)
    assert payload["userErrors"] == [], payload


async def group_name(api: Api, group_id: int) -> str:
    r = await api.gql(NODE, {"id": gid(group_id)})
    name: str = r.data["node"]["name"]
    return name


def gid(group_id: int) -> str:
    """The global ID of a group as the API encodes it (``Group:<id>``, unpadded base64)."""
    return base64.urlsafe_b64encode(f"Group:{group_id}".encode()).decode().rstrip("=")


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
    async with api.services.engine.begin() as conn:
        await conn.execute(sa.insert(customer_user), rows)
    return logins


# --- groups: create, read, update ----------------------------------------------------------------


async def test_group_create_and_read_back(api: Api) -> None:
    name = unique("Group ")
    payload = await group_create(api, name=name, comment="line one\nline two")
    assert payload["userErrors"] == []
    group = payload["group"]
    assert group["name"] == name
    assert group["comment"] == "line one\nline two"
    assert group["validity"] == "VALID"
    assert isinstance(group["groupId"], int)
    assert group["createdAt"] is not None
    assert group["changedAt"] is not None

    r = await api.gql(GROUP_GET, {"n": name})
    assert r.data["group"] == group
    node = (await api.gql(NODE, {"id": group["id"]})).data["node"]
    assert node == {"__typename": "Group", "groupId": group["groupId"], "name": name}


async def test_group_by_name_is_exact(api: Api) -> None:
    """OTOBO's GroupLookup: the exact name; other casing or an unknown name finds nothing."""
    name = unique("Exact")
    await new_group(api, name)
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"]["name"] == name
    assert (await api.gql(GROUP_GET, {"n": name.upper()})).data["group"] is None
    assert (await api.gql(GROUP_GET, {"n": unique("nonexistent")})).data["group"] is None


async def test_group_create_without_comment_and_invalid(api: Api) -> None:
    payload = await group_create(api, name=unique("g"), validity="INVALID")
    assert payload["userErrors"] == []
    assert payload["group"]["comment"] is None
    assert payload["group"]["validity"] == "INVALID"


async def test_node_for_unknown_or_malformed_group_id(api: Api) -> None:
    for bad in (gid(2_000_000_000), gid(-1), "R3JvdXA6YWJj", "not-base64!"):
        r = await api.gql(NODE, {"id": bad})
        assert_clean(r)
        assert r.data["node"] is None, bad


async def test_group_names_are_unique_case_insensitively(api: Api) -> None:
    """Group.t 7.19 (92): adding a name again fails; names compare case-insensitively here."""
    name = unique("Dup")
    await new_group(api, name)
    for again in (name, name.upper(), name.lower(), f"  {name}  "):
        payload = await group_create(api, name=again)
        assert payload["group"] is None
        assert codes(payload) == [(("input", "name"), "NAME_TAKEN")], again
    # An invalid group keeps its name taken too (GroupAdd refuses a name of any group).
    invalid = unique("Inv")
    await new_group(api, invalid, validity="INVALID")
    assert codes(await group_create(api, name=invalid.lower())) == [
        (("input", "name"), "NAME_TAKEN")
    ]


async def test_group_non_ascii_names_are_unique_case_insensitively(api: Api) -> None:
    base = unique("grüppe")
    await new_group(api, f"Ä{base}")
    assert codes(await group_create(api, name=f"ä{base}")) == [(("input", "name"), "NAME_TAKEN")]


async def test_group_rename_frees_the_old_name(api: Api) -> None:
    """Group.t 7.19 (92): after renaming group A, a new group may take A's old name, but not
    its new one."""
    old, new = unique("old"), unique("new")
    group_id = await new_group(api, old)
    payload = await group_update(api, groupId=group_id, name=new)
    assert payload["userErrors"] == []
    assert payload["group"]["name"] == new
    assert (await group_create(api, name=old))["userErrors"] == []
    assert codes(await group_create(api, name=new)) == [(("input", "name"), "NAME_TAKEN")]


async def test_group_update_to_a_taken_name_changes_nothing(api: Api) -> None:
    a, b = unique("a"), unique("b")
    await new_group(api, a)
    b_id = await new_group(api, b)
    payload = await group_update(api, groupId=b_id, name=a.upper(), comment="changed")
    assert payload["group"] is None
    assert codes(payload) == [(("input", "name"), "NAME_TAKEN")]
    stored = (await api.gql(GROUP_GET, {"n": b})).data["group"]
    assert stored["comment"] is None
    # Renaming to its own name with other casing is not a clash.
    payload = await group_update(api, groupId=b_id, name=b.upper())
    assert payload["userErrors"] == []
    assert payload["group"]["name"] == b.upper()


@pytest.mark.parametrize("name", [None, "", "   ", "\t"])
async def test_group_name_is_required(api: Api, name: str | None) -> None:
    payload = await group_create(api, name=name)
    assert payload["group"] is None
    assert codes(payload) == [(("input", "name"), "REQUIRED")]


async def test_group_update_cannot_blank_the_name(api: Api) -> None:
    name = unique("keep")
    group_id = await new_group(api, name)
    for blank in ("", "  "):
        payload = await group_update(api, groupId=group_id, name=blank)
        assert codes(payload) == [(("input", "name"), "REQUIRED")]
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"]["name"] == name


async def test_group_name_and_comment_length(api: Api) -> None:
    prefix = unique("L")
    ok = prefix + "x" * (200 - len(prefix))
    assert (await group_create(api, name=ok))["userErrors"] == []
    payload = await group_create(api, name=ok + "y")
    assert codes(payload) == [(("input", "name"), "TOO_LONG")]
    payload = await group_create(api, name=unique("c"), comment="z" * 251)
    assert codes(payload) == [(("input", "comment"), "TOO_LONG")]
    assert (await group_create(api, name=unique("c"), comment="z" * 250))["userErrors"] == []


@pytest.mark.parametrize("bad", ["\x00", "\n", "\t", "\x1b", "\x7f"])
async def test_group_name_with_control_characters(api: Api, bad: str) -> None:
    name = unique("ctl") + bad + "x"
    payload = await group_create(api, name=name)
    assert payload["group"] is None
    assert codes(payload) == [(("input", "name"), "INVALID_CHARACTERS")]
    group_id = await new_group(api)
    payload = await group_update(api, groupId=group_id, name=name)
    assert codes(payload) == [(("input", "name"), "INVALID_CHARACTERS")]


async def test_group_comment_allows_newlines_but_not_nul(api: Api) -> None:
    payload = await group_create(api, name=unique("c"), comment="a\r\nb\tc")
    assert payload["userErrors"] == []
    payload = await group_create(api, name=unique("c"), comment="a\x00b")
    assert codes(payload) == [(("input", "comment"), "INVALID_CHARACTERS")]


async def test_group_update_is_a_patch(api: Api) -> None:
    name = unique("patch")
    group_id = await new_group(api, name)
    payload = await group_update(api, groupId=group_id, comment="hello")
    assert payload["group"]["name"] == name
    assert payload["group"]["comment"] == "hello"
    assert payload["group"]["validity"] == "VALID"
    payload = await group_update(api, groupId=group_id, validity="INVALID_TEMPORARILY")
    assert (payload["group"]["comment"], payload["group"]["validity"]) == (
        "hello",
        "INVALID_TEMPORARILY",
    )
    payload = await group_update(api, groupId=group_id, comment=None)
    assert payload["group"]["comment"] is None
    assert payload["group"]["validity"] == "INVALID_TEMPORARILY"
    payload = await group_update(api, groupId=group_id, validity=None)
    assert codes(payload) == [(("input", "validity"), "REQUIRED")]


async def test_group_update_unknown_group(api: Api) -> None:
    payload = await group_update(api, groupId=2_000_000_000, name=unique("x"))
    assert payload["group"] is None
    assert codes(payload) == [(("input", "groupId"), "UNKNOWN_GROUP")]


async def test_groups_are_never_deleted(api: Api) -> None:
    """No delete: validity only (OTOBO has no GroupDelete either)."""
    r = await api.gql('{ __type(name: "Mutation") { fields { name } } }')
    names = {f["name"] for f in r.data["__type"]["fields"]}
    assert {"groupCreate", "groupUpdate"} <= names
    assert not [n for n in names if n.startswith("group") and "elete" in n]


async def test_groups_listing_validity_and_pagination(make_api: MakeApi) -> None:
    """Group.t 7.19 (92): invalid groups are absent from the valid list, present in all."""
    api = await make_api()
    names = [f"grp-{c}" for c in "edcba"]
    ids = {name: await new_group(api, name) for name in names}
    await set_validity(api, ids["grp-c"], "INVALID")
    await set_validity(api, ids["grp-e"], "INVALID_TEMPORARILY")

    async def walk(valid: bool | None, first: int) -> tuple[list[str], int]:
        seen: list[str] = []
        after: str | None = None
        while True:
            r = await api.gql(GROUPS, {"v": valid, "f": first, "a": after})
            assert_clean(r)
            page = r.data["groups"]
            seen += [n["name"] for n in page["nodes"]]
            total: int = page["totalCount"]
            if not page["pageInfo"]["hasNextPage"]:
                return seen, total
            after = page["pageInfo"]["endCursor"]

    assert await walk(True, 2) == (["grp-a", "grp-b", "grp-d"], 3)
    assert await walk(None, 2) == (sorted(names), 5)
    assert await walk(False, 1) == (sorted(names), 5)
    assert await walk(None, 100) == (sorted(names), 5)


async def test_group_writes_need_an_admin_key(api: Api) -> None:
    name = unique("ro")
    r = await api.gql(GROUP_CREATE, {"i": {"name": name}}, key="read")
    assert_clean(r)
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"] is None
    group_id = await new_group(api, name)
    r = await api.gql(GROUP_UPDATE, {"i": {"groupId": group_id, "comment": "x"}}, key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"]["comment"] is None
    # Reading works with a read key.
    r = await api.gql(GROUP_GET, {"n": name}, key="read")
    assert r.data["group"]["groupId"] == group_id


# --- settings --------------------------------------------------------------------------------


async def test_customer_group_settings_defaults(api: Api) -> None:
    r = await api.gql(SETTINGS)
    assert r.data["customerGroupSettings"] == {
        "support": False,
        "alwaysGroups": ["users"],
        "companyAlwaysGroups": ["users"],
        "permissionTypes": ["ro", "rw"],
        "contexts": ["SAME"],
    }


async def test_customer_group_settings_reflect_the_config(on: Api, make_api: MakeApi) -> None:
    assert (await on.gql(SETTINGS)).data["customerGroupSettings"] == {
        "support": True,
        "alwaysGroups": [],
        "companyAlwaysGroups": [],
        "permissionTypes": ["ro", "rw"],
        "contexts": ["SAME", "OTHER"],
    }
    other = await make_api(
        customer_group={
            "support": True,
            "always_groups": ["a", "b"],
            "company_always_groups": ["c"],
            "permission_types": ["ro", "move_into", "rw"],
        }
    )
    assert (await other.gql(SETTINGS)).data["customerGroupSettings"] == {
        "support": True,
        "alwaysGroups": ["a", "b"],
        "companyAlwaysGroups": ["c"],
        "permissionTypes": ["ro", "move_into", "rw"],
        "contexts": ["SAME"],
    }


# --- catalogue §7.1: GroupMemberAdd / PermissionCheck --------------------------------------------


async def test_cg_7_1_steps_6_to_9_member_permissions(make_api: MakeApi) -> None:
    """CG.t 7.1 steps 6-9 with System::Customer::Permission = [ro, move_into, rw]."""
    api = await make_api(
        customer_group={
            "support": True,
            "always_groups": [],
            "company_always_groups": [],
            "permission_types": ["ro", "move_into", "rw"],
        }
    )
    customer = await new_customer(api)
    user = await new_user(api, customer)
    group_1, group_2, group_3 = [await new_group(api, n) for n in ("users", "admin", "stats")]

    # CG.t 7.1 step 6: {ro:1} on group 1 → ro lists [users]; PermissionCheck(users, ro) = 1.
    await set_user_groups(api, user, {group_1: ["ro"]})
    assert await held(api, user) == {("users", "ro")}
    assert await has(api, user, "users", "ro") is True

    # CG.t 7.1 step 7: {ro:1, move_into:1, rw:0} → ro and move_into, not rw.
    await set_user_groups(api, user, {group_1: ["ro", "move_into"]})
    assert await held(api, user) == {("users", "ro"), ("users", "move_into")}
    assert await has(api, user, "users", "move_into") is True
    assert await has(api, user, "users", "rw") is False

    # CG.t 7.1 step 8: {rw:1} → rw, and rw implies ro and move_into.
    await set_user_groups(api, user, {group_1: ["rw"]})
    found = await effective(api, user)
    assert found == {
        ("users", "ro"): {("DIRECT_GRANT", None, True)},
        ("users", "move_into"): {("DIRECT_GRANT", None, True)},
        ("users", "rw"): {("DIRECT_GRANT", None, False)},
    }
    assert await has(api, user, "users", "rw") is True

    # CG.t 7.1 step 9: reset on groups 1, 2, 3 → nothing for any type.
    await set_user_groups(api, user, {group_1: [], group_2: [], group_3: []})
    assert await effective(api, user) == {}
    for permission in ("ro", "move_into", "create", "owner", "priority", "rw"):
        for group in ("users", "admin", "stats"):
            assert await has(api, user, group, permission) is False, (group, permission)
    assert await direct_grants(api, user) == {}


async def test_rw_implies_ro_with_reasons(on: Api) -> None:
    """§8.1 / CG.t 7.1 step 8: a direct rw grant gives ro too, marked viaRw."""
    user = await new_user(on, await new_customer(on))
    group = unique("g")
    await set_user_groups(on, user, {await new_group(on, group): ["rw"]})
    assert await effective(on, user) == {
        (group, "ro"): {("DIRECT_GRANT", None, True)},
        (group, "rw"): {("DIRECT_GRANT", None, False)},
    }
    assert await has(on, user, group, "ro") is True
    assert await has(on, user, group, "rw") is True
    # Only the rw row is stored (the raw view).
    assert await direct_grants(on, user) == {group: {"rw"}}


async def test_ro_does_not_imply_rw(on: Api) -> None:
    """§2.2 / CG.t 7.1 step 6-7: ro alone never satisfies rw."""
    user = await new_user(on, await new_customer(on))
    group = unique("g")
    await set_user_groups(on, user, {await new_group(on, group): ["ro"]})
    assert await effective(on, user) == {(group, "ro"): {("DIRECT_GRANT", None, False)}}
    assert await has(on, user, group, "rw") is False
    assert await members(on, group, "rw") == {}
    assert set(await members(on, group, "ro")) == {user}


async def test_ro_and_rw_both_stored_give_two_reasons_for_ro(on: Api) -> None:
    user = await new_user(on, await new_customer(on))
    group = unique("g")
    await set_user_groups(on, user, {await new_group(on, group): ["ro", "rw"]})
    found = await effective(on, user)
    assert found[(group, "ro")] == {("DIRECT_GRANT", None, False), ("DIRECT_GRANT", None, True)}
    assert found[(group, "rw")] == {("DIRECT_GRANT", None, False)}


async def test_rw_satisfies_any_permission_type_asked_for(on: Api) -> None:
    """§1.9/§2.2: every reader matches key = type OR key = 'rw'; a caller may ask for any type
    (the customer 'new ticket' screen asks for create, a reply for update)."""
    customer = await new_customer(on)
    direct = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    await set_user_groups(on, direct, {group_id: ["rw"]})
    other_customer = await new_customer(on)
    inherited = await new_user(on, other_customer)
    await set_customer_groups(on, other_customer, [(group_id, ["rw"], "SAME")])
    for login in (direct, inherited):
        for permission in ("create", "update", "move_into", "owner", "priority"):
            assert await has(on, login, group, permission) is True, (login, permission)
    assert set(await members(on, group, "create")) == {direct, inherited}


async def test_permission_check_needs_the_exact_group_name(on: Api) -> None:
    user = await new_user(on, await new_customer(on))
    group = unique("Exact")
    await set_user_groups(on, user, {await new_group(on, group): ["rw"]})
    assert await has(on, user, group, "ro") is True
    assert await has(on, user, group.upper(), "ro") is False
    assert await has(on, user, unique("nonexistent"), "ro") is False


# --- catalogue §7.3: always-groups -----------------------------------------------------------


async def test_cg_7_3_step_16_always_groups_give_every_type(make_api: MakeApi) -> None:
    """CG.t 7.3 step 16: AlwaysGroups = CompanyAlwaysGroups = [users], no rows → users for every
    type, rw included; CG.t 7.3 step 17: the company's always-group comes through its
    customer ID, only in the Same context (no stored grant in any context)."""
    api = await make_api(
        customer_group={
            "support": True,
            "always_groups": ["users"],
            "company_always_groups": ["users"],
            "contexts": ["Same", "Other"],
        }
    )
    await new_group(api, "users")
    await new_group(api, "admin")
    customer = await new_customer(api)
    user = await new_user(api, customer)
    both = {("ALWAYS_GROUP", None, False), ("COMPANY_ALWAYS_GROUP", customer, False)}
    assert await effective(api, user) == {("users", "ro"): both, ("users", "rw"): both}
    for permission in ("ro", "rw"):
        assert await has(api, user, "users", permission) is True
        assert await has(api, user, "admin", permission) is False
    # CG.t 7.3 step 17: nothing is stored for the company, in the Same or the Other context.
    assert await customer_group_rows(api, customer) == {}
    assert await customer_grant_rows(api, "users") == {}
    # Always-groups list every valid user as a member.
    assert await members(api, "users", "rw") == {user: both}


async def test_cg_7_3_company_always_groups_only_through_a_customer_id(
    make_api: MakeApi,
) -> None:
    """CG.t 7.3 / §2.8: CompanyAlwaysGroups come only through a customer ID; a user with none
    (primary excluded, nothing assigned) gets only the user-level AlwaysGroups (none here)."""
    api = await make_api(
        customer_group={"support": True, "always_groups": [], "company_always_groups": ["users"]},
        customer_user={"backends": [{"name": "CustomerUser", "exclude_primary_customer_id": True}]},
    )
    await new_group(api, "users")
    primary = await new_customer(api)
    assigned = await new_customer(api)
    lonely = await new_user(api, primary, "a-lonely")
    linked = await new_user(api, primary, "b-linked")
    await set_user_customers(api, linked, [assigned])
    assert await effective(api, lonely) == {}
    assert await has(api, lonely, "users", "ro") is False
    reason = {("COMPANY_ALWAYS_GROUP", assigned, False)}
    assert await effective(api, linked) == {("users", "ro"): reason, ("users", "rw"): reason}
    assert await members(api, "users", "ro") == {linked: reason}


async def test_company_always_group_members_page_and_count(make_api: MakeApi) -> None:
    api = await make_api(
        customer_group={"support": True, "always_groups": [], "company_always_groups": ["users"]},
        customer_user={"backends": [{"name": "CustomerUser", "exclude_primary_customer_id": True}]},
    )
    await new_group(api, "users")
    primary = await new_customer(api)
    assigned = await new_customer(api)
    await new_user(api, primary, "a-lonely")
    linked = await new_user(api, primary, "b-linked")
    await set_user_customers(api, linked, [assigned])
    r = await api.gql(MEMBERS, {"n": "users", "p": "ro", "f": 1, "a": None})
    connection = r.data["group"]["customerUsers"]
    assert connection["totalCount"] == 1
    assert [n["customerUser"]["login"] for n in connection["nodes"]] == [linked]


async def test_cg_7_3_step_18_empty_always_groups(make_api: MakeApi) -> None:
    """CG.t 7.3 step 18: with both lists empty, a user without rows holds nothing."""
    api = await make_api(
        customer_group={"support": True, "always_groups": [], "company_always_groups": []}
    )
    await new_group(api, "users")
    user = await new_user(api, await new_customer(api))
    assert await effective(api, user) == {}
    assert await has(api, user, "users", "ro") is False
    assert await members(api, "users") == {}


async def test_always_groups_match_names_exactly_and_only_valid_groups(make_api: MakeApi) -> None:
    """§2.5 step 4: always-group names are matched exactly against *valid* groups."""
    api = await make_api(
        customer_group={
            "support": True,
            "always_groups": ["users", "staff"],
            "company_always_groups": [],
        }
    )
    await new_group(api, "Users")  # other casing: not an always-group
    staff = await new_group(api, "staff")
    user = await new_user(api, await new_customer(api))
    assert await held(api, user) == {("staff", "ro"), ("staff", "rw")}
    await set_validity(api, staff, "INVALID")
    assert await effective(api, user) == {}
    assert await members(api, "staff") == {}


async def test_always_groups_with_support_off(make_api: MakeApi) -> None:
    """§2.5: with support off every valid group is held; always-groups change nothing."""
    api = await make_api(customer_group={"support": False})
    await new_group(api, "users")
    await new_group(api, "other")
    user = await new_user(api, await new_customer(api))
    found = await effective(api, user)
    assert set(found) == {("users", p) for p in ("ro", "rw")} | {("other", p) for p in ("ro", "rw")}
    for key, reasons in found.items():
        assert ("GROUP_SUPPORT_OFF", None, False) in reasons, key
    assert await has(api, user, "other", "rw") is True


# --- group support off ---------------------------------------------------------------------------


async def test_support_off_every_valid_group_every_type(make_api: MakeApi) -> None:
    """§8.2: support off → every valid group for every configured type, reason
    GROUP_SUPPORT_OFF; stored grants have no effect of their own; invalid groups stay out."""
    api = await make_api(
        customer_group={
            "support": False,
            "always_groups": [],
            "company_always_groups": [],
            "permission_types": ["ro", "note", "rw"],
        }
    )
    first = await new_group(api, "first")
    await new_group(api, "second")
    await new_group(api, "gone", validity="INVALID")
    customer = await new_customer(api)
    user = await new_user(api, customer, "u-a")
    other = await new_user(api, customer, "u-b")
    await new_user(api, customer, "u-invalid", validity="INVALID")
    # A stored grant is accepted but adds no reason of its own while support is off.
    await set_user_groups(api, user, {first: ["ro"]})
    off = {("GROUP_SUPPORT_OFF", None, False)}
    expected = {(g, p): off for g in ("first", "second") for p in ("ro", "note", "rw")}
    assert await effective(api, user) == expected
    assert await effective(api, other) == expected
    for group in ("first", "second"):
        for permission in ("ro", "note", "rw"):
            assert await has(api, user, group, permission) is True
        assert await members(api, group, "rw") == {user: off, other: off}
    assert await has(api, user, "gone", "ro") is False
    assert await direct_grants(api, user) == {"first": {"ro"}}


async def test_support_off_invalid_group_has_no_members(make_api: MakeApi) -> None:
    api = await make_api(customer_group={"support": False})
    await new_group(api, "gone", validity="INVALID")
    customer = await new_customer(api)
    await new_user(api, customer)
    await new_user(api, customer)
    for first in (1, 100):
        r = await api.gql(MEMBERS, {"n": "gone", "p": "ro", "f": first, "a": None})
        connection = r.data["group"]["customerUsers"]
        assert connection["nodes"] == []
        assert connection["totalCount"] == 0
        assert connection["pageInfo"]["hasNextPage"] is False


# --- catalogue §7.4 / §7.5: listings by group and by customer -------------------------------------


async def test_cg_7_4_step_22_other_type_does_not_give_ro(make_api: MakeApi) -> None:
    """CG.t 7.4 step 22: only move_into on group 1 → no ro."""
    api = await make_api(
        customer_group={
            "support": True,
            "always_groups": [],
            "company_always_groups": [],
            "permission_types": ["ro", "move_into", "rw"],
        }
    )
    group = await new_group(api, "users")
    user = await new_user(api, await new_customer(api))
    await set_user_groups(api, user, {group: ["move_into"]})
    assert await held(api, user) == {("users", "move_into")}
    assert await has(api, user, "users", "ro") is False
    assert await members(api, "users", "ro") == {}
    assert set(await members(api, "users", "move_into")) == {user}


async def test_cg_7_4_steps_23_to_26_listings(on: Api) -> None:
    """CG.t 7.4 step 23-24: U ro on group → by user [group], by group [U]; step 25: U ro on
    three groups → all three; step 26: U-1, U-2, U-3 ro on one group → listed by login."""
    customer = await new_customer(on)
    prefix = unique("U")
    user_1, user_2, user_3 = [await new_user(on, customer, f"{prefix}-{i}") for i in (1, 2, 3)]
    names = [unique("g") for _ in range(3)]
    ids = [await new_group(on, name) for name in names]
    # step 23/24
    await set_user_groups(on, user_1, {ids[0]: ["ro"]})
    assert await held(on, user_1) == {(names[0], "ro")}
    assert set(await members(on, names[0])) == {user_1}
    assert await user_grant_rows(on, names[0]) == {user_1: {"ro"}}
    # step 25
    await set_user_groups(on, user_1, {g: ["ro"] for g in ids})
    assert await held(on, user_1) == {(n, "ro") for n in names}
    # step 26
    for login in (user_2, user_3):
        await set_user_groups(on, login, {ids[0]: ["ro"]})
    assert list(await members(on, names[0])) == [user_1, user_2, user_3]
    assert list(await user_grant_rows(on, names[0])) == [user_1, user_2, user_3]


async def test_cg_7_5_steps_29_to_32_company_listings(on: Api) -> None:
    """CG.t 7.5 step 29: C with only move_into is not listed for ro (move_into is no configured
    type here, so the API refuses it instead); step 30-31: C ro on one, then three groups;
    step 32: C-1, C-2, C-3 ro on one group → listed by customer ID."""
    prefix = unique("C")
    c_1, c_2, c_3 = [await new_customer(on, f"{prefix}-{i}") for i in (1, 2, 3)]
    names = [unique("g") for _ in range(3)]
    ids = [await new_group(on, name) for name in names]
    # step 29 (typed refusal instead of a stored but useless row)
    payload = await assign(
        on,
        "customerSetGroups",
        customerId=c_1,
        grants=[{"groupId": ids[0], "permissions": ["move_into"]}],
    )
    assert codes(payload) == [(("input", "grants", "0", "permissions"), "UNKNOWN_PERMISSION")]
    assert await customer_group_rows(on, c_1) == {}
    # step 30
    await set_customer_groups(on, c_1, [(ids[0], ["ro"], "SAME")])
    assert await customer_group_rows(on, c_1) == {(names[0], "SAME"): {"ro"}}
    assert await customer_grant_rows(on, names[0]) == {(c_1, "SAME"): {"ro"}}
    # step 31
    await set_customer_groups(on, c_1, [(g, ["ro"], "SAME") for g in ids])
    assert await customer_group_rows(on, c_1) == {(n, "SAME"): {"ro"} for n in names}
    # step 32
    for cid in (c_2, c_3):
        await set_customer_groups(on, cid, [(ids[0], ["ro"], "SAME")])
    grants = (await group_grants(on, names[0]))["customerGrants"]
    assert [g["customerId"] for g in grants] == [c_1, c_2, c_3]
    assert all(g["customer"]["customerId"] == g["customerId"] for g in grants)


# --- catalogue §7.7: inheritance from the customer ------------------------------------------------


async def test_cg_7_7_steps_34_to_39_inheritance_from_primary_customer(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    g1, g2, g3 = unique("g1"), unique("g2"), unique("g3")
    id1, id2, id3 = [await new_group(on, n) for n in (g1, g2, g3)]

    # CG.t 7.7 step 34: U ro on group 1 (direct) → no rw.
    await set_user_groups(on, user, {id1: ["ro"]})
    assert await has(on, user, g1, "rw") is False

    # CG.t 7.7 step 35: C rw on group 1 → U has rw through C; found by group too.
    await set_customer_groups(on, customer, [(id1, ["rw"], "SAME")])
    found = await effective(on, user)
    assert found[(g1, "rw")] == {("CUSTOMER_GRANT", customer, False)}
    assert found[(g1, "ro")] == {("DIRECT_GRANT", None, False), ("CUSTOMER_GRANT", customer, True)}
    assert await has(on, user, g1, "rw") is True
    assert await members(on, g1, "rw") == {user: {("CUSTOMER_GRANT", customer, False)}}

    # CG.t 7.7 step 36: C reset on group 1 → nobody has rw on it.
    await set_customer_groups(on, customer, [])
    assert await members(on, g1, "rw") == {}
    assert await has(on, user, g1, "rw") is False

    # CG.t 7.7 step 37: U ro on groups 1-3, C rw on group 3 → rw only on group 3.
    await set_user_groups(on, user, {id1: ["ro"], id2: ["ro"], id3: ["ro"]})
    await set_customer_groups(on, customer, [(id3, ["rw"], "SAME")])
    assert {g for g, p in await held(on, user) if p == "rw"} == {g3}

    # CG.t 7.7 step 38: U ro on group 1, C rw on group 1 → group 1's rw members = [U].
    await set_user_groups(on, user, {id1: ["ro"]})
    await set_customer_groups(on, customer, [(id1, ["rw"], "SAME")])
    assert list(await members(on, g1, "rw")) == [user]

    # CG.t 7.7 step 39: the raw view: U's direct row is ro only; rw is only inherited.
    assert await user_grant_rows(on, g1) == {user: {"ro"}}
    assert await direct_grants(on, user) == {g1: {"ro"}}
    assert await customer_grant_rows(on, g1) == {(customer, "SAME"): {"rw"}}


async def test_inheritance_through_an_assigned_customer(on: Api) -> None:
    """§2.7/§2.8: CustomerIDs include assigned customers, and their grants are inherited."""
    primary = await new_customer(on)
    assigned = await new_customer(on)
    user = await new_user(on, primary)
    group = unique("g")
    group_id = await new_group(on, group)
    await set_user_groups(on, user, {group_id: ["ro"]})
    await set_user_customers(on, user, [assigned])
    await set_customer_groups(on, assigned, [(group_id, ["rw"], "SAME")])
    assert (await user_relations(on, user))["customerIds"] == [primary, assigned]
    assert await effective(on, user) == {
        (group, "ro"): {("DIRECT_GRANT", None, False), ("CUSTOMER_GRANT", assigned, True)},
        (group, "rw"): {("CUSTOMER_GRANT", assigned, False)},
    }
    # The inherited rw is not a direct grant.
    assert await direct_grants(on, user) == {group: {"ro"}}
    assert await user_grant_rows(on, group) == {user: {"ro"}}
    # Unassigning the customer takes the inherited permission away.
    await set_user_customers(on, user, [])
    assert await effective(on, user) == {(group, "ro"): {("DIRECT_GRANT", None, False)}}


async def test_inheritance_through_several_customers_lists_each(on: Api) -> None:
    primary = await new_customer(on)
    assigned = await new_customer(on)
    user = await new_user(on, primary)
    group = unique("g")
    group_id = await new_group(on, group)
    await set_user_customers(on, user, [assigned])
    await set_customer_groups(on, primary, [(group_id, ["ro"], "SAME")])
    await set_customer_groups(on, assigned, [(group_id, ["ro"], "SAME")])
    assert await effective(on, user) == {
        (group, "ro"): {("CUSTOMER_GRANT", primary, False), ("CUSTOMER_GRANT", assigned, False)}
    }


async def test_exclude_primary_customer_id(make_api: MakeApi) -> None:
    """§2.7/§5.4: exclude_primary_customer_id removes the primary customer from customerIds
    and from inheritance; assigned customers still count."""
    api = await make_api(
        customer_group={"support": True, "always_groups": [], "company_always_groups": []},
        customer_user={"backends": [{"name": "CustomerUser", "exclude_primary_customer_id": True}]},
    )
    primary = await new_customer(api, "primary")
    assigned = await new_customer(api, "assigned")
    user = await new_user(api, primary, "user")
    via_primary = await new_group(api, "via-primary")
    via_assigned = await new_group(api, "via-assigned")
    await set_customer_groups(api, primary, [(via_primary, ["rw"], "SAME")])
    await set_customer_groups(api, assigned, [(via_assigned, ["ro"], "SAME")])
    assert (await user_relations(api, user))["customerIds"] == []
    assert await effective(api, user) == {}

    await set_user_customers(api, user, [assigned])
    relations = await user_relations(api, user)
    assert relations["customerIds"] == [assigned]
    assert [c["customerId"] for c in relations["customers"]] == [assigned]
    assert await effective(api, user) == {
        ("via-assigned", "ro"): {("CUSTOMER_GRANT", assigned, False)}
    }
    assert await has(api, user, "via-primary", "ro") is False
    assert await members(api, "via-primary", "ro") == {}
    assert set(await members(api, "via-assigned", "ro")) == {user}

    # Assigning the primary customer explicitly makes it count again (as an assigned one).
    await set_user_customers(api, user, [assigned, primary])
    assert (await user_relations(api, user))["customerIds"] == [assigned, primary]
    assert await has(api, user, "via-primary", "rw") is True


# --- contexts ------------------------------------------------------------------------------------


async def test_other_context_is_stored_but_grants_no_group(on: Api) -> None:
    """§2.6: the Other context does not add the group to the user's effective groups."""
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    changes = await set_customer_groups(on, customer, [(group_id, ["ro"], "OTHER")])
    assert changes == {("ADDED", None, customer, group_id, "ro", "OTHER")}
    assert await customer_group_rows(on, customer) == {(group, "OTHER"): {"ro"}}
    assert await customer_grant_rows(on, group) == {(customer, "OTHER"): {"ro"}}
    assert await effective(on, user) == {}
    assert await has(on, user, group, "ro") is False
    assert await members(on, group) == {}

    # The same group in both contexts: only the Same one counts.
    await set_customer_groups(
        on, customer, [(group_id, ["rw"], "OTHER"), (group_id, ["ro"], "SAME")]
    )
    assert await customer_group_rows(on, customer) == {
        (group, "SAME"): {"ro"},
        (group, "OTHER"): {"rw"},
    }
    assert await effective(on, user) == {(group, "ro"): {("CUSTOMER_GRANT", customer, False)}}


async def test_other_context_not_configured(api: Api) -> None:
    """The default config has only the Same context: OTHER is a typed error, nothing written."""
    customer = await new_customer(api)
    group = unique("g")
    group_id = await new_group(api, group)
    payload = await assign(
        api,
        "customerSetGroups",
        customerId=customer,
        grants=[
            {"groupId": group_id, "permissions": ["ro"], "context": "SAME"},
            {"groupId": group_id, "permissions": ["ro"], "context": "OTHER"},
        ],
    )
    assert codes(payload) == [(("input", "grants", "1", "context"), "UNKNOWN_CONTEXT")]
    assert payload["changes"] == []
    payload = await assign(
        api,
        "groupSetCustomers",
        groupId=group_id,
        grants=[{"customerId": customer, "permissions": ["ro"], "context": "OTHER"}],
    )
    assert codes(payload) == [(("input", "grants", "0", "context"), "UNKNOWN_CONTEXT")]
    assert await customer_group_rows(api, customer) == {}


async def test_context_defaults_to_same(on: Api) -> None:
    customer = await new_customer(on)
    group_id = await new_group(on)
    changes = await assign_ok(
        on,
        "customerSetGroups",
        customerId=customer,
        grants=[{"groupId": group_id, "permissions": ["ro"]}],
    )
    assert changes == {("ADDED", None, customer, group_id, "ro", "SAME")}


# --- invalid groups and invalid users ------------------------------------------------------------


async def test_invalid_group_drops_out_of_effective_permissions(on: Api) -> None:
    """§1.9: only valid groups are returned by any reader; the grants stay stored."""
    customer = await new_customer(on)
    user = await new_user(on, customer)
    inheriting = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    await set_user_groups(on, user, {group_id: ["rw"]})
    await set_customer_groups(on, customer, [(group_id, ["ro"], "SAME")])
    assert (group, "rw") in await held(on, user)
    assert set(await members(on, group)) == {user, inheriting}

    for validity in ("INVALID", "INVALID_TEMPORARILY"):
        await set_validity(on, group_id, validity)
        assert await effective(on, user) == {}
        assert await effective(on, inheriting) == {}
        assert await has(on, user, group, "rw") is False
        assert await members(on, group) == {}
        # Stored rows are still there (raw view).
        assert await direct_grants(on, user) == {group: {"rw"}}
        assert await customer_grant_rows(on, group) == {(customer, "SAME"): {"ro"}}

    await set_validity(on, group_id, "VALID")
    assert await has(on, user, group, "rw") is True
    assert set(await members(on, group)) == {user, inheriting}


async def test_cg_7_9_invalid_customer_users_drop_out(on: Api) -> None:
    """CG.t 7.9 (45): jdoe1 and jdoe2 with ro on a group; jdoe2 set invalid → only jdoe1.
    An invalid user holds nothing at all."""
    prefix = unique("jdoe")
    customer = await new_customer(on)
    jdoe1 = await new_user(on, customer, f"{prefix}1")
    jdoe2 = await new_user(on, customer, f"{prefix}2")
    group = unique("Test_customer_group_#1")
    group_id = await new_group(on, group)
    for login in (jdoe1, jdoe2):
        await set_user_groups(on, login, {group_id: ["ro"]})
    assert list(await members(on, group)) == [jdoe1, jdoe2]

    r = await on.gql(USER_UPDATE, {"i": {"login": jdoe2, "validity": "INVALID"}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert list(await members(on, group)) == [jdoe1]
    assert await effective(on, jdoe2) == {}
    assert await has(on, jdoe2, group, "ro") is False
    # Also when the permission would come through the customer.
    await set_customer_groups(on, customer, [(group_id, ["rw"], "SAME")])
    assert list(await members(on, group, "rw")) == [jdoe1]
    assert await effective(on, jdoe2) == {}
    # The stored direct row remains.
    assert await user_grant_rows(on, group) == {jdoe1: {"ro"}, jdoe2: {"ro"}}


async def test_invalid_user_count_in_group_members(on: Api) -> None:
    customer = await new_customer(on)
    valid = await new_user(on, customer)
    await new_user(on, customer, validity="INVALID_TEMPORARILY")
    group = unique("g")
    await set_customer_groups(on, customer, [(await new_group(on, group), ["ro"], "SAME")])
    r = await on.gql(MEMBERS, {"n": group, "p": "ro", "f": 10, "a": None})
    connection = r.data["group"]["customerUsers"]
    assert connection["totalCount"] == 1
    assert [n["customerUser"]["login"] for n in connection["nodes"]] == [valid]


# --- the GroupID direction -----------------------------------------------------------------------


async def test_group_members_with_reasons(on: Api) -> None:
    """§2.5 step 3 by GroupID: direct grants and users of granted customers. We count users of
    an assigned customer too (OTOBO finds only those whose primary customer it is)."""
    prefix = unique("m")
    granted = await new_customer(on)
    other = await new_customer(on)
    group = unique("g")
    group_id = await new_group(on, group)
    direct = await new_user(on, other, f"{prefix}-a-direct")
    by_primary = await new_user(on, granted, f"{prefix}-b-primary")
    by_assigned = await new_user(on, other, f"{prefix}-c-assigned")
    both = await new_user(on, granted, f"{prefix}-d-both")
    await new_user(on, other, f"{prefix}-e-outsider")
    await set_user_groups(on, direct, {group_id: ["rw"]})
    await set_user_groups(on, both, {group_id: ["ro"]})
    await set_user_customers(on, by_assigned, [granted])
    await set_customer_groups(on, granted, [(group_id, ["ro"], "SAME")])

    assert await members(on, group, "ro") == {
        direct: {("DIRECT_GRANT", None, True)},
        by_primary: {("CUSTOMER_GRANT", granted, False)},
        by_assigned: {("CUSTOMER_GRANT", granted, False)},
        both: {("DIRECT_GRANT", None, False), ("CUSTOMER_GRANT", granted, False)},
    }
    assert await members(on, group, "rw") == {direct: {("DIRECT_GRANT", None, False)}}
    # The same reasons as on the user.
    for login in (direct, by_primary, by_assigned, both):
        mine = await effective(on, login)
        assert (await members(on, group, "ro"))[login] == mine[(group, "ro")]
    assert await user_grant_rows(on, group) == {direct: {"rw"}, both: {"ro"}}
    assert await customer_grant_rows(on, group) == {(granted, "SAME"): {"ro"}}


async def test_group_members_pagination(on: Api) -> None:
    customer = await new_customer(on)
    prefix = unique("p")
    logins = [await new_user(on, customer, f"{prefix}-{i:02d}") for i in range(7)]
    group = unique("g")
    await set_customer_groups(on, customer, [(await new_group(on, group), ["ro"], "SAME")])
    seen: list[str] = []
    after: str | None = None
    while True:
        r = await on.gql(MEMBERS, {"n": group, "p": "ro", "f": 3, "a": after})
        connection = r.data["group"]["customerUsers"]
        assert connection["totalCount"] == 7
        assert len(connection["nodes"]) <= 3
        seen += [n["customerUser"]["login"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == logins


# --- assignment mutations: replace, changes, idempotence, dryRun ---------------------------------


async def test_customer_user_set_groups_replaces_the_set(on: Api) -> None:
    user = await new_user(on, await new_customer(on))
    g1, g2, g3 = unique("g1"), unique("g2"), unique("g3")
    id1, id2, id3 = [await new_group(on, n) for n in (g1, g2, g3)]
    changes = await set_user_groups(on, user, {id1: ["ro"], id2: ["rw"]})
    assert changes == {
        ("ADDED", user, None, id1, "ro", None),
        ("ADDED", user, None, id2, "rw", None),
    }
    assert await direct_grants(on, user) == {g1: {"ro"}, g2: {"rw"}}

    changes = await set_user_groups(on, user, {id1: ["ro", "rw"], id3: ["ro"]})
    assert changes == {
        ("ADDED", user, None, id1, "rw", None),
        ("ADDED", user, None, id3, "ro", None),
        ("REMOVED", user, None, id2, "rw", None),
    }
    assert await direct_grants(on, user) == {g1: {"ro", "rw"}, g3: {"ro"}}

    # Idempotent: the same call again changes nothing.
    assert await set_user_groups(on, user, {id1: ["ro", "rw"], id3: ["ro"]}) == set()
    # A smaller set removes the rest; an empty permission list removes the grant.
    changes = await set_user_groups(on, user, {id1: ["rw"], id3: []})
    assert changes == {
        ("REMOVED", user, None, id1, "ro", None),
        ("REMOVED", user, None, id3, "ro", None),
    }
    assert await direct_grants(on, user) == {g1: {"rw"}}
    assert await set_user_groups(on, user, {}) == {("REMOVED", user, None, id1, "rw", None)}
    assert await direct_grants(on, user) == {}


async def test_group_set_customer_users_replaces_the_set(on: Api) -> None:
    customer = await new_customer(on)
    a, b, c = [await new_user(on, customer) for _ in range(3)]
    group = unique("g")
    group_id = await new_group(on, group)
    # Another group's grants of the same users are not touched.
    other_id = await new_group(on)
    await set_user_groups(on, a, {other_id: ["ro"]})

    def grants(**perms: list[str]) -> list[dict[str, Any]]:
        return [{"login": login, "permissions": p} for login, p in perms.items()]

    changes = await assign_ok(
        on, "groupSetCustomerUsers", groupId=group_id, grants=grants(**{a: ["ro"], b: ["rw"]})
    )
    assert changes == {
        ("ADDED", a, None, group_id, "ro", None),
        ("ADDED", b, None, group_id, "rw", None),
    }
    changes = await assign_ok(
        on, "groupSetCustomerUsers", groupId=group_id, grants=grants(**{b: ["rw"], c: ["ro"]})
    )
    assert changes == {
        ("ADDED", c, None, group_id, "ro", None),
        ("REMOVED", a, None, group_id, "ro", None),
    }
    assert await user_grant_rows(on, group) == {b: {"rw"}, c: {"ro"}}
    assert len(await direct_grants(on, a)) == 1
    # Idempotent, also when the logins are spelled in other casing.
    again = grants(**{b.upper(): ["rw"], c.upper(): ["ro"]})
    assert await assign_ok(on, "groupSetCustomerUsers", groupId=group_id, grants=again) == set()
    assert await user_grant_rows(on, group) == {b: {"rw"}, c: {"ro"}}


async def test_customer_set_groups_replaces_every_context(on: Api) -> None:
    """CG.t 7.2 steps 12-15: a company's grants per context (here: the whole set is replaced,
    as the AdminCustomerGroup screen does), then a reset to nothing."""
    customer = await new_customer(on)
    g1, g2 = unique("g1"), unique("g2")
    id1, id2 = await new_group(on, g1), await new_group(on, g2)
    changes = await set_customer_groups(
        on, customer, [(id1, ["ro"], "SAME"), (id1, ["ro"], "OTHER"), (id2, ["rw"], "SAME")]
    )
    assert changes == {
        ("ADDED", None, customer, id1, "ro", "SAME"),
        ("ADDED", None, customer, id1, "ro", "OTHER"),
        ("ADDED", None, customer, id2, "rw", "SAME"),
    }
    changes = await set_customer_groups(on, customer, [(id1, ["rw"], "OTHER")])
    assert changes == {
        ("ADDED", None, customer, id1, "rw", "OTHER"),
        ("REMOVED", None, customer, id1, "ro", "SAME"),
        ("REMOVED", None, customer, id1, "ro", "OTHER"),
        ("REMOVED", None, customer, id2, "rw", "SAME"),
    }
    assert await customer_group_rows(on, customer) == {(g1, "OTHER"): {"rw"}}
    assert await set_customer_groups(on, customer, [(id1, ["rw"], "OTHER")]) == set()
    # CG.t 7.2 step 15: reset → nothing in either context.
    assert await set_customer_groups(on, customer, []) == {
        ("REMOVED", None, customer, id1, "rw", "OTHER")
    }
    assert await customer_group_rows(on, customer) == {}
    assert await customer_grant_rows(on, g1) == {}


async def test_group_set_customers_replaces_the_set(on: Api) -> None:
    a, b = await new_customer(on), await new_customer(on)
    group = unique("g")
    group_id = await new_group(on, group)
    changes = await assign_ok(
        on,
        "groupSetCustomers",
        groupId=group_id,
        grants=[
            {"customerId": a, "permissions": ["ro"]},
            {"customerId": b, "permissions": ["rw"], "context": "OTHER"},
        ],
    )
    assert changes == {
        ("ADDED", None, a, group_id, "ro", "SAME"),
        ("ADDED", None, b, group_id, "rw", "OTHER"),
    }
    changes = await assign_ok(
        on,
        "groupSetCustomers",
        groupId=group_id,
        grants=[{"customerId": b.lower(), "permissions": ["rw"], "context": "OTHER"}],
    )
    assert changes == {("REMOVED", None, a, group_id, "ro", "SAME")}
    assert await customer_grant_rows(on, group) == {(b, "OTHER"): {"rw"}}
    again = [{"customerId": b, "permissions": ["rw"], "context": "OTHER"}]
    assert await assign_ok(on, "groupSetCustomers", groupId=group_id, grants=again) == set()


@pytest.mark.parametrize(
    "mutation",
    ["customerUserSetGroups", "groupSetCustomerUsers", "customerSetGroups", "groupSetCustomers"],
)
async def test_dry_run_reports_the_same_changes_and_writes_nothing(on: Api, mutation: str) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    first_id, second_id = group_id, await new_group(on)

    def values(step: int) -> dict[str, Any]:
        perms = ["ro"] if step == 1 else ["rw"]
        if mutation == "customerUserSetGroups":
            return {"login": user, "grants": [{"groupId": first_id, "permissions": perms}]}
        if mutation == "groupSetCustomerUsers":
            return {"groupId": first_id, "grants": [{"login": user, "permissions": perms}]}
        if mutation == "customerSetGroups":
            items = [{"groupId": first_id, "permissions": perms}]
            return {"customerId": customer, "grants": items}
        return {"groupId": first_id, "grants": [{"customerId": customer, "permissions": perms}]}

    async def stored() -> tuple[Any, ...]:
        return (
            await user_grant_rows(on, group),
            await customer_grant_rows(on, group),
            await direct_grants(on, user),
            await customer_group_rows(on, customer),
            await effective(on, user),
        )

    if mutation.startswith("group"):
        # A grant of the user on another group is not part of this group's set.
        await set_user_groups(on, user, {second_id: ["ro"]})
    for step in (1, 2):
        before = await stored()
        dry = await assign_ok(on, mutation, **values(step), dryRun=True)
        assert dry, "the dry run reports changes"
        assert await stored() == before, "a dry run writes nothing"
        real = await assign_ok(on, mutation, **values(step))
        assert real == dry
        assert await stored() != before
        # Dry run of a no-op: no changes.
        assert await assign_ok(on, mutation, **values(step), dryRun=True) == set()


@pytest.mark.parametrize("mutation", list(ASSIGN))
async def test_assignments_need_an_admin_key(on: Api, mutation: str) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    other = await new_customer(on)
    group = unique("g")
    group_id = await new_group(on, group)
    every: dict[str, dict[str, Any]] = {
        "customerUserSetGroups": {
            "login": user,
            "grants": [{"groupId": group_id, "permissions": ["rw"]}],
        },
        "groupSetCustomerUsers": {
            "groupId": group_id,
            "grants": [{"login": user, "permissions": ["rw"]}],
        },
        "customerSetGroups": {
            "customerId": customer,
            "grants": [{"groupId": group_id, "permissions": ["rw"]}],
        },
        "groupSetCustomers": {
            "groupId": group_id,
            "grants": [{"customerId": customer, "permissions": ["rw"]}],
        },
        "customerUserSetCustomers": {"login": user, "customerIds": [other]},
        "customerSetCustomerUsers": {"customerId": other, "logins": [user]},
    }
    values = every[mutation]
    r = await assign_raw(on, mutation, values, key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert r.body.get("data") is None
    relations = await user_relations(on, user)
    assert relations["customerIds"] == [customer]
    assert relations["groupGrants"] == []
    assert await effective(on, user) == {}
    assert await customer_group_rows(on, customer) == {}
    # No key at all is refused too.
    r = await assign_raw(on, mutation, values, key=None)
    assert r.errors
    assert await effective(on, user) == {}


# --- assignment mutations: bad input -------------------------------------------------------------


async def test_unknown_login_group_and_customer(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group_id = await new_group(on)
    nobody, no_customer, no_group = unique("nobody"), unique("nocust"), 2_000_000_000

    payload = await assign(
        on,
        "customerUserSetGroups",
        login=nobody,
        grants=[{"groupId": group_id, "permissions": ["ro"]}],
    )
    assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")]
    payload = await assign(
        on,
        "customerUserSetGroups",
        login=user,
        grants=[
            {"groupId": group_id, "permissions": ["ro"]},
            {"groupId": no_group, "permissions": ["ro"]},
        ],
    )
    assert codes(payload) == [(("input", "grants", "1", "groupId"), "UNKNOWN_GROUP")]
    assert payload["changes"] == []
    payload = await assign(
        on,
        "groupSetCustomerUsers",
        groupId=no_group,
        grants=[{"login": user, "permissions": ["ro"]}],
    )
    assert codes(payload) == [(("input", "groupId"), "UNKNOWN_GROUP")]
    payload = await assign(
        on,
        "groupSetCustomerUsers",
        groupId=group_id,
        grants=[
            {"login": user, "permissions": ["ro"]},
            {"login": nobody, "permissions": ["ro"]},
        ],
    )
    assert codes(payload) == [(("input", "grants", "1", "login"), "UNKNOWN_CUSTOMER_USER")]
    payload = await assign(
        on,
        "customerSetGroups",
        customerId=no_customer,
        grants=[{"groupId": group_id, "permissions": ["ro"]}],
    )
    assert codes(payload) == [(("input", "customerId"), "UNKNOWN_CUSTOMER")]
    payload = await assign(
        on,
        "groupSetCustomers",
        groupId=group_id,
        grants=[
            {"customerId": customer, "permissions": ["ro"]},
            {"customerId": no_customer, "permissions": ["ro"]},
        ],
    )
    assert codes(payload) == [(("input", "grants", "1", "customerId"), "UNKNOWN_CUSTOMER")]
    payload = await assign(
        on,
        "groupSetCustomers",
        groupId=no_group,
        grants=[{"customerId": customer, "permissions": ["ro"]}],
    )
    assert codes(payload) == [(("input", "groupId"), "UNKNOWN_GROUP")]
    # Nothing was written by any of them (atomic).
    assert await effective(on, user) == {}
    assert await customer_group_rows(on, customer) == {}


async def test_unknown_permission_key(on: Api) -> None:
    """Unlike OTOBO (which stores any key), only configured types may be granted."""
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group_id = await new_group(on)
    for bad in ("create", "RW", "", "ro ", "r\x00o"):
        payload = await assign(
            on,
            "customerUserSetGroups",
            login=user,
            grants=[
                {"groupId": group_id, "permissions": ["ro"]},
                {"groupId": await new_group(on), "permissions": ["ro", bad]},
            ],
        )
        assert codes(payload) == [(("input", "grants", "1", "permissions"), "UNKNOWN_PERMISSION")]
        payload = await assign(
            on,
            "groupSetCustomers",
            groupId=group_id,
            grants=[{"customerId": customer, "permissions": [bad]}],
        )
        assert codes(payload) == [(("input", "grants", "0", "permissions"), "UNKNOWN_PERMISSION")]
    assert await direct_grants(on, user) == {}
    assert await customer_group_rows(on, customer) == {}


async def test_granting_an_invalid_group(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    valid_id = await new_group(on)
    invalid_id = await new_group(on, validity="INVALID")
    for mutation, values in (
        (
            "customerUserSetGroups",
            {
                "login": user,
                "grants": [
                    {"groupId": valid_id, "permissions": ["ro"]},
                    {"groupId": invalid_id, "permissions": ["ro"]},
                ],
            },
        ),
        (
            "customerSetGroups",
            {
                "customerId": customer,
                "grants": [
                    {"groupId": valid_id, "permissions": ["ro"]},
                    {"groupId": invalid_id, "permissions": ["rw"]},
                ],
            },
        ),
    ):
        payload = await assign(on, mutation, **values)
        assert codes(payload) == [(("input", "grants", "1", "groupId"), "INACTIVE_GROUP")]
        assert payload["changes"] == []
    assert await direct_grants(on, user) == {}
    assert await customer_group_rows(on, customer) == {}
    # An empty permission list on an invalid group is not a grant: accepted, nothing changes.
    empty = [{"groupId": invalid_id, "permissions": []}]
    assert await assign_ok(on, "customerUserSetGroups", login=user, grants=empty) == set()


async def test_granting_an_invalid_group_from_the_group_side(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    invalid_id = await new_group(on, validity="INVALID")
    for mutation, values in (
        ("groupSetCustomerUsers", {"login": user, "permissions": ["ro"]}),
        ("groupSetCustomers", {"customerId": customer, "permissions": ["ro"]}),
    ):
        payload = await assign(on, mutation, groupId=invalid_id, grants=[values])
        assert [code for _, code in codes(payload)] == ["INACTIVE_GROUP"], payload
        assert payload["changes"] == []


async def test_restating_a_stored_grant_on_an_invalid_group(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    paused, other = unique("paused"), unique("other")
    paused_id, other_id = await new_group(on, paused), await new_group(on, other)
    await set_user_groups(on, user, {paused_id: ["ro"], other_id: ["ro"]})
    await set_validity(on, paused_id, "INVALID")
    payload = await assign(
        on,
        "customerUserSetGroups",
        login=user,
        grants=[
            {"groupId": paused_id, "permissions": ["ro"]},
            {"groupId": other_id, "permissions": ["rw"]},
        ],
    )
    assert payload["userErrors"] == []
    assert change_rows(payload) == {
        ("ADDED", user, None, other_id, "rw", None),
        ("REMOVED", user, None, other_id, "ro", None),
    }
    assert await direct_grants(on, user) == {paused: {"ro"}, other: {"rw"}}


async def test_duplicate_entries_are_deduplicated(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    changes = await assign_ok(
        on,
        "customerUserSetGroups",
        login=user,
        grants=[
            {"groupId": group_id, "permissions": ["ro", "rw", "ro"]},
            {"groupId": group_id, "permissions": ["rw", "ro"]},
        ],
    )  # the same permissions twice; other ones are DUPLICATE (tests/api/test_integrity.py)
    assert changes == {
        ("ADDED", user, None, group_id, "ro", None),
        ("ADDED", user, None, group_id, "rw", None),
    }
    assert await direct_grants(on, user) == {group: {"ro", "rw"}}

    changes = await assign_ok(
        on,
        "groupSetCustomerUsers",
        groupId=group_id,
        grants=[
            {"login": user, "permissions": ["ro"]},
            {"login": user.upper(), "permissions": ["ro"]},
        ],
    )
    assert changes == {("REMOVED", user, None, group_id, "rw", None)}
    assert await user_grant_rows(on, group) == {user: {"ro"}}

    changes = await assign_ok(
        on,
        "groupSetCustomers",
        groupId=group_id,
        grants=[
            {"customerId": customer, "permissions": ["rw"]},
            {"customerId": customer.lower(), "permissions": ["rw"]},
            {"customerId": customer, "permissions": ["rw"], "context": "OTHER"},
        ],
    )
    assert changes == {
        ("ADDED", None, customer, group_id, "rw", "SAME"),
        ("ADDED", None, customer, group_id, "rw", "OTHER"),
    }
    assert await customer_grant_rows(on, group) == {
        (customer, "SAME"): {"rw"},
        (customer, "OTHER"): {"rw"},
    }


async def test_one_bad_entry_writes_nothing(on: Api) -> None:
    customer = await new_customer(on)
    good = [await new_user(on, customer) for _ in range(3)]
    group = unique("g")
    group_id = await new_group(on, group)
    await assign_ok(
        on,
        "groupSetCustomerUsers",
        groupId=group_id,
        grants=[{"login": good[0], "permissions": ["ro"]}],
    )
    grants = [{"login": login, "permissions": ["rw"]} for login in good]
    grants.insert(2, {"login": unique("missing"), "permissions": ["rw"]})
    payload = await assign(on, "groupSetCustomerUsers", groupId=group_id, grants=grants)
    assert codes(payload) == [(("input", "grants", "2", "login"), "UNKNOWN_CUSTOMER_USER")]
    assert payload["changes"] == []
    assert await user_grant_rows(on, group) == {good[0]: {"ro"}}
    # Several problems are all reported at once.
    grants[0]["permissions"] = ["bogus"]
    payload = await assign(on, "groupSetCustomerUsers", groupId=group_id, grants=grants)
    assert sorted(codes(payload)) == [
        (("input", "grants", "0", "permissions"), "UNKNOWN_PERMISSION"),
        (("input", "grants", "2", "login"), "UNKNOWN_CUSTOMER_USER"),
    ]
    assert await user_grant_rows(on, group) == {good[0]: {"ro"}}


async def test_nul_in_logins_and_customer_ids_is_a_user_error(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group_id = await new_group(on)
    bad_login, bad_customer = f"{user}\x00", f"{customer}\x00x"
    payload = await assign(on, "customerUserSetGroups", login=bad_login, grants=[])
    assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")]
    payload = await assign(
        on,
        "groupSetCustomerUsers",
        groupId=group_id,
        grants=[{"login": bad_login, "permissions": ["ro"]}],
    )
    assert codes(payload) == [(("input", "grants", "0", "login"), "UNKNOWN_CUSTOMER_USER")]
    payload = await assign(on, "customerSetGroups", customerId=bad_customer, grants=[])
    assert codes(payload) == [(("input", "customerId"), "UNKNOWN_CUSTOMER")]
    payload = await assign(
        on,
        "groupSetCustomers",
        groupId=group_id,
        grants=[{"customerId": bad_customer, "permissions": ["ro"]}],
    )
    assert codes(payload) == [(("input", "grants", "0", "customerId"), "UNKNOWN_CUSTOMER")]
    r = await on.gql(HAS, {"l": bad_login, "g": "x", "p": "ro"})
    assert_clean(r)
    assert r.data["customerUser"] is None
    assert await has(on, user, "x\x00", "r\x00o") is False
    assert await effective(on, user) == {}


async def test_group_by_name_with_nul(on: Api) -> None:
    name = unique("g")
    group_id = await new_group(on, name)
    await set_user_groups(on, await new_user(on, await new_customer(on)), {group_id: ["ro"]})
    for bad in (f"{name}\x00", "\x00", f"{name}\x00x"):
        r = await on.gql(MEMBERS, {"n": bad, "p": "ro", "f": 5, "a": None})
        assert_clean(r)
        assert r.data["group"] is None


async def test_more_than_10000_entries_is_refused(on: Api) -> None:
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    too_many = [{"login": user, "permissions": ["ro"]}] * 10_001
    payload = await assign(on, "groupSetCustomerUsers", groupId=group_id, grants=too_many)
    assert codes(payload) == [(("input", "grants"), "TOO_LONG")]
    payload = await assign(
        on,
        "customerUserSetGroups",
        login=user,
        grants=[{"groupId": group_id, "permissions": ["ro"]}] * 10_001,
    )
    assert codes(payload) == [(("input", "grants"), "TOO_LONG")]
    payload = await assign(
        on,
        "groupSetCustomers",
        groupId=group_id,
        grants=[{"customerId": customer, "permissions": ["ro"]}] * 10_001,
    )
    assert codes(payload) == [(("input", "grants"), "TOO_LONG")]
    payload = await assign(
        on,
        "customerSetGroups",
        customerId=customer,
        grants=[{"groupId": group_id, "permissions": ["ro"]}] * 10_001,
    )
    assert codes(payload) == [(("input", "grants"), "TOO_LONG")]
    assert await effective(on, user) == {}
    # Exactly 10,000 entries (all naming the same user) is within the limit.
    payload = await assign(on, "groupSetCustomerUsers", groupId=group_id, grants=too_many[:10_000])
    assert payload["userErrors"] == []
    assert change_rows(payload) == {("ADDED", user, None, group_id, "ro", None)}


async def test_a_large_grant_set_in_one_call(on: Api) -> None:
    customers = [await new_customer(on) for _ in range(3)]
    logins = await bulk_users(on, customers, 2_000, unique("bulk"))
    group = unique("g")
    group_id = await new_group(on, group)
    grants = [{"login": login, "permissions": ["ro"]} for login in logins]
    changes = await assign_ok(on, "groupSetCustomerUsers", groupId=group_id, grants=grants)
    assert changes == {("ADDED", login, None, group_id, "ro", None) for login in logins}
    r = await on.gql(MEMBERS, {"n": group, "p": "ro", "f": 5, "a": None})
    assert r.data["group"]["customerUsers"]["totalCount"] == 2_000
    assert len(await user_grant_rows(on, group)) == 2_000
    # A smaller set removes the rest.
    changes = await assign_ok(on, "groupSetCustomerUsers", groupId=group_id, grants=grants[:500])
    assert changes == {("REMOVED", login, None, group_id, "ro", None) for login in logins[500:]}
    assert set(await user_grant_rows(on, group)) == set(logins[:500])
    assert await has(on, logins[0], group, "ro") is True
    assert await has(on, logins[1_999], group, "ro") is False


# --- rename safety -------------------------------------------------------------------------------


async def test_login_rename_carries_grants_and_customers(on: Api) -> None:
    primary, assigned = await new_customer(on), await new_customer(on)
    old = await new_user(on, primary)
    group_direct, group_inherited = unique("gd"), unique("gi")
    id_direct = await new_group(on, group_direct)
    id_inherited = await new_group(on, group_inherited)
    await set_user_groups(on, old, {id_direct: ["rw"]})
    await set_user_customers(on, old, [assigned])
    await set_customer_groups(on, assigned, [(id_inherited, ["ro"], "SAME")])
    before = await effective(on, old)
    assert set(before) == {
        (group_direct, "ro"),
        (group_direct, "rw"),
        (group_inherited, "ro"),
    }

    new = unique("renamed")
    r = await on.gql(USER_UPDATE, {"i": {"login": old, "newLogin": new}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert await effective(on, new) == before
    relations = await user_relations(on, new)
    assert relations["customerIds"] == [primary, assigned]
    assert [c["customerId"] for c in relations["customers"]] == [assigned]
    assert await direct_grants(on, new) == {group_direct: {"rw"}}
    assert await user_grant_rows(on, group_direct) == {new: {"rw"}}
    assert set(await members(on, group_inherited)) == {new}
    assert (await on.gql(EFFECTIVE, {"l": old})).data["customerUser"] is None
    # A new user with the old login starts with nothing.
    await new_user(on, primary, old)
    assert await effective(on, old) == {}
    assert (await user_relations(on, old))["customerIds"] == [primary]


async def test_customer_id_rename_carries_grants_and_assignments(on: Api) -> None:
    old = await new_customer(on)
    other = await new_customer(on)
    primary_user = await new_user(on, old)
    assigned_user = await new_user(on, other)
    await set_user_customers(on, assigned_user, [old])
    group, other_group = unique("g"), unique("o")
    group_id, other_id = await new_group(on, group), await new_group(on, other_group)
    await set_customer_groups(on, old, [(group_id, ["rw"], "SAME"), (other_id, ["ro"], "OTHER")])
    before_primary = await effective(on, primary_user)
    before_assigned = await effective(on, assigned_user)
    assert (group, "rw") in before_primary
    assert (group, "rw") in before_assigned

    new = unique("NEW")
    r = await on.gql(CUSTOMER_UPDATE, {"i": {"customerId": old, "newCustomerId": new}})
    assert r.data["customerUpdate"]["userErrors"] == []

    def renamed(found: dict[tuple[str, str], set[Reason]]) -> dict[tuple[str, str], set[Reason]]:
        return {
            key: {(k, new if c == old else c, rw) for k, c, rw in reasons}
            for key, reasons in found.items()
        }

    assert await effective(on, primary_user) == renamed(before_primary)
    assert await effective(on, assigned_user) == renamed(before_assigned)
    assert await customer_group_rows(on, new) == {
        (group, "SAME"): {"rw"},
        (other_group, "OTHER"): {"ro"},
    }
    assert await customer_grant_rows(on, group) == {(new, "SAME"): {"rw"}}
    relations = await user_relations(on, assigned_user)
    assert relations["customerIds"] == [other, new]
    assert [c["customerId"] for c in relations["customers"]] == [new]
    assert set(await members(on, group, "rw")) == {primary_user, assigned_user}


# --- statement count -----------------------------------------------------------------------------

PAGE = (
    "query($f: Int!) { customerUsers(first: $f) { nodes { login customerIds "
    "customers { customerId } groupGrants { group { name } permissions } "
    "effectivePermissions { group { name } permission reasons { kind customerId } } } } }"
)


async def test_nested_page_costs_a_constant_number_of_statements(make_api: MakeApi) -> None:
    api = await make_api(
        customer_group={
            "support": True,
            "always_groups": ["users"],
            "company_always_groups": ["users"],
            "contexts": ["Same", "Other"],
        }
    )
    customers = [await new_customer(api, f"cust-{i}") for i in range(5)]
    group_ids = [await new_group(api, name) for name in ("users", "g-a", "g-b", "g-c", "g-d")]
    logins = await bulk_users(api, customers, 60, "page")
    for i, login in enumerate(logins[:45]):
        grants = {group_ids[1 + i % 4]: ["ro"], group_ids[1 + (i + 1) % 4]: ["rw"]}
        await set_user_groups(api, login, grants)
        await set_user_customers(api, login, [customers[(i + 1) % 5], customers[(i + 2) % 5]])
    for i, customer in enumerate(customers):
        await set_customer_groups(
            api,
            customer,
            [(group_ids[1 + i % 4], ["rw"], "SAME"), (group_ids[1 + (i + 1) % 4], ["ro"], "OTHER")],
        )

    small = await api.gql(PAGE, {"f": 5})
    large = await api.gql(PAGE, {"f": 40})
    assert len(small.data["customerUsers"]["nodes"]) == 5
    nodes = large.data["customerUsers"]["nodes"]
    assert len(nodes) == 40
    assert all(len(n["customerIds"]) == 3 and n["effectivePermissions"] for n in nodes)
    assert small.statements > 0
    assert small.statements == large.statements, (small.statements, large.statements)


CUSTOMERS_WITH_USERS = """query($f: Int!) { customers(first: $f) { nodes { customerId
    customerUsers { totalCount nodes { login } } } } }"""
GROUPS_WITH_MEMBERS = """query($f: Int!) { groups(first: $f) { nodes { name
    customerUsers { totalCount nodes { permission customerUser { login } } } } } }"""


async def test_lists_with_their_members_cost_a_constant_number_of_statements(
    make_api: MakeApi,
) -> None:
    """A page of customers, or of groups, each with its customer users: one query per kind of
    relation for the whole page, not one per customer or group."""
    api = await make_api(customer_group={"support": True})
    customers = [await new_customer(api, f"mem-{i}") for i in range(8)]
    logins = await bulk_users(api, customers, 24, "mem")
    for i, login in enumerate(logins[:8]):
        await set_user_customers(api, login, [customers[(i + 3) % 8]])
    groups = [await new_group(api, f"mg-{i}") for i in range(8)]
    for i, customer in enumerate(customers):
        await set_customer_groups(api, customer, [(groups[i], ["ro"], "SAME")])
    for i, login in enumerate(logins[:8]):
        await set_user_groups(api, login, {groups[(i + 5) % 8]: ["rw"]})

    # A customer: its three primary users and one assigned. A group: one customer's four
    # users (granted in the Same context) and one user granted directly.
    for query, connection, members in (
        (CUSTOMERS_WITH_USERS, "customers", 4),
        (GROUPS_WITH_MEMBERS, "groups", 5),
    ):
        small = await api.gql(query, {"f": 2})
        large = await api.gql(query, {"f": 8})
        nodes = large.data[connection]["nodes"]
        assert len(small.data[connection]["nodes"]) == 2
        assert [len(n["customerUsers"]["nodes"]) for n in nodes] == [members] * 8, nodes
        assert [n["customerUsers"]["totalCount"] for n in nodes] == [members] * 8
        assert small.statements > 0
        assert small.statements == large.statements, (
            connection,
            small.statements,
            large.statements,
        )


async def test_groups_that_reach_everyone_read_the_users_once_per_page(
    make_api: MakeApi,
) -> None:
    """With group support off every valid user holds every group: a page of groups with their
    members reads the users' pages once, not once per group."""
    api = await make_api(customer_group={"support": False})
    customer = await new_customer(api, "all-co")
    logins = await bulk_users(api, [customer], 12, "all")
    for i in range(8):
        await new_group(api, f"ag-{i}")
    small = await api.gql(GROUPS_WITH_MEMBERS, {"f": 2})
    large = await api.gql(GROUPS_WITH_MEMBERS, {"f": 8})
    nodes = large.data["groups"]["nodes"]
    assert len(nodes) == 8
    for node in nodes:
        members = node["customerUsers"]
        assert members["totalCount"] == 12
        assert [m["customerUser"]["login"] for m in members["nodes"]] == logins
    assert small.statements > 0
    assert small.statements == large.statements, (small.statements, large.statements)


async def test_concurrent_replacements_do_not_mix(on: Api) -> None:
    """Two replacements of one group's set at the same time: the result is one of the two
    sets, never their union, and no row is stored twice ("atomically", issue 4)."""
    customer = await new_customer(on)
    logins = [await new_user(on, customer) for _ in range(6)]
    group = unique("g")
    group_id = await new_group(on, group)
    first = [{"login": login, "permissions": ["ro"]} for login in logins[:4]]
    second = [{"login": login, "permissions": ["ro"]} for login in logins[2:]]
    for _ in range(10):
        await assign_ok(on, "groupSetCustomerUsers", groupId=group_id, grants=[])
        await asyncio.gather(
            assign_ok(on, "groupSetCustomerUsers", groupId=group_id, grants=first),
            assign_ok(on, "groupSetCustomerUsers", groupId=group_id, grants=second),
        )
        rows = (await group_grants(on, group))["userGrants"]
        stored = {r["login"]: r["permissions"] for r in rows}
        assert all(p == ["ro"] for p in stored.values()), stored
        assert set(stored) in (set(logins[:4]), set(logins[2:])), sorted(stored)


async def test_concurrent_creates_with_names_differing_in_case(on: Api) -> None:
    """Names are unique case-insensitively also when two creates race."""
    for _ in range(10):
        name = unique("race")
        results = await asyncio.gather(
            *(group_create(on, name=spelling) for spelling in (name, name.upper(), name.title()))
        )
        created = [p for p in results if p["group"] is not None]
        assert len(created) == 1, [p["group"] for p in created]
        refused = [codes(p) for p in results if p["group"] is None]
        assert refused == [[(("input", "name"), "NAME_TAKEN")]] * 2


PAYLOAD_STATE = (
    "mutation($i: CustomerUserSetGroupsInput!, $g: String!) { customerUserSetGroups(input: $i) "
    "{ customerUser { login groupGrants { group { name } permissions } "
    "effectivePermissions { group { name } permission } "
    'hasPermission(group: $g, permission: "rw") } changes { kind } userErrors { code } } }'
)


async def test_payload_shows_the_state_after_the_call(on: Api) -> None:
    """The returned customer user is read after the write (and, on a dry run, unchanged)."""
    user = await new_user(on, await new_customer(on))
    group = unique("g")
    group_id = await new_group(on, group)
    query = PAYLOAD_STATE
    grants = [{"groupId": group_id, "permissions": ["rw"]}]

    r = await on.gql(query, {"i": {"login": user, "grants": grants, "dryRun": True}, "g": group})
    payload = r.data["customerUserSetGroups"]
    assert [c["kind"] for c in payload["changes"]] == ["ADDED"]
    assert payload["customerUser"]["groupGrants"] == []
    assert payload["customerUser"]["effectivePermissions"] == []
    assert payload["customerUser"]["hasPermission"] is False

    r = await on.gql(query, {"i": {"login": user, "grants": grants}, "g": group})
    payload = r.data["customerUserSetGroups"]
    assert payload["customerUser"]["groupGrants"] == [
        {"group": {"name": group}, "permissions": ["rw"]}
    ]
    assert {
        (p["group"]["name"], p["permission"])
        for p in payload["customerUser"]["effectivePermissions"]
    } == {(group, "ro"), (group, "rw")}
    assert payload["customerUser"]["hasPermission"] is True


async def test_dry_run_still_validates(on: Api) -> None:
    customer = await new_customer(on)
    group_id = await new_group(on)
    payload = await assign(
        on,
        "customerUserSetGroups",
        login=unique("nobody"),
        grants=[{"groupId": group_id, "permissions": ["ro"]}],
        dryRun=True,
    )
    assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")]
    payload = await assign(
        on,
        "customerSetGroups",
        customerId=customer,
        grants=[{"groupId": group_id, "permissions": ["xx"]}],
        dryRun=True,
    )
    assert codes(payload) == [(("input", "grants", "0", "permissions"), "UNKNOWN_PERMISSION")]
    assert payload["changes"] == []
