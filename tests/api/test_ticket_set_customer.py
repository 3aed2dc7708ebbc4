"""``ticketSetCustomer``: OTOBO's ``TicketCustomerSet`` and then its
``DynamicFieldFromCustomerUser`` event module (reference §1, §3.2; §9 item 1), checked in the
tables OTOBO reads: ``ticket``, ``dynamic_field_value`` and ``ticket_history``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from datasources.db.tables import (
    dynamic_field,
    dynamic_field_value,
    ticket,
    ticket_history,
    ticket_history_type,
)
from tests.api.test_customer_data_mapping_storage import mapping_api
from tests.api.tickets_helpers import new_queue, new_ticket
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_group, new_user, user_input

SET = """
mutation($i: TicketSetCustomerInput!) {
  ticketSetCustomer(input: $i) {
    ticket { number customerId customerUserId }
    applied { field value oldValue }
    skipped { field reason }
    userErrors { field code }
  }
}"""


async def _ticket_row(api: Api, number: str) -> Any:
    async with api.storage.engine.connect() as conn:
        return (await conn.execute(sa.select(ticket).where(ticket.c.tn == number))).one()


async def _values(api: Api, ticket_id: int) -> dict[str, list[tuple[Any, Any]]]:
    v, d = dynamic_field_value, dynamic_field
    statement = (
        sa.select(d.c.name, v.c.value_text, v.c.value_int)
        .select_from(v.join(d, d.c.id == v.c.field_id))
        .where(v.c.object_id == ticket_id, d.c.object_type == "Ticket")
        .order_by(v.c.id)
    )
    async with api.storage.engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    found: dict[str, list[tuple[Any, Any]]] = {}
    for name, text, number in rows:
        found.setdefault(name, []).append((text, number))
    return found


async def _history(api: Api, ticket_id: int) -> list[tuple[str, str, int, int]]:
    h, t = ticket_history, ticket_history_type
    statement = (
        sa.select(t.c.name, h.c.name, h.c.queue_id, h.c.create_by)
        .select_from(h.join(t, t.c.id == h.c.history_type_id))
        .where(h.c.ticket_id == ticket_id)
        .order_by(h.c.id)
    )
    async with api.storage.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(statement)).all()]


async def _queue(api: Api) -> int:
    queue_id, _ = await new_queue(api, await new_group(api))
    return queue_id


async def test_set_customer_writes_the_ticket_and_a_customer_update_history_row(
    api: Api,
) -> None:
    cid = await new_customer(api)
    login = await new_user(api, cid)
    number = await new_ticket(api, await _queue(api))
    r = await api.gql(SET, {"i": {"number": number, "customerUser": login.upper()}})
    payload = r.data["ticketSetCustomer"]
    assert payload["userErrors"] == []
    assert payload["ticket"] == {"number": number, "customerId": cid, "customerUserId": login}
    assert payload["applied"] == payload["skipped"] == []
    row = await _ticket_row(api, number)
    assert (row.customer_id, row.customer_user_id) == (cid, login)
    assert row.change_by == api.storage.origins.agent_id
    assert await _history(api, row.id) == [
        (
            "CustomerUpdate",
            f"%%CustomerID={cid};CustomerUser={login};",
            row.queue_id,
            api.storage.origins.agent_id,
        )
    ]


async def test_only_the_customer_id_leaves_the_customer_user(api: Api) -> None:
    number = await new_ticket(api, await _queue(api), customer_user="someone", customer_id="A")
    r = await api.gql(SET, {"i": {"number": number, "customerId": "B"}})
    assert r.data["ticketSetCustomer"]["userErrors"] == []
    row = await _ticket_row(api, number)
    assert (row.customer_id, row.customer_user_id) == ("B", "someone")
    assert [h[1] for h in await _history(api, row.id)] == ["%%CustomerID=B;"]


async def test_unknown_ticket_and_unknown_customer_user_are_refused(api: Api) -> None:
    cid = await new_customer(api)
    login = await new_user(api, cid)
    r = await api.gql(SET, {"i": {"number": "nope", "customerUser": login}})
    assert r.data["ticketSetCustomer"] == {
        "ticket": None,
        "applied": [],
        "skipped": [],
        "userErrors": [{"field": ["input", "number"], "code": "NOT_FOUND"}],
    }
    number = await new_ticket(api, await _queue(api), customer_user="keep", customer_id="K")
    r = await api.gql(SET, {"i": {"number": number, "customerUser": "ghost"}})
    errors = r.data["ticketSetCustomer"]["userErrors"]
    assert errors == [{"field": ["input", "customerUser"], "code": "UNKNOWN_CUSTOMER_USER"}]
    row = await _ticket_row(api, number)
    assert (row.customer_id, row.customer_user_id) == ("K", "keep")
    assert await _history(api, row.id) == []


async def test_the_mapping_copies_customer_data_erases_and_reports_skips(
    make_api: MakeApi,
) -> None:
    api = await mapping_api(make_api)
    cid = await new_customer(api, name="Acme Corp")
    data = {**user_input(cid), "firstName": "Jane", "lastName": "Doe", "region": "north"}
    r = await api.gql(
        "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
        "userErrors { field } } }",
        {"i": data},
    )
    assert r.data["customerUserCreate"]["userErrors"] == []
    login = data["login"]
    number = await new_ticket(api, await _queue(api))
    row = await _ticket_row(api, number)

    # A dry run reports and writes nothing.
    r = await api.gql(SET, {"i": {"number": number, "customerUser": login, "dryRun": True}})
    dry = r.data["ticketSetCustomer"]
    assert dry["ticket"]["customerUserId"] is None
    assert [c["field"] for c in dry["applied"]] == [
        "CompanyName",
        "CompanyID",
        "TicketRegion",
        "TicketVip",
        "CustomerFirstname",
        "CustomerLastname",
        "CustomerLogin",
    ]
    assert await _values(api, row.id) == {}
    assert await _history(api, row.id) == []

    r = await api.gql(SET, {"i": {"number": number, "customerUser": login}})
    payload = r.data["ticketSetCustomer"]
    assert payload["applied"] == dry["applied"]
    assert {"field": "TicketVip", "value": "0", "oldValue": None} in payload["applied"]
    assert payload["skipped"] == [
        {"field": "Missing", "reason": payload["skipped"][0]["reason"]},
        {"field": "ArticleNote", "reason": payload["skipped"][1]["reason"]},
    ]
    assert await _values(api, row.id) == {
        "CompanyName": [("Acme Corp", None)],
        "CompanyID": [(cid, None)],
        "TicketRegion": [("north", None)],
        "TicketVip": [(None, 0)],
        "CustomerFirstname": [("Jane", None)],
        "CustomerLastname": [("Doe", None)],
        "CustomerLogin": [(login, None)],
    }
    history = [(t, n) for t, n, *_ in await _history(api, row.id)]
    assert history[0] == ("CustomerUpdate", f"%%CustomerID={cid};CustomerUser={login};")
    assert history[1:] == [
        ("TicketDynamicFieldUpdate", f"%%FieldName%%{c['field']}%%Value%%{c['value']}%%OldValue%%")
        for c in payload["applied"]
    ]

    # The same again changes no field: only the CustomerUpdate row is added.
    r = await api.gql(SET, {"i": {"number": number, "customerUser": login}})
    assert r.data["ticketSetCustomer"]["applied"] == []
    assert len(await _history(api, row.id)) == len(history) + 1

    # No customer user: every mapped field is erased; the checkbox stays 0.
    r = await api.gql(SET, {"i": {"number": number, "customerUser": "", "customerId": ""}})
    erased = r.data["ticketSetCustomer"]["applied"]
    assert {c["field"] for c in erased} == {
        "CompanyName",
        "CompanyID",
        "TicketRegion",
        "CustomerFirstname",
        "CustomerLastname",
        "CustomerLogin",
    }
    assert all(c["value"] is None for c in erased)
    assert await _values(api, row.id) == {"TicketVip": [(None, 0)]}
    row = await _ticket_row(api, number)
    assert (row.customer_id, row.customer_user_id) == ("", "")


async def test_the_mapping_is_off_by_default(api: Api) -> None:
    cid = await new_customer(api)
    login = await new_user(api, cid)
    number = await new_ticket(api, await _queue(api))
    r = await api.gql(SET, {"i": {"number": number, "customerUser": login}})
    assert r.data["ticketSetCustomer"]["applied"] == []
    row = await _ticket_row(api, number)
    assert [h[0] for h in await _history(api, row.id)] == ["CustomerUpdate"]
