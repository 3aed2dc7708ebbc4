"""What Roster writes to an OTOBO database is the row OTOBO's own code would have written:
the same columns and formats, ``''`` where OTOBO's customer-user backend puts ``''``, NULL
where its company backend leaves NULL, OTOBO's ``BCRYPT:`` hashes, OTOBO's ``rw`` rule for
grants, the configured agent (1, ``root@localhost``) in ``create_by``/``change_by``, UTC
timestamps in whole seconds without a zone. Each expected row comes from
``tests/otobo/otobo_rows.py``, which restates the OTOBO writer it names."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api import test_text_fidelity as fidelity
from tests.conftest import Api
from tests.factories import GROUP_CREATE, SERVICE_CREATE, accepted
from tests.otobo.conftest import Adopted
from tests.otobo.otobo_rows import (
    AGENT_ID,
    EXISTING_CUSTOMERS,
    EXISTING_USERS,
    THEN,
    audit,
    customer_company_add,
    customer_user_add,
    group_add,
    group_customer_add,
    group_member_add,
    insert,
    insert_with_id,
    service_add,
    sha2,
)
from tests.test_otobo_password_vectors import _MISSING as PERL_MISSING
from tests.test_otobo_password_vectors import otobo_auth

ROSTER_AGENT = "1"
"""``[database] agent_id`` (default 1: OTOBO's ``root@localhost``)."""
OTOBO_BCRYPT = re.compile(r"BCRYPT:12:[0-9A-Za-z]{16}:[./A-Za-z0-9]{31}")
"""``Kernel/System/CustomerUser/DB.pm`` ``SetPassword`` with CryptType bcrypt, cost 12."""
WHOLE_SECONDS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
ERRORS = "userErrors { field code message }"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_written(
    row: Mapping[str, str | None],
    expected: Mapping[str, str | None],
    *,
    since: datetime,
    created: bool = True,
) -> None:
    """``row`` holds ``expected`` column by column, and audit columns as OTOBO writes them:
    the agent, and the time of the write (UTC, whole seconds, no zone)."""
    assert {column: row[column] for column in expected} == dict(expected)
    times = ["change_time"] if not created else ["create_time", "change_time"]
    for column in (c for c in times if c in row):
        value = str(row[column])
        assert WHOLE_SECONDS.fullmatch(value), (column, value)
        written = datetime.fromisoformat(value)
        assert since - timedelta(seconds=1) <= written <= now() + timedelta(seconds=1), column
        assert row[column.replace("time", "by")] == ROSTER_AGENT, column
    if created and "change_time" in row:
        assert row["create_time"] == row["change_time"]


async def one_row(adopted: Adopted, table: str, where: str) -> dict[str, str | None]:
    (row,) = [r for r in await adopted.db.table_rows(table, order_by="1") if _match(r, where)]
    return row


def _match(row: Mapping[str, str | None], where: str) -> bool:
    column, value = where.split("=", 1)
    return row[column] == value


async def mutate(adopted: Adopted, mutation: str, input_type: str, values: dict[str, Any]) -> Any:
    document = f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {ERRORS} }} }}"
    return accepted(await adopted.api.gql(document, {"i": values}), mutation)


async def test_customer_user_create(adopted: Adopted) -> None:
    since = now()
    values = {
        "login": "nina",
        "firstName": "Nina",
        "lastName": "Neu",
        "email": "nina@acme.test",
        "customerId": "acme",
        "phone": "+1 555 0100",
        "password": "An0ther-secret",
    }
    await mutate(adopted, "customerUserCreate", "CustomerUserCreateInput", values)
    row = await one_row(adopted, "customer_user", "login=nina")
    otobo = customer_user_add(
        {
            "first_name": "Nina",
            "last_name": "Neu",
            "login": "nina",
            "email": "nina@acme.test",
            "customer_id": "acme",
            "phone": "+1 555 0100",
        }
    )
    check_written(row, {k: v for k, v in otobo.items() if k != "pw"}, since=since)
    assert OTOBO_BCRYPT.fullmatch(str(row["pw"]))


