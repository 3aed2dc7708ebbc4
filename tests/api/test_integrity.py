"""Data integrity under concurrency and odd input (issue 11: defects 5, 11b, 11c).

- E-mail uniqueness (``email_uniq_check``, OTOBO's CustomerUserEmailUniqCheck) holds when many
  creates and updates race for one address, in any case: exactly one user gets it.
- A customer ID typed in another case than the customer's is stored as the customer spells it.
- One assignment input that grants the same group (login, customer) twice with different
  permissions is refused with ``DUPLICATE`` at the later entry, and nothing is written; the
  same permissions twice is a harmless repetition and accepted.

Every test runs on SQLite and PostgreSQL. SQL only looks at what was stored.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.customer_users_helpers import sql
from tests.checks import errors
from tests.conftest import Api, MakeApi, unique
from tests.factories import ERRORS, new_customer, new_group, user_input

USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    f"customerUser {{ login email customerId }} {ERRORS} }} }}"
)
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ login email customerId }} {ERRORS} }} }}"
)
ASSIGN = {
    "customerUserSetGroups": "CustomerUserSetGroupsInput",
    "groupSetCustomerUsers": "GroupSetCustomerUsersInput",
    "customerSetGroups": "CustomerSetGroupsInput",
    "groupSetCustomers": "GroupSetCustomersInput",
    "customerUserSetCustomers": "CustomerUserSetCustomersInput",
    "customerSetCustomerUsers": "CustomerSetCustomerUsersInput",
}
RACERS = 50
POOL = {"pool_size": 10}
"""The racers' app: up to 20 connections (the pool and as many again on PostgreSQL), so
PostgreSQL runs 20 at a time without using up a shared server's connections."""


# ---- helpers --------------------------------------------------------------------------------


async def create(api: Api, data: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.gql(USER_CREATE, {"i": data})).data["customerUserCreate"]
    return payload


async def create_ok(api: Api, customer_id: str, **fields: Any) -> dict[str, Any]:
    payload = await create(api, user_input(customer_id, **fields))
    assert payload["userErrors"] == [], payload
    user: dict[str, Any] = payload["customerUser"]
    return user


async def update(api: Api, login: str, **changes: Any) -> dict[str, Any]:
    r = await api.gql(USER_UPDATE, {"i": {"login": login, **changes}})
    payload: dict[str, Any] = r.data["customerUserUpdate"]
    return payload


async def assign(api: Api, mutation: str, **values: Any) -> dict[str, Any]:
    query = (
        f"mutation($i: {ASSIGN[mutation]}!) {{ {mutation}(input: $i) {{ "
        f"changes {{ kind }} {ERRORS} }} }}"
    )
    payload: dict[str, Any] = (await api.gql(query, {"i": values})).data[mutation]
    return payload


async def holders_of(api: Api, address: str) -> list[str]:
    """The logins whose stored e-mail is ``address`` in any case."""
    rows = await sql(
        api, "SELECT login FROM customer_user WHERE lower(email) = :e", {"e": address.lower()}
    )
    return [str(row[0]) for row in rows]


def spellings(address: str) -> list[str]:
    """``address`` in several cases, one per racer."""
    cases = [address, address.upper(), address.capitalize(), address.swapcase()]
    return [cases[i % len(cases)] for i in range(RACERS)]


def one_winner(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """The only accepted payload; every other one refused the address as taken."""
    winners = [p for p in payloads if p["customerUser"] is not None]
    assert len(winners) == 1, [errors(p) for p in payloads if p["customerUser"] is not None]
    for payload in payloads:
        if payload["customerUser"] is None:
            assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]
    return winners[0]


# ---- e-mail uniqueness under concurrency ----------------------------------------------------


async def test_concurrent_creates_with_one_address_let_exactly_one_win(make_api: MakeApi) -> None:
    """50 creates, different logins, one address in four spellings, all at once: one user."""
    fresh = await make_api(database=POOL)
    cid = await new_customer(fresh)
    address = f"race.{unique('')}@acme.test"
    payloads = await asyncio.gather(
        *(create(fresh, user_input(cid, email=spelled)) for spelled in spellings(address))
    )
    winner = one_winner(list(payloads))
    assert await holders_of(fresh, address) == [winner["customerUser"]["login"]]


