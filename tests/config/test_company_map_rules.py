"""The company Map in ``[customer_company]``: OTOBO's default rows, custom rows and the checks
that keep a Map from breaking the schema or the SQL. Pure: no database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import ConfigError, load_config
from domain.company_map import default_company_map
from domain.config import CustomerCompanyConfig
from tests.toml_helpers import toml_value

REGION = {"attribute": "CustomerCompanyRegion", "label": "Region", "field": "region"}


def default_rows() -> list[dict[str, Any]]:
    return [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": f.column,
            "show": f.show,
            "required": f.required,
            "type": f.type,
            "http_link": f.http_link,
        }
        for f in default_company_map()
    ]


def rows_with(*extra: dict[str, Any], **changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The default rows (``changes``: attribute → keys to change in its row) plus ``extra``."""
    rows = [{**row, **changes.get(row["attribute"], {})} for row in default_rows()]
    return [*rows, *extra]


def problem(**settings: Any) -> str:
    with pytest.raises(ValidationError) as excinfo:
        CustomerCompanyConfig.model_validate(settings)
    return str(excinfo.value)


def test_the_default_map_is_otobos() -> None:
    fields = CustomerCompanyConfig().map_fields()
    assert [(f.attribute, f.label, f.column, f.show, f.required, f.type) for f in fields] == [
        ("CustomerID", "CustomerID", "customer_id", 0, True, "var"),
        ("CustomerCompanyName", "Customer", "name", 1, True, "var"),
        ("CustomerCompanyStreet", "Street", "street", 1, False, "var"),
        ("CustomerCompanyZIP", "Zip", "zip", 1, False, "var"),
        ("CustomerCompanyCity", "City", "city", 1, False, "var"),
        ("CustomerCompanyCountry", "Country", "country", 1, False, "var"),
        ("CustomerCompanyURL", "URL", "url", 1, False, "var"),
        ("CustomerCompanyComment", "Comment", "comments", 1, False, "var"),
        ("ValidID", "Valid", "valid_id", 0, True, "int"),
    ]
    assert fields[6].http_link == "[% Data.CustomerCompanyURL | html %]"
    assert CustomerCompanyConfig(map=None).search_fields == ["customer_id", "name"]


def test_the_default_rows_written_out_are_the_default_map() -> None:
    written = CustomerCompanyConfig.model_validate({"map": default_rows()})
    assert written.map_fields() == default_company_map()


@pytest.mark.parametrize(
    ("attribute", "graphql_name"),
    [
        ("CustomerCompanyRegion", "region"),
        ("CustomerCompanyVAT_ID", "vATID"),
        ("Region", "region"),
    ],
)
def test_custom_rows_are_named_without_the_prefix(attribute: str, graphql_name: str) -> None:
    row = {"attribute": attribute, "label": "X", "field": "x"}
    [*_, field] = CustomerCompanyConfig.model_validate({"map": rows_with(row)}).map_fields()
    assert field.graphql_name == graphql_name


def test_a_derived_name_must_be_a_graphql_name() -> None:
    row = {"attribute": "CustomerCompany2nd", "label": "X", "field": "x"}
    assert "'2nd' is not a lowerCamelCase identifier" in problem(map=rows_with(row))


def test_a_custom_row_may_be_named_explicitly_and_readonly_is_accepted() -> None:
    row = {**REGION, "graphql_name": "salesRegion", "readonly": True, "type": "var"}
    [*_, field] = CustomerCompanyConfig.model_validate({"map": rows_with(row)}).map_fields()
    assert (field.graphql_name, field.column) == ("salesRegion", "region")


@pytest.mark.parametrize("attribute", ["CustomerID", "CustomerCompanyName", "ValidID"])
def test_the_key_rows_are_required(attribute: str) -> None:
    rows = [r for r in default_rows() if r["attribute"] != attribute]
    assert f"a row for {attribute} is required" in problem(map=rows)


@pytest.mark.parametrize(
    ("attribute", "change"),
    [
        ("CustomerID", {"field": "cid"}),
        ("CustomerCompanyName", {"required": False}),
        ("ValidID", {"type": "var"}),
    ],
)
def test_the_key_rows_stay_on_otobos_columns(attribute: str, change: dict[str, Any]) -> None:
    message = problem(map=rows_with(**{attribute: change}))
    assert f"the {attribute} row must be required" in message


def test_a_default_text_row_stays_text() -> None:
    message = problem(map=rows_with(CustomerCompanyCity={"type": "int"}))
    assert "the CustomerCompanyCity row must have type 'var'" in message


def test_a_default_row_keeps_its_graphql_name() -> None:
    message = problem(map=rows_with(CustomerCompanyCity={"graphql_name": "town"}))
    assert "its GraphQL name is 'city'" in message


@pytest.mark.parametrize("name", ["street", "customerId", "validity"])
def test_a_custom_row_may_not_take_a_default_rows_name(name: str) -> None:
    message = problem(map=rows_with({**REGION, "graphql_name": name}))
    assert f"GraphQL name {name!r} is used twice" in message


def test_a_default_rows_name_stays_reserved_when_the_row_is_left_out() -> None:
    rows = [r for r in rows_with() if r["attribute"] != "CustomerCompanyStreet"]
    message = problem(map=[*rows, {**REGION, "graphql_name": "street"}])
    assert "CustomerCompanyRegion: GraphQL name 'street' is reserved" in message


@pytest.mark.parametrize(
    "name", ["id", "customerUsers", "groupGrants", "createdBy", "newCustomerId"]
)
def test_a_custom_row_may_not_take_a_fixed_fields_name(name: str) -> None:
    assert f"{name!r} is reserved" in problem(map=rows_with({**REGION, "graphql_name": name}))


def test_names_and_attributes_are_used_once() -> None:
    twice = problem(map=rows_with(REGION, {**REGION, "field": "region2"}))
    assert "attribute(s) listed twice: CustomerCompanyRegion" in twice
    other = {"attribute": "CustomerCompanyArea", "label": "A", "field": "area"}
    used = problem(map=rows_with(REGION, {**other, "graphql_name": "region"}))
    assert "'region' is used twice" in used


def test_a_column_is_an_sql_identifier() -> None:
    assert "field" in problem(map=rows_with({**REGION, "field": "re-gion"}))


def test_search_fields_are_map_columns() -> None:
    message = problem(search_fields=["customer_id", "region"])
    assert "search_fields: column(s) not in the map: region" in message
    config = CustomerCompanyConfig.model_validate(
        {"map": rows_with(REGION), "search_fields": ["name", "region"]}
    )
    assert config.search_fields == ["name", "region"]


def test_a_toml_company_map_loads_and_its_errors_name_the_section(tmp_path: Path) -> None:
    def write(rows: list[dict[str, Any]]) -> Path:
        path = tmp_path / "roster.toml"
        body = "\n".join(f"  {toml_value(row)}," for row in rows)
        path.write_text(f"[customer_company]\nmap = [\n{body}\n]\n", encoding="utf-8")
        return path

    config = load_config(write(rows_with(REGION)), environ={})
    assert config.customer_company.map_fields()[-1].graphql_name == "region"
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(rows_with({**REGION, "graphql_name": "id"})), environ={})
    assert "customer_company" in str(excinfo.value)
