"""MariaDB: text columns that store only 3-byte UTF-8 (``utf8mb3``, as older OTRS/OTOBO installs
made their tables ``utf8``).

Roster starts on such a database (it serves everything but 4-byte characters well), logs one
warning naming every such column it writes with the ``ALTER TABLE`` that fixes it, and refuses
a 4-byte character (emoji, rarer CJK) for those columns with ``INVALID_CHARACTERS`` at the
field's input path, before writing anything: never MariaDB's error 1366 as
INTERNAL_SERVER_ERROR. A column converted after the start still gets a typed error, and
nothing is written. The same inputs on utf8mb4 columns are stored (here beside the 3-byte
ones, and on every database in ``test_text_fidelity.py``).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api.test_customer_users_import import user_row
from tests.api.test_dynamic_fields import add_definition
from tests.api.tickets_helpers import new_queue, new_ticket
from tests.conftest import Api, MakeApi, run_sql, unique
from tests.factories import (
    CUSTOMER_CREATE,
    GROUP_CREATE,
    SERVICE_CREATE,
    USER_CREATE,
    dynamic_field_row,
    new_customer,
    new_group,
    new_service,
    new_user,
    user_input,
)
from tests.toml_helpers import default_map_rows, map_with_room

EMOJI = "😀"  # U+1F600: 4 bytes in UTF-8
HAN = "𠮷"  # U+20BB7, CJK Extension B: 4 bytes in UTF-8
BMP = "Grüße 山田 €"  # 2- and 3-byte characters: a utf8mb3 column stores them

NICKNAME = "DynamicField_Nickname"
THREE_BYTE = "CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci"
UTF8MB4 = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
CONVERTED = [
    f"ALTER TABLE customer_user MODIFY first_name VARCHAR(100) {THREE_BYTE} NOT NULL",
    f"ALTER TABLE customer_user ADD COLUMN room VARCHAR(250) {THREE_BYTE}",
    f"ALTER TABLE customer_company MODIFY comments VARCHAR(250) {THREE_BYTE}",
    f"ALTER TABLE groups_table MODIFY comments VARCHAR(250) {THREE_BYTE}",
    f"ALTER TABLE service MODIFY comments VARCHAR(250) {THREE_BYTE}",
]
"""An OTOBO database whose key columns are utf8mb4 (Roster refuses to start otherwise) and
some written columns, a custom Map column among them, are still utf8mb3."""

USER_FIX = "ALTER TABLE customer_user CONVERT TO CHARACTER SET utf8mb4 COLLATE"

USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    "customerUser { login } userErrors { field code message } } }"
)
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    "customer { customerId } userErrors { field code message } } }"
)
GROUP_UPDATE = (
    "mutation($i: GroupUpdateInput!) { groupUpdate(input: $i) { "
    "group { groupId } userErrors { field code message } } }"
)
SERVICE_UPDATE = (
    "mutation($i: ServiceUpdateInput!) { serviceUpdate(input: $i) { "
    "service { serviceId } userErrors { field code message } } }"
)
IMPORT = """mutation($i: CustomerUsersImportInput!) { customerUsersImport(input: $i) {
  created updated unchanged refused
  rows { index kind key action userErrors { field code message } }
  userErrors { field code }
} }"""
TICKET_SET_CUSTOMER = (
    "mutation($i: TicketSetCustomerInput!) { ticketSetCustomer(input: $i) { "
    "userErrors { field code message } } }"
)
USER_GET = "query($l: String!) { customerUser(login: $l) { login firstName lastName room } }"
CUSTOMER_GET = "query($c: String!) { customer(customerId: $c) { customerId comment } }"
GROUP_GET = "query($n: String!) { group(name: $n) { name comment } }"
SERVICE_GET = "query($n: String!) { service(name: $n) { name comment } }"


@pytest.fixture
async def three_byte(api: Api, make_api: MakeApi, caplog: pytest.LogCaptureFixture) -> Api:
    """MariaDB only: an app opened on a database with the :data:`CONVERTED` columns."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's); PostgreSQL and SQLite store any text")
    with caplog.at_level(logging.WARNING, logger="roster"):
        return await make_api(
            before_open=CONVERTED,
            customer_user={"backends": [{"map": map_with_room(required=False)}]},
        )


