"""The one error vocabulary of the whole API.

Every expected problem of a mutation is a :class:`Problem` with a code from :class:`ErrorCode`;
the schema layer turns them into ``userErrors`` (the code unchanged, the field as the input
path), so a code means the same thing in every mutation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.Enum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID = "INVALID"
    RESERVED = "RESERVED"
    LOGIN_TAKEN = "LOGIN_TAKEN"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    CUSTOMER_ID_TAKEN = "CUSTOMER_ID_TAKEN"
    NAME_TAKEN = "NAME_TAKEN"
    UNKNOWN_CUSTOMER = "UNKNOWN_CUSTOMER"
    NOT_FOUND = "NOT_FOUND"
    READ_ONLY = "READ_ONLY"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"  # noqa: S105 - an error code
    UNKNOWN_CUSTOMER_USER = "UNKNOWN_CUSTOMER_USER"
    UNKNOWN_GROUP = "UNKNOWN_GROUP"
    INACTIVE_GROUP = "INACTIVE_GROUP"
    UNKNOWN_PERMISSION = "UNKNOWN_PERMISSION"
    UNKNOWN_CONTEXT = "UNKNOWN_CONTEXT"
    BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE"
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    INACTIVE_SERVICE = "INACTIVE_SERVICE"
    INVALID_NAME = "INVALID_NAME"
    CYCLE = "CYCLE"
    DUPLICATE = "DUPLICATE"
    """The same item twice in one input, in ways that contradict each other."""
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    """Sign-in refused: wrong password, unknown login or a user who is not valid (one answer)."""
    LOCKED = "LOCKED"
    """Sign-in refused without checking the password: too many failures for this login."""
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    """Sign-in refused without checking the password: this client tried too often (throttle)."""
    OTP_REQUIRED = "OTP_REQUIRED"
    """The password was right, but the two-factor code is missing or wrong."""
    PASSWORD_EXPIRED = "PASSWORD_EXPIRED"  # noqa: S105 - an error code
    """The password was right but is older than the policy allows: change it to sign in."""
    PASSWORD_NEEDS_DIGIT = "PASSWORD_NEEDS_DIGIT"  # noqa: S105 - an error code
    """``[passwords] need_digit`` (OTOBO's PasswordNeedDigit): at least one digit."""
    PASSWORD_NEEDS_UPPER_AND_LOWER = "PASSWORD_NEEDS_UPPER_AND_LOWER"  # noqa: S105 - an error code
    """``min_2_lower_2_upper`` (PasswordMin2Lower2UpperCharacters): 2 of A-Z and 2 of a-z."""
    PASSWORD_NEEDS_LETTERS = "PASSWORD_NEEDS_LETTERS"  # noqa: S105 - an error code
    """``min_2_characters`` (PasswordMin2Characters): two word characters (letter, digit, _)."""
    PASSWORD_NEEDS_3_OF_4_CLASSES = "PASSWORD_NEEDS_3_OF_4_CLASSES"  # noqa: S105 - an error code
    """``min_3_of_4`` (PasswordMin3of4): 3 of lower case, upper case, digit, other."""
    PASSWORD_PATTERN_MISMATCH = "PASSWORD_PATTERN_MISMATCH"  # noqa: S105 - an error code
    """``regexp`` (PasswordRegExp): the password must match the configured pattern."""
    PASSWORD_REUSED = "PASSWORD_REUSED"  # noqa: S105 - an error code
    """``history`` (PasswordHistory): the current password or one of the last ones."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One expected problem with one input field.

    ``field`` is a path of domain names: ``("email",)``, ``("customer_id",)``,
    ``("grants", "0", "group_id")``, a customer user's Map fields by Map attribute
    (``("UserEmail",)``), ``()`` for the input as a whole. Only the schema layer knows what
    the client typed (``schema.problem_paths``)."""

    field: tuple[str, ...]
    code: ErrorCode
    message: str


class ProblemsFound(Exception):
    """Raised inside a unit of work to abort it (and roll back) with user-facing problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
