"""Who changed it, in OTOBO's terms (issue 13).

``create_by``/``change_by`` name OTOBO agents: every Roster write puts the configured agent
(``[database] agent_id``, default 1) there, in every table it writes, and records the API key
that acted in ``roster_record_origin``. ``createdBy``/``changedBy`` then show the key's name
for what Roster wrote and the agent's login for what OTOBO wrote or changed since. Runs on
SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from datasources.db.customer_users import SchemaMismatch
from datasources.db.tables import (
    customer_company,
    customer_user,
    customer_user_customer,
    group_customer,
    group_customer_user,
    groups_table,
    roster_record_origin,
    service,
    service_customer_user,
    users,
)
from domain.config import RosterConfig
from domain.origins import OriginKey
from tests.api.auth_helpers import bearer, new_key
from tests.api.groups_helpers import assign_raw
from tests.conftest import Api, MakeApi, unique
from tests.factories import accepted, new_customer, new_group, new_service, new_user
from tests.test_migration_agents import agent_row

AGENT_7 = (
    "INSERT INTO users (id, login, pw, first_name, last_name, valid_id, create_time, create_by,"
    " change_time, change_by) VALUES (7, 'agent7@otobo.test', '', 'Agent', 'Seven', 1,"
    " '2024-01-01 00:00:00', 1, '2024-01-01 00:00:00', 1)"
)
WHO = "createdBy changedBy"
READ = {
    "customer": f"query($k: String!) {{ o: customer(customerId: $k) {{ {WHO} }} }}",
    "user": f"query($k: String!) {{ o: customerUser(login: $k) {{ {WHO} }} }}",
    "group": f"query($k: String!) {{ o: group(name: $k) {{ {WHO} }} }}",
    "service": f"query($k: String!) {{ o: service(name: $k) {{ {WHO} }} }}",
}
CUSTOMER_CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    "customer { customerId } userErrors { field code } } }"
)
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    "customer { customerId } userErrors { field code } } }"
)
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    "customerUser { login } userErrors { field code } } }"
)
SERVICE_UPDATE = (
    "mutation($i: ServiceUpdateInput!) { serviceUpdate(input: $i) { "
    "service { name } userErrors { field code } } }"
)
USER_SERVICES = (
    "mutation($i: CustomerUserSetServicesInput!) { customerUserSetServices(input: $i) { "
    "userErrors { field code } } }"
)
SERVICE_USERS = (
    "mutation($i: ServiceSetCustomerUsersInput!) { serviceSetCustomerUsers(input: $i) { "
    "userErrors { field code } } }"
)


async def who(api: Api, kind: str, key: str) -> tuple[str, str]:
    """(createdBy, changedBy) of one object, read through the API."""
    found = (await api.data(READ[kind], {"k": key}))["o"]
    return found["createdBy"], found["changedBy"]


async def mutate(api: Api, query: str, values: dict[str, Any], key: str) -> None:
    """Run a mutation with ``key`` (a bearer header) and insist it was accepted."""
    response = await api.gql(query, {"i": values}, key=key)
    name = next(iter(response.data))
    accepted(response, name)


async def agents_in(api: Api, table: sa.Table, where: sa.ColumnElement[bool]) -> set[int]:
    """Every agent id the audit columns of ``table``'s rows matching ``where`` hold."""
    columns = [c for c in (table.c.get("create_by"), table.c.get("change_by")) if c is not None]
    async with api.storage.engine.connect() as conn:
        rows = (await conn.execute(sa.select(*columns).where(where))).all()
    assert rows, f"no {table.name} row"
    return {int(value) for row in rows for value in row}


async def name_of(api: Api, table: sa.Table, object_id: int) -> str:
    """The name of the group or service ``object_id``."""
    async with api.storage.engine.connect() as conn:
        query = sa.select(table.c.name).where(table.c.id == object_id)
        return str((await conn.execute(query)).scalar_one())


async def sql(api: Api, statement: sa.Executable) -> None:
    async with api.storage.engine.begin() as conn:
        await conn.execute(statement)


