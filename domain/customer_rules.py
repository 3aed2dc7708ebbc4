"""Customer (company) writes: the typed change and its validation, driven by the company Map.

OTOBO's company backend checks nothing and lets the database fail; we check required fields,
characters, lengths and numbers first so the caller gets typed problems and nothing is
written. The Map (``domain.company_map``) says which fields there are: OTOBO's default rows
are the typed fields of :class:`CustomerChanges` (problems name them by domain name,
``("customer_id",)``), any other row is a value in ``extra`` (problems name it by Map
attribute, ``("CustomerCompanyRegion",)``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.changes import UNSET, Unset, differs, is_given
from domain.company_map import KNOWN_FIELDS, default_company_map, is_custom, is_multiline
from domain.errors import ErrorCode, Problem
from domain.field_map import VALID_ID, MapField
from domain.records import CustomerRecord
from domain.text import check_text, is_blank
from domain.validity import Validity

OTOBO_MAX_LENGTHS: dict[str, int] = {
    "customer_id": 150,
    "name": 191,
    "street": 200,
    "zip": 200,
    "city": 200,
    "country": 200,
    "url": 200,
    "comment": 250,
}
"""OTOBO's ``customer_company`` column lengths, by domain name: the most a default row takes
whatever its column reports (a customer ID is also stored in the relation tables)."""

UNBOUNDED_TEXT_MAX_LENGTH = 10_000
"""A custom text column that reports no length (``TEXT``) still takes at most this many
characters: a form field, not a document store (and 4 bytes each still fit MySQL's TEXT)."""

SQL_INTEGER_MAX = 2**31 - 1
"""The largest value of a custom ``int`` column that reports no narrower type (GraphQL's
``Int`` is 32-bit as well)."""

REQUIRED_LABELS = {"customer_id": "customerId"}
"""How a message names a default row when that is not its domain name (the API's wording
since the first release: "customerId is required.")."""


@dataclass(frozen=True, slots=True)
class CustomerRules:
    """The company Map plus what the table's columns take (by column name, as reflected)."""

    fields: tuple[MapField, ...]
    max_lengths: Mapping[str, int | None] = dataclasses.field(default_factory=dict)
    max_values: Mapping[str, int] = dataclasses.field(default_factory=dict)
    three_byte: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Columns that store only 3-byte UTF-8 (MariaDB's ``utf8mb3``), each with the ``ALTER
    TABLE`` that fixes it: a 4-byte character is refused for them."""

    @classmethod
    def default(cls) -> CustomerRules:
        """OTOBO's default Map on OTOBO's own columns."""
        return cls(fields=tuple(default_company_map()))

    def max_length(self, field: MapField) -> int:
        limits = (
            OTOBO_MAX_LENGTHS.get(KNOWN_FIELDS.get(field.attribute, "")),
            self.max_lengths.get(field.column),
        )
        known = [n for n in limits if n]
        return min(known) if known else UNBOUNDED_TEXT_MAX_LENGTH

    def max_value(self, field: MapField) -> int:
        return self.max_values.get(field.column, SQL_INTEGER_MAX)


@dataclass(frozen=True, slots=True)
class CustomerChanges:
    """The values of a customer create, or the patch of an update (``UNSET``: keep).

    ``None`` clears an optional field. On an update ``customer_id`` is the NEW customer ID
    (a rename); the customer to change is named apart from the change. ``extra`` holds the
    values of the Map's other rows by Map attribute (absent: keep; ``None``: clear).
    """

    customer_id: str | Unset | None = UNSET
    name: str | Unset | None = UNSET
    street: str | Unset | None = UNSET
    zip: str | Unset | None = UNSET
    city: str | Unset | None = UNSET
    country: str | Unset | None = UNSET
    url: str | Unset | None = UNSET
    comment: str | Unset | None = UNSET
    validity: Validity | Unset | None = UNSET
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    dynamic_fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The dynamic-field values to set, by Map attribute (``None``/empty erases one)."""

    def trimmed(self) -> CustomerChanges:
        """Customer IDs and names are identifiers people paste with stray spaces."""
        return dataclasses.replace(
            self,
            customer_id=_strip(self.customer_id),
            name=_strip(self.name),
        )


PATCH_FIELDS = ("customer_id", "name", "street", "zip", "city", "country", "url", "comment")
"""The fixed fields of a customer an update may give (and ``validity``)."""


def changed_fields(old: CustomerRecord, change: CustomerChanges) -> CustomerChanges:
    """``change`` with only the fields and ``extra`` values that differ from ``old``'s
    (``domain.changes.differs``; a customer ID in another case is a rename): what an update
    writes, as an import row writes only what differs. The dynamic-field values stay as
    given: their stored values are read by the statement that replaces them."""
    values: dict[str, Any] = {
        name: getattr(change, name)
        for name in (*PATCH_FIELDS, "validity")
        if is_given(getattr(change, name)) and differs(getattr(old, name), getattr(change, name))
    }
    extra = {k: v for k, v in change.extra.items() if differs(old.extra.get(k), v)}
    return CustomerChanges(**values, extra=extra, dynamic_fields=change.dynamic_fields)


def writes_fields(change: CustomerChanges) -> bool:
    """Whether ``change`` gives a field or an ``extra`` value (dynamic fields aside)."""
    given = (*PATCH_FIELDS, "validity")
    return bool(change.extra) or any(is_given(getattr(change, name)) for name in given)


def _strip(value: str | Unset | None) -> str | Unset | None:
    return value.strip() if isinstance(value, str) else value


def field_path(field: MapField) -> tuple[str, ...]:
    """Where a problem with a Map row's value points: a default row by domain name
    (``("comment",)``), any other by Map attribute (``("CustomerCompanyRegion",)``)."""
    return (field.attribute,) if is_custom(field) else (KNOWN_FIELDS[field.attribute],)


def validate_customer(
    change: CustomerChanges, rules: CustomerRules, *, creating: bool
) -> list[Problem]:
    """Problems with a customer create (every Map row; one not given counts as missing) or
    patch (the given fields only), every one at once, in Map order."""
    problems: list[Problem] = []
    for field in rules.fields:
        path = field_path(field)
        if is_custom(field):
            given: Any = change.extra.get(field.attribute, UNSET)
            label = field.label
        else:
            name = KNOWN_FIELDS[field.attribute]
            given = getattr(change, name)
            label = REQUIRED_LABELS.get(name, name)
        if not is_given(given) and not creating:
            continue
        value = given if is_given(given) else None
        if field.attribute == VALID_ID:
            if value is None and is_given(given):
                problems.append(Problem(path, ErrorCode.REQUIRED, "validity is required."))
        elif field.required and is_blank(value):
            problems.append(Problem(path, ErrorCode.REQUIRED, f"{label} is required."))
        elif value is not None:
            problems.extend(_value_problems(rules, field, path, value))
    problems.extend(_unmapped(rules, change))
    return problems


def _value_problems(
    rules: CustomerRules, field: MapField, path: tuple[str, ...], value: Any
) -> list[Problem]:
    if field.type == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            return [Problem(path, ErrorCode.INVALID, f"{field.label} must be a number.")]
        most = rules.max_value(field)
        if not -most <= value <= most:
            message = f"{field.label} must be between {-most} and {most}."
            return [Problem(path, ErrorCode.INVALID, message)]
        return []
    if not isinstance(value, str):
        return [Problem(path, ErrorCode.INVALID, f"{field.label} must be text.")]
    return check_text(
        value,
        field=path,
        max_length=rules.max_length(field),
        multiline=is_multiline(field),
        three_byte_fix=rules.three_byte.get(field.column),
    )


def _unmapped(rules: CustomerRules, change: CustomerChanges) -> list[Problem]:
    """Values for fields the Map does not have (a default row left out of a configured Map,
    or an attribute of no row): refused rather than silently dropped."""
    mapped = {f.attribute for f in rules.fields}
    problems = [
        Problem((name,), ErrorCode.INVALID, f"{name} is not in the customer Map.")
        for attribute, name in KNOWN_FIELDS.items()
        if attribute not in mapped and getattr(change, name) not in (UNSET, None)
    ]
    custom = {f.attribute for f in rules.fields if is_custom(f)}
    problems += [
        Problem((attribute,), ErrorCode.INVALID, f"{attribute} is not in the customer Map.")
        for attribute in change.extra
        if attribute not in custom
    ]
    return problems
