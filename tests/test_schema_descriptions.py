"""Every type, field, argument, input field and enum value of the schema has a description.

Read through introspection (what GraphiQL, codegen and schema registries read), for the shipped
default configuration and for one whose Maps add fields: a Map-built field is described from
its Map row's label. A new field without a description fails here, naming it.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, graphql_sync

from domain.company_map import default_company_map
from domain.config import RosterConfig
from schema.builder import build_schema
from tests.toml_helpers import map_with_room

BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
"""Described by the GraphQL specification, not by Roster."""

ROOM_LABEL = "Room"
REGION_ROW = {"attribute": "CustomerCompanyRegion", "label": "Region", "field": "region"}
SEGMENT_ROW = {
    "attribute": "DynamicField_Segment",
    "label": "Segment",
    "field": "Segment",
    "type": "dynamic_field",
    "dynamic_field_type": "Dropdown",
}


def company_rows(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
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
    return [*rows, *extra]


def custom_map_config() -> RosterConfig:
    return RosterConfig.model_validate(
        {
            "customer_user": {"backends": [{"map": map_with_room(label=ROOM_LABEL)}]},
            "customer_company": {"map": company_rows(REGION_ROW, SEGMENT_ROW)},
        }
    )


CONFIGS = {"default": RosterConfig, "custom Map": custom_map_config}


def introspect(config: RosterConfig) -> dict[str, Any]:
    schema = build_schema(config)._schema
    result = graphql_sync(schema, get_introspection_query(descriptions=True, specified_by_url=True))
    assert result.errors is None
    assert result.data is not None
    found: dict[str, Any] = result.data["__schema"]
    return found


def undescribed(schema: dict[str, Any]) -> list[str]:
    """Each schema element without a (non-blank) description, as ``kind Type.name``."""
    missing: list[str] = []

    def check(what: str, element: dict[str, Any]) -> None:
        if not (element.get("description") or "").strip():
            missing.append(what)

    for kind in schema["types"]:
        name = kind["name"]
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        check(f"type {name}", kind)
        for field in kind["fields"] or ():
            check(f"field {name}.{field['name']}", field)
            for argument in field["args"]:
                check(f"argument {name}.{field['name']}({argument['name']})", argument)
        for field in kind["inputFields"] or ():
            check(f"input field {name}.{field['name']}", field)
        for value in kind["enumValues"] or ():
            check(f"enum value {name}.{value['name']}", value)
    return missing


@pytest.mark.parametrize("make_config", CONFIGS.values(), ids=list(CONFIGS))
def test_every_schema_element_has_a_description(make_config: Any) -> None:
    missing = undescribed(introspect(make_config()))
    assert missing == [], "add a description to:\n" + "\n".join(missing)


def type_of(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in schema["types"] if t["name"] == name)


def field_of(kind: dict[str, Any], name: str, key: str = "fields") -> dict[str, Any]:
    return next(f for f in kind[key] if f["name"] == name)


def test_map_fields_are_described_by_their_labels() -> None:
    schema = introspect(custom_map_config())
    room = field_of(type_of(schema, "CustomerUser"), "room")
    assert room["description"].startswith(ROOM_LABEL)
    room_input = field_of(type_of(schema, "CustomerUserCreateInput"), "room", "inputFields")
    assert room_input["description"].startswith(ROOM_LABEL)
    region = field_of(type_of(schema, "Customer"), "region")
    assert region["description"].startswith("Region")
    region_input = field_of(type_of(schema, "CustomerUpdateInput"), "region", "inputFields")
    assert region_input["description"].startswith("Region")


def test_a_description_says_more_than_the_name() -> None:
    """No description merely restates its element's name ("login: The login.")."""
    schema = introspect(RosterConfig())
    restated: list[str] = []
    for kind in schema["types"]:
        for field in [*(kind["fields"] or ()), *(kind["inputFields"] or ())]:
            words = (field["description"] or "").strip().rstrip(".").lower().split()
            if words in (["the", field["name"].lower()], [field["name"].lower()]):
                restated.append(f"{kind['name']}.{field['name']}")
    assert restated == []


def test_date_time_names_its_specification() -> None:
    date_time = type_of(introspect(RosterConfig()), "DateTime")
    assert date_time["specifiedByURL"] == "https://datatracker.ietf.org/doc/html/rfc3339"


def test_every_custom_scalar_names_its_specification() -> None:
    schema = introspect(RosterConfig())
    scalars = [
        t
        for t in schema["types"]
        if t["kind"] == "SCALAR"
        and t["name"] not in BUILT_IN_SCALARS
        and not t["name"].startswith("__")
    ]
    assert scalars, "the schema has custom scalars (DateTime at least)"
    assert [t["name"] for t in scalars if not t["specifiedByURL"]] == []
