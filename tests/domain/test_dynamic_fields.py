"""How a customer user's dynamic-field value becomes OTOBO's ``dynamic_field_value`` rows and
back (reference ``otobo-dynamic-fields-tickets.md`` §2.2, §2.3), and which definitions may
hold it (§2.4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.dynamic_fields import (
    DynamicFieldDefinition,
    ValueRow,
    decode,
    encode,
    mismatch_problem,
    parse_config,
)
from domain.errors import ErrorCode, Problem
from domain.validity import Validity

A = "DynamicField_X"


def definition(
    field_type: str,
    *,
    object_type: str = "CustomerUser",
    validity: Validity = Validity.VALID,
    possible: dict[str, str] | None = None,
) -> DynamicFieldDefinition:
    config = {"PossibleValues": possible} if possible is not None else {}
    return DynamicFieldDefinition(1, "X", "X", 1, field_type, object_type, validity, config=config)


COLOURS = {"r": "Red", "g": "Green", "b": "Blue"}


@pytest.mark.parametrize(
    ("field_type", "value", "rows"),
    [
        ("Text", "hello", [ValueRow(value_text="hello")]),
        ("TextArea", "a\nb", [ValueRow(value_text="a\nb")]),
        ("Dropdown", "g", [ValueRow(value_text="g")]),
        ("Multiselect", ["b", "r"], [ValueRow(value_text="b"), ValueRow(value_text="r")]),
        ("Multiselect", ["b", "b"], [ValueRow(value_text="b"), ValueRow(value_text="b")]),
        ("Multiselect", ["g", "", "r"], [ValueRow(value_text="g")]),
        ("Checkbox", True, [ValueRow(value_int=1)]),
        ("Checkbox", False, [ValueRow(value_int=0)]),
        ("Checkbox", None, [ValueRow(value_int=0)]),
        ("Date", date(2026, 2, 3), [ValueRow(value_date=datetime(2026, 2, 3))]),
        (
            "DateTime",
            datetime(2026, 2, 3, 4, 5, 6, 789),
            [ValueRow(value_date=datetime(2026, 2, 3, 4, 5, 6))],
        ),
        (
            "DateTime",
            datetime(2026, 2, 3, 6, 5, 6, tzinfo=timezone(timedelta(hours=2))),
            [ValueRow(value_date=datetime(2026, 2, 3, 4, 5, 6))],
        ),
    ],
)
def test_each_type_is_stored_as_otobos_driver_stores_it(
    field_type: str, value: object, rows: list[ValueRow]
) -> None:
    assert encode(A, definition(field_type, possible=COLOURS), value) == rows


@pytest.mark.parametrize("field_type", ["Text", "TextArea", "Dropdown", "Date", "DateTime"])
@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_value_writes_no_row(field_type: str, empty: object) -> None:
    assert encode(A, definition(field_type, possible=COLOURS), empty) == []


def test_an_empty_multiselect_writes_no_row() -> None:
    assert encode(A, definition("Multiselect", possible=COLOURS), []) == []


@pytest.mark.parametrize(
    ("field_type", "value", "code"),
    [
        ("Dropdown", "purple", ErrorCode.INVALID),
        ("Multiselect", ["r", "purple"], ErrorCode.INVALID),
        ("Text", "two\nlines", ErrorCode.INVALID_CHARACTERS),
        ("Text", "x" * 3801, ErrorCode.TOO_LONG),
        ("Date", datetime(2026, 1, 1, 10, 0), ErrorCode.INVALID),
        ("Date", "2026-01-01", ErrorCode.INVALID),
        ("DateTime", date(2026, 1, 1), ErrorCode.INVALID),
        ("Checkbox", "yes", ErrorCode.INVALID),
        ("Text", 5, ErrorCode.INVALID),
        ("WebService", "x", ErrorCode.INVALID),
    ],
)
def test_a_value_the_type_does_not_take_is_a_problem_naming_the_attribute(
    field_type: str, value: object, code: ErrorCode
) -> None:
    found = encode(A, definition(field_type, possible=COLOURS), value)
    assert isinstance(found, Problem)
    assert (found.field, found.code) == ((A,), code)


def test_rows_read_back_as_typed_values() -> None:
    when = datetime(2026, 2, 3, 4, 5, 6)
    assert decode("Text", [ValueRow(value_text="a")]) == "a"
    assert decode("Multiselect", [ValueRow(value_text="b"), ValueRow(value_text="a")]) == [
        "b",
        "a",
    ]
    assert decode("Multiselect", []) == []
    assert decode("Checkbox", [ValueRow(value_int=0)]) is False
    assert decode("Checkbox", [ValueRow(value_int=1)]) is True
    assert decode("Date", [ValueRow(value_date=datetime(2026, 2, 3))]) == date(2026, 2, 3)
    assert decode("DateTime", [ValueRow(value_date=when)]) == when
    assert decode("Text", []) is None


def test_only_a_valid_customer_user_field_of_the_declared_type_holds_the_value() -> None:
    assert mismatch_problem(A, "X", "Text", definition("Text")) is None
    for found, words in [
        (None, "does not exist"),
        (definition("Text", object_type="Ticket"), "Ticket field"),
        (definition("Text", validity=Validity.INVALID), "not valid"),
        (definition("Dropdown"), "type Dropdown"),
    ]:
        problem = mismatch_problem(A, "X", "Text", found)
        assert problem is not None
        assert words in problem.message


def test_possible_values_are_sorted_by_key() -> None:
    assert definition("Dropdown", possible={"b": "B", "a": "A"}).possible_values == [
        ("a", "A"),
        ("b", "B"),
    ]


def test_otobos_yaml_config_is_parsed() -> None:
    text = "---\nDefaultValue: ''\nPossibleNone: '1'\nPossibleValues:\n  '1': One\n  two: Two\n"
    parsed = parse_config(text.encode())
    assert parsed["PossibleValues"] == {"1": "One", "two": "Two"}
    field = DynamicFieldDefinition(
        1, "X", "X", 1, "Dropdown", "Ticket", Validity.VALID, config=parsed
    )
    assert field.config_flag("PossibleNone") is True
    assert field.config_text("DefaultValue") == ""
    assert parse_config(None) == {}
    assert parse_config("- a list") == {}
    assert parse_config(": bad: yaml: [") == {}


def test_aware_and_naive_times_agree() -> None:
    aware = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert encode(A, definition("DateTime"), aware) == encode(
        A, definition("DateTime"), datetime(2026, 1, 1, 12)
    )
