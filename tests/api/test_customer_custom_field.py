"""A custom company Map row end to end: OTOBO's ``CustomerCompany`` Map (reference §2.5).

Add the column and the Map row (``CustomerCompanyRegion`` → ``region``), and ``region`` is
read, written, required, length-checked and searchable through the API without a code
change; the ``customerFields`` query lists it, and a missing column stops start-up with the
``ALTER TABLE`` to run. Runs on every database of the suite.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import SchemaMismatch
from datasources.storage import open_storage
from domain.company_map import default_company_map
from domain.config import RosterConfig
from tests.conftest import Api, Databases, MakeApi, base_config, unique

ADD_REGION = "ALTER TABLE customer_company ADD COLUMN region VARCHAR(100)"
REGION_FIX = "ALTER TABLE customer_company ADD COLUMN region VARCHAR(250);"
REGION_ROW = {"attribute": "CustomerCompanyRegion", "label": "Region", "field": "region"}

CREATE = """
mutation($i: CustomerCreateInput!) {
  customerCreate(input: $i) {
    customer { customerId region }
    userErrors { field code message }
  }
}
"""
UPDATE = """
mutation($i: CustomerUpdateInput!) {
  customerUpdate(input: $i) {
    customer { customerId name region }
    userErrors { field code message }
  }
}
"""
READ = "query($c: String!) { customer(customerId: $c) { customerId region } }"


def default_rows() -> list[dict[str, Any]]:
    """OTOBO's default company Map written out, as a configured Map must list it."""
    return [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": f.column,
            "show": f.show,
            "required": f.required,
            "type": f.type,
        }
        for f in default_company_map()
    ]


