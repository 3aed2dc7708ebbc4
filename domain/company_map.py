"""The customer (company) Map: OTOBO's ``CustomerCompany`` Map rows, as typed records.

OTOBO's company backend builds its SELECT, INSERT and UPDATE from this Map (reference §2.5),
so a row added in the configuration (say ``CustomerCompanyRegion`` → column ``region``) is a
field of ``Customer`` without a code change. Its nine default rows are the fields Roster has
always had; each keeps its domain name (``customer_id``, ``name`` … ``validity``: the fields of
:class:`domain.customer_rules.CustomerChanges`), the other rows are named by Map attribute.

Rows use the customer-user Map's record (:class:`domain.field_map.MapField`). OTOBO's company
Map has 8 positions and no readonly flag that counts (its backend ignores it), so a row's
``readonly`` is accepted and ignored here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from domain.field_map import VALID_ID, FieldType, MapField

CUSTOMER_ID = "CustomerID"
NAME = "CustomerCompanyName"

KNOWN_FIELDS: dict[str, str] = {
    CUSTOMER_ID: "customer_id",
    NAME: "name",
    "CustomerCompanyStreet": "street",
    "CustomerCompanyZIP": "zip",
    "CustomerCompanyCity": "city",
    "CustomerCompanyCountry": "country",
    "CustomerCompanyURL": "url",
    "CustomerCompanyComment": "comment",
    VALID_ID: "validity",
}
"""OTOBO's default attributes → their domain names (the GraphQL names are their camelCase)."""

KEY_COLUMNS: dict[str, tuple[str, FieldType]] = {
    CUSTOMER_ID: ("customer_id", "var"),
    NAME: ("name", "var"),
    VALID_ID: ("valid_id", "int"),
}
"""The rows every company Map has, on OTOBO's own columns: the key every relation table
refers to, the unique name, and the validity. Roster's SQL leans on these three columns."""

RESERVED_GRAPHQL_NAMES = frozenset(
    {
        "id",
        "customerUsers",
        "groupGrants",
        "createdAt",
        "createdBy",
        "changedAt",
        "changedBy",
        "newCustomerId",
        "__typename",
    }
)
"""Fields every Customer (or its update input) has whatever the Map says."""

MULTILINE_ATTRIBUTES = frozenset({"CustomerCompanyStreet", "CustomerCompanyComment"})
"""Text fields that may hold line breaks."""

_PREFIX = re.compile(r"^CustomerCompany(?=[A-Z0-9])")


def _camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


KNOWN_GRAPHQL_NAMES: dict[str, str] = {a: _camel_case(n) for a, n in KNOWN_FIELDS.items()}
"""``CustomerID`` → ``customerId`` …: the names a client has always used."""

NAME_OWNERS: dict[str, str] = {n: a for a, n in KNOWN_GRAPHQL_NAMES.items()}
"""GraphQL name → the default row it belongs to: no other row may take it."""


def derive_company_graphql_name(attribute: str) -> str:
    """``CustomerCompanyRegion`` → ``region``; OTOBO's own attributes keep their names."""
    if attribute in KNOWN_GRAPHQL_NAMES:
        return KNOWN_GRAPHQL_NAMES[attribute]
    stem = re.sub(r"[^A-Za-z0-9]", "", _PREFIX.sub("", attribute))
    return stem[:1].lower() + stem[1:] if stem else stem


def is_custom(field: MapField) -> bool:
    """A row that is not one of OTOBO's defaults: its value lives in ``extra``."""
    return field.attribute not in KNOWN_FIELDS


def is_multiline(field: MapField) -> bool:
    return field.attribute in MULTILINE_ATTRIBUTES


def default_company_map() -> list[MapField]:
    """OTOBO's default ``CustomerCompany`` Map (``Defaults.pm`` ~1807-1867)."""
    rows: list[tuple[str, str, str, int, bool, FieldType, str]] = [
        (CUSTOMER_ID, "CustomerID", "customer_id", 0, True, "var", ""),
        (NAME, "Customer", "name", 1, True, "var", ""),
        ("CustomerCompanyStreet", "Street", "street", 1, False, "var", ""),
        ("CustomerCompanyZIP", "Zip", "zip", 1, False, "var", ""),
        ("CustomerCompanyCity", "City", "city", 1, False, "var", ""),
        ("CustomerCompanyCountry", "Country", "country", 1, False, "var", ""),
        (
            "CustomerCompanyURL",
            "URL",
            "url",
            1,
            False,
            "var",
            "[% Data.CustomerCompanyURL | html %]",
        ),
        ("CustomerCompanyComment", "Comment", "comments", 1, False, "var", ""),
        (VALID_ID, "Valid", "valid_id", 0, True, "int", ""),
    ]
    return [
        MapField(
            attribute=attribute,
            label=label,
            column=column,
            graphql_name=KNOWN_GRAPHQL_NAMES[attribute],
            show=show,
            required=required,
            type=field_type,
            http_link=link,
        )
        for attribute, label, column, show, required, field_type, link in rows
    ]


def company_map_problem(fields: Sequence[MapField]) -> str | None:
    """What makes a company Map unusable (OTOBO's key rows moved or missing, a default row
    typed ``int`` or renamed), or ``None``. The names are checked with the customer-user
    Map's rules (``domain.field_map.graphql_names_problem``, :data:`NAME_OWNERS`)."""
    by_attribute = {f.attribute: f for f in fields}
    for attribute, (column, field_type) in KEY_COLUMNS.items():
        field = by_attribute.get(attribute)
        if field is None:
            return f"map: a row for {attribute} is required"
        if (field.column, field.type, field.required) != (column, field_type, True):
            return (
                f"map: the {attribute} row must be required, with column {column!r} and type "
                f"{field_type!r}"
            )
    for field in fields:
        if is_custom(field):
            continue
        if field.attribute != VALID_ID and field.type != "var":
            return f"map: the {field.attribute} row must have type 'var'"
        if field.graphql_name != KNOWN_GRAPHQL_NAMES[field.attribute]:
            return (
                f"map: {field.attribute}: its GraphQL name is "
                f"{KNOWN_GRAPHQL_NAMES[field.attribute]!r}, which clients use"
            )
    return None
