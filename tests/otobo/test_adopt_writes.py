"""What Roster writes to an OTOBO database is the row OTOBO's own code would have written:
the same columns and formats, ``''`` where OTOBO's customer-user backend puts ``''``, NULL
where its company backend leaves NULL, OTOBO's ``BCRYPT:`` hashes, OTOBO's ``rw`` rule for
grants, the configured agent (1, ``root@localhost``) in ``create_by``/``change_by``, UTC
timestamps in whole seconds without a zone. Each expected row comes from
``tests/otobo/otobo_rows.py``, which restates the OTOBO writer it names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import accepted
from tests.otobo.conftest import Adopted
from tests.otobo.otobo_rows import (
    EXISTING_CUSTOMERS,
    EXISTING_USERS,
    THEN,
    customer_company_add,
    customer_user_add,
    group_add,
    group_customer_add,
    group_member_add,
    service_add,
)

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
