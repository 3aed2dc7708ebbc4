"""Dynamic fields through the API (issue 16; reference ``otobo-dynamic-fields-tickets.md`` §2):
the definitions (``dynamicFields``), customer users' typed values from the Map's
``dynamic_field`` rows, and how each type lands in OTOBO's tables, on every database kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from datasources.db.tables import dynamic_field, dynamic_field_obj_id_name, dynamic_field_value
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, user_input
from tests.toml_helpers import default_map_rows

FIELDS = {
    # Map attribute: (field name, type, GraphQL name, YAML config)
    "DynamicField_Nickname": ("Nickname", "Text", "nickname", "---\nDefaultValue: ''\n"),
    "DynamicField_Region": (
        "Region",
        "Dropdown",
        "region",
        "---\nPossibleNone: '1'\nPossibleValues:\n  north: North\n  south: South\n",
    ),
    "DynamicField_Languages": (
        "Languages",
        "Multiselect",
        "languages",
        "---\nPossibleValues:\n  de: German\n  en: English\n  fr: French\n",
    ),
    "DynamicField_Vip": ("Vip", "Checkbox", "vip", "---\nDefaultValue: '0'\n"),
    "DynamicField_Birthday": ("Birthday", "Date", "birthday", "---\nYearsInPast: '100'\n"),
    "DynamicField_LastVisit": ("LastVisit", "DateTime", "lastVisit", None),
}

SELECTION = "login nickname region languages vip birthday lastVisit"
UPDATE = f"""
mutation($i: CustomerUserUpdateInput!) {{
  customerUserUpdate(input: $i) {{
    customerUser {{ {SELECTION} }}
    userErrors {{ field code message }}
  }}
}}
"""
CREATE = f"""
mutation($i: CustomerUserCreateInput!) {{
  customerUserCreate(input: $i) {{
    customerUser {{ {SELECTION} }}
    userErrors {{ field code message }}
  }}
}}
"""
READ = f"query($l: String!) {{ customerUser(login: $l) {{ {SELECTION} }} }}"


def map_rows(**value_types: str) -> list[dict[str, Any]]:
    rows = default_map_rows()
    for attribute, (name, kind, _, _) in FIELDS.items():
        rows.append(
            {
                "attribute": attribute,
                "label": name,
                "field": name,
                "type": "dynamic_field",
                "dynamic_field_type": value_types.get(name, kind),
            }
        )
    return rows


async def add_definition(
    api: Api,
    name: str,
    kind: str,
    config: str | None,
    *,
    object_type: str = "CustomerUser",
    valid_id: int = 1,
    order: int = 1,
) -> int:
    now = datetime(2026, 1, 1)
    async with api.storage.engine.begin() as conn:
        result = await conn.execute(
            dynamic_field.insert().values(
                internal_field=0,
                name=name,
                label=f"{name} label",
                field_order=order,
                field_type=kind,
                object_type=object_type,
                # A LONGBLOB on MariaDB/MySQL, as OTOBO's installer makes it.
                config=config.encode() if config and api.kind == "mariadb" else config,
                valid_id=valid_id,
                create_time=now,
                create_by=1,
                change_time=now,
                change_by=1,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


async def df_api(make_api: MakeApi, *, skip: tuple[str, ...] = (), **value_types: str) -> Api:
    api = await make_api(customer_user={"backends": [{"map": map_rows(**value_types)}]})
    for order, (name, kind, _, config) in enumerate(FIELDS.values()):
        if name not in skip:
            await add_definition(api, name, kind, config, order=order)
    return api


async def new_login(api: Api) -> str:
    cid = await new_customer(api)
    data = user_input(cid)
    r = await api.gql(CREATE, {"i": data})
    assert r.data["customerUserCreate"]["userErrors"] == []
    return str(data["login"])


async def stored(api: Api, login: str) -> dict[str, list[tuple[Any, Any, Any]]]:
    """field name → its rows (value_text, value_date, value_int) in id order, as OTOBO reads
    them: through the object mapping (login, 'CustomerUser')."""
    v, o, d = dynamic_field_value, dynamic_field_obj_id_name, dynamic_field
    statement = (
        sa.select(d.c.name, v.c.value_text, v.c.value_date, v.c.value_int)
        .select_from(v.join(o, o.c.object_id == v.c.object_id).join(d, d.c.id == v.c.field_id))
        .where(o.c.object_name == login, o.c.object_type == "CustomerUser")
        .order_by(v.c.id)
    )
    async with api.storage.engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    found: dict[str, list[tuple[Any, Any, Any]]] = {}
    for name, text, date_value, int_value in rows:
        if isinstance(date_value, str):  # SQLite
            date_value = datetime.fromisoformat(date_value)
        found.setdefault(name, []).append((text, date_value, int_value))
    return found


ALL_VALUES = {
    "nickname": "JJ",
    "region": "north",
    "languages": ["en", "de"],
    "vip": True,
    "birthday": "1990-05-17",
    "lastVisit": "2026-03-04T10:11:12+00:00",
}


# ---- definitions ---------------------------------------------------------------------------


async def test_dynamic_fields_lists_definitions_with_possible_values(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    await add_definition(api, "TicketTier", "Text", None, object_type="Ticket", valid_id=2)
    r = await api.gql(
        '{ dynamicFields(objectType: "CustomerUser") { name label fieldType objectType '
        "validity possibleNone possibleValues { key value } yearsInPast customerUserField } }",
        key="read",
    )
    fields = {f["name"]: f for f in r.data["dynamicFields"]}
    assert list(fields) == [name for name, *_ in FIELDS.values()]
    assert fields["Region"] == {
        "name": "Region",
        "label": "Region label",
        "fieldType": "Dropdown",
        "objectType": "CustomerUser",
        "validity": "VALID",
        "possibleNone": True,
        "possibleValues": [{"key": "north", "value": "North"}, {"key": "south", "value": "South"}],
        "yearsInPast": None,
        "customerUserField": "region",
    }
    assert fields["Birthday"]["yearsInPast"] == 100
    everything = await api.gql("{ dynamicFields { name objectType validity } }")
    tier = [f for f in everything.data["dynamicFields"] if f["name"] == "TicketTier"]
    assert tier == [{"name": "TicketTier", "objectType": "Ticket", "validity": "INVALID"}]


# ---- values: stored as OTOBO stores them ----------------------------------------------------


async def test_every_type_is_stored_as_otobo_stores_it(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    r = await api.gql(UPDATE, {"i": {"login": login, **ALL_VALUES}})
    payload = r.data["customerUserUpdate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"] == {
        "login": login,
        "nickname": "JJ",
        "region": "north",
        "languages": ["en", "de"],
        "vip": True,
        "birthday": "1990-05-17",
        "lastVisit": "2026-03-04T10:11:12",
    }
    assert await stored(api, login) == {
        "Nickname": [("JJ", None, None)],
        "Region": [("north", None, None)],
        "Languages": [("en", None, None), ("de", None, None)],
        "Vip": [(None, None, 1)],
        "Birthday": [(None, datetime(1990, 5, 17), None)],
        "LastVisit": [(None, datetime(2026, 3, 4, 10, 11, 12), None)],
    }
    again = await api.gql(READ, {"l": login})
    assert again.data["customerUser"] == payload["customerUser"]


async def test_object_mapping_names_the_login(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    await api.gql(UPDATE, {"i": {"login": login, "nickname": "a"}})
    await api.gql(UPDATE, {"i": {"login": login, "nickname": "b"}})
    o = dynamic_field_obj_id_name
    async with api.storage.engine.connect() as conn:
        rows = (await conn.execute(sa.select(o.c.object_name, o.c.object_type))).all()
    assert [tuple(r) for r in rows] == [(login, "CustomerUser")]
    assert await stored(api, login) == {"Nickname": [("b", None, None)]}


async def test_null_and_empty_erase_and_a_checkbox_stores_0(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    await api.gql(UPDATE, {"i": {"login": login, **ALL_VALUES}})
    cleared: dict[str, Any] = {
        "nickname": "",
        "region": None,
        "languages": [],
        "vip": False,
        "birthday": None,
        "lastVisit": None,
    }
    r = await api.gql(UPDATE, {"i": {"login": login, **cleared}})
    assert r.data["customerUserUpdate"]["customerUser"] == {
        "login": login,
        "nickname": None,
        "region": None,
        "languages": [],
        "vip": False,
        "birthday": None,
        "lastVisit": None,
    }
    assert await stored(api, login) == {"Vip": [(None, None, 0)]}
    r = await api.gql(UPDATE, {"i": {"login": login, "vip": None}})
    assert await stored(api, login) == {"Vip": [(None, None, 0)]}  # OTOBO: '' → 0


async def test_omitted_fields_keep_their_values(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    await api.gql(UPDATE, {"i": {"login": login, **ALL_VALUES}})
    r = await api.gql(UPDATE, {"i": {"login": login, "region": "south"}})
    user = r.data["customerUserUpdate"]["customerUser"]
    assert (user["region"], user["nickname"], user["languages"]) == ("south", "JJ", ["en", "de"])


async def test_create_sets_values(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    cid = await new_customer(api)
    data = {**user_input(cid), "region": "south", "vip": True}
    r = await api.gql(CREATE, {"i": data})
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == []
    assert (payload["customerUser"]["region"], payload["customerUser"]["vip"]) == ("south", True)
    assert await stored(api, data["login"]) == {
        "Region": [("south", None, None)],
        "Vip": [(None, None, 1)],
    }


async def test_a_rename_carries_the_values(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    await api.gql(UPDATE, {"i": {"login": login, "nickname": "N"}})
    renamed = unique("ren-")
    r = await api.gql(UPDATE, {"i": {"login": login, "newLogin": renamed}})
    assert r.data["customerUserUpdate"]["customerUser"]["nickname"] == "N"
    assert await stored(api, renamed) == {"Nickname": [("N", None, None)]}
    assert await stored(api, login) == {}


async def test_values_otobo_stored_are_read(make_api: MakeApi) -> None:
    """Rows written as OTOBO writes them (a Date at 00:00:00) read as typed values."""
    api = await df_api(make_api)
    login = await new_login(api)
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            dynamic_field_obj_id_name.insert().values(object_name=login, object_type="CustomerUser")
        )
        object_id = (
            await conn.execute(
                sa.select(dynamic_field_obj_id_name.c.object_id).where(
                    dynamic_field_obj_id_name.c.object_name == login
                )
            )
        ).scalar_one()
        ids = dict((await conn.execute(sa.select(dynamic_field.c.name, dynamic_field.c.id))).all())
        rows = [
            ("Birthday", None, datetime(2000, 2, 29), None),
            ("Languages", "fr", None, None),
            ("Languages", "de", None, None),
            ("Vip", None, None, 0),
        ]
        await conn.execute(
            dynamic_field_value.insert(),
            [
                {
                    "field_id": ids[name],
                    "object_id": object_id,
                    "value_text": text,
                    "value_date": when,
                    "value_int": number,
                }
                for name, text, when, number in rows
            ],
        )
    r = await api.gql(READ, {"l": login})
    user = r.data["customerUser"]
    assert (user["birthday"], user["languages"], user["vip"]) == ("2000-02-29", ["fr", "de"], False)


# ---- bad input -----------------------------------------------------------------------------


async def test_a_dropdown_value_must_be_a_possible_value(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    r = await api.gql(UPDATE, {"i": {"login": login, "region": "east", "languages": ["xx"]}})
    errors = r.data["customerUserUpdate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "region"], "INVALID"),
        (["input", "languages"], "INVALID"),
    ]
    assert await stored(api, login) == {}


async def test_a_date_field_given_a_non_date_is_a_typed_error(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    r = await api.gql(UPDATE, {"i": {"login": login, "birthday": "tomorrow", "nickname": "x"}})
    assert r.error_codes == ["BAD_USER_INPUT"]
    assert "birthday" in r.errors[0]["message"]
    assert await stored(api, login) == {}


async def test_a_text_field_takes_one_line_of_at_most_3800_characters(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    login = await new_login(api)
    r = await api.gql(UPDATE, {"i": {"login": login, "nickname": "a\nb"}})
    errors = r.data["customerUserUpdate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "nickname"], "INVALID_CHARACTERS")
    ]
    # ``value_text`` is VARCHAR(3800): characters, a 4-byte one (emoji, CJK) counting as one.
    at_limit = ("😀𠮷山" * 1267)[:3800]
    r = await api.gql(UPDATE, {"i": {"login": login, "nickname": at_limit}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert r.data["customerUserUpdate"]["customerUser"]["nickname"] == at_limit
    r = await api.gql(UPDATE, {"i": {"login": login, "nickname": at_limit + "😀"}})
    errors = r.data["customerUserUpdate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "nickname"], "TOO_LONG")]
    assert await stored(api, login) == {"Nickname": [(at_limit, None, None)]}
    assert (await api.data(READ, {"l": login}))["customerUser"]["nickname"] == at_limit


async def test_a_field_missing_invalid_or_of_another_type_is_refused(make_api: MakeApi) -> None:
    api = await df_api(make_api, skip=("Nickname", "Region", "Vip"), Birthday="DateTime")
    await add_definition(api, "Region", "Dropdown", None, valid_id=2)
    await add_definition(api, "Vip", "Checkbox", None, object_type="Ticket")
    login = await new_login(api)
    r = await api.gql(
        UPDATE,
        {
            "i": {
                "login": login,
                "nickname": "x",
                "region": "north",
                "vip": True,
                "birthday": "2026-01-01T00:00:00",
            }
        },
    )
    errors = {e["field"][1]: e["message"] for e in r.data["customerUserUpdate"]["userErrors"]}
    assert "does not exist" in errors["nickname"]
    assert "not valid" in errors["region"]
    assert "Ticket field" in errors["vip"]
    assert "type Date" in errors["birthday"]
    assert await stored(api, login) == {}


# ---- no N+1 --------------------------------------------------------------------------------


async def test_a_page_reads_every_users_values_in_one_statement(make_api: MakeApi) -> None:
    api = await df_api(make_api)
    query = "query($f: Int!) { customerUsers(first: $f) { nodes { login " + SELECTION + " } } }"
    for _ in range(2):
        login = await new_login(api)
        await api.gql(UPDATE, {"i": {"login": login, **ALL_VALUES}})
    without = await api.gql(
        "query($f: Int!) { customerUsers(first: $f) { nodes { login } } }", {"f": 50}
    )
    two = await api.gql(query, {"f": 50})
    assert len(two.data["customerUsers"]["nodes"]) == 2
    for _ in range(4):
        login = await new_login(api)
        await api.gql(UPDATE, {"i": {"login": login, **ALL_VALUES}})
    six = await api.gql(query, {"f": 50})
    assert [n["languages"] for n in six.data["customerUsers"]["nodes"]] == [["en", "de"]] * 6
    assert two.statements == six.statements == without.statements + 1


async def test_an_object_type_with_a_nul_matches_nothing(api: Api) -> None:
    """PostgreSQL refuses a NUL even as a parameter: the read answers an empty list instead of
    an internal error (found by tests/api/hostile/run.py)."""
    r = await api.gql('{ dynamicFields(objectType: "Custo\\u0000merUser") { name } }', key="read")
    assert (r.status, r.errors, r.data) == (200, [], {"dynamicFields": []})
