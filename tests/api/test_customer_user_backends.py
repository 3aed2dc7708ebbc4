"""Customer users over other backend configurations: a read-only backend refuses every write;
two database backends share one login namespace, and the first backend wins a login both hold.

Each test builds its own app (``make_api``) on SQLite or PostgreSQL; rows an API cannot make
(the same login in two backends) are planted before the app opens.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.customer_users_helpers import (
    LIST,
    all_logins,
    create,
    create_ok,
    get,
    rows_with_email,
    set_password,
    sql,
    stored_hash,
    update,
)
from tests.checks import errors
from tests.conftest import Api, MakeApi
from tests.factories import user_input

# ---- read-only backend --------------------------------------------------------------------

SEED_TIME = "2020-01-02 03:04:05"
SEED_SQL = [
    "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
    f" change_time, change_by) VALUES ('ro-co', 'RO Company', 1, '{SEED_TIME}', 1,"
    f" '{SEED_TIME}', 1)",
    "INSERT INTO customer_user (login, email, customer_id, pw, first_name, last_name, valid_id,"
    " create_time, create_by, change_time, change_by) VALUES ('ro-user', 'ro@acme.test', 'ro-co',"
    f" 'old-hash', 'Read', 'Only', 1, '{SEED_TIME}', 1, '{SEED_TIME}', 1)",
]


async def test_read_only_backend_refuses_every_write(make_api: MakeApi) -> None:
    ro = await make_api(
        before_open=SEED_SQL,
        customer_user={"backends": [{"name": "CustomerUser", "read_only": True}]},
    )
    user = await get(ro, "ro-user")
    assert user is not None
    assert user["source"] == "CustomerUser"
    assert user["customer"] == {"customerId": "ro-co", "name": "RO Company"}

    data = user_input("ro-co")
    payload = await create(ro, data)
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert payload["customerUser"] is None
    assert payload["generatedPassword"] is None
    assert await get(ro, data["login"]) is None
    assert await rows_with_email(ro, data["email"]) == 0

    payload = await update(ro, "ro-user", firstName="Changed", newLogin="ro-renamed")
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert await get(ro, "ro-user") == user
    assert await get(ro, "ro-renamed") is None

    payload = await set_password(ro, "ro-user", "new-password-1")
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert payload["generatedPassword"] is None
    payload = await set_password(ro, "ro-user")
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert payload["generatedPassword"] is None
    assert await stored_hash(ro, "ro-user") == "old-hash"


# ---- several backends ---------------------------------------------------------------------

SECOND_TABLE = """
CREATE TABLE customer_user_two (
    {id},
    login VARCHAR(191) NOT NULL, email VARCHAR(150) NOT NULL, customer_id VARCHAR(150) NOT NULL,
    pw VARCHAR(128), title VARCHAR(50), first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL, phone VARCHAR(150), fax VARCHAR(150), mobile VARCHAR(150),
    street VARCHAR(150), zip VARCHAR(200), city VARCHAR(200), country VARCHAR(200),
    comments VARCHAR(250), valid_id SMALLINT NOT NULL, create_time {time} NOT NULL,
    create_by INTEGER NOT NULL, change_time {time} NOT NULL, change_by INTEGER NOT NULL
)
"""


def seed_user(
    table: str, login: str, email: str, first_name: str, customer_id: str = "two-co"
) -> str:
    return (
        f"INSERT INTO {table} (login, email, customer_id, first_name, last_name, valid_id,"
        " create_time, create_by, change_time, change_by) VALUES"
        f" ('{login}', '{email}', '{customer_id}', '{first_name}', 'Seed', 1, '{SEED_TIME}', 1,"
        f" '{SEED_TIME}', 1)"
    )


def shared_login(dup_customer: str = "two-co") -> list[str]:
    """The rows of the shared-login tests: "dup" in both backends (the first backend's of
    ``dup_customer``, the second's of two-co) and "solo" in the second only."""
    return [
        seed_user("customer_user", "dup", "dup1@acme.test", "First", customer_id=dup_customer),
        seed_user("customer_user_two", "dup", "dup2@acme.test", "Second"),
        seed_user("customer_user_two", "solo", "solo@acme.test", "Solo"),
    ]


async def two_backends(
    api: Api, make_api: MakeApi, seed: list[str] | None = None, **options: Any
) -> Api:
    """Two database backends (the second on ``customer_user_two``), each with ``options``."""
    id_column = {
        "postgresql": "id SERIAL PRIMARY KEY",
        "mariadb": "id INTEGER PRIMARY KEY AUTO_INCREMENT",
    }.get(api.kind, "id INTEGER PRIMARY KEY AUTOINCREMENT")
    company = (
        "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
        f" change_time, change_by) VALUES ('two-co', 'Two Co', 1, '{SEED_TIME}', 1,"
        f" '{SEED_TIME}', 1)"
    )
    # TIMESTAMP is OTOBO's DATE on PostgreSQL; MariaDB's TIMESTAMP sets itself on update.
    time_type = "DATETIME" if api.kind == "mariadb" else "TIMESTAMP"
    return await make_api(
        before_open=[SECOND_TABLE.format(id=id_column, time=time_type), company, *(seed or [])],
        customer_user={
            "backends": [
                {"name": "CustomerUser", **options},
                {"name": "CustomerUser1", "table": "customer_user_two", **options},
            ]
        },
    )


async def test_login_is_unique_across_backends(api: Api, make_api: MakeApi) -> None:
    # OTOBO §6.1 step 2 and D14.
    two = await two_backends(api, make_api)
    first = await create_ok(two, "two-co", login="Abc", source="CustomerUser1")
    assert first["source"] == "CustomerUser1"
    payload = await create(two, user_input("two-co", login="abc"))
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "login"])]
    await create_ok(two, "two-co", login="XyZ")
    payload = await create(two, user_input("two-co", login="xyz", source="CustomerUser1"))
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "login"])]
    assert (await get(two, "ABC"))["source"] == "CustomerUser1"  # type: ignore[index]
    assert (await get(two, "xyz"))["source"] == "CustomerUser"  # type: ignore[index]
    rows = await sql(two, "SELECT login FROM customer_user_two")
    assert [r[0] for r in rows] == ["Abc"]
    assert await all_logins(two) == ["Abc", "XyZ"]