async def add_agent(api: Api, agent_id: int, login: str) -> None:
    await sql(api, sa.insert(users).values(agent_row(agent_id, login)))


def later() -> datetime:
    """A time well after anything Roster wrote in this test: OTOBO's change."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)


async def otobo_changes(api: Api, table: sa.Table, where: sa.ColumnElement[bool]) -> None:
    """What OTOBO's agent 2 saving the object does to its row."""
    await sql(api, sa.update(table).where(where).values(change_by=2, change_time=later()))


# --- what is written -----------------------------------------------------------------------


@pytest.mark.parametrize("agent_id", [1, 7])
async def test_every_write_puts_the_configured_agent_in_otobos_columns(
    api: Api, make_api: MakeApi, agent_id: int
) -> None:
    app = api if agent_id == 1 else await make_api(database={"agent_id": 7}, before_open=[AGENT_7])
    secret, key_name = await new_key(app, prefix="writer-")
    as_writer = bearer(secret)
    cid, other = await new_customer(app), await new_customer(app)
    login = await new_user(app, cid)
    group_id = await new_group(app)
    service_id = await new_service(app)
    grant = {"groupId": group_id, "permissions": ["ro"]}
    for mutation, values in (
        ("customerUserSetCustomers", {"login": login, "customerIds": [other]}),
        ("customerUserSetGroups", {"login": login, "grants": [grant]}),
        ("customerSetGroups", {"customerId": cid, "grants": [{**grant, "context": "SAME"}]}),
    ):
        accepted(await assign_raw(app, mutation, values, key=as_writer), mutation)
    await mutate(app, USER_SERVICES, {"login": login, "serviceIds": [service_id]}, as_writer)

    for table, where in (
        (customer_company, customer_company.c.customer_id == cid),
        (customer_user, customer_user.c.login == login),
        (groups_table, groups_table.c.id == group_id),
        (service, service.c.id == service_id),
        (customer_user_customer, customer_user_customer.c.user_id == login),
        (group_customer_user, group_customer_user.c.user_id == login),
        (group_customer, group_customer.c.customer_id == cid),
        (service_customer_user, service_customer_user.c.customer_user_login == login),
    ):
        assert await agents_in(app, table, where) == {agent_id}, table.name

    admin = (await who(app, "customer", cid))[0]
    assert admin.startswith("admin-")
    # The assignments changed their owners (the user, the customer), not their targets.
    assert await who(app, "customer", cid) == (admin, key_name)
    assert await who(app, "user", login) == (admin, key_name)
    assert await who(app, "customer", other) == (admin, admin)
    assert await who(app, "group", await name_of(app, groups_table, group_id)) == (admin, admin)
    assert await who(app, "service", await name_of(app, service, service_id)) == (admin, admin)


async def test_the_agent_id_must_be_an_agent(make_api: MakeApi) -> None:
    with pytest.raises(SchemaMismatch, match="no agent with id 99"):
        await make_api(database={"agent_id": 99})
    for bad in (0, -1):
        with pytest.raises(ValidationError, match="agent_id"):
            RosterConfig.model_validate({"database": {"agent_id": bad}})
    assert RosterConfig().database.agent_id == 1


# --- rows OTOBO wrote ------------------------------------------------------------------------


async def test_a_row_otobo_inserted_shows_the_agents_login(api: Api) -> None:
    cid = unique("C")
    now = datetime.now(UTC).replace(tzinfo=None)
    await sql(
        api,
        sa.insert(customer_company).values(
            customer_id=cid,
            name=f"N {cid}",
            valid_id=1,
            create_time=now,
            create_by=1,
            change_time=now,
            change_by=1,
        ),
    )
    assert await who(api, "customer", cid) == ("root@localhost", "root@localhost")

    # Roster changing it keeps OTOBO's creator and names the key as the changer.
    secret, name = await new_key(api, prefix="changer-")
    await mutate(api, CUSTOMER_UPDATE, {"customerId": cid, "city": "X"}, bearer(secret))
    assert await who(api, "customer", cid) == ("root@localhost", name)


