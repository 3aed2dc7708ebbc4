"""Customer-user writes: the typed changes and their validation, driven by the Map.

A customer user's values are a mapping keyed by Map attribute (``UserEmail`` …), since a Map
row added in the configuration is a field without a code change; the changes wrap that
mapping with the arguments that are not Map values (the password, the backend, the new
login). All checks that need no storage run here, before any write, and report every problem
at once so a form can mark all its fields in one round trip. A problem names a Map value by
its Map attribute (``("UserEmail",)``) and the password as ``("password",)``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from domain.changes import UNSET, Unset, differs
from domain.email import EmailPolicy, email_problem
from domain.errors import ErrorCode, Problem
from domain.field_map import EMAIL, LOGIN, VALID_ID, MapField
from domain.text import check_text, is_blank, refused_characters
from domain.validity import Validity

PASSWORD = ("password",)
"""Where a password problem points: the ``password`` of a create or a password change."""

RESERVED_LOGINS = frozenset({"<default>"})
"""OTOBO stores default services under the pseudo-login ``<DEFAULT>``; no user may take it."""


@dataclass(frozen=True, slots=True)
class FieldRules:
    """The Map of one backend plus the column lengths the database actually has."""

    fields: tuple[MapField, ...]
    max_lengths: Mapping[str, int | None]
    email_policy: EmailPolicy
    three_byte: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Columns that store only 3-byte UTF-8 (MariaDB's ``utf8mb3``), each with the ``ALTER
    TABLE`` that fixes it: a 4-byte character is refused for them."""
    checks: tuple[_FieldCheck, ...] = dataclasses.field(init=False, repr=False, compare=False)
    """What :func:`validate_values` checks of each field, resolved once (a bulk import checks
    every field of every row: 35 → 12 µs a row)."""
    email_field: MapField | None = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        checks = tuple(
            _FieldCheck(
                field.attribute,
                (field.attribute,),
                field.label,
                field.required,
                field.type == "int",
                self.max_lengths.get(field.column),
                field.multiline,
                field.attribute == LOGIN,
                self.three_byte.get(field.column),
                refused_characters(
                    multiline=field.multiline, three_byte=field.column in self.three_byte
                ),
            )
            for field in self.fields
            if not field.is_password
        )
        object.__setattr__(self, "checks", checks)
        email = next((f for f in self.fields if f.attribute == EMAIL), None)
        object.__setattr__(self, "email_field", email)


class _FieldCheck(NamedTuple):
    attribute: str
    path: tuple[str, ...]
    label: str
    required: bool
    is_int: bool
    max_length: int | None
    multiline: bool
    is_login: bool
    three_byte_fix: str | None
    refused: re.Pattern[str]
    """The characters this field may not hold, in one pattern (``text.refused_characters``):
    the clean case, nearly every value, is one length test and one search."""


@dataclass(frozen=True, slots=True)
class NewCustomerUser:
    """What a create writes: ``values`` by Map attribute (with ``UserLogin`` and ``ValidID``;
    a missing attribute is stored empty), the password (``None`` or empty: one is generated)
    and the backend to write to (``None``: the first writable one)."""

    values: Mapping[str, Any]
    password: str | None = None
    source: str | None = None
    dynamic_fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Values of the Map's ``dynamic_field`` rows, by Map attribute (``domain.dynamic_fields``)."""


