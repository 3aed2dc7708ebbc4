"""A custom Map field end to end: OTOBO's ``UserRoom``/``room`` example (reference §2.3).

Add the column, add the Map row, and ``room`` is read, written, required and length-checked
through the API without a code change. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.schema_check import SchemaMismatch
from datasources.storage import open_storage
from domain.config import RosterConfig
from tests.conftest import Api, Databases, MakeApi, base_config, unique
from tests.factories import new_customer, user_input
from tests.toml_helpers import map_with_room

ADD_ROOM = "ALTER TABLE customer_user ADD COLUMN room VARCHAR(250)"
ROOM_FIX = "ALTER TABLE customer_user ADD COLUMN room VARCHAR(250);"

CREATE = """
mutation($i: CustomerUserCreateInput!) {
  customerUserCreate(input: $i) {
    customerUser { login room }
    userErrors { field code message }
  }
}
"""

UPDATE = """
mutation($i: CustomerUserUpdateInput!) {
  customerUserUpdate(input: $i) {
    customerUser { login room firstName }
    userErrors { field code message }
  }
}
"""

READ = "query($login: String!) { customerUser(login: $login) { login room } }"


def room_sections(**room_overrides: Any) -> dict[str, Any]:
    return {"customer_user": {"backends": [{"map": map_with_room(**room_overrides)}]}}


async def room_api(make_api: MakeApi, **room_overrides: Any) -> Api:
    return await make_api(before_open=[ADD_ROOM], **room_sections(**room_overrides))


async def stored_room(api: Api, login: str) -> Any:
    async with api.storage.engine.connect() as conn:
        result = await conn.execute(
            sa.text("SELECT room FROM customer_user WHERE login = :login"), {"login": login}
        )
        return result.scalar_one_or_none()


async def create_user(api: Api, room: str = "A-100") -> str:
    cid = await new_customer(api)
    data = user_input(cid, room=room)
    r = await api.gql(CREATE, {"i": data})
    assert r.data["customerUserCreate"]["userErrors"] == []
    return str(data["login"])


# ---- the Map as data -----------------------------------------------------------------------


async def test_customer_user_fields_lists_room(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    r = await api.gql(
        "{ customerUserFields { backend attribute graphqlName label storageField type required"
        " readOnly shown searchable } }"
    )
    fields = r.data["customerUserFields"]
    assert len(fields) == 17
    room = [f for f in fields if f["attribute"] == "UserRoom"]
    assert room == [
        {
            "backend": "CustomerUser",
            "attribute": "UserRoom",
            "graphqlName": "room",
            "label": "Room",
            "storageField": "room",
            "type": "TEXT",
            "required": True,
            "readOnly": False,
            "shown": "SHOWN",
            "searchable": False,
        }
    ]
    assert fields[-1]["attribute"] == "UserRoom"  # Map order is kept


async def test_room_is_a_typed_schema_field(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    r = await api.gql(
        """{
          cu: __type(name: "CustomerUser") { fields { name type { kind name ofType { name } } } }
          ci: __type(name: "CustomerUserCreateInput") { inputFields { name type { kind name } } }
          ui: __type(name: "CustomerUserUpdateInput") { inputFields { name type { kind name } } }
        }"""
    )
    cu = {f["name"]: f["type"] for f in r.data["cu"]["fields"]}
    # Output: only OTOBO's NOT NULL base attributes are non-null. A required custom field is
    # nullable, since rows from before its column was added have no value (it is still
    # REQUIRED on writes, see below).
    assert cu["room"] == {"kind": "SCALAR", "name": "String", "ofType": None}
    assert cu["firstName"] == {"kind": "NON_NULL", "name": None, "ofType": {"name": "String"}}
    ci = {f["name"]: f["type"] for f in r.data["ci"]["inputFields"]}
    ui = {f["name"]: f["type"] for f in r.data["ui"]["inputFields"]}
    # inputs stay nullable so every missing required field comes back in userErrors
    assert ci["room"] == {"kind": "SCALAR", "name": "String"}
    assert ui["room"] == {"kind": "SCALAR", "name": "String"}


async def test_default_config_has_no_room(api: Api) -> None:
    r = await api.gql('{ __type(name: "CustomerUser") { fields { name } } }')
    assert "room" not in {f["name"] for f in r.data["__type"]["fields"]}
    r = await api.gql("{ customerUserFields { attribute } }")
    assert "UserRoom" not in {f["attribute"] for f in r.data["customerUserFields"]}


# ---- create --------------------------------------------------------------------------------


@pytest.mark.parametrize("room", [None, "", "   "], ids=["missing", "empty", "blank"])
async def test_create_without_room_is_required(make_api: MakeApi, room: str | None) -> None:
    api = await room_api(make_api)
    cid = await new_customer(api)
    data = user_input(cid)
    if room is not None:
        data["room"] = room
    r = await api.gql(CREATE, {"i": data})
    payload = r.data["customerUserCreate"]
    assert payload["customerUser"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "room"], "REQUIRED")
    ]
    assert "Room" in payload["userErrors"][0]["message"]
    r = await api.gql(READ, {"login": data["login"]})
    assert r.data["customerUser"] is None


async def test_missing_room_is_reported_with_other_missing_fields(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    cid = await new_customer(api)
    r = await api.gql(CREATE, {"i": {"login": unique("u"), "customerId": cid}})
    errors = r.data["customerUserCreate"]["userErrors"]
    required = {tuple(e["field"]) for e in errors if e["code"] == "REQUIRED"}
    assert {
        ("input", "room"),
        ("input", "firstName"),
        ("input", "lastName"),
        ("input", "email"),
    } <= required


async def test_create_with_room_stores_it(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    cid = await new_customer(api)
    data = user_input(cid, room="B-204")
    r = await api.gql(CREATE, {"i": data})
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"] == {"login": data["login"], "room": "B-204"}
    r = await api.gql(READ, {"login": data["login"]})
    assert r.data["customerUser"] == {"login": data["login"], "room": "B-204"}
    assert await stored_room(api, data["login"]) == "B-204"


async def test_room_in_lists_and_node(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    login = await create_user(api, room="C-3")
    r = await api.gql("{ customerUsers(first: 50) { nodes { id login room } } }")
    [node] = [n for n in r.data["customerUsers"]["nodes"] if n["login"] == login]
    assert node["room"] == "C-3"
    r = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on CustomerUser { room } } }", {"id": node["id"]}
    )
    assert r.data["node"] == {"room": "C-3"}


async def test_read_key_sees_room(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    login = await create_user(api, room="D-4")
    r = await api.gql(READ, {"login": login}, key="read")
    assert r.data["customerUser"]["room"] == "D-4"


# ---- update --------------------------------------------------------------------------------


async def test_update_room(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    login = await create_user(api, room="B-204")
    r = await api.gql(UPDATE, {"i": {"login": login, "room": "C-310"}})
    payload = r.data["customerUserUpdate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"]["room"] == "C-310"
    assert (await api.gql(READ, {"login": login})).data["customerUser"]["room"] == "C-310"
    assert await stored_room(api, login) == "C-310"


async def test_update_of_other_field_keeps_room(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    login = await create_user(api, room="B-204")
    r = await api.gql(UPDATE, {"i": {"login": login, "firstName": "Renamed"}})
    payload = r.data["customerUserUpdate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"] == {"login": login, "room": "B-204", "firstName": "Renamed"}
    assert await stored_room(api, login) == "B-204"


@pytest.mark.parametrize("room", [None, ""], ids=["null", "empty"])
async def test_update_cannot_clear_required_room(make_api: MakeApi, room: str | None) -> None:
    api = await room_api(make_api)
    login = await create_user(api, room="B-204")
    r = await api.gql(UPDATE, {"i": {"login": login, "room": room}})
    payload = r.data["customerUserUpdate"]
    assert payload["customerUser"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "room"], "REQUIRED")
    ]
    assert await stored_room(api, login) == "B-204"


async def test_optional_room_can_be_cleared(make_api: MakeApi) -> None:
    api = await room_api(make_api, required=False)
    cid = await new_customer(api)
    data = user_input(cid)
    r = await api.gql(CREATE, {"i": data})
    assert r.data["customerUserCreate"]["userErrors"] == []
    assert r.data["customerUserCreate"]["customerUser"]["room"] is None
    r = await api.gql(UPDATE, {"i": {"login": data["login"], "room": "E-5"}})
    assert r.data["customerUserUpdate"]["customerUser"]["room"] == "E-5"
    r = await api.gql(UPDATE, {"i": {"login": data["login"], "room": None}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert r.data["customerUserUpdate"]["customerUser"]["room"] is None


# ---- length --------------------------------------------------------------------------------


async def test_room_longer_than_column_is_too_long(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    cid = await new_customer(api)
    data = user_input(cid, room="R" * 251)
    r = await api.gql(CREATE, {"i": data})
    payload = r.data["customerUserCreate"]
    assert payload["customerUser"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "room"], "TOO_LONG")
    ]
    assert (await api.gql(READ, {"login": data["login"]})).data["customerUser"] is None


async def test_room_of_exactly_250_characters_fits(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    room = "ä" * 250  # characters, not bytes
    login = await create_user(api, room=room)
    assert await stored_room(api, login) == room
    # 4-byte characters (emoji, CJK Extension B) count as one each, too: a column added with
    # MariaDB's 3-byte ``utf8`` would refuse them.
    room = ("😀𠮷" * 125)[:250]
    login = await create_user(api, room=room)
    assert await stored_room(api, login) == room
    assert (await api.gql(READ, {"login": login})).data["customerUser"]["room"] == room


async def test_update_room_too_long(make_api: MakeApi) -> None:
    api = await room_api(make_api)
    login = await create_user(api, room="B-204")
    r = await api.gql(UPDATE, {"i": {"login": login, "room": "R" * 251}})
    payload = r.data["customerUserUpdate"]
    assert payload["customerUser"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "room"], "TOO_LONG")
    ]
    assert await stored_room(api, login) == "B-204"
    # 4-byte characters: 250 fit, 251 are too long.
    room = "𠮷" * 250
    r = await api.gql(UPDATE, {"i": {"login": login, "room": room}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert await stored_room(api, login) == room
    r = await api.gql(UPDATE, {"i": {"login": login, "room": room + "😀"}})
    payload = r.data["customerUserUpdate"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "room"], "TOO_LONG")
    ]
    assert await stored_room(api, login) == room


# ---- the column is missing -----------------------------------------------------------------


async def open_and_close(config: RosterConfig) -> None:
    services = await open_storage(config)
    await services.close()  # only reached when the check is missing


async def test_open_services_without_column_raises_schema_mismatch(
    api: Api, databases: Databases
) -> None:
    url = await databases.create(api.kind)
    config = base_config(url, **room_sections())
    with pytest.raises(SchemaMismatch) as excinfo:
        await open_and_close(config)
    assert excinfo.value.fixes == [ROOM_FIX]
    message = str(excinfo.value)
    assert "room" in message
    assert "customer_user" in message


async def test_open_services_names_every_missing_column(api: Api, databases: Databases) -> None:
    url = await databases.create(api.kind)
    extra = {"attribute": "UserBadge", "label": "Badge", "field": "badge_no", "type": "int"}
    config = base_config(url, customer_user={"backends": [{"map": [*map_with_room(), extra]}]})
    with pytest.raises(SchemaMismatch) as excinfo:
        await open_and_close(config)
    assert excinfo.value.fixes == [
        ROOM_FIX,
        "ALTER TABLE customer_user ADD COLUMN badge_no INTEGER;",
    ]


# ---- users that existed before the column ---------------------------------------------------


async def test_users_from_before_the_column_can_still_be_read(make_api: MakeApi) -> None:
    login = unique("old")
    cid = unique("C")
    now = "'2024-01-01 00:00:00'"
    api = await make_api(
        before_open=[
            "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
            f" change_time, change_by) VALUES ('{cid}', 'Old {cid}', 1, {now}, 1, {now}, 1)",
            "INSERT INTO customer_user (login, email, customer_id, first_name, last_name,"
            " valid_id, create_time, create_by, change_time, change_by) VALUES"
            f" ('{login}', '{login}@acme.test', '{cid}', 'Old', 'Timer', 1, {now}, 1, {now}, 1)",
            ADD_ROOM,
        ],
        **room_sections(),
    )
    r = await api.gql(READ, {"login": login})
    assert r.errors == []
    assert r.data["customerUser"]["login"] == login
    assert r.data["customerUser"]["room"] is None
    r = await api.gql("{ customerUsers(first: 10) { nodes { login room } } }")
    assert r.errors == []
    assert login in {n["login"] for n in r.data["customerUsers"]["nodes"]}