async def mutate(api: Api, document: str, mutation: str, values: dict[str, Any]) -> Any:
    r = await api.gql(document, {"i": values})
    assert r.status == 200, r.body
    assert not r.errors, r.body  # a typed error, never INTERNAL_SERVER_ERROR
    return r.data[mutation]


def refused_at(payload: dict[str, Any], *path: str, fix: str) -> None:
    """``payload`` refused with one INVALID_CHARACTERS at ``["input", *path]`` whose message
    names the 3-byte column and its fix."""
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_CHARACTERS", ["input", *path])
    ], payload
    assert "3-byte UTF-8" in errors[0]["message"]
    assert fix in errors[0]["message"]


async def test_start_logs_one_warning_naming_each_column_and_its_fix(
    three_byte: Api, caplog: pytest.LogCaptureFixture
) -> None:
    logged = caplog.get_records("setup")  # the app opened in the fixture
    warnings = [r.getMessage() for r in logged if "3-byte UTF-8" in r.getMessage()]
    assert len(warnings) == 1, warnings
    (warning,) = warnings
    for column in (
        "customer_user.first_name",
        "customer_user.room",
        "customer_company.comments",
        "groups_table.comments",
        "service.comments",
    ):
        assert column in warning
    assert "customer_user.last_name" not in warning  # still utf8mb4
    for table in ("customer_user", "customer_company", "groups_table", "service"):
        assert f"ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_" in warning


async def test_customer_user_create_and_update(three_byte: Api) -> None:
    api = three_byte
    customer = await new_customer(api)
    login = unique("u")
    for field in ("firstName", "room"):
        values = user_input(customer, login, **{field: f"Ann {EMOJI}"})
        payload = await mutate(api, USER_CREATE, "customerUserCreate", values)
        refused_at(payload, field, fix=USER_FIX)
        assert payload["customerUser"] is None
        assert (await api.data(USER_GET, {"l": login}))["customerUser"] is None
    # The 3-byte column stores every BMP character; the utf8mb4 one stores the emoji too.
    values = user_input(customer, login, firstName=BMP, lastName=f"Lee {EMOJI}{HAN}", room=BMP)
    assert (await mutate(api, USER_CREATE, "customerUserCreate", values))["userErrors"] == []
    stored = {"login": login, "firstName": BMP, "lastName": f"Lee {EMOJI}{HAN}", "room": BMP}
    assert (await api.data(USER_GET, {"l": login}))["customerUser"] == stored

    for field in ("firstName", "room"):
        # With a valid change beside it: the whole update is refused, nothing written.
        change = {"login": login, "lastName": "Changed", field: HAN}
        payload = await mutate(api, USER_UPDATE, "customerUserUpdate", change)
        refused_at(payload, field, fix=USER_FIX)
        assert (await api.data(USER_GET, {"l": login}))["customerUser"] == stored
    change = {"login": login, "lastName": EMOJI}
    assert (await mutate(api, USER_UPDATE, "customerUserUpdate", change))["userErrors"] == []


async def test_customer_create_and_update(three_byte: Api) -> None:
    api = three_byte
    fix = "ALTER TABLE customer_company CONVERT TO CHARACTER SET utf8mb4 COLLATE"
    cid = unique("C")
    values = {"customerId": cid, "name": f"{cid} {EMOJI}", "comment": f"note {EMOJI}"}
    refused_at(await mutate(api, CUSTOMER_CREATE, "customerCreate", values), "comment", fix=fix)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None
    values["comment"] = BMP  # the name (utf8mb4) keeps its emoji
    assert (await mutate(api, CUSTOMER_CREATE, "customerCreate", values))["userErrors"] == []

    change = {"customerId": cid, "city": "Bonn", "comment": HAN}
    refused_at(await mutate(api, CUSTOMER_UPDATE, "customerUpdate", change), "comment", fix=fix)
    stored = await api.data(CUSTOMER_GET, {"c": cid})
    assert stored["customer"] == {"customerId": cid, "comment": BMP}


