"""Customer users whose login OTOBO stored longer than a relation table holds.

OTOBO's ``customer_user.login`` is VARCHAR(191), but ``customer_user_customer.user_id`` and
``group_customer_user.user_id`` are VARCHAR(100). Roster creates and renames logins of at most
100 characters (``test_rename_to_a_long_login_with_relation_rows_fails_cleanly``), but OTOBO
(or an older import) may have stored a longer one. Such a user cannot be given customers or
groups: every assignment that would store a row of it answers ``TOO_LONG`` at the input that
names it, before anything is written, on every database (PostgreSQL and MariaDB would refuse
the row; SQLite would keep it whole). Services are stored in ``service_customer_user``, whose
``customer_user_login`` is VARCHAR(191) like the login, so every OTOBO login fits there; only a
backend table an admin made with a wider login column can hold one that does not (the last
tests). Such a login fits no column a change of its user writes either (Roster's audit and
origin keys, OTOBO's ``customer_preferences.user_id``, ``ticket.customer_user_id``,
``dynamic_field_obj_id_name.object_name``: 191 characters each): every change but a rename to
a login that fits answers ``TOO_LONG`` at the input naming the user, before anything is
written, where PostgreSQL and MariaDB answered INTERNAL_SERVER_ERROR and SQLite stored it.

The long-login users are inserted with SQL, as OTOBO writes them; everything else goes through
the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.customer_users_helpers import sql
from tests.api.groups_helpers import assign, assign_ok, codes, direct_grants, user_relations
from tests.api.services_helpers import SET_SERVICES, SET_USERS, user_services
from tests.api.services_helpers import create_ok as service_create
from tests.api.test_customer_users_import import imported, user_row
from tests.api.test_dynamic_fields import add_definition
from tests.api.tickets_helpers import new_queue, new_ticket
from tests.checks import assert_clean
from tests.conftest import Api, MakeApi, exact_sql, unique
from tests.factories import dynamic_field_row, new_customer, new_group, new_user
from tests.toml_helpers import default_map_rows

LENGTHS = [131, 161, 191]
"""Longer than 100, up to OTOBO's 191."""


async def otobo_user(api: Api, length: int, customer_id: str) -> str:
    """A customer user of a ``length``-character login, inserted as OTOBO inserts one."""
    login = unique("long")
    login += "x" * (length - len(login))
    assert len(login) == length
    now = datetime.now(UTC).replace(tzinfo=None)
    await sql(
        api,
        "INSERT INTO customer_user (login, email, customer_id, first_name, last_name, valid_id,"
        " create_time, create_by, change_time, change_by) VALUES"
        " (:l, :e, :c, 'Long', 'Login', 1, :t, 1, :t, 1)",
        {"l": login, "e": f"{unique('m')}@acme.test", "c": customer_id, "t": now},
    )
    return login


async def rows_of(api: Api, login: str) -> dict[str, int]:
    """How many rows of each relation table name ``login`` (exactly): the witness for
    "nothing was written"."""
    counts = {}
    for table, column in (
        ("customer_user_customer", "user_id"),
        ("group_customer_user", "user_id"),
        ("service_customer_user", "customer_user_login"),
    ):
        query = f"SELECT count(*) FROM {table} WHERE {exact_sql(api.kind, column)} = :l"
        counts[table] = int((await sql(api, query, {"l": login}))[0][0])
    return counts


NONE = {"customer_user_customer": 0, "group_customer_user": 0, "service_customer_user": 0}


Codes = list[tuple[tuple[str, ...] | None, str]]


def too_long(payload: dict[str, Any], length: int, column: str) -> Codes:
    """The payload's problems, after checking each TOO_LONG one says why."""
    for error in payload["userErrors"]:
        if error["code"] == "TOO_LONG":
            message = error["message"]
            assert f"login of {length} characters" in message, message
            assert f"OTOBO's {column} column holds at most 100 characters" in message, message
            assert "cannot be assigned" in message, message
    return codes(payload)


