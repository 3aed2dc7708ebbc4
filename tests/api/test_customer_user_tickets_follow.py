"""A customer user's tickets follow the user's changes (OTOBO's ``CustomerUser::Event::
TicketUpdate``, reference ``otobo-dynamic-fields-tickets.md`` §3.3): a rename or a new primary
CustomerID moves them in the update's own transaction, with OTOBO's ``CustomerUpdate`` history
row; ``refreshTicketsOnChange`` above the ticket cap refuses the update before anything is
written. Checked through the API and in OTOBO's ``ticket``/``ticket_history`` rows."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.tables import ticket_history
from resolvers.use_cases import tickets as ticket_use_cases
from tests.api.test_customer_data_mapping_storage import mapping_api
from tests.api.test_ticket_set_customer import _history, _ticket_row, _values
from tests.api.tickets_helpers import CLOSED_SUCCESSFUL, bulk_tickets, new_queue, new_ticket
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, new_group, new_user

UPDATE = """
mutation($i: CustomerUserUpdateInput!) {
  customerUserUpdate(input: $i) { customerUser { login lastName } userErrors { field code } }
}"""
USER = "query($l: String!) { customerUser(login: $l) { login lastName customerId } }"
TICKETS = """
query($l: String!) {
  customerUser(login: $l) { tickets(permission: "ro", state: ANY, first: 50) {
    nodes { number customerId customerUserId } } }
}"""


async def _update(api: Api, values: dict[str, Any]) -> dict[str, Any]:
    r = await api.gql(UPDATE, {"i": values})
    assert r.errors == [], r.body
    payload: dict[str, Any] = r.data["customerUserUpdate"]
    return payload


async def _history_count(api: Api) -> int:
    async with api.storage.engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).select_from(ticket_history))
    return int(count or 0)


# ---- refreshTicketsOnChange: the cap is checked before anything is written -----------------


async def test_refresh_over_the_cap_changes_nothing(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaled down (a cap of 3; the real one, 10,000, below): 4 open tickets refuse the
    update with ``TOO_LONG``: the user, its tickets' values and the history stay as they
    were. Closed tickets do not count; at the cap the update and the refresh both run."""
    monkeypatch.setattr(ticket_use_cases, "MAX_REFRESH", 3)
    api = await mapping_api(make_api)
    login = await new_user(api, await new_customer(api), lastName="Doe")
    queue_id, _ = await new_queue(api, await new_group(api))
    numbers = [await new_ticket(api, queue_id, customer_user=login.upper()) for _ in range(3)]
    await new_ticket(api, queue_id, customer_user=login, state_id=CLOSED_SUCCESSFUL)
    extra = await new_ticket(api, queue_id, customer_user=login)
    history = await _history_count(api)

    payload = await _update(
        api, {"login": login, "lastName": "Smith", "refreshTicketsOnChange": True}
    )
    assert payload == {
        "customerUser": None,
        "userErrors": [{"field": ["input", "refreshTicketsOnChange"], "code": "TOO_LONG"}],
    }
    r = await api.gql(USER, {"l": login})
    assert r.data["customerUser"]["lastName"] == "Doe"
    for number in [*numbers, extra]:
        assert (await _values(api, (await _ticket_row(api, number)).id)) == {}
    assert await _history_count(api) == history

    # A rename counts the tickets it carries along: still refused, the login unchanged.
    renamed = unique("u")
    payload = await _update(
        api, {"login": login, "newLogin": renamed, "refreshTicketsOnChange": True}
    )
    assert payload["userErrors"][0]["code"] == "TOO_LONG"
    assert (await _ticket_row(api, extra)).customer_user_id == login
    r = await api.gql(USER, {"l": renamed})
    assert r.data["customerUser"] is None

    # Down to the cap: the update is written and the open tickets follow.
    async with api.storage.engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM ticket WHERE tn = :n"), {"n": extra})
    payload = await _update(
        api, {"login": login, "lastName": "Smith", "refreshTicketsOnChange": True}
    )
    assert payload["userErrors"] == []
    for number in numbers:
        row = await _ticket_row(api, number)
        assert (await _values(api, row.id))["CustomerLastname"] == [("Smith", None)]


