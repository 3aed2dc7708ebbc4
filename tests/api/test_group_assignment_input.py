"""Bad input to the group assignment mutations (issue 4): typed errors, nothing written.

Unknown logins, groups and customers, unknown permission keys, invalid groups, duplicate
entries, NUL characters and more than 10,000 entries are each a user error naming the
entry; one bad entry writes nothing of the call; a large valid set goes through in one call.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from tests.api.groups_helpers import (
    HAS,
    MEMBERS,
    assert_clean,
    assign,
    assign_ok,
    bulk_users,
    change_rows,
    codes,
    customer_grant_rows,
    customer_group_rows,
    direct_grants,
    effective,
    has,
    set_user_groups,
    set_validity,
    user_grant_rows,
)
from tests.conftest import Api, unique
from tests.factories import new_customer, new_group, new_user

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
