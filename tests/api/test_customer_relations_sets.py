"""Customer users ↔ customers (OTOBO's customer_user_customer) through GraphQL (issue 4):
customerUserSetCustomers and customerSetCustomerUsers (both directions of OTOBO's
AdminCustomerUserCustomer screen) replace one side's set, and Customer.customerUsers lists
primary and assigned users (validity filter, pagination, totalCount).

Runs on SQLite and PostgreSQL. The catalogue cases of ``otobo-groups-services.md`` §7.10 (46-50)
are ported with their numbers. The ``test_customer_relations_*`` modules share
``customer_relations_helpers.py``.
"""

from __future__ import annotations

import pytest

from tests.api.customer_relations_helpers import (
    CUSTOMER_USERS,
    SET_CUSTOMERS,
    SET_USERS,
    USER_UPDATE,
    assigned,
    customer_ids,
    set_customers_ok,
    set_users_ok,
    users_of,
)
from tests.checks import assert_clean
from tests.conftest import Api, unique
from tests.factories import new_customer, new_user

# --- catalogue §7.10 (CustomerUserCustomer.t) -----------------------------------------------------


async def test_cucu_7_10_cases_47_to_50(api: Api) -> None:
    """§7.10 47-50, through the API; the users' primary customer is a third one."""
    prefix = unique("user")
    home = await new_customer(api)
    customer = await new_customer(api, f"customer{prefix}")
    customer_2 = await new_customer(api, f"customer{prefix}-2")
    user_1 = await new_user(api, home, f"user{prefix}")
    user_2 = await new_user(api, home, f"user{prefix}-2")

    # CustomerUserCustomer.t 7.10 case 47: user → customer; both directions list it.
    changes = await set_customers_ok(api, user_1, [customer])
    assert changes == {("ADDED", user_1, customer)}
    assert await assigned(api, user_1) == [customer]
    assert await users_of(api, customer) == [user_1]
    assert await customer_ids(api, user_1) == [home, customer]

    # 7.10 case 48: user-2 to customer too (from the customer's side).
    changes = await set_users_ok(api, customer, [user_1, user_2])
    assert changes == {("ADDED", user_2, customer)}
    assert await users_of(api, customer) == [user_1, user_2]
    assert await assigned(api, user_2) == [customer]

    # 7.10 case 49: both removed → every list empty, CustomerIDs just the primary.
    changes = await set_users_ok(api, customer, [])
    assert changes == {("REMOVED", user_1, customer), ("REMOVED", user_2, customer)}
    assert await users_of(api, customer) == []
    assert await assigned(api, user_1) == []
    assert await assigned(api, user_2) == []
    assert await customer_ids(api, user_1) == [home]

    # 7.10 case 50: user to customer and customer-2 → both, ordered by customer ID.
    changes = await set_customers_ok(api, user_1, [customer_2, customer])
    assert changes == {("ADDED", user_1, customer), ("ADDED", user_1, customer_2)}
    assert await assigned(api, user_1) == [customer, customer_2]
    assert await customer_ids(api, user_1) == [home, customer, customer_2]
    assert await users_of(api, customer) == [user_1]
    assert await users_of(api, customer_2) == [user_1]


async def test_cucu_7_10_case_46_missing_arguments_are_refused(api: Api) -> None:
    """§7.10 case 46: a call without a login or customer is refused (here by the schema)."""
    for query, values in (
        (SET_CUSTOMERS, {"customerIds": []}),
        (SET_CUSTOMERS, {"login": "x"}),
        (SET_USERS, {"logins": []}),
        (SET_USERS, {"customerId": "x"}),
    ):
        r = await api.gql(query, {"i": values})
        assert_clean(r)
        assert r.errors
        assert r.body.get("data") is None


# --- replacing the set, both directions ----------------------------------------------------------


async def test_customer_user_set_customers_replaces_only_that_users_set(api: Api) -> None:
    home = await new_customer(api)
    a, b, c = [await new_customer(api) for _ in range(3)]
    login = await new_user(api, home)
    other = await new_user(api, home)
    await set_customers_ok(api, other, [a])
    assert await set_customers_ok(api, login, [a, b]) == {
        ("ADDED", login, a),
        ("ADDED", login, b),
    }
    assert await set_customers_ok(api, login, [b, c]) == {
        ("ADDED", login, c),
        ("REMOVED", login, a),
    }
    assert await assigned(api, login) == sorted([b, c])
    assert await assigned(api, other) == [a]
    assert await users_of(api, a) == [other]
    # Idempotent, also with other casing.
    assert await set_customers_ok(api, login, [c.lower(), b.upper()]) == set()
    assert await assigned(api, login) == sorted([b, c])