async def test_group_create_and_update(three_byte: Api) -> None:
    api = three_byte
    fix = "ALTER TABLE groups_table CONVERT TO CHARACTER SET utf8mb4 COLLATE"
    name = unique("g") + EMOJI  # the name column is utf8mb4
    values = {"name": name, "comment": EMOJI}
    refused_at(await mutate(api, GROUP_CREATE, "groupCreate", values), "comment", fix=fix)
    assert (await api.data(GROUP_GET, {"n": name}))["group"] is None
    group_id = await new_group(api, name)
    change = {"groupId": group_id, "name": name + "x", "comment": f"a {HAN}"}
    refused_at(await mutate(api, GROUP_UPDATE, "groupUpdate", change), "comment", fix=fix)
    assert (await api.data(GROUP_GET, {"n": name}))["group"] == {"name": name, "comment": None}
    change = {"groupId": group_id, "comment": BMP}
    assert (await mutate(api, GROUP_UPDATE, "groupUpdate", change))["userErrors"] == []


async def test_service_create_and_update(three_byte: Api) -> None:
    api = three_byte
    fix = "ALTER TABLE service CONVERT TO CHARACTER SET utf8mb4 COLLATE"
    name = unique("s") + EMOJI  # the name column is utf8mb4
    values = {"name": name, "comment": EMOJI}
    refused_at(await mutate(api, SERVICE_CREATE, "serviceCreate", values), "comment", fix=fix)
    assert (await api.data(SERVICE_GET, {"n": name}))["service"] is None
    service_id = await new_service(api, name)
    change = {"serviceId": service_id, "name": unique("s"), "comment": f"a {HAN}"}
    refused_at(await mutate(api, SERVICE_UPDATE, "serviceUpdate", change), "comment", fix=fix)
    assert (await api.data(SERVICE_GET, {"n": name}))["service"] == {"name": name, "comment": None}
    change = {"serviceId": service_id, "comment": BMP}
    assert (await mutate(api, SERVICE_UPDATE, "serviceUpdate", change))["userErrors"] == []


async def test_import_rows(three_byte: Api) -> None:
    """``customerUsersImport`` (the rows and rules of ``roster import``): a row with a 4-byte
    character for a 3-byte column is refused at its field, the others are written."""
    api = three_byte
    customer, new, old, company = unique("C"), unique("u"), unique("u"), unique("C")
    await new_customer(api, customer)
    rows: list[Any] = [
        user_row(old, customer),
        {"type": "customer", "CustomerID": company, "CustomerCompanyName": company},
    ]
    first = await mutate(api, IMPORT, "customerUsersImport", {"rows": rows})
    assert first["created"] == 2, first
    rows = [
        user_row(new, customer, UserFirstname=f"Ada {EMOJI}"),
        user_row(old, customer, UserRoom=HAN, UserLastname="Changed"),
        {"type": "customer", "CustomerID": company, "CustomerCompanyComment": EMOJI},
        {"type": "customer", "CustomerID": unique("C"), "CustomerCompanyName": f"N {EMOJI}"},
    ]
    payload = await mutate(api, IMPORT, "customerUsersImport", {"rows": rows})
    assert (payload["created"], payload["updated"], payload["refused"]) == (1, 0, 3), payload
    refusals = [
        [(e["code"], e["field"]) for e in row["userErrors"]]
        for row in payload["rows"]
        if row["action"] == "REFUSED"
    ]
    assert refusals == [
        [("INVALID_CHARACTERS", ["input", "rows", "0", "UserFirstname"])],
        [("INVALID_CHARACTERS", ["input", "rows", "1", "UserRoom"])],
        [("INVALID_CHARACTERS", ["input", "rows", "2", "comment"])],
    ], payload
    assert (await api.data(USER_GET, {"l": new}))["customerUser"] is None
    assert (await api.data(USER_GET, {"l": old}))["customerUser"]["lastName"] == "Lovelace"
    assert (await api.data(CUSTOMER_GET, {"c": company}))["customer"]["comment"] is None


def refused_by_the_database(payload: dict[str, Any], *path: str, column: str) -> None:
    """``payload`` refused by the safety net: one INVALID_CHARACTERS at ``["input", *path]``
    (None for ``()``: the input as a whole) whose message names ``column`` (table.column) and
    the ``ALTER TABLE`` that converts its table."""
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_CHARACTERS", ["input", *path] if path else None)
    ], payload
    message = errors[0]["message"]
    assert f"refused a character for {column}:" in message, message
    table = column.split(".")[0]
    assert f"ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4" in message, message


