"""Customer (company) validation before any write: required ID and name, characters and
OTOBO's column lengths, every problem at once.

A create checks every field; a patch only the fields it sends, and may not clear the name or
send a null validity. OTOBO's company backend checks nothing and lets the database fail; these
rules are what make the API answer with typed problems instead.
"""

from __future__ import annotations

from typing import Any

from domain.customer_rules import validate_customer
from domain.errors import ErrorCode


def found(values: dict[str, Any], *, creating: bool) -> list[tuple[tuple[str, ...], ErrorCode]]:
    return [(p.field, p.code) for p in validate_customer(values, creating=creating)]


def test_a_complete_create_has_no_problems() -> None:
    assert found({"customerId": "ACME", "name": "Acme"}, creating=True) == []


def test_create_reports_both_required_fields_together() -> None:
    assert found({}, creating=True) == [
        (("input", "customerId"), ErrorCode.REQUIRED),
        (("input", "name"), ErrorCode.REQUIRED),
    ]
    assert found({"customerId": "  ", "name": None}, creating=True) == [
        (("input", "customerId"), ErrorCode.REQUIRED),
        (("input", "name"), ErrorCode.REQUIRED),
    ]


def test_a_patch_checks_only_what_it_sends() -> None:
    assert found({"city": "Berlin"}, creating=False) == []
    assert found({"name": ""}, creating=False) == [(("input", "name"), ErrorCode.REQUIRED)]


def test_optional_fields_may_be_null() -> None:
    values = {"customerId": "ACME", "name": "Acme", "street": None, "comment": None}
    assert found(values, creating=True) == []


def test_lengths_follow_the_customer_company_columns() -> None:
    ok = {"customerId": "c" * 150, "name": "n" * 191, "comment": "x" * 250, "url": "u" * 200}
    assert found(ok, creating=True) == []
    long = {"customerId": "c" * 151, "name": "n" * 192, "comment": "x" * 251, "url": "u" * 201}
    assert found(long, creating=True) == [
        (("input", "customerId"), ErrorCode.TOO_LONG),
        (("input", "name"), ErrorCode.TOO_LONG),
        (("input", "url"), ErrorCode.TOO_LONG),
        (("input", "comment"), ErrorCode.TOO_LONG),
    ]


def test_newlines_only_in_street_and_comment() -> None:
    base = {"customerId": "ACME", "name": "Acme"}
    assert found({**base, "street": "a\nb", "comment": "a\r\nb"}, creating=True) == []
    assert found({**base, "city": "a\nb"}, creating=True) == [
        (("input", "city"), ErrorCode.INVALID_CHARACTERS)
    ]
    assert found({**base, "comment": "a\x00b"}, creating=True) == [
        (("input", "comment"), ErrorCode.INVALID_CHARACTERS)
    ]


def test_validity_may_not_be_null() -> None:
    assert found({"validity": None}, creating=False) == [
        (("input", "validity"), ErrorCode.REQUIRED)
    ]
    assert found({"validity": "INVALID"}, creating=False) == []
