"""Permissions inherited from customers, and the listings by group and by customer (issue 4).

Ports ``otobo-groups-services.md`` §7.4/§7.5 (listings by group and by customer, the
type asked for) and §7.7 (a user inherits its customers' group grants, primary and
assigned, unless ExcludePrimaryCustomerID), and the GroupID direction: a group's members
with the reasons they hold a permission, paged in login order. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from tests.api.groups_helpers import (
    MEMBERS,
    assign,
    codes,
    customer_grant_rows,
    customer_group_rows,
    direct_grants,
    effective,
    group_grants,
    has,
    held,
    members,
    set_customer_groups,
    set_user_customers,
    set_user_groups,
    user_grant_rows,
    user_relations,
)
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, new_group, new_user

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
