"""Dynamic fields on customers (companies): the company Map's ``dynamic_field`` rows, whose
values OTOBO keeps by CustomerID (object type ``CustomerCompany``) and hands to
``DynamicFieldFromCustomerUser`` as part of the customer data (``CustomerCompanyGet`` inside
``CustomerUserDataGet``, reference ``otobo-dynamic-fields-tickets.md`` §1, §2). Checked through
``ticketSetCustomer`` and ``ticketsRefreshCustomerData`` in ``dynamic_field_value``."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from datasources.db.tables import dynamic_field_obj_id_name, dynamic_field_value
from domain.config import CustomerCompanyConfig
from tests.api.test_dynamic_fields import add_definition
from tests.api.test_ticket_set_customer import _ticket_row, _values
from tests.api.tickets_helpers import new_queue, new_ticket
from tests.config.test_company_map_rules import rows_with
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, new_group, new_user
from tests.toml_helpers import default_map_rows

SEGMENT = {
    "attribute": "DynamicField_Segment",
    "label": "Segment",
    "field": "Segment",
    "type": "dynamic_field",
    "dynamic_field_type": "Text",
}
TIER = {**SEGMENT, "attribute": "DynamicField_Tier", "label": "Tier", "field": "Tier"}
MAPPING = {
    "DynamicField_Segment": "TicketSegment",
    "DynamicField_Tier": "TicketTier",
    "DynamicField_Region": "TicketRegion",
    "CustomerCompanyName": "TicketCompany",
}
SET = """
mutation($i: TicketSetCustomerInput!) {
  ticketSetCustomer(input: $i) { userErrors { field code } }
}"""
REFRESH = """
mutation($i: TicketsRefreshCustomerDataInput!) {
  ticketsRefreshCustomerData(input: $i) { changedTickets userErrors { field code } }
}"""
RENAME = """
mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { userErrors { field code } } }
"""


async def _api(make_api: MakeApi) -> Api:
    """The company Map with two dynamic-field rows (Tier's field is a CustomerUser one, so
    OTOBO would not read it for a company); the user Map with Region."""
    region = {**SEGMENT, "attribute": "DynamicField_Region", "label": "Region", "field": "Region"}
    api = await make_api(
        customer_company={"map": rows_with(SEGMENT, TIER)},
        customer_user={"backends": [{"map": [*default_map_rows(), region]}]},
        dynamic_field_from_customer_user={"enabled": True, "mapping": MAPPING},
    )
    await add_definition(api, "Segment", "Text", None, object_type="CustomerCompany")
    await add_definition(api, "Tier", "Text", None, object_type="CustomerUser")
    await add_definition(api, "Region", "Text", None, object_type="CustomerUser")
    for name in ("TicketSegment", "TicketTier", "TicketRegion", "TicketCompany"):
        await add_definition(api, name, "Text", None, object_type="Ticket")
    return api


async def _store(api: Api, object_type: str, object_name: str, field: str, text: str) -> None:
    """A value as OTOBO's admin screen stores it (``ValueSet(ObjectName => …)``)."""
    names = dynamic_field_obj_id_name
    where = (names.c.object_name == object_name, names.c.object_type == object_type)
    async with api.storage.engine.begin() as conn:
        object_id = await conn.scalar(sa.select(names.c.object_id).where(*where))
        if object_id is None:
            await conn.execute(
                names.insert().values(object_name=object_name, object_type=object_type)
            )
            object_id = await conn.scalar(sa.select(names.c.object_id).where(*where))
        field_id = await conn.scalar(
            sa.text("SELECT id FROM dynamic_field WHERE name = :n"), {"n": field}
        )
        await conn.execute(
            dynamic_field_value.insert().values(
                field_id=field_id, object_id=object_id, value_text=text
            )
        )


async def _set(api: Api, number: str, login: str) -> None:
    r = await api.gql(SET, {"i": {"number": number, "customerUser": login}})
    assert r.data["ticketSetCustomer"]["userErrors"] == [], r.body