async def test_a_roster_row_changed_by_otobo_shows_that_agent(make_api: MakeApi) -> None:
    api = await make_api()
    await add_agent(api, 2, "jane@otobo.test")
    secret, name = await new_key(api, prefix="creator-")
    cid = unique("C")
    await mutate(api, CUSTOMER_CREATE, {"customerId": cid, "name": cid}, bearer(secret))
    login = await new_user(api, cid)
    admin = (await who(api, "user", login))[0]
    assert await who(api, "customer", cid) == (name, name)

    await otobo_changes(api, customer_company, customer_company.c.customer_id == cid)
    await otobo_changes(api, customer_user, customer_user.c.login == login)
    assert await who(api, "customer", cid) == (name, "jane@otobo.test")
    assert await who(api, "user", login) == (admin, "jane@otobo.test")

    # Roster's next change is Roster's again.
    await mutate(api, CUSTOMER_UPDATE, {"customerId": cid, "city": "X"}, bearer(secret))
    assert await who(api, "customer", cid) == (name, name)
    await otobo_changes(api, customer_company, customer_company.c.customer_id == cid)

    # An agent id OTOBO's users table does not have shows as the id.
    await sql(
        api,
        sa.update(customer_company)
        .where(customer_company.c.customer_id == cid)
        .values(change_by=4242),
    )
    assert await who(api, "customer", cid) == (name, "#4242")


async def test_a_rename_keeps_the_origin(api: Api) -> None:
    first, first_name = await new_key(api, prefix="creator-")
    second, second_name = await new_key(api, prefix="renamer-")
    cid = unique("C")
    await mutate(api, CUSTOMER_CREATE, {"customerId": cid, "name": cid}, bearer(first))
    login = unique("u")
    await new_user(api, cid, login)
    admin = (await who(api, "user", login))[0]

    new_cid, new_login = unique("C"), unique("u")
    await mutate(
        api, CUSTOMER_UPDATE, {"customerId": cid, "newCustomerId": new_cid}, bearer(second)
    )
    await mutate(api, USER_UPDATE, {"login": login, "newLogin": new_login}, bearer(second))
    assert await who(api, "customer", new_cid) == (first_name, second_name)
    assert await who(api, "user", new_login) == (admin, second_name)
    assert await _origin_rows(api, cid.lower(), login.lower()) == 0

    # A case-only rename is the same key.
    await mutate(
        api, USER_UPDATE, {"login": new_login, "newLogin": new_login.upper()}, bearer(first)
    )
    assert await who(api, "user", new_login.upper()) == (admin, first_name)

    # A new object under the old name is a new object: its creator, not the renamed one's.
    third, third_name = await new_key(api, prefix="third-")
    values = {"customerId": cid, "name": unique("n")}
    await mutate(api, CUSTOMER_CREATE, values, bearer(third))
    assert await who(api, "customer", cid) == (third_name, third_name)


async def _origin_rows(api: Api, *keys: str) -> int:
    query = sa.select(sa.func.count()).where(roster_record_origin.c.object_key.in_(keys))
    async with api.storage.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


# --- assignments and service moves record their owner ---------------------------------------