async def test_a_create_without_password_stores_a_generated_one(adopted: Adopted) -> None:
    """Deliberate (README, "Where Roster deliberately differs"): OTOBO leaves ``pw`` NULL."""
    values = {
        "login": "nopw",
        "firstName": "No",
        "lastName": "Password",
        "email": "nopw@acme.test",
        "customerId": "acme",
    }
    await mutate(adopted, "customerUserCreate", "CustomerUserCreateInput", values)
    row = await one_row(adopted, "customer_user", "login=nopw")
    assert OTOBO_BCRYPT.fullmatch(str(row["pw"]))


async def test_customer_user_update_of_an_otobo_row(adopted: Adopted) -> None:
    since = now()
    changes = {"login": "jdoe", "phone": None, "city": "Berlin", "title": ""}
    await mutate(adopted, "customerUserUpdate", "CustomerUserUpdateInput", changes)
    row = await one_row(adopted, "customer_user", "login=jdoe")
    old = EXISTING_USERS["jdoe"]
    otobo = {**old, "phone": "", "city": "Berlin", "title": ""}
    del otobo["change_time"], otobo["change_by"]
    check_written(row, otobo, since=since, created=False)


async def test_set_password(adopted: Adopted) -> None:
    since = now()
    values = {"login": "mmueller", "password": "N3w-secret-pw"}
    await mutate(adopted, "customerUserSetPassword", "CustomerUserSetPasswordInput", values)
    row = await one_row(adopted, "customer_user", "login=mmueller")
    assert OTOBO_BCRYPT.fullmatch(str(row["pw"]))
    # OTOBO's admin screen saves a password through CustomerUserUpdate: change_* move too.
    unchanged = {
        k: v for k, v in EXISTING_USERS["mmueller"].items() if not k.startswith(("pw", "change"))
    }
    check_written(row, unchanged, since=since, created=False)


async def test_customer_create_and_update(adopted: Adopted) -> None:
    since = now()
    create = {"customerId": "umbrella", "name": "Umbrella Corp", "city": "Raccoon City"}
    await mutate(adopted, "customerCreate", "CustomerCreateInput", create)
    row = await one_row(adopted, "customer_company", "customer_id=umbrella")
    otobo = customer_company_add(
        {"customer_id": "umbrella", "name": "Umbrella Corp", "city": "Raccoon City"}
    )
    check_written(row, {**otobo, "valid_id": "1"}, since=since)

    await mutate(
        adopted,
        "customerUpdate",
        "CustomerUpdateInput",
        {"customerId": "acme", "url": None, "zip": "54321"},
    )
    row = await one_row(adopted, "customer_company", "customer_id=acme")
    old = {k: v for k, v in EXISTING_CUSTOMERS["acme"].items() if not k.startswith("change")}
    check_written(row, {**old, "url": None, "zip": "54321"}, since=since, created=False)


async def _group_id(adopted: Adopted, name: str) -> str:
    ((group_id,),) = await adopted.db.rows(f"SELECT id FROM groups_table WHERE name = '{name}'")
    return str(group_id)


async def test_group_create(adopted: Adopted) -> None:
    since = now()
    await mutate(adopted, "groupCreate", "GroupCreateInput", {"name": "hotline"})
    row = await one_row(adopted, "groups_table", "name=hotline")
    check_written(row, group_add("hotline"), since=since)


async def test_grants_to_customer_users_and_customers(adopted: Adopted) -> None:
    since = now()
    support = await _group_id(adopted, "support")
    grants = {
        "login": "mmueller",
        "grants": [{"groupId": int(support), "permissions": ["ro", "rw"]}],
    }
    await mutate(adopted, "customerUserSetGroups", "CustomerUserSetGroupsInput", grants)
    rows = [
        r
        for r in await adopted.db.table_rows("group_customer_user", "1, 3")
        if r["user_id"] == "mmueller"
    ]
    # OTOBO's GroupMemberAdd keeps only the rw row when ro and rw come in one call; Roster
    # stores the set it was given, the rows OTOBO writes when ro and rw are saved one after
    # the other. OTOBO reads both the same: every reader takes rw for any type.
    expected = [
        *group_member_add("mmueller", support, ["ro"]),
        *group_member_add("mmueller", support, ["rw"]),
    ]
    assert len(rows) == len(expected)
    for row, otobo in zip(rows, expected, strict=True):
        check_written(row, otobo, since=since)

    grants = {
        "customerId": "globex",
        "grants": [{"groupId": int(support), "permissions": ["ro"], "context": "SAME"}],
    }
    await mutate(adopted, "customerSetGroups", "CustomerSetGroupsInput", grants)
    (row,) = [
        r
        for r in await adopted.db.table_rows("group_customer", "1, 3")
        if r["customer_id"] == "globex"
    ]
    check_written(row, group_customer_add("globex", support, ["ro"])[0], since=since)


