"""The four group assignment mutations as they should work (issue 4).

customerUserSetGroups, groupSetCustomerUsers, customerSetGroups and groupSetCustomers replace
the whole set, report ``changes``, are idempotent, honour ``dryRun`` (same changes, nothing
written), need an admin key, do not mix when two run at once, and show the state after the
call in their payload; renaming a login or a customer ID carries its grants along. Bad input
is in ``test_group_assignment_input.py``. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.groups_helpers import (
    ASSIGN,
    CUSTOMER_UPDATE,
    EFFECTIVE,
    USER_UPDATE,
    Reason,
    assign,
    assign_ok,
    assign_raw,
    codes,
    customer_grant_rows,
    customer_group_rows,
    direct_grants,
    effective,
    group_create,
    group_grants,
    members,
    set_customer_groups,
    set_user_customers,
    set_user_groups,
    user_grant_rows,
    user_relations,
)
from tests.conftest import Api, unique
from tests.factories import new_customer, new_group, new_user

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