@dataclass(frozen=True, slots=True)
class CustomerUserChanges:
    """An update's patch: ``values`` holds only the Map attributes to change (``None`` clears
    one), ``new_login`` a rename (``UNSET``: keep the login). The user to change is named
    apart from the change, so the login is never among ``values``."""

    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    new_login: str | Unset | None = UNSET
    dynamic_fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The dynamic-field values to set, by Map attribute (``None``/empty erases one)."""

    def __post_init__(self) -> None:
        if LOGIN in self.values:
            raise ValueError(f"a rename is new_login, not values[{LOGIN!r}]")

    def patch(self) -> dict[str, Any]:
        """The patch by Map attribute, the new login as ``UserLogin``: what the Map checks
        and the table stores."""
        if self.new_login is UNSET:
            return dict(self.values)
        return {**self.values, LOGIN: self.new_login}


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
    for check in rules.checks:
        if check[0] not in values:  # most of a Map, on a create from a file: nothing to check
            if creating and check.required:
                problems.append(
                    Problem(check.path, ErrorCode.REQUIRED, f"{check.label} is required.")
                )
            continue
        attribute, path, label, required, is_int, max_length, multiline, is_login, fix, refused = (
            check
        )
        value = values[attribute]
        if required and is_blank(value):
            problems.append(Problem(path, ErrorCode.REQUIRED, f"{label} is required."))
            continue
        if value is None:
            continue
        if is_int:
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(Problem(path, ErrorCode.INVALID, f"{label} must be a number."))
            continue
        if not isinstance(value, str):
            problems.append(Problem(path, ErrorCode.INVALID, f"{label} must be text."))
            continue
        if (max_length is not None and len(value) > max_length) or refused.search(value):
            problems += check_text(
                value, field=path, max_length=max_length, multiline=multiline, three_byte_fix=fix
            )
        if is_login and value.strip().lower() in RESERVED_LOGINS:
            problems.append(Problem(path, ErrorCode.RESERVED, f"{value!r} is reserved."))
    problems.extend(_email_problems(rules, values, email_must_be_checked))
    return problems


def _email_problems(
    rules: FieldRules, values: Mapping[str, Any], must_check: bool
) -> list[Problem]:
    email_field = rules.email_field
    if email_field is None or not must_check:
        return []
    address = values.get(EMAIL)
    validity = values.get(VALID_ID, Validity.VALID.value)
    if not isinstance(address, str) or is_blank(address) or validity != Validity.VALID.value:
        return []
    reason = email_problem(address, rules.email_policy)
    if reason is None:
        return []
    return [Problem((email_field.attribute,), ErrorCode.INVALID_EMAIL, reason)]


def patch_problems(
    rules: FieldRules, old_values: Mapping[str, Any], patch: Mapping[str, Any]
) -> list[Problem]:
    """Problems with an update's ``patch`` (attribute → value) of a user whose values are
    ``old_values``: a read-only Map row may not be changed, and the given values are checked.
    A change of the e-mail or the validity checks the address the user will have, as OTOBO
    checks the address of every user that is (or becomes) valid."""
    problems = [
        Problem((f.attribute,), ErrorCode.READ_ONLY, f"{f.label} is read-only.")
        for f in rules.fields
        if f.readonly and f.attribute in patch
    ]
    email_or_validity = EMAIL in patch or VALID_ID in patch
    checked = patch
    if email_or_validity:
        merged = {**old_values, **patch}
        checked = {**patch, EMAIL: merged.get(EMAIL), VALID_ID: merged.get(VALID_ID)}
    problems += validate_values(
        rules, checked, creating=False, email_must_be_checked=email_or_validity
    )
    return problems


def changed_values(
    old_values: Mapping[str, Any], old_login: str, patch: Mapping[str, Any]
) -> dict[str, Any]:
    """The attributes of an update's ``patch`` whose value differs from the stored user's
    (``domain.changes.differs``; a login in another case is a rename): what an update writes,
    as an import row writes only what differs. Empty: the update changes none of the user's
    values."""
    stored = {**old_values, LOGIN: old_login}
    return {a: v for a, v in patch.items() if differs(stored.get(a), v)}


def normalize_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Trim the identifiers people paste with stray spaces (login, e-mail)."""
    normalized = dict(values)
    for attribute in (LOGIN, EMAIL):
        value = normalized.get(attribute)
        if isinstance(value, str):
            normalized[attribute] = value.strip()
    return normalized


def password_problems(password: str, *, min_length: int, max_length: int) -> list[Problem]:
    """A chosen password's problems (``[passwords]`` bounds, no control characters)."""
    problems = check_text(password, field=PASSWORD, max_length=max_length)
    if len(password) < min_length:
        problems.append(
            Problem(
                PASSWORD,
                ErrorCode.PASSWORD_TOO_SHORT,
                f"Passwords need at least {min_length} characters.",
            )
        )
    return problems