async def test_refresh_over_the_real_cap_changes_nothing(make_api: MakeApi) -> None:
    """10,001 open tickets: refused before the update, whatever the database."""
    api = await mapping_api(make_api)
    login = await new_user(api, await new_customer(api), lastName="Doe")
    queue_id, _ = await new_queue(api, await new_group(api))
    await bulk_tickets(api, queue_id, login, ticket_use_cases.MAX_REFRESH + 1)
    payload = await _update(
        api, {"login": login, "lastName": "Smith", "refreshTicketsOnChange": True}
    )
    assert payload["userErrors"] == [
        {"field": ["input", "refreshTicketsOnChange"], "code": "TOO_LONG"}
    ]
    r = await api.gql(USER, {"l": login})
    assert r.data["customerUser"]["lastName"] == "Doe"
    assert await _history_count(api) == 0


# ---- a rename or a new CustomerID carries the tickets ---------------------------------------


async def _user_with_tickets(api: Api) -> tuple[str, str, str, dict[str, str]]:
    """A user of customer ``c1`` (assigned ``c2`` too) and tickets: its own under c1 (one
    spelled in capitals, one closed), one under c2, one of another user under c1."""
    c1, c2 = await new_customer(api), await new_customer(api)
    login = await new_user(api, c1)
    other = await new_user(api, c1)
    queue_id, _ = await new_queue(api, await new_group(api))
    tickets = {
        "own": await new_ticket(api, queue_id, customer_user=login, customer_id=c1),
        "capitals": await new_ticket(
            api, queue_id, customer_user=login.upper(), customer_id=c1.upper()
        ),
        "closed": await new_ticket(
            api, queue_id, customer_user=login, customer_id=c1, state_id=CLOSED_SUCCESSFUL
        ),
        "assigned": await new_ticket(api, queue_id, customer_user=login, customer_id=c2),
        "other": await new_ticket(api, queue_id, customer_user=other, customer_id=c1),
    }
    return login, c1, c2, tickets


async def test_a_rename_carries_the_tickets(api: Api) -> None:
    login, c1, c2, tickets = await _user_with_tickets(api)
    before = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    renamed = unique("renamed")
    payload = await _update(api, {"login": login, "newLogin": renamed})
    assert payload["userErrors"] == []

    agent = api.storage.origins.agent_id
    after = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    for key in ("own", "capitals", "closed"):
        assert (after[key].customer_user_id, after[key].customer_id) == (renamed, c1)
        assert after[key].change_by == agent
        assert (await _history(api, after[key].id))[-1][:2] == (
            "CustomerUpdate",
            f"%%CustomerID={c1};CustomerUser={renamed};",
        )
    # Beyond OTOBO: the ticket under the assigned customer follows too, keeping its customer.
    assert (after["assigned"].customer_user_id, after["assigned"].customer_id) == (renamed, c2)
    assert (await _history(api, after["assigned"].id))[-1][:2] == (
        "CustomerUpdate",
        f"%%CustomerUser={renamed};",
    )
    assert after["other"] == before["other"]
    assert await _history(api, after["other"].id) == []

    # What a client sees: the tickets under the new login, none under the old.
    r = await api.gql(TICKETS, {"l": renamed})
    own = {n["number"] for n in r.data["customerUser"]["tickets"]["nodes"]}
    assert {tickets[k] for k in ("own", "capitals", "closed", "assigned")} <= own
    r = await api.gql(USER, {"l": login})
    assert r.data["customerUser"] is None


