"""Renaming a customer (``newCustomerId``) through GraphQL: OTOBO's UpdateCustomerID.t (T119),
plus the relation rows OTOBO leaves orphaned, all repointed in one transaction or not at all.

Runs on SQLite and PostgreSQL. The relation rows are planted and counted with SQL.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.dialect import exactly
from datasources.db.tables import customer_user_customer, group_customer
from tests.api.customers_helpers import UPDATE, create_ok, get, update
from tests.checks import assert_clean, codes
from tests.conftest import Api, MakeApi, clock_tick, unique
from tests.factories import new_user

STAMPS = "query($l: String!) { customerUser(login: $l) { createdAt changedAt } }"
USER_GET = (
    "query($l: String!) { customerUser(login: $l) { login customerId customer { customerId } } }"
)


# --- rename (customer ID change) -------------------------------------------------------------


RENAME_KEYS = ["1", "2", "3", "ä", "カス", "*"]


async def insert_relations(api: Api, customer_id: str, logins: list[str]) -> None:
    now = utcnow()
    audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
    async with api.storage.engine.begin() as conn:
        for login in logins:
            await conn.execute(
                sa.insert(customer_user_customer).values(
                    user_id=login, customer_id=customer_id, **audit
                )
            )
        for group_id in (1, 2):
            await conn.execute(
                sa.insert(group_customer).values(
                    customer_id=customer_id,
                    group_id=group_id,
                    permission_key="ro",
                    permission_value=1,
                    permission_context="Registered",
                    **audit,
                )
            )


async def relation_counts(api: Api, customer_id: str) -> tuple[int, int]:
    async with api.storage.engine.connect() as conn:
        counts = []
        for table in (customer_user_customer, group_customer):
            query = (
                sa.select(sa.func.count())
                .select_from(table)
                .where(exactly(table.c.customer_id) == customer_id)
            )
            counts.append(int((await conn.execute(query)).scalar_one()))
    return counts[0], counts[1]


async def user_customer_id(api: Api, login: str) -> tuple[str, str | None]:
    user = (await api.data(USER_GET, {"l": login}))["customerUser"]
    assert user is not None, login
    return user["customerId"], (user["customer"] or {}).get("customerId")


@pytest.mark.parametrize("key", RENAME_KEYS)
async def test_rename_repoints_users_and_relations(api: Api, key: str) -> None:
    """OTOBO's UpdateCustomerID.t (T119), plus the relation rows OTOBO orphans."""
    prefix = unique("rn")
    old = f"{prefix}{key}"
    new = f"new{old}"
    await create_ok(api, customerId=old, name=f"Name {old}", city="Bonn")
    logins = [f"{prefix}{key}-{user_key}" for user_key in RENAME_KEYS]
    for login in logins:
        await new_user(api, old, login)
    await insert_relations(api, old, logins[:3])
    # An unrelated customer whose users and relation rows must stay untouched.
    bystander = f"{prefix}-other"
    await create_ok(api, customerId=bystander, name=f"Name {bystander}")
    await new_user(api, bystander, f"{prefix}-bystander")
    await insert_relations(api, bystander, [f"{prefix}-bystander"])

    payload = await update(api, customerId=old, newCustomerId=new)
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == new
    assert payload["customer"]["name"] == f"Name {old}"
    assert payload["customer"]["city"] == "Bonn"

    assert await get(api, old) is None
    assert (await get(api, new))["name"] == f"Name {old}"  # type: ignore[index]
    for login in logins:
        assert await user_customer_id(api, login) == (new, new), login
    assert await relation_counts(api, old) == (0, 0)
    assert await relation_counts(api, new) == (3, 2)
    assert await user_customer_id(api, f"{prefix}-bystander") == (bystander, bystander)
    assert await relation_counts(api, bystander) == (1, 2)


async def test_rename_stamps_the_users_it_repoints_as_changed(api: Api) -> None:
    """OTOBO's ``CustomerCompany`` event re-saves each user through ``CustomerUserUpdate``:
    change_time is the rename's, change_by the configured agent (as OTOBO's agent 2 had left
    it here), and ``changedAt`` says so."""
    old = unique("st")
    await create_ok(api, customerId=old, name=f"Name {old}")
    login = await new_user(api, old)
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE customer_user SET change_by = 2 WHERE login = :l"), {"l": login}
        )
    before = (await api.data(STAMPS, {"l": login}))["customerUser"]
    await clock_tick(api.kind)
    payload = await update(api, customerId=old, newCustomerId=f"new{old}")
    assert payload["userErrors"] == []
    after = (await api.data(STAMPS, {"l": login}))["customerUser"]
    assert after["createdAt"] == before["createdAt"]
    assert after["changedAt"] > before["changedAt"]
    async with api.storage.engine.connect() as conn:
        change_by = await conn.scalar(
            sa.text("SELECT change_by FROM customer_user WHERE login = :l"), {"l": login}
        )
    assert change_by == api.storage.origins.agent_id