@pytest.mark.parametrize("length", LENGTHS)
async def test_a_long_login_gets_no_customers_from_either_side(api: Api, length: int) -> None:
    cid, other = await new_customer(api), await new_customer(api)
    login = await otobo_user(api, length, cid)
    fits = await new_user(api, cid)
    for dry_run in (True, False):
        payload = await assign(
            api, "customerUserSetCustomers", login=login, customerIds=[other], dryRun=dry_run
        )
        assert too_long(payload, length, "customer_user_customer.user_id") == [
            (("input", "login"), "TOO_LONG")
        ]
        assert payload["customerUser"] is None
        # From the customer's side: refused at the long login's place; the one that fits is
        # not added either (the set is written whole or not at all).
        payload = await assign(
            api, "customerSetCustomerUsers", customerId=other, logins=[fits, login], dryRun=dry_run
        )
        assert too_long(payload, length, "customer_user_customer.user_id") == [
            (("input", "logins", "1"), "TOO_LONG")
        ]
        assert payload["changes"] == []
    assert await rows_of(api, login) == NONE
    assert (await user_relations(api, fits))["customers"] == []
    # The user can still be read, and an empty set (nothing to store) is accepted.
    assert (await user_relations(api, login))["login"] == login
    assert await assign_ok(api, "customerUserSetCustomers", login=login, customerIds=[]) == set()
    assert await assign_ok(api, "customerSetCustomerUsers", customerId=other, logins=[fits]) == {
        ("ADDED", fits, other, None, None, None)
    }


@pytest.mark.parametrize("length", LENGTHS)
async def test_a_long_login_gets_no_groups_from_either_side(api: Api, length: int) -> None:
    cid = await new_customer(api)
    login = await otobo_user(api, length, cid)
    fits = await new_user(api, cid)
    group = await new_group(api)
    grants = [{"groupId": group, "permissions": ["ro", "rw"]}]
    for dry_run in (True, False):
        payload = await assign(
            api, "customerUserSetGroups", login=login, grants=grants, dryRun=dry_run
        )
        assert too_long(payload, length, "group_customer_user.user_id") == [
            (("input", "login"), "TOO_LONG")
        ]
        user_grants = [
            {"login": fits, "permissions": ["rw"]},
            {"login": login.upper(), "permissions": ["ro"]},
        ]
        payload = await assign(
            api, "groupSetCustomerUsers", groupId=group, grants=user_grants, dryRun=dry_run
        )
        assert too_long(payload, length, "group_customer_user.user_id") == [
            (("input", "grants", "1", "login"), "TOO_LONG")
        ]
        assert payload["changes"] == []
    assert await rows_of(api, login) == NONE
    assert await direct_grants(api, fits) == {}
    assert await assign_ok(api, "customerUserSetGroups", login=login, grants=[]) == set()


async def test_an_unknown_group_and_a_long_login_are_both_reported(api: Api) -> None:
    login = await otobo_user(api, 150, await new_customer(api))
    payload = await assign(
        api,
        "customerUserSetGroups",
        login=login,
        grants=[{"groupId": 987654321, "permissions": ["ro"]}],
    )
    assert too_long(payload, 150, "group_customer_user.user_id") == [
        (("input", "login"), "TOO_LONG"),
        (("input", "grants", "0", "groupId"), "UNKNOWN_GROUP"),
    ]


async def test_a_login_of_100_characters_is_assigned_everywhere(api: Api) -> None:
    cid, other = await new_customer(api), await new_customer(api)
    login = await otobo_user(api, 100, cid)
    group = await new_group(api)
    await assign_ok(api, "customerUserSetCustomers", login=login, customerIds=[other])
    await assign_ok(
        api,
        "customerUserSetGroups",
        login=login,
        grants=[{"groupId": group, "permissions": ["rw"]}],
    )
    assert await rows_of(api, login) == {
        **NONE,
        "customer_user_customer": 1,
        "group_customer_user": 1,
    }


@pytest.mark.parametrize("length", LENGTHS)
async def test_services_take_every_otobo_login(api: Api, length: int) -> None:
    # service_customer_user.customer_user_login holds 191 characters, as customer_user.login.
    login = await otobo_user(api, length, await new_customer(api))
    service = (await service_create(api, unique("S")))["serviceId"]
    r = await api.gql(SET_SERVICES, {"i": {"login": login, "serviceIds": [service]}})
    assert_clean(r)
    assert r.data["customerUserSetServices"]["userErrors"] == []
    assert await rows_of(api, login) == {**NONE, "service_customer_user": 1}
    r = await api.gql(SET_USERS, {"i": {"serviceId": service, "logins": []}})
    assert r.data["serviceSetCustomerUsers"]["userErrors"] == []
    r = await api.gql(SET_USERS, {"i": {"serviceId": service, "logins": [login]}})
    assert r.data["serviceSetCustomerUsers"]["userErrors"] == []
    assert (await user_services(api, login))[0] != []
    assert await rows_of(api, login) == {**NONE, "service_customer_user": 1}