async def test_assignments_record_their_owner_as_changed(api: Api) -> None:
    secret, name = await new_key(api, prefix="assigner-")
    as_assigner = bearer(secret)
    cid = await new_customer(api)
    login = await new_user(api, cid)
    group_id, service_id = await new_group(api), await new_service(api)
    admin = (await who(api, "customer", cid))[0]
    group_name = await name_of(api, groups_table, group_id)
    service_name = await name_of(api, service, service_id)

    # A dry run, and a set that changes nothing, are no change.
    grant = {"login": login, "permissions": ["ro"]}
    values = {"groupId": group_id, "grants": [grant], "dryRun": True}
    accepted(
        await assign_raw(api, "groupSetCustomerUsers", values, key=as_assigner),
        "groupSetCustomerUsers",
    )
    assert await who(api, "group", group_name) == (admin, admin)
    await mutate(api, SERVICE_USERS, {"serviceId": service_id, "logins": []}, as_assigner)
    assert await who(api, "service", service_name) == (admin, admin)

    values = {"groupId": group_id, "grants": [grant]}
    accepted(
        await assign_raw(api, "groupSetCustomerUsers", values, key=as_assigner),
        "groupSetCustomerUsers",
    )
    await mutate(api, SERVICE_USERS, {"serviceId": service_id, "logins": [login]}, as_assigner)
    assert await who(api, "group", group_name) == (admin, name)
    assert await who(api, "service", service_name) == (admin, name)
    assert await who(api, "user", login) == (admin, admin)  # the target, not the owner
    values = {"customerId": cid, "logins": [login]}
    accepted(
        await assign_raw(api, "customerSetCustomerUsers", values, key=as_assigner),
        "customerSetCustomerUsers",
    )
    assert await who(api, "customer", cid) == (admin, name)


async def test_a_service_move_records_the_service_it_moves_not_those_below(api: Api) -> None:
    """OTOBO's ``ServiceUpdate`` writes only the names of the services below the one it
    moves (their change_* stay), so their changedBy/changedAt stay too: the key that moved
    them shows in their history (an UPDATED event of the name), not as their last changer."""
    secret, name = await new_key(api, prefix="mover-")
    top = unique("s")
    parent = await new_service(api, top)
    await new_service(api, "child", parent)
    admin = (await who(api, "service", f"{top}::child"))[0]
    renamed = unique("s")
    await mutate(api, SERVICE_UPDATE, {"serviceId": parent, "name": renamed}, bearer(secret))
    assert await who(api, "service", renamed) == (admin, name)
    assert await who(api, "service", f"{renamed}::child") == (admin, admin)


async def test_two_first_changes_of_an_object_both_record(api: Api) -> None:
    """Two transactions that both find no record insert it; the second waits for the first
    and becomes an update, so neither write fails."""
    key = OriginKey.customer(unique("C"))
    origins = api.storage.origins
    async with api.storage.engine.connect() as first:
        await first.begin()
        await origins.record(first, [key], 1)
        async with api.storage.engine.connect() as second:
            await second.begin()
            waiting = asyncio.create_task(origins.record(second, [key], 2))
            await asyncio.sleep(0.2)  # the second now waits for the first's lock
            await first.commit()
            await waiting
            await second.commit()
    found = await origins.get_many([key])
    assert (found[key].created_by, found[key].changed_by.id) == (None, 2)


# --- statements ------------------------------------------------------------------------------


async def test_who_costs_two_statements_at_most_and_nothing_unselected(make_api: MakeApi) -> None:
    api = await make_api()
    await add_agent(api, 2, "jane@otobo.test")
    ids = [await new_customer(api, f"stmt-{i:02d}") for i in range(12)]
    plain = "query($f: Int!) { customers(first: $f) { nodes { customerId name } } }"
    audited = (
        "query($f: Int!) { customers(first: $f) { nodes { customerId name createdBy changedBy } } }"
    )

    async def statements(query: str, first: int) -> int:
        response = await api.gql(query, {"f": first})
        assert response.data
        return response.statements

    base = await statements(plain, 3)
    assert base == await statements(plain, 12)
    # Every row Roster's: the origins only (their keys' names come with them).
    assert await statements(audited, 3) == await statements(audited, 12) == base + 1
    # Some rows OTOBO's: the agents' logins too, one statement for all of them.
    for cid in ids[:6]:
        await otobo_changes(api, customer_company, customer_company.c.customer_id == cid)
    assert await statements(audited, 3) == await statements(audited, 12) == base + 2
    nodes = (await api.data(audited, {"f": 12}))["customers"]["nodes"]
    assert [n["changedBy"] for n in nodes].count("jane@otobo.test") == 6