async def test_services_and_their_assignments(adopted: Adopted) -> None:
    since = now()
    ((it,),) = await adopted.db.rows("SELECT id FROM service WHERE name = 'IT'")
    ((network,),) = await adopted.db.rows("SELECT id FROM service WHERE name = 'IT::Network'")
    create = {"name": " Printing\t", "parentId": int(str(it))}
    await mutate(adopted, "serviceCreate", "ServiceCreateInput", create)
    row = await one_row(adopted, "service", "name=IT::Printing")
    check_written(row, service_add("IT::Printing"), since=since)

    assign = {"login": "mmueller", "serviceIds": [int(str(network))]}
    await mutate(adopted, "customerUserSetServices", "CustomerUserSetServicesInput", assign)
    row = await one_row(adopted, "service_customer_user", "customer_user_login=mmueller")
    check_written(row, {"service_id": network}, since=since)

    defaults = {"serviceIds": [int(str(it)), int(str(network))]}
    await mutate(adopted, "defaultServicesSet", "DefaultServicesSetInput", defaults)
    rows = [
        r
        for r in await adopted.db.table_rows("service_customer_user", "2")
        if r["customer_user_login"] == "<DEFAULT>"
    ]
    assert [r["service_id"] for r in rows] == sorted([it, network], key=lambda v: int(str(v)))


async def test_extra_customers(adopted: Adopted) -> None:
    since = now()
    values = {"login": "mmueller", "customerIds": ["acme"]}
    await mutate(adopted, "customerUserSetCustomers", "CustomerUserSetCustomersInput", values)
    row = await one_row(adopted, "customer_user_customer", "user_id=mmueller")
    check_written(row, {"customer_id": "acme"}, since=since)
    # OTOBO's own row for jdoe is left as OTOBO wrote it.
    jdoe = await one_row(adopted, "customer_user_customer", "user_id=jdoe")
    assert (jdoe["create_time"], jdoe["create_by"]) == (THEN, "2")


async def test_names_one_past_otobos_column_length_are_refused_as_too_long(
    adopted: Adopted,
) -> None:
    for mutation, input_type in (
        ("groupCreate", "GroupCreateInput"),
        ("serviceCreate", "ServiceCreateInput"),
    ):
        document = f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {ERRORS} }} }}"
        response = await adopted.api.gql(document, {"i": {"name": "x" * 192}})
        assert response.errors == [], response.body
        assert [e["code"] for e in response.data[mutation]["userErrors"]] == ["TOO_LONG"]


# ---- sign-in: OTOBO's preferences, a sha2 hash rehashed to what OTOBO verifies ----------------

SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success sessionToken userErrors { code } } }"
)
ME_SET_PASSWORD = (
    "mutation($i: MeSetPasswordInput!) { meSetPassword(input: $i) {"
    f" customerUser {{ login }} {ERRORS} }} }}"
)
EPOCH_SECONDS = re.compile(r"[1-9]\d{9}")
"""``UserLastLogin``/``UserLastPwChangeTime``: Perl's ``time()``, whole seconds since 1970."""


async def add_otobo_user(adopted: Adopted, login: str, **values: str | None) -> None:
    """A customer user as OTOBO's agent 2 stored it, with OTOBO's default sha2 hash."""
    row = {
        **customer_user_add(
            {
                "first_name": login.title(),
                "last_name": "Otobo",
                "login": login,
                "email": f"{login}@acme.test",
                "customer_id": "acme",
            }
        ),
        **audit(AGENT_ID),
        **values,
    }
    await adopted.db.run(insert("customer_user", row) + ";")


async def preferences(adopted: Adopted, login: str) -> list[tuple[str | None, str | None]]:
    """``login``'s customer_preferences rows (key, value), ordered by key."""
    rows = await adopted.db.table_rows("customer_preferences", "2, 3")
    return [(r["preferences_key"], r["preferences_value"]) for r in rows if r["user_id"] == login]