@pytest.mark.parametrize("length", [131, 161])
async def test_an_import_row_assigning_relations_to_a_long_login_is_refused(
    api: Api, length: int
) -> None:
    cid, other = await new_customer(api), await new_customer(api)
    login = await otobo_user(api, length, cid)
    group = unique("g")
    await new_group(api, group)
    service = unique("S")
    await service_create(api, service)
    fits = unique("u")
    row = user_row(login, cid, UserLastname="Renamed")
    del row["UserEmail"]
    rows = [
        {**row, "customers": [other], "groups": {group: ["rw"]}, "services": [service]},
        user_row(fits, cid, customers=[other], groups={group: ["rw"]}),
    ]
    for dry_run in (True, False):
        payload = await imported(api, rows, dry_run=dry_run)
        assert [r["action"] for r in payload["rows"]] == ["REFUSED", "CREATED"], payload
        refused = payload["rows"][0]["userErrors"]
        assert [(e["field"], e["code"]) for e in refused] == [
            (["input", "rows", "0", "customers"], "TOO_LONG"),
            (["input", "rows", "0", "groups"], "TOO_LONG"),
        ], refused
        assert "customer_user_customer.user_id column holds at most 100" in refused[0]["message"]
        assert "group_customer_user.user_id column holds at most 100" in refused[1]["message"]
    assert await rows_of(api, login) == NONE
    assert (await user_relations(api, login))["login"] == login
    # The same row without the relations it cannot store is imported.
    payload = await imported(api, [{**row, "services": [service]}])
    assert [r["action"] for r in payload["rows"]] == ["UPDATED"], payload
    assert await rows_of(api, login) == {**NONE, "service_customer_user": 1}


WIDE_TABLE = """
CREATE TABLE customer_user_wide (
    {id},
    login VARCHAR(250) NOT NULL, email VARCHAR(150) NOT NULL, customer_id VARCHAR(150) NOT NULL,
    pw VARCHAR(128), title VARCHAR(50), first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL, phone VARCHAR(150), fax VARCHAR(150), mobile VARCHAR(150),
    street VARCHAR(150), zip VARCHAR(200), city VARCHAR(200), country VARCHAR(200),
    comments VARCHAR(250), valid_id SMALLINT NOT NULL, create_time {time} NOT NULL,
    create_by INTEGER NOT NULL, change_time {time} NOT NULL, change_by INTEGER NOT NULL
)
"""


WIDE_LOGIN = "wide" + "w" * 196
"""200 characters: more than any column but the wide table's holds."""
NICKNAME = "DynamicField_Nickname"


async def wide_api(api: Api, make_api: MakeApi) -> Api:
    """An app whose customer-user backend is a table an admin made with a login column of
    250 characters, holding the user :data:`WIDE_LOGIN` (inserted with SQL, as the admin's
    tools would) of customer ``wide-co``, with a Text dynamic field ``nickname`` in its Map."""
    id_column = {
        "postgresql": "id SERIAL PRIMARY KEY",
        "mariadb": "id INTEGER PRIMARY KEY AUTO_INCREMENT",
    }.get(api.kind, "id INTEGER PRIMARY KEY AUTOINCREMENT")
    time_type = "DATETIME" if api.kind == "mariadb" else "TIMESTAMP"
    wide = await make_api(
        before_open=[
            WIDE_TABLE.format(id=id_column, time=time_type),
            "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
            " change_time, change_by) VALUES ('wide-co', 'Wide', 1, '2024-01-01', 1,"
            " '2024-01-01', 1)",
            "INSERT INTO customer_user_wide (login, email, customer_id, first_name, last_name,"
            " valid_id, create_time, create_by, change_time, change_by) VALUES"
            f" ('{WIDE_LOGIN}', 'wide@acme.test', 'wide-co', 'W', 'Ide', 1, '2024-01-01', 1,"
            " '2024-01-01', 1)",
        ],
        customer_user={
            "backends": [
                {
                    "name": "CustomerUser",
                    "table": "customer_user_wide",
                    "map": [*default_map_rows(), dynamic_field_row(NICKNAME, "Nickname", "Text")],
                }
            ]
        },
    )
    await add_definition(wide, "Nickname", "Text", None)
    return wide


