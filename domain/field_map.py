"""The customer-user Map: OTOBO's 10-position rows, as typed records.

The Map drives everything: which columns are read and written, which are required, and which
fields the GraphQL schema has. A row added in the configuration (OTOBO's ``UserRoom`` example)
becomes a field without a code change; this module names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

FieldType = Literal["var", "int"]

LOGIN = "UserLogin"
PASSWORD = "UserPassword"  # noqa: S105 - an attribute name, not a secret
EMAIL = "UserEmail"
CUSTOMER_ID = "UserCustomerID"
LAST_NAME = "UserLastname"
VALID_ID = "ValidID"

# OTOBO's attribute names for the default Map, with the GraphQL names a client expects.
KNOWN_GRAPHQL_NAMES: dict[str, str] = {
    "UserTitle": "title",
    "UserFirstname": "firstName",
    "UserLastname": "lastName",
    LOGIN: "login",
    PASSWORD: "password",
    EMAIL: "email",
    CUSTOMER_ID: "customerId",
    "UserCustomerIDs": "customerIdsRaw",
    "UserPhone": "phone",
    "UserFax": "fax",
    "UserMobile": "mobile",
    "UserStreet": "street",
    "UserZip": "zip",
    "UserCity": "city",
    "UserCountry": "country",
    "UserComment": "comment",
    VALID_ID: "validity",
}

# Fields every CustomerUser has whatever the Map says; a Map row may not take these names.
RESERVED_GRAPHQL_NAMES = frozenset(
    {
        "id",
        "source",
        "fullName",
        "displayName",
        "customer",
        "createdAt",
        "createdBy",
        "changedAt",
        "changedBy",
        "newLogin",
        "__typename",
    }
)

# Names the schema gives to these attributes only: another row may not take them.
FIXED_ATTRIBUTE_NAMES = {"login": LOGIN, "password": PASSWORD, "validity": VALID_ID}

# OTOBO's NOT NULL columns among the default Map rows. A required custom row stays nullable
# in output: rows written before its column was added have no value.
NOT_NULL_ATTRIBUTES = frozenset({"UserFirstname", "UserLastname", EMAIL, CUSTOMER_ID})

# Text columns that may hold line breaks.
MULTILINE_ATTRIBUTES = frozenset({"UserComment", "UserStreet"})

_GRAPHQL_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")


def derive_graphql_name(attribute: str) -> str:
    """``UserRoom`` → ``room``; known OTOBO attributes get their conventional names."""
    if attribute in KNOWN_GRAPHQL_NAMES:
        return KNOWN_GRAPHQL_NAMES[attribute]
    stem = attribute[4:] if re.match(r"^User[A-Z0-9]", attribute) else attribute
    stem = re.sub(r"[^A-Za-z0-9]", "", stem)
    return stem[:1].lower() + stem[1:] if stem else stem


def is_valid_graphql_name(name: str) -> bool:
    return bool(_GRAPHQL_NAME.match(name))


@dataclass(frozen=True, slots=True)
class MapField:
    """One Map row. ``column`` is OTOBO's index 2: the SQL column (or LDAP attribute)."""

    attribute: str
    label: str
    column: str
    graphql_name: str
    show: int = 1
    required: bool = False
    type: FieldType = "var"
    readonly: bool = False
    http_link: str = ""
    link_target: str | None = None
    link_class: str | None = None

    @property
    def is_password(self) -> bool:
        return self.attribute == PASSWORD

    @property
    def is_validity(self) -> bool:
        return self.attribute == VALID_ID

    @property
    def multiline(self) -> bool:
        return self.attribute in MULTILINE_ATTRIBUTES


@dataclass(frozen=True, slots=True)
class DynamicFieldMapRow:
    """A Map row of OTOBO's type ``dynamic_field``: the value of dynamic field ``name`` (a
    CustomerUser-object field, stored by login) under Map attribute ``attribute``."""

    attribute: str
    name: str
    label: str
    graphql_name: str
    value_type: str
    required: bool = False

    def as_map_field(self) -> MapField:
        """For the Map-wide name checks only (duplicates, GraphQL names)."""
        return MapField(self.attribute, self.label, self.name, self.graphql_name)