def company(*extra_rows: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {"customer_company": {"map": [*default_rows(), *extra_rows], **settings}}


async def region_api(make_api: MakeApi, *, required: bool = True, **settings: Any) -> Api:
    row = {**REGION_ROW, "required": required}
    return await make_api(before_open=[ADD_REGION], **company(row, **settings))


async def create(api: Api, **values: Any) -> str:
    """A new customer with ``values``; its customer ID."""
    cid = unique("C")
    document = (
        "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {"
        " customer { customerId } userErrors { field code message } } }"
    )
    r = await api.gql(document, {"i": {"customerId": cid, "name": f"Co {cid}", **values}})
    assert r.data["customerCreate"]["userErrors"] == []
    return cid


def errors(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def stored(api: Api, customer_id: str, column: str = "region") -> Any:
    async with api.storage.engine.connect() as conn:
        result = await conn.execute(
            sa.text(f"SELECT {column} FROM customer_company WHERE customer_id = :c"),
            {"c": customer_id},
        )
        return result.scalar_one_or_none()


# ---- the Map as data and as types ------------------------------------------------------------


async def test_customer_fields_lists_the_default_map(api: Api) -> None:
    r = await api.gql(
        "{ customerFields { attribute graphqlName label storageField type required shown"
        " searchable } }"
    )
    fields = r.data["customerFields"]
    assert [f["graphqlName"] for f in fields] == [
        "customerId",
        "name",
        "street",
        "zip",
        "city",
        "country",
        "url",
        "comment",
        "validity",
    ]
    assert fields[0] == {
        "attribute": "CustomerID",
        "graphqlName": "customerId",
        "label": "CustomerID",
        "storageField": "customer_id",
        "type": "TEXT",
        "required": True,
        "shown": "HIDDEN",
        "searchable": True,
    }
    assert [f["attribute"] for f in fields if f["searchable"]] == [
        "CustomerID",
        "CustomerCompanyName",
    ]
    assert fields[-1]["type"] == "INTEGER"


async def test_customer_fields_lists_region_last(make_api: MakeApi) -> None:
    api = await region_api(make_api, search_fields=["customer_id", "name", "region"])
    r = await api.gql("{ customerFields { attribute graphqlName label required searchable } }")
    assert r.data["customerFields"][-1] == {
        "attribute": "CustomerCompanyRegion",
        "graphqlName": "region",
        "label": "Region",
        "required": True,
        "searchable": True,
    }


async def test_region_is_a_typed_field_of_the_type_and_both_inputs(make_api: MakeApi) -> None:
    employees = {"attribute": "CustomerCompanyEmployees", "label": "Staff", "field": "employees"}
    api = await make_api(
        before_open=[ADD_REGION, "ALTER TABLE customer_company ADD COLUMN employees INTEGER"],
        **company(REGION_ROW, {**employees, "type": "int"}),
    )
    r = await api.gql(
        """{
          c: __type(name: "Customer") { fields { name type { kind name } } }
          ci: __type(name: "CustomerCreateInput") { inputFields { name type { kind name } } }
          ui: __type(name: "CustomerUpdateInput") { inputFields { name type { kind name } } }
        }"""
    )
    for key, listing in (("c", "fields"), ("ci", "inputFields"), ("ui", "inputFields")):
        types = {f["name"]: f["type"] for f in r.data[key][listing]}
        assert types["region"] == {"kind": "SCALAR", "name": "String"}, key
        assert types["employees"] == {"kind": "SCALAR", "name": "Int"}, key


async def test_the_default_map_has_no_region(api: Api) -> None:
    r = await api.gql('{ __type(name: "Customer") { fields { name } } }')
    assert "region" not in {f["name"] for f in r.data["__type"]["fields"]}


async def test_a_default_row_left_out_of_the_map_is_no_field(make_api: MakeApi) -> None:
    rows = [r for r in default_rows() if r["attribute"] != "CustomerCompanyURL"]
    api = await make_api(customer_company={"map": rows})
    r = await api.gql('{ __type(name: "CustomerCreateInput") { inputFields { name } } }')
    names = {f["name"] for f in r.data["__type"]["inputFields"]}
    assert "url" not in names
    assert "street" in names
    cid = await create(api, city="Berlin")
    r = await api.gql("query($c: String!) { customer(customerId: $c) { city } }", {"c": cid})
    assert r.data["customer"] == {"city": "Berlin"}


# ---- create and read -------------------------------------------------------------------------


async def test_create_with_region_stores_it(make_api: MakeApi) -> None:
    api = await region_api(make_api)
    cid = await create(api, region="EMEA")
    assert await stored(api, cid) == "EMEA"
    r = await api.gql(READ, {"c": cid})
    assert r.data["customer"] == {"customerId": cid, "region": "EMEA"}


@pytest.mark.parametrize("region", [None, "", "   "], ids=["missing", "empty", "blank"])
async def test_a_required_region_must_be_given(make_api: MakeApi, region: str | None) -> None:
    api = await region_api(make_api)
    cid = unique("C")
    data: dict[str, Any] = {"customerId": cid, "name": f"Co {cid}"}
    if region is not None:
        data["region"] = region
    r = await api.gql(CREATE, {"i": data})
    payload = r.data["customerCreate"]
    assert payload["customer"] is None
    assert errors(payload) == [(["input", "region"], "REQUIRED")]
    assert payload["userErrors"][0]["message"] == "Region is required."
    assert (await api.gql(READ, {"c": cid})).data["customer"] is None


async def test_missing_region_is_reported_with_the_other_missing_fields(
    make_api: MakeApi,
) -> None:
    api = await region_api(make_api)
    r = await api.gql(CREATE, {"i": {}})
    assert errors(r.data["customerCreate"]) == [
        (["input", "customerId"], "REQUIRED"),
        (["input", "name"], "REQUIRED"),
        (["input", "region"], "REQUIRED"),
    ]


async def test_region_is_read_wherever_a_customer_is(make_api: MakeApi) -> None:
    api = await region_api(make_api)
    cid = await create(api, region="APAC")
    r = await api.gql("{ customers(first: 100) { nodes { id customerId region } } }")
    [node] = [n for n in r.data["customers"]["nodes"] if n["customerId"] == cid]
    assert node["region"] == "APAC"
    r = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on Customer { region } } }", {"id": node["id"]}
    )
    assert r.data["node"] == {"region": "APAC"}
    r = await api.gql(READ, {"c": cid}, key="read")
    assert r.data["customer"]["region"] == "APAC"