def refused_for(payload: dict[str, Any], path: list[str], column: str, cannot: str) -> None:
    """``payload`` refused with one TOO_LONG at ``path`` whose message says why: the login's
    length, the column that cannot hold it (191 characters) and what the user cannot be."""
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(path, "TOO_LONG")], payload
    message = payload["userErrors"][0]["message"]
    assert "login of 200 characters" in message, message
    assert f"{column} column holds at most 191 characters" in message, message
    assert f"cannot {cannot}; rename it to a login that fits (newLogin) first" in message


async def mutation(api: Api, name: str, type_name: str, values: dict[str, Any]) -> Any:
    document = (
        f"mutation($i: {type_name}!) {{ {name}(input: $i) {{ "
        "userErrors { field code message } } }"
    )
    r = await api.gql(document, {"i": values})
    assert_clean(r)  # a typed error, never INTERNAL_SERVER_ERROR
    return r.data[name]


WIDE_USER = "query($l: String!) { customerUser(login: $l) { login lastName customerId nickname } }"
STORED = {"login": WIDE_LOGIN, "lastName": "Ide", "customerId": "wide-co", "nickname": None}


async def test_a_login_longer_than_191_characters_gets_no_services(
    api: Api, make_api: MakeApi
) -> None:
    # A backend table an admin made with a wider login column (250) can hold a login that
    # service_customer_user.customer_user_login (191, as customer_user.login) cannot.
    wide = await wide_api(api, make_api)
    login = WIDE_LOGIN
    service = (await service_create(wide, unique("S")))["serviceId"]
    column = "OTOBO's service_customer_user.customer_user_login column holds at most 191"
    for dry_run in (True, False):
        variables = {"login": login, "serviceIds": [service], "dryRun": dry_run}
        r = await wide.gql(SET_SERVICES, {"i": variables})
        assert_clean(r)
        payload = r.data["customerUserSetServices"]
        assert codes(payload) == [(("input", "login"), "TOO_LONG")]
        assert "login of 200 characters" in payload["userErrors"][0]["message"]
        assert column in payload["userErrors"][0]["message"]
        variables = {"serviceId": service, "logins": [login], "dryRun": dry_run}
        r = await wide.gql(SET_USERS, {"i": variables})
        assert_clean(r)
        payload = r.data["serviceSetCustomerUsers"]
        assert codes(payload) == [(("input", "logins", "0"), "TOO_LONG")]
        assert column in payload["userErrors"][0]["message"]
    assert await rows_of(wide, login) == NONE


async def test_a_login_longer_than_191_characters_is_changed_only_by_a_rename(
    api: Api, make_api: MakeApi
) -> None:
    """Every change of a user is recorded under its login (the audit event, who changed it:
    Roster's 191-character keys, as wide as OTOBO's ``customer_preferences.user_id``,
    ``dynamic_field_obj_id_name.object_name`` and ``ticket.customer_user_id`` that some
    changes write too). A login longer than that is refused at ``login`` by every change
    (an update, with a dynamic field, of the primary customer, a password, an import row
    that changes something) before anything is written; a rename to a login that fits is
    taken, and the renamed user changes as any other. PostgreSQL and MariaDB answered
    INTERNAL_SERVER_ERROR, SQLite stored the 200 characters."""
    wide = await wide_api(api, make_api)
    await new_customer(wide, "other-co")
    cannot = "be changed"
    column = "Roster's roster_audit_event.object_key"
    update = "customerUserUpdate", "CustomerUserUpdateInput"
    for change in ({"lastName": "Changed"}, {"nickname": "Nick"}, {"customerId": "other-co"}):
        payload = await mutation(wide, *update, {"login": WIDE_LOGIN, **change})
        refused_for(payload, ["input", "login"], column, cannot)
    values = {"login": WIDE_LOGIN, "password": "Another-Secret-42"}
    payload = await mutation(
        wide, "customerUserSetPassword", "CustomerUserSetPasswordInput", values
    )
    refused_for(payload, ["input", "login"], column, cannot)
    row = {
        "UserLogin": WIDE_LOGIN,
        "UserFirstname": "W",
        "UserLastname": "Ide",
        "UserEmail": "wide@acme.test",
        "UserCustomerID": "wide-co",
    }
    for dry_run in (True, False):
        payload = await imported(wide, [row], dry_run=dry_run)
        assert [r["action"] for r in payload["rows"]] == ["UNCHANGED"], payload
        for changing in ({**row, "UserLastname": "Changed"}, {**row, NICKNAME: "Nick"}):
            payload = await imported(wide, [changing], dry_run=dry_run)
            (result,) = payload["rows"]
            assert result["action"] == "REFUSED", payload
            refused_for(result, ["input", "rows", "0", "UserLogin"], column, cannot)
    assert (await wide.data(WIDE_USER, {"l": WIDE_LOGIN}))["customerUser"] == STORED
    count = "SELECT count(*) FROM roster_password_history"
    assert (await sql(wide, count))[0][0] == 0

    short = unique("short")
    change = {"login": WIDE_LOGIN, "newLogin": short, "nickname": "Nick"}
    assert (await mutation(wide, *update, change))["userErrors"] == []
    renamed = await wide.data(WIDE_USER, {"l": short})
    assert renamed["customerUser"] == {**STORED, "login": short, "nickname": "Nick"}
    assert (await mutation(wide, *update, {"login": short, "lastName": "Changed"}))[
        "userErrors"
    ] == []