async def converted_after_the_start(app: Api, statements: list[str]) -> None:
    """Run ``statements`` on ``app``'s database behind its back: what the app checked at
    start no longer holds."""
    url = app.storage.engine.url.render_as_string(hide_password=False)
    await run_sql(url, statements)


async def test_a_column_converted_after_the_start_is_a_typed_error(
    api: Api, make_api: MakeApi
) -> None:
    """The safety net: the rules do not know the column is utf8mb3, MariaDB answers 1366, and
    the caller gets INVALID_CHARACTERS at the field that wrote the column, naming the column;
    nothing is written."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    app = await make_api()
    await converted_after_the_start(app, [CONVERTED[0]])
    customer = await new_customer(app)
    login = unique("u")
    values = user_input(customer, login, firstName=f"Ann {EMOJI}")
    payload = await mutate(app, USER_CREATE, "customerUserCreate", values)
    refused_by_the_database(payload, "firstName", column="customer_user.first_name")
    assert payload["customerUser"] is None
    async with app.storage.engine.connect() as conn:
        count = await conn.scalar(
            sa.text("SELECT count(*) FROM customer_user WHERE login = :l"), {"l": login}
        )
    assert count == 0


async def test_every_write_names_the_field_of_a_column_converted_after_the_start(
    api: Api, make_api: MakeApi
) -> None:
    """Each write of client text whose column became utf8mb3 after the start (the customer-user
    Map, a custom Map column, the company Map, groups, services, dynamic-field values) is
    refused at the field that wrote it, as the start-time rules would have refused it; what
    was there stays."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    app = await make_api(
        before_open=[f"ALTER TABLE customer_user ADD COLUMN room VARCHAR(250) {UTF8MB4}"],
        customer_user={
            "backends": [
                {
                    "map": [
                        *map_with_room(required=False),
                        dynamic_field_row(NICKNAME, "Nickname", "Text"),
                    ]
                }
            ]
        },
    )
    await add_definition(app, "Nickname", "Text", None)
    customer = await new_customer(app)
    login = await new_user(app, customer)
    group_id = await new_group(app)
    service_id = await new_service(app)
    await converted_after_the_start(
        app,
        [
            f"ALTER TABLE customer_user MODIFY room VARCHAR(250) {THREE_BYTE}",
            f"ALTER TABLE customer_user MODIFY last_name VARCHAR(100) {THREE_BYTE} NOT NULL",
            *CONVERTED[2:],
            f"ALTER TABLE dynamic_field_value MODIFY value_text MEDIUMTEXT {THREE_BYTE}",
        ],
    )
    assert not app.storage.three_byte  # the app saw none at start

    for field, column in (
        ("room", "customer_user.room"),
        ("lastName", "customer_user.last_name"),
        ("nickname", "dynamic_field_value.value_text"),
    ):
        values = user_input(customer, unique("u"), **{field: f"Ann {EMOJI}"})
        payload = await mutate(app, USER_CREATE, "customerUserCreate", values)
        refused_by_the_database(payload, field, column=column)
        change = {"login": login, "firstName": "Changed", field: HAN}
        payload = await mutate(app, USER_UPDATE, "customerUserUpdate", change)
        refused_by_the_database(payload, field, column=column)
    stored = await app.data(USER_GET, {"l": login})
    assert stored["customerUser"]["firstName"] == "Ada"

    cid = unique("C")
    values = {"customerId": cid, "name": cid, "comment": EMOJI}
    payload = await mutate(app, CUSTOMER_CREATE, "customerCreate", values)
    refused_by_the_database(payload, "comment", column="customer_company.comments")
    change = {"customerId": customer, "city": "Bonn", "comment": HAN}
    payload = await mutate(app, CUSTOMER_UPDATE, "customerUpdate", change)
    refused_by_the_database(payload, "comment", column="customer_company.comments")
    assert (await app.data(CUSTOMER_GET, {"c": customer}))["customer"]["comment"] is None

    values = {"name": unique("g"), "comment": EMOJI}
    payload = await mutate(app, GROUP_CREATE, "groupCreate", values)
    refused_by_the_database(payload, "comment", column="groups_table.comments")
    payload = await mutate(app, GROUP_UPDATE, "groupUpdate", {"groupId": group_id, "comment": HAN})
    refused_by_the_database(payload, "comment", column="groups_table.comments")

    values = {"name": unique("s"), "comment": EMOJI}
    payload = await mutate(app, SERVICE_CREATE, "serviceCreate", values)
    refused_by_the_database(payload, "comment", column="service.comments")
    change_service = {"serviceId": service_id, "comment": HAN}
    payload = await mutate(app, SERVICE_UPDATE, "serviceUpdate", change_service)
    refused_by_the_database(payload, "comment", column="service.comments")


