"""How a dynamic-field change is spelled in an audit event: the one spelling, whoever writes.

A bulk import (``resolvers.use_cases.bulk_dynamic_fields``) and the single writes
(``customerUserCreate``/``Update``, ``customerCreate``/``Update`` through
``resolvers.use_cases.dynamic_fields``) both hand the rows a field had and the rows it gets to
:func:`changes`, so an imported change and the same change through the API leave the same
``fields`` entry: under the Map attribute (``DynamicField_Region``), the value typed as the API
reads it, then as a JSON scalar (:func:`audit_value`). A field whose rows stay the same has no
entry. Pure, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.bulk_dynamic_fields import plain_value
from domain.dynamic_fields import ValueRow, decode


@dataclass(frozen=True, slots=True)
class AuditedField:
    """How one field's value is named and read in an event: its Map attribute and its type."""

    attribute: str
    field_type: str


@dataclass(frozen=True, slots=True)
class FieldValueChanges:
    """The fields whose rows change: their new rows (by field id) and their values before
    and after, by Map attribute, as an event's ``fields`` hold them."""

    rows: dict[int, list[ValueRow]] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def audit_value(value: Any) -> Any:
    """A typed value as an audit event's before/after holds it (scalars only): a multiselect's
    keys as a JSON array in text, ``[]`` as None; dates as ISO 8601 text."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False) if value else None
    return plain_value(value)


def changes(
    fields: Mapping[int, AuditedField],
    old: Mapping[int, Sequence[ValueRow]],
    new: Mapping[int, Sequence[ValueRow]],
) -> FieldValueChanges:
    """What writing ``new`` (field id → rows) over ``old`` (the rows stored, in id order;
    none for a field without a value or an object being created) changes; every field of
    ``new`` is one of ``fields``."""
    found = FieldValueChanges()
    for field_id, rows in new.items():
        before, after = list(old.get(field_id, ())), list(rows)
        if after == before:
            continue
        audited = fields[field_id]
        found.rows[field_id] = after
        found.before[audited.attribute] = audit_value(decode(audited.field_type, before))
        found.after[audited.attribute] = audit_value(decode(audited.field_type, after))
    return found
