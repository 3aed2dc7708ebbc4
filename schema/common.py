"""Enums, the Node interface, global IDs and the one user-error type of the whole API."""

import base64
import binascii
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import strawberry
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from datasources.unit_of_work import Outcome
from domain.errors import ErrorCode, Problem
from domain.validity import Validity
from schema.problem_paths import input_path

DATE_TIME = dataclasses.replace(
    DateTimeDefinition,
    description="A point in time as RFC 3339 text, e.g. 2026-03-01T09:30:00+00:00; Roster "
    "answers in UTC (OTOBO stores its times without a zone; Roster writes UTC into them).",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339",
)
"""Strawberry's ``DateTime`` (same parsing and ISO 8601 output), with ``@specifiedBy``."""

DATE = dataclasses.replace(
    DateDefinition,
    description="A calendar day as RFC 3339 full-date text, e.g. 2026-03-01 (OTOBO's Date "
    "dynamic fields, stored at 00:00:00).",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
)
"""Strawberry's ``Date`` (same parsing and output), with ``@specifiedBy``."""

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {datetime: DATE_TIME, date: DATE}
"""The schema's scalars that differ from Strawberry's defaults (``schema.builder``)."""


def describe_values(enum_type: Any, descriptions: Mapping[str, str]) -> None:
    """Give each GraphQL value of ``enum_type`` (already made a GraphQL enum by
    ``strawberry.enum``) its description: the Python enums live in ``domain/`` or
    ``datasources/``, which know nothing of GraphQL. A value without one stays without
    (``tests/test_schema_descriptions.py`` names it)."""
    for value in enum_type.__strawberry_definition__.values:
        value.description = descriptions.get(value.name, value.description)


ValidityEnum = strawberry.enum(
    Validity,
    name="Validity",
    description=(
        "OTOBO's validity. Nothing is ever deleted: a record is deactivated by setting it "
        "INVALID or INVALID_TEMPORARILY; both are left out of valid-only listings."
    ),
)
describe_values(
    ValidityEnum,
    {
        "VALID": "In use (OTOBO's valid_id 1, 'valid').",
        "INVALID": "Deactivated (valid_id 2, 'invalid'): cannot sign in, left out of valid-only "
        "lists and of effective permissions.",
        "INVALID_TEMPORARILY": "Deactivated for now (valid_id 3, 'invalid-temporarily'); "
        "treated as INVALID everywhere.",
    },
)

UserErrorCode = strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Why a mutation refused its input."
)
describe_values(
    UserErrorCode,
    {
        "REQUIRED": "A required value is missing or blank (a Map row with required = true, or "
        "a field every record needs).",
        "TOO_LONG": "Longer than the column holds (OTOBO's column sizes, in characters); on "
        "an assignment, a customer user whose stored login is longer than the relation "
        "table's login column (100 characters for customers and groups) cannot be assigned.",
        "INVALID_CHARACTERS": "Contains characters the field does not allow (control "
        "characters, or white space in a login).",
        "INVALID_EMAIL": "Not an email address OTOBO would accept (CheckEmailAddresses).",
        "INVALID": "Not a valid value for this field (a malformed ID, an unknown enum text, a "
        "value outside its range).",
        "RESERVED": "A login OTOBO keeps for itself (such as '<DEFAULT>', the row holding the "
        "default services).",
        "LOGIN_TAKEN": "Another customer user (in any backend) has this login, compared "
        "case-insensitively, or one the database's collation cannot tell from it (OTOBO's "
        "utf8mb4_unicode_ci on MariaDB: accents, emoji; the message names it).",
        "EMAIL_TAKEN": "Another customer user has this email address (the backend's "
        "email_uniq_check, OTOBO's CustomerUserEmailUniqCheck).",
        "CUSTOMER_ID_TAKEN": "Another customer (company) has this customer ID, or one the "
        "database's collation cannot tell from it (as for LOGIN_TAKEN).",
        "NAME_TAKEN": "Another record of this kind has this name (case-insensitively), or one "
        "the database's collation cannot tell from it (as for LOGIN_TAKEN).",
        "UNKNOWN_CUSTOMER": "No customer (company) has this customer ID.",
        "NOT_FOUND": "The record to change does not exist.",
        "READ_ONLY": "The record lives in a read-only backend (LDAP, or read_only = true): "
        "Roster cannot write it.",
        "PASSWORD_TOO_SHORT": "Shorter than [passwords] min_length (OTOBO's PasswordMinSize).",
        "UNKNOWN_CUSTOMER_USER": "No customer user has this login.",
        "UNKNOWN_GROUP": "No group has this ID.",
        "INACTIVE_GROUP": "The group exists but is not valid: grants on it are refused.",
        "UNKNOWN_PERMISSION": "Not one of [customer_group] permission_types (OTOBO's "
        "System::Customer::Permission, by default ro and rw).",
        "UNKNOWN_CONTEXT": "Not one of the configured permission contexts.",
        "BACKEND_UNAVAILABLE": "The backend that holds the record did not answer; nothing "
        "was written. Try again later.",
        "UNKNOWN_SERVICE": "No service has this ID.",
        "INACTIVE_SERVICE": "The service exists but is not valid: it cannot be assigned.",
        "INVALID_NAME": "A service name containing '::', OTOBO's separator of the service "
        "tree: choose the parent with parentId instead.",
        "CYCLE": "The change would make a service its own ancestor.",
        "DUPLICATE": "The same item twice in one input, in ways that contradict each other.",
        "INVALID_CREDENTIALS": "Sign-in refused: wrong password, unknown login or a user who "
        "is not valid (one answer for all three, so logins cannot be probed).",
        "LOCKED": "Sign-in refused without checking the password: too many failures for this "
        "login.",
        "TOO_MANY_ATTEMPTS": "Sign-in refused without checking the password: this client "
        "tried too often (throttle).",
        "OTP_REQUIRED": "The password was right, but the two-factor code is missing or wrong.",
        "PASSWORD_EXPIRED": "The password was right but is older than the policy allows: "
        "change it to sign in.",
        "PASSWORD_NEEDS_DIGIT": "[passwords] need_digit (OTOBO's PasswordNeedDigit): at "
        "least one digit.",
        "PASSWORD_NEEDS_UPPER_AND_LOWER": "[passwords] min_2_lower_2_upper (OTOBO's "
        "PasswordMin2Lower2UpperCharacters): two of A-Z and two of a-z.",
        "PASSWORD_NEEDS_LETTERS": "[passwords] min_2_characters (OTOBO's "
        "PasswordMin2Characters): two word characters (letter, digit, _).",
        "PASSWORD_NEEDS_3_OF_4_CLASSES": "[passwords] min_3_of_4 (OTOBO's PasswordMin3of4): "
        "three of lower case, upper case, digit, other.",
        "PASSWORD_PATTERN_MISMATCH": "[passwords] regexp (OTOBO's PasswordRegExp): the "
        "password must match the configured pattern.",
        "PASSWORD_REUSED": "[passwords] history (OTOBO's PasswordHistory): the current "
        "password or one of the last ones.",
    },
)


