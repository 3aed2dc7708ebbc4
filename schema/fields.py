"""``customerUserFields`` and ``customerFields``: the Maps as data, so a frontend can build its
forms from them."""

import enum
from collections.abc import Sequence
from typing import Any

import strawberry

from domain.config import BackendConfigBase, CustomerCompanyConfig
from domain.field_map import MapField
from schema.common import describe_values

LABEL = "The row's label (Map index 1), what OTOBO's screens call the field, e.g. Email."
TYPE = "How the value is stored and typed in the schema."
REQUIRED = "Whether a create (and an update that sends it) needs a non-blank value."
SHOWN = "Where OTOBO shows the value (Map 'shown')."


@strawberry.enum(description="OTOBO's Map 'shown' flag.")
class FieldVisibility(enum.Enum):
    HIDDEN = 0
    SHOWN = 1
    LITE = 2


describe_values(
    FieldVisibility,
    {
        "HIDDEN": "Map 'shown' 0: not shown in OTOBO's customer information.",
        "SHOWN": "Map 'shown' 1: shown in the full customer information.",
        "LITE": "Map 'shown' 2: shown also in the compact ('lite') customer information, "
        "as beside a ticket.",
    },
)


@strawberry.enum(description="How the backend stores the value.")
class FieldType(enum.Enum):
    TEXT = "var"
    INTEGER = "int"


describe_values(
    FieldType,
    {
        "TEXT": "Text (Map type 'var'): a String field.",
        "INTEGER": "A whole number (Map type 'int').",
    },
)


@strawberry.type(description="One row of a backend's Map.")
class CustomerUserField:
    backend: str = strawberry.field(description="The backend whose Map holds this row.")
    attribute: str = strawberry.field(description="OTOBO's attribute name, e.g. UserEmail.")
    graphql_name: str = strawberry.field(description="The CustomerUser/input field name.")
    label: str = strawberry.field(description=LABEL)
    storage_field: str = strawberry.field(description="The column (or LDAP attribute).")
    type: FieldType = strawberry.field(description=TYPE)
    required: bool = strawberry.field(description=REQUIRED)
    read_only: bool = strawberry.field(description="Written on create, never on update.")
    shown: FieldVisibility = strawberry.field(description=SHOWN)
    searchable: bool = strawberry.field(description="Listed in the backend's search_fields.")


def _row(field: MapField, search_fields: Sequence[str]) -> dict[str, Any]:
    """What a Map row says in either Map."""
    return {
        "attribute": field.attribute,
        "graphql_name": field.graphql_name,
        "label": field.label,
        "storage_field": field.column,
        "type": FieldType(field.type),
        "required": field.required,
        "shown": FieldVisibility(field.show),
        "searchable": field.column in search_fields,
    }


def customer_user_fields(backends: Sequence[BackendConfigBase]) -> list[CustomerUserField]:
    return [
        CustomerUserField(
            backend=backend.name,
            read_only=field.readonly,
            **_row(field, backend.search_fields),
        )
        for backend in backends
        for field in backend.map_fields()
    ]


@strawberry.type(description="One row of the customer (company) Map.")
class CustomerField:
    attribute: str = strawberry.field(
        description="OTOBO's attribute name, e.g. CustomerCompanyName."
    )
    graphql_name: str = strawberry.field(description="The Customer/input field name.")
    label: str = strawberry.field(description=LABEL)
    storage_field: str = strawberry.field(description="The customer_company column.")
    type: FieldType = strawberry.field(description=TYPE)
    required: bool = strawberry.field(description=REQUIRED)
    shown: FieldVisibility = strawberry.field(description=SHOWN)
    searchable: bool = strawberry.field(description="Listed in [customer_company] search_fields.")


def customer_fields(config: CustomerCompanyConfig) -> list[CustomerField]:
    """The company Map in Map order. It has no ``readOnly``: OTOBO's company backend ignores
    the flag, and so does Roster."""
    return [CustomerField(**_row(field, config.search_fields)) for field in config.map_fields()]
