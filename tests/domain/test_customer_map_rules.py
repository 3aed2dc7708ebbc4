"""Customer validation driven by the company Map: custom rows (by Map attribute, in
``extra``), their lengths and numbers from the columns, and values for fields the Map does
not have. Pure: no database; the column limits are given as the store would reflect them."""

from __future__ import annotations

from typing import Any

from domain.company_map import default_company_map, derive_company_graphql_name
from domain.customer_rules import (
    UNBOUNDED_TEXT_MAX_LENGTH,
    CustomerChanges,
    CustomerRules,
    validate_customer,
)
from domain.errors import ErrorCode
from domain.field_map import MapField

REGION = MapField("CustomerCompanyRegion", "Region", "region", "region", required=True)
STAFF = MapField("CustomerCompanyStaff", "Staff", "staff", "staff", type="int")
NOTES = MapField("CustomerCompanyNotes", "Notes", "notes", "notes")


def rules(*extra: MapField, **limits: Any) -> CustomerRules:
    return CustomerRules(
        fields=(*default_company_map(), *extra),
        max_lengths=limits.get("lengths", {}),
        max_values=limits.get("values", {}),
    )


def found(
    rule_set: CustomerRules, *, creating: bool = True, **values: Any
) -> list[tuple[tuple[str, ...], ErrorCode]]:
    base = {"customer_id": "ACME", "name": "Acme"} if creating else {}
    change = CustomerChanges(**{**base, **values})
    return [(p.field, p.code) for p in validate_customer(change, rule_set, creating=creating)]


def test_a_required_custom_row_is_named_by_its_attribute_and_label() -> None:
    change = CustomerChanges(customer_id="ACME", name="Acme")
    [problem] = validate_customer(change, rules(REGION), creating=True)
    assert (problem.field, problem.code) == (("CustomerCompanyRegion",), ErrorCode.REQUIRED)
    assert problem.message == "Region is required."
    assert found(rules(REGION), extra={"CustomerCompanyRegion": "EMEA"}) == []


def test_a_patch_checks_only_the_custom_values_it_sends() -> None:
    assert found(rules(REGION), creating=False, name="Acme 2") == []
    assert found(rules(REGION), creating=False, extra={"CustomerCompanyRegion": " "}) == [
        (("CustomerCompanyRegion",), ErrorCode.REQUIRED)
    ]


def test_problems_come_in_map_order() -> None:
    change = CustomerChanges(extra={"CustomerCompanyStaff": "many"})
    problems = validate_customer(change, rules(STAFF, REGION), creating=True)
    assert [p.field for p in problems] == [
        ("customer_id",),
        ("name",),
        ("CustomerCompanyStaff",),
        ("CustomerCompanyRegion",),
    ]


def test_an_int_row_takes_numbers_its_column_holds() -> None:
    small = rules(STAFF, values={"staff": 32767})
    assert found(small, extra={"CustomerCompanyStaff": 32767}) == []
    assert found(small, extra={"CustomerCompanyStaff": -32767}) == []
    for bad in (32768, True, "12"):
        assert found(small, extra={"CustomerCompanyStaff": bad}) == [
            (("CustomerCompanyStaff",), ErrorCode.INVALID)
        ]
    assert found(rules(STAFF), extra={"CustomerCompanyStaff": 2**31 - 1}) == []
    assert found(rules(STAFF), extra={"CustomerCompanyStaff": 2**31}) == [
        (("CustomerCompanyStaff",), ErrorCode.INVALID)
    ]


def test_a_text_row_is_bounded_by_its_column_or_a_sane_maximum() -> None:
    at_100 = rules(NOTES, lengths={"notes": 100})
    assert found(at_100, extra={"CustomerCompanyNotes": "é" * 100}) == []
    assert found(at_100, extra={"CustomerCompanyNotes": "n" * 101}) == [
        (("CustomerCompanyNotes",), ErrorCode.TOO_LONG)
    ]
    unbounded = rules(NOTES, lengths={"notes": None})
    assert found(unbounded, extra={"CustomerCompanyNotes": "n" * UNBOUNDED_TEXT_MAX_LENGTH}) == []
    assert found(
        unbounded, extra={"CustomerCompanyNotes": "n" * (UNBOUNDED_TEXT_MAX_LENGTH + 1)}
    ) == [(("CustomerCompanyNotes",), ErrorCode.TOO_LONG)]
    assert found(rules(NOTES), extra={"CustomerCompanyNotes": 5}) == [
        (("CustomerCompanyNotes",), ErrorCode.INVALID)
    ]
    assert found(rules(NOTES), extra={"CustomerCompanyNotes": "a\nb"}) == [
        (("CustomerCompanyNotes",), ErrorCode.INVALID_CHARACTERS)
    ]


def test_a_default_row_keeps_otobos_length_under_a_wider_column() -> None:
    wide = rules(lengths={"name": 500, "city": 50})
    assert found(wide, name="n" * 192) == [(("name",), ErrorCode.TOO_LONG)]
    assert found(wide, city="c" * 51) == [(("city",), ErrorCode.TOO_LONG)]


def test_values_for_fields_the_map_lacks_are_refused() -> None:
    without_url = CustomerRules(
        fields=tuple(f for f in default_company_map() if f.attribute != "CustomerCompanyURL")
    )
    assert found(without_url, url="https://acme.test") == [(("url",), ErrorCode.INVALID)]
    assert found(without_url, url=None) == []
    assert found(rules(), extra={"CustomerCompanyRegion": "EMEA"}) == [
        (("CustomerCompanyRegion",), ErrorCode.INVALID)
    ]


def test_a_default_row_made_required_is_required() -> None:
    fields = tuple(
        MapField(f.attribute, f.label, f.column, f.graphql_name, required=True)
        if f.attribute == "CustomerCompanyCity"
        else f
        for f in default_company_map()
    )
    assert found(CustomerRules(fields=fields)) == [(("city",), ErrorCode.REQUIRED)]


def test_trimmed_leaves_the_custom_values_alone() -> None:
    change = CustomerChanges(customer_id=" A ", extra={"CustomerCompanyRegion": " x "}).trimmed()
    assert (change.customer_id, change.extra) == ("A", {"CustomerCompanyRegion": " x "})


def test_graphql_names_of_the_default_rows_are_the_published_ones() -> None:
    assert [derive_company_graphql_name(f.attribute) for f in default_company_map()] == [
        "customerId",
        "name",
        "street",
        "zip",
        "city",
        "country",
        "url",
        "comment",
        "validity",
    ]