async def sign_in(adopted: Adopted, login: str, password: str, **more: Any) -> dict[str, Any]:
    given = {"login": login, "password": password, **more}
    response = await adopted.api.gql(SIGN_IN, {"i": given})
    assert response.errors == [], response.body
    payload: dict[str, Any] = response.data["customerUserAuthenticate"]
    return payload


@pytest.mark.skipif(PERL_MISSING is not None, reason=PERL_MISSING or "")
async def test_sign_in_writes_otobos_preferences_and_a_bcrypt_hash_otobo_verifies(
    adopted: Adopted,
) -> None:
    """OTOBO's ``CustomerAuth::Auth``: ``UserLoginFailed`` + 1 on a refused password (from the
    value OTOBO left), 0 on success, ``UserLastLogin`` the epoch seconds. Roster also replaces
    OTOBO's unsalted sha2 hash with OTOBO's ``BCRYPT:12`` form, which OTOBO's own ``Auth``
    (its Perl, its CPAN modules) accepts for the same password; nothing else of the row is
    written (a sign-in is no change an agent made, and OTOBO's sign-in writes no column)."""
    login, password = "signer", "Otobo-pass-1"
    await add_otobo_user(adopted, login, pw=sha2(password))
    await adopted.db.run(
        insert(
            "customer_preferences",
            {"user_id": login, "preferences_key": "UserLoginFailed", "preferences_value": "2"},
        )
        + ";"
    )
    before = await one_row(adopted, "customer_user", f"login={login}")

    assert (await sign_in(adopted, login, "Wrong-pass-1"))["success"] is False
    assert await preferences(adopted, login) == [("UserLoginFailed", "3")]
    assert (await one_row(adopted, "customer_user", f"login={login}"))["pw"] == sha2(password)

    started = int(time.time())
    assert (await sign_in(adopted, login, password))["success"] is True
    stored = dict(await preferences(adopted, login))
    assert len(await preferences(adopted, login)) == len(stored) == 2  # one row a key
    assert stored["UserLoginFailed"] == "0"
    assert EPOCH_SECONDS.fullmatch(str(stored["UserLastLogin"]))
    assert started <= int(str(stored["UserLastLogin"])) <= int(time.time())

    row = await one_row(adopted, "customer_user", f"login={login}")
    assert OTOBO_BCRYPT.fullmatch(str(row["pw"]))
    assert {k: v for k, v in row.items() if k != "pw"} == {
        k: v for k, v in before.items() if k != "pw"
    }
    assert otobo_auth(
        [(str(row["pw"]), password, login), (str(row["pw"]), "Wrong-pass-1", login)]
    ) == [True, False]
    # And Roster signs in with what it wrote.
    assert (await sign_in(adopted, login, password))["success"] is True


@pytest.mark.skipif(PERL_MISSING is not None, reason=PERL_MISSING or "")
async def test_password_sets_write_otobos_change_time(adopted: Adopted) -> None:
    """``UserLastPwChangeTime`` as OTOBO keeps it: an admin's set deletes it (OTOBO's
    AdminCustomerUser), the user's own change stores the epoch seconds (OTOBO's
    ``Preferences/Password.pm``); either hash is one OTOBO verifies."""
    login, password = "changer", "Otobo-pass-2"
    await add_otobo_user(adopted, login, pw=sha2(password))
    await adopted.db.run(
        insert(
            "customer_preferences",
            {
                "user_id": login,
                "preferences_key": "UserLastPwChangeTime",
                "preferences_value": "1709543700",  # THEN, as OTOBO's self-service left it
            },
        )
        + ";"
    )
    values = {"login": login, "password": "Admin-set-pw-3"}
    await mutate(adopted, "customerUserSetPassword", "CustomerUserSetPasswordInput", values)
    assert await preferences(adopted, login) == []
    by_admin = str((await one_row(adopted, "customer_user", f"login={login}"))["pw"])

    signed_in = await sign_in(adopted, login, "Admin-set-pw-3", startSession=True)
    assert signed_in["success"] is True, signed_in
    started = int(time.time())
    own = {"currentPassword": "Admin-set-pw-3", "newPassword": "Own-choice-pw-4"}
    response = await adopted.api.gql(
        ME_SET_PASSWORD, {"i": own}, key=f"Bearer {signed_in['sessionToken']}"
    )
    assert accepted(response, "meSetPassword")["customerUser"] == {"login": login}
    stored = dict(await preferences(adopted, login))
    assert EPOCH_SECONDS.fullmatch(str(stored["UserLastPwChangeTime"]))
    assert started <= int(str(stored["UserLastPwChangeTime"])) <= int(time.time())
    by_user = str((await one_row(adopted, "customer_user", f"login={login}"))["pw"])
    assert OTOBO_BCRYPT.fullmatch(by_admin)
    assert OTOBO_BCRYPT.fullmatch(by_user)
    assert otobo_auth(
        [
            (by_admin, "Admin-set-pw-3", login),
            (by_user, "Own-choice-pw-4", login),
            (by_user, "Admin-set-pw-3", login),
        ]
    ) == [True, True, False]


