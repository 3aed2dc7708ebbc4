"""``ticketsRefreshCustomerData``: the ``DynamicFieldFromCustomerUser`` mapping re-applied to
existing tickets after their customer user changed (OTOBO's ``TicketCustomerUpdate`` refresh,
reference §1.4, §3.3), checked in ``dynamic_field_value`` and ``ticket_history``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from datasources.db.tables import ticket_history
from resolvers.use_cases import tickets as ticket_use_cases
from tests.api.test_customer_data_mapping_storage import mapping_api
from tests.api.test_ticket_set_customer import _history, _ticket_row, _values
from tests.api.tickets_helpers import CLOSED_SUCCESSFUL, bulk_tickets, new_queue, new_ticket
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_group, new_user, user_input

REFRESH = """
mutation($i: TicketsRefreshCustomerDataInput!) {
  ticketsRefreshCustomerData(input: $i) {
    matched changedTickets changedValues
    skipped { field }
    userErrors { field code }
  }
}"""
UPDATE = """
mutation($i: CustomerUserUpdateInput!) {
  customerUserUpdate(input: $i) { userErrors { field } }
}"""
SET = """
mutation($i: TicketSetCustomerInput!) {
  ticketSetCustomer(input: $i) { userErrors { field code } }
}"""


async def _setup(api: Api) -> tuple[str, list[str]]:
    """A customer user with two open tickets and a closed one, mapped once."""
    cid = await new_customer(api, name="Acme Corp")
    data = {**user_input(cid), "firstName": "Jane", "lastName": "Doe", "region": "north"}
    r = await api.gql(
        "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
        "userErrors { field } } }",
        {"i": data},
    )
    assert r.data["customerUserCreate"]["userErrors"] == []
    queue_id, _ = await new_queue(api, await new_group(api))
    numbers = [await new_ticket(api, queue_id) for _ in range(2)]
    numbers.append(await new_ticket(api, queue_id, state_id=CLOSED_SUCCESSFUL))
    for number in numbers:
        r = await api.gql(SET, {"i": {"number": number, "customerUser": data["login"]}})
        assert r.data["ticketSetCustomer"]["userErrors"] == []
    return str(data["login"]), numbers


async def test_open_tickets_follow_a_changed_user(make_api: MakeApi) -> None:
    api = await mapping_api(make_api)
    login, numbers = await _setup(api)
    r = await api.gql(UPDATE, {"i": {"login": login, "firstName": "Janet"}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    rows = [await _ticket_row(api, n) for n in numbers]
    histories = [len(await _history(api, row.id)) for row in rows]

    r = await api.gql(
        REFRESH, {"i": {"customerUser": login.upper(), "onlyOpen": True, "dryRun": True}}
    )
    dry = r.data["ticketsRefreshCustomerData"]
    assert (dry["matched"], dry["changedTickets"], dry["changedValues"]) == (2, 2, 2)
    assert {s["field"] for s in dry["skipped"]} == {"Missing", "ArticleNote"}
    assert (await _values(api, rows[0].id))["CustomerFirstname"] == [("Jane", None)]

    r = await api.gql(REFRESH, {"i": {"customerUser": login, "onlyOpen": True}})
    done = r.data["ticketsRefreshCustomerData"]
    assert done == dry
    for row, before in zip(rows[:2], histories[:2], strict=True):
        assert (await _values(api, row.id))["CustomerFirstname"] == [("Janet", None)]
        added = (await _history(api, row.id))[before:]
        assert [(t, n) for t, n, *_ in added] == [
            (
                "TicketDynamicFieldUpdate",
                "%%FieldName%%CustomerFirstname%%Value%%Janet%%OldValue%%Jane",
            )
        ]
    closed = rows[2]
    assert (await _values(api, closed.id))["CustomerFirstname"] == [("Jane", None)]
    assert len(await _history(api, closed.id)) == histories[2]

    # Again: nothing left to change; by numbers the closed one follows too.
    r = await api.gql(REFRESH, {"i": {"customerUser": login, "onlyOpen": True}})
    assert r.data["ticketsRefreshCustomerData"]["changedValues"] == 0
    r = await api.gql(REFRESH, {"i": {"numbers": [*numbers, "unknown"]}})
    by_numbers = r.data["ticketsRefreshCustomerData"]
    assert (by_numbers["matched"], by_numbers["changedTickets"]) == (3, 1)
    assert (await _values(api, closed.id))["CustomerFirstname"] == [("Janet", None)]


async def test_refused_inputs(make_api: MakeApi, api: Api) -> None:
    r = await api.gql(REFRESH, {"i": {"customerUser": "x"}})
    assert r.data["ticketsRefreshCustomerData"]["userErrors"] == [
        {"field": ["input", "customerUser"], "code": "INVALID"}
    ]
    mapped = await mapping_api(make_api)
    r = await mapped.gql(REFRESH, {"i": {"customerUser": "x", "numbers": ["1"]}})
    assert r.data["ticketsRefreshCustomerData"]["userErrors"][0]["code"] == "REQUIRED"
    many = [str(i) for i in range(10_001)]
    r = await mapped.gql(REFRESH, {"i": {"numbers": many}})
    assert r.data["ticketsRefreshCustomerData"]["userErrors"] == [
        {"field": ["input", "numbers"], "code": "TOO_LONG"}
    ]


async def test_batches_and_the_ticket_limit(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaled down: a limit of 7 tickets in batches of 3 (the real ones: 10,000 and 500)."""
    monkeypatch.setattr(ticket_use_cases, "MAX_REFRESH", 7)
    monkeypatch.setattr(ticket_use_cases, "REFRESH_BATCH", 3)
    api = await mapping_api(make_api)
    login = await new_user(api, await new_customer(api), firstName="Jane")
    queue_id, _ = await new_queue(api, await new_group(api))
    numbers = [await new_ticket(api, queue_id, customer_user=login) for _ in range(7)]
    r = await api.gql(REFRESH, {"i": {"customerUser": login}})
    done = r.data["ticketsRefreshCustomerData"]
    assert (done["matched"], done["changedTickets"]) == (7, 7)
    for number in numbers:
        row = await _ticket_row(api, number)
        assert (await _values(api, row.id))["CustomerFirstname"] == [("Jane", None)]
        assert row.change_by == api.storage.origins.agent_id
    await new_ticket(api, queue_id, customer_user=login)
    r = await api.gql(REFRESH, {"i": {"customerUser": login}})
    assert r.data["ticketsRefreshCustomerData"]["userErrors"] == [
        {"field": ["input", "customerUser"], "code": "TOO_LONG"}
    ]