async def test_customer_set_customer_users_replaces_only_that_customers_set(api: Api) -> None:
    home = await new_customer(api)
    target, elsewhere = await new_customer(api), await new_customer(api)
    prefix = unique("r")
    x, y, z = [await new_user(api, home, f"{prefix}-{n}") for n in "xyz"]
    await set_customers_ok(api, x, [elsewhere])
    assert await set_users_ok(api, target, [x, y]) == {("ADDED", x, target), ("ADDED", y, target)}
    assert await set_users_ok(api, target, [z, y]) == {
        ("ADDED", z, target),
        ("REMOVED", x, target),
    }
    assert await users_of(api, target) == [y, z]
    # x keeps its assignment to the other customer.
    assert await assigned(api, x) == [elsewhere]
    assert await set_users_ok(api, target, [y.upper(), z]) == set()


async def test_customer_users_lists_primary_and_assigned_once(api: Api) -> None:
    customer = await new_customer(api)
    other = await new_customer(api)
    prefix = unique("p")
    primary = await new_user(api, customer, f"{prefix}-a-primary")
    both = await new_user(api, customer, f"{prefix}-b-both")
    only_assigned = await new_user(api, other, f"{prefix}-c-assigned")
    await new_user(api, other, f"{prefix}-d-outsider")
    await set_users_ok(api, customer, [both, only_assigned])
    assert await users_of(api, customer) == [primary, both, only_assigned]
    # Assigning the primary customer again does not duplicate it anywhere.
    assert await customer_ids(api, both) == [customer]
    assert await assigned(api, both) == [customer]


async def test_customer_users_valid_filter(api: Api) -> None:
    customer = await new_customer(api)
    other = await new_customer(api)
    prefix = unique("v")
    valid = await new_user(api, customer, f"{prefix}-1")
    invalid = await new_user(api, customer, f"{prefix}-2", validity="INVALID")
    assigned_invalid = await new_user(api, other, f"{prefix}-3", validity="INVALID_TEMPORARILY")
    assigned_valid = await new_user(api, other, f"{prefix}-4")
    await set_users_ok(api, customer, [assigned_invalid, assigned_valid])
    assert await users_of(api, customer) == [valid, assigned_valid]
    assert await users_of(api, customer, valid=False) == [
        valid,
        invalid,
        assigned_invalid,
        assigned_valid,
    ]
    r = await api.gql(CUSTOMER_USERS, {"c": customer, "v": False, "f": 10, "a": None})
    validity = {n["login"]: n["validity"] for n in r.data["customer"]["customerUsers"]["nodes"]}
    assert validity[invalid] == "INVALID"
    assert validity[assigned_invalid] == "INVALID_TEMPORARILY"
    # A user set invalid later drops out of the valid list; its assignment stays.
    r = await api.gql(USER_UPDATE, {"i": {"login": assigned_valid, "validity": "INVALID"}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert await users_of(api, customer) == [valid]
    assert await assigned(api, assigned_valid) == [customer]


@pytest.mark.parametrize("first", [1, 2, 3, 7])
async def test_customer_users_pagination(api: Api, first: int) -> None:
    customer = await new_customer(api)
    other = await new_customer(api)
    prefix = unique("pg")
    primaries = [await new_user(api, customer, f"{prefix}-{i:02d}") for i in range(0, 10, 2)]
    assigned_users = [await new_user(api, other, f"{prefix}-{i:02d}") for i in range(1, 10, 2)]
    await set_users_ok(api, customer, assigned_users + primaries[:2])
    expected = sorted(primaries + assigned_users)
    assert await users_of(api, customer, first=first) == expected
    r = await api.gql(CUSTOMER_USERS, {"c": customer, "v": True, "f": first, "a": None})
    connection = r.data["customer"]["customerUsers"]
    assert connection["totalCount"] == 10
    assert connection["pageInfo"]["hasNextPage"] is (first < 10)
    assert [e["cursor"] for e in connection["edges"]][-1] == connection["pageInfo"]["endCursor"]


async def test_customer_users_of_a_customer_without_users(api: Api) -> None:
    customer = await new_customer(api)
    r = await api.gql(CUSTOMER_USERS, {"c": customer, "v": True, "f": 5, "a": None})
    connection = r.data["customer"]["customerUsers"]
    assert connection == {
        "totalCount": 0,
        "nodes": [],
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