async def test_a_customer_users_customer_has_its_region(make_api: MakeApi) -> None:
    api = await region_api(make_api)
    cid = await create(api, region="LATAM")
    login = unique("u")
    r = await api.gql(
        "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {"
        " customerUser { customer { region } customers { region } } userErrors { code } } }",
        {
            "i": {
                "login": login,
                "firstName": "Ana",
                "lastName": "Lopez",
                "email": f"{login}@acme.test",
                "customerId": cid,
            }
        },
    )
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"] == {"customer": {"region": "LATAM"}, "customers": []}


# ---- update ----------------------------------------------------------------------------------


async def test_update_region_and_keep_it_on_other_changes(make_api: MakeApi) -> None:
    api = await region_api(make_api)
    cid = await create(api, region="EMEA")
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "region": "NA"}})
    assert r.data["customerUpdate"]["userErrors"] == []
    assert r.data["customerUpdate"]["customer"]["region"] == "NA"
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "name": f"Renamed {cid}"}})
    assert r.data["customerUpdate"]["customer"] == {
        "customerId": cid,
        "name": f"Renamed {cid}",
        "region": "NA",
    }
    assert await stored(api, cid) == "NA"


@pytest.mark.parametrize("region", [None, ""], ids=["null", "empty"])
async def test_a_required_region_cannot_be_cleared(make_api: MakeApi, region: str | None) -> None:
    api = await region_api(make_api)
    cid = await create(api, region="EMEA")
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "region": region}})
    assert errors(r.data["customerUpdate"]) == [(["input", "region"], "REQUIRED")]
    assert await stored(api, cid) == "EMEA"


async def test_an_optional_region_can_be_cleared(make_api: MakeApi) -> None:
    api = await region_api(make_api, required=False)
    cid = await create(api)
    assert await stored(api, cid) is None
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "region": "EMEA"}})
    assert r.data["customerUpdate"]["customer"]["region"] == "EMEA"
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "region": None}})
    assert r.data["customerUpdate"]["userErrors"] == []
    assert r.data["customerUpdate"]["customer"]["region"] is None
    assert await stored(api, cid) is None  # NULL, as OTOBO's company backend writes it


async def test_a_not_null_column_is_cleared_to_empty(make_api: MakeApi) -> None:
    row = {"attribute": "CustomerCompanyTier", "label": "Tier", "field": "tier"}
    api = await make_api(
        before_open=[
            "ALTER TABLE customer_company ADD COLUMN tier VARCHAR(20) NOT NULL DEFAULT ''"
        ],
        **company(row),
    )
    r = await api.gql("{ customerFields { attribute } }")
    assert r.data["customerFields"][-1] == {"attribute": "CustomerCompanyTier"}
    cid = await create(api)
    assert await stored(api, cid, "tier") == ""
    r = await api.gql("query($c: String!) { customer(customerId: $c) { tier } }", {"c": cid})
    assert r.data["customer"] == {"tier": None}


# ---- bounds ----------------------------------------------------------------------------------


async def test_region_is_bounded_by_its_column(make_api: MakeApi) -> None:
    api = await region_api(make_api)
    cid = await create(api, region="é" * 100)  # characters, not bytes
    assert await stored(api, cid) == "é" * 100
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "region": "R" * 101}})
    assert errors(r.data["customerUpdate"]) == [(["input", "region"], "TOO_LONG")]
    r = await api.gql(CREATE, {"i": {"customerId": unique("C"), "name": "x", "region": "\x00"}})
    assert errors(r.data["customerCreate"]) == [(["input", "region"], "INVALID_CHARACTERS")]


