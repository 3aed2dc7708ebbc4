"""Renaming a customer user (``newLogin``) through the GraphQL API: the user and every relation
row (customers, groups, services, preferences) move together, or nothing changes.

Runs on SQLite and PostgreSQL. The relation rows are planted and counted with SQL, since some
of them (preferences) have no API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.customer_users_helpers import NODE, UPDATE, all_logins, create_ok, get, sql, update
from tests.checks import errors
from tests.conftest import Api, exact_sql, unique
from tests.factories import new_customer

# ---- rename -------------------------------------------------------------------------------

RELATION_COUNTS = {
    "customer_user_customer": "user_id",
    "group_customer_user": "user_id",
    "service_customer_user": "customer_user_login",
    "customer_preferences": "user_id",
}
"""Each relation table and its login column."""


async def plant_relations(api: Api, login: str, customer_id: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    p = {"u": login, "c": customer_id, "t": now}
    await sql(
        api,
        "INSERT INTO customer_user_customer"
        " (user_id, customer_id, create_time, create_by, change_time, change_by)"
        " VALUES (:u, :c, :t, 1, :t, 1)",
        p,
    )
    await sql(
        api,
        "INSERT INTO group_customer_user (user_id, group_id, permission_key, permission_value,"
        " create_time, create_by, change_time, change_by) VALUES (:u, 1, 'rw', 1, :t, 1, :t, 1)",
        p,
    )
    await sql(
        api,
        "INSERT INTO service_customer_user"
        " (customer_user_login, service_id, create_time, create_by) VALUES (:u, 1, :t, 1)",
        p,
    )
    await sql(
        api,
        "INSERT INTO customer_preferences (user_id, preferences_key, preferences_value)"
        " VALUES (:u, 'UserLanguage', 'da')",
        p,
    )


async def user_with_relations(api: Api) -> dict[str, Any]:
    """A new user (of a new customer) with a row in each table that stores its login."""
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    await plant_relations(api, user["login"], cid)
    return user


async def relation_counts(api: Api, login: str) -> dict[str, int]:
    counts = {}
    for table, column in RELATION_COUNTS.items():
        query = f"SELECT count(*) FROM {table} WHERE {exact_sql(api.kind, column)} = :l"
        counts[table] = int((await sql(api, query, {"l": login}))[0][0])
    return counts


ONE_EACH = dict.fromkeys(RELATION_COUNTS, 1)
NONE = dict.fromkeys(RELATION_COUNTS, 0)


async def test_rename_moves_the_user_and_every_relation_row(api: Api) -> None:
    cid = await new_customer(api)
    stem = unique("")
    old = f"ren_{stem}"
    bystander = f"renX{stem}"  # what old would match as a LIKE pattern
    new = f"renamed-{stem}"
    user = await create_ok(api, cid, login=old, phone="555")
    await create_ok(api, cid, login=bystander)
    await plant_relations(api, old, cid)
    await plant_relations(api, bystander, cid)

    payload = await update(api, old, newLogin=new, firstName="Renamed")
    assert payload["userErrors"] == []
    renamed = payload["customerUser"]
    assert renamed["login"] == new
    assert renamed["firstName"] == "Renamed"
    assert renamed["phone"] == "555"
    assert renamed["createdAt"] == user["createdAt"]
    assert renamed["id"] != user["id"]

    assert await get(api, old) is None
    assert (await get(api, new))["firstName"] == "Renamed"  # type: ignore[index]
    assert (await api.gql(NODE, {"id": user["id"]})).data["node"] is None
    assert (await api.gql(NODE, {"id": renamed["id"]})).data["node"]["login"] == new
    assert await relation_counts(api, new) == ONE_EACH
    assert await relation_counts(api, old) == NONE
    assert await relation_counts(api, bystander) == ONE_EACH
    prefs = await sql(
        api,
        "SELECT preferences_key, preferences_value FROM customer_preferences WHERE user_id = :l",
        {"l": new},
    )
    assert [tuple(r) for r in prefs] == [("UserLanguage", "da")]  # OTOBO T41


async def test_rename_onto_an_existing_login_changes_nothing(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, login=unique("mover"))
    taken = await create_ok(api, cid, login=unique("Taken"))
    await plant_relations(api, user["login"], cid)
    payload = await update(api, user["login"], newLogin=taken["login"].lower(), firstName="Changed")
    assert [code for code, _ in errors(payload)] == ["LOGIN_TAKEN"]
    assert payload["customerUser"] is None
    assert await get(api, user["login"]) == user
    assert await get(api, taken["login"]) == taken
    assert await relation_counts(api, user["login"]) == ONE_EACH


async def test_rename_errors_point_at_new_login(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    taken = await create_ok(api, cid)
    payload = await update(api, user["login"], newLogin=taken["login"])
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "newLogin"])]
    payload = await update(api, user["login"], newLogin="")
    assert errors(payload) == [("REQUIRED", ["input", "newLogin"])]


async def test_case_only_rename(api: Api) -> None:
    cid = await new_customer(api)
    old = unique("abc")
    new = old.upper()
    await create_ok(api, cid, login=old)
    await plant_relations(api, old, cid)
    payload = await update(api, old, newLogin=new)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["login"] == new
    assert (await get(api, old))["login"] == new  # type: ignore[index]
    assert await relation_counts(api, new) == ONE_EACH
    assert await relation_counts(api, old) == NONE
    assert new in await all_logins(api)
    assert old not in await all_logins(api)


@pytest.mark.parametrize(
    ("new_login", "code"),
    [
        ("<DEFAULT>", "RESERVED"),
        ("bad\x00login", "INVALID_CHARACTERS"),
        ("two\nlines", "INVALID_CHARACTERS"),
        ("x" * 101, "TOO_LONG"),  # logins fit in 100 characters, see below
        ("   ", "REQUIRED"),
    ],
)
async def test_rename_to_a_bad_login_is_refused(api: Api, new_login: str, code: str) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    payload = await update(api, user["login"], newLogin=new_login)
    assert errors(payload) == [(code, ["input", "newLogin"])]
    assert await get(api, user["login"]) == user


async def test_rename_to_a_long_login_with_relation_rows_fails_cleanly(api: Api) -> None:
    # A login is also stored in OTOBO's relation tables (customer_user_customer.user_id and
    # group_customer_user.user_id are VARCHAR(100)), so a login longer than 100 characters is
    # refused up front with TOO_LONG on newLogin, and nothing is changed.
    user = await user_with_relations(api)
    new = unique("long") + "L" * 136
    assert len(new) == 150
    r = await api.gql(UPDATE, {"i": {"login": user["login"], "newLogin": new}})
    assert "errors" not in r.body, r.body
    payload = r.data["customerUserUpdate"]
    assert errors(payload) == [("TOO_LONG", ["input", "newLogin"])]
    assert "at most 100 fit" in payload["userErrors"][0]["message"]
    assert payload["customerUser"] is None
    assert await get(api, user["login"]) == user
    assert await get(api, new) is None
    assert await relation_counts(api, user["login"]) == ONE_EACH
    assert await relation_counts(api, new) == NONE


async def test_rename_to_a_login_of_100_characters_carries_the_relation_rows(api: Api) -> None:
    user = await user_with_relations(api)
    new = unique("long") + "L" * 86
    assert len(new) == 100
    payload = await update(api, user["login"], newLogin=new)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["login"] == new
    assert await relation_counts(api, new) == ONE_EACH
    assert await relation_counts(api, user["login"]) == NONE