# ---- renames on OTOBO's rows ----------------------------------------------------------------


async def test_a_login_rename_moves_otobos_rows(adopted: Adopted) -> None:
    """The user's row keeps every column OTOBO wrote but the login (a cleared field ``''`` as
    OTOBO's CustomerUserUpdate writes it; change_* the configured agent, now); every row that
    names the login follows it, each as OTOBO wrote it (OTOBO's own moves of preferences and
    services change nothing else)."""
    old, new = "oldname", "newname"
    await add_otobo_user(adopted, old, phone="+1 555 0199", pw=sha2("Otobo-pass-5"))
    support = await _group_id(adopted, "support")
    await adopted.db.run(
        ";\n".join(
            [
                insert(
                    "customer_user_customer",
                    {"user_id": old, "customer_id": "globex", **audit(AGENT_ID)},
                ),
                insert(
                    "group_customer_user",
                    {**group_member_add(old, support, ["rw"])[0], **audit(AGENT_ID)},
                ),
                insert(
                    "customer_preferences",
                    {"user_id": old, "preferences_key": "UserLanguage", "preferences_value": "de"},
                ),
                insert_with_id(
                    "service_customer_user",
                    {"customer_user_login": old, **audit(AGENT_ID, changes=False)},
                    column="service_id",
                    source="service",
                    name="IT::Network::VPN",
                ),
            ]
        )
        + ";"
    )
    related = {
        table: [r for r in await adopted.db.table_rows(table, "1") if r[column] == old]
        for table, column in LOGIN_TABLES
    }
    before = await one_row(adopted, "customer_user", f"login={old}")
    since = now()
    changes = {"login": old, "newLogin": new, "phone": None}
    await mutate(adopted, "customerUserUpdate", "CustomerUserUpdateInput", changes)

    assert [r for r in await adopted.db.table_rows("customer_user", "1") if r["login"] == old] == []
    row = await one_row(adopted, "customer_user", f"login={new}")
    kept = {k: v for k, v in before.items() if not k.startswith("change")}
    check_written(row, {**kept, "login": new, "phone": ""}, since=since, created=False)
    for table, column in LOGIN_TABLES:
        rows = await adopted.db.table_rows(table, "1")
        assert [r for r in rows if r[column] == old] == [], table
        moved = [r for r in rows if r[column] == new]
        assert moved == [{**r, column: new} for r in related[table]], table
        assert moved, table
    assert (await sign_in(adopted, new, "Otobo-pass-5"))["success"] is True


LOGIN_TABLES = (
    ("customer_user_customer", "user_id"),
    ("group_customer_user", "user_id"),
    ("customer_preferences", "user_id"),
    ("service_customer_user", "customer_user_login"),
)


