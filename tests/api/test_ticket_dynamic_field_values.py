"""``Ticket.dynamicFieldValues``: the values of valid Ticket dynamic fields, typed by field
type, read for a whole page in one statement (no statement per ticket)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from datasources.db.tables import dynamic_field_value, ticket
from tests.api.test_dynamic_fields import add_definition
from tests.api.tickets_helpers import new_queue, new_ticket
from tests.checks import at_one_cost
from tests.conftest import Api
from tests.factories import new_customer, new_group, new_user

PAGE = """
query($l: String!, $first: Int!) {
  customerUser(login: $l) {
    tickets(permission: "ro", state: ANY, first: $first) {
      nodes {
        number
        dynamicFieldValues { name fieldType text values date dateTime checked }
      }
    }
  }
}"""


async def _ids(api: Api, numbers: list[str]) -> list[int]:
    async with api.storage.engine.connect() as conn:
        rows = await conn.execute(sa.select(ticket.c.id).where(ticket.c.tn.in_(numbers)))
        return [int(r.id) for r in rows]


async def test_values_are_typed_and_cost_one_statement_per_page(api: Api) -> None:
    cid = await new_customer(api)
    login = await new_user(api, cid)
    queue_id, _ = await new_queue(api, await new_group(api))
    numbers = [await new_ticket(api, queue_id, customer_user=login) for _ in range(12)]
    text = await add_definition(api, "TkText", "Text", None, object_type="Ticket", order=1)
    multi = await add_definition(api, "TkMulti", "Multiselect", None, object_type="Ticket", order=2)
    check = await add_definition(api, "TkCheck", "Checkbox", None, object_type="Ticket", order=3)
    day = await add_definition(api, "TkDate", "Date", None, object_type="Ticket", order=4)
    gone = await add_definition(
        api, "TkInvalid", "Text", None, object_type="Ticket", order=5, valid_id=2
    )
    rows: list[dict[str, Any]] = []
    for ticket_id in await _ids(api, numbers):
        rows += [
            {"field_id": text, "object_id": ticket_id, "value_text": f"t{ticket_id}"},
            {"field_id": multi, "object_id": ticket_id, "value_text": "a"},
            {"field_id": multi, "object_id": ticket_id, "value_text": "b"},
            {"field_id": check, "object_id": ticket_id, "value_int": 1},
            {"field_id": day, "object_id": ticket_id, "value_date": datetime(2026, 12, 6)},
            {"field_id": gone, "object_id": ticket_id, "value_text": "hidden"},
        ]
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            dynamic_field_value.insert(),
            [{"value_text": None, "value_date": None, "value_int": None, **r} for r in rows],
        )

    small, large = await at_one_cost(api, PAGE, {"l": login, "first": 2}, {"l": login, "first": 12})
    nodes = large.data["customerUser"]["tickets"]["nodes"]
    assert len(nodes) == 12
    assert len(small.data["customerUser"]["tickets"]["nodes"]) == 2
    async with api.storage.engine.connect() as conn:
        by_number = {
            r.tn: int(r.id)
            for r in await conn.execute(
                sa.select(ticket.c.tn, ticket.c.id).where(ticket.c.tn.in_(numbers))
            )
        }
    empty = {"text": None, "values": None, "date": None, "dateTime": None, "checked": None}
    for node in nodes:
        ticket_id = by_number[node["number"]]
        assert node["dynamicFieldValues"] == [
            {**empty, "name": "TkText", "fieldType": "Text", "text": f"t{ticket_id}"},
            {**empty, "name": "TkMulti", "fieldType": "Multiselect", "values": ["a", "b"]},
            {**empty, "name": "TkCheck", "fieldType": "Checkbox", "checked": True},
            {**empty, "name": "TkDate", "fieldType": "Date", "date": "2026-12-06"},
        ]


async def test_a_ticket_without_values_has_none(api: Api) -> None:
    cid = await new_customer(api)
    login = await new_user(api, cid)
    queue_id, _ = await new_queue(api, await new_group(api))
    await new_ticket(api, queue_id, customer_user=login)
    r = await api.gql(PAGE, {"l": login, "first": 5})
    assert r.data["customerUser"]["tickets"]["nodes"][0]["dynamicFieldValues"] == []
