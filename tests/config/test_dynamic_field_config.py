"""The configuration of dynamic fields: the Map's ``dynamic_field`` rows (OTOBO's 6th column
``'dynamic_field'``) and ``[dynamic_field_from_customer_user]`` (OTOBO's
``DynamicFieldFromCustomerUser::Mapping``)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from domain.config import RosterConfig
from tests.toml_helpers import default_map_rows


def config_with(*rows: dict[str, Any], **sections: Any) -> RosterConfig:
    backend = {"map": [*default_map_rows(), *rows]}
    return RosterConfig.model_validate({"customer_user": {"backends": [backend]}, **sections})


def df_row(**overrides: Any) -> dict[str, Any]:
    row = {
        "attribute": "DynamicField_Region",
        "label": "Region",
        "field": "Region",
        "type": "dynamic_field",
        "dynamic_field_type": "Dropdown",
    }
    row.update(overrides)
    return row


def test_a_dynamic_field_row_is_kept_apart_from_the_backends_columns() -> None:
    config = config_with(df_row())
    backend = config.customer_user.backends[0]
    assert "Region" not in {f.column for f in backend.map_fields()}
    (row,) = config.customer_user.dynamic_field_rows()
    assert (row.attribute, row.name, row.graphql_name, row.value_type) == (
        "DynamicField_Region",
        "Region",
        "region",
        "Dropdown",
    )


def test_a_dynamic_field_row_needs_its_type() -> None:
    with pytest.raises(ValidationError, match="dynamic_field_type is set exactly"):
        config_with(df_row(dynamic_field_type=None))


def test_only_dynamic_field_rows_take_a_dynamic_field_type() -> None:
    with pytest.raises(ValidationError, match="dynamic_field_type is set exactly"):
        config_with(df_row(type="var"))


def test_an_unknown_dynamic_field_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="dynamic_field_type"):
        config_with(df_row(dynamic_field_type="WebService"))


def test_a_dynamic_field_graphql_name_may_not_clash_with_another_row() -> None:
    with pytest.raises(ValidationError, match=r"'email' is used twice|is reserved"):
        config_with(df_row(attribute="DynamicField_Email", field="Email"))


def test_a_dynamic_field_attribute_may_not_repeat_a_map_attribute() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        config_with(df_row(attribute="UserCity", graphql_name="cityField"))


def test_the_graphql_name_can_be_chosen() -> None:
    config = config_with(df_row(graphql_name="salesRegion"))
    assert config.customer_user.dynamic_field_rows()[0].graphql_name == "salesRegion"


def test_the_mapping_defaults_to_otobos_and_is_off() -> None:
    section = RosterConfig().dynamic_field_from_customer_user
    assert (section.enabled, section.mapping) == (False, {"UserFirstname": "CustomerFirstname"})


def test_a_mapping_target_must_be_a_dynamic_field_name() -> None:
    with pytest.raises(ValidationError, match="dynamic_field_from_customer_user"):
        RosterConfig.model_validate(
            {"dynamic_field_from_customer_user": {"mapping": {"UserFirstname": "Bad Name"}}}
        )


def test_a_mapping_key_must_be_a_data_key() -> None:
    with pytest.raises(ValidationError, match="dynamic_field_from_customer_user"):
        RosterConfig.model_validate(
            {"dynamic_field_from_customer_user": {"mapping": {"User First": "X"}}}
        )
