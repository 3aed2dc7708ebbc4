"""OTOBO's ``DynamicFieldFromCustomerUser``: which ticket dynamic field gets which customer
data, and what is written (reference ``otobo-dynamic-fields-tickets.md`` §1).

Pure: given the customer data (:func:`customer_data`, OTOBO's ``CustomerUserDataGet`` hash
built from a customer user, its company and its own dynamic-field values) and the dynamic-field
definitions, :func:`plan` says per mapping entry, in OTOBO's order (mapping keys sorted):

- ``set``: the rows to store (``domain.dynamic_fields.ValueRow``), as the field's driver would;
- ``erase``: no value (missing, undefined, empty or ``"0"``: Perl's ``|| ''``), so the field's
  rows are deleted; a **checkbox** is never erased: ``''`` becomes ``value_int = 0``;
- ``skip`` with a reason: the target is not a valid Ticket field (missing, invalid, or an
  Article/CustomerUser/CustomerCompany field: OTOBO logs "must be set in system and valid"),
  or the driver refuses the value (a date field given a non-date: OTOBO logs "Could not
  update field" and goes on with the next entry).

The ticket write (``ticketSetCustomer``) applies the plan in order; an entry naming the same
target as an earlier one overwrites it, as in OTOBO.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from domain.company_map import CUSTOMER_ID as COMPANY_ID
from domain.company_map import KNOWN_FIELDS as COMPANY_FIELDS
from domain.dynamic_fields import MAX_TEXT, TICKET, DynamicFieldDefinition, ValueRow
from domain.field_map import LOGIN
from domain.records import CustomerRecord, CustomerUserRecord

Action = Literal["set", "erase", "skip"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_INT = re.compile(r"^-?\d+$")


@dataclass(frozen=True, slots=True)
class Assignment:
    """What the mapping entry ``key`` → ``target`` does to a ticket."""

    key: str
    target: str
    action: Action
    rows: Sequence[ValueRow] = field(default_factory=tuple)
    """``set``: the rows to store; ``erase``: none."""
    reason: str | None = None
    """``skip``: why (shown to the caller, logged by OTOBO)."""
    field_id: int | None = None


def customer_data(
    user: CustomerUserRecord | None,
    company: CustomerRecord | None = None,
    dynamic_values: Mapping[str, Any] | None = None,
    preferences: Mapping[str, str] | None = None,
    company_dynamic_values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """OTOBO's ``CustomerUserDataGet`` hash: ``%Company`` first (with the company Map's
    dynamic-field values under their attribute, as ``CustomerCompanyGet`` returns them), then
    the user's Map values (which win on a clash), ``UserID`` (= the login), ``UserFullname``,
    the audit times, the preferences, and the user's own dynamic-field values under their Map
    attribute. Empty when there is no user (the module then erases every mapped field)."""
    if user is None:
        return {}
    data: dict[str, Any] = {}
    if company is not None:
        data.update(_company_data(company))
        data.update(company_dynamic_values or {})
    data.update(preferences or {})
    data.update({k: v for k, v in user.values.items()})
    data["UserID"] = user.login
    data.setdefault(LOGIN, user.login)
    data["UserFullname"] = user.full_name
    if user.audit.created_at is not None:
        data["CreateTime"] = user.audit.created_at.strftime("%Y-%m-%d %H:%M:%S")
    if user.audit.changed_at is not None:
        data["ChangeTime"] = user.audit.changed_at.strftime("%Y-%m-%d %H:%M:%S")
    data.update(dynamic_values or {})
    return data


def _company_data(company: CustomerRecord) -> dict[str, Any]:
    """The company Map's keys (``CustomerID``, ``CustomerCompanyName`` …) and
    ``CustomerCompanyValidID``, as OTOBO's ``CustomerCompanyGet`` hands them over."""
    data: dict[str, Any] = {}
    for attribute, name in COMPANY_FIELDS.items():
        if name == "validity":
            continue
        data[attribute] = getattr(company, name)
    data[COMPANY_ID] = company.customer_id
    data["CustomerCompanyValidID"] = company.validity.value
    data.update(company.extra)
    return data


