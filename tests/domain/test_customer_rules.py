"""Customer (company) validation before any write: required ID and name, characters and
OTOBO's column lengths, every problem at once.

A create checks every field; a patch only the fields it sends, and may not clear the name or
send a null validity. OTOBO's company backend checks nothing and lets the database fail; these
rules are what make the API answer with typed problems instead. Problems name domain fields
(``("customer_id",)``); the schema layer turns them into input paths.
"""

from __future__ import annotations

from typing import Any

from domain.changes import UNSET
from domain.customer_rules import CustomerChanges, CustomerRules, validate_customer
from domain.errors import ErrorCode
from domain.validity import Validity

DEFAULT = CustomerRules.default()


def found(values: dict[str, Any], *, creating: bool) -> list[tuple[tuple[str, ...], ErrorCode]]:
    change = CustomerChanges(**values)
    return [(p.field, p.code) for p in validate_customer(change, DEFAULT, creating=creating)]


def test_a_complete_create_has_no_problems() -> None:
    assert found({"customer_id": "ACME", "name": "Acme"}, creating=True) == []


def test_create_reports_both_required_fields_together() -> None:
    assert found({}, creating=True) == [
        (("customer_id",), ErrorCode.REQUIRED),
        (("name",), ErrorCode.REQUIRED),
    ]
    assert found({"customer_id": "  ", "name": None}, creating=True) == [
        (("customer_id",), ErrorCode.REQUIRED),
        (("name",), ErrorCode.REQUIRED),
    ]


def test_required_messages_keep_the_api_wording() -> None:
    messages = [p.message for p in validate_customer(CustomerChanges(), DEFAULT, creating=True)]
    assert messages == ["customerId is required.", "name is required."]


def test_a_patch_checks_only_what_it_sends() -> None:
    assert found({"city": "Berlin"}, creating=False) == []
    assert found({"name": ""}, creating=False) == [(("name",), ErrorCode.REQUIRED)]
    assert found({"name": UNSET, "customer_id": UNSET}, creating=False) == []


def test_optional_fields_may_be_null() -> None:
    values = {"customer_id": "ACME", "name": "Acme", "street": None, "comment": None}
    assert found(values, creating=True) == []


def test_lengths_follow_the_customer_company_columns() -> None:
    ok = {"customer_id": "c" * 150, "name": "n" * 191, "comment": "x" * 250, "url": "u" * 200}
    assert found(ok, creating=True) == []
    long = {"customer_id": "c" * 151, "name": "n" * 192, "comment": "x" * 251, "url": "u" * 201}
    assert found(long, creating=True) == [
        (("customer_id",), ErrorCode.TOO_LONG),
        (("name",), ErrorCode.TOO_LONG),
        (("url",), ErrorCode.TOO_LONG),
        (("comment",), ErrorCode.TOO_LONG),
    ]


def test_newlines_only_in_street_and_comment() -> None:
    base = {"customer_id": "ACME", "name": "Acme"}
    assert found({**base, "street": "a\nb", "comment": "a\r\nb"}, creating=True) == []
    assert found({**base, "city": "a\nb"}, creating=True) == [
        (("city",), ErrorCode.INVALID_CHARACTERS)
    ]
    assert found({**base, "comment": "a\x00b"}, creating=True) == [
        (("comment",), ErrorCode.INVALID_CHARACTERS)
    ]


def test_validity_may_not_be_null() -> None:
    assert found({"validity": None}, creating=False) == [(("validity",), ErrorCode.REQUIRED)]
    assert found({"validity": Validity.INVALID}, creating=False) == []


def test_trimmed_strips_the_identifiers_only() -> None:
    change = CustomerChanges(customer_id=" ACME ", name=" Acme ", city=" Berlin ").trimmed()
    assert (change.customer_id, change.name, change.city) == ("ACME", "Acme", " Berlin ")
    assert CustomerChanges().trimmed() == CustomerChanges()
