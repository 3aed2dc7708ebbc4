"""Customer-user validation driven by the Map (reference §6): required fields, text checks
against the real column lengths, the reserved login, e-mail syntax only for valid users,
password length, and the trimming of login and e-mail.

Every problem is reported at once so a form can mark all its fields in one round trip; a
patch checks only the attributes it sends. Problems name Map values by their Map attribute
(the schema, not the domain, knows the GraphQL names).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from domain.changes import UNSET
from domain.customer_user_rules import (
    CustomerUserChanges,
    FieldRules,
    normalize_values,
    password_problems,
    patch_problems,
    validate_values,
)
from domain.email import EmailPolicy
from domain.errors import ErrorCode, Problem
from domain.field_map import CUSTOMER_ID, EMAIL, LOGIN, VALID_ID, default_db_map

RULES = FieldRules(
    fields=tuple(default_db_map()),
    max_lengths={"login": 200, "email": 150, "first_name": 100, "comments": 250},
    email_policy=EmailPolicy(),
)
COMPLETE: dict[str, Any] = {
    "UserFirstname": "Ada",
    "UserLastname": "Lovelace",
    LOGIN: "ada",
    EMAIL: "ada@acme.test",
    "UserCustomerID": "ACME",
    VALID_ID: 1,
}


def found(
    values: dict[str, Any], *, creating: bool = True, check_email: bool = True
) -> list[tuple[str, ErrorCode]]:
    problems = validate_values(RULES, values, creating=creating, email_must_be_checked=check_email)
    return _named(problems)


def _named(problems: list[Problem]) -> list[tuple[str, ErrorCode]]:
    assert all(len(p.field) == 1 for p in problems), problems
    return [(p.field[0], p.code) for p in problems]


def test_a_complete_user_has_no_problems() -> None:
    assert found(COMPLETE) == []


def test_create_reports_every_missing_required_field() -> None:
    assert found({}) == [
        ("UserFirstname", ErrorCode.REQUIRED),
        ("UserLastname", ErrorCode.REQUIRED),
        (LOGIN, ErrorCode.REQUIRED),
        (EMAIL, ErrorCode.REQUIRED),
        (CUSTOMER_ID, ErrorCode.REQUIRED),
        (VALID_ID, ErrorCode.REQUIRED),
    ]


def test_a_patch_checks_only_what_it_sends() -> None:
    assert found({"UserCity": "Berlin"}, creating=False) == []
    assert found({"UserFirstname": " "}, creating=False) == [("UserFirstname", ErrorCode.REQUIRED)]


def test_the_password_is_not_a_map_field_to_validate() -> None:
    assert found({**COMPLETE, "UserPassword": "\x00"}) == []


@pytest.mark.parametrize("login", ["<default>", "<DEFAULT>", " <Default> "])
def test_default_services_pseudo_login_is_reserved(login: str) -> None:
    assert found({**COMPLETE, LOGIN: login}) == [(LOGIN, ErrorCode.RESERVED)]


def test_lengths_come_from_the_database_columns() -> None:
    assert found({**COMPLETE, "UserFirstname": "x" * 100}) == []
    assert found({**COMPLETE, "UserFirstname": "x" * 101}) == [
        ("UserFirstname", ErrorCode.TOO_LONG)
    ]
    # no known length: no limit
    assert found({**COMPLETE, "UserCity": "x" * 5000}) == []


def test_newlines_only_in_comment_and_street() -> None:
    assert found({**COMPLETE, "UserComment": "a\nb", "UserStreet": "a\nb"}) == []
    assert found({**COMPLETE, "UserCity": "a\nb"}) == [("UserCity", ErrorCode.INVALID_CHARACTERS)]


def test_wrong_types_are_invalid() -> None:
    assert found({**COMPLETE, VALID_ID: "1"}) == [(VALID_ID, ErrorCode.INVALID)]
    assert found({**COMPLETE, VALID_ID: True}) == [(VALID_ID, ErrorCode.INVALID)]
    assert found({**COMPLETE, "UserCity": 5}) == [("UserCity", ErrorCode.INVALID)]


def test_email_syntax_is_checked_for_valid_users_only() -> None:
    bad = {**COMPLETE, EMAIL: "not-an-address"}
    assert found(bad) == [(EMAIL, ErrorCode.INVALID_EMAIL)]
    assert found({**bad, VALID_ID: 2}) == []
    assert found({**bad, VALID_ID: 3}) == []


def test_email_is_checked_only_when_asked() -> None:
    """A patch that changes neither the address nor the validity leaves a legacy address be."""
    assert found({EMAIL: "not-an-address"}, creating=False, check_email=False) == []
    assert found({EMAIL: "not-an-address"}, creating=False) == [(EMAIL, ErrorCode.INVALID_EMAIL)]


def test_a_patch_without_validity_checks_the_email_as_of_a_valid_user() -> None:
    assert found({EMAIL: "ada@example.com"}, creating=False) == [(EMAIL, ErrorCode.INVALID_EMAIL)]


def test_problems_of_several_fields_come_together() -> None:
    values = {**COMPLETE, "UserLastname": "", LOGIN: "a\x00", EMAIL: "bad"}
    assert found(values) == [
        ("UserLastname", ErrorCode.REQUIRED),
        (LOGIN, ErrorCode.INVALID_CHARACTERS),
        (EMAIL, ErrorCode.INVALID_EMAIL),
    ]


def test_normalize_trims_login_and_email_only() -> None:
    values = {LOGIN: "  ada ", EMAIL: "\tada@acme.test\n", "UserFirstname": " Ada ", VALID_ID: 1}
    assert normalize_values(values) == {
        LOGIN: "ada",
        EMAIL: "ada@acme.test",
        "UserFirstname": " Ada ",
        VALID_ID: 1,
    }
    assert values[LOGIN] == "  ada "  # the input is left alone


def test_password_length_bounds() -> None:
    assert password_problems("abcd", min_length=4, max_length=8) == []
    short = password_problems("abc", min_length=4, max_length=8)
    assert _named(short) == [("password", ErrorCode.PASSWORD_TOO_SHORT)]
    long = password_problems("x" * 9, min_length=4, max_length=8)
    assert _named(long) == [("password", ErrorCode.TOO_LONG)]
    nul = password_problems("ab\x00cd", min_length=4, max_length=8)
    assert _named(nul) == [("password", ErrorCode.INVALID_CHARACTERS)]


def test_a_patch_of_a_read_only_row_is_refused() -> None:
    fields = tuple(
        dataclasses.replace(f, readonly=True) if f.attribute == "UserCity" else f
        for f in RULES.fields
    )
    rules = dataclasses.replace(RULES, fields=fields)
    assert _named(patch_problems(rules, COMPLETE, {"UserCity": "Berlin"})) == [
        ("UserCity", ErrorCode.READ_ONLY)
    ]


def test_a_patch_checks_the_address_the_user_will_have() -> None:
    """Making a user with a legacy address valid checks that address; a patch of another
    field leaves it be."""
    legacy = {**COMPLETE, EMAIL: "not-an-address", VALID_ID: 2}
    assert patch_problems(RULES, legacy, {"UserCity": "Berlin"}) == []
    assert _named(patch_problems(RULES, legacy, {VALID_ID: 1})) == [
        (EMAIL, ErrorCode.INVALID_EMAIL)
    ]
    assert patch_problems(RULES, legacy, {EMAIL: "ada@acme.test"}) == []


def test_an_update_renames_through_new_login_only() -> None:
    assert CustomerUserChanges({"UserCity": "Berlin"}).patch() == {"UserCity": "Berlin"}
    rename = CustomerUserChanges({"UserCity": None}, new_login="ada2")
    assert rename.patch() == {"UserCity": None, LOGIN: "ada2"}
    assert CustomerUserChanges(new_login=UNSET).patch() == {}
    with pytest.raises(ValueError, match="new_login"):
        CustomerUserChanges({LOGIN: "ada2"})
