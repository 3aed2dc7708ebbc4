"""Validation of customer-user writes, driven by the Map.

All checks that need no storage run here, before any write, and report every problem at once
so a form can mark all its fields in one round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.email import EmailPolicy, email_problem
from domain.errors import ErrorCode, Problem
from domain.field_map import EMAIL, LOGIN, VALID_ID, MapField
from domain.text import check_text, is_blank
from domain.validity import Validity

RESERVED_LOGINS = frozenset({"<default>"})
"""OTOBO stores default services under the pseudo-login ``<DEFAULT>``; no user may take it."""


@dataclass(frozen=True, slots=True)
class FieldRules:
    """The Map of one backend plus the column lengths the database actually has."""

    fields: tuple[MapField, ...]
    max_lengths: Mapping[str, int | None]
    email_policy: EmailPolicy

    def path(self, field: MapField) -> tuple[str, ...]:
        return ("input", field.graphql_name)


def validate_values(
    rules: FieldRules,
    values: Mapping[str, Any],
    *,
    creating: bool,
    email_must_be_checked: bool,
) -> list[Problem]:
    """Problems with ``values`` (attribute → value) for a create (all of the Map) or a patch.

    On a patch only the given attributes are checked; ``email_must_be_checked`` makes the
    e-mail syntax check run when the e-mail or the validity changed, as OTOBO only checks the
    address of *valid* users (§6.4 of the reference).
    """
    problems: list[Problem] = []
    for field in rules.fields:
        if field.is_password:
            continue
        present = field.attribute in values
        if not present and not creating:
            continue
        value = values.get(field.attribute)
        path = rules.path(field)
        if field.required and is_blank(value):
            problems.append(Problem(path, ErrorCode.REQUIRED, f"{field.label} is required."))
            continue
        if value is None:
            continue
        if field.type == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(
                    Problem(path, ErrorCode.INVALID, f"{field.label} must be a number.")
                )
            continue
        if not isinstance(value, str):
            problems.append(Problem(path, ErrorCode.INVALID, f"{field.label} must be text."))
            continue
        problems.extend(
            check_text(
                value,
                field=path,
                max_length=rules.max_lengths.get(field.column),
                multiline=field.multiline,
            )
        )
        if field.attribute == LOGIN and value.strip().lower() in RESERVED_LOGINS:
            problems.append(Problem(path, ErrorCode.RESERVED, f"{value!r} is reserved."))
    problems.extend(_email_problems(rules, values, email_must_be_checked))
    return problems


def _email_problems(
    rules: FieldRules, values: Mapping[str, Any], must_check: bool
) -> list[Problem]:
    email_field = next((f for f in rules.fields if f.attribute == EMAIL), None)
    if email_field is None or not must_check:
        return []
    address = values.get(EMAIL)
    validity = values.get(VALID_ID, Validity.VALID.value)
    if not isinstance(address, str) or is_blank(address) or validity != Validity.VALID.value:
        return []
    reason = email_problem(address, rules.email_policy)
    if reason is None:
        return []
    return [Problem(rules.path(email_field), ErrorCode.INVALID_EMAIL, reason)]


def normalize_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Trim the identifiers people paste with stray spaces (login, e-mail)."""
    normalized = dict(values)
    for attribute in (LOGIN, EMAIL):
        value = normalized.get(attribute)
        if isinstance(value, str):
            normalized[attribute] = value.strip()
    return normalized


def password_problems(
    password: str, *, min_length: int, max_length: int, field: tuple[str, ...]
) -> list[Problem]:
    problems = check_text(password, field=field, max_length=max_length)
    if len(password) < min_length:
        problems.append(
            Problem(
                field,
                ErrorCode.PASSWORD_TOO_SHORT,
                f"Passwords need at least {min_length} characters.",
            )
        )
    return problems
