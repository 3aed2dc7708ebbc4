"""The customer-user use cases name problems in domain terms (Map attributes, argument
names); the schema shows each as the input field the client typed, whatever the Map calls
it (``CustomerUserTypes.problem_names`` through ``schema.problem_paths.input_path``)."""

from __future__ import annotations

import pytest

from domain.config import CustomerUserBackendConfig
from domain.field_map import default_db_map
from schema.customer_user import build_customer_user_types
from schema.problem_paths import input_path


def _names() -> dict[str, str]:
    rows = [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": f.column,
            "required": f.required,
            "type": f.type,
            # A Map may rename a field's GraphQL name: the problem follows the rename.
            **({"graphql_name": "company"} if f.attribute == "UserCustomerID" else {}),
        }
        for f in default_db_map()
    ]
    rows.append({"attribute": "UserRoom", "label": "Room", "field": "room"})
    backend = CustomerUserBackendConfig.model_validate({"map": rows})
    return dict(build_customer_user_types([backend]).problem_names)


@pytest.mark.parametrize(
    ("field", "path"),
    [
        (("UserEmail",), ["input", "email"]),
        (("UserCustomerID",), ["input", "company"]),
        (("UserRoom",), ["input", "room"]),
        (("UserLogin",), ["input", "login"]),  # a create's login
        (("ValidID",), ["input", "validity"]),
        (("login",), ["input", "login"]),  # the user an update names
        (("new_login",), ["input", "newLogin"]),
        (("password",), ["input", "password"]),
        (("source",), ["input", "source"]),
        ((), None),
    ],
)
def test_a_domain_field_becomes_the_input_field(field: tuple[str, ...], path: object) -> None:
    assert input_path(field, _names()) == path