async def test_a_login_longer_than_191_characters_gets_no_two_factor_secret(
    api: Api, make_api: MakeApi
) -> None:
    """The secret is one of OTOBO's ``customer_preferences`` (``user_id`` VARCHAR(191)): set
    and cleared are refused at ``login``, and no preference row is written."""
    wide = await wide_api(api, make_api)
    column, cannot = "OTOBO's customer_preferences.user_id", "have a two-factor secret"
    values = {"login": WIDE_LOGIN, "secret": "JBSWY3DPEHPK3PXP"}
    name, type_name = "customerUserSetTwoFactorSecret", "CustomerUserSetTwoFactorSecretInput"
    refused_for(await mutation(wide, name, type_name, values), ["input", "login"], column, cannot)
    name, type_name = "customerUserClearTwoFactorSecret", "CustomerUserClearTwoFactorSecretInput"
    payload = await mutation(wide, name, type_name, {"login": WIDE_LOGIN})
    refused_for(payload, ["input", "login"], column, cannot)
    assert (await sql(wide, "SELECT count(*) FROM customer_preferences"))[0][0] == 0


async def test_a_login_longer_than_191_characters_is_no_tickets_customer_user(
    api: Api, make_api: MakeApi
) -> None:
    """``ticketSetCustomer`` writes the login into ``ticket.customer_user_id`` (VARCHAR(191)):
    refused at ``customerUser`` (on a dry run too), and the ticket keeps its customer."""
    wide = await wide_api(api, make_api)
    queue_id, _ = await new_queue(wide, await new_group(wide))
    number = await new_ticket(wide, queue_id, customer_id="wide-co")
    column, cannot = "OTOBO's ticket.customer_user_id", "be a ticket's customer user"
    name, type_name = "ticketSetCustomer", "TicketSetCustomerInput"
    for dry_run in (True, False):
        values = {"number": number, "customerUser": WIDE_LOGIN, "dryRun": dry_run}
        payload = await mutation(wide, name, type_name, values)
        refused_for(payload, ["input", "customerUser"], column, cannot)
    stored = await sql(
        wide, "SELECT customer_id, customer_user_id FROM ticket WHERE tn = :n", {"n": number}
    )
    assert [tuple(r) for r in stored] == [("wide-co", None)]


async def test_a_customer_of_a_login_longer_than_191_characters_keeps_its_id(
    api: Api, make_api: MakeApi
) -> None:
    """A new customer ID re-points the customer's users, a change of each (recorded under
    its login): refused at ``newCustomerId`` while a user's login is too long for that
    record; the customer and its users keep the old ID."""
    wide = await wide_api(api, make_api)
    name, type_name = "customerUpdate", "CustomerUpdateInput"
    payload = await mutation(
        wide, name, type_name, {"customerId": "wide-co", "newCustomerId": "wide-co-2"}
    )
    refused_for(
        payload,
        ["input", "newCustomerId"],
        "Roster's roster_audit_event.object_key",
        "follow its customer to a new customer ID",
    )
    assert (await wide.data(WIDE_USER, {"l": WIDE_LOGIN}))["customerUser"] == STORED
    read = "query($c: String!) { customer(customerId: $c) { customerId } }"
    assert (await wide.data(read, {"c": "wide-co"}))["customer"] == {"customerId": "wide-co"}
