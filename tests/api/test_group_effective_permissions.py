"""Which groups a customer user holds, and why: effective permissions (issue 4).

Ports ``otobo-groups-services.md`` §7.1 (GroupMemberAdd / PermissionCheck: rw implies every
type, ro does not imply rw), §7.3 (always-groups and company always-groups) and §7.9 (invalid
users drop out), plus group support off (every valid group, every type), contexts (Other is
stored but grants nothing) and invalid groups dropping out. Each ported case names its
number, e.g. ``CG.t 7.1 step 6``. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from tests.api.groups_helpers import (
    MEMBERS,
    USER_UPDATE,
    assign,
    assign_ok,
    codes,
    customer_grant_rows,
    customer_group_rows,
    direct_grants,
    effective,
    has,
    held,
    members,
    set_customer_groups,
    set_user_customers,
    set_user_groups,
    set_validity,
    user_grant_rows,
)
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, new_group, new_user

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