async def test_concurrent_updates_to_one_address_let_exactly_one_win(make_api: MakeApi) -> None:
    fresh = await make_api(database=POOL)
    cid = await new_customer(fresh)
    users = await asyncio.gather(*(create_ok(fresh, cid) for _ in range(RACERS)))
    address = f"race.{unique('')}@acme.test"
    payloads = await asyncio.gather(
        *(
            update(fresh, user["login"], email=spelled)
            for user, spelled in zip(users, spellings(address), strict=True)
        )
    )
    winner = one_winner(list(payloads))
    assert await holders_of(fresh, address) == [winner["customerUser"]["login"]]
    # The refused users kept their own addresses.
    for user, payload in zip(users, payloads, strict=True):
        if payload["customerUser"] is None:
            assert await holders_of(fresh, user["email"]) == [user["login"]]


async def test_creates_and_updates_racing_for_one_address_let_exactly_one_win(
    make_api: MakeApi,
) -> None:
    fresh = await make_api(database=POOL)
    cid = await new_customer(fresh)
    users = await asyncio.gather(*(create_ok(fresh, cid) for _ in range(RACERS // 2)))
    address = f"race.{unique('')}@acme.test"
    spelled = spellings(address)
    updates = [
        update(fresh, user["login"], email=spelled[i], firstName="Renamed")
        for i, user in enumerate(users)
    ]
    creates = [create(fresh, user_input(cid, email=s)) for s in spelled[len(users) :]]
    payloads = await asyncio.gather(*updates, *creates)
    winner = one_winner(list(payloads))
    assert await holders_of(fresh, address) == [winner["customerUser"]["login"]]


async def test_renaming_a_user_keeps_its_address_without_a_conflict(api: Api) -> None:
    """A rename (new login, same address in another case) is no second holder of it."""
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    new_login = unique("renamed")
    payload = await update(api, user["login"], newLogin=new_login, email=user["email"].upper())
    assert errors(payload) == []
    assert await holders_of(api, user["email"]) == [new_login]


# ---- a customer ID as the customer spells it ------------------------------------------------


async def test_a_users_customer_id_is_stored_as_the_customer_spells_it(api: Api) -> None:
    cid = await new_customer(api, unique("AcMe"))
    other = await new_customer(api, unique("OtHeR"))
    user = await create_ok(api, cid.lower())
    assert user["customerId"] == cid
    stored = await sql(
        api, "SELECT customer_id FROM customer_user WHERE login = :l", {"l": user["login"]}
    )
    assert stored == [(cid,)]

    # An update naming the same customer in another case, and one naming another customer.
    payload = await update(api, user["login"], customerId=cid.swapcase())
    assert errors(payload) == []
    assert payload["customerUser"]["customerId"] == cid
    payload = await update(api, user["login"], customerId=other.upper())
    assert payload["customerUser"]["customerId"] == other
    stored = await sql(
        api, "SELECT customer_id FROM customer_user WHERE login = :l", {"l": user["login"]}
    )
    assert stored == [(other,)]


async def test_assignments_store_the_customers_spelling(groups_on: Api) -> None:
    """A guard: every assignment that names a customer stores its own spelling."""
    api = groups_on
    cid = await new_customer(api, unique("MiXed"))
    home = await new_customer(api)
    user = (await create_ok(api, home))["login"]
    group = await new_group(api)
    ok = await assign(api, "customerUserSetCustomers", login=user, customerIds=[cid.lower()])
    assert errors(ok) == []
    rows = await sql(
        api, "SELECT customer_id FROM customer_user_customer WHERE user_id = :u", {"u": user}
    )
    assert rows == [(cid,)]
    ok = await assign(api, "customerSetCustomerUsers", customerId=cid.upper(), logins=[user])
    assert (errors(ok), ok["changes"]) == ([], [])  # the same row: nothing to change
    grants = [{"groupId": group, "permissions": ["ro"]}]
    ok = await assign(api, "customerSetGroups", customerId=cid.lower(), grants=grants)
    assert errors(ok) == []
    ok = await assign(
        api,
        "groupSetCustomers",
        groupId=group,
        grants=[
            {"customerId": cid.lower(), "permissions": ["ro"]},
            {"customerId": cid.upper(), "permissions": ["rw"], "context": "OTHER"},
        ],
    )
    assert errors(ok) == []
    rows = await sql(
        api, "SELECT DISTINCT customer_id FROM group_customer WHERE group_id = :g", {"g": group}
    )
    assert rows == [(cid,)]


# ---- the same target twice in one assignment ------------------------------------------------


async def stored_rows(api: Api, group_ids: list[int]) -> int:
    """Relation rows of these groups, users' and customers': "nothing was written"."""
    total = 0
    ids = ", ".join(str(int(group_id)) for group_id in group_ids)
    for table in ("group_customer_user", "group_customer"):
        rows = await sql(api, f"SELECT count(*) FROM {table} WHERE group_id IN ({ids})")
        total += int(rows[0][0])
    return total


@pytest.mark.parametrize("dry_run", [False, True])
async def test_one_group_twice_with_other_permissions_is_refused(
    groups_on: Api, dry_run: bool
) -> None:
    api = groups_on
    cid = await new_customer(api)
    user = (await create_ok(api, cid))["login"]
    group, other = await new_group(api), await new_group(api)
    cases = [
        (
            "customerUserSetGroups",
            {"login": user},
            [
                {"groupId": group, "permissions": ["ro"]},
                {"groupId": other, "permissions": ["rw"]},
                {"groupId": group, "permissions": ["rw"]},
            ],
            ["input", "grants", "2", "groupId"],
        ),
        (
            "groupSetCustomerUsers",
            {"groupId": group},
            [
                {"login": user, "permissions": ["ro"]},
                {"login": user.upper(), "permissions": ["ro", "rw"]},
            ],
            ["input", "grants", "1", "login"],
        ),
        (
            "customerSetGroups",
            {"customerId": cid},
            [
                {"groupId": group, "permissions": ["ro"]},
                {"groupId": group, "permissions": ["rw"], "context": "OTHER"},  # another context
                {"groupId": group, "permissions": ["rw"], "context": "SAME"},
            ],
            ["input", "grants", "2", "groupId"],
        ),
        (
            "groupSetCustomers",
            {"groupId": group},
            [
                {"customerId": cid, "permissions": ["rw"]},
                {"customerId": cid.lower(), "permissions": ["ro"]},
            ],
            ["input", "grants", "1", "customerId"],
        ),
    ]
    for mutation, owner, grants, path in cases:
        payload = await assign(api, mutation, **owner, grants=grants, dryRun=dry_run)
        assert errors(payload) == [("DUPLICATE", path)], mutation
        assert payload["changes"] == [], mutation
    assert await stored_rows(api, [group, other]) == 0


async def test_one_group_twice_with_the_same_permissions_is_a_repetition(groups_on: Api) -> None:
    api = groups_on
    cid = await new_customer(api)
    user = (await create_ok(api, cid))["login"]
    group = await new_group(api)
    payload = await assign(
        api,
        "customerUserSetGroups",
        login=user,
        grants=[
            {"groupId": group, "permissions": ["ro", "rw"]},
            {"groupId": group, "permissions": ["rw", "ro", "rw"]},
        ],
    )
    assert errors(payload) == []
    assert len(payload["changes"]) == 2
    payload = await assign(
        api,
        "groupSetCustomers",
        groupId=group,
        grants=[
            {"customerId": cid, "permissions": ["ro"]},
            {"customerId": cid.upper(), "permissions": ["ro"]},
        ],
    )
    assert errors(payload) == []
    assert await stored_rows(api, [group]) == 3
