"""Customer users ↔ customers (OTOBO's customer_user_customer) through GraphQL (issue 4).

Runs on SQLite and PostgreSQL. Covers customerUserSetCustomers and customerSetCustomerUsers
(both directions of OTOBO's AdminCustomerUserCustomer screen), CustomerUser.customerIds in
OTOBO's order (CustomerIDs), CustomerUser.customers, Customer.customerUsers (primary or
assigned; validity filter; pagination; totalCount), bad input and dryRun. The catalogue cases
of ``otobo-groups-services.md`` §7.10 (46-50) are ported with their numbers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Api, GraphQLResponse, MakeApi, unique
from tests.factories import new_customer, new_user

ERRORS = "userErrors { field code message }"
CHANGES = "changes { kind login customerId groupId permission context }"
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ login }} {ERRORS} }} }}"
)
SET_CUSTOMERS = (
    "mutation($i: CustomerUserSetCustomersInput!) { customerUserSetCustomers(input: $i) { "
    f"customerUser {{ login customerIds customers {{ customerId }} }} {CHANGES} {ERRORS} }} }}"
)
SET_USERS = (
    "mutation($i: CustomerSetCustomerUsersInput!) { customerSetCustomerUsers(input: $i) { "
    f"customer {{ customerId customerUsers {{ nodes {{ login }} }} }} {CHANGES} {ERRORS} }} }}"
)
USER = (
    "query($l: String!) { customerUser(login: $l) { login customerId customerIds "
    "customers { customerId name } } }"
)
CUSTOMER_USERS = (
    "query($c: String!, $v: Boolean!, $f: Int!, $a: String) { customer(customerId: $c) { "
    "customerUsers(valid: $v, first: $f, after: $a) { totalCount nodes { login validity } "
    "edges { cursor } pageInfo { hasNextPage endCursor } } } }"
)


def assert_clean(response: GraphQLResponse) -> None:
    text = json.dumps(response.body)
    assert response.status < 500, response.body
    assert "Traceback" not in text
    assert ".py" not in text, text[:500]


def codes(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [(tuple(e["field"]) if e["field"] else None, e["code"]) for e in payload["userErrors"]]


def change_rows(payload: dict[str, Any]) -> set[tuple[str, str, str]]:
    rows = [(c["kind"], c["login"], c["customerId"]) for c in payload["changes"]]
    assert len(rows) == len(set(rows)), rows
    for c in payload["changes"]:
        assert (c["groupId"], c["permission"], c["context"]) == (None, None, None)
    return set(rows)


async def set_customers_raw(
    api: Api, login: str, customer_ids: list[str], *, dry_run: bool = False, key: str = "admin"
) -> GraphQLResponse:
    values = {"login": login, "customerIds": customer_ids, "dryRun": dry_run}
    r = await api.gql(SET_CUSTOMERS, {"i": values}, key=key)
    assert_clean(r)
    return r


async def set_customers(
    api: Api, login: str, customer_ids: list[str], *, dry_run: bool = False
) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await set_customers_raw(api, login, customer_ids, dry_run=dry_run)
    ).data["customerUserSetCustomers"]
    return payload


async def set_users_raw(
    api: Api, customer_id: str, logins: list[str], *, dry_run: bool = False, key: str = "admin"
) -> GraphQLResponse:
    values = {"customerId": customer_id, "logins": logins, "dryRun": dry_run}
    r = await api.gql(SET_USERS, {"i": values}, key=key)
    assert_clean(r)
    return r


async def set_users(
    api: Api, customer_id: str, logins: list[str], *, dry_run: bool = False
) -> dict[str, Any]:
    payload: dict[str, Any] = (await set_users_raw(api, customer_id, logins, dry_run=dry_run)).data[
        "customerSetCustomerUsers"
    ]
    return payload


async def set_customers_ok(api: Api, login: str, customer_ids: list[str]) -> set[Any]:
    payload = await set_customers(api, login, customer_ids)
    assert payload["userErrors"] == [], payload
    return change_rows(payload)


async def set_users_ok(api: Api, customer_id: str, logins: list[str]) -> set[Any]:
    payload = await set_users(api, customer_id, logins)
    assert payload["userErrors"] == [], payload
    return change_rows(payload)


async def user(api: Api, login: str) -> dict[str, Any]:
    r = await api.gql(USER, {"l": login})
    assert_clean(r)
    found: dict[str, Any] = r.data["customerUser"]
    assert found is not None, login
    return found


async def customer_ids(api: Api, login: str) -> list[str]:
    ids: list[str] = (await user(api, login))["customerIds"]
    return ids


async def assigned(api: Api, login: str) -> list[str]:
    return [c["customerId"] for c in (await user(api, login))["customers"]]


async def users_of(
    api: Api, customer_id: str, *, valid: bool = True, first: int = 100
) -> list[str]:
    """Every login of Customer.customerUsers, walking all pages (checked for duplicates)."""
    seen: list[str] = []
    after: str | None = None
    total: int | None = None
    while True:
        r = await api.gql(CUSTOMER_USERS, {"c": customer_id, "v": valid, "f": first, "a": after})
        assert_clean(r)
        connection = r.data["customer"]["customerUsers"]
        assert len(connection["nodes"]) <= first
        total = connection["totalCount"]
        seen += [n["login"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after is not None
    assert len(seen) == len(set(seen)), seen
    assert total == len(seen)
    return seen


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


# --- CustomerUser.customerIds order ---------------------------------------------------------------


async def test_customer_ids_order_primary_first_then_assigned_sorted(api: Api) -> None:
    prefix = unique("ord")
    primary = await new_customer(api, f"{prefix}-M")
    z, a, k = [await new_customer(api, f"{prefix}-{n}") for n in ("Z", "A", "K")]
    login = await new_user(api, primary)
    await set_customers_ok(api, login, [z, a, k])
    assert await customer_ids(api, login) == [primary, a, k, z]
    assert await assigned(api, login) == [a, k, z]
    # The primary assigned again is not listed twice.
    await set_customers_ok(api, login, [z, primary, a])
    assert await customer_ids(api, login) == [primary, a, z]
    found = await user(api, login)
    assert found["customerId"] == primary
    assert [c["customerId"] for c in found["customers"]] == sorted([z, primary, a])
    assert all(c["name"] == f"Company {c['customerId']}" for c in found["customers"])


async def test_customer_ids_deduplicate_case_insensitively(api: Api) -> None:
    """A primary customer ID stored in other casing than the company's (as an OTOBO database
    may hold it; Roster itself stores the company's spelling) is still the same customer:
    assigning the company does not add a second entry."""
    prefix = unique("case")
    company = await new_customer(api, f"{prefix}-Acme")
    login = await new_user(api, company)
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE customer_user SET customer_id = :c WHERE login = :l"),
            {"c": company.upper(), "l": login},
        )
    assert await customer_ids(api, login) == [company.upper()]
    changes = await set_customers_ok(api, login, [company.lower()])
    assert changes == {("ADDED", login, company)}  # stored as the company spells it
    assert await customer_ids(api, login) == [company.upper()]
    assert await assigned(api, login) == [company]
    assert await users_of(api, company) == [login]


async def test_customer_ids_with_exclude_primary_customer_id(make_api: MakeApi) -> None:
    api = await make_api(
        customer_user={"backends": [{"name": "CustomerUser", "exclude_primary_customer_id": True}]}
    )
    primary = await new_customer(api, "P")
    b, a = await new_customer(api, "B"), await new_customer(api, "A")
    login = await new_user(api, primary, "jane")
    assert await customer_ids(api, login) == []
    await set_customers_ok(api, login, [b, a])
    assert await customer_ids(api, login) == [a, b]
    await set_customers_ok(api, login, [b, primary])
    assert await customer_ids(api, login) == [b, primary]
    # Customer.customerUsers still lists users by their primary customer.
    assert await users_of(api, primary) == [login]


# --- bad input -----------------------------------------------------------------------------------


async def test_unknown_customers_and_logins(api: Api) -> None:
    home = await new_customer(api)
    login = await new_user(api, home)
    good = await new_customer(api)
    missing_customer, missing_login = unique("nocust"), unique("nobody")

    payload = await set_customers(api, login, [good, missing_customer, good, missing_customer])
    assert codes(payload) == [
        (("input", "customerIds", "1"), "UNKNOWN_CUSTOMER"),
        (("input", "customerIds", "3"), "UNKNOWN_CUSTOMER"),
    ]
    assert payload["customerUser"] is None
    assert payload["changes"] == []
    payload = await set_customers(api, missing_login, [good])
    assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")]

    payload = await set_users(api, good, [login, missing_login])
    assert codes(payload) == [(("input", "logins", "1"), "UNKNOWN_CUSTOMER_USER")]
    assert payload["customer"] is None
    payload = await set_users(api, missing_customer, [login])
    assert codes(payload) == [(("input", "customerId"), "UNKNOWN_CUSTOMER")]

    # Atomic: nothing was written.
    assert await assigned(api, login) == []
    assert await users_of(api, good) == []


async def test_nul_and_blank_keys_are_user_errors(api: Api) -> None:
    home = await new_customer(api)
    login = await new_user(api, home)
    for bad in (f"{home}\x00", "\x00", "", "   "):
        payload = await set_customers(api, login, [bad])
        assert codes(payload) == [(("input", "customerIds", "0"), "UNKNOWN_CUSTOMER")], bad
        payload = await set_users(api, bad, [login])
        assert codes(payload) == [(("input", "customerId"), "UNKNOWN_CUSTOMER")], bad
    for bad in (f"{login}\x00", "\x00", "", "  "):
        payload = await set_customers(api, bad, [home])
        assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")], bad
        payload = await set_users(api, home, [bad])
        assert codes(payload) == [(("input", "logins", "0"), "UNKNOWN_CUSTOMER_USER")], bad
    assert await assigned(api, login) == []


async def test_duplicates_in_one_input_are_deduplicated(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    other = await new_user(api, home)
    changes = await set_customers_ok(api, login, [target, target.lower(), target.upper(), target])
    assert changes == {("ADDED", login, target)}
    assert await assigned(api, login) == [target]
    changes = await set_users_ok(api, target, [other, login, other.upper(), login])
    assert changes == {("ADDED", other, target)}
    assert await users_of(api, target) == sorted([login, other])


async def test_more_than_10000_entries_is_refused(api: Api) -> None:
    home = await new_customer(api)
    login = await new_user(api, home)
    payload = await set_customers(api, login, [home] * 10_001)
    assert codes(payload) == [(("input", "customerIds"), "TOO_LONG")]
    payload = await set_users(api, home, [login] * 10_001)
    assert codes(payload) == [(("input", "logins"), "TOO_LONG")]
    assert await assigned(api, login) == []
    # 10,000 is still fine.
    assert await set_customers_ok(api, login, [home] * 10_000) == {("ADDED", login, home)}


# --- dryRun and authorization --------------------------------------------------------------------


async def test_dry_run_in_both_directions(api: Api) -> None:
    home = await new_customer(api)
    a, b = await new_customer(api), await new_customer(api)
    login = await new_user(api, home)
    await set_customers_ok(api, login, [a])

    payload = await set_customers(api, login, [b], dry_run=True)
    assert payload["userErrors"] == []
    dry = change_rows(payload)
    assert dry == {("ADDED", login, b), ("REMOVED", login, a)}
    # The payload and a fresh read both show the stored (unchanged) state.
    assert [c["customerId"] for c in payload["customerUser"]["customers"]] == [a]
    assert await assigned(api, login) == [a]
    assert change_rows(await set_customers(api, login, [b])) == dry
    assert await assigned(api, login) == [b]

    payload = await set_users(api, a, [login], dry_run=True)
    dry = change_rows(payload)
    assert dry == {("ADDED", login, a)}
    assert payload["customer"]["customerUsers"]["nodes"] == []
    assert await users_of(api, a) == []
    assert change_rows(await set_users(api, a, [login])) == dry
    assert await users_of(api, a) == [login]
    # A dry run of the stored state reports nothing.
    assert change_rows(await set_users(api, a, [login], dry_run=True)) == set()


async def test_payload_shows_the_state_after_the_call(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    payload = await set_customers(api, login, [target])
    assert payload["customerUser"]["customerIds"] == [home, target]
    assert [c["customerId"] for c in payload["customerUser"]["customers"]] == [target]
    payload = await set_users(api, target, [])
    assert payload["customer"]["customerUsers"]["nodes"] == []


async def test_read_key_cannot_assign(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    r = await set_customers_raw(api, login, [target], key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    r = await set_users_raw(api, target, [login], key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert await assigned(api, login) == []
    assert await users_of(api, target) == []
    # Reading the relations is fine with a read key.
    r = await api.gql(USER, {"l": login}, key="read")
    assert r.data["customerUser"]["customerIds"] == [home]


# --- renames -------------------------------------------------------------------------------------


async def test_renames_carry_the_assignments(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    await set_customers_ok(api, login, [target])

    new_login = unique("renamed")
    r = await api.gql(USER_UPDATE, {"i": {"login": login, "newLogin": new_login}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert await customer_ids(api, new_login) == [home, target]
    assert await users_of(api, target) == [new_login]

    new_id = unique("NEWID")
    r = await api.gql(
        "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { userErrors { code } } }",
        {"i": {"customerId": target, "newCustomerId": new_id}},
    )
    assert r.data["customerUpdate"]["userErrors"] == []
    assert await customer_ids(api, new_login) == [home, new_id]
    assert await assigned(api, new_login) == [new_id]
    assert await users_of(api, new_id) == [new_login]