async def test_a_customer_id_rename_moves_otobos_rows(adopted: Adopted) -> None:
    """The customer's row: the new ID, the rest as OTOBO left it (a cleared field NULL, as
    OTOBO's company backend leaves it), change_* the agent. Its users are re-saved as OTOBO's
    ``CustomerCompany`` event ``CustomerUserUpdate`` re-saves them (the new customer ID,
    change_* the agent, the rest untouched); its relation rows follow unchanged otherwise."""
    old, new = "oldco", "newco"
    row = {
        **customer_company_add({"customer_id": old, "name": "Old Co", "city": "Paris"}),
        "url": "https://old.test",
        "valid_id": "1",
        **audit(AGENT_ID),
    }
    support = await _group_id(adopted, "support")
    await adopted.db.run(insert("customer_company", row) + ";")
    await add_otobo_user(adopted, "coworker", customer_id=old)
    await add_otobo_user(adopted, "helper")  # of acme, also serving the customer
    await adopted.db.run(
        ";\n".join(
            [
                insert(
                    "customer_user_customer",
                    {"user_id": "helper", "customer_id": old, **audit(AGENT_ID)},
                ),
                *(
                    insert("group_customer", {**grant, **audit(AGENT_ID)})
                    for grant in group_customer_add(old, support, ["rw"])
                ),
            ]
        )
        + ";"
    )
    related = {
        table: [r for r in await adopted.db.table_rows(table, "1") if r["customer_id"] == old]
        for table in ("customer_user_customer", "group_customer")
    }
    user_before = await one_row(adopted, "customer_user", "login=coworker")
    since = now()
    changes = {"customerId": old, "newCustomerId": new, "url": None}
    await mutate(adopted, "customerUpdate", "CustomerUpdateInput", changes)

    company = await one_row(adopted, "customer_company", f"customer_id={new}")
    otobo = {k: v for k, v in row.items() if not k.startswith("change")}
    check_written(company, {**otobo, "customer_id": new, "url": None}, since=since, created=False)
    rows = await adopted.db.table_rows("customer_company", "1")
    assert [r for r in rows if r["customer_id"] == old] == []

    user = await one_row(adopted, "customer_user", "login=coworker")
    kept = {k: v for k, v in user_before.items() if not k.startswith("change")}
    check_written(user, {**kept, "customer_id": new}, since=since, created=False)
    for table, moved_before in related.items():
        rows = await adopted.db.table_rows(table, "1")
        assert [r for r in rows if r["customer_id"] == old] == [], table
        moved = [r for r in rows if r["customer_id"] == new]
        assert moved == [{**r, "customer_id": new} for r in moved_before], table


# ---- group and service updates on OTOBO's rows ------------------------------------------------


async def test_group_update_of_an_otobo_group(adopted: Adopted) -> None:
    """OTOBO's ``GroupUpdate``: name, comments (``''`` when cleared), valid_id, change_* the
    agent; create_* as OTOBO wrote them."""
    await adopted.db.run(
        insert("groups_table", {**group_add("ops", "Operations"), **audit(AGENT_ID)}) + ";"
    )
    group_id = await _group_id(adopted, "ops")
    before = await one_row(adopted, "groups_table", "name=ops")
    since = now()
    values = {"groupId": int(group_id), "name": "ops-renamed", "comment": None}
    await mutate(adopted, "groupUpdate", "GroupUpdateInput", values)
    row = await one_row(adopted, "groups_table", f"id={group_id}")
    kept = {k: v for k, v in before.items() if not k.startswith("change")}
    check_written(row, {**kept, **group_add("ops-renamed", "", "1")}, since=since, created=False)
    values = {"groupId": int(group_id), "comment": "Again", "validity": "INVALID"}
    await mutate(adopted, "groupUpdate", "GroupUpdateInput", values)
    row = await one_row(adopted, "groups_table", f"id={group_id}")
    check_written(
        row, {**kept, **group_add("ops-renamed", "Again", "2")}, since=since, created=False
    )