async def test_update_and_rename_stay_in_the_users_backend(api: Api, make_api: MakeApi) -> None:
    two = await two_backends(api, make_api)
    await create_ok(two, "two-co", login="one", source="CustomerUser1")
    await create_ok(two, "two-co", login="other")
    payload = await update(two, "ONE", city="Graz")
    assert payload["customerUser"]["source"] == "CustomerUser1"
    assert payload["customerUser"]["city"] == "Graz"
    payload = await update(two, "one", newLogin="OTHER")
    assert [c for c, _ in errors(payload)] == ["LOGIN_TAKEN"]
    payload = await update(two, "one", newLogin="uno")
    assert payload["userErrors"] == []
    assert payload["customerUser"]["source"] == "CustomerUser1"
    rows = await sql(two, "SELECT login, city FROM customer_user_two")
    assert [tuple(r) for r in rows] == [("uno", "Graz")]
    rows = await sql(two, "SELECT login FROM customer_user")
    assert [r[0] for r in rows] == ["other"]


async def test_email_uniqueness_is_per_backend(api: Api, make_api: MakeApi) -> None:
    # OTOBO §6.3: the check looks only at the target backend.
    two = await two_backends(api, make_api)
    await create_ok(two, "two-co", email="same@acme.test")
    user = await create_ok(two, "two-co", email="same@acme.test", source="CustomerUser1")
    assert user["source"] == "CustomerUser1"
    payload = await create(
        two, user_input("two-co", email="SAME@acme.test", source="CustomerUser1")
    )
    assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]


async def test_first_backend_wins_a_login_present_in_both(api: Api, make_api: MakeApi) -> None:
    # OTOBO D13: the same login in CustomerUser and CustomerUser1 (only possible by hand).
    two = await two_backends(api, make_api, shared_login())
    user = await get(two, "dup")
    assert user is not None
    assert (user["source"], user["firstName"]) == ("CustomerUser", "First")
    conn = (await two.gql(LIST, {"first": 100})).data["customerUsers"]
    assert [n["login"] for n in conn["nodes"]] == ["dup", "solo"]


async def test_total_count_matches_the_listing_when_backends_share_a_login(
    api: Api, make_api: MakeApi
) -> None:
    two = await two_backends(api, make_api, shared_login())
    conn = (await two.gql(LIST, {"first": 100})).data["customerUsers"]
    assert conn["totalCount"] == len(conn["nodes"]) == 2


async def test_a_customer_lists_a_shared_login_only_when_the_shown_user_is_its_own(
    api: Api, make_api: MakeApi
) -> None:
    """ "dup" is in both backends; the first backend's (customer one-co) is the user everyone
    sees, so two-co, the customer of the hidden second "dup", does not list it."""
    two = await two_backends(api, make_api, shared_login(dup_customer="one-co"))
    members = """{ customer(customerId: "two-co") {
        customerUsers { totalCount nodes { login customerId } } } }"""
    listed = (await two.gql(members)).data["customer"]["customerUsers"]
    assert listed == {"totalCount": 1, "nodes": [{"login": "solo", "customerId": "two-co"}]}


TWO_SEARCH = """query($s: String!) { customerUsers(search: $s, first: 10) {
    totalCount limitReached nodes { login source } } }"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [([], (["dup", "solo"], 2, False)), (["zed"], (["dup", "solo"], 2, True))],
    ids=["at-the-limit", "past-it"],
)
async def test_a_login_in_two_backends_counts_once_toward_the_search_limit(
    api: Api, make_api: MakeApi, extra: list[str], expected: tuple[list[str], int, bool]
) -> None:
    seed = [
        *shared_login(),
        *(seed_user("customer_user_two", login, f"{login}@acme.test", "X") for login in extra),
    ]
    two = await two_backends(api, make_api, seed, search_list_limit=2)
    conn = (await two.gql(TWO_SEARCH, {"s": "*"})).data["customerUsers"]
    assert [n["login"] for n in conn["nodes"]] == expected[0]
    assert conn["nodes"][0]["source"] == "CustomerUser"  # the earlier backend's "dup"
    assert (conn["totalCount"], conn["limitReached"]) == expected[1:]
