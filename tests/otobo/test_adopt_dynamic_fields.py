"""Customer users' dynamic-field values on a database OTOBO's installer made: the definitions
are OTOBO's rows (its LONGBLOB/TEXT YAML config), and the values Roster writes are the rows
OTOBO's ``DynamicFieldValue::ValueSet`` writes, under OTOBO's foreign key to
``dynamic_field`` (reference ``otobo-dynamic-fields-tickets.md`` §2)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.migrate import upgrade
from tests.conftest import Api, base_config, open_api
from tests.factories import dynamic_field_row, new_customer, user_input
from tests.otobo.conftest import ADOPT_KINDS, otobo_database
from tests.otobo.otobo_db import OtoboDatabase
from tests.toml_helpers import default_map_rows

DEFINITIONS = """
INSERT INTO dynamic_field (internal_field, name, label, field_order, field_type, object_type,
    config, valid_id, create_by, create_time, change_by, change_time)
VALUES
  (0, 'Region', 'Region', 10, 'Dropdown', 'CustomerUser',
   '---
PossibleValues:
  north: North
  south: South
', 1, 1, '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00'),
  (0, 'Languages', 'Languages', 11, 'Multiselect', 'CustomerUser',
   '---
PossibleValues:
  de: German
  en: English
', 1, 1, '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00'),
  (0, 'Vip', 'VIP', 12, 'Checkbox', 'CustomerUser', NULL, 1, 1, '2026-01-01 00:00:00', 1,
   '2026-01-01 00:00:00'),
  (0, 'Birthday', 'Birthday', 13, 'Date', 'CustomerUser', NULL, 1, 1, '2026-01-01 00:00:00',
   1, '2026-01-01 00:00:00');
"""

ROWS = [
    ("DynamicField_Region", "Region", "Dropdown"),
    ("DynamicField_Languages", "Languages", "Multiselect"),
    ("DynamicField_Vip", "Vip", "Checkbox"),
    ("DynamicField_Birthday", "Birthday", "Date"),
]


@pytest.fixture(scope="module", params=ADOPT_KINDS)
async def otobo_api(request: pytest.FixtureRequest) -> AsyncIterator[tuple[OtoboDatabase, Api]]:
    db = await otobo_database(request.param)
    try:
        await db.run(DEFINITIONS)
        await asyncio.to_thread(upgrade, db.roster_url)
        map_rows = default_map_rows() + [dynamic_field_row(*row) for row in ROWS]
        config = base_config(db.roster_url, customer_user={"backends": [{"map": map_rows}]})
        async with open_api(request.param, config) as api:
            yield db, api
    finally:
        await db.drop()


async def test_otobo_definitions_are_listed(otobo_api: tuple[OtoboDatabase, Api]) -> None:
    _db, api = otobo_api
    r = await api.gql(
        "{ dynamicFields { name fieldType objectType internal possibleValues { key } } }"
    )
    fields = {f["name"]: f for f in r.data["dynamicFields"]}
    assert fields["ProcessManagementProcessID"]["internal"] is True  # OTOBO's seed row
    assert [v["key"] for v in fields["Region"]["possibleValues"]] == ["north", "south"]


async def test_values_are_the_rows_otobo_writes(otobo_api: tuple[OtoboDatabase, Api]) -> None:
    db, api = otobo_api
    cid = await new_customer(api)
    data = user_input(cid)
    r = await api.gql(
        "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
        "customerUser { region languages vip birthday } userErrors { field code } } }",
        {
            "i": {
                **data,
                "region": "south",
                "languages": ["en", "de"],
                "vip": True,
                "birthday": "1999-12-31",
            }
        },
    )
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"] == {
        "region": "south",
        "languages": ["en", "de"],
        "vip": True,
        "birthday": "1999-12-31",
    }
    rows = await db.rows(
        "SELECT f.name, v.value_text, v.value_date, v.value_int, o.object_type "
        "FROM dynamic_field_value v JOIN dynamic_field f ON f.id = v.field_id "
        "JOIN dynamic_field_obj_id_name o ON o.object_id = v.object_id "
        f"WHERE o.object_name = '{data['login']}' ORDER BY v.id"
    )
    assert rows == [
        ("Region", "south", None, None, "CustomerUser"),
        ("Languages", "en", None, None, "CustomerUser"),
        ("Languages", "de", None, None, "CustomerUser"),
        ("Vip", None, None, "1", "CustomerUser"),
        ("Birthday", None, "1999-12-31 00:00:00", None, "CustomerUser"),
    ]
