"""Authorization and audit on SQLite and PostgreSQL: a read key reads everything and changes
nothing (FORBIDDEN, nothing written); createdBy/changedBy name the key that wrote a row, also
after it was revoked, or the id of whoever else wrote it.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from datasources.db.api_keys import Scope
from datasources.db.tables import customer_company, customer_user
from tests.api.auth_helpers import (
    CUSTOMER_CREATE,
    CUSTOMER_GET,
    CUSTOMER_UPDATE,
    USER_CREATE,
    USER_GET,
    USER_SET_PASSWORD,
    USER_UPDATE,
    assert_forbidden,
    assert_no_leak,
    bearer,
    create_customer,
    create_user,
    new_key,
)
from tests.conftest import Api, unique

# --- authorization (read scope) ------------------------------------------------------------------


async def test_read_key_can_query(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    data = (
        await api.gql(
            "query($c: String!, $l: String!) { customer(customerId: $c) { customerId } "
            "customerUser(login: $l) { login customer { customerId } } "
            "customers(first: 1) { totalCount } customerUsers(first: 1) { totalCount } "
            "customerUserFields { attribute } }",
            {"c": customer["customerId"], "l": user["login"]},
            key="read",
        )
    ).data
    assert data["customer"] == {"customerId": customer["customerId"]}
    assert data["customerUser"]["customer"] == {"customerId": customer["customerId"]}
    assert data["customers"]["totalCount"] >= 1
    assert data["customerUserFields"]


async def test_read_key_cannot_create_customer(api: Api) -> None:
    cid = unique("C")
    r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key="read")
    assert_forbidden(r, "customerCreate")
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_read_key_cannot_update_customer(api: Api) -> None:
    customer = await create_customer(api, city="Before")
    cid = customer["customerId"]
    new_id = unique("C")
    r = await api.gql(
        CUSTOMER_UPDATE,
        {"i": {"customerId": cid, "city": "After", "newCustomerId": new_id}},
        key="read",
    )
    assert_forbidden(r, "customerUpdate")
    stored = (await api.data(CUSTOMER_GET, {"c": cid}))["customer"]
    assert stored["city"] == "Before"
    assert stored["changedAt"] == customer["changedAt"]
    assert (await api.data(CUSTOMER_GET, {"c": new_id}))["customer"] is None


async def test_read_key_cannot_create_customer_user(api: Api) -> None:
    customer = await create_customer(api)
    login = unique("u")
    r = await api.gql(
        USER_CREATE,
        {
            "i": {
                "login": login,
                "firstName": "F",
                "lastName": "L",
                "email": f"{login}@acme.test",
                "customerId": customer["customerId"],
            }
        },
        key="read",
    )
    assert_forbidden(r, "customerUserCreate")
    assert "generatedPassword" not in json.dumps(r.body)
    assert (await api.data(USER_GET, {"l": login}))["customerUser"] is None


async def test_read_key_cannot_update_customer_user(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    new_login = unique("u")
    r = await api.gql(
        USER_UPDATE,
        {"i": {"login": user["login"], "city": "After", "newLogin": new_login}},
        key="read",
    )
    assert_forbidden(r, "customerUserUpdate")
    assert (await api.data(USER_GET, {"l": user["login"]}))["customerUser"] == user
    assert (await api.data(USER_GET, {"l": new_login}))["customerUser"] is None


async def stored_password_hash(api: Api, login: str) -> str | None:
    async with api.storage.engine.connect() as conn:
        query = sa.select(customer_user.c.pw).where(customer_user.c.login == login)
        return (await conn.execute(query)).scalar_one()  # type: ignore[no-any-return]


async def test_read_key_cannot_set_password(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    before = await stored_password_hash(api, user["login"])
    assert before
    for password in (None, "a brand new password"):
        r = await api.gql(
            USER_SET_PASSWORD, {"i": {"login": user["login"], "password": password}}, key="read"
        )
        assert_forbidden(r, "customerUserSetPassword")
        assert "generatedPassword" not in json.dumps(r.body)
    assert await stored_password_hash(api, user["login"]) == before
    assert (await api.data(USER_GET, {"l": user["login"]}))["customerUser"] == user


async def test_read_key_with_several_mutations_in_one_request(api: Api) -> None:
    a, b = unique("C"), unique("C")
    r = await api.gql(
        "mutation { a: customerCreate(input: {customerId: "
        f'"{a}", name: "{a}"}}) {{ customer {{ customerId }} }} '
        f'b: customerCreate(input: {{customerId: "{b}", name: "{b}"}}) '
        "{ customer { customerId } } }",
        key="read",
    )
    assert_no_leak(r)
    # Mutations run in order; the first refusal nulls the (non-null) root and stops the rest.
    assert r.error_codes
    assert set(r.error_codes) == {"FORBIDDEN"}
    assert r.body.get("data") is None
    for cid in (a, b):
        assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_admin_key_can_mutate(api: Api) -> None:
    customer = await create_customer(api)
    r = await api.gql(CUSTOMER_UPDATE, {"i": {"customerId": customer["customerId"], "city": "X"}})
    assert r.data["customerUpdate"]["userErrors"] == []


# --- audit: create_by / change_by ------------------------------------------------------------


async def test_created_by_and_changed_by_name_the_keys(api: Api) -> None:
    first, first_name = await new_key(api, Scope.ADMIN, "creator-")
    second, second_name = await new_key(api, Scope.ADMIN, "changer-")

    customer = await create_customer(api, key=bearer(first))
    assert (customer["createdBy"], customer["changedBy"]) == (first_name, first_name)
    r = await api.gql(
        CUSTOMER_UPDATE,
        {"i": {"customerId": customer["customerId"], "city": "X"}},
        key=bearer(second),
    )
    updated = r.data["customerUpdate"]["customer"]
    assert (updated["createdBy"], updated["changedBy"]) == (first_name, second_name)
    stored = (await api.data(CUSTOMER_GET, {"c": customer["customerId"]}))["customer"]
    assert (stored["createdBy"], stored["changedBy"]) == (first_name, second_name)

    user = await create_user(api, customer["customerId"], key=bearer(first))
    assert (user["createdBy"], user["changedBy"]) == (first_name, first_name)
    r = await api.gql(USER_UPDATE, {"i": {"login": user["login"], "city": "Y"}}, key=bearer(second))
    updated_user = r.data["customerUserUpdate"]["customerUser"]
    assert (updated_user["createdBy"], updated_user["changedBy"]) == (first_name, second_name)

    # A revoked key's name still labels what it wrote.
    await api.storage.api_keys.revoke(first_name)
    stored = (await api.data(CUSTOMER_GET, {"c": customer["customerId"]}))["customer"]
    assert (stored["createdBy"], stored["changedBy"]) == (first_name, second_name)


async def test_set_password_records_the_changer(api: Api) -> None:
    customer = await create_customer(api)
    user = await create_user(api, customer["customerId"])
    secret, name = await new_key(api, Scope.ADMIN, "pw-")
    r = await api.gql(USER_SET_PASSWORD, {"i": {"login": user["login"]}}, key=bearer(secret))
    assert r.data["customerUserSetPassword"]["userErrors"] == []
    stored = (await api.data(USER_GET, {"l": user["login"]}))["customerUser"]
    assert stored["changedBy"] == name
    assert stored["createdBy"] == user["createdBy"]


async def test_rows_written_by_someone_else_show_their_id(api: Api) -> None:
    cid = unique("C")
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(customer_company).values(
                customer_id=cid,
                name=f"N {cid}",
                valid_id=1,
                create_time=sa.func.current_timestamp(),
                create_by=987654,
                change_time=sa.func.current_timestamp(),
                change_by=987654,
            )
        )
    stored = (await api.data(CUSTOMER_GET, {"c": cid}))["customer"]
    assert (stored["createdBy"], stored["changedBy"]) == ("#987654", "#987654")
