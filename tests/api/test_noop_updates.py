"""A write that changes nothing is a no-op, as an unchanged import row is: an update whose every
given value is the stored one (``customerUserUpdate``, ``customerUpdate``, ``groupUpdate``,
``serviceUpdate``, dynamic-field values included) and an assignment whose set is already the
wanted one answer with success and the object as it is, write nothing (the row keeps the
``change_time``/``change_by`` its last real change left, here OTOBO's agent 2 in 2024) and
record no event: the changes feed and ``changesHead`` stay where they were. A real change
after it records exactly the fields it changed. (A live subscriber hears nothing of a no-op:
``tests/live/test_live_noop.py``.) On every database kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.tables import customer_company, customer_user, groups_table, service
from tests.api.audit_helpers import changes, events_of, fields, global_id, head, sets
from tests.api.test_dynamic_field_audit import LANGS, MARKETS, NICKNAME, SEGMENT
from tests.api.test_dynamic_field_audit import _api as dynamic_field_api
from tests.conftest import Api, MakeApi, unique
from tests.factories import accepted, new_customer, new_group, new_service, new_user

OTOBO_SAVED_AT = datetime(2024, 1, 2, 3, 4, 5)
OTOBO_AGENT = 2
"""The row as OTOBO's agent 2 last saved it: what a no-op must leave, and what the old code
overwrote with now and Roster's agent (1)."""


@dataclass(frozen=True)
class Kind:
    """One kind of object: how to make one, its row, and its update mutation."""

    type_name: str
    mutation: str
    input_type: str
    selection: str
    table: sa.Table
    make: Callable[[Api], Awaitable[tuple[Any, dict[str, Any], Any]]]
    """A new object: (its key as its row and events name it, an update input that gives
    every value as stored, the payload's object as the API reads it)."""
    change: dict[str, Any]
    """A real change: input fields with a new value."""
    changed_field: tuple[str, Any, Any]
    """What the real change's event says: (field, before, after)."""

    def where(self, key: Any) -> sa.ColumnElement[bool]:
        """The object's row: by login, customer ID, or id."""
        column: sa.Column[Any]
        if self.type_name == "CustomerUser":
            column = customer_user.c.login
        elif self.type_name == "Customer":
            column = customer_company.c.customer_id
        else:
            column = self.table.c.id
        condition: sa.ColumnElement[bool] = column == key
        return condition


async def _user(api: Api) -> tuple[Any, dict[str, Any], Any]:
    customer = await new_customer(api)
    email = f"{unique('m')}@acme.test"
    login = await new_user(api, customer, email=email, city="Berlin")
    same = {
        "login": login,
        "newLogin": login,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": email,
        "customerId": customer,
        "city": "Berlin",
        "street": None,  # none stored: clearing it is no change
        "validity": "VALID",
    }
    return login, same, {"login": login, "city": "Berlin"}


async def _customer(api: Api) -> tuple[Any, dict[str, Any], Any]:
    cid = await new_customer(api, city="Oslo")
    same = {
        "customerId": cid,
        "newCustomerId": cid,
        "name": f"Company {cid}",
        "city": "Oslo",
        "url": None,
        "validity": "VALID",
    }
    return cid, same, {"customerId": cid, "city": "Oslo"}


async def _group(api: Api) -> tuple[Any, dict[str, Any], Any]:
    name = unique("g")
    group_id = await new_group(api, name)
    same = {"groupId": group_id, "name": name, "comment": None, "validity": "VALID"}
    return group_id, same, {"groupId": group_id, "name": name}


async def _service(api: Api) -> tuple[Any, dict[str, Any], Any]:
    parent = await new_service(api)
    service_id = await new_service(api, "Mail", parent, comment="Post")
    same = {
        "serviceId": service_id,
        "name": "Mail",
        "parentId": parent,
        "comment": "Post",
        "validity": "VALID",
    }
    return service_id, same, {"serviceId": service_id, "comment": "Post"}


