"""OTOBO's DynamicFieldFromCustomerUser against a real database (reference §1, §9 item 1):
the plan for a ticket's customer user is built from the stored user, company, preferences and
the user's own dynamic fields, and written as OTOBO's ``ValueSet`` writes ticket values
(object id = the ticket's id). The ticket itself is the ticket area's; here a bare id."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from datasources.db.tables import dynamic_field, dynamic_field_value
from datasources.unit_of_work import transaction
from resolvers.use_cases.customer_data_mapping import apply, plan_for
from tests.api.test_dynamic_fields import add_definition
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, user_input
from tests.toml_helpers import default_map_rows

TICKET_ID = 4711

MAPPING = {
    "UserLogin": "CustomerLogin",
    "UserFirstname": "CustomerFirstname",
    "UserLastname": "CustomerLastname",
    "CustomerCompanyName": "CompanyName",
    "CustomerID": "CompanyID",
    "DynamicField_Region": "TicketRegion",
    "UserFax": "TicketVip",
    "UserPhone": "ArticleNote",
    "UserMobile": "Missing",
}


async def mapping_api(make_api: MakeApi) -> Api:
    region_row = {
        "attribute": "DynamicField_Region",
        "label": "Region",
        "field": "Region",
        "type": "dynamic_field",
        "dynamic_field_type": "Text",
    }
    api = await make_api(
        customer_user={"backends": [{"map": [*default_map_rows(), region_row]}]},
        dynamic_field_from_customer_user={"enabled": True, "mapping": MAPPING},
    )
    await add_definition(api, "Region", "Text", None)
    for name in ("CustomerLogin", "CustomerFirstname", "CustomerLastname", "CompanyName"):
        await add_definition(api, name, "Text", None, object_type="Ticket")
    await add_definition(api, "CompanyID", "Text", None, object_type="Ticket")
    await add_definition(api, "TicketRegion", "Text", None, object_type="Ticket")
    await add_definition(api, "TicketVip", "Checkbox", None, object_type="Ticket")
    await add_definition(api, "ArticleNote", "Text", None, object_type="Article")
    return api


async def ticket_values(api: Api) -> dict[str, list[tuple[Any, Any]]]:
    v, d = dynamic_field_value, dynamic_field
    statement = (
        sa.select(d.c.name, v.c.value_text, v.c.value_int)
        .select_from(v.join(d, d.c.id == v.c.field_id))
        .where(v.c.object_id == TICKET_ID)
        .order_by(v.c.id)
    )
    async with api.storage.engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    found: dict[str, list[tuple[Any, Any]]] = {}
    for name, text, number in rows:
        found.setdefault(name, []).append((text, number))
    return found


async def test_the_plan_copies_customer_data_and_reports_skipped_targets(
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
    assignments = await plan_for(api.storage, data["login"])
    assert [(a.target, a.action) for a in assignments] == [
        ("CompanyName", "set"),
        ("CompanyID", "set"),
        ("TicketRegion", "set"),
        ("TicketVip", "set"),
        ("CustomerFirstname", "set"),
        ("CustomerLastname", "set"),
        ("CustomerLogin", "set"),
        ("Missing", "skip"),
        ("ArticleNote", "skip"),
    ]
    async with transaction(api.storage.engine) as conn:
        await apply(conn, TICKET_ID, assignments)
    assert await ticket_values(api) == {
        "CustomerLogin": [(data["login"], None)],
        "CustomerFirstname": [("Jane", None)],
        "CustomerLastname": [("Doe", None)],
        "CompanyName": [("Acme Corp", None)],
        "CompanyID": [(cid, None)],
        "TicketRegion": [("north", None)],
        "TicketVip": [(None, 0)],
    }

    # No customer user any more: every mapped field is erased; the checkbox stays 0.
    async with transaction(api.storage.engine) as conn:
        await apply(conn, TICKET_ID, await plan_for(api.storage, None))
    assert await ticket_values(api) == {"TicketVip": [(None, 0)]}