async def test_an_int_row_is_stored_as_a_number_within_its_column(make_api: MakeApi) -> None:
    row = {"attribute": "CustomerCompanyEmployees", "label": "Staff", "field": "employees"}
    api = await make_api(
        before_open=["ALTER TABLE customer_company ADD COLUMN employees SMALLINT"],
        **company({**row, "type": "int"}),
    )
    query = "query($c: String!) { customer(customerId: $c) { employees } }"
    cid = unique("C")
    document = (
        "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {"
        " customer { employees } userErrors { field code message } } }"
    )
    r = await api.gql(document, {"i": {"customerId": cid, "name": cid, "employees": 40000}})
    assert errors(r.data["customerCreate"]) == [(["input", "employees"], "INVALID")]
    assert (
        "Staff must be between -32767 and 32767."
        in r.data["customerCreate"]["userErrors"][0]["message"]
    )
    r = await api.gql(document, {"i": {"customerId": cid, "name": cid, "employees": 32767}})
    assert r.data["customerCreate"]["customer"] == {"employees": 32767}
    assert (await api.gql(query, {"c": cid})).data["customer"] == {"employees": 32767}


# ---- search ----------------------------------------------------------------------------------


SEARCH = "query($s: String) { customers(search: $s) { nodes { customerId } } }"


async def test_region_is_searched_when_listed_in_search_fields(make_api: MakeApi) -> None:
    api = await region_api(make_api, search_fields=["customer_id", "name", "region"])
    cid = await create(api, region="Nordics-Alpha")
    r = await api.gql(SEARCH, {"s": "nordics-alp"})
    assert [n["customerId"] for n in r.data["customers"]["nodes"]] == [cid]


async def test_region_is_not_searched_unless_listed(make_api: MakeApi) -> None:
    api = await region_api(make_api)
    await create(api, region="Nordics-Beta")
    r = await api.gql(SEARCH, {"s": "nordics-beta"})
    assert r.data["customers"]["nodes"] == []


# ---- the column is missing -------------------------------------------------------------------


async def open_and_close(config: RosterConfig) -> None:
    storage = await open_storage(config)
    await storage.close()  # only reached when the check is missing


async def test_start_without_the_column_names_the_alter_table(
    api: Api, databases: Databases
) -> None:
    url = await databases.create(api.kind)
    int_row = {"attribute": "CustomerCompanySize", "label": "Size", "field": "size_no"}
    config = base_config(url, **company(REGION_ROW, {**int_row, "type": "int"}))
    with pytest.raises(SchemaMismatch) as excinfo:
        await open_and_close(config)
    assert excinfo.value.fixes == [
        REGION_FIX,
        "ALTER TABLE customer_company ADD COLUMN size_no INTEGER;",
    ]
    message = str(excinfo.value)
    assert message.startswith("customer_company: table 'customer_company' has no column(s)")
    assert "region, size_no" in message


# ---- customers from before the column --------------------------------------------------------


async def test_customers_from_before_the_column_read_as_null(make_api: MakeApi) -> None:
    cid = unique("old")
    now = "'2024-01-01 00:00:00'"
    api = await make_api(
        before_open=[
            "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
            f" change_time, change_by) VALUES ('{cid}', 'Old {cid}', 1, {now}, 1, {now}, 1)",
            ADD_REGION,
        ],
        **company({**REGION_ROW, "required": True}),
    )
    r = await api.gql(READ, {"c": cid})
    assert r.errors == []
    assert r.data["customer"] == {"customerId": cid, "region": None}
    r = await api.gql(UPDATE, {"i": {"customerId": cid, "name": f"New {cid}"}})
    assert r.data["customerUpdate"]["userErrors"] == []  # a patch checks what it sends
