"""How a dynamic-field change reads in an audit event (``domain.dynamic_field_audit``), the
one spelling a bulk import and the single writes share: only fields whose rows change, by Map
attribute, each type's value as JSON Lines holds it (a multiselect's keys as JSON text)."""

from __future__ import annotations

from datetime import datetime

from domain.dynamic_field_audit import AuditedField, changes
from domain.dynamic_fields import ValueRow

FIELDS = {
    1: AuditedField("DynamicField_Vip", "Checkbox"),
    2: AuditedField("DynamicField_Birthday", "Date"),
    3: AuditedField("DynamicField_LastVisit", "DateTime"),
    4: AuditedField("DynamicField_Languages", "Multiselect"),
}


def test_each_type_is_spelled_as_json_lines_holds_it_and_unchanged_fields_are_left_out() -> None:
    old = {1: [ValueRow(value_int=0)], 4: [ValueRow("de"), ValueRow("en")]}
    new = {
        1: [ValueRow(value_int=1)],
        2: [ValueRow(value_date=datetime(1990, 5, 17))],
        3: [ValueRow(value_date=datetime(2026, 3, 4, 10, 11, 12))],
        4: [ValueRow("de"), ValueRow("en")],
    }
    found = changes(FIELDS, old, new)
    assert found.before == {
        "DynamicField_Vip": False,
        "DynamicField_Birthday": None,
        "DynamicField_LastVisit": None,
    }
    assert found.after == {
        "DynamicField_Vip": True,
        "DynamicField_Birthday": "1990-05-17",
        "DynamicField_LastVisit": "2026-03-04T10:11:12",
    }
    assert set(found.rows) == {1, 2, 3}  # the multiselect's rows stay: nothing to write


def test_a_multiselect_is_its_keys_in_order_as_json_text_and_none_when_emptied() -> None:
    keys = [ValueRow("fr"), ValueRow("dé")]
    assert (changes(FIELDS, {}, {4: keys}).after, changes(FIELDS, {4: keys}, {4: []}).after) == (
        {"DynamicField_Languages": '["fr", "dé"]'},
        {"DynamicField_Languages": None},
    )