def _perl_or_empty(value: Any) -> Any:
    """Perl's ``$Value || ''``: undef, ``''``, ``0`` and ``"0"`` become ``''``."""
    if value is None or value == "" or value == 0 or value == "0" or value is False:
        return ""
    return value


def plan(
    mapping: Mapping[str, str],
    data: Mapping[str, Any],
    definitions: Sequence[DynamicFieldDefinition],
) -> list[Assignment]:
    """Every mapping entry's assignment, in OTOBO's order (keys sorted)."""
    by_name = {d.name: d for d in definitions}
    return [
        _assignment(key, mapping[key], data.get(key), by_name.get(mapping[key]))
        for key in sorted(mapping)
    ]


def _assignment(
    key: str, target: str, raw: Any, definition: DynamicFieldDefinition | None
) -> Assignment:
    def skip(reason: str) -> Assignment:
        return Assignment(key, target, "skip", reason=reason)

    if definition is None:
        return skip(f"dynamic field {target!r} does not exist (must be set in system and valid)")
    if definition.object_type != TICKET:
        return skip(
            f"dynamic field {target!r} is a {definition.object_type} field, not a Ticket one"
        )
    if not definition.valid:
        return skip(f"dynamic field {target!r} is not valid (must be set in system and valid)")
    value = _perl_or_empty(raw)
    rows = _rows(definition.field_type, value)
    if isinstance(rows, str):
        return skip(f"could not update field {target!r}: {rows}")
    action: Action = "set" if rows else "erase"
    return Assignment(key, target, action, rows=tuple(rows), field_id=definition.id)


def _rows(field_type: str, value: Any) -> list[ValueRow] | str:
    """The rows a driver's ``ValueSet`` stores for ``value`` (already ``|| ''``), or why it
    refuses it."""
    if field_type == "Checkbox":
        if value == "":
            return [ValueRow(value_int=0)]  # Checkbox.pm: '' → 0
        if isinstance(value, bool):
            return [ValueRow(value_int=int(value))]
        if isinstance(value, int) or (isinstance(value, str) and _INT.match(value)):
            return [ValueRow(value_int=int(value))]
        return f"{value!r} is not an integer"
    if value == "" or value == []:
        return []
    if field_type in ("Date", "DateTime"):
        stamp = _timestamp(value, date_only=field_type == "Date")
        return stamp if isinstance(stamp, str) else [ValueRow(value_date=stamp)]
    if isinstance(value, (list, tuple)):
        if field_type != "Multiselect":
            return "a list for a single-value field (OTOBO would store a Perl reference string)"
        items = [str(v) for v in value]
        stop = items.index("") if "" in items else len(items)  # ValueSet stops at an empty one
        texts = items[:stop]
    else:
        texts = [str(value)]
    if any(len(t) > MAX_TEXT for t in texts):
        return f"a value longer than {MAX_TEXT} characters"
    return [ValueRow(value_text=t) for t in texts]


def _timestamp(value: Any, *, date_only: bool) -> datetime | str:
    """``value`` as the ``YYYY-MM-DD HH:MM:SS`` OTOBO stores, or why not: a Date field takes
    ``YYYY-MM-DD`` (``00:00:00`` appended) or that date at ``00:00:00``; a DateTime field a
    valid timestamp."""
    if isinstance(value, datetime):
        stamp = value.replace(microsecond=0, tzinfo=None)
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    else:
        text = str(value)
        if date_only and _DATE.match(text):
            text += " 00:00:00"
        match = _DATE_TIME.match(text)
        if not match:
            return f"{text!r} is not a date" + ("" if date_only else " and time")
        try:
            year, month, day, hour, minute, second = (int(p) for p in match.groups())
            stamp = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return f"{text!r} is not a valid date"
    if date_only and stamp.time() != datetime.min.time():
        return f"{value!s} has a time of day; a date field takes only dates"
    return stamp