async def test_a_new_customer_id_carries_the_tickets_of_the_old_one(api: Api) -> None:
    """As OTOBO: the tickets of the login *and* the old CustomerID get the new one; the
    user's tickets under another customer keep theirs."""
    login, c1, c2, tickets = await _user_with_tickets(api)
    c3 = await new_customer(api)
    payload = await _update(api, {"login": login, "customerId": c3})
    assert payload["userErrors"] == []
    after = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    for key in ("own", "capitals", "closed"):
        assert after[key].customer_id == c3
        assert (await _history(api, after[key].id))[-1][:2] == (
            "CustomerUpdate",
            f"%%CustomerID={c3};CustomerUser={login};",
        )
    assert after["capitals"].customer_user_id == login  # TicketCustomerSet writes both
    assert after["assigned"].customer_id == c2
    assert await _history(api, after["assigned"].id) == []
    assert after["other"].customer_id == c1


async def test_an_update_of_other_fields_leaves_the_tickets_alone(api: Api) -> None:
    login, _, _, tickets = await _user_with_tickets(api)
    before = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    assert (await _update(api, {"login": login.upper(), "lastName": "Other"}))["userErrors"] == []
    assert {key: await _ticket_row(api, n) for key, n in tickets.items()} == before


async def test_a_refused_rename_leaves_the_tickets_alone(api: Api) -> None:
    login, _, _, tickets = await _user_with_tickets(api)
    taken = await new_user(api, await new_customer(api))
    before = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    payload = await _update(api, {"login": login, "newLogin": taken.upper()})
    assert payload["userErrors"] == [{"field": ["input", "newLogin"], "code": "LOGIN_TAKEN"}]
    # Refused inside the transaction (an e-mail another user has, checked under its lock).
    other_email = unique("m") + "@acme.test"
    await new_user(api, await new_customer(api), email=other_email)
    payload = await _update(api, {"login": login, "newLogin": unique("n"), "email": other_email})
    assert [e["code"] for e in payload["userErrors"]] == ["EMAIL_TAKEN"]
    assert {key: await _ticket_row(api, n) for key, n in tickets.items()} == before


async def test_a_rename_with_refresh_maps_the_new_login(make_api: MakeApi) -> None:
    api = await mapping_api(make_api)
    login = await new_user(api, await new_customer(api))
    queue_id, _ = await new_queue(api, await new_group(api))
    number = await new_ticket(api, queue_id, customer_user=login)
    renamed = unique("renamed")
    payload = await _update(
        api, {"login": login, "newLogin": renamed, "refreshTicketsOnChange": True}
    )
    assert payload["userErrors"] == []
    row = await _ticket_row(api, number)
    assert row.customer_user_id == renamed
    assert (await _values(api, row.id))["CustomerLogin"] == [(renamed, None)]


async def test_a_customer_id_rename_carries_the_tickets(api: Api) -> None:
    """OTOBO's ``CustomerCompany::Event::TicketUpdate``: every ticket of the old customer ID
    gets the new one (login untouched), with a ``CustomerUpdate`` history row."""
    login, c1, _, tickets = await _user_with_tickets(api)
    before = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    renamed = unique("C")
    r = await api.gql(
        "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { userErrors { field } } }",
        {"i": {"customerId": c1, "newCustomerId": renamed}},
    )
    assert r.data["customerUpdate"]["userErrors"] == []
    after = {key: await _ticket_row(api, n) for key, n in tickets.items()}
    for key in ("own", "capitals", "closed", "other"):
        assert after[key].customer_id == renamed
        assert after[key].customer_user_id == before[key].customer_user_id
        assert (await _history(api, after[key].id))[-1][:2] == (
            "CustomerUpdate",
            f"%%CustomerID={renamed};",
        )
    assert after["assigned"] == before["assigned"]
    # The user's primary customer followed too, so its tickets stay company tickets.
    r = await api.gql(TICKETS, {"l": login})
    numbers = {n["number"] for n in r.data["customerUser"]["tickets"]["nodes"]}
    assert tickets["other"] in numbers
