"""Enums, the Node interface, global IDs and the one user-error type of the whole API."""

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import strawberry

from datasources.unit_of_work import Outcome
from domain.errors import ErrorCode, Problem
from domain.validity import Validity
from schema.problem_paths import input_path

ValidityEnum = strawberry.enum(
    Validity,
    name="Validity",
    description=(
        "OTOBO's validity. Nothing is ever deleted: a record is deactivated by setting it "
        "INVALID or INVALID_TEMPORARILY; both are left out of valid-only listings."
    ),
)

UserErrorCode = strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Why a mutation refused its input."
)


@strawberry.type(description="An expected problem with a mutation's input. Nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field, e.g. ["input", "email"]; null for the whole input.'
    )
    message: str
    code: UserErrorCode  # type: ignore[valid-type]


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