async def test_service_rename_and_move_of_otobo_services(adopted: Adopted) -> None:
    """OTOBO's ``ServiceUpdate``: the full name, comments (``''`` when cleared), change_* the
    agent; every service below takes the new prefix and keeps everything else, its own
    comment, validity and change_* included: OTOBO changes only the names of the services
    below (``UPDATE service SET name = ? WHERE id = ?`` for each ``name LIKE 'old::%'``), and
    so does Roster (which records each rename in its own changes feed all the same)."""
    services = (
        ("Ops", "", "1"),
        ("Ops::DB", "Databases", "1"),
        ("Ops::DB::Backup", "Nightly", "2"),
        ("Hosting", "", "1"),
    )
    await adopted.db.run(
        ";\n".join(
            insert("service", {**service_add(name, comment, valid), **audit(AGENT_ID)})
            for name, comment, valid in services
        )
        + ";"
    )
    ids = {
        name: str(service_id)
        for service_id, name in await adopted.db.rows("SELECT id, name FROM service")
    }
    before = {name: await one_row(adopted, "service", f"name={name}") for name, *_ in services}
    since = now()
    move = {
        "serviceId": int(ids["Ops::DB"]),
        "name": "Data",
        "parentId": int(ids["Hosting"]),
        "comment": None,
    }
    await mutate(adopted, "serviceUpdate", "ServiceUpdateInput", move)
    moved = await one_row(adopted, "service", f"id={ids['Ops::DB']}")
    kept = {k: v for k, v in before["Ops::DB"].items() if not k.startswith("change")}
    check_written(
        moved, {**kept, **service_add("Hosting::Data", "", "1")}, since=since, created=False
    )
    child = await one_row(adopted, "service", f"id={ids['Ops::DB::Backup']}")
    assert child == {**before["Ops::DB::Backup"], "name": "Hosting::Data::Backup"}
    # The services around it are as OTOBO wrote them.
    for name in ("Ops", "Hosting"):
        assert await one_row(adopted, "service", f"id={ids[name]}") == before[name], name

    rename = {"serviceId": int(ids["Hosting"]), "name": "Hosting Ltd"}
    await mutate(adopted, "serviceUpdate", "ServiceUpdateInput", rename)
    names = {
        str(service_id): name
        for service_id, name in await adopted.db.rows("SELECT id, name FROM service")
    }
    assert [names[ids[n]] for n in ("Hosting", "Ops::DB", "Ops::DB::Backup", "Ops")] == [
        "Hosting Ltd",
        "Hosting Ltd::Data",
        "Hosting Ltd::Data::Backup",
        "Ops",
    ]
    grandchild = await one_row(adopted, "service", f"id={ids['Ops::DB::Backup']}")
    assert grandchild == {**before["Ops::DB::Backup"], "name": "Hosting Ltd::Data::Backup"}


# ---- text fidelity: OTOBO's column lengths and 4-byte characters on OTOBO's own tables -------

Check = Callable[[Api], Awaitable[None]]


def _for(check: Callable[[Api, str, str, str], Awaitable[None]], kind: str) -> Check:
    """One of the group-or-service checks, for ``kind`` (``group`` or ``service``)."""
    document = GROUP_CREATE if kind == "group" else SERVICE_CREATE
    get = fidelity.GROUP_GET if kind == "group" else fidelity.SERVICE_GET
    return lambda api: check(api, document, f"{kind}Create", get)


FIDELITY_CHECKS: dict[str, Check] = {
    "user-create": fidelity.test_a_customer_user_at_every_column_length_round_trips,
    "user-update": fidelity.test_an_update_at_and_past_the_column_length,
    "customer-create": fidelity.test_a_customer_at_every_column_length_round_trips,
    "customer-update": fidelity.test_a_customer_update_at_and_past_the_column_length,
    "customer-rename": fidelity.test_a_customer_id_rename_at_and_past_the_column_length,
    "group-create": _for(
        fidelity.test_a_group_or_service_at_its_column_lengths_round_trips, "group"
    ),
    "service-create": _for(
        fidelity.test_a_group_or_service_at_its_column_lengths_round_trips, "service"
    ),
    "group-update": _for(
        fidelity.test_a_group_or_service_update_at_and_past_its_column_lengths, "group"
    ),
    "service-update": _for(
        fidelity.test_a_group_or_service_update_at_and_past_its_column_lengths, "service"
    ),
    "service-tree": fidelity.test_a_service_hierarchy_of_4_byte_names_moves_whole,
}
"""The length and 4-byte checks of ``tests/api/test_text_fidelity.py``, run here on the
tables OTOBO's installer made (MariaDB: ``utf8mb4_unicode_ci``, OTOBO's column types). Its
case-and-accent checks are not: OTOBO's collation cannot tell ``Müller`` from ``Muller``
(that file's ``otobo_collated`` tests show the typed error instead)."""


@pytest.mark.parametrize("check", list(FIDELITY_CHECKS))
async def test_lengths_and_4_byte_characters_on_otobos_tables(adopted: Adopted, check: str) -> None:
    await FIDELITY_CHECKS[check](adopted.api)