@strawberry.type(description="An expected problem with a mutation's input. Nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field, e.g. ["input", "email"]; null for the whole input.'
    )
    message: str = strawberry.field(
        description="What is wrong, in English, for a person; may change between versions "
        "(match on `code`, not on this text)."
    )
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What is wrong, for a program: stable across versions."
    )


def user_errors(
    problems: Sequence[Problem], names: Mapping[str, str] | None = None
) -> list[UserError]:
    """Each problem as a ``UserError``, its field as the input path the client typed
    (``schema.problem_paths.input_path``; ``names`` as there)."""
    return [
        UserError(field=input_path(p.field, names), message=p.message, code=p.code)
        for p in problems
    ]


P = TypeVar("P")


def outcome_payload(
    payload_type: Callable[..., P],
    outcome: Outcome[Any],
    names: Mapping[str, str] | None = None,
    **fields: Any,
) -> P:
    """The one way a mutation's :class:`Outcome` becomes its payload.

    ``fields`` are the payload's object fields, which the caller wraps from ``outcome.record``
    (``None`` when the write was refused); the problems always become ``userErrors`` here,
    their domain fields named as this payload's input names them (``names``: the exceptions
    to snake_case → camelCase, see ``schema.problem_paths``).
    """
    return payload_type(**fields, user_errors=user_errors(outcome.problems, names))


@strawberry.interface(description="An object with a stable, opaque global ID.")
class Node:
    @strawberry.field(description="Opaque and stable: built from the natural key.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


def global_id(type_name: str, key: str) -> strawberry.ID:
    """``base64url("<Type>:<natural key>")``: built from the natural key, never a position."""
    raw = f"{type_name}:{key}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def parse_global_id(value: str) -> tuple[str, str] | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    type_name, sep, key = raw.partition(":")
    return (type_name, key) if sep and key else None


INT32_MAX = 2**31 - 1
"""OTOBO's numeric ids (group, service) are 32-bit integer columns."""


def int_key(key: str) -> int | None:
    """The numeric id in a global ID's key, or None when no record can have it.

    Only the canonical ASCII decimal form counts (``"7"``, not ``"007"``, ``"+7"``, ``"²"`` or
    other scripts' digits, which ``int()`` or ``str.isdigit()`` accept), so one object has one
    ID; and only ids a 32-bit column can hold: a larger one is unknown, not a database error,
    and a key of 5,000 digits is not even converted (``int()`` refuses more than 4,300)."""
    if not (0 < len(key) <= len(str(INT32_MAX)) and key.isascii() and key.isdigit()):
        return None
    value = int(key)
    return value if value <= INT32_MAX and str(value) == key else None


def as_utc(value: datetime | None) -> datetime | None:
    """OTOBO's timestamps have no zone; Roster writes UTC into them."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
