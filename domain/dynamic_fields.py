"""OTOBO's dynamic fields: definitions and how a value becomes ``dynamic_field_value`` rows.

Pure rules (reference ``otobo-dynamic-fields-tickets.md`` §2). A definition is one
``dynamic_field`` row with its YAML ``config`` already parsed; a value is stored per type the
way OTOBO's drivers store it (``Kernel/System/DynamicField/Driver/*.pm``, sub ``ValueSet``):

| type | column | rows |
|---|---|---|
| Text, TextArea, Dropdown | ``value_text`` | 1 (Dropdown: a key of ``PossibleValues``) |
| Multiselect | ``value_text`` | one per selected key, in order |
| Checkbox | ``value_int`` 0/1 | 1 (no value is 0, as OTOBO's ``'' → 0``) |
| Date | ``value_date`` at ``00:00:00`` | 1 |
| DateTime | ``value_date`` | 1 |

An empty value (``None``, ``''``, ``[]``) writes no row: OTOBO's ``ValueSet`` deletes the
field's rows and inserts none, so the value is erased. A problem names ``(attribute,)``, the
Map attribute the field is exposed under.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import yaml

from domain.errors import ErrorCode, Problem
from domain.text import four_byte_problem, has_four_byte
from domain.validity import Validity

ValueType = Literal["Text", "TextArea", "Dropdown", "Multiselect", "Checkbox", "Date", "DateTime"]
VALUE_TYPES: tuple[ValueType, ...] = (
    "Text",
    "TextArea",
    "Dropdown",
    "Multiselect",
    "Checkbox",
    "Date",
    "DateTime",
)
"""The field types whose values Roster reads and writes (OTOBO's basic drivers)."""

OBJECT_TYPES = ("Ticket", "Article", "CustomerUser", "CustomerCompany")
"""OTOBO's standard object types (add-ons add more, e.g. ``ITSMConfigItem``)."""

CUSTOMER_USER = "CustomerUser"
CUSTOMER_COMPANY = "CustomerCompany"
TICKET = "Ticket"
MAX_TEXT = 3800
"""``dynamic_field_value.value_text`` is VARCHAR(3800)."""


@dataclass(frozen=True, slots=True)
class DynamicFieldDefinition:
    """One ``dynamic_field`` row; ``config`` is its YAML parsed (``{}`` when empty)."""

    id: int
    name: str
    label: str
    field_order: int
    field_type: str
    object_type: str
    validity: Validity
    internal: bool = False
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.validity is Validity.VALID

    @property
    def possible_values(self) -> list[tuple[str, str]]:
        """Dropdown/Multiselect ``PossibleValues`` as (key, shown value), sorted by key as
        OTOBO's admin screen lists them; empty for other types."""
        raw = self.config.get("PossibleValues")
        if not isinstance(raw, Mapping):
            return []
        return sorted((str(k), "" if v is None else str(v)) for k, v in raw.items())

    def config_text(self, key: str) -> str | None:
        """A scalar config value as text (OTOBO's YAML dumps numbers as strings)."""
        value = self.config.get(key)
        if value is None or isinstance(value, (Mapping, list)):
            return None
        return str(value)

    def config_flag(self, key: str) -> bool:
        return self.config_text(key) not in (None, "", "0")


def parse_config(raw: Any) -> Mapping[str, Any]:
    """A ``dynamic_field.config`` YAML dump (OTOBO's ``YAML::Dump``) as a mapping; ``{}``
    when it is empty or not a mapping (a field is still listed, with no config)."""
    if raw is None:
        return {}
    text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else str(raw)
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@dataclass(frozen=True, slots=True)
class ValueRow:
    """One ``dynamic_field_value`` row's value columns."""

    value_text: str | None = None
    value_date: datetime | None = None
    value_int: int | None = None


def mismatch_problem(
    attribute: str,
    name: str,
    expected: str,
    found: DynamicFieldDefinition | None,
    object_type: str = CUSTOMER_USER,
) -> Problem | None:
    """Why field ``name`` cannot hold a customer user's (``object_type``: a customer's) value
    of type ``expected``, or None: OTOBO reads only **valid** fields of the Map's object type
    from the Map (§2.4)."""
    if found is None:
        message = f"Dynamic field {name!r} does not exist."
    elif found.object_type != object_type:
        message = f"Dynamic field {name!r} is a {found.object_type} field, not a {object_type} one."
    elif not found.valid:
        message = f"Dynamic field {name!r} is not valid."
    elif found.field_type != expected:
        message = (
            f"Dynamic field {name!r} is of type {found.field_type}; the Map declares {expected}."
        )
    else:
        return None
    return Problem((attribute,), ErrorCode.INVALID, message)


def encode(
    attribute: str,
    definition: DynamicFieldDefinition,
    value: Any,
    *,
    three_byte_fix: str | None = None,
) -> list[ValueRow] | Problem:
    """The rows OTOBO would store for ``value`` (none: the value is erased), or the problem.

    ``value`` is what the API took: ``str`` (Text, TextArea, Dropdown), a list of ``str``
    (Multiselect), ``bool`` (Checkbox), ``date`` (Date), ``datetime`` (DateTime), or ``None``.
    ``three_byte_fix``: ``value_text`` stores only 3-byte UTF-8 (MariaDB's ``utf8mb3``), and
    this ``ALTER TABLE`` fixes it; a 4-byte character in a text is then refused.
    """
    rows = _encode(attribute, definition, value)
    if three_byte_fix is None or isinstance(rows, Problem):
        return rows
    if any(r.value_text is not None and has_four_byte(r.value_text) for r in rows):
        return four_byte_problem((attribute,), three_byte_fix)
    return rows


def _encode(
    attribute: str, definition: DynamicFieldDefinition, value: Any
) -> list[ValueRow] | Problem:
    kind = definition.field_type
    where = (attribute,)
    if kind == "Checkbox":
        if value is None or isinstance(value, bool):
            return [ValueRow(value_int=1 if value else 0)]
        return Problem(where, ErrorCode.INVALID, "A checkbox takes true or false.")
    if value is None or value == "" or value == []:
        return []
    if kind in ("Text", "TextArea", "Dropdown"):
        if not isinstance(value, str):
            return Problem(where, ErrorCode.INVALID, f"A {kind} field takes a string.")
        if kind == "Text" and ("\n" in value or "\r" in value):
            return Problem(where, ErrorCode.INVALID_CHARACTERS, "Text takes one line.")
        if len(value) > MAX_TEXT:
            return Problem(where, ErrorCode.TOO_LONG, f"At most {MAX_TEXT} characters.")
        if kind == "Dropdown" and (problem := _unknown_keys(where, definition, [value])):
            return problem
        return [ValueRow(value_text=value)]
    if kind == "Multiselect":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return Problem(where, ErrorCode.INVALID, "A multiselect takes a list of strings.")
        keys = value[: value.index("")] if "" in value else value  # OTOBO stops at an empty one
        if problem := _unknown_keys(where, definition, keys):
            return problem
        return [ValueRow(value_text=v) for v in keys]
    if kind == "Date":
        if isinstance(value, datetime) or not isinstance(value, date):
            return Problem(where, ErrorCode.INVALID, "A date field takes a date (YYYY-MM-DD).")
        return [ValueRow(value_date=datetime.combine(value, time()))]
    if kind == "DateTime":
        if not isinstance(value, datetime):
            return Problem(where, ErrorCode.INVALID, "A date-time field takes a date and time.")
        if value.tzinfo is not None:  # OTOBO stores its system time zone's time: UTC
            value = value.astimezone(UTC).replace(tzinfo=None)
        return [ValueRow(value_date=value.replace(microsecond=0))]
    return Problem(where, ErrorCode.INVALID, f"Fields of type {kind} cannot be set here.")


def _unknown_keys(
    where: tuple[str, ...], definition: DynamicFieldDefinition, keys: Sequence[str]
) -> Problem | None:
    known = {k for k, _ in definition.possible_values}
    unknown = [k for k in keys if k not in known]
    if not unknown:
        return None
    return Problem(
        where,
        ErrorCode.INVALID,
        f"Not a possible value of {definition.name}: {', '.join(map(repr, unknown))}.",
    )


def decode(field_type: str, rows: Sequence[ValueRow]) -> Any:
    """The typed value of a field's rows (ordered by id), ``None`` when there are none."""
    if field_type == "Multiselect":
        return [r.value_text for r in rows if r.value_text is not None]
    if not rows:
        return None
    first = rows[0]
    if field_type == "Checkbox":
        return None if first.value_int is None else first.value_int != 0
    if field_type == "Date":
        return None if first.value_date is None else first.value_date.date()
    if field_type == "DateTime":
        return first.value_date
    return first.value_text