KINDS = {
    "customer user": Kind(
        "CustomerUser",
        "customerUserUpdate",
        "CustomerUserUpdateInput",
        "customerUser { login city }",
        customer_user,
        _user,
        {"city": "Paris"},
        ("UserCity", "Berlin", "Paris"),
    ),
    "customer": Kind(
        "Customer",
        "customerUpdate",
        "CustomerUpdateInput",
        "customer { customerId city }",
        customer_company,
        _customer,
        {"city": "Bergen"},
        ("city", "Oslo", "Bergen"),
    ),
    "group": Kind(
        "Group",
        "groupUpdate",
        "GroupUpdateInput",
        "group { groupId name }",
        groups_table,
        _group,
        {"comment": "now with one"},
        ("comment", None, "now with one"),
    ),
    "service": Kind(
        "Service",
        "serviceUpdate",
        "ServiceUpdateInput",
        "service { serviceId comment }",
        service,
        _service,
        {"comment": "Letters"},
        ("comment", "Post", "Letters"),
    ),
}


async def _update(api: Api, kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    query = (
        f"mutation($i: {kind.input_type}!) {{ {kind.mutation}(input: $i) {{"
        f" {kind.selection} userErrors {{ field code message }} }} }}"
    )
    return accepted(await api.gql(query, {"i": values}), kind.mutation)


async def _as_otobo_saved_it(api: Api, table: sa.Table, where: sa.ColumnElement[bool]) -> None:
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.update(table).where(where).values(change_time=OTOBO_SAVED_AT, change_by=OTOBO_AGENT)
        )


async def _stamp(api: Api, table: sa.Table, where: sa.ColumnElement[bool]) -> tuple[Any, int]:
    async with api.storage.engine.connect() as conn:
        row = (
            await conn.execute(sa.select(table.c.change_time, table.c.change_by).where(where))
        ).one()
    return row[0], int(row[1])


async def _feed_after(api: Api, cursor: str) -> list[Any]:
    nodes: list[Any] = (await changes(api, cursor, f=100)).data["changes"]["nodes"]
    return nodes


@pytest.mark.parametrize("name", list(KINDS))
async def test_an_update_that_changes_nothing_writes_and_records_nothing(
    api: Api, name: str
) -> None:
    kind = KINDS[name]
    key, same, as_is = await kind.make(api)
    where = kind.where(key)
    await _as_otobo_saved_it(api, kind.table, where)
    events_before = await events_of(api, kind.type_name, key)
    cursor = await head(api)

    payload = await _update(api, kind, same)
    assert payload["userErrors"] == []
    assert next(v for k, v in payload.items() if k != "userErrors") == as_is
    assert await _stamp(api, kind.table, where) == (OTOBO_SAVED_AT, OTOBO_AGENT)
    assert await _feed_after(api, cursor) == []
    assert await head(api) == cursor
    assert await events_of(api, kind.type_name, key) == events_before

    # A real change beside the same values: written, stamped, and exactly its field recorded.
    await _update(api, kind, {**same, **kind.change})
    changed_at, changed_by = await _stamp(api, kind.table, where)
    assert changed_by == api.storage.config.database.agent_id
    assert changed_at > OTOBO_SAVED_AT
    feed = await _feed_after(api, cursor)
    assert [(c["objectId"], c["action"]) for c in feed] == [
        (global_id(kind.type_name, key), "UPDATED")
    ]
    field, before, after = kind.changed_field
    assert fields(feed[0]) == {field: (before, after)}


async def test_a_service_move_to_where_it_is_is_a_no_op(api: Api) -> None:
    """The same parent and short name given apart: the full name is unchanged."""
    top = await new_service(api)
    child = await new_service(api, "Kid", top)
    await _as_otobo_saved_it(api, service, service.c.id.in_([top, child]))
    cursor = await head(api)
    payload = await _update(api, KINDS["service"], {"serviceId": top, "parentId": None})
    assert payload["service"]["serviceId"] == top
    same_parent = {"serviceId": child, "parentId": top, "name": " Kid "}  # cleaned as OTOBO does
    await _update(api, KINDS["service"], same_parent)
    for service_id in (top, child):
        assert await _stamp(api, service, service.c.id == service_id) == (
            OTOBO_SAVED_AT,
            OTOBO_AGENT,
        )
    assert await head(api) == cursor