async def test_ten_thousand_tickets_are_refreshed(make_api: MakeApi) -> None:
    """The real limit: 10,000 tickets of one user in one call (20 batches)."""
    api = await mapping_api(make_api)
    login = await new_user(api, await new_customer(api), firstName="Jane")
    queue_id, _ = await new_queue(api, await new_group(api))
    await bulk_tickets(api, queue_id, login, ticket_use_cases.MAX_REFRESH)
    r = await api.gql(REFRESH, {"i": {"customerUser": login}})
    done = r.data["ticketsRefreshCustomerData"]
    assert done["userErrors"] == []
    assert (done["matched"], done["changedTickets"]) == (10_000, 10_000)
    async with api.storage.engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).select_from(ticket_history))
    assert count == done["changedValues"]


async def test_customer_user_update_can_refresh_the_open_tickets(make_api: MakeApi) -> None:
    api = await mapping_api(make_api)
    login, numbers = await _setup(api)
    r = await api.gql(
        UPDATE, {"i": {"login": login, "lastName": "Smith", "refreshTicketsOnChange": True}}
    )
    assert r.data["customerUserUpdate"]["userErrors"] == []
    rows = [await _ticket_row(api, n) for n in numbers]
    assert [(await _values(api, row.id))["CustomerLastname"] for row in rows] == [
        [("Smith", None)],
        [("Smith", None)],
        [("Doe", None)],  # closed: not refreshed
    ]


async def test_refresh_on_change_needs_the_mapping(api: Api) -> None:
    login = await new_user(api, await new_customer(api), lastName="Doe")
    r = await api.gql(
        UPDATE, {"i": {"login": login, "lastName": "Smith", "refreshTicketsOnChange": True}}
    )
    assert r.data["customerUserUpdate"]["userErrors"] == [
        {"field": ["input", "refreshTicketsOnChange"]}
    ]
    r = await api.gql("query($l: String!) { customerUser(login: $l) { lastName } }", {"l": login})
    assert r.data["customerUser"]["lastName"] == "Doe"