async def test_a_company_field_is_copied_into_the_ticket(make_api: MakeApi) -> None:
    api = await _api(make_api)
    cid = await new_customer(api, name="Acme Corp")
    login = await new_user(api, cid)
    await _store(api, "CustomerCompany", cid, "Segment", "Enterprise")
    # A CustomerUser field in the company Map: OTOBO's CustomerCompanyGet does not read it.
    await _store(api, "CustomerCompany", cid, "Tier", "Gold")
    await _store(api, "CustomerUser", login, "Region", "north")
    queue_id, _ = await new_queue(api, await new_group(api))
    number = await new_ticket(api, queue_id)

    await _set(api, number, login)
    values = await _values(api, (await _ticket_row(api, number)).id)
    assert values == {
        "TicketCompany": [("Acme Corp", None)],
        "TicketRegion": [("north", None)],
        "TicketSegment": [("Enterprise", None)],
    }


async def test_the_values_follow_a_customer_id_rename(make_api: MakeApi) -> None:
    """OTOBO's ``ObjectMappingNameChange`` for companies: a renamed customer keeps its
    values, so a refresh of its users' tickets still finds them."""
    api = await _api(make_api)
    cid = await new_customer(api)
    login = await new_user(api, cid)
    await _store(api, "CustomerCompany", cid, "Segment", "SMB")
    queue_id, _ = await new_queue(api, await new_group(api))
    number = await new_ticket(api, queue_id)
    await _set(api, number, login)

    renamed = unique("C")
    r = await api.gql(RENAME, {"i": {"customerId": cid, "newCustomerId": renamed}})
    assert r.data["customerUpdate"]["userErrors"] == [], r.body
    async with api.storage.engine.connect() as conn:
        names = (
            await conn.execute(
                sa.select(dynamic_field_obj_id_name.c.object_name).where(
                    dynamic_field_obj_id_name.c.object_type == "CustomerCompany"
                )
            )
        ).all()
    assert [n for (n,) in names] == [renamed]
    r = await api.gql(REFRESH, {"i": {"numbers": [number]}})
    assert r.data["ticketsRefreshCustomerData"]["userErrors"] == []
    values = await _values(api, (await _ticket_row(api, number)).id)
    assert values["TicketSegment"] == [("SMB", None)]


async def test_a_user_field_of_the_same_attribute_wins(make_api: MakeApi) -> None:
    """``CustomerUserDataGet`` adds the company's data first; the user's own keys win."""
    region_company = {**SEGMENT, "attribute": "DynamicField_Region", "field": "CompanyRegion"}
    region_user = {**region_company, "field": "Region"}
    api = await make_api(
        customer_company={"map": rows_with(region_company)},
        customer_user={"backends": [{"map": [*default_map_rows(), region_user]}]},
        dynamic_field_from_customer_user={"enabled": True, "mapping": MAPPING},
    )
    await add_definition(api, "CompanyRegion", "Text", None, object_type="CustomerCompany")
    await add_definition(api, "Region", "Text", None, object_type="CustomerUser")
    await add_definition(api, "TicketRegion", "Text", None, object_type="Ticket")
    cid = await new_customer(api)
    with_own, without_own = await new_user(api, cid), await new_user(api, cid)
    await _store(api, "CustomerCompany", cid, "CompanyRegion", "company-wide")
    await _store(api, "CustomerUser", with_own, "Region", "own")
    queue_id, _ = await new_queue(api, await new_group(api))
    found: dict[str, Any] = {}
    for login in (with_own, without_own):
        number = await new_ticket(api, queue_id)
        await _set(api, number, login)
        found[login] = (await _values(api, (await _ticket_row(api, number)).id))["TicketRegion"]
    assert found == {with_own: [("own", None)], without_own: [("company-wide", None)]}


def test_the_company_map_checks_its_dynamic_field_rows() -> None:
    config = CustomerCompanyConfig.model_validate({"map": rows_with(SEGMENT)})
    assert [r.name for r in config.dynamic_field_rows()] == ["Segment"]
    assert "Segment" not in {f.column for f in config.map_fields()}
    untyped = {k: v for k, v in SEGMENT.items() if k != "dynamic_field_type"}
    with pytest.raises(ValidationError, match="dynamic_field_type"):
        CustomerCompanyConfig.model_validate({"map": rows_with(untyped)})
    twice = {**SEGMENT, "field": "Other"}
    with pytest.raises(ValidationError, match="listed twice"):
        CustomerCompanyConfig.model_validate({"map": rows_with(SEGMENT, twice)})