def duplicate_attributes_problem(fields: Sequence[MapField]) -> str | None:
    """A Map names each attribute once (the API's keys); the problem when it does not."""
    attributes = [f.attribute for f in fields]
    duplicates = {a for a in attributes if attributes.count(a) > 1}
    if duplicates:
        return f"map: attribute(s) listed twice: {', '.join(sorted(duplicates))}"
    return None


def graphql_names_problem(
    fields: Sequence[MapField], *, reserved: frozenset[str], fixed: Mapping[str, str]
) -> str | None:
    """What keeps the Map's GraphQL names from becoming fields of one type, or ``None``:
    each lowerCamelCase, none ``reserved`` (the type's fixed fields), none another
    attribute's ``fixed`` name (name → the attribute it belongs to), none used twice."""
    names = [f.graphql_name for f in fields]
    for field in fields:
        if not is_valid_graphql_name(field.graphql_name):
            return (
                f"map: {field.attribute}: GraphQL name {field.graphql_name!r} is not a "
                "lowerCamelCase identifier; set graphql_name"
            )
        owner = fixed.get(field.graphql_name)
        if field.graphql_name in reserved or owner not in (None, field.attribute):
            return f"map: {field.attribute}: GraphQL name {field.graphql_name!r} is reserved"
        if names.count(field.graphql_name) > 1:
            return f"map: GraphQL name {field.graphql_name!r} is used twice"
    return None


def default_db_map() -> list[MapField]:
    """OTOBO's default DB Map (``Defaults.pm`` ~1697-1714)."""
    rows: list[tuple[str, str, str, int, bool, FieldType]] = [
        ("UserTitle", "Title or salutation", "title", 1, False, "var"),
        ("UserFirstname", "Firstname", "first_name", 1, True, "var"),
        ("UserLastname", "Lastname", "last_name", 1, True, "var"),
        (LOGIN, "Username", "login", 1, True, "var"),
        (PASSWORD, "Password", "pw", 0, False, "var"),
        (EMAIL, "Email", "email", 1, True, "var"),
        (CUSTOMER_ID, "CustomerID", "customer_id", 0, True, "var"),
        ("UserPhone", "Phone", "phone", 1, False, "var"),
        ("UserFax", "Fax", "fax", 1, False, "var"),
        ("UserMobile", "Mobile", "mobile", 1, False, "var"),
        ("UserStreet", "Street", "street", 1, False, "var"),
        ("UserZip", "Zip", "zip", 1, False, "var"),
        ("UserCity", "City", "city", 1, False, "var"),
        ("UserCountry", "Country", "country", 1, False, "var"),
        ("UserComment", "Comment", "comments", 1, False, "var"),
        (VALID_ID, "Valid", "valid_id", 0, True, "int"),
    ]
    return [
        MapField(
            attribute=attr,
            label=label,
            column=column,
            graphql_name=derive_graphql_name(attr),
            show=show,
            required=required,
            type=ftype,
        )
        for attr, label, column, show, required, ftype in rows
    ]


def default_ldap_map() -> list[MapField]:
    """OTOBO's LDAP sample Map (``Defaults.pm``): every row read-only; the customer ID is the
    e-mail address unless the admin maps another attribute."""
    rows: list[tuple[str, str, str, int, bool]] = [
        ("UserTitle", "Title or salutation", "title", 1, False),
        ("UserFirstname", "Firstname", "givenName", 1, True),
        ("UserLastname", "Lastname", "sn", 1, True),
        (LOGIN, "Username", "uid", 1, True),
        (EMAIL, "Email", "mail", 1, True),
        (CUSTOMER_ID, "CustomerID", "mail", 0, True),
        ("UserPhone", "Phone", "telephoneNumber", 1, False),
        ("UserStreet", "Street", "street", 1, False),
        ("UserComment", "Comment", "description", 1, False),
    ]
    return [
        MapField(
            attribute=attr,
            label=label,
            column=column,
            graphql_name=derive_graphql_name(attr),
            show=show,
            required=required,
            readonly=True,
        )
        for attr, label, column, show, required in rows
    ]