async def test_an_assignment_that_changes_nothing_records_nothing(api: Api) -> None:
    login = await new_user(api, await new_customer(api))
    group = await new_group(api)
    set_groups = (
        "mutation($i: CustomerUserSetGroupsInput!) { customerUserSetGroups(input: $i) {"
        " changes { kind } userErrors { code } } }"
    )
    grants = {"login": login, "grants": [{"groupId": group, "permissions": ["rw"]}]}
    accepted(await api.gql(set_groups, {"i": grants}), "customerUserSetGroups")
    cursor = await head(api)
    again = accepted(await api.gql(set_groups, {"i": grants}), "customerUserSetGroups")
    assert again["changes"] == []
    assert await head(api) == cursor
    cleared = {"login": login, "grants": []}
    accepted(await api.gql(set_groups, {"i": cleared}), "customerUserSetGroups")
    feed = await _feed_after(api, cursor)
    assert {(c["objectType"], c["action"]) for c in feed} == {
        ("CUSTOMER_USER", "ASSIGNMENTS_CHANGED"),
        ("GROUP", "ASSIGNMENTS_CHANGED"),
    }
    assert sets(feed[0]) == {"groups": (set(), {f"{group}:rw"})}


async def test_dynamic_field_values_given_as_stored_are_no_change(make_api: MakeApi) -> None:
    """The stored values of a dynamic field are read by the statement that replaces them, so
    an update that gives only those finds out while writing: it is rolled back, and answers
    as any no-op. Given beside a real change they are not in its event."""
    api = await dynamic_field_api(make_api)
    cid = unique("C")
    company = {"customerId": cid, "name": cid, "segment": "SMB", "markets": ["de"]}
    accepted(await api.gql(CUSTOMER_CREATE, {"i": company}), "customerCreate")
    login = await new_user(api, cid, nickname="Jo", languages=["en", "fr"])
    user_where = customer_user.c.login == login
    company_where = customer_company.c.customer_id == cid
    await _as_otobo_saved_it(api, customer_user, user_where)
    await _as_otobo_saved_it(api, customer_company, company_where)
    cursor = await head(api)

    user = KINDS["customer user"]
    payload = await _update(
        api, user, {"login": login, "nickname": "Jo", "languages": ["en", "fr"]}
    )
    assert payload["customerUser"]["login"] == login
    company_kind = KINDS["customer"]
    await _update(api, company_kind, {"customerId": cid, "segment": "SMB", "markets": ["de"]})
    assert await _stamp(api, customer_user, user_where) == (OTOBO_SAVED_AT, OTOBO_AGENT)
    assert await _stamp(api, customer_company, company_where) == (OTOBO_SAVED_AT, OTOBO_AGENT)
    assert await head(api) == cursor
    read = "query($l: String!) { customerUser(login: $l) { nickname languages } }"
    assert (await api.data(read, {"l": login}))["customerUser"] == {
        "nickname": "Jo",
        "languages": ["en", "fr"],
    }

    await _update(api, user, {"login": login, "nickname": "Jo", "languages": ["de"]})
    await _update(
        api, company_kind, {"customerId": cid, "segment": "Enterprise", "markets": ["de"]}
    )
    feed = await _feed_after(api, cursor)
    assert [fields(c) for c in feed] == [
        {LANGS: ('["en", "fr"]', '["de"]')},
        {SEGMENT: ("SMB", "Enterprise")},
    ]
    assert NICKNAME not in fields(feed[0])
    assert MARKETS not in fields(feed[1])


CUSTOMER_CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {"
    " customer { customerId } userErrors { field code } } }"
)