async def test_two_dynamic_fields_refused_by_the_database_are_both_named(
    api: Api, make_api: MakeApi
) -> None:
    """``dynamic_field_value.value_text`` holds every Text field's value: when it refuses a
    write, each field whose value has a 4-byte character is named (the column would refuse
    each of them), and a field whose value it stores is not."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    rows = [
        dynamic_field_row(NICKNAME, "Nickname", "Text"),
        dynamic_field_row("DynamicField_Motto", "Motto", "Text"),
        dynamic_field_row("DynamicField_Plain", "Plain", "Text"),
    ]
    app = await make_api(customer_user={"backends": [{"map": [*default_map_rows(), *rows]}]})
    for order, name in enumerate(("Nickname", "Motto", "Plain"), start=1):
        await add_definition(app, name, "Text", None, order=order)
    await converted_after_the_start(
        app, [f"ALTER TABLE dynamic_field_value MODIFY value_text MEDIUMTEXT {THREE_BYTE}"]
    )
    customer = await new_customer(app)
    login = unique("u")
    values = user_input(customer, login, nickname=EMOJI, motto=f"a {HAN}", plain="山田")
    payload = await mutate(app, USER_CREATE, "customerUserCreate", values)
    errors = payload["userErrors"]
    assert sorted((e["code"], tuple(e["field"])) for e in errors) == [
        ("INVALID_CHARACTERS", ("input", "motto")),
        ("INVALID_CHARACTERS", ("input", "nickname")),
    ], payload
    assert all("dynamic_field_value.value_text" in e["message"] for e in errors)
    read = "query($l: String!) { customerUser(login: $l) { login } }"
    assert (await app.data(read, {"l": login}))["customerUser"] is None


async def test_ticket_set_customer_names_the_field_of_a_converted_ticket_column(
    api: Api, make_api: MakeApi
) -> None:
    """``ticketSetCustomer`` writes the login and customer ID it is given into the ticket: a
    ``ticket.customer_user_id`` made utf8mb3 after the start refuses a login with an emoji at
    ``customerUser``, and the ticket keeps its customer."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    app = await make_api()
    customer = await new_customer(app)
    login = await new_user(app, customer, unique("u") + EMOJI)
    queue_id, _ = await new_queue(app, await new_group(app))
    number = await new_ticket(app, queue_id, customer_id=customer)
    await converted_after_the_start(
        app, [f"ALTER TABLE ticket MODIFY customer_user_id VARCHAR(191) {THREE_BYTE}"]
    )
    payload = await mutate(
        app, TICKET_SET_CUSTOMER, "ticketSetCustomer", {"number": number, "customerUser": login}
    )
    refused_by_the_database(payload, "customerUser", column="ticket.customer_user_id")
    async with app.storage.engine.connect() as conn:
        stored = await conn.scalar(
            sa.text("SELECT customer_user_id FROM ticket WHERE tn = :n"), {"n": number}
        )
    assert stored is None