async def test_a_customer_shows_its_values(make_api: MakeApi) -> None:
    """``Customer`` has a typed field per dynamic-field row; a field OTOBO would not read for
    a company (a CustomerUser field) is null. A list of customers reads them in one batch."""
    api = await _api(make_api)
    first, second = await new_customer(api), await new_customer(api)
    await _store(api, "CustomerCompany", first, "Segment", "Enterprise")
    await _store(api, "CustomerCompany", first, "Tier", "Gold")
    query = "query($c: String!) { customer(customerId: $c) { customerId segment tier } }"
    r = await api.gql(query, {"c": first.lower()})
    assert r.data["customer"] == {"customerId": first, "segment": "Enterprise", "tier": None}
    r = await api.gql(query, {"c": second})
    assert r.data["customer"] == {"customerId": second, "segment": None, "tier": None}

    both = """query($a: String!, $b: String!) {
      a: customer(customerId: $a) { segment } b: customer(customerId: $b) { segment } }"""
    one = "query($a: String!) { a: customer(customerId: $a) { segment } }"
    r1 = await api.gql(one, {"a": first})
    r2 = await api.gql(both, {"a": first, "b": second})
    assert r2.data == {"a": {"segment": "Enterprise"}, "b": {"segment": None}}
    assert r2.statements == r1.statements


CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
  customer { customerId segment } userErrors { field code } } }"""
UPDATE = """mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) {
  customer { customerId segment } userErrors { field code } } }"""


async def _stored(api: Api, customer_id: str) -> list[tuple[str, str]]:
    """(object name, text) of every CustomerCompany value row, as OTOBO would read them."""
    names, values = dynamic_field_obj_id_name, dynamic_field_value
    statement = (
        sa.select(names.c.object_name, values.c.value_text)
        .select_from(values.join(names, names.c.object_id == values.c.object_id))
        .where(names.c.object_type == "CustomerCompany", names.c.object_name == customer_id)
    )
    async with api.storage.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(statement)).all()]


async def test_create_and_update_write_the_values_by_customer_id(make_api: MakeApi) -> None:
    api = await _api(make_api)
    cid = unique("C")
    r = await api.gql(CREATE, {"i": {"customerId": cid, "name": unique("n"), "segment": "SMB"}})
    assert r.data["customerCreate"] == {
        "customer": {"customerId": cid, "segment": "SMB"},
        "userErrors": [],
    }
    assert await _stored(api, cid) == [(cid, "SMB")]

    renamed = unique("C")
    r = await api.gql(
        UPDATE, {"i": {"customerId": cid, "newCustomerId": renamed, "segment": "Enterprise"}}
    )
    assert r.data["customerUpdate"]["customer"] == {"customerId": renamed, "segment": "Enterprise"}
    assert await _stored(api, renamed) == [(renamed, "Enterprise")]
    assert await _stored(api, cid) == []

    r = await api.gql(UPDATE, {"i": {"customerId": renamed, "name": unique("n")}})
    assert r.data["customerUpdate"]["customer"]["segment"] == "Enterprise"  # omitted: kept
    r = await api.gql(UPDATE, {"i": {"customerId": renamed, "segment": None}})
    assert r.data["customerUpdate"]["customer"]["segment"] is None
    assert await _stored(api, renamed) == []


async def test_a_field_of_another_object_type_is_refused_before_writing(
    make_api: MakeApi,
) -> None:
    """Tier is a CustomerUser field: OTOBO's company screens would not store it, so Roster
    refuses it, and the customer is not created."""
    api = await _api(make_api)
    cid = unique("C")
    r = await api.gql(CREATE, {"i": {"customerId": cid, "name": unique("n"), "tier": "Gold"}})
    assert r.data["customerCreate"] == {
        "customer": None,
        "userErrors": [{"field": ["input", "tier"], "code": "INVALID"}],
    }
    r = await api.gql("query($c: String!) { customer(customerId: $c) { name } }", {"c": cid})
    assert r.data["customer"] is None