async def test_rename_with_other_fields_in_one_update(api: Api) -> None:
    old = unique("rn")
    new = unique("rn")
    await create_ok(api, customerId=old, name=f"N {old}")
    payload = await update(api, customerId=old, newCustomerId=f"  {new} ", name=f"M {new}")
    assert payload["userErrors"] == []
    assert (payload["customer"]["customerId"], payload["customer"]["name"]) == (new, f"M {new}")


async def test_rename_case_only(api: Api) -> None:
    prefix = unique("case")
    old = f"{prefix}-abc"
    await create_ok(api, customerId=old, name=f"N {old}")
    await new_user(api, old, f"{prefix}-u")
    await insert_relations(api, old, [f"{prefix}-u"])
    payload = await update(api, customerId=old, newCustomerId=old.upper())
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == old.upper()
    assert await user_customer_id(api, f"{prefix}-u") == (old.upper(), old.upper())
    assert await relation_counts(api, old.upper()) == (1, 2)
    assert await relation_counts(api, old) == (0, 0)


async def test_rename_onto_existing_id_changes_nothing(api: Api) -> None:
    prefix = unique("rt")
    old, taken = f"{prefix}-old", f"{prefix}-taken"
    await create_ok(api, customerId=old, name=f"N {old}", city="Before")
    await create_ok(api, customerId=taken, name=f"N {taken}")
    await new_user(api, old, f"{prefix}-u")
    await insert_relations(api, old, [f"{prefix}-u"])
    for target in (taken, taken.upper()):
        payload = await update(api, customerId=old, newCustomerId=target, city="After")
        assert payload["customer"] is None
        assert codes(payload) == [(("input", "newCustomerId"), "CUSTOMER_ID_TAKEN")]
    stored = await get(api, old)
    assert stored is not None
    assert stored["city"] == "Before"
    assert (await get(api, taken))["name"] == f"N {taken}"  # type: ignore[index]
    assert await user_customer_id(api, f"{prefix}-u") == (old, old)
    assert await relation_counts(api, old) == (1, 2)
    assert await relation_counts(api, taken) == (0, 0)


@pytest.mark.parametrize(
    ("new_id", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("x" * 151, "TOO_LONG"),
        ("a\x00b", "INVALID_CHARACTERS"),
    ],
)
async def test_rename_to_bad_id(api: Api, new_id: str, code: str) -> None:
    cid = unique("rb")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, newCustomerId=new_id)
    assert payload["customer"] is None
    assert codes(payload) == [(("input", "newCustomerId"), code)]
    assert await get(api, cid) is not None


async def test_new_customer_id_null_does_not_rename(api: Api) -> None:
    cid = unique("rn")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, newCustomerId=None, city="X")
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == cid


async def test_rename_is_atomic_when_a_relation_update_fails(make_api: MakeApi) -> None:
    """A failure half-way through the cascade rolls everything back and leaks nothing."""
    fresh = await make_api()
    await create_ok(fresh, customerId="old", name="Old Inc")
    await new_user(fresh, "old", "atomic-user")
    await insert_relations(fresh, "old", ["atomic-user"])
    async with fresh.storage.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE group_customer RENAME TO group_customer_gone"))
    r = await fresh.gql(UPDATE, {"i": {"customerId": "old", "newCustomerId": "new", "city": "X"}})
    assert_clean(r)
    assert r.errors, r.body
    assert r.errors[0]["message"] == "Unexpected error."
    text = json.dumps(r.body).lower()
    for leak in ("group_customer", "update ", "sqlalchemy", "asyncpg", "sqlite", "no such table"):
        assert leak not in text, leak
    stored = await get(fresh, "old")
    assert stored is not None
    assert stored["city"] is None
    assert await get(fresh, "new") is None
    assert await user_customer_id(fresh, "atomic-user") == ("old", "old")
    async with fresh.storage.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(customer_user_customer)
        rows = await conn.execute(query.where(customer_user_customer.c.customer_id == "old"))
        assert rows.scalar_one() == 1