async def test_dynamic_field_text_in_a_3_byte_column(
    api: Api, make_api: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    """``dynamic_field_value.value_text`` in utf8mb3: named in the start warning, and an emoji
    for a Text dynamic field of the Map is refused at that field (create, update, import
    row); nothing of the write is stored."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    with caplog.at_level(logging.WARNING, logger="roster"):
        app = await make_api(
            before_open=[
                f"ALTER TABLE dynamic_field_value MODIFY value_text MEDIUMTEXT {THREE_BYTE}"
            ],
            customer_user={
                "backends": [
                    {"map": [*default_map_rows(), dynamic_field_row(NICKNAME, "Nickname", "Text")]}
                ]
            },
        )
    warnings = [r.getMessage() for r in caplog.records if "3-byte UTF-8" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "dynamic_field_value.value_text" in warnings[0]
    fix = "ALTER TABLE dynamic_field_value CONVERT TO CHARACTER SET utf8mb4 COLLATE"
    await add_definition(app, "Nickname", "Text", None)
    customer = await new_customer(app)
    login = unique("u")
    read = "query($l: String!) { customerUser(login: $l) { login lastName nickname } }"
    values = user_input(customer, login, nickname=f"Ann {EMOJI}")
    refused_at(await mutate(app, USER_CREATE, "customerUserCreate", values), "nickname", fix=fix)
    assert (await app.data(read, {"l": login}))["customerUser"] is None
    values = user_input(customer, login, nickname="Ann 山田")
    assert (await mutate(app, USER_CREATE, "customerUserCreate", values))["userErrors"] == []
    stored = (await app.data(read, {"l": login}))["customerUser"]
    assert stored["nickname"] == "Ann 山田"
    change = {"login": login, "lastName": "Changed", "nickname": HAN}
    refused_at(await mutate(app, USER_UPDATE, "customerUserUpdate", change), "nickname", fix=fix)
    assert (await app.data(read, {"l": login}))["customerUser"] == stored
    row = user_row(login, customer, **{NICKNAME: EMOJI})
    payload = await mutate(app, IMPORT, "customerUsersImport", {"rows": [row]})
    assert payload["refused"] == 1, payload
    assert [(e["code"], e["field"]) for e in payload["rows"][0]["userErrors"]] == [
        ("INVALID_CHARACTERS", ["input", "rows", "0", NICKNAME])
    ], payload
    assert (await app.data(read, {"l": login}))["customerUser"] == stored


async def test_an_import_row_refused_by_the_database_fails_alone(
    api: Api, make_api: MakeApi
) -> None:
    """The safety net in an import: ``customer_user.first_name`` and
    ``customer_company.comments`` made utf8mb3 after the start; MariaDB refuses the rows with
    an emoji there (1366), those rows alone are refused with INVALID_CHARACTERS naming the
    column, and the other rows of the batch are written."""
    if api.kind != "mariadb":
        pytest.skip("utf8mb3 is MariaDB's (and MySQL's)")
    app = await make_api()
    url = app.storage.engine.url.render_as_string(hide_password=False)
    await run_sql(url, [CONVERTED[0], CONVERTED[2]])
    customer, good, bad = unique("C"), unique("u"), unique("u")
    await new_customer(app, customer)
    fine, odd = unique("C"), unique("C")
    rows: list[Any] = [
        user_row(good, customer, UserFirstname="Ann 山田"),
        user_row(bad, customer, UserFirstname=f"Ann {EMOJI}"),
        {"type": "customer", "CustomerID": fine, "CustomerCompanyName": fine},
        {
            "type": "customer",
            "CustomerID": odd,
            "CustomerCompanyName": odd,
            "CustomerCompanyComment": EMOJI,
        },
    ]
    payload = await mutate(app, IMPORT, "customerUsersImport", {"rows": rows})
    assert (payload["created"], payload["refused"]) == (2, 2), payload
    refused = {
        row["index"]: [(e["code"], e["message"]) for e in row["userErrors"]]
        for row in payload["rows"]
        if row["action"] == "REFUSED"
    }
    assert sorted(refused) == [1, 3], payload
    assert [code for code, _ in refused[1]] == ["INVALID_CHARACTERS"]
    assert "customer_user.first_name" in refused[1][0][1]
    assert [code for code, _ in refused[3]] == ["INVALID_CHARACTERS"]
    assert "customer_company.comments" in refused[3][0][1]
    fields = {
        row["index"]: [e["field"] for e in row["userErrors"]]
        for row in payload["rows"]
        if row["action"] == "REFUSED"
    }
    assert fields == {
        1: [["input", "rows", "1", "UserFirstname"]],
        3: [["input", "rows", "3", "comment"]],
    }, payload
    read = "query($l: String!) { customerUser(login: $l) { firstName } }"
    assert (await app.data(read, {"l": good}))["customerUser"] == {"firstName": "Ann 山田"}
    assert (await app.data(read, {"l": bad}))["customerUser"] is None
    assert (await app.data(CUSTOMER_GET, {"c": fine}))["customer"] is not None
    assert (await app.data(CUSTOMER_GET, {"c": odd}))["customer"] is None
